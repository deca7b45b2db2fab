"""The pressure index as a store manager would read it: levels, reasons, and numbers that make sense."""

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from staffing.pressure import (
    TEMPLATES,
    Factor,
    Level,
    PressureConfig,
    ShiftLoad,
    ShiftRows,
    burnout_risk,
    pressure_for_shifts,
    score_shifts,
    shift_pressure,
)


def shift(
    start: str = "11:00", hours: float = 3.0, orders: float = 48, rho: float = 0.93, wait=None, staff=1, **kw
):
    """A shift with the same load in every 15-minute interval; wait from M/M/c-like 1/(1-ρ) growth."""
    h, m = map(int, start.split(":"))
    n = int(hours * 4)
    if wait is None:
        # Erlang C with one server (M/M/1): Wq = ρ·S/(1-ρ), S = 60·ρ/λ minutes.
        wait = rho * (60 * rho / orders) / (1 - rho) if rho < 1 else np.inf
    return ShiftLoad(h * 60 + m + 15 * np.arange(n), orders, rho, wait, staff, **kw)


def test_solo_lunch_rush_is_red_and_the_alone_reason_names_the_alone_period():
    result = shift_pressure(shift("11:00", 3, orders=48, rho=0.93))
    assert result.level is Level.RED
    top = next(r for r in result.reasons if r.factor is Factor.ALONE)
    assert "11:00-14:00" in top.explanation
    assert "48 orders/h" in top.explanation
    assert "utilisation 0.93" in top.explanation
    assert top.params["alone_min"] == 180


def test_calm_two_person_shift_is_green():
    calm = shift("07:00", 4, orders=30, rho=0.55, wait=0.4, staff=2, breaks=[(540, 555)])
    result = shift_pressure(calm)
    assert result.level is Level.GREEN
    assert result.index < 10
    assert all(r.factor is not Factor.ALONE for r in result.reasons)


def test_every_alone_period_is_named():
    load = shift("07:00", 8, orders=30, rho=0.7, wait=1.0, staff=2)
    staff = load.staff_on_shift.copy()
    staff[:4] = 1  # 07:00-08:00
    staff[16:28] = 1  # 11:00-14:00
    text = shift_pressure(replace(load, staff_on_shift=staff)).reasons[0].explanation
    assert "07:00-08:00" in text and "11:00-14:00" in text
    assert "240 min" in text


@pytest.mark.parametrize(
    "extra", [{"incidents": 1}, {"incidents": 1, "sensitive_incident": True}, {"checkin_score": 5}]
)
def test_an_incident_or_a_hard_check_in_raises_the_index(extra):
    base = shift("08:00", 4, orders=30, rho=0.8, wait=2.0, staff=2)
    worse = shift("08:00", 4, orders=30, rho=0.8, wait=2.0, staff=2, **extra)
    assert shift_pressure(worse).index > shift_pressure(base).index


def test_sensitive_trigger_weighs_more_than_a_plain_incident():
    plain = shift_pressure(shift(staff=2, incidents=1))
    sensitive = shift_pressure(shift(staff=2, incidents=1, sensitive_incident=True))
    assert sensitive.index > plain.index
    assert (
        "sensitive trigger" in next(r for r in sensitive.reasons if r.factor is Factor.INCIDENTS).explanation
    )


def test_check_in_score_rises_with_the_answer():
    indices = [shift_pressure(shift(staff=2, checkin_score=s)).index for s in range(1, 6)]
    assert indices == sorted(indices) and indices[-1] > indices[0]


def test_unbounded_wait_is_capped_and_said_in_words():
    load = shift("12:00", 1, orders=60, rho=1.1)
    result = shift_pressure(load)
    wait = next(r for r in result.reasons if r.factor is Factor.WAIT)
    assert np.isfinite(result.index)
    assert wait.params["wait_min"] == PressureConfig().wait_cap_min
    assert "grows without limit" in wait.explanation


def test_a_break_splits_the_stretch_without_one():
    day = shift("08:00", 8, orders=20, rho=0.5, wait=0.5, staff=2, breaks_recorded=True)
    no_break = shift_pressure(day).values[Factor.NO_BREAK]
    with_break = shift_pressure(replace(day, breaks=((720, 750),))).values[Factor.NO_BREAK]
    short_pause = shift_pressure(replace(day, breaks=((720, 725),))).values[Factor.NO_BREAK]
    assert no_break == 8.0
    assert with_break == 4.0  # 08:00-12:00, then 12:30-16:00
    assert short_pause == 8.0  # 5 minutes is not a break
    reason = next(r for r in shift_pressure(day).reasons if r.factor is Factor.NO_BREAK)
    assert reason.explanation == "8.0 h without a break (08:00-16:00)"


def test_overnight_shift_reads_in_wall_clock_time():
    night = shift("22:00", 4, orders=20, rho=0.9, wait=5.0)
    alone = next(r for r in shift_pressure(night).reasons if r.factor is Factor.ALONE)
    assert "22:00-02:00" in alone.explanation


def test_reasons_are_sorted_add_up_and_rebuild_from_template():
    result = shift_pressure(shift(incidents=2, checkin_score=4))
    points = [r.points for r in result.reasons]
    assert points == sorted(points, reverse=True)
    assert result.index == pytest.approx(sum(points))
    for r in result.reasons:
        assert r.template in TEMPLATES.values()
        assert r.template.format(**r.params) == r.explanation


def test_batch_gives_the_same_results_in_order():
    loads = [shift(), shift(staff=2, rho=0.5, wait=0.3), shift(incidents=1)]
    assert [r.index for r in pressure_for_shifts(loads)] == [shift_pressure(x).index for x in loads]


@pytest.mark.parametrize(
    ("index", "level"),
    [(0, Level.GREEN), (34.9, Level.GREEN), (35, Level.AMBER), (64.9, Level.AMBER), (65, Level.RED)],
)
def test_level_thresholds(index, level):
    assert PressureConfig().level_for(index) is level


def test_config_weights_must_add_up_to_100():
    with pytest.raises(ValueError, match="add up to 100"):
        PressureConfig(alone_points=40)
    PressureConfig(alone_points=30, wait_points=10)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="utilisation"):
        ShiftLoad(np.arange(2) * 15, 10, [0.5, np.nan], 1.0, 1)
    with pytest.raises(ValueError, match="checkin"):
        shift(checkin_score=6)


# --- properties -------------------------------------------------------------------------------

N = st.integers(min_value=1, max_value=24)


@st.composite
def loads(draw):
    n = draw(N)
    floats = lambda lo, hi: hnp.arrays(float, n, elements=st.floats(lo, hi))  # noqa: E731
    waits = draw(hnp.arrays(float, n, elements=st.floats(0, 120) | st.just(np.inf)))
    incidents = draw(st.integers(0, 4))
    start = draw(st.integers(0, 20 * 60))
    brk = draw(st.none() | st.tuples(st.integers(0, 600), st.integers(0, 60)))
    return ShiftLoad(
        start + 15 * np.arange(n),
        draw(floats(0, 200)),
        draw(floats(0, 1.5)),
        waits,
        draw(hnp.arrays(int, n, elements=st.integers(1, 3))),
        breaks=[] if brk is None else [(start + brk[0], start + brk[0] + brk[1])],
        incidents=incidents,
        sensitive_incident=incidents > 0 and draw(st.booleans()),
        checkin_score=draw(st.none() | st.integers(1, 5)),
    )


@settings(max_examples=30, deadline=None)
@given(loads())
def test_index_never_leaves_0_to_100(load):
    result = shift_pressure(load)
    assert 0 <= result.index <= 100
    assert all(r.points > 0 for r in result.reasons)


@settings(max_examples=30, deadline=None)
@given(loads(), st.data())
def test_more_time_alone_never_lowers_the_index(load, data):
    alone = data.draw(hnp.arrays(bool, load.staff_on_shift.size))
    more_alone = replace(load, staff_on_shift=np.where(alone, 1, load.staff_on_shift))
    assert shift_pressure(more_alone).index >= shift_pressure(load).index - 1e-9


@settings(max_examples=30, deadline=None)
@given(loads(), st.data())
def test_higher_utilisation_never_lowers_the_index(load, data):
    extra = data.draw(hnp.arrays(float, load.utilisation.size, elements=st.floats(0, 0.5)))
    busier = replace(load, utilisation=load.utilisation + extra)
    assert shift_pressure(busier).index >= shift_pressure(load).index - 1e-9


@settings(max_examples=40, deadline=None)
@given(st.lists(loads(), min_size=1, max_size=5), st.data())
def test_a_shift_scores_the_same_alone_and_among_longer_and_shorter_ones(many, data):
    """A chain's week scores its shifts together (``score_shifts``): each must get exactly the
    index, values and scores it gets alone, whatever the other rows' lengths, gaps included."""
    many = [
        replace(load, interval_start_min=load.interval_start_min + 15 * np.cumsum(gaps))
        for load in many
        for gaps in [data.draw(hnp.arrays(bool, load.interval_start_min.size))]
    ]
    together = score_shifts(ShiftRows.of_loads(many))
    for k, load in enumerate(many):
        alone = shift_pressure(load)
        assert together.index[k] == alone.index
        assert together.of_shift(k)[:2] == (alone.values, alone.scores)


def test_a_gap_in_time_ends_a_rush():
    """Busy 11:00-12:00 and again 12:30-13:30 is two one-hour rushes, not two hours straight."""
    starts = np.concatenate([660 + 15 * np.arange(4), 750 + 15 * np.arange(4)])
    load = ShiftLoad(starts, 40.0, 0.95, 2.0, 2)
    result = shift_pressure(load)
    assert result.values[Factor.RUSH] == 60
    assert result.values[Factor.BUSY] == 120
    joined = replace(load, interval_start_min=660 + 15 * np.arange(8))
    assert shift_pressure(joined).values[Factor.RUSH] == 120


def test_shifts_cut_from_a_day_grid_score_as_their_own_loads():
    """The day model's grid with each shift's span marked (how store-days score their shifts)
    gives every shift the result of its own ``ShiftLoad``, incidents and check-ins included."""
    rng = np.random.default_rng(8)
    day = {
        "utilisation": rng.uniform(0, 1.3, 96),
        "arrivals_per_hour": rng.gamma(2, 15, 96),
        "mean_wait_min": np.where(rng.random(96) < 0.05, np.inf, rng.exponential(4, 96)),
        "staff_on_shift": rng.integers(1, 3, 96).astype(float),
        "walked_away": rng.exponential(0.4, 96),
    }
    spans = [(28, 60), (40, 44), (56, 95), (0, 96), (70, 71)]
    p90 = rng.exponential(5, len(spans))
    incidents, sensitive, checkins = (
        [0, 2, 1, 0, 0],
        [False, True, False, False, False],
        [np.nan, 4, 2, np.nan, 5],
    )
    inside = np.zeros((len(spans), 96), dtype=bool)
    for k, (a, b) in enumerate(spans):
        inside[k, a:b] = True
    grid = {name: np.broadcast_to(values, inside.shape) for name, values in day.items()}
    rows = ShiftRows.on_day_grid(
        inside,
        **grid,
        customer_wait_p90=p90,
        incidents=incidents,
        sensitive_incident=sensitive,
        checkin_score=checkins,
    )
    scored = score_shifts(rows)
    for k, (a, b) in enumerate(spans):
        load = ShiftLoad(
            15.0 * np.arange(a, b),
            **{name: values[a:b] for name, values in day.items()},
            customer_wait_p90=p90[k],
            incidents=incidents[k],
            sensitive_incident=sensitive[k],
            checkin_score=None if np.isnan(checkins[k]) else int(checkins[k]),
            breaks_recorded=False,
        )
        alone = shift_pressure(load)
        assert scored.index[k] == alone.index
        assert scored.levels()[k] is alone.level
        assert scored.of_shift(k)[:2] == (alone.values, alone.scores)
    assert len(set(np.round(scored.index))) >= 4  # shifts that differ, not one repeated answer


# --- burnout ----------------------------------------------------------------------------------

MONDAY = date(2026, 3, 2)


def week(levels: str, start: date = MONDAY):
    """'RGRAR' -> five working days with those levels."""
    names = {"R": Level.RED, "A": Level.AMBER, "G": Level.GREEN}
    return [(start + timedelta(days=i), names[c]) for i, c in enumerate(levels)]


@pytest.mark.parametrize(
    ("history", "at_risk"),
    [
        ("RRRGG", True),  # exactly k of n
        ("RRGGG", False),  # k - 1
        ("RRRRR", True),
        ("RRRGGGGG", False),  # three red, but not within the last five days
        ("GGRRR", True),
        ("RR", False),  # only two days on record
        ("RRR", True),  # three red in the first three days: k red among fewer than n still count
        ("AAAAA", False),  # amber is not red
    ],
)
def test_burnout_k_of_n(history, at_risk):
    assert burnout_risk(week(history)).at_risk is at_risk


def test_burnout_counts_a_day_once_and_by_its_worst_shift():
    days = week("GGGGG")
    double = [(MONDAY, Level.RED), (MONDAY, Level.RED), (MONDAY + timedelta(days=1), "red")]
    result = burnout_risk(days + double)
    assert not result.at_risk and len(result.red_days) == 2
    assert burnout_risk(days + double + [(MONDAY + timedelta(days=2), "red")]).at_risk


def test_burnout_looks_at_working_days_not_calendar_days_and_respects_as_of():
    sparse = [(MONDAY + timedelta(days=7 * i), Level.RED) for i in range(3)]  # one shift a week
    assert burnout_risk(reversed(sparse)).at_risk
    assert not burnout_risk(sparse, as_of=MONDAY + timedelta(days=8)).at_risk


def test_burnout_explanation_names_the_days_and_the_support():
    result = burnout_risk(week("RGRGR"))
    assert result.at_risk
    assert "3 of the last 5 working days" in result.explanation
    assert "2026-03-02" in result.explanation and "support hotline" in result.explanation
    assert burnout_risk(week("RGRGR"), k=4).explanation.startswith("no burnout risk")


def test_burnout_rejects_k_above_n():
    with pytest.raises(ValueError):
        burnout_risk([], k=6, n=5)


# --- issue 14: missing data is unknown, alone scores with its load, one load group, walk-aways ---


def test_unrecorded_breaks_score_nothing_and_say_so():
    day = shift("08:00", 8, orders=4, rho=0.1, wait=0.1, staff=1)
    result = shift_pressure(day)
    assert Factor.NO_BREAK not in result.values
    assert [r.explanation for r in result.unknown] == ["breaks not recorded"]
    recorded = shift_pressure(replace(day, breaks_recorded=True))
    assert recorded.values[Factor.NO_BREAK] == 8.0 and recorded.index > result.index


def test_load_factors_are_counted_once():
    busy = shift("07:00", 4, orders=60, rho=0.97, wait=9.0, staff=2)
    result = shift_pressure(busy)
    load = [
        r for r in result.reasons if r.factor in (Factor.WAIT, Factor.UTILISATION, Factor.BUSY, Factor.RUSH)
    ]
    assert len(load) == 1
    caps = PressureConfig().caps()
    assert (
        load[0].points <= caps[Factor.WAIT] + caps[Factor.UTILISATION] + caps[Factor.BUSY] + caps[Factor.RUSH]
    )


def _solo_store_day(per_hour: np.ndarray, service: float = 2.0):
    """A real solo day through the day model: 07:00-19:00, alone all day, no break data."""
    from staffing.day import StaffingTargets, model_day

    orders = per_hour / 4.0
    model = model_day(orders, np.ones(orders.size), StaffingTargets(service_minutes=service))
    mask = np.ones(orders.size, dtype=bool)
    return ShiftLoad(
        interval_start_min=7 * 60 + 15 * np.arange(orders.size),
        arrivals_per_hour=model.arrivals_per_hour,
        utilisation=np.minimum(model.utilisation, 50.0),
        mean_wait_min=model.wait_minutes,
        staff_on_shift=model.staff,
        walked_away=model.walked_away,
        customer_wait_p90=float(model.wait_quantile(0.9, mask)),
    )


def test_quiet_solo_store_is_green_on_at_least_80_percent_of_shifts():
    rng = np.random.default_rng(180)
    levels = []
    for _ in range(30):  # a month of shifts at 1-5 orders/h, alone all day, no break data
        per_hour = rng.uniform(1.0, 5.0, 48)
        levels.append(shift_pressure(_solo_store_day(per_hour)).level)
    assert sum(level is Level.GREEN for level in levels) >= 0.8 * len(levels)


def test_solo_store_through_a_95_orders_rush_is_red_with_walk_aways():
    per_hour = np.full(48, 10.0)
    per_hour[2:10] = 95.0  # 07:30-09:30
    result = shift_pressure(_solo_store_day(per_hour))
    assert result.level is Level.RED
    walked = next(r for r in result.reasons if r.factor is Factor.WALKED_AWAY)
    assert "customers walked away" in walked.explanation
    assert walked.template.format(**walked.params) == walked.explanation
    assert walked.params["start"] == "07:30"


def test_calibration_recovers_which_factors_staff_feel():
    """Check-ins drawn from a process that is not the index: hidden weights on alone-with-load and
    on the wait, none on break data, logistic noise. The fit ranks the factors as the process does."""
    from staffing.pressure_fit import calibrate_weights

    rng = np.random.default_rng(14)
    results, checkins = [], []
    for _ in range(400):
        staff = rng.choice([1, 2])
        rho = rng.uniform(0.05, 1.1)
        load = shift("08:00", 6, orders=40 * rho, rho=rho, wait=rng.uniform(0, 12), staff=staff)
        result = shift_pressure(load)
        latent = 3.0 * result.scores[Factor.ALONE] + 4.0 * max(
            result.scores[f] for f in (Factor.WAIT, Factor.UTILISATION, Factor.BUSY, Factor.RUSH)
        )
        latent += rng.logistic()
        checkins.append(int(np.clip(np.digitize(latent, [0.5, 2.0, 3.5, 5.0]) + 1, 1, 5)))
        results.append(result)
    fit = calibrate_weights(results, checkins)
    assert fit.coefficients["load"] > fit.coefficients["alone"] > 1.0
    assert abs(fit.coefficients["no_break"]) < 0.5
    assert fit.pseudo_r2 > 0.1 and fit.rank_correlation > 0.4
    caps = fit.proposed.caps()
    assert sum(caps.values()) == pytest.approx(100.0)
    assert "pseudo-R²" in fit.report
