"""Rules that turn staffing judgements into alerts, so help is arranged before the rush.

Run every minute (and when data changes) by the scheduler. Each rule has a dedup key per
(rule, store, window): firing again updates the open alert; an alert resolves when its
condition clears, with hysteresis (it must drop below ``CLEAR_FACTOR`` of the threshold) so it
does not flap. During a surge season (3·15) thresholds are divided by the calendar's alert
sensitivity: warnings come earlier when customers are harsher.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storemon.db.models import Store
from storemon.services.access import SYSTEM
from storemon.services.actions import compute_live_picture, save_live_picture
from storemon.services.alert_service import raise_alert, resolve_rule_alerts
from storemon.services.setting_keys import staffing_targets
from storemon.services.store_days import IntervalFigures, StoreDay, store_day
from storemon.services.stores import store_summaries
from storemon.services.surge_calendar import load_surge_calendar

HORIZON = timedelta(hours=2)
"""How far ahead early warnings look (DOMAIN.md: arrange help before the rush)."""
CLEAR_FACTOR = 0.8
RUSH_UTILISATION = 0.85


@dataclass
class RuleRun:
    """What one evaluation did."""

    raised: dict[str, int] = field(default_factory=dict)
    resolved: int = 0
    stores: int = 0

    def count(self, rule: str) -> None:
        self.raised[rule] = self.raised.get(rule, 0) + 1


def _hhmm(interval: IntervalFigures) -> str:
    return interval.start.strftime("%H:%M")


def _window(day: StoreDay, start: datetime, end: datetime) -> list[IntervalFigures]:
    return [i for i in day.intervals if start <= i.start < end]


def _reasons_for(day: StoreDay, start: datetime, end: datetime) -> list[str]:
    """The pressure reasons of the people on shift in the window, worst shift first."""
    reasons = []
    for person in day.pressure:
        if person.shift_start < end and person.shift_end > start:
            # The strongest reasons, and always the time alone: it is what the warning is about.
            chosen = person.reasons[:3] + [r for r in person.reasons[3:] if r["factor"] == "alone"]
            reasons += [f"{person.name}: {r['explanation']}" for r in chosen]
    return reasons[:8]


def evaluate(session: Session, now: datetime, store_ids: list[int] | None = None) -> RuleRun:
    """Evaluate every rule for every store (or ``store_ids``) at ``now``; raise and resolve alerts."""
    run = RuleRun()
    targets = staffing_targets(session)
    calendar = load_surge_calendar(session)
    stmt = select(Store).order_by(Store.code)
    if store_ids:
        stmt = stmt.where(Store.id.in_(store_ids))
    stores = list(session.scalars(stmt))
    keep: dict[str, set[str]] = {
        "early_warning": set(),
        "wait_now": set(),
        "solo_rush": set(),
        "below_policy": set(),
    }
    for store in stores:
        run.stores += 1
        local = now.astimezone(ZoneInfo(store.timezone))
        sensitivity = float(calendar.sensitivity_for([local.date()])[0])
        threshold = targets.target_wait_minutes / sensitivity
        day = store_day(session, SYSTEM, store.id, local.date(), now)
        save_live_picture(session, store, compute_live_picture(session, SYSTEM, store, day, now), now)
        slot_start = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
        ahead = _window(day, slot_start + timedelta(minutes=15), local + HORIZON)
        current = _window(day, slot_start, slot_start + timedelta(minutes=15))
        _early_warning(session, store, day, ahead, threshold, now, run, keep)
        if current:
            _now_rules(session, store, day, current[0], threshold, now, run, keep)
    for summary in store_summaries(session, SYSTEM):
        if store_ids and summary.id not in store_ids:
            continue
        if summary.policy_status in ("below_policy", "gap"):
            key = f"below_policy:{summary.id}"
            keep["below_policy"].add(key)
            raise_alert(
                session,
                rule="below_policy",
                store_id=summary.id,
                dedup_key=key,
                now=now,
                severity="info",
                title=f"{summary.code} {summary.name}: roster outside the tier policy",
                details={
                    "note": summary.policy_note,
                    "fields": {
                        "Policy": summary.policy_note,
                        "Rostered per shift": f"{summary.rostered_staff_per_shift:.2f}",
                    },
                },
            )
            run.count("below_policy")
    for rule, keys in keep.items():
        run.resolved += resolve_rule_alerts(session, rule, keys, now, store_ids)
    return run


def _early_warning(session, store, day, ahead, threshold, now, run, keep) -> None:
    worst = max(ahead, key=lambda i: i.mean_wait_minutes, default=None)
    if worst is None:
        return
    key = f"early_warning:{store.id}:{day.day.isoformat()}"
    if worst.mean_wait_minutes < CLEAR_FACTOR * threshold:
        return
    keep["early_warning"].add(key)
    if worst.mean_wait_minutes <= threshold:
        return  # inside the hysteresis band: keep an open warning, do not open a new one
    over = [i for i in ahead if i.mean_wait_minutes > threshold]
    solo = [i for i in over if i.rostered_staff == 1]
    start, end = over[0].start, over[-1].start + timedelta(minutes=15)
    reasons = _reasons_for(day, start, end)
    title = (
        f"Rush ahead at {store.code} {store.name}: waits up to {worst.mean_wait_minutes:.0f} min "
        f"from {_hhmm(over[0])}" + (" with one person alone" if solo else "")
    )
    raise_alert(
        session,
        rule="early_warning",
        store_id=store.id,
        dedup_key=key,
        title=title,
        now=now,
        details={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "reasons": reasons,
            "peak_wait_minutes": round(worst.mean_wait_minutes, 1),
            "fields": {
                "When": f"{_hhmm(over[0])}-{end:%H:%M}",
                "Peak wait (min)": f"{worst.mean_wait_minutes:.1f}",
                "Alone": "yes" if solo else "no",
                "Why": "; ".join(reasons[:2]),
            },
        },
    )
    run.count("early_warning")


def _now_rules(session, store, day, current, threshold, now, run, keep) -> None:
    if current.mean_wait_minutes >= CLEAR_FACTOR * threshold:
        key = f"wait_now:{store.id}"
        keep["wait_now"].add(key)
        if current.mean_wait_minutes > threshold:
            raise_alert(
                session,
                rule="wait_now",
                store_id=store.id,
                dedup_key=key,
                severity="critical",
                now=now,
                title=f"Customers waiting {current.mean_wait_minutes:.0f} min at {store.code} {store.name}",
                details={
                    "fields": {
                        "Wait (min)": f"{current.mean_wait_minutes:.1f}",
                        "Orders in the store": f"{current.backlog:.0f}",
                        "Staff on shift": str(current.rostered_staff),
                    }
                },
            )
            run.count("wait_now")
    utilisation = current.utilisation if current.utilisation is not None else float("inf")
    if current.rostered_staff == 1 and utilisation >= CLEAR_FACTOR * RUSH_UTILISATION:
        key = f"solo_rush:{store.id}"
        keep["solo_rush"].add(key)
        if utilisation >= RUSH_UTILISATION:
            raise_alert(
                session,
                rule="solo_rush",
                store_id=store.id,
                dedup_key=key,
                severity="warning",
                now=now,
                title=f"One person alone in a rush at {store.code} {store.name}",
                details={
                    "reasons": _reasons_for(day, current.start, current.start + timedelta(minutes=15)),
                    "fields": {"Utilisation": f"{utilisation:.2f}"},
                },
            )
            run.count("solo_rush")
