"""The alert rules decide without a database: day models in, alerts of which kind with which parameters out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from alerts.kinds import AlertKind, BelowPolicy, EarlyWarning, SoloRush, WaitNow, render_alert
from alerts.rules import CLEAR_FACTOR, policy_rules, store_rules

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 9)
SIX = datetime(2026, 3, 9, 6, 0, tzinfo=ZONE)


@dataclass(frozen=True)
class Slot:
    start: datetime
    mean_wait_minutes: float
    backlog: float = 3.0
    rostered_staff: int = 1
    utilisation: float | None = 0.5
    walked_away: float = 0.0
    orders: float = 10.0


@dataclass(frozen=True)
class Shift:
    name: str
    shift_start: datetime
    shift_end: datetime
    reasons: list[dict] = field(default_factory=list)


def _day(waits: list[float], staff: int = 1, utilisation: float | None = 0.5) -> list[Slot]:
    return [
        Slot(SIX + timedelta(minutes=15 * k), w, rostered_staff=staff, utilisation=utilisation)
        for k, w in enumerate(waits)
    ]


ALONE = {"factor": "alone", "template": "t", "params": {}, "explanation": "alone 07:00-08:00"}
SHIFT = Shift("王芳", SIX, SIX + timedelta(hours=8), [ALONE])


def test_a_rush_ahead_raises_an_early_warning_with_its_window_and_reasons():
    verdict = store_rules(1, DAY, _day([1, 1, 2, 9, 12, 6, 1]), [SHIFT], 5.0, SIX + timedelta(minutes=5))
    (firing,) = verdict.firings
    assert firing.kind is AlertKind.EARLY_WARNING and firing.dedup_key == "early_warning:1:2026-03-09"
    assert isinstance(firing.params, EarlyWarning)
    assert (firing.params.start, firing.params.end, firing.params.peak_wait_minutes) == ("06:45", "07:30", 12)
    assert firing.params.alone and firing.params.reasons[0].person == "王芳"
    assert firing.extra["from"] == (SIX + timedelta(minutes=45)).isoformat()
    assert render_alert(firing.kind, firing.params, "en", "SH001 X").headline == (
        "Rush ahead at SH001 X: waits up to 12 min from 06:45 with one person alone"
    )


def test_customers_walking_away_raise_the_warning_even_when_served_waits_are_short():
    """Under overload the served customers' wait stays short (the others left): walk-aways count."""
    walked = [0.2, 0.5, 3.0, 6.0, 1.5, 0.4]
    slots = [
        Slot(SIX + timedelta(minutes=15 * k), 1.5, walked_away=w, orders=12.0) for k, w in enumerate(walked)
    ]
    verdict = store_rules(1, DAY, slots, [SHIFT], 3.0, SIX + timedelta(minutes=5), lost_share=0.2)
    (firing,) = verdict.firings
    assert (firing.params.start, firing.params.end) == ("06:30", "07:00")
    assert firing.params.walked_away == 9.0
    assert render_alert(firing.kind, firing.params, "en", "SH001 X").title == (
        "Rush ahead: about 9 customers may walk away at 06:30-07:00, one person alone"
    )
    assert "约 9 位顾客可能离开" in render_alert(firing.kind, firing.params, "zh_CN", "SH001 X").title
    # a fifth of 12 orders is 2.4: 1.5 walk-aways alone are inside the target, and under one is noise
    calm = [Slot(s.start, 1.5, walked_away=min(s.walked_away, 1.5), orders=12.0) for s in slots]
    assert not store_rules(1, DAY, calm, [SHIFT], 3.0, SIX + timedelta(minutes=5)).firings


def test_inside_the_hysteresis_band_an_open_warning_is_kept_but_none_is_opened():
    threshold = 5.0
    inside = threshold * (CLEAR_FACTOR + 1) / 2
    verdict = store_rules(1, DAY, _day([1, 1, inside, 1]), [], threshold, SIX)
    assert verdict.firings == []
    assert verdict.keep[AlertKind.EARLY_WARNING] == {"early_warning:1:2026-03-09"}
    below = store_rules(1, DAY, _day([1, 1, threshold * CLEAR_FACTOR * 0.9, 1]), [], threshold, SIX)
    assert below.keep[AlertKind.EARLY_WARNING] == set()


def test_a_long_wait_now_is_critical_and_alone_in_a_rush_is_a_warning():
    verdict = store_rules(2, DAY, _day([9, 1], utilisation=0.9), [SHIFT], 5.0, SIX + timedelta(minutes=3))
    kinds = {f.kind: f for f in verdict.firings}
    assert set(kinds) == {AlertKind.WAIT_NOW, AlertKind.SOLO_RUSH}
    assert kinds[AlertKind.WAIT_NOW].severity == "critical"
    assert kinds[AlertKind.WAIT_NOW].params == WaitNow(9.0, 3.0, 1)
    assert kinds[AlertKind.SOLO_RUSH].params == SoloRush(0.9, kinds[AlertKind.SOLO_RUSH].params.reasons)
    assert kinds[AlertKind.SOLO_RUSH].severity == "warning"


def test_nobody_serving_counts_as_a_rush_and_two_people_do_not():
    unbounded = store_rules(2, DAY, _day([1, 1], utilisation=None), [], 5.0, SIX)
    assert [f.params for f in unbounded.firings] == [SoloRush(None, ())]
    two = store_rules(2, DAY, _day([1, 1], staff=2, utilisation=0.95), [], 5.0, SIX)
    assert two.firings == [] and two.keep[AlertKind.SOLO_RUSH] == set()


@dataclass(frozen=True)
class Summary:
    id: int
    policy_status: str
    policy_staff_per_shift: int | None
    rostered_staff_per_shift: float
    avg_daily_revenue: float


def test_policy_rules_raise_for_stores_below_or_in_a_gap_only():
    verdict = policy_rules(
        [
            Summary(1, "covered", 1, 1.0, 3000.0),
            Summary(2, "below_policy", 2, 1.4, 7000.0),
            Summary(3, "gap", None, 1.0, 5400.0),
        ]
    )
    assert [f.store_id for f in verdict.firings] == [2, 3]
    assert verdict.firings[1].params == BelowPolicy("gap", 1.0, None, 5400.0)
    assert verdict.keep[AlertKind.BELOW_POLICY] == {"below_policy:2", "below_policy:3"}
    assert render_alert(AlertKind.BELOW_POLICY, verdict.firings[1].params, "zh_CN").reasons == (
        "日均营业额 5,400 落在档位政策的空档中",
    )
