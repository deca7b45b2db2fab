"""Calibrating the pressure index: fit its weights to what staff report, apply them only when accepted.

The fit is ``staffing.pressure_fit.calibrate_weights`` (ordinal logistic regression of the end-of-shift
check-ins on the factor scores, incidents among them). The check-in alone is the outcome: made one
step worse after an incident (the pure function's option), it would be predicted by the incident
feature by construction and the fit would hand incidents most of the points. This module gathers the
chain's past shifts with their scores and check-ins, reports the fit beside the current weights,
and writes the fitted weights into the ``staffing.pressure`` setting when a head-office user
accepts them. The current index is compared without its check-in points, which would otherwise
predict the check-in from itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from staffing.pressure import Factor, Level, PressureConfig, PressureResult
from staffing.pressure_fit import (
    CALIBRATION_FEATURES,
    calibrate_weights,
    calibration_features,
    rank_correlation,
)
from storemon.db.models import CheckIn, Store
from storemon.errors import StoremonError
from storemon.services import setting_keys
from storemon.services.access import HEAD_OFFICE, Actor
from storemon.services.door import use_case
from storemon.services.setting_values import audit_change, now_or_utc
from storemon.services.store_days import store_days

DEFAULT_WEEKS = 8
MAX_WEEKS = 26
MIN_CHECKINS = 200
"""Fewer check-ins than this and five outcome levels with four thresholds and four weights are
fitted on too little: the report says so and nothing can be accepted."""
LOAD_GROUP = ("wait_points", "utilisation_points", "busy_points", "rush_points")
POINT_FIELDS = {"alone": ("alone_points",), "load": LOAD_GROUP, "no_break": ("no_break_points",)}
POINT_FIELDS["incidents"] = ("incident_points",)


class CalibrationRefused(StoremonError):
    """The fitted weights cannot be accepted (too little data); the message says why."""


@dataclass(frozen=True)
class FactorWeight:
    """One feature of the fit: its points now, the points the fit proposes, and its coefficient."""

    factor: str
    current_points: float
    fitted_points: float
    coefficient: float
    fitted: bool
    """False when the factor never varied in the data (e.g. breaks not recorded): it keeps its points."""


@dataclass(frozen=True)
class CalibrationReport:
    """What ``storemon pressure calibrate`` prints and what accepting it would apply."""

    first_day: date
    last_day: date
    weeks: int
    shifts: int
    """Past shifts scored in the period."""
    check_ins: int
    """Those with an end-of-shift check-in: the shifts the fit uses."""
    incidents: int
    """Fitted shifts with at least one incident (a feature of the fit, like being alone)."""
    needed: int
    enough: bool
    weights: list[FactorWeight]
    checkin_points: float
    current_rank_correlation: float
    """Spearman correlation of the current index (without its check-in points) with the outcome."""
    fitted_rank_correlation: float
    pseudo_r2: float
    """McFadden's pseudo-R² of the fit (0: no better than the outcome frequencies)."""
    log_likelihood: float
    null_log_likelihood: float
    verdict: str
    proposed: PressureConfig | None
    """The pressure config accepting would store (None when there is too little data)."""


def _points(config: PressureConfig) -> dict[str, float]:
    return {name: sum(getattr(config, f) for f in fields) for name, fields in POINT_FIELDS.items()}


def _with_points(config: PressureConfig, points: dict[str, float]) -> PressureConfig:
    """``config`` with each feature's points; the load group's split over its members as now."""
    group_total = sum(getattr(config, f) for f in LOAD_GROUP)
    updates = {
        f: points["load"] * (getattr(config, f) / group_total if group_total else 1 / len(LOAD_GROUP))
        for f in LOAD_GROUP
    }
    updates.update(alone_points=points["alone"], no_break_points=points["no_break"])
    updates["incident_points"] = points["incidents"]
    # rounding residue to the largest, so the caps add up to 100 exactly
    largest = max(updates, key=updates.get)
    updates[largest] += 100.0 - config.checkin_points - sum(updates.values())
    return replace(config, **updates)


def _results(scores: list[dict[str, float]]) -> list[PressureResult]:
    """Just enough of a ``PressureResult`` for ``calibration_features``: the factor scores."""
    return [
        PressureResult(0.0, Level.GREEN, (), {}, {Factor(k): v for k, v in s.items() if k in set(Factor)})
        for s in scores
    ]


def _period(weeks: int, until: date | None, now: datetime) -> tuple[date, date]:
    if not 1 <= weeks <= MAX_WEEKS:
        raise CalibrationRefused(f"--weeks {weeks}: use 1 to {MAX_WEEKS}")
    last = min(until or now.date(), now.date() - timedelta(days=1))
    return last - timedelta(days=7 * weeks - 1), last


def _gather(
    session: Session, actor: Actor, first: date, last: date, now: datetime
) -> tuple[int, list[dict[str, float]], list[int]]:
    """Past shifts scored in the period, and the scores and check-ins of those with a check-in."""
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    scored, scores, checkins = 0, [], []
    for store in session.scalars(actor.scope_stores(select(Store)).order_by(Store.code)):
        today = now.astimezone(ZoneInfo(store.timezone)).date()
        past = [d for d in days if d < today]
        if not past:
            continue
        people = [p for picture in store_days(session, actor, store.id, past, now) for p in picture.pressure]
        people = [p for p in people if p.shift_end <= now]
        scored += len(people)
        ids = [p.shift_id for p in people]
        by_shift = {
            c.shift_id: c.score for c in session.scalars(select(CheckIn).where(CheckIn.shift_id.in_(ids)))
        }
        for person in people:
            if person.shift_id in by_shift:
                scores.append(person.scores)
                checkins.append(by_shift[person.shift_id])
    return scored, scores, checkins


def pressure_calibration(
    session: Session,
    actor: Actor,
    weeks: int = DEFAULT_WEEKS,
    until: date | None = None,
    now: datetime | None = None,
) -> CalibrationReport:
    """Fit the index's weights to ``weeks`` of check-ins and incidents up to ``until`` (default
    yesterday; past days only); nothing is saved."""
    now = now_or_utc(now)
    first, last = _period(weeks, until, now)
    config = setting_keys.pressure_config(session)
    scored, scores, checkins = _gather(session, actor, first, last, now)
    current = _points(config)
    x = calibration_features(_results(scores))
    incidents = x[:, CALIBRATION_FEATURES.index("incidents")] > 0
    common = {
        "first_day": first,
        "last_day": last,
        "weeks": weeks,
        "shifts": scored,
        "check_ins": len(checkins),
        "incidents": int(incidents.sum()),
        "needed": MIN_CHECKINS,
        "checkin_points": config.checkin_points,
    }
    if len(checkins) < MIN_CHECKINS:
        return CalibrationReport(
            **common,
            enough=False,
            weights=[FactorWeight(f, current[f], current[f], 0.0, False) for f in CALIBRATION_FEATURES],
            current_rank_correlation=0.0,
            fitted_rank_correlation=0.0,
            pseudo_r2=0.0,
            log_likelihood=0.0,
            null_log_likelihood=0.0,
            verdict=(
                f"not enough check-ins: {len(checkins)} of the {MIN_CHECKINS} needed "
                f"({scored} shifts from {first} to {last}); the weights stay as they are"
            ),
            proposed=None,
        )
    fit = calibrate_weights(_results(scores), checkins, None, config)
    outcome = np.asarray(checkins)
    varies = {f: bool(np.ptp(x[:, j]) > 0) for j, f in enumerate(CALIBRATION_FEATURES)}
    fitted_raw = _points(fit.proposed)
    # A factor the data never shows (breaks not recorded: no_break scores 0 on every shift) says
    # nothing about its weight: it keeps its points, and the fitted ones share the rest.
    kept = sum(current[f] for f in CALIBRATION_FEATURES if not varies[f])
    budget = 100.0 - config.checkin_points - kept
    raw_total = sum(fitted_raw[f] for f in CALIBRATION_FEATURES if varies[f])
    if raw_total > 0:
        fitted = {
            f: fitted_raw[f] * budget / raw_total if varies[f] else current[f] for f in CALIBRATION_FEATURES
        }
        proposed = _with_points(config, fitted)
    else:
        fitted, proposed = dict(current), config
    fitted = _points(proposed)
    vector = np.array([[current[f], fitted[f]] for f in CALIBRATION_FEATURES])
    current_rho, fitted_rho = (rank_correlation(x @ vector[:, k], outcome) for k in (0, 1))
    return CalibrationReport(
        **common,
        enough=True,
        weights=[
            FactorWeight(f, current[f], fitted[f], fit.coefficients[f], varies[f])
            for f in CALIBRATION_FEATURES
        ],
        current_rank_correlation=current_rho,
        fitted_rank_correlation=fitted_rho,
        pseudo_r2=fit.pseudo_r2,
        log_likelihood=fit.log_likelihood,
        null_log_likelihood=fit.null_log_likelihood,
        verdict=_verdict(raw_total > 0, current_rho, fitted_rho, len(checkins)),
        proposed=proposed,
    )


def _verdict(found: bool, current: float, fitted: float, n: int) -> str:
    if not found:
        return f"no factor raised the check-ins of {n} shifts: the fit proposes no change"
    if fitted > current + 0.01:
        return (
            f"the fitted weights follow what staff report better than the current ones (rank correlation "
            f"{fitted:.2f} vs {current:.2f}, {n} check-ins): accept them to apply them"
        )
    return (
        f"the current weights follow what staff report as well as the fitted ones (rank correlation "
        f"{current:.2f} vs {fitted:.2f}, {n} check-ins): no need to change them"
    )


calibrate_pressure = use_case(needs=HEAD_OFFICE, doing="calibrate the pressure index")(pressure_calibration)


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def accept_pressure_weights(
    session: Session,
    actor: Actor,
    weeks: int = DEFAULT_WEEKS,
    until: date | None = None,
    now: datetime | None = None,
) -> CalibrationReport:
    """Fit again on the same data and store the fitted weights in ``staffing.pressure`` (audited)."""
    report = pressure_calibration(session, actor, weeks, until, now)
    if report.proposed is None:
        raise CalibrationRefused(f"nothing accepted: {report.verdict}")
    setting_keys.save_pressure_config(session, report.proposed)
    audit_change(
        session,
        actor,
        "settings.save",
        setting_keys.PRESSURE_CONFIG.name,
        {
            "calibrated": f"{report.first_day} to {report.last_day}",
            "check_ins": report.check_ins,
            "points": {w.factor: round(w.fitted_points, 2) for w in report.weights},
            "rank_correlation": [
                round(report.current_rank_correlation, 3),
                round(report.fitted_rank_correlation, 3),
            ],
        },
        now_or_utc(now),
    )
    return report
