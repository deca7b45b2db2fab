"""Reading CSV and XLSX files as rows, and finding which column holds which field (by meaning,
with a confidence: ``headers``).

CSV: UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode text"), else GB18030 (a
superset of GBK); comma, semicolon, tab or pipe delimited. XLSX: the first sheet that looks
like a table, read with openpyxl in read-only mode. Line numbers are physical: the header is
the line it sits on (line 1 unless the export has title rows above it), for XLSX the sheet row.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from importlib.resources import files
from pathlib import Path

from storemon.importers.base import ImportFailed, Problem, file_problem
from storemon.importers.headers import (
    ALIAS,
    FORCED,
    WEAKER,
    HeaderMatch,
    HeaderMatcher,
    UnusedColumn,
    normalise_header,
)

HEADER_SCAN_ROWS = 20
SAMPLE_ROWS = 50
IGNORE = "ignore"


@dataclass(frozen=True)
class FieldSpec:
    """A field an importer understands: the header names it is known by, and a line of help."""

    name: str
    aliases: tuple[str, ...]
    help: str


def alias_index(specs: list[FieldSpec]) -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in specs:
        for alias in (spec.name, *spec.aliases):
            index.setdefault(normalise_header(alias), spec.name)
    return index


def alias_ranks(specs: list[FieldSpec]) -> dict[str, int]:
    """Normalised name -> its place in its field's list: the earlier name is the better one."""
    ranks: dict[str, int] = {}
    for spec in specs:
        for rank, alias in enumerate((spec.name, *spec.aliases)):
            ranks.setdefault(normalise_header(alias), rank)
    return ranks


def describe_fields(specs: list[FieldSpec]) -> str:
    return ", ".join(f"{s.name} ({s.help})" for s in specs)


@dataclass
class Table:
    """An opened file: its header and an iterator of ``(line, cells)`` for the rows below it."""

    path: Path
    name: str
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_line: int
    headers: list[str]
    sample: list[tuple[int, list]]
    total_estimate: int
    _rest: Iterator[tuple[int, list]] = field(repr=False)
    _close: object = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, list]]:
        """Data rows, padded to the header's width; blank rows are skipped."""
        width = len(self.headers)
        line = self.header_line
        try:
            for line, row in itertools.chain(self.sample, self._rest):
                if len(row) < width:
                    if not row:
                        continue
                    row = list(row) + [""] * (width - len(row))
                yield line, row
        except csv.Error as exc:
            raise file_problem(
                self.name, f"the CSV is broken here ({exc}); re-export the file", line + 1
            ) from exc
        except UnicodeDecodeError as exc:
            raise file_problem(
                self.name,
                f"the file is not valid {self.encoding} text after this line ({exc.reason}); "
                "save it as CSV UTF-8 or XLSX",
                line + 1,
            ) from exc
        finally:
            self.close()

    def close(self) -> None:
        if self._close is not None:
            self._close()  # type: ignore[operator]
            self._close = None


# --------------------------------------------------------------------------- encoding and delimiter


def detect_encoding(path: Path, whole: bool = True) -> str:
    """utf-8-sig if the bytes are UTF-8, utf-16 if they start with its BOM, else gb18030."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
                if not whole:
                    return "utf-8-sig"
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("gb18030")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
                if not whole:
                    break
            else:
                decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise UnicodeError("neither UTF-8 nor GB18030/GBK text") from exc
    return "gb18030"


def sniff_delimiter(lines: list[str]) -> str:
    """The candidate that splits the first lines into the same, largest number of cells."""
    best, best_score = ",", (-1, -1)
    for cand in (",", ";", "\t", "|"):
        counts = [len(r) for r in csv.reader(lines[:10], delimiter=cand) if r]
        if not counts or max(counts) < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = cand, score
    return best


# --------------------------------------------------------------------------- readers


def _xl_value(v: object) -> object:
    """XLSX cells as text, except dates and times, which parsers take as they are."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, (datetime, date, time)):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def _open_csv(path: Path, name: str, whole: bool):
    try:
        encoding = detect_encoding(path, whole=whole)
    except UnicodeError as exc:
        raise file_problem(
            name, f"the file is not text this importer can read ({exc}); save it as CSV UTF-8 or XLSX"
        ) from exc
    # Stays open while rows stream in; the Table closes it.
    fh = open(path, encoding=encoding, errors="strict" if whole else "replace", newline="")  # noqa: SIM115
    try:
        head = fh.read(64 * 1024)
    except UnicodeDecodeError as exc:  # UTF-16 is recognised by its BOM alone, not checked ahead
        fh.close()
        raise file_problem(
            name, f"the file is not valid {encoding} text ({exc.reason}); save it as CSV UTF-8 or XLSX"
        ) from exc
    lines = head.splitlines(keepends=True)[:20]
    delimiter = sniff_delimiter(lines)
    size = path.stat().st_size
    nlines = max(head.count("\n"), 1)
    estimate = int(size * nlines / max(len(head.encode(encoding, "replace")), 1)) if head else 0
    fh.seek(0)
    reader = csv.reader(fh, delimiter=delimiter)

    def numbered() -> Iterator[tuple[int, list]]:
        last = 0
        for row in reader:
            start = last + 1
            last = reader.line_num
            yield start, row

    return numbered(), fh.close, encoding, delimiter, None, estimate


def _open_xlsx(path: Path, name: str):
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken zip or sheet
        raise file_problem(
            name, f"the Excel file cannot be opened ({exc}); re-save it as .xlsx or CSV"
        ) from exc
    sheets = wb.worksheets
    if not sheets:
        wb.close()
        raise file_problem(name, "the workbook has no sheets")
    ws = sheets[0]
    # Prefer the first sheet with something in it.
    for candidate in sheets:
        if candidate.max_row and candidate.max_row > 1:
            ws = candidate
            break

    def numbered() -> Iterator[tuple[int, list]]:
        for line, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            if not row or all(v is None or v == "" for v in row):
                yield line, []
            else:
                yield line, [_xl_value(v) for v in row]

    return numbered(), wb.close, None, None, ws.title, (ws.max_row or 0)


def open_table(
    path: str | Path, aliases: dict[str, str], mapping: dict[str, str] | None, *, whole=True
) -> Table:
    """Open ``path`` and find its header row: the early row where most headers are recognised."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise file_problem(name, f"file not found: {path}")
    with open(path, "rb") as fh:
        head = fh.read(8192)
    magic = head[:8]
    if not magic:
        raise file_problem(name, "the file is empty")
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_problem(name, "this is an old .xls workbook; open it in Excel and save as .xlsx or CSV")
    if magic.startswith(b"PK\x03\x04"):
        rows, close, encoding, delimiter, sheet, estimate = _open_xlsx(path, name)
        fmt = "xlsx"
    else:
        if b"\x00" in head and not magic.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise file_problem(name, "this is not a CSV or XLSX file; export the data as CSV or XLSX")
        rows, close, encoding, delimiter, sheet, estimate = _open_csv(path, name, whole)
        fmt = "csv"
    try:
        scanned: list[tuple[int, list]] = []
        for item in rows:
            if item[1] and any(str(c).strip() for c in item[1]):
                scanned.append(item)
            if len(scanned) >= HEADER_SCAN_ROWS:
                break
        if not scanned:
            raise file_problem(name, "the file has no rows")
        wanted = {normalise_header(h) for h in (mapping or {})}
        best_i, best_score = 0, 0
        for i, (_, row) in enumerate(scanned):
            score = sum(1 for c in row if (h := normalise_header(c)) and (h in aliases or h in wanted))
            if score > best_score:
                best_i, best_score = i, score
        header_line, header_row = scanned[best_i]
        headers = [
            str(c).strip() if not isinstance(c, (datetime, date, time)) else str(c) for c in header_row
        ]
        sample = [item for item in scanned[best_i + 1 :]]
        for item in rows:
            sample.append(item)
            if len(sample) >= SAMPLE_ROWS:
                break
    except UnicodeDecodeError as exc:
        close()
        raise file_problem(name, f"the file is not valid {encoding} text ({exc})") from exc
    except csv.Error as exc:
        close()
        raise file_problem(name, f"the CSV is broken near the top ({exc}); re-export the file") from exc
    except ImportFailed:
        close()
        raise
    return Table(
        path, name, fmt, encoding, delimiter, sheet, header_line, headers, sample, estimate, rows, close
    )


# --------------------------------------------------------------------------- column mapping


@dataclass
class ColumnMap:
    """field -> column index, and the header text of each mapped field (for messages).

    ``matches`` says how each mapped column was recognised; ``unused`` lists the columns that
    looked like a field but were not used, so a dry run can say how to use them instead.
    """

    index: dict[str, int]
    header: dict[str, str]
    matches: dict[str, HeaderMatch] = field(default_factory=dict)
    unused: list[UnusedColumn] = field(default_factory=list)

    def get(self, name: str) -> int | None:
        return self.index.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.index

    def rename(self, old: str, new: str) -> None:
        self.index[new] = self.index.pop(old)
        self.header[new] = self.header.pop(old)
        if old in self.matches:
            self.matches[new] = replace(self.matches.pop(old), field=new)

    def drop(self, name: str, reason: str = "", instead: str = "") -> None:
        """Stop using ``name``'s column; with a ``reason`` it is reported as unused."""
        self.index.pop(name, None)
        self.header.pop(name, None)
        match = self.matches.pop(name, None)
        if match is not None and reason:
            self.unused.append(UnusedColumn(match, reason, instead))

    def use(self, match: HeaderMatch) -> None:
        """Use ``match``'s column for its field (a runner-up taking over a dropped column's place)."""
        self.unused = [u for u in self.unused if u.match.column != match.column]
        self.index[match.field] = match.column
        self.header[match.field] = match.header or f"column {match.column + 1}"
        self.matches[match.field] = match

    def runner_up(self, name: str) -> HeaderMatch | None:
        """The best unused column that also looked like ``name``, if any."""
        weaker = [u.match for u in self.unused if u.match.field == name and u.reason == WEAKER]
        return min(weaker, key=_preference) if weaker else None

    def by_header(self) -> dict[str, str]:
        return {self.header[f]: f for f in sorted(self.index, key=self.index.get)}

    def described(self) -> list[HeaderMatch]:
        """The mapped columns in file order."""
        return sorted(self.matches.values(), key=lambda m: m.column)


def _preference(match: HeaderMatch) -> tuple:
    return (-match.confidence, match.rank, match.column)


def map_columns(table: Table, specs: list[FieldSpec], mapping: dict[str, str] | None) -> ColumnMap:
    """Recognise fields from the headers by meaning (see ``headers``); ``mapping`` ({"Header":
    "field"}) overrides recognition. Of several columns that look like one field the most confident
    wins (the others are ``unused``); two with the field's same known name are a problem that names
    both, of two equal guesses the leftmost wins."""
    aliases = alias_index(specs)
    valid = {s.name for s in specs}
    problems: list[Problem] = []
    cols = ColumnMap({}, {})
    forced: dict[int, str] = {}
    norm_headers = [normalise_header(h) for h in table.headers]
    for given, fieldname in (mapping or {}).items():
        fieldname = fieldname.strip()
        if fieldname not in valid and fieldname != IGNORE:
            problems.append(
                Problem(
                    table.name,
                    table.header_line,
                    given,
                    f"--map names field {fieldname!r}, which is not a field here; "
                    f"fields are: {describe_fields(specs)}, or {IGNORE!r}",
                )
            )
            continue
        matches = [i for i, h in enumerate(table.headers) if h == given]
        if not matches:
            matches = [i for i, h in enumerate(norm_headers) if h and h == normalise_header(given)]
        if not matches:
            shown = ", ".join(repr(h) for h in table.headers)
            problems.append(
                Problem(
                    table.name,
                    table.header_line,
                    given,
                    f"--map names column {given!r}, but the file's columns are: {shown}",
                )
            )
            continue
        forced[matches[0]] = fieldname
    if problems:
        raise ImportFailed(problems)
    for i, fieldname in forced.items():
        if fieldname != IGNORE:
            cols.use(HeaderMatch(i, table.headers[i], fieldname, 1.0, FORCED))
    matcher = HeaderMatcher(aliases, alias_ranks(specs), valid)
    candidates: dict[str, list[HeaderMatch]] = {}
    for i, h in enumerate(table.headers):
        if i not in forced and (match := matcher.match(i, h)) is not None:
            candidates.setdefault(match.field, []).append(match)
    for fieldname, found in candidates.items():
        found.sort(key=_preference)
        best = found[0]
        if fieldname in cols:
            chosen = cols.header[fieldname]
            cols.unused.extend(UnusedColumn(m, WEAKER, chosen) for m in found)
            continue
        tie = next((m for m in found[1:] if _preference(m)[:2] == _preference(best)[:2]), None)
        if tie is not None and best.how == ALIAS:  # of equal guesses the leftmost wins, shown as such
            problems.append(
                Problem(
                    table.name,
                    table.header_line,
                    tie.header,
                    f"columns {best.header!r} and {tie.header!r} both look like the {fieldname}; "
                    f"say which to use, e.g. --map {tie.header!r}={IGNORE}",
                )
            )
            continue
        cols.use(best)
        cols.unused.extend(UnusedColumn(m, WEAKER, best.header) for m in found[1:])
    if problems:
        raise ImportFailed(problems)
    return cols


def columns_found(table: Table) -> str:
    return ", ".join(repr(h) for h in table.headers if h) or "(none)"


def unusable(table: Table, specs: list[FieldSpec], what: str, example: str) -> ImportFailed:
    """The one problem of a file the importer cannot use: what is missing, what was found, how to map."""
    return ImportFailed(
        [
            Problem(
                table.name,
                table.header_line,
                "header",
                f"{what}. Columns found: {columns_found(table)}. "
                f'Name the column with --map "HEADER={example}". Fields: {describe_fields(specs)}',
            )
        ]
    )


def field_specs(group: str) -> dict[str, FieldSpec]:
    """The fields of ``group`` in ``fields.toml`` (header names and help), by name, in file order."""
    return {
        name: FieldSpec(name, tuple(spec["aliases"]), spec["help"])
        for name, spec in FIELD_DATA[group].items()
    }


FIELD_DATA: dict[str, dict] = tomllib.loads(
    files(__package__).joinpath("fields.toml").read_text(encoding="utf-8")
)
"""The header names every importer recognises, kept as data beside the code (fields.toml)."""

STORE_FIELDS = list(field_specs("store").values())
