"""Commands that open a window or fill the database: gui, kiosk, demo."""

from __future__ import annotations

import sys
import time

from storemon.cli.common import UserError, date_arg
from storemon.services.api import Services


def add_parsers(sub) -> None:
    gui = sub.add_parser("gui", help="open the main window (the default)")
    gui.add_argument(
        "--no-demo", action="store_true", help="do not fill an empty database with the demo chain"
    )
    gui.add_argument(
        "--smoke", action="store_true", help="open the main window once and quit (install check)"
    )
    gui.set_defaults(handler=cmd_gui)

    kiosk = sub.add_parser("kiosk", help="the counter screen for staff: relief, incidents, check-in, support")
    kiosk.add_argument("--store", required=True, help="store code (a database id is written id:5)")
    kiosk.add_argument("--smoke", action="store_true", help="open the kiosk once and quit (install check)")
    kiosk.set_defaults(handler=cmd_kiosk)

    demo = sub.add_parser("demo", help="fill an empty database with a realistic demo chain")
    demo.add_argument("--stores", type=int, default=30)
    demo.add_argument("--weeks", type=int, default=8)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--anchor", type=date_arg, help="the demo's 'today' (default: today)")
    demo.set_defaults(handler=cmd_demo)


def cmd_gui(args, services: Services) -> int:
    if services.db.is_empty() and not args.no_demo:
        print("The database is empty: filling it with the demo chain...", file=sys.stderr)
        _fill_demo(services, stores=30, weeks=8, seed=7, anchor=None)
    from ui.app import run_gui

    return run_gui(services.database, args.username, smoke=args.smoke)


def cmd_kiosk(args, services: Services) -> int:
    from ui.kiosk import run_kiosk

    return run_kiosk(services.database, args.store, smoke=args.smoke)


def _fill_demo(services: Services, **options) -> None:
    from storemon.services.auth import DEMO_PASSWORD
    from storemon.services.demo import DEMO_PIN

    started = time.perf_counter()
    summary = services.demo.fill(**options)
    print(
        f"Demo chain: {summary.stores} stores in {summary.regions} regions, {summary.staff} staff, "
        f"{summary.users} users, {summary.shifts} shifts, {summary.sales_buckets} sales buckets "
        f"({summary.first_day} to {summary.last_sales_day}), {summary.incidents} incidents, "
        f"{summary.check_ins} check-ins; {time.perf_counter() - started:.1f} s. "
        f"Demo users sign in at the kiosk with PIN {DEMO_PIN}, and in Storemon with the password "
        f"{DEMO_PASSWORD!r} (admin, exec, director, sup-east, mgr-sh001, staff-sh001, ...).",
        file=sys.stderr,
    )


def cmd_demo(args, services: Services) -> int:
    if not services.db.is_empty():
        raise UserError(
            f"{services.description} already holds stores; the demo only fills an empty database. "
            "Use --db sqlite:///NEW_FILE to try it separately."
        )
    _fill_demo(services, stores=args.stores, weeks=args.weeks, seed=args.seed, anchor=args.anchor)
    return 0
