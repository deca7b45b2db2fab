"""Alerts and calls for help: alert (with phone links), call, cover, relief, commitment, rules, worker, notify."""

from __future__ import annotations

import sys
from datetime import UTC, timedelta

from storemon.cli.common import UserError, acting, emit, now, when_arg
from storemon.output import render, render_one
from storemon.services.alert_text import alert_row
from storemon.services.api import Services


def add_parsers(sub) -> None:
    alert = sub.add_parser("alert", help="list, show and act on alerts")
    alert_sub = alert.add_subparsers(dest="alert_command", required=True)
    listing = alert_sub.add_parser("list", help="alerts in your scope, newest first")
    listing.add_argument(
        "--status", default="active", choices=["active", "open", "acknowledged", "snoozed", "resolved", "all"]
    )
    listing.add_argument("--store", help="only this store (its code; a database id is written id:5)")
    listing.add_argument("--rule")
    listing.add_argument("--format", choices=["json", "csv", "text"], default="text")
    listing.add_argument("--language", choices=["en", "zh_CN"], default="en", help="titles (default: en)")
    listing.set_defaults(handler=cmd_alert_list)
    show = alert_sub.add_parser("show", help="one alert with its timeline")
    show.add_argument("alert_id", type=int)
    show.add_argument("--language", choices=["en", "zh_CN"], default="en")
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
    link = alert_sub.add_parser(
        "link", help="print a signed one-time link for a person to answer the alert from the phone"
    )
    link.add_argument("alert_id", type=int)
    link.add_argument("--for", dest="person", required=True, metavar="USER", help="who the link acts as")
    link.add_argument("--base-url", metavar="URL", help="the web service's address (default: web.base_url)")
    link.add_argument(
        "--language", choices=["en", "zh_CN"], help="language of the page (default: the phone's)"
    )
    link.set_defaults(handler=cmd_alert_link)

    call = sub.add_parser("call", help="one-click calls: backup (应急补位) or a manager")
    call_sub = call.add_subparsers(dest="call_command", required=True)
    for name in ("backup", "manager"):
        cmd = call_sub.add_parser(name, help=f"call {name} to a store now")
        cmd.add_argument("--store", required=True, help="store code (a database id is written id:5)")
        cmd.add_argument("--note", default="")
        cmd.set_defaults(handler=cmd_call, call=name)
    cover = sub.add_parser("cover", help="accept a backup call offered to you")
    cover.add_argument("alert_id", type=int)
    cover.add_argument(
        "--minutes", type=int, default=20, help="when you expect to arrive, in minutes from now (default 20)"
    )
    cover.set_defaults(handler=cmd_cover)

    relief = sub.add_parser("relief", help="ask to be relieved at the counter")
    relief.add_argument("--store", required=True, help="store code (a database id is written id:5)")
    relief.add_argument("--reason", required=True)
    relief.add_argument("--urgency", choices=["low", "normal", "high"], default="normal")
    relief.set_defaults(handler=cmd_relief)

    commitment = sub.add_parser("commitment", help="promises to customers (call back at 15:00)")
    commitment_sub = commitment.add_subparsers(dest="commitment_command", required=True)
    add = commitment_sub.add_parser("add")
    add.add_argument("--store", required=True, help="store code (a database id is written id:5)")
    add.add_argument("--due", type=when_arg, required=True, help="e.g. 2026-03-09T15:00+08:00")
    add.add_argument("--text", required=True)
    add.add_argument("--grace", type=int, default=10, help="minutes after the deadline before it escalates")
    add.set_defaults(handler=cmd_commitment_add)
    done = commitment_sub.add_parser("done")
    done.add_argument("commitment_id", type=int)
    done.set_defaults(handler=cmd_commitment_done)

    rules = sub.add_parser("rules", help="evaluate the alert rules once")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    run = rules_sub.add_parser("run")
    run.add_argument("--at", type=when_arg, help="evaluate as if it were this time (default: now)")
    run.set_defaults(handler=cmd_rules_run)
    status = rules_sub.add_parser(
        "status", help="each worker's heartbeat and last rules cycle: seconds, stores evaluated and skipped"
    )
    status.add_argument("--format", choices=["json", "text"], default="text")
    status.set_defaults(handler=cmd_rules_status)

    worker = sub.add_parser("worker", help="run rules, escalations and deliveries until stopped")
    worker.set_defaults(handler=cmd_worker)

    notify = sub.add_parser("notify", help="notification channels")
    notify_sub = notify.add_subparsers(dest="notify_command", required=True)
    test = notify_sub.add_parser("test", help="send a test message through a configured channel")
    test.add_argument("channel")
    test.add_argument("--to", help="recipient for e-mail (default: the sender address)")
    test.set_defaults(handler=cmd_notify_test)
    add = notify_sub.add_parser(
        "add",
        help="add a chain-wide channel; its URL and secret come from the environment or a prompt, "
        "never the command line (chat webhook URLs carry their token)",
    )
    add.add_argument("name")
    add.add_argument(
        "--type", required=True, choices=["webhook", "smtp", "wecom", "dingtalk", "feishu", "slack"]
    )
    add.add_argument("--url-env", metavar="VAR", help="read the webhook URL from this environment variable")
    add.add_argument(
        "--secret-env", metavar="VAR", help="the signing secret or SMTP password, from this variable"
    )
    add.add_argument(
        "--levels", default="1,2,3,4,5", help="escalation levels it hears, e.g. 2,3,4 (default all)"
    )
    add.add_argument(
        "--language", choices=["en", "zh_CN"], help="language of its messages (default: the chain's)"
    )
    add.add_argument(
        "--person-links",
        action="store_true",
        help="post each paged person's answer link in this group (anyone in the group can use them)",
    )
    add.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="other settings: host, port, sender...",
    )
    add.set_defaults(handler=cmd_notify_add)
    remove = notify_sub.add_parser("remove", help="remove a channel (its stored secrets are forgotten)")
    remove.add_argument("name")
    remove.set_defaults(handler=cmd_notify_remove)
    listing = notify_sub.add_parser("list", help="the chain's channels, secrets masked")
    listing.add_argument("--format", choices=["json", "csv"], default="json")
    listing.set_defaults(handler=cmd_notify_list)
    status = notify_sub.add_parser("status", help="per channel: pending, delivered, dead, last error")
    status.add_argument("--format", choices=["json", "text"], default="text")
    status.set_defaults(handler=cmd_notify_status)


def cmd_alert_list(args, services: Services) -> int:
    status = None if args.status == "all" else args.status
    store_id = services.stores.settings(acting(args), args.store).id if args.store else None
    rows = services.alerts.list(acting(args), status=status, store_id=store_id, rule=args.rule)
    if args.format != "text":
        emit(render([alert_row(row, args.language) for row in rows], args.format))
        return 0
    if not rows:
        print("No alerts." if args.language == "en" else "没有告警。")
    for row in rows:
        line = alert_row(row, args.language)
        status, level, severity = line["status_text"], line["level_text"], line["severity_text"]
        print(
            f"#{row.id:<5} {status:<12} L{row.level} {level:<24} {severity:<8} "
            f"{row.store_code:<7} {line['title']}"
        )
        for reason in line["reasons"][:3]:
            print(f"        - {reason}")
    return 0


def cmd_alert_show(args, services: Services) -> int:
    alert, timeline = services.alerts.detail(acting(args), args.alert_id)
    notifications = services.alerts.deliveries(acting(args), args.alert_id)
    emit(
        render_one(
            {"alert": alert_row(alert, args.language), "timeline": timeline, "notifications": notifications}
        )
    )
    return 0


def cmd_alert_event(args, services: Services) -> int:
    who = acting(args)
    if args.event == "ack":
        status = services.alerts.acknowledge(who, args.alert_id, now())
    elif args.event == "resolve":
        status = services.alerts.resolve(who, args.alert_id, now(), note=args.note)
    else:
        status = services.alerts.comment(who, args.alert_id, args.text, now())
    print(f"alert {args.alert_id}: {status}")
    return 0


def cmd_alert_link(args, services: Services) -> int:
    print(
        services.phone_links.make_link(
            acting(args), args.alert_id, args.person, now(), args.base_url, args.language or ""
        )
    )
    return 0


def cmd_call(args, services: Services) -> int:
    run = services.calls.call_backup if args.call == "backup" else services.calls.call_manager
    alert_id = run(acting(args), args.store, now(), args.note)
    print(f"{args.call} called: alert {alert_id}")
    return 0


def cmd_cover(args, services: Services) -> int:
    if not 0 <= args.minutes <= 240:
        raise UserError(f"--minutes {args.minutes}: give the minutes until you arrive, from 0 to 240")
    at = now()
    services.calls.accept_cover(acting(args), args.alert_id, at, at + timedelta(minutes=args.minutes))
    print(f"alert {args.alert_id}: you are covering, expected in {args.minutes} minutes; thank you")
    return 0


def cmd_relief(args, services: Services) -> int:
    alert_id = services.calls.relief_request(acting(args), args.store, args.reason, now(), args.urgency)
    print(f"relief requested: alert {alert_id}")
    return 0


def cmd_commitment_add(args, services: Services) -> int:
    cid = services.calls.add_commitment(
        acting(args), args.store, args.text, args.due.astimezone(UTC), now(), grace_minutes=args.grace
    )
    print(f"commitment {cid} due {args.due.isoformat()}")
    return 0


def cmd_commitment_done(args, services: Services) -> int:
    services.calls.commitment_done(acting(args), args.commitment_id, now())
    print(f"commitment {args.commitment_id}: done")
    return 0


def cmd_rules_run(args, services: Services) -> int:
    at = (args.at or now()).astimezone(UTC)
    run = services.rules.run(acting(args), at)
    raised = ", ".join(f"{rule} {n}" for rule, n in sorted(run.raised.items())) or "none"
    print(
        f"rules at {at.isoformat()}: {run.stores} stores; raised or updated: {raised}; resolved {run.resolved}"
    )
    return 0


def cmd_rules_status(args, services: Services) -> int:
    rows = services.rules.workers()
    if args.format == "json":
        emit(render(rows, "json"))
        return 0
    if not rows:
        print("No worker has run here in the last day; start one with `storemon worker`.")
    for row in rows:
        print(f"{row.process_id:<32} {row.role:<8} alive at {row.beat_at:%Y-%m-%d %H:%M:%S}Z")
        if row.rules_cycle_at is None:
            print("    rules: no cycle yet")
        else:
            print(
                f"    rules: last cycle at {row.rules_cycle_at:%H:%M:%S}Z took {row.rules_cycle_seconds:.2f} s, "
                f"{row.rules_evaluated} stores evaluated, {row.rules_skipped} skipped as unchanged"
            )
    return 0


def cmd_worker(args, services: Services) -> int:
    import signal
    import threading

    from storemon.worker import run_worker

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"storemon worker on {services.description}; Ctrl+C to stop", file=sys.stderr)
    run_worker(services.database, stop)
    return 0


def cmd_notify_test(args, services: Services) -> int:
    from alerts.notifiers import DeliveryError, SettingsError
    from storemon.services.secrets import SecretError, notifier_for

    channels = {c["name"]: c for c in services.settings.subscribed_channels()}
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


def _secret(variable: str | None, what: str, required: bool) -> str | None:
    """A secret from the named environment variable, else a hidden prompt (never argv)."""
    import getpass
    import os

    if variable:
        value = os.environ.get(variable, "")
        if not value:
            raise UserError(
                f"the environment variable {variable} is empty or not set; export it with the {what}"
            )
        return value
    if not required:
        return None
    if not sys.stdin.isatty():
        raise UserError(f"give the {what} in an environment variable (--url-env/--secret-env VAR)")
    return getpass.getpass(f"{what}: ") or None


def _levels(text: str) -> list[int]:
    try:
        levels = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        levels = []
    if not levels or not set(levels) <= {1, 2, 3, 4, 5}:
        raise UserError(f"--levels {text!r}: give escalation levels 1 to 5 separated by commas, e.g. 2,3")
    return levels


def cmd_notify_add(args, services: Services) -> int:
    kind = "email" if args.type == "smtp" else args.type
    settings: dict[str, object] = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set {item!r}: write KEY=VALUE, e.g. --set host=smtp.chain.example")
        if key.strip() in ("url", "secret", "password"):
            raise UserError(
                f"--set {key.strip()}=...: secrets never go on the command line; use --url-env/--secret-env"
            )
        settings[key.strip()] = value
    if kind != "email":
        settings["url"] = _secret(args.url_env, "webhook URL", required=True)
    secret = _secret(args.secret_env, "password" if kind == "email" else "signing secret", required=False)
    if secret:
        settings["password" if kind == "email" else "secret"] = secret
    channel = {
        "name": args.name,
        "type": kind,
        "settings": settings,
        "levels": _levels(args.levels),
        "enabled": True,
    }
    if args.language:
        channel["language"] = args.language
    if args.person_links:
        channel["person_links"] = True
    current = services.settings.notification_channels()
    if any(c["name"] == args.name for c in current):
        raise UserError(f"a channel named {args.name!r} exists; `storemon notify remove {args.name}` first")
    from alerts.notifiers import SettingsError, notifier_from_settings

    try:
        notifier_from_settings(kind, settings)  # refuse a channel that could never send
    except SettingsError as exc:
        raise UserError(str(exc)) from exc
    services.settings.save_notification_channels(acting(args), [*current, channel])
    print(f"added channel {args.name} ({kind}, levels {','.join(map(str, channel['levels']))})")
    return 0


def cmd_notify_remove(args, services: Services) -> int:
    current = services.settings.notification_channels()
    if not any(c["name"] == args.name for c in current):
        known = ", ".join(c["name"] for c in current) or "none configured"
        raise UserError(f"no channel named {args.name!r}; channels: {known}")
    services.settings.save_notification_channels(acting(args), [c for c in current if c["name"] != args.name])
    print(f"removed channel {args.name}")
    return 0


def cmd_notify_list(args, services: Services) -> int:
    rows = [
        {
            "name": c["name"],
            "type": c.get("type"),
            "levels": c.get("levels", [1, 2, 3, 4, 5]),
            "enabled": c.get("enabled", True),
            "language": c.get("language", ""),
            "settings": c.get("settings", {}),
        }
        for c in services.settings.notification_channels()
    ]
    emit(render(rows, args.format))
    return 0


def cmd_notify_status(args, services: Services) -> int:
    rows = services.settings.channel_status(acting(args), now())
    if args.format == "json":
        emit(render(rows, "json"))
        return 0
    if not rows:
        print("No notification channels are set up; add one with `storemon notify add`.")
    for row in rows:
        age = "-" if row.oldest_pending_minutes is None else f"{row.oldest_pending_minutes:g} min"
        print(
            f"{row.name:<16} {row.type:<9} pending {row.pending:<5} delivered {row.delivered:<6} "
            f"dead {row.dead:<4} oldest pending {age}"
        )
        if row.last_error:
            print(f"    last error: {row.last_error}")
    return 0
