"""Labour cost arithmetic: a shift's cost to the cent, a day's sum, labour % of sales."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from staffing.labour import WageError, check_wage, hours_cost, labour_percent, shift_cost, total_cost

wages = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)


def test_a_three_hour_cover_at_32_an_hour_costs_96():
    assert hours_cost(3, Decimal("32")) == Decimal("96.00")
    assert shift_cost(7 * 60 + 15, Decimal("48.00")) == Decimal("348.00")


def test_fewer_hours_are_a_saving():
    assert hours_cost(-1.5, Decimal("32")) == Decimal("-48.00")


def test_rounding_is_half_up_to_the_cent():
    # 1 minute at 0.30/h is 0.005: a payslip rounds it up, not to even.
    assert shift_cost(1, Decimal("0.30")) == Decimal("0.01")
    assert shift_cost(1, Decimal("0.29")) == Decimal("0.00")
    assert shift_cost(20, Decimal("25.55")) == Decimal("8.52")  # 8.5166...


@given(st.integers(min_value=0, max_value=24 * 60), wages)
def test_cost_is_exact_to_the_cent_and_never_negative(minutes, wage):
    cost = shift_cost(minutes, wage)
    assert cost >= 0 and cost == cost.quantize(Decimal("0.01"))
    assert abs(cost - Decimal(minutes) * wage / 60) <= Decimal("0.005")


@given(st.integers(min_value=0, max_value=600), st.integers(min_value=0, max_value=600), wages)
def test_cost_grows_with_minutes(a, b, wage):
    low, high = sorted((a, b))
    assert shift_cost(low, wage) <= shift_cost(high, wage)


def test_a_day_is_the_sum_of_its_rounded_shifts():
    costs = [shift_cost(m, Decimal("25.55")) for m in (20, 20, 20)]
    assert total_cost(costs) == Decimal("25.56")  # 3 × 8.52, as the roster lines add up
    assert total_cost([]) == Decimal("0.00")


def test_labour_percent_of_sales():
    assert labour_percent(Decimal("580"), Decimal("2939.82")) == 19.7
    assert labour_percent(Decimal("580"), 0) is None


@pytest.mark.parametrize(
    ("given_wage", "problem"),
    [("-1", "zero or more"), ("abc", "not an amount"), ("1000000", "per hour"), ("nan", "zero or more")],
)
def test_bad_wages_say_what_to_give(given_wage, problem):
    with pytest.raises(WageError, match=problem):
        check_wage(given_wage)


def test_wages_accept_yuan_signs_and_round_to_the_cent():
    assert check_wage("¥32.505") == Decimal("32.51")
    assert check_wage("1,200") == Decimal("1200.00")
