"""``storemon import``: POS sales, rosters and staff from CSV or XLSX."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from storemon.cli.common import UserError, acting
from storemon.services.api import Services
from storemon.services.opening_hours import BadHours, zone_named

if TYPE_CHECKING:
    from storemon.importers import ImportResult
    from storemon.importers.headers import HeaderMatch


def add_parsers(sub) -> None:
    imp = sub.add_parser("import", help="import POS sales, rosters or staff from CSV or XLSX")
    imp.add_argument("kind", choices=["sales", "roster", "staff"])
    imp.add_argument("file", type=Path)
    imp.add_argument("--store", help="store code for every row (files without a store column)")
    imp.add_argument("--map", action="append", metavar="HEADER=FIELD", help="map a column header to a field")
    imp.add_argument("--create-stores", action="store_true", help="create stores seen for the first time")
    imp.add_argument(
        "--timezone",
        metavar="ZONE",
        help="time zone of the stores --create-stores creates, e.g. America/New_York (default: Asia/Shanghai); "
        "the file's times are read on that clock",
    )
    imp.add_argument("--skip-bad", action="store_true", help="import the good rows, write rejects to a file")
    imp.add_argument("--rejects", type=Path, help="where --skip-bad writes rejected rows")
    order = imp.add_mutually_exclusive_group()
    order.add_argument(
        "--day-first",
        dest="day_first",
        action="store_const",
        const=True,
        help="read dates like 02/03/2026 as 2 March",
    )
    order.add_argument(
        "--month-first",
        dest="day_first",
        action="store_const",
        const=False,
        help="read dates like 02/03/2026 as 3 February",
    )
    imp.add_argument(
        "--create-staff", action="store_true", help="roster: create staff seen for the first time"
    )
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="sales: read and check the whole file, show how its columns were read, write nothing",
    )
    imp.set_defaults(handler=cmd_import)


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in pairs or []:
        header, sep, field = pair.partition("=")
        if not sep or not header or not field:
            raise UserError(f'--map {pair!r}: write it as HEADER=FIELD, e.g. --map "小票号=order_id"')
        mapping[header] = field
    return mapping


class _Progress:
    """Rows done on one stderr line for large files; ends the line only if it printed one."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        share = f" ({100 * done / total:.0f} %)" if total else ""
        print(f"\r  {done:,} rows{share}", end="", file=sys.stderr, flush=True)
        self.shown = True

    def close(self) -> None:
        if self.shown:
            print(file=sys.stderr)


def cmd_import(args, services: Services) -> int:
    if not args.file.exists():
        raise UserError(f"{args.file}: no such file")
    if args.timezone and not args.create_stores:
        raise UserError("--timezone sets the zone of the stores an import creates; add --create-stores")
    if args.timezone:
        try:
            zone_named(args.timezone)
        except BadHours as exc:
            raise UserError(f"--timezone: {exc}") from None
    progress = _Progress()
    options = {
        "mapping": _mapping(args.map),
        "skip_bad": args.skip_bad,
        "rejects_path": args.rejects,
        "progress": progress,
        "create_stores": args.create_stores,
        "timezone": args.timezone,
    }
    if args.kind in ("sales", "roster"):
        options |= {"store_code": args.store, "day_first": args.day_first}
    if args.dry_run:
        if args.kind != "sales":
            raise UserError("--dry-run is for sales imports")
        options["dry_run"] = True
    if args.kind == "roster":
        options["create_staff"] = args.create_staff
    try:
        # The import wizard's door: who may import, and into which stores, is checked there.
        result = services.imports.import_file(acting(args), args.kind, args.file, **options)
    finally:
        progress.close()
    if result.already_imported:
        print(f"{args.file}: already imported; nothing changed.")
        return 0
    if result.dry_run:
        print(f"{args.file}: dry run, nothing written. Columns:")
        for match in result.columns:
            print(f"  {match.header!r} -> {match.field} ({_how(match)})")
    else:
        print(f"{args.file}: imported {result.rows_imported:,} of {result.rows_read:,} rows", end="")
        if args.kind == "sales":
            print(
                f"; {result.orders_added:,} new orders, {result.skipped_duplicates:,} already known", end=""
            )
        if args.kind == "staff":
            print(f"; {result.created:,} new, {result.updated:,} updated", end="")
        if result.stores_created:
            print(f"; created stores {', '.join(result.stores_created)}", end="")
        print(".")
    if args.kind == "sales":
        for line in sales_summary(result):
            print(f"  {line}")
    for code, hours in result.hours_inferred.items():
        print(f"{code}: opening hours from its sales: {hours.described}")
    if result.rejected and result.rejects_file:
        print(f"{result.rejected_count:,} rows rejected, listed in {result.rejects_file}", file=sys.stderr)
    elif result.rejected:
        print(f"{_count(result.rejected_count, 'row')} would be rejected:", file=sys.stderr)
        for problem in result.rejected[:20]:
            print(f"  {problem}", file=sys.stderr)
    return 0


SHOWN_STORES = 20


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _how(match: HeaderMatch) -> str:
    return match.why if match.confidence >= 1 else f"{match.confidence:.0%}: {match.why}"


def sales_summary(result: ImportResult) -> list[str]:
    """What a sales file held, where its revenue came from, and what was left out, line by line."""
    lines = []
    if result.dry_run and result.stores_created:
        lines.append(f"would create stores {', '.join(result.stores_created)}")
    revenue = f"{result.revenue:,}" if result.revenue is not None else "unknown"
    lines.append(
        f"{_count(result.rows_read, 'row')}: {_count(result.orders, 'order')} in "
        f"{_count(len(result.stores), 'store')} over {_count(result.days, 'day')}, revenue {revenue}"
    )
    shown = list(result.revenue_by_store.items())
    lines.extend(f"  {code}: revenue {money:,}" for code, money in shown[:SHOWN_STORES])
    if len(shown) > SHOWN_STORES:
        lines.append(f"  and {len(shown) - SHOWN_STORES} more stores")
    if result.money_rule is not None:
        lines.append(str(result.money_rule))
    dropped = []
    if result.duplicate_rows:
        at = ", ".join(str(n) for n in result.duplicate_lines)
        more = ", ..." if result.duplicate_rows > len(result.duplicate_lines) else ""
        dropped.append(
            f"{_count(result.duplicate_rows, 'exact duplicate row')} "
            f"(line{'s' if result.duplicate_rows > 1 else ''} {at}{more})"
        )
    if result.rejected_count:
        dropped.append(f"{_count(result.rejected_count, 'rejected row')}")
    lines.append(f"dropped: {'; '.join(dropped)}" if dropped else "dropped: nothing")
    if result.priceless_orders:
        lines.append(f"{_count(result.priceless_orders, 'order')} without a price: revenue unknown")
    lines.extend(unused.hint for unused in result.unused_columns)
    return lines
