"""``storemon forecast``: expected orders per 15 minutes with P10/P50/P90, for planning and backtests."""

from __future__ import annotations

from storemon.cli.common import acting, date_arg, emit
from storemon.output import render, to_records
from storemon.services.api import Services

COLUMNS = ("start", "expected_orders", "p10", "p50", "p90", "source")


def add_parsers(sub) -> None:
    parser = sub.add_parser(
        "forecast",
        help="expected orders per 15 minutes with P10/P50/P90 and where the forecast came from",
        description=(
            "Expected orders of a store per 15-minute interval (store-local times), with the 10 %, "
            "50 % and 90 % quantiles and the source: own history, similar stores (too little "
            "history of its own) or surge."
        ),
    )
    parser.add_argument("--store", required=True, help="store code")
    parser.add_argument("--from", dest="start", type=date_arg, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=date_arg, required=True, metavar="YYYY-MM-DD")
    parser.add_argument(
        "--history-until",
        type=date_arg,
        metavar="YYYY-MM-DD",
        help="use only sales up to and including this day (a true ex-ante forecast, for backtests); "
        "default: the day before --from, and never today",
    )
    parser.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="table (intervals with expected orders only), or every interval as json or csv",
    )
    parser.set_defaults(handler=cmd_forecast)


def cmd_forecast(args, services: Services) -> int:
    rows = services.staffing.forecast(acting(args), args.store, args.start, args.end, args.history_until)
    emit(_table(rows) if args.format == "table" else render(rows, args.format))
    return 0


def _table(rows) -> str:
    """Aligned columns for reading in a terminal; night intervals with nothing expected are left out."""
    records = [r for r in to_records(rows) if r["expected_orders"] > 0 or r["p90"] > 0]
    cells = [list(COLUMNS)] + [
        [r["start"], f"{r['expected_orders']:.2f}", *(str(r[q]) for q in ("p10", "p50", "p90")), r["source"]]
        for r in records
    ]
    widths = [max(len(row[c]) for row in cells) for c in range(len(COLUMNS))]
    right = {1, 2, 3, 4}
    return "\n".join(
        "  ".join(
            cell.rjust(w) if c in right else cell.ljust(w)
            for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in cells
    )
