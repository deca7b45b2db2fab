"""Reports and what-ifs: report stores|sales|staffing|pressure|weekly|regional, whatif, recommend."""

from __future__ import annotations

import dataclasses
import sys
from datetime import UTC, datetime
from pathlib import Path

from storemon.cli.common import acting, date_arg, emit
from storemon.output import render, render_one
from storemon.services.api import Services


def add_parsers(sub) -> None:
    report = sub.add_parser("report", help="print a report as JSON or CSV")
    report_sub = report.add_subparsers(dest="report", required=True)
    stores = report_sub.add_parser("stores", help="stores with tier, revenue, policy coverage and solo hours")
    stores.add_argument("--region", type=int)
    _table_output(stores, cmd_report_stores)
    _store_day_report(report_sub, "sales", "a store's 15-minute sales buckets on one day", cmd_report_sales)
    _store_day_report(
        report_sub,
        "staffing",
        "a store-day per 15-minute interval: demand, staff, utilisation, waits, pressure",
        cmd_report_staffing,
    )

    pressure = report_sub.add_parser(
        "pressure", help="every shift's pressure index in a region over a period"
    )
    pressure.add_argument("--region", type=int, help="region id (default: every region you may see)")
    pressure.add_argument("--from", dest="start", type=date_arg, required=True)
    pressure.add_argument("--to", dest="end", type=date_arg, required=True)
    _table_output(pressure, cmd_report_pressure)

    weekly = report_sub.add_parser(
        "weekly", help="one store's ISO week: days, people and key numbers as a PDF, XLSX or CSV file"
    )
    weekly.add_argument("--store", required=True, help="store code (a database id is written id:5)")
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
    _table_output(tiers, cmd_whatif_tiers)

    recommend = sub.add_parser("recommend", help="the smallest roster additions that fix a store-day")
    _store_day(recommend)
    recommend.set_defaults(handler=cmd_recommend)


def _store_day(parser) -> None:
    """The store and day a store-day command reads."""
    parser.add_argument("--store", required=True, help="store code (a database id is written id:5)")
    parser.add_argument("--date", type=date_arg, required=True)


def _table_output(parser, handler) -> None:
    """The last words of every table command: ``--format json|csv`` and what runs it."""
    parser.add_argument("--format", choices=["json", "csv"], default="json")
    parser.set_defaults(handler=handler)


def _store_day_report(report_sub, name: str, help: str, handler) -> None:
    """A table report on one store-day: ``--store``, ``--date`` and ``--format``."""
    parser = report_sub.add_parser(name, help=help)
    _store_day(parser)
    _table_output(parser, handler)


def cmd_report_stores(args, services: Services) -> int:
    rows = services.stores.summaries(acting(args), region_id=args.region)
    emit(render(rows, args.format))
    return 0


def cmd_report_sales(args, services: Services) -> int:
    rows = services.stores.sales_for_day(acting(args), args.store, args.date)
    emit(render(rows, args.format))
    return 0


def cmd_report_staffing(args, services: Services) -> int:
    day = services.staffing.store_day(acting(args), args.store, args.date)
    labour = services.labour.day_labour(acting(args), args.store, args.date)
    if args.format == "json":
        emit(render_one(dataclasses.asdict(day) | {"labour": labour}))
        return 0
    # CSV: the interval table, a blank line, then one row per person's shift.
    emit(render(day.intervals, "csv"))
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
    emit("\n" + render(people, "csv"))
    # and how the day was modelled: where the service time comes from, and the customers lost
    model = ("service_minutes", "service_minutes_source", "chore_minutes_per_hour", "patience_minutes")
    day_figures = [{k: getattr(day, k) for k in (*model, "p90_wait_minutes", "lost_orders", "lost_revenue")}]
    emit("\n" + render(day_figures, "csv"))
    _emit_labour_csv(labour)
    return 0


def _emit_labour_csv(labour) -> None:
    """``report staffing`` CSV, last: each shift's wage and cost, then the day's cost and labour %."""
    shifts = [
        {
            "staff_code": c.staff_code,
            "name": c.name,
            "role": c.role,
            "shift_start": c.starts_at,
            "shift_end": c.ends_at,
            "paid_minutes": c.minutes,
            "hourly_wage": c.hourly_wage,
            "wage_source": c.wage_source,
            "labour_cost": c.cost,
        }
        for c in labour.shifts
    ]
    if shifts:
        emit("\n" + render(shifts, "csv"))
    total = {
        "labour_cost": labour.cost,
        "labour_cost_to_date": labour.cost_to_date,
        "sales": labour.revenue,
        "labour_percent_of_sales": labour.labour_percent,
        "currency": labour.currency,
    }
    emit("\n" + render([total], "csv"))


def cmd_report_pressure(args, services: Services) -> int:
    rows = services.region.pressure(acting(args), args.region, args.start, args.end)
    emit(render(rows, args.format))
    return 0


def _report_format(args, choices: tuple[str, ...]) -> str:
    return args.format or next((f for f in choices if args.output.suffix.lower() == f".{f}"), choices[0])


def cmd_report_weekly(args, services: Services) -> int:
    from storemon.services.reports import write_report

    fmt = _report_format(args, ("pdf", "xlsx", "csv"))
    report = services.reports.weekly_store_report(acting(args), args.store, args.week)
    if fmt == "pdf":
        from ui.report_render import write_pdf  # Qt paints the PDF; the services stay free of Qt

        pages = write_pdf(report, args.output, args.language)
        print(f"{args.output}: {report.store_code} {report.iso_week}, {pages} pages")
    else:
        write_report(report, args.output, fmt, args.language)
        print(f"{args.output}: {report.store_code} {report.iso_week}")
    return 0


def cmd_report_regional(args, services: Services) -> int:
    from storemon.services.reports import write_report

    fmt = _report_format(args, ("xlsx", "csv"))
    report = services.reports.regional_comparison(acting(args), args.region, args.week)
    write_report(report, args.output, fmt, args.language)
    print(f"{args.output}: {len(report.stores)} stores, {report.iso_week}")
    return 0


def cmd_whatif_tiers(args, services: Services) -> int:
    from staffing.policy import validate
    from storemon.services.whatif import whatif_totals

    policy = services.region.load_candidate_policy(args.policy_file)
    for issue in validate(policy):
        print(f"{args.policy_file}: warning: {issue.message}", file=sys.stderr)
    rows = services.staffing.tier_whatif(acting(args), policy)
    if args.format == "csv":
        emit(render([_flat_whatif(r) for r in rows], "csv"))
    else:
        emit(
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


def cmd_recommend(args, services: Services) -> int:
    """The cover, judged on the day's own figures (as Today shows them), and what to do with it."""
    advice = services.staffing.advise(acting(args), args.store, args.date, datetime.now(UTC))
    actions = advice.actions
    window = actions.backup_window
    emit(
        render_one(
            {
                "store": args.store,
                "date": args.date,
                "additions": [
                    {"from": a.label.split("-")[0], "to": a.label.split("-")[1], "hours": a.hours}
                    for a in advice.additions
                ],
                "added_cost": advice.added_cost,
                "met": advice.after.fixed,
                "still_missing": list(advice.missing),
                "before": advice.before,
                "after": advice.after,
                "draft_shifts": [
                    {"day": d.day, "from": d.start, "to": d.end, "staff_id": d.staff_id}
                    for d in actions.drafts
                ],
                "backup_window": {"from": window[0], "to": window[1]} if window else None,
                "explanation": _advice_text(advice),
            }
        )
    )
    return 0


def _advice_text(advice) -> str:
    """One English sentence: the cover, and what is still missing (the one "fixed" rule)."""
    if not advice.additions:
        return "No addition needed." if advice.before.fixed else "No addition within the limits helps."
    blocks = ", ".join(a.label for a in advice.additions)
    before, after = advice.before, advice.after
    text = (
        f"Add {len(advice.additions)} cover block(s) {blocks}: time over target "
        f"{before.minutes_over_target} -> {after.minutes_over_target} min, worst shift pressure "
        f"{before.peak_pressure:.0f} -> {after.peak_pressure:.0f} (amber from {advice.amber_at:.0f})."
    )
    if "over_target" in advice.missing:
        text += f" Still {after.minutes_over_target} min over the wait target."
    elif "pressure" in advice.missing:
        text += f" Waits then meet the target, but the worst shift stays at {after.peak_pressure:.0f}."
    return text
