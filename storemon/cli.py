"""The ``storemon`` command: gui (default), demo, import, report and db subcommands.

Errors a user can cause (a bad file, a wrong setting, an unreachable server) end in one
clear message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from storemon import __version__
from storemon.config import app_paths
from storemon.errors import StoremonError
from storemon.logs import setup_logging
from storemon.output import render, render_one
from storemon.services.access import SYSTEM, Actor, actor_for
from storemon.services.database import Database, open_database

log = logging.getLogger("storemon")
EXIT_USER_ERROR = 2


class UserError(StoremonError):
    """A wrong use of the command line itself."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from exc


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in pairs or []:
        header, sep, field = pair.partition("=")
        if not sep or not header or not field:
            raise UserError(f'--map {pair!r}: write it as HEADER=FIELD, e.g. --map "小票号=order_id"')
        mapping[header] = field
    return mapping


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storemon", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"storemon {__version__}")
    parser.add_argument(
        "--db", metavar="URL", help="database URL (sqlite:///PATH or postgresql://USER@HOST/DB)"
    )
    parser.add_argument(
        "--as", dest="username", metavar="USER", help="act as this user (default: the local administrator)"
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log to stderr (-vv for debug)")
    sub = parser.add_subparsers(dest="command")

    gui = sub.add_parser("gui", help="open the main window (the default)")
    gui.add_argument(
        "--no-demo", action="store_true", help="do not fill an empty database with the demo chain"
    )
    gui.add_argument("--smoke", action="store_true", help="open the main window once and quit (install check)")
    gui.set_defaults(handler=cmd_gui)

    demo = sub.add_parser("demo", help="fill an empty database with a realistic demo chain")
    demo.add_argument("--stores", type=int, default=30)
    demo.add_argument("--weeks", type=int, default=8)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--anchor", type=_date, help="the demo's 'today' (default: today)")
    demo.set_defaults(handler=cmd_demo)

    imp = sub.add_parser("import", help="import POS sales, rosters or staff from CSV or XLSX")
    imp.add_argument("kind", choices=["sales", "roster", "staff"])
    imp.add_argument("file", type=Path)
    imp.add_argument("--store", help="store code for every row (files without a store column)")
    imp.add_argument("--map", action="append", metavar="HEADER=FIELD", help="map a column header to a field")
    imp.add_argument("--create-stores", action="store_true", help="create stores seen for the first time")
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
    imp.set_defaults(handler=cmd_import)

    report = sub.add_parser("report", help="print a report as JSON or CSV")
    report_sub = report.add_subparsers(dest="report", required=True)
    stores = report_sub.add_parser("stores", help="stores with tier, revenue, policy coverage and solo hours")
    stores.add_argument("--region", type=int)
    stores.add_argument("--format", choices=["json", "csv"], default="json")
    stores.set_defaults(handler=cmd_report_stores)
    sales = report_sub.add_parser("sales", help="a store's 15-minute sales buckets on one day")
    sales.add_argument("--store", required=True)
    sales.add_argument("--date", type=_date, required=True)
    sales.add_argument("--format", choices=["json", "csv"], default="json")
    sales.set_defaults(handler=cmd_report_sales)

    staffing = report_sub.add_parser(
        "staffing", help="a store-day per 15-minute interval: demand, staff, utilisation, waits, pressure"
    )
    staffing.add_argument("--store", required=True)
    staffing.add_argument("--date", type=_date, required=True)
    staffing.add_argument("--format", choices=["json", "csv"], default="json")
    staffing.set_defaults(handler=cmd_report_staffing)

    pressure = report_sub.add_parser(
        "pressure", help="every shift's pressure index in a region over a period"
    )
    pressure.add_argument("--region", type=int, help="region id (default: every region you may see)")
    pressure.add_argument("--from", dest="start", type=_date, required=True)
    pressure.add_argument("--to", dest="end", type=_date, required=True)
    pressure.add_argument("--format", choices=["json", "csv"], default="json")
    pressure.set_defaults(handler=cmd_report_pressure)

    whatif = sub.add_parser("whatif", help="try a change before making it")
    whatif_sub = whatif.add_subparsers(dest="whatif", required=True)
    tiers = whatif_sub.add_parser("tiers", help="apply a candidate tier policy (JSON file) to every store")
    tiers.add_argument("policy_file", type=Path)
    tiers.add_argument("--format", choices=["json", "csv"], default="json")
    tiers.set_defaults(handler=cmd_whatif_tiers)

    recommend = sub.add_parser("recommend", help="the smallest roster additions that fix a store-day")
    recommend.add_argument("--store", required=True)
    recommend.add_argument("--date", type=_date, required=True)
    recommend.set_defaults(handler=cmd_recommend)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="upgrade the schema to the newest version").set_defaults(
        handler=cmd_db_upgrade
    )
    return parser


def _actor(database: Database, username: str | None) -> Actor:
    if not username:
        return SYSTEM
    with database.sessions() as session:
        return actor_for(session, username)


def cmd_gui(args, database: Database) -> int:
    if database.is_empty() and not args.no_demo:
        print("The database is empty: filling it with the demo chain...", file=sys.stderr)
        _fill_demo(database, stores=30, weeks=8, seed=7, anchor=None)
    from ui.app import run_gui

    return run_gui(database, args.username, smoke=args.smoke)


def _fill_demo(database: Database, **options) -> None:
    from storemon.services.demo import build_demo

    started = time.perf_counter()
    with database.sessions() as session:
        summary = build_demo(session, **options)
        session.commit()
    print(
        f"Demo chain: {summary.stores} stores in {summary.regions} regions, {summary.staff} staff, "
        f"{summary.users} users, {summary.shifts} shifts, {summary.sales_buckets} sales buckets "
        f"({summary.first_day} to {summary.last_sales_day}), {summary.incidents} incidents, "
        f"{summary.check_ins} check-ins; {time.perf_counter() - started:.1f} s.",
        file=sys.stderr,
    )


def cmd_demo(args, database: Database) -> int:
    if not database.is_empty():
        raise UserError(
            f"{database.description} already holds stores; the demo only fills an empty database. "
            "Use --db sqlite:///NEW_FILE to try it separately."
        )
    _fill_demo(database, stores=args.stores, weeks=args.weeks, seed=args.seed, anchor=args.anchor)
    return 0


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


def cmd_import(args, database: Database) -> int:
    from storemon import importers

    if not args.file.exists():
        raise UserError(f"{args.file}: no such file")
    actor = _actor(database, args.username)
    run: Callable = {
        "sales": importers.import_sales,
        "roster": importers.import_roster,
        "staff": importers.import_staff,
    }[args.kind]
    progress = _Progress()
    options = {
        "mapping": _mapping(args.map),
        "skip_bad": args.skip_bad,
        "rejects_path": args.rejects,
        "progress": progress,
        "actor": actor.username,
        "create_stores": args.create_stores,
    }
    if args.kind in ("sales", "roster"):
        options |= {"store_code": args.store, "day_first": args.day_first}
    if args.kind == "roster":
        options["create_staff"] = args.create_staff
    try:
        result = run(database.sessions, args.file, **options)
    finally:
        progress.close()
    if result.already_imported:
        print(f"{args.file}: already imported; nothing changed.")
        return 0
    print(f"{args.file}: imported {result.rows_imported:,} of {result.rows_read:,} rows", end="")
    if args.kind == "sales":
        print(f"; {result.orders_added:,} new orders, {result.skipped_duplicates:,} already known", end="")
    if args.kind == "staff":
        print(f"; {result.created:,} new, {result.updated:,} updated", end="")
    if result.stores_created:
        print(f"; created stores {', '.join(result.stores_created)}", end="")
    print(".")
    if result.rejected:
        print(f"{result.rejected_count:,} rows rejected, listed in {result.rejects_file}", file=sys.stderr)
    return 0


def _emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_report_stores(args, database: Database) -> int:
    from storemon.services.stores import store_summaries

    with database.sessions() as session:
        rows = store_summaries(session, _actor(database, args.username), region_id=args.region)
    _emit(render(rows, args.format))
    return 0


def cmd_report_sales(args, database: Database) -> int:
    from storemon.services.stores import sales_for_day

    with database.sessions() as session:
        rows = sales_for_day(session, _actor(database, args.username), args.store, args.date)
    _emit(render(rows, args.format))
    return 0


def cmd_report_staffing(args, database: Database) -> int:
    from storemon.services.staffing import store_day

    with database.sessions() as session:
        day = store_day(session, _actor(database, args.username), args.store, args.date)
    if args.format == "json":
        _emit(render_one(day))
        return 0
    # CSV: the interval table, a blank line, then one row per person's shift.
    _emit(render(day.intervals, "csv"))
    people = [
        {
            "staff_code": p.staff_code,
            "name": p.name,
            "shift_start": p.shift_start,
            "shift_end": p.shift_end,
            "pressure_index": p.index,
            "level": p.level,
            "reasons": "; ".join(f"{r['explanation']} (+{r['points']})" for r in p.reasons),
        }
        for p in day.pressure
    ]
    _emit("\n" + render(people, "csv"))
    return 0


def cmd_report_pressure(args, database: Database) -> int:
    from storemon.services.pressure_report import region_pressure

    with database.sessions() as session:
        rows = region_pressure(session, _actor(database, args.username), args.region, args.start, args.end)
    _emit(render(rows, args.format))
    return 0


def cmd_whatif_tiers(args, database: Database) -> int:
    from staffing.policy import validate
    from storemon.services.policy_files import load_policy_file
    from storemon.services.whatif import tier_whatif, whatif_totals

    policy = load_policy_file(args.policy_file)
    for issue in validate(policy):
        print(f"{args.policy_file}: warning: {issue.message}", file=sys.stderr)
    with database.sessions() as session:
        rows = tier_whatif(session, _actor(database, args.username), policy)
    if args.format == "csv":
        _emit(render([_flat_whatif(r) for r in rows], "csv"))
    else:
        _emit(
            render_one(
                {
                    "policy": policy.name,
                    "issues": [i.message for i in validate(policy)],
                    "stores": rows,
                    "total": whatif_totals(rows),
                }
            )
        )
    return 0


def _flat_whatif(row) -> dict:
    flat = {k: v for k, v in row.__dict__.items() if k not in ("current", "candidate")}
    for side in ("current", "candidate"):
        flat |= {f"{side}_{k}": v for k, v in getattr(row, side).__dict__.items()}
    return flat


def cmd_recommend(args, database: Database) -> int:
    from storemon.services.whatif import recommend_for_day

    with database.sessions() as session:
        rec = recommend_for_day(session, _actor(database, args.username), args.store, args.date)
    _emit(
        render_one(
            {
                "store": args.store,
                "date": args.date,
                "additions": [
                    {"from": a.label.split("-")[0], "to": a.label.split("-")[1], "hours": a.hours}
                    for a in rec.additions
                ],
                "met": rec.met,
                "before": rec.before,
                "after": rec.after,
                "explanation": rec.explanation,
            }
        )
    )
    return 0


def cmd_db_upgrade(args, database: Database) -> int:
    print(database.upgrade_report.message())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "gui"])
    paths = app_paths()
    log_file = setup_logging(paths.log_dir, args.verbose)
    try:
        database = open_database(args.db, paths)
        try:
            if database.upgrade_report.changed and args.handler is not cmd_db_upgrade:
                print(database.upgrade_report.message(), file=sys.stderr)
            return args.handler(args, database)
        finally:
            database.close()
    except StoremonError as exc:
        print(f"storemon: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped early; that is not an error worth a message.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stdout must stay open until exit
        return 0
    except KeyboardInterrupt:
        print("storemon: interrupted", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error")
        print(f"storemon: unexpected error; details in {log_file}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
