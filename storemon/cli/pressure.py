"""``storemon pressure calibrate``: fit the pressure index's weights to what staff report; ``--accept`` applies them."""

from __future__ import annotations

from storemon.cli.common import acting, date_arg, emit, now
from storemon.output import render_one
from storemon.services.api import Services
from storemon.services.pressure_calibration import DEFAULT_WEEKS, CalibrationReport


def add_parsers(sub) -> None:
    parser = sub.add_parser("pressure", help="the shift pressure index: calibrate its weights")
    commands = parser.add_subparsers(dest="pressure_command", required=True)
    calibrate = commands.add_parser(
        "calibrate",
        help="fit the weights to end-of-shift check-ins and incidents (head office)",
        description=(
            "Fit the pressure index's weights to the end-of-shift check-ins and incidents of the "
            "last weeks (ordinal logistic regression) and print the fit beside the current "
            "weights. Nothing changes unless --accept is given."
        ),
    )
    calibrate.add_argument(
        "--weeks", type=int, default=DEFAULT_WEEKS, help=f"weeks of past shifts (default {DEFAULT_WEEKS})"
    )
    calibrate.add_argument(
        "--until", type=date_arg, metavar="YYYY-MM-DD", help="the period's last day (default: yesterday)"
    )
    calibrate.add_argument("--format", choices=["text", "json"], default="text")
    calibrate.add_argument(
        "--accept", action="store_true", help="store the fitted weights as the chain's pressure weights"
    )
    calibrate.set_defaults(handler=cmd_calibrate)


def cmd_calibrate(args, services: Services) -> int:
    use = services.policies.accept_pressure_weights if args.accept else services.policies.calibrate_pressure
    report = use(acting(args), args.weeks, args.until, now())
    emit(render_one(report) if args.format == "json" else _text(report, args.accept))
    return 0


def _text(report: CalibrationReport, accepted: bool) -> str:
    lines = [
        f"Pressure calibration, {report.first_day} to {report.last_day} ({report.weeks} weeks)",
        f"shifts scored: {report.shifts}; with a check-in: {report.check_ins} (needed: {report.needed}); "
        f"with an incident: {report.incidents}",
    ]
    if report.enough:
        lines += [
            "",
            f"{'factor':<10} {'current':>8} {'fitted':>8} {'coefficient':>12}",
            *(
                f"{w.factor:<10} {w.current_points:>8.1f} {w.fitted_points:>8.1f} "
                + (f"{w.coefficient:>+12.2f}" if w.fitted else f"{'not in data':>12}")
                for w in report.weights
            ),
            f"{'check-in':<10} {report.checkin_points:>8.1f} {report.checkin_points:>8.1f}",
            "",
            f"rank correlation with the check-ins: current {report.current_rank_correlation:.2f}, "
            f"fitted {report.fitted_rank_correlation:.2f}",
            f"McFadden pseudo-R²: {report.pseudo_r2:.2f} (log-likelihood {report.log_likelihood:.1f}, "
            f"thresholds only {report.null_log_likelihood:.1f})",
        ]
    lines += ["", report.verdict]
    if accepted:
        lines.append("accepted: the fitted weights are now the chain's pressure weights")
    elif report.enough:
        lines.append("nothing changed; run again with --accept to apply the fitted weights")
    return "\n".join(lines)
