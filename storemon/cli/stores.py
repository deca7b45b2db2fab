"""``storemon store list|show|edit``: a store's time zone, opening hours and staffing settings."""

from __future__ import annotations

import unicodedata
from typing import Any

from storemon.cli.common import UserError, acting, emit, now
from storemon.output import render, render_one
from storemon.services.api import Services
from storemon.services.opening_hours import WEEKDAYS, BadHours, parse_hours_spec
from storemon.services.stores import KEEP, StoreChanges, StoreSettings

CHAIN_VALUE = "default"
"""What ``--service-minutes`` and its siblings take for "use the chain's setting"."""
NO_VALUE = "none"
"""What ``--region`` and ``--tier-policy`` take for "no region" / "no policy"."""


def add_parsers(sub) -> None:
    store = sub.add_parser("store", help="list, show and edit stores (time zone, opening hours, settings)")
    store_sub = store.add_subparsers(dest="store_command", required=True)
    listing = store_sub.add_parser("list", help="the stores you may see with their settings")
    listing.add_argument("--format", choices=["table", "json", "csv"], default="table")
    listing.set_defaults(handler=cmd_store_list)

    show = store_sub.add_parser("show", help="one store's settings")
    show.add_argument("store", help="store code (a database id is written id:5)")
    show.add_argument("--format", choices=["table", "json"], default="table")
    show.set_defaults(handler=cmd_store_show)

    edit = store_sub.add_parser(
        "edit",
        help="change a store's settings (head office; a region's supervisor: hours, service time, "
        "chore load and patience of their stores)",
    )
    edit.add_argument("store", help="store code (a database id is written id:5)")
    edit.add_argument("--timezone", metavar="ZONE", help="IANA time zone, e.g. America/New_York")
    edit.add_argument(
        "--hours",
        action="append",
        metavar="SPEC",
        help="opening hours: 07:00-21:00 for every day, or sat=08:00-18:00, mon-fri=07:00-19:00 "
        "for some weekdays (repeat for more)",
    )
    edit.add_argument(
        "--service-minutes",
        metavar="MIN",
        help=f"mean minutes per order at this counter ({CHAIN_VALUE}: the chain's setting)",
    )
    edit.add_argument(
        "--chore-minutes",
        metavar="MIN",
        help=f"minutes per hour spent on work other than serving ({CHAIN_VALUE}: the chain's)",
    )
    edit.add_argument(
        "--patience",
        metavar="MIN",
        help=f"minutes a customer waits before walking away ({CHAIN_VALUE}: the chain's)",
    )
    edit.add_argument("--region", metavar="CODE", help=f"region code ({NO_VALUE}: no region)")
    edit.add_argument("--tier-policy", metavar="NAME", help=f"tier policy name ({NO_VALUE}: no policy)")
    edit.set_defaults(handler=cmd_store_edit)


def _record(settings: StoreSettings) -> dict[str, Any]:
    """One flat row per store: the same columns in the table, JSON and CSV."""
    return {
        "id": settings.id,
        "code": settings.code,
        "name": settings.name,
        "region": settings.region,
        "timezone": settings.timezone,
        "hours": settings.hours_text,
        **{WEEKDAYS[d.weekday]: f"{d.opens_at:%H:%M}-{d.closes_at:%H:%M}" for d in settings.hours},
        "service_minutes": settings.service_minutes,
        "chore_minutes_per_hour": settings.chore_minutes_per_hour,
        "patience_minutes": settings.patience_minutes,
        "tier_policy": settings.tier_policy,
        "location": settings.location,
    }


TABLE_COLUMNS = (
    "code",
    "name",
    "region",
    "timezone",
    "hours",
    "service_minutes",
    "chore_minutes_per_hour",
    "patience_minutes",
    "tier_policy",
)


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: Any) -> str:
    if value is None:
        return CHAIN_VALUE
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render_table(records: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """Aligned columns for a terminal; a setting left to the chain shows as ``default``."""
    rows = [[_cell(r[c]) for c in columns] for r in records]
    widths = [max([_width(c), *(_width(row[i]) for row in rows)]) for i, c in enumerate(columns)]
    lines = []
    for row in [list(columns), *rows]:
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def cmd_store_list(args, services: Services) -> int:
    records = [_record(s) for s in services.stores.settings_list(acting(args))]
    if args.format == "table":
        emit(render_table(records, TABLE_COLUMNS) if records else "no stores you may see")
    else:
        emit(render(records, args.format))
    return 0


def _show(settings: StoreSettings, fmt: str) -> str:
    record = _record(settings)
    if fmt == "json":
        return render_one(record | {"editable": sorted(settings.editable)})
    width = max(_width(k) for k in record)
    return "\n".join(f"{k}{' ' * (width - _width(k))}  {_cell(v)}".rstrip() for k, v in record.items())


def cmd_store_show(args, services: Services) -> int:
    emit(_show(services.stores.settings(acting(args), args.store), args.format))
    return 0


def _minutes_arg(value: str | None, option: str) -> Any:
    if value is None:
        return KEEP
    if value.strip().casefold() == CHAIN_VALUE:
        return None
    try:
        return float(value)
    except ValueError:
        raise UserError(f"{option} {value!r}: give minutes (e.g. 1.5) or {CHAIN_VALUE}") from None


def _named_arg(value: str | None) -> Any:
    if value is None:
        return KEEP
    return None if value.strip().casefold() in (NO_VALUE, "") else value


def _hours_arg(specs: list[str] | None) -> Any:
    if not specs:
        return KEEP
    hours: dict[int | None, Any] = {}
    try:
        for spec in specs:
            hours |= parse_hours_spec(spec)
    except BadHours as exc:
        raise UserError(f"--hours {exc}") from None
    return hours


def cmd_store_edit(args, services: Services) -> int:
    changes = StoreChanges(
        timezone=args.timezone if args.timezone is not None else KEEP,
        hours=_hours_arg(args.hours),
        service_minutes=_minutes_arg(args.service_minutes, "--service-minutes"),
        chore_minutes_per_hour=_minutes_arg(args.chore_minutes, "--chore-minutes"),
        patience_minutes=_minutes_arg(args.patience, "--patience"),
        region=_named_arg(args.region),
        tier_policy=_named_arg(args.tier_policy),
    )
    if not changes.changed():
        raise UserError(
            "nothing to change; give --timezone, --hours, --service-minutes, --chore-minutes, "
            "--patience, --region or --tier-policy"
        )
    saved = services.stores.edit(acting(args), args.store, changes, now())
    emit(_show(saved, "table"))
    return 0
