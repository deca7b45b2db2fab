"""The surge calendar: the 3·15 season by default, plus holidays and promotions a manager adds."""

from datetime import date

import numpy as np
import pytest

from staffing.surge import CONSUMER_RIGHTS_SEASON, SurgeCalendar, SurgePeriod, as_days, weekday

PROMO = SurgePeriod(
    "spring promotion", date(2026, 3, 9), date(2026, 3, 11), demand_factor=1.3, alert_sensitivity=1.1
)


def test_consumer_rights_season_applies_on_march_10_not_april_10():
    factor = SurgeCalendar.default().factor_for([date(2026, 3, 10), date(2026, 4, 10)])
    assert factor.tolist() == [1.15, 1.0]


@pytest.mark.parametrize(
    ("day", "in_season"),
    [
        ("2026-02-19", False),
        ("2026-02-20", True),
        ("2027-03-15", True),
        ("2027-03-16", False),
        ("2028-02-29", True),
    ],
)
def test_season_is_20_february_to_15_march_every_year(day, in_season):
    calendar = SurgeCalendar.default()
    assert bool(calendar.factor_for(day)[0] > 1) is in_season
    assert bool(calendar.sensitivity_for(day)[0] > 1) is in_season


def test_added_promotion_applies_and_overlaps_multiply_demand_but_take_max_sensitivity():
    calendar = SurgeCalendar.default().with_period(PROMO)
    days = ["2026-03-08", "2026-03-10", "2026-03-12"]
    assert calendar.factor_for(days) == pytest.approx([1.15, 1.15 * 1.3, 1.15])
    assert calendar.sensitivity_for(days) == pytest.approx([1.25, 1.25, 1.25])
    assert calendar.labels_for("2026-03-10") == (CONSUMER_RIGHTS_SEASON.label, "spring promotion")
    assert calendar.without("spring promotion") == SurgeCalendar.default()


def test_a_quiet_holiday_can_lower_demand():
    closed_offices = SurgePeriod("Spring Festival", date(2026, 2, 15), date(2026, 2, 23), demand_factor=0.6)
    factor = SurgeCalendar.default().with_period(closed_offices).factor_for(["2026-02-16", "2026-02-21"])
    assert factor == pytest.approx([0.6, 0.6 * 1.15])


def test_yearly_period_wraps_over_new_year():
    holidays = SurgePeriod("year end", date(2000, 12, 20), date(2000, 1, 5), demand_factor=1.2, yearly=True)
    factor = SurgeCalendar((holidays,)).factor_for(["2026-12-19", "2026-12-31", "2027-01-05", "2027-01-06"])
    assert factor.tolist() == [1.0, 1.2, 1.2, 1.0]


def test_store_specific_promotion_only_touches_its_stores():
    local = SurgePeriod(
        "mall opening", date(2026, 5, 1), date(2026, 5, 3), demand_factor=1.5, stores=frozenset({"B"})
    )
    calendar = SurgeCalendar.default().with_period(local)
    by_store = calendar.factor_for(["2026-05-02", "2026-03-01"], stores=["A", "B"])
    assert by_store.shape == (2, 2)
    assert by_store.tolist() == [[1.0, 1.15], [1.5, 1.15]]
    assert calendar.factor_for("2026-05-02").tolist() == [1.0]  # chain-wide view


def test_factor_for_is_vectorised_over_a_year():
    days = np.datetime64("2026-01-01") + np.arange(365)
    factor = SurgeCalendar.default().factor_for(days)
    assert factor.shape == (365,)
    assert (factor > 1).sum() == 24  # 20 Feb - 15 Mar 2026


def test_invalid_periods_are_refused():
    with pytest.raises(ValueError, match="ends"):
        SurgePeriod("oops", date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(ValueError, match="positive"):
        SurgePeriod("oops", date(2026, 3, 1), date(2026, 3, 2), demand_factor=0)


def test_weekday_is_monday_zero():
    assert weekday(as_days(["2026-03-09", "2026-03-15"])).tolist() == [0, 6]
