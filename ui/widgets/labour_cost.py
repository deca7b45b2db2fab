"""Labour cost as the screens write it: one place for the wording, so Today, Schedule, Region and
the what-ifs say "¥96", "+¥672 a week" and "23.1 % of sales" the same way.

Plain functions returning text (no widgets of their own), so a view adds a cost with one line.
"""

from __future__ import annotations

from decimal import Decimal

from storemon.services.labour import DayLabour
from storemon.services.schedule import WeekRoster
from ui.format import money, number
from ui.i18n import fill, translate

MINUS = "−"


def cost(amount: Decimal | float | None) -> str:
    """An amount of wages to the yuan: "¥96", "¥1,250"."""
    return money(amount, 0)


def cost_change(amount: Decimal | float) -> str:
    """A change in wages with its sign: "+¥96", "−¥48", "¥0" (a saving is negative)."""
    value = float(amount)
    if round(value) == 0:
        return cost(0)
    return ("+" if value > 0 else MINUS) + cost(abs(value))


def labour_percent(percent: float | None) -> str:
    """Labour as a share of sales: "23.1%"; "—" without sales."""
    if percent is None:
        return "—"
    return fill(translate("LabourCost", "%1%"), number(percent, 1))


def day_tile(labour: DayLabour, is_today: bool) -> tuple[str, str]:
    """The Today tile: the day's labour cost, and its share of sales (so far, on the current day)."""
    value = cost(labour.cost)
    if labour.labour_percent is None:
        note = translate("LabourCost", "No sales yet to compare with")
    elif is_today:
        note = fill(
            translate("LabourCost", "%1 of sales so far (%2 of wages to now)"),
            labour_percent(labour.labour_percent),
            cost(labour.cost_to_date),
        )
    else:
        note = fill(translate("LabourCost", "%1 of sales"), labour_percent(labour.labour_percent))
    return value, note


def added_cover(amount: Decimal | None) -> str:
    """A recommendation's cost: "The cover costs ¥96 in wages." ("" when not priced)."""
    if amount is None:
        return ""
    return fill(translate("LabourCost", "The cover costs %1 in wages."), cost(amount))


def roster_whatif(per_day: Decimal, week: Decimal) -> str:
    """One more person every day: "Labour cost: ¥96 a day, +¥672 over the week."."""
    return fill(
        translate("LabourCost", "Labour cost: %1 a day, %2 over the week."), cost(per_day), cost_change(week)
    )


def tier_whatif(week: Decimal | float) -> str:
    """A candidate tier policy over the stores: "Labour cost: +¥12,480 a week." (a saving is −)."""
    return fill(translate("LabourCost", "Labour cost: %1 a week."), cost_change(week))


def shift_line(amount: Decimal, hourly_wage: Decimal, wage_source: str) -> str:
    """A shift's cost and where it comes from: "Labour cost ¥224 (¥32.00 an hour, the role's wage)"."""
    source = (
        translate("LabourCost", "the person's own wage")
        if wage_source == "person"
        else translate("LabourCost", "the role's wage")
    )
    return fill(
        translate("LabourCost", "Labour cost %1 (%2 an hour, %3)"),
        cost(amount),
        money(hourly_wage, 2),
        source,
    )


def day_heading_line(week: WeekRoster | None, column: int) -> str:
    """The Schedule's day heading's cost line ("\n¥1,160"); "" before the week is priced."""
    if week is None or column >= len(week.day_costs):
        return ""
    return "\n" + cost(week.day_costs[column])


def week_summary(week: WeekRoster) -> str:
    """The Schedule's week summary's cost: "labour ¥8,120"."""
    return fill(translate("LabourCost", "labour %1"), cost(sum(week.day_costs, Decimal(0))))


def week_wages(amount: Decimal) -> str:
    """The Region table's labour % tooltip: "Wages ¥3,785 over the last sales week"."""
    return fill(translate("LabourCost", "Wages %1 over the last sales week"), cost(amount))
