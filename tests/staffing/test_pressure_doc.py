"""docs/pressure.md's worked example, computed: every number the document quotes comes from here."""

from pathlib import Path

import numpy as np

from staffing.day import StaffingTargets, model_day
from staffing.pressure import Factor, ShiftLoad, shift_pressure
from staffing.stats import weighted_quantile

DOC = Path(__file__).resolve().parents[2] / "docs" / "pressure.md"


def worked_example():
    orders_per_hour = np.array(
        [10, 11, 13, 15, 18, 20, 22, 24, 25, 26, 25, 24, 22, 20, 18, 15, 12, 10, 9, 8], float
    )
    staff = np.array([2] * 4 + [1] * 12 + [2] * 4)
    day = model_day(orders_per_hour / 4, staff, StaffingTargets())
    load = ShiftLoad(
        interval_start_min=600 + 15 * np.arange(20),
        arrivals_per_hour=day.arrivals_per_hour,
        utilisation=day.utilisation,
        mean_wait_min=day.wait_minutes,
        staff_on_shift=day.staff,
        walked_away=day.walked_away,
        customer_wait_p90=float(day.wait_quantile(0.9)),
        incidents=1,
        checkin_score=4,
    )
    return orders_per_hour, day, shift_pressure(load)


def quoted_numbers() -> dict[str, str]:
    orders_per_hour, day, result = worked_example()
    alone = next(r for r in result.reasons if r.factor is Factor.ALONE)
    table = ["| factor | points | explanation |", "|---|---|---|"]
    table += [f"| {r.factor.value} | {r.points:.1f} | {r.explanation} |" for r in result.reasons]
    table += [f"| (unknown) | 0 | {r.explanation} |" for r in result.unknown]
    table.append(f"| **index** | **{result.index:.1f}** | **{result.level.value}** |")
    return {
        "P90_WAIT": f"{float(day.wait_quantile(0.9)):.1f}",
        "P90_MEANS": f"{weighted_quantile(day.wait_minutes, orders_per_hour, 0.9):.1f}",
        "LOST_ALONE": f"{day.walked_away[4:16].sum():.0f}",
        "LOST": f"{day.lost_orders:.0f}",
        "ALONE_LOAD": f"{alone.params['alone_load_min']:.1f}",
        "ALONE_POINTS": f"{alone.points:.1f}",
        "REASON_TABLE": "\n".join(table),
    }


def test_worked_example_numbers_are_the_documented_ones():
    text = DOC.read_text(encoding="utf-8")
    for key, value in quoted_numbers().items():
        assert key not in text, f"placeholder {key} left in docs/pressure.md"
        assert value in text, f"{key} = {value} is not what docs/pressure.md says"
