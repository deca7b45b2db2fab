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
from collections.abc import Sequence
from datetime import UTC, date, datetime
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
    gui.add_argument(
        "--smoke", action="store_true", help="open the main window once and quit (install check)"
    )
    gui.set_defaults(handler=cmd_gui)

    kiosk = sub.add_parser("kiosk", help="the counter screen for staff: relief, incidents, check-in, support")
    kiosk.add_argument("--store", required=True, help="store id or code")
    kiosk.add_argument("--smoke", action="store_true", help="open the kiosk once and quit (install check)")
    kiosk.set_defaults(handler=cmd_kiosk)

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

    weekly = report_sub.add_parser(
        "weekly", help="one store's ISO week: days, people and key numbers as a PDF, XLSX or CSV file"
    )
    weekly.add_argument("--store", required=True, help="store id or code")
    weekly.add_argument("--week", required=True, help="ISO week, e.g. 2026-W10 (Monday to Sunday)")
    weekly.add_argument(
        "--format", choices=["pdf", "xlsx", "csv"], help="default: from the --output suffix, else pdf"
    )
    weekly.add_argument("--output", type=Path, required=True, metavar="PATH")
    weekly.add_argument("--language", choices=["en", "zh_CN"], default="en", help="labels (default: en)")
    weekly.set_defaults(handler=cmd_report_weekly)

    regional = report_sub.add_parser("regional", help="a region's stores side by side over one ISO week")
    regional.add_argument("--region", type=int, help="region id (default: every store you may see)")
    regional.add_argument("--week", required=True, help="ISO week, e.g. 2026-W10")
    regional.add_argument("--format", choices=["xlsx", "csv"], help="default: from the --output suffix")
    regional.add_argument("--output", type=Path, required=True, metavar="PATH")
    regional.add_argument("--language", choices=["en", "zh_CN"], default="en")
    regional.set_defaults(handler=cmd_report_regional)

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

    _alert_commands(sub)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="upgrade the schema to the newest version").set_defaults(
        handler=cmd_db_upgrade
    )
    backup = db_sub.add_parser("backup", help="copy the SQLite database to PATH (online, consistent)")
    backup.add_argument("path", type=Path)
    backup.set_defaults(handler=cmd_db_backup)
    restore = db_sub.add_parser("restore", help="replace the SQLite database with the backup at PATH")
    restore.add_argument("path", type=Path)
    restore.set_defaults(handler=cmd_db_restore)

    user = sub.add_parser("user", help="user accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    passwd = user_sub.add_parser("passwd", help="set a user's password (asks for it twice)")
    passwd.add_argument("name")
    passwd.set_defaults(handler=cmd_user_passwd)

    secret = sub.add_parser("secret", help="passwords and tokens of notification channels, on this computer")
    secret_sub = secret.add_subparsers(dest="secret_command", required=True)
    secret_set = secret_sub.add_parser("set", help="store a secret, e.g. channel.mail.password (asks for it)")
    secret_set.add_argument("name")
    secret_set.set_defaults(handler=cmd_secret_set)

    audit = sub.add_parser("audit", help="the tamper-evident audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="check the hash chain of every entry").set_defaults(
        handler=cmd_audit_verify
    )
    return parser


def _when(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time; use e.g. 2026-03-09T06:00+08:00") from exc
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone; add one, e.g. +08:00")
    return value


def _alert_commands(sub) -> None:
    alert = sub.add_parser("alert", help="list, show and act on alerts")
    alert_sub = alert.add_subparsers(dest="alert_command", required=True)
    listing = alert_sub.add_parser("list", help="alerts in your scope, newest first")
    listing.add_argument(
        "--status", default="active", choices=["active", "open", "acknowledged", "snoozed", "resolved", "all"]
    )
    listing.add_argument("--store", type=int)
    listing.add_argument("--rule")
    listing.add_argument("--format", choices=["json", "csv", "text"], default="text")
    listing.set_defaults(handler=cmd_alert_list)
    show = alert_sub.add_parser("show", help="one alert with its timeline")
    show.add_argument("alert_id", type=int)
    show.set_defaults(handler=cmd_alert_show)
    for name, helptext in (("ack", "acknowledge: you are on it"), ("resolve", "it is handled")):
        cmd = alert_sub.add_parser(name, help=helptext)
        cmd.add_argument("alert_id", type=int)
        cmd.add_argument("--note", default="")
        cmd.set_defaults(handler=cmd_alert_event, event=name)
    comment = alert_sub.add_parser("comment", help="add a note to the timeline")
    comment.add_argument("alert_id", type=int)
    comment.add_argument("text")
    comment.set_defaults(handler=cmd_alert_event, event="comment")

    call = sub.add_parser("call", help="one-click calls: backup (应急补位) or a manager")
    call_sub = call.add_subparsers(dest="call_command", required=True)
    for name in ("backup", "manager"):
        cmd = call_sub.add_parser(name, help=f"call {name} to a store now")
        cmd.add_argument("--store", required=True)
        cmd.add_argument("--note", default="")
        cmd.set_defaults(handler=cmd_call, call=name)
    cover = sub.add_parser("cover", help="accept a backup call offered to you")
    cover.add_argument("alert_id", type=int)
    cover.set_defaults(handler=cmd_cover)

    relief = sub.add_parser("relief", help="ask to be relieved at the counter")
    relief.add_argument("--store", required=True)
    relief.add_argument("--reason", required=True)
    relief.add_argument("--urgency", choices=["low", "normal", "high"], default="normal")
    relief.set_defaults(handler=cmd_relief)

    commitment = sub.add_parser("commitment", help="promises to customers (call back at 15:00)")
    commitment_sub = commitment.add_subparsers(dest="commitment_command", required=True)
    add = commitment_sub.add_parser("add")
    add.add_argument("--store", required=True)
    add.add_argument("--due", type=_when, required=True, help="e.g. 2026-03-09T15:00+08:00")
    add.add_argument("--text", required=True)
    add.add_argument("--grace", type=int, default=10, help="minutes after the deadline before it escalates")
    add.set_defaults(handler=cmd_commitment_add)
    done = commitment_sub.add_parser("done")
    done.add_argument("commitment_id", type=int)
    done.set_defaults(handler=cmd_commitment_done)

    rules = sub.add_parser("rules", help="evaluate the alert rules once")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    run = rules_sub.add_parser("run")
    run.add_argument("--at", type=_when, help="evaluate as if it were this time (default: now)")
    run.set_defaults(handler=cmd_rules_run)

    worker = sub.add_parser("worker", help="run rules, escalations and deliveries until stopped")
    worker.set_defaults(handler=cmd_worker)

    notify = sub.add_parser("notify", help="notification channels")
    notify_sub = notify.add_subparsers(dest="notify_command", required=True)
    test = notify_sub.add_parser("test", help="send a test message through a configured channel")
    test.add_argument("channel")
    test.add_argument("--to", help="recipient for e-mail (default: the sender address)")
    test.set_defaults(handler=cmd_notify_test)


def _now() -> datetime:
    return datetime.now(UTC)


def cmd_alert_list(args, database: Database) -> int:
    from storemon.services.alert_service import list_alerts

    status = None if args.status == "all" else args.status
    with database.sessions() as session:
        rows = list_alerts(
            session, _actor(database, args.username), status=status, store_id=args.store, rule=args.rule
        )
    if args.format != "text":
        _emit(render(rows, args.format))
        return 0
    if not rows:
        print("No alerts.")
    for row in rows:
        print(
            f"#{row.id:<5} {row.status:<12} L{row.level} {row.level_name:<24} {row.severity:<8} "
            f"{row.store_code:<7} {row.title}"
        )
        for reason in row.details.get("reasons", [])[:3]:
            print(f"        - {reason}")
    return 0


def cmd_alert_show(args, database: Database) -> int:
    from storemon.services.alert_service import alert_detail

    with database.sessions() as session:
        alert, timeline = alert_detail(session, _actor(database, args.username), args.alert_id)
    _emit(render_one({"alert": alert, "timeline": timeline}))
    return 0


def cmd_alert_event(args, database: Database) -> int:
    from alerts.escalation import Acknowledge, Comment, Resolve
    from storemon.services.alert_service import act

    actor = _actor(database, args.username)
    event = {
        "ack": lambda: Acknowledge(by=actor.username),
        "resolve": lambda: Resolve(by=actor.username, note=args.note),
        "comment": lambda: Comment(by=actor.username, text=args.text),
    }[args.event]()
    with database.sessions.begin() as session:
        alert = act(session, actor, args.alert_id, event, _now())
        status = alert.status
    print(f"alert {args.alert_id}: {status}")
    return 0


def cmd_call(args, database: Database) -> int:
    from storemon.services.actions import call_backup, call_manager

    actor = _actor(database, args.username)
    run = call_backup if args.call == "backup" else call_manager
    with database.sessions.begin() as session:
        alert_id = run(session, actor, args.store, _now(), args.note)
    print(f"{args.call} called: alert {alert_id}")
    return 0


def cmd_cover(args, database: Database) -> int:
    from storemon.services.actions import accept_cover

    with database.sessions.begin() as session:
        accept_cover(session, _actor(database, args.username), args.alert_id, _now())
    print(f"alert {args.alert_id}: you are covering; thank you")
    return 0


def cmd_relief(args, database: Database) -> int:
    from storemon.services.actions import relief_request

    with database.sessions.begin() as session:
        alert_id = relief_request(
            session, _actor(database, args.username), args.store, args.reason, _now(), args.urgency
        )
    print(f"relief requested: alert {alert_id}")
    return 0


def cmd_commitment_add(args, database: Database) -> int:
    from storemon.services.actions import add_commitment

    with database.sessions.begin() as session:
        cid = add_commitment(
            session,
            _actor(database, args.username),
            args.store,
            args.text,
            args.due.astimezone(UTC),
            _now(),
            grace_minutes=args.grace,
        )
    print(f"commitment {cid} due {args.due.isoformat()}")
    return 0


def cmd_commitment_done(args, database: Database) -> int:
    from storemon.services.actions import commitment_done

    with database.sessions.begin() as session:
        commitment_done(session, _actor(database, args.username), args.commitment_id, _now())
    print(f"commitment {args.commitment_id}: done")
    return 0


def cmd_rules_run(args, database: Database) -> int:
    from storemon.services.rules import evaluate

    at = (args.at or _now()).astimezone(UTC)
    with database.sessions.begin() as session:
        run = evaluate(session, at)
    raised = ", ".join(f"{rule} {n}" for rule, n in sorted(run.raised.items())) or "none"
    print(
        f"rules at {at.isoformat()}: {run.stores} stores; raised or updated: {raised}; resolved {run.resolved}"
    )
    return 0


def cmd_worker(args, database: Database) -> int:
    import signal
    import threading

    from storemon.worker import run_worker

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"storemon worker on {database.description}; Ctrl+C to stop", file=sys.stderr)
    run_worker(database, stop)
    return 0


def cmd_notify_test(args, database: Database) -> int:
    from alerts.notifiers import DeliveryError, SettingsError
    from storemon.services.alert_service import channel_subscriptions
    from storemon.services.secrets import SecretError, notifier_for

    with database.sessions() as session:
        channels = {c["name"]: c for c in channel_subscriptions(session)}
    if args.channel not in channels:
        known = ", ".join(sorted(channels)) or "none configured"
        raise UserError(f"no channel named {args.channel!r}; channels: {known}")
    channel = channels[args.channel]
    try:
        notifier = notifier_for(channel)
        if channel["type"] == "email":
            notifier.send_test(args.to)
        else:
            notifier.send_test()
    except (DeliveryError, SettingsError, SecretError) as exc:
        raise UserError(f"test message on {args.channel!r} failed: {exc}") from exc
    print(f"test message sent on {args.channel!r}")
    return 0


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


def cmd_kiosk(args, database: Database) -> int:
    from ui.kiosk import run_kiosk

    return run_kiosk(database, args.store, smoke=args.smoke)


def _fill_demo(database: Database, **options) -> None:
    from storemon.services.auth import DEMO_PASSWORD, demo_passwords
    from storemon.services.demo import DEMO_PIN, build_demo

    started = time.perf_counter()
    with database.sessions() as session:
        summary = build_demo(session, **options)
        demo_passwords(session)  # one hash for every demo user
        session.commit()
    print(
        f"Demo chain: {summary.stores} stores in {summary.regions} regions, {summary.staff} staff, "
        f"{summary.users} users, {summary.shifts} shifts, {summary.sales_buckets} sales buckets "
        f"({summary.first_day} to {summary.last_sales_day}), {summary.incidents} incidents, "
        f"{summary.check_ins} check-ins; {time.perf_counter() - started:.1f} s. "
        f"Demo users sign in at the kiosk with PIN {DEMO_PIN}, and in Storemon with the password "
        f"{DEMO_PASSWORD!r} (admin, exec, director, sup-east, mgr-sh001, staff-sh001, ...).",
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
    from storemon.services.api import Services

    if not args.file.exists():
        raise UserError(f"{args.file}: no such file")
    actor = _actor(database, args.username)
    progress = _Progress()
    options = {
        "mapping": _mapping(args.map),
        "skip_bad": args.skip_bad,
        "rejects_path": args.rejects,
        "progress": progress,
        "create_stores": args.create_stores,
    }
    if args.kind in ("sales", "roster"):
        options |= {"store_code": args.store, "day_first": args.day_first}
    if args.kind == "roster":
        options["create_staff"] = args.create_staff
    try:
        # The import wizard's door: who may import, and into which stores, is checked there.
        result = Services(database).import_file(actor, args.kind, args.file, **options)
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
    from storemon.services.store_days import store_day

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


def _report_format(args, choices: tuple[str, ...]) -> str:
    return args.format or next((f for f in choices if args.output.suffix.lower() == f".{f}"), choices[0])


def cmd_report_weekly(args, database: Database) -> int:
    from storemon.services.reports import weekly_store_report, write_report

    fmt = _report_format(args, ("pdf", "xlsx", "csv"))
    with database.sessions() as session:
        report = weekly_store_report(session, _actor(database, args.username), args.store, args.week)
    if fmt == "pdf":
        from ui.report_render import write_pdf  # Qt paints the PDF; the services stay free of Qt

        pages = write_pdf(report, args.output, args.language)
        print(f"{args.output}: {report.store_code} {report.iso_week}, {pages} pages")
    else:
        write_report(report, args.output, fmt, args.language)
        print(f"{args.output}: {report.store_code} {report.iso_week}")
    return 0


def cmd_report_regional(args, database: Database) -> int:
    from storemon.services.reports import regional_comparison, write_report

    fmt = _report_format(args, ("xlsx", "csv"))
    with database.sessions() as session:
        report = regional_comparison(session, _actor(database, args.username), args.region, args.week)
    write_report(report, args.output, fmt, args.language)
    print(f"{args.output}: {len(report.stores)} stores, {report.iso_week}")
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


def cmd_db_backup(args, database: Database) -> int:
    from storemon.services.backup import backup_database

    target = backup_database(database, args.path)
    print(f"backup written to {target}")
    return 0


def cmd_db_restore(args, database: Database) -> int:
    from storemon.services.backup import restore_database

    report = restore_database(database, args.path)
    print(report)
    return 0


def cmd_user_passwd(args, database: Database) -> int:
    from getpass import getpass

    from storemon.db.models import Role
    from storemon.services.access import require_role
    from storemon.services.auth import set_password

    actor = _actor(database, args.username)
    if actor.username != args.name:
        require_role(actor, Role.ADMIN, "set other people's passwords")
    password = getpass(f"New password for {args.name}: ")
    if getpass("The same again: ") != password:
        raise UserError("the two passwords differ; nothing was changed")
    with database.sessions.begin() as session:
        set_password(session, args.name, password, _now(), by=actor.username)
    print(f"password of {args.name} set")
    return 0


def cmd_secret_set(args, database: Database) -> int:
    from getpass import getpass

    from storemon.services.secrets import default_store

    value = getpass(f"Value of {args.name} (not shown): ")
    if not value:
        raise UserError("nothing entered; nothing was stored")
    store = default_store()
    store.set(args.name, value)
    warning = store.storage_warning()
    if warning:
        print(f"storemon: warning: {warning}", file=sys.stderr)
    print(f"secret {args.name} stored ({store.kind})")
    return 0


def cmd_audit_verify(args, database: Database) -> int:
    from storemon.services.audit import verify

    with database.sessions() as session:
        count, problems = verify(session)
    for problem in problems:
        print(f"audit entry {problem.entry_id}: {problem.problem}")
    if problems:
        print(f"audit log TAMPERED: {len(problems)} problem(s) in {count} entries", file=sys.stderr)
        return 1
    print(f"audit log intact: {count} entries verified")
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
