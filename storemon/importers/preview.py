"""What the import wizard shows before importing: encoding, header, detected mapping, first rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from storemon.importers.base import ImportFailed, Problem
from storemon.importers.headers import HeaderMatch, MoneyRule, UnusedColumn
from storemon.importers.roster import RosterImporter
from storemon.importers.runner import RowImporter
from storemon.importers.sales import SalesImporter, resolve_columns
from storemon.importers.staff import StaffImporter
from storemon.importers.tabular import FieldSpec, alias_index, columns_found, map_columns, open_table

IMPORTERS: dict[str, type[RowImporter]] = {
    "sales": SalesImporter,
    "roster": RosterImporter,
    "staff": StaffImporter,
}
KINDS: dict[str, list[FieldSpec]] = {kind: importer.fields for kind, importer in IMPORTERS.items()}


@dataclass(frozen=True)
class Preview:
    """A file as the importer sees it. ``mapping`` is header -> field; ``missing`` says what to map.

    ``columns`` says how each mapped column was recognised (confidence and reason), ``unused`` which
    columns looked like a field but will not be read, ``money_rule`` where a sales import's revenue
    will come from.
    """

    file: str
    kind: str
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_line: int
    headers: list[str]
    mapping: dict[str, str]
    fields: dict[str, str]
    rows: list[list[str]]
    missing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns: list[HeaderMatch] = field(default_factory=list)
    unused: list[UnusedColumn] = field(default_factory=list)
    money_rule: MoneyRule | None = None

    @property
    def usable(self) -> bool:
        return not self.missing and not self.problems


def _missing(kind: str, fields: set[str]) -> list[str]:
    """What the importer of ``kind`` would refuse the file for, in the wizard's words."""
    return [need.need for need in IMPORTERS[kind].requirements if not need.met(fields)]


def _show(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def preview(path: str | Path, kind: str, mapping: dict[str, str] | None = None, rows: int = 20) -> Preview:
    """Read the head of ``path`` as the ``kind`` importer would ("sales", "roster" or "staff").

    Raises ImportFailed only for a file that is not a readable table; a missing column is
    reported in ``missing`` so the wizard can ask the user to map it.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    specs = KINDS[kind]
    table = open_table(path, alias_index(specs), mapping, whole=False)
    try:
        problems: list[Problem] = []
        try:
            cols = map_columns(table, specs, mapping)
        except ImportFailed as exc:
            problems = exc.problems
            cols = map_columns(table, specs, None)
        money_rule = resolve_columns(cols, table) if kind == "sales" else None
        sample = [[_show(v) for v in row] for _, row in table.sample[:rows] if row]
        missing = _missing(kind, set(cols.index))
        if missing:
            missing = [f"{m}; columns found: {columns_found(table)}" for m in missing]
        return Preview(
            file=table.name,
            kind=kind,
            format=table.format,
            encoding=table.encoding,
            delimiter=table.delimiter,
            sheet=table.sheet,
            header_line=table.header_line,
            headers=table.headers,
            mapping=cols.by_header(),
            fields={s.name: s.help for s in specs},
            rows=sample,
            missing=missing,
            problems=problems,
            columns=cols.described(),
            unused=sorted(cols.unused, key=lambda u: u.match.column),
            money_rule=money_rule,
        )
    finally:
        table.close()
