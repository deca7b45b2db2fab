"""Labour cost on a real chain, on SQLite and PostgreSQL: per shift, per day, labour % of sales,
the per-person wage winning over the role's, and who may set wages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from storemon.db.models import Role, RosterShift, StaffMember, Store
from storemon.services import labour, wages
from storemon.services.access import SYSTEM, AccessDenied, Actor
from storemon.services.reports import _daily_revenue
from storemon.services.timegrid import local_midnight

DAY = date(2026, 3, 6)  # a Friday with sales in the demo chain


def _store(session, code: str = "SH001") -> Store:
    return session.scalars(select(Store).where(Store.code == code)).one()


def _manager(store: Store) -> Actor:
    return Actor("mgr", Role.STORE_MANAGER, store.id, store.region_id)


def test_a_days_cost_is_its_shifts_minutes_times_their_wages_and_labour_percent_is_over_sales(demo_sessions):
    with demo_sessions() as session:
        store = _store(session)
        day = labour.day_labour(session, SYSTEM, store.code, DAY)
        start = local_midnight(DAY, store.timezone)
        shifts = session.scalars(
            select(RosterShift).where(
                RosterShift.store_id == store.id,
                RosterShift.ends_at > start,
                RosterShift.starts_at < start + timedelta(days=1),
            )
        ).all()
        assert len(day.shifts) == len(shifts) > 0
        expected = Decimal("0")
        for shift in shifts:
            minutes = (
                min(shift.ends_at, start + timedelta(days=1)) - max(shift.starts_at, start)
            ).seconds // 60
            wage = wages.DEFAULT_ROLE_WAGES[shift.role]
            expected += (Decimal(minutes) * wage / 60).quantize(Decimal("0.01"))
        assert day.cost == expected == day.cost_to_date  # a past day: all of it is "to date"
        revenue = Decimal(str(_daily_revenue(session, [store], [DAY])[store.id][0]))
        assert day.revenue == revenue.quantize(Decimal("0.01")) > 0
        assert day.labour_percent == pytest.approx(float(day.cost / day.revenue * 100), abs=0.05)
        assert day.currency == "CNY"


def test_a_persons_own_wage_wins_over_the_role_wage_and_a_role_wage_moves_the_rest(demo_sessions):
    with demo_sessions() as session:
        store = _store(session)
        before = labour.day_labour(session, SYSTEM, store.code, DAY)
        first = before.shifts[0]
        wages.set_person_wage(session, _manager(store), first.staff_code, "100")
        wages.set_role_wage(session, SYSTEM, first.role, "10")
        after = labour.day_labour(session, SYSTEM, store.code, DAY)
        mine = next(c for c in after.shifts if c.shift_id == first.shift_id)
        assert (mine.hourly_wage, mine.wage_source) == (Decimal("100.00"), "person")
        assert mine.cost == (Decimal(mine.minutes) * 100 / 60).quantize(Decimal("0.01"))
        others = [c for c in after.shifts if c.staff_code != first.staff_code and c.role == first.role]
        assert all(c.hourly_wage == Decimal("10.00") and c.wage_source == "role" for c in others)
        assert after.cost == sum(c.cost for c in after.shifts)
        # back to the role's wage
        back = wages.set_person_wage(session, _manager(store), first.staff_code, None)
        assert (back.hourly_wage, back.source) == (Decimal("10.00"), "role")
        listed = {r.role: r for r in wages.role_wages(session, SYSTEM)}
        assert listed[first.role].hourly_wage == Decimal("10.00") and not listed[first.role].default
        assert listed["executive"].default


def test_today_counts_cost_to_now_against_sales_so_far(demo_sessions):
    with demo_sessions() as session:
        store = _store(session)
        noon = local_midnight(DAY, store.timezone) + timedelta(hours=12)
        day = labour.day_labour(session, SYSTEM, store.code, DAY, noon)
        assert 0 < day.cost_to_date < day.cost
        assert day.labour_percent == pytest.approx(float(day.cost_to_date / day.revenue * 100), abs=0.05)


def test_region_week_labour_is_the_sum_of_its_days(demo_sessions):
    with demo_sessions() as session:
        stores = session.scalars(select(Store).order_by(Store.code).limit(3)).all()
        week = [DAY - timedelta(days=k) for k in range(6, -1, -1)]
        figures = labour.period_labour(session, list(stores), {s.id: week for s in stores})
        for store in stores:
            days = [labour.day_labour(session, SYSTEM, store.code, d) for d in week]
            assert figures[store.id].cost == sum(d.cost for d in days)
            assert figures[store.id].revenue == sum(d.revenue for d in days)


@pytest.mark.parametrize(
    ("wage", "problem"), [("-5", "zero or more"), ("lots", "not an amount"), ("", "not an amount")]
)
def test_bad_wages_are_refused_with_what_to_give(demo_sessions, wage, problem):
    with demo_sessions() as session:
        with pytest.raises(wages.LabourError, match=problem):
            wages.set_role_wage(session, SYSTEM, "staff", wage)
        with pytest.raises(wages.LabourError, match="no role 'barista'; give one of staff"):
            wages.set_role_wage(session, SYSTEM, "barista", "30")


def test_only_head_office_sets_role_wages_and_managers_only_their_own_people(demo_sessions):
    with demo_sessions() as session:
        store, other = _store(session), _store(session, "BJ003")
        with pytest.raises(AccessDenied, match="only head-office roles"):
            wages.set_role_wage(session, _manager(store), "staff", "40")
        stranger = session.scalars(select(StaffMember).where(StaffMember.home_store_id == other.id)).first()
        with pytest.raises(wages.NotFound, match="in your stores"):
            wages.set_person_wage(session, _manager(store), stranger.code, "40")
        mine = wages.person_wages(session, _manager(store))
        assert mine and {p.store for p in mine} == {store.code}
        with pytest.raises(AccessDenied):
            wages.person_wages(session, Actor("barista", Role.STAFF, store.id, store.region_id))


def test_a_what_if_addition_costs_the_staff_wage(demo_sessions):
    with demo_sessions() as session:
        assert wages.added_person_cost(session, 3) == Decimal("96.00")
        wages.set_role_wage(session, SYSTEM, "staff", "30.50")
        assert wages.added_person_cost(session, 3) == Decimal("91.50")


def test_wages_survive_a_commit(demo_sessions):
    with demo_sessions() as session:
        wages.set_role_wage(session, SYSTEM, "shift_lead", "41.25", datetime(2026, 3, 9, tzinfo=UTC))
        session.commit()
    with demo_sessions() as session:
        assert wages.hourly_wages(session)[Role.SHIFT_LEAD] == Decimal("41.25")


def test_the_weekly_report_has_each_days_labour_cost_and_the_weeks_share_of_sales(demo_sessions):
    from storemon.services.reports import weekly_store_report

    with demo_sessions() as session:
        report = weekly_store_report(
            session, SYSTEM, "SH001", "2026-W10", datetime(2026, 3, 9, 3, tzinfo=UTC)
        )
        days = [labour.day_labour(session, SYSTEM, "SH001", row.day) for row in report.days]
    assert [row.labour_cost for row in report.days] == [float(d.cost) for d in days]
    assert report.week.labour_cost == float(sum(d.cost for d in days)) > 0
    revenue = sum(d.revenue for d in days)
    assert report.week.labour_percent == pytest.approx(
        float(sum(d.cost for d in days) / revenue * 100), abs=0.05
    )
    numbers = dict(report.key_numbers())
    assert numbers["Labour cost"] == report.week.labour_cost
    assert numbers["Labour % of sales"] == report.week.labour_percent
    assert "Labour cost" in [c.header for c in report.tables()[0][1]]


def test_staff_and_shift_leads_see_labour_totals_but_not_what_each_person_is_paid(demo_sessions):
    from storemon.services.schedule import week_roster

    with demo_sessions() as session:
        store = _store(session)
        manager = labour.day_labour(session, _manager(store), store.code, DAY)
        for role in (Role.STAFF, Role.SHIFT_LEAD):
            below = Actor("someone", role, store.id, store.region_id)
            day = labour.day_labour(session, below, store.code, DAY)
            assert day.shifts == [] and (day.cost, day.labour_percent) == (
                manager.cost,
                manager.labour_percent,
            )
            week = week_roster(session, below, store.code, DAY, 1)
            assert week.shifts and all(e.labour is None for e in week.shifts)
            assert week.day_costs == week_roster(session, _manager(store), store.code, DAY, 1).day_costs
        assert manager.shifts and all(s.hourly_wage > 0 for s in manager.shifts)


def test_the_region_overview_carries_each_stores_week_of_labour(demo_sessions):
    from storemon.services.region import region_overview

    with demo_sessions() as session:
        rows = region_overview(session, SYSTEM, None, now=datetime(2026, 3, 9, 3, tzinfo=UTC))
        for row in rows[:3]:
            week = [row.week_start + timedelta(days=k) for k in range(7)]
            figures = labour.period_labour(session, [session.get(Store, row.store_id)], {row.store_id: week})
            assert (row.labour_cost, row.labour_percent) == (
                figures[row.store_id].cost,
                figures[row.store_id].labour_percent,
            )
            assert row.labour_cost > 0 and 0 < row.labour_percent < 100
