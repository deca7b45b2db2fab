"""Rules that turn staffing judgements into alerts, so help is arranged before the rush.

Pure: given one store's day model (15-minute intervals and the pressure of the people on shift),
the wait threshold and the local time, ``store_rules`` says which alerts of which kind with which
parameters should be open; ``policy_rules`` does the same for the stores' tier-policy verdicts.
``storemon.services.rules`` loads the data, calls these and writes the alerts.

Each alert has a dedup key per (rule, store, window): firing again updates the open alert. An
alert resolves when its condition clears, with hysteresis: it must drop below ``CLEAR_FACTOR`` of
the threshold, so it does not flap. Inside the band an open alert is kept (its key is in
``keep``) but no new one is opened. During a surge season the caller divides the threshold by
the calendar's alert sensitivity: warnings come earlier when customers are harsher.

An interval is over target when served customers wait longer than the threshold, or when more of
its customers walk away than the service-level target allows (``lost_share``: 1 − 0.8 = a fifth),
counting only intervals that lose at least one customer. Both count because customers who run out
of patience leave: under overload the wait of those still served stays short, and the walk-aways
are where the rush shows (issue 14).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from alerts.kinds import (
    AlertKind,
    AlertParams,
    BelowPolicy,
    EarlyWarning,
    PersonReason,
    SoloRush,
    WaitNow,
)

HORIZON = timedelta(hours=2)
"""How far ahead early warnings look (DOMAIN.md: arrange help before the rush)."""
CLEAR_FACTOR = 0.8
RUSH_UTILISATION = 0.85
SLOT = timedelta(minutes=15)
RULE_KINDS = (
    AlertKind.EARLY_WARNING,
    AlertKind.WAIT_NOW,
    AlertKind.SOLO_RUSH,
    AlertKind.BELOW_POLICY,
)
"""The kinds the rules own: an open alert of these whose key is not kept any more resolves."""


class Interval(Protocol):
    """One 15-minute interval of a store-day model (local ``start``)."""

    @property
    def start(self) -> datetime: ...
    @property
    def mean_wait_minutes(self) -> float: ...
    @property
    def backlog(self) -> float: ...
    @property
    def rostered_staff(self) -> int: ...
    @property
    def utilisation(self) -> float | None: ...
    @property
    def walked_away(self) -> float: ...
    @property
    def orders(self) -> float: ...


class ShiftPressure(Protocol):
    """A person's shift with its pressure reasons (``staffing.pressure.Reason`` as dicts)."""

    @property
    def name(self) -> str: ...
    @property
    def shift_start(self) -> datetime: ...
    @property
    def shift_end(self) -> datetime: ...
    @property
    def reasons(self) -> Sequence[Mapping[str, Any]]: ...


class PolicyVerdict(Protocol):
    """A store's tier-policy verdict (``StoreSummary``)."""

    @property
    def id(self) -> int: ...
    @property
    def policy_status(self) -> str: ...
    @property
    def policy_staff_per_shift(self) -> int | None: ...
    @property
    def rostered_staff_per_shift(self) -> float: ...
    @property
    def avg_daily_revenue(self) -> float: ...


@dataclass(frozen=True)
class Firing:
    """An alert a rule wants open (raised, or updated when one with ``dedup_key`` is open)."""

    kind: AlertKind
    store_id: int | None
    dedup_key: str
    severity: str
    params: AlertParams
    extra: dict[str, Any] = field(default_factory=dict)
    """Details kept beside the parameters (the window as ISO instants)."""


@dataclass
class Verdict:
    """What the rules decided: alerts to raise, and per kind the keys whose open alert stays open."""

    firings: list[Firing] = field(default_factory=list)
    keep: dict[AlertKind, set[str]] = field(default_factory=lambda: {k: set() for k in RULE_KINDS})

    def extend(self, other: Verdict) -> None:
        self.firings += other.firings
        for kind, keys in other.keep.items():
            self.keep[kind] |= keys


def _window(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [i for i in intervals if start <= i.start < end]


MIN_LOST = 1.0
"""An interval counts as losing customers from one expected walk-away on (fewer is noise)."""


def over_target(interval: Interval, threshold: float, lost_share: float) -> float:
    """How far over target an interval is: 1 at the threshold, the worse of the served wait against
    ``threshold`` and the walk-aways against ``lost_share`` of its orders."""
    wait = interval.mean_wait_minutes / threshold if threshold > 0 else 0.0
    walked = interval.walked_away
    if walked < MIN_LOST:
        return wait
    allowed = lost_share * max(interval.orders, walked)
    return max(wait, walked / allowed if allowed > 0 else float("inf"))


def shift_reasons(
    pressure: Iterable[ShiftPressure], start: datetime, end: datetime
) -> tuple[PersonReason, ...]:
    """The pressure reasons of the people on shift in the window, worst shift first (at most 8)."""
    reasons: list[PersonReason] = []
    for person in pressure:
        if person.shift_start < end and person.shift_end > start:
            # The strongest reasons, and always the time alone: it is what the warning is about.
            chosen = list(person.reasons[:3]) + [r for r in person.reasons[3:] if r.get("factor") == "alone"]
            reasons += [
                PersonReason(
                    person.name,
                    str(r.get("template") or ""),
                    dict(r.get("params") or {}),
                    str(r.get("explanation") or ""),
                )
                for r in chosen
            ]
    return tuple(reasons[:8])


def store_rules(
    store_id: int,
    day: date,
    intervals: Sequence[Interval],
    pressure: Sequence[ShiftPressure],
    threshold: float,
    local_now: datetime,
    lost_share: float = 0.2,
) -> Verdict:
    """Early warning, long wait now and alone in a rush for one store at ``local_now``.

    ``threshold``: the wait target in minutes; ``lost_share``: the share of an interval's customers
    that may walk away (1 − the service-level target); the caller scales both for surge seasons.
    """
    verdict = Verdict()
    slot_start = local_now.replace(minute=local_now.minute - local_now.minute % 15, second=0, microsecond=0)
    ahead = _window(intervals, slot_start + SLOT, local_now + HORIZON)
    current = _window(intervals, slot_start, slot_start + SLOT)
    _early_warning(verdict, store_id, day, ahead, pressure, threshold, lost_share)
    if current:
        _now_rules(verdict, store_id, current[0], pressure, threshold, lost_share)
    return verdict


def _early_warning(
    verdict: Verdict,
    store_id: int,
    day: date,
    ahead: list[Interval],
    pressure: Sequence[ShiftPressure],
    threshold: float,
    lost_share: float,
) -> None:
    ratios = [over_target(i, threshold, lost_share) for i in ahead]
    if not ratios or max(ratios) < CLEAR_FACTOR:
        return
    key = f"early_warning:{store_id}:{day.isoformat()}"
    verdict.keep[AlertKind.EARLY_WARNING].add(key)
    if max(ratios) <= 1.0:
        return  # inside the hysteresis band: keep an open warning, do not open a new one
    over = [i for i, ratio in zip(ahead, ratios, strict=True) if ratio > 1.0]
    solo = any(i.rostered_staff == 1 for i in over)
    start, end = over[0].start, over[-1].start + SLOT
    window = _window(ahead, start, end)
    params = EarlyWarning(
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
        peak_wait_minutes=float(max(i.mean_wait_minutes for i in window)),
        alone=solo,
        reasons=shift_reasons(pressure, start, end),
        walked_away=round(float(sum(i.walked_away for i in window)), 1),
    )
    verdict.firings.append(
        Firing(
            AlertKind.EARLY_WARNING,
            store_id,
            key,
            "warning",
            params,
            {"from": start.isoformat(), "to": end.isoformat()},
        )
    )


def _now_rules(
    verdict: Verdict,
    store_id: int,
    current: Interval,
    pressure: Sequence[ShiftPressure],
    threshold: float,
    lost_share: float,
) -> None:
    ratio = over_target(current, threshold, lost_share)
    if ratio >= CLEAR_FACTOR:
        key = f"wait_now:{store_id}"
        verdict.keep[AlertKind.WAIT_NOW].add(key)
        if ratio > 1.0:
            params = WaitNow(
                wait_minutes=float(current.mean_wait_minutes),
                backlog=float(current.backlog),
                staff_on_shift=int(current.rostered_staff),
                walked_away=round(float(current.walked_away), 1),
            )
            verdict.firings.append(Firing(AlertKind.WAIT_NOW, store_id, key, "critical", params))
    utilisation = current.utilisation if current.utilisation is not None else float("inf")
    if current.rostered_staff == 1 and utilisation >= CLEAR_FACTOR * RUSH_UTILISATION:
        key = f"solo_rush:{store_id}"
        verdict.keep[AlertKind.SOLO_RUSH].add(key)
        if utilisation >= RUSH_UTILISATION:
            params = SoloRush(
                utilisation=None if current.utilisation is None else float(current.utilisation),
                reasons=shift_reasons(pressure, current.start, current.start + SLOT),
            )
            verdict.firings.append(Firing(AlertKind.SOLO_RUSH, store_id, key, "warning", params))


def policy_rules(verdicts: Iterable[PolicyVerdict]) -> Verdict:
    """A roster outside the tier policy (below it, or in a gap of it) for each store with one."""
    verdict = Verdict()
    for store in verdicts:
        if store.policy_status not in ("below_policy", "gap"):
            continue
        key = f"below_policy:{store.id}"
        verdict.keep[AlertKind.BELOW_POLICY].add(key)
        params = BelowPolicy(
            policy_status=store.policy_status,
            rostered_per_shift=store.rostered_staff_per_shift,
            policy_staff=store.policy_staff_per_shift,
            revenue=store.avg_daily_revenue,
        )
        verdict.firings.append(Firing(AlertKind.BELOW_POLICY, store.id, key, "info", params))
    return verdict
