"""Weekly reports: one store's ISO week, and a region's stores side by side, as CSV, XLSX or PDF.

The figures are not computed here: each day comes from ``staffing.store_days`` (the same model the
Today screen shows) and the policy verdict from ``stores.store_summaries``; this module only adds
them up per day, per person and per week. CSV and XLSX are written here; the PDF is painted with
Qt by ``ui.report_render.write_pdf`` (this module stays free of Qt, DESIGN.md dependency rule).

Labels come in English and Simplified Chinese from the small ``LABELS`` table below: files are
written outside any Qt window, so Qt's translators are not used for them.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Float, cast, select
from sqlalchemy.orm import Session

from staffing.forecast import SOURCE_OWN, SOURCE_SIMILAR
from staffing.labour import labour_percent
from staffing.stats import weighted_quantile
from storemon.db.import_state import finished
from storemon.db.models import Region, Role, SalesBucket, Store
from storemon.db.types import epoch_seconds, number_rows
from storemon.errors import StoremonError
from storemon.services.access import Actor, NotFound, visible_store
from storemon.services.audit_anchor import Checkpoint, report_anchor
from storemon.services.day_figures import DayFigures, figures_of_days, yardsticks
from storemon.services.export import (
    Column,
    ExportError,
    atomic_write,
    csv_text,
    fill_sheet,
)
from storemon.services.labour import daily_costs
from storemon.services.region import interval_orders
from storemon.services.setting_keys import pressure_config
from storemon.services.store_days import StoreDay, store_days_many, targets_for
from storemon.services.stores import StoreSummary, store_summaries
from storemon.services.timegrid import local_midnight

LANGUAGES = ("en", "zh_CN")
FORMATS = ("pdf", "xlsx", "csv")
WAIT_QUANTILE = 0.9
_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


class ReportError(StoremonError, ValueError):
    """A report that cannot be made as asked (a malformed week, an unknown format or language)."""


# -- labels ------------------------------------------------------------------------------------------
LABELS: dict[str, tuple[str, str]] = {
    # key: (English, Simplified Chinese)
    "weekly_title": ("Weekly store report", "门店周报"),
    "regional_title": ("Regional comparison", "区域门店对比"),
    "store": ("Store", "门店"),
    "region": ("Region", "区域"),
    "week": ("Week", "周"),
    "period": ("Period", "日期范围"),
    "tier_policy": ("Tier policy", "分级政策"),
    "policy_status": ("Policy status", "政策符合情况"),
    "policy_staff": ("Policy staff per shift", "政策要求每班人数"),
    "rostered_staff": ("Rostered staff per shift (4 wk)", "实际排班每班人数（4周）"),
    "avg_daily_revenue": ("Avg daily revenue (4 wk)", "日均营业额（4周）"),
    "key_numbers": ("Key numbers", "本周要点"),
    "days": ("Days", "每日"),
    "people": ("People", "员工"),
    "figure": ("Figure", "指标"),
    "value": ("Value", "数值"),
    "day": ("Day", "日期"),
    "weekday": ("Weekday", "星期"),
    "source": ("Demand", "需求来源"),
    "actual": ("actual", "实际"),
    "forecast": ("forecast", "预测"),
    "similar stores": ("estimated from similar stores", "参照同类门店估算"),
    "orders": ("Orders", "订单数"),
    "revenue": ("Revenue", "营业额"),
    "staff_hours": ("Staff-hours", "人时"),
    "solo_hours": ("Solo hours", "单人值守小时"),
    "p90_wait": ("p90 wait (min)", "P90等待（分钟）"),
    "mean_wait": ("Mean wait (min)", "平均等待（分钟）"),
    "red_shifts": ("Red shifts", "红色班次"),
    "amber_shifts": ("Amber shifts", "黄色班次"),
    "worst_pressure": ("Worst pressure", "最高压力指数"),
    "mean_pressure": ("Mean pressure", "平均压力指数"),
    "max_pressure": ("Max pressure", "最高压力"),
    "staff_code": ("Staff code", "工号"),
    "name": ("Name", "姓名"),
    "shifts": ("Shifts", "班次数"),
    "code": ("Code", "编号"),
    "people_count": ("People on shift", "上班人数"),
    "forecast_days": ("Forecast days", "预测天数"),
    "orders_per_staff_hour": ("Orders per staff-hour", "每人时订单"),
    "total": ("Week", "本周合计"),
    "chart_wait": ("p90 wait per day (minutes)", "每日P90等待时间（分钟）"),
    "chart_solo": ("Solo hours per day", "每日单人值守小时"),
    "chart_pressure": (
        "Pressure per person: mean (bar) and worst shift (tick)",
        "员工压力指数：平均（条）与最高班次（刻度）",
    ),
    "target": ("target", "目标"),
    "green": ("green", "绿"),
    "amber": ("amber", "黄"),
    "red": ("red", "红"),
    "covered": ("covered", "符合"),
    "below_policy": ("below policy", "低于政策"),
    "gap": ("gap in policy", "政策空档"),
    "no_policy": ("no policy", "未设政策"),
    "generated": ("Generated", "生成时间"),
    "audit_checkpoint": ("Audit log checkpoint", "审计日志检查点"),
    "audit_checkpoint_value": (
        "{at:%Y-%m-%d %H:%M} UTC, {entries:,} entries, newest hash {head}",
        "{at:%Y-%m-%d %H:%M} UTC，{entries:,} 条记录，最新哈希 {head}",
    ),
    "page": ("Page {page} of {pages}", "第 {page} 页，共 {pages} 页"),
    "forecast_note": (
        "* forecast: the day has no sales yet; orders are the forecast, revenue is blank.",
        "* 预测：该日尚无销售数据，订单为预测值，营业额留空。",
    ),
    "similar_note": (
        "† estimated from similar stores: the store has too little sales history of its own yet.",
        "† 参照同类门店估算：该店自身的销售历史尚不足。",
    ),
    "no_people": ("Nobody was rostered this week.", "本周无排班。"),
    "labour_cost": ("Labour cost", "人工成本"),
    "labour_percent": ("Labour % of sales", "人工成本占销售额%"),
}
WEEKDAYS = (
    ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
)


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ReportError(f"language {language!r} is not available; choose one of {', '.join(LANGUAGES)}")
    return language


def label(key: str, language: str = "en") -> str:
    """The label ``key`` in ``language`` ("en" or "zh_CN")."""
    return LABELS[key][LANGUAGES.index(check_language(language))]


def weekday_name(day: date, language: str = "en") -> str:
    return WEEKDAYS[LANGUAGES.index(check_language(language))][day.weekday()]


def parse_iso_week(text: str) -> tuple[str, list[date]]:
    """``"2026-W10"`` -> (``"2026-W10"``, Monday to Sunday of that ISO week)."""
    match = _ISO_WEEK.match(text.strip())
    try:
        if not match:
            raise ValueError
        year, week = int(match[1]), int(match[2])
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ReportError(
            f"{text!r} is not an ISO week; write it as YYYY-Www, e.g. 2026-W10 (weeks start on Monday)"
        ) from None
    return f"{year}-W{week:02d}", [monday + timedelta(days=k) for k in range(7)]


# -- figures -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DayRow:
    """One day of a store's week."""

    day: date
    demand_source: str
    """"actual" once the day's sales are in, else "forecast" (then ``revenue`` is None)."""
    orders: int
    revenue: float | None
    staff_hours: float
    solo_hours: float
    p90_wait_minutes: float
    """Nine orders in ten waited at most this long (order-weighted over the day's intervals)."""
    red_shifts: int
    worst_pressure: float
    forecast_source: str = SOURCE_OWN
    """Where the day's forecast came from (``staffing.forecast``): "similar stores" while the
    store has too little history of its own."""
    labour_cost: float = 0.0
    """Wages of the day's rostered minutes (``labour.daily_costs``)."""

    @property
    def borrowed(self) -> bool:
        """A forecast day of a store too new for its own history."""
        return self.demand_source == "forecast" and self.forecast_source == SOURCE_SIMILAR


@dataclass(frozen=True)
class PersonRow:
    """One person's shifts at the store during the week."""

    staff_code: str
    name: str
    shifts: int
    mean_pressure: float
    max_pressure: float
    red_shifts: int


@dataclass(frozen=True)
class WeekFigures:
    """A store's week in a few numbers (the report's key numbers and a regional comparison row)."""

    orders: int
    revenue: float
    staff_hours: float
    solo_hours: float
    p90_wait_minutes: float
    mean_wait_minutes: float
    red_shifts: int
    amber_shifts: int
    mean_pressure: float
    worst_pressure: float
    people: int
    forecast_days: int
    labour_cost: float = 0.0
    labour_percent: float | None = None
    """Wages of the days with sales over their revenue; None before any sales."""

    @property
    def orders_per_staff_hour(self) -> float:
        return round(self.orders / self.staff_hours, 2) if self.staff_hours else 0.0


@dataclass(frozen=True)
class WeeklyReport:
    """``storemon report weekly``: one store's ISO week per day, per person and in total."""

    store_id: int
    store_code: str
    store_name: str
    region: str
    iso_week: str
    week_start: date
    week_end: date
    days: list[DayRow]
    people: list[PersonRow]
    week: WeekFigures
    summary: StoreSummary
    """The store's tier policy verdict over its last four weeks of sales (``store_summaries``)."""
    amber_at: float
    red_at: float
    target_wait_minutes: float
    generated_at: datetime
    audit_checkpoint: Checkpoint | None = None
    """The newest audit checkpoint outside the database (``services.audit_anchor``): printed so
    that a later ``audit verify`` can be held against what this paper said."""
    audit_checkpoint_problem: str = ""

    def audit_line(self, language: str = "en") -> str:
        """The checkpoint as one line, or why there is none."""
        cp = self.audit_checkpoint
        if cp is None:
            return self.audit_checkpoint_problem
        return label("audit_checkpoint_value", language).format(
            at=cp.at, entries=cp.entries, head=cp.head_hash[:16] or "-"
        )

    def tables(self, language: str = "en") -> list[tuple[str, list[Column], list[Any]]]:
        """(title, columns, rows) of each table, in the order the CSV and XLSX files hold them."""
        return [
            (label("days", language), day_columns(language), self.days),
            (label("people", language), person_columns(language), self.people),
            (label("key_numbers", language), _pair_columns(language), self.key_numbers(language)),
        ]

    def key_numbers(self, language: str = "en") -> list[tuple[str, Any]]:
        """(label, value) pairs: which store and week, the policy verdict, and the week's figures."""
        w, s = self.week, self.summary
        return [
            (label("store", language), f"{self.store_code} {self.store_name}"),
            (label("region", language), self.region),
            (label("week", language), self.iso_week),
            (label("period", language), f"{self.week_start.isoformat()} – {self.week_end.isoformat()}"),
            (label("tier_policy", language), s.tier_policy),
            (label("policy_status", language), label(s.policy_status, language)),
            (label("policy_staff", language), s.policy_staff_per_shift),
            (label("rostered_staff", language), s.rostered_staff_per_shift),
            (label("avg_daily_revenue", language), s.avg_daily_revenue),
            *_figure_pairs(w, language),
            (label("audit_checkpoint", language), self.audit_line(language)),
        ]


def _figure_pairs(w: WeekFigures, language: str) -> list[tuple[str, Any]]:
    return [
        (label("orders", language), w.orders),
        (label("revenue", language), w.revenue),
        (label("staff_hours", language), w.staff_hours),
        (label("orders_per_staff_hour", language), w.orders_per_staff_hour),
        (label("solo_hours", language), w.solo_hours),
        (label("p90_wait", language), w.p90_wait_minutes),
        (label("mean_wait", language), w.mean_wait_minutes),
        (label("red_shifts", language), w.red_shifts),
        (label("amber_shifts", language), w.amber_shifts),
        (label("mean_pressure", language), w.mean_pressure),
        (label("worst_pressure", language), w.worst_pressure),
        (label("people_count", language), w.people),
        (label("forecast_days", language), w.forecast_days),
        (label("labour_cost", language), w.labour_cost),
        (label("labour_percent", language), w.labour_percent),
    ]


@dataclass(frozen=True)
class StoreWeekRow:
    """One store in a regional comparison."""

    store_id: int
    code: str
    name: str
    tier_policy: str
    policy_status: str
    week: WeekFigures


@dataclass(frozen=True)
class RegionalComparison:
    """A region's stores over one ISO week, worst first (most red shifts, then worst pressure)."""

    region_id: int | None
    region: str
    iso_week: str
    week_start: date
    week_end: date
    stores: list[StoreWeekRow]
    generated_at: datetime

    def tables(self, language: str = "en") -> list[tuple[str, list[Column], list[Any]]]:
        return [(label("regional_title", language), store_week_columns(language), self.stores)]


def _day_row(
    day: StoreDay, figures: DayFigures, revenue: float | None, labour_cost: Decimal = Decimal(0)
) -> DayRow:
    orders = interval_orders(day)
    waits = np.array([i.mean_wait_minutes for i in day.intervals], dtype=float)
    return DayRow(
        day=day.day,
        demand_source=day.demand_source,
        orders=round(float(orders.sum())),
        revenue=revenue if day.demand_source == "actual" else None,
        staff_hours=figures.staff_hours,
        solo_hours=figures.solo_hours,
        p90_wait_minutes=round(weighted_quantile(waits, orders, WAIT_QUANTILE), 2) if waits.size else 0.0,
        red_shifts=figures.red_shifts,
        worst_pressure=figures.peak_pressure,
        forecast_source=day.forecast_source,
        labour_cost=float(labour_cost),
    )


def _people(week: list[StoreDay]) -> list[PersonRow]:
    shifts: dict[str, list] = defaultdict(list)
    names: dict[str, str] = {}
    for day in week:
        for person in day.pressure:
            shifts[person.staff_code].append(person)
            names[person.staff_code] = person.name
    rows = [
        PersonRow(
            staff_code=code,
            name=names[code],
            shifts=len(found),
            mean_pressure=round(float(np.mean([p.index for p in found])), 1),
            max_pressure=max(p.index for p in found),
            red_shifts=sum(p.level == "red" for p in found),
        )
        for code, found in shifts.items()
    ]
    return sorted(rows, key=lambda r: (-r.max_pressure, r.staff_code))


def _week_figures(week: list[StoreDay], rows: list[DayRow]) -> WeekFigures:
    orders = np.concatenate([interval_orders(d) for d in week]) if week else np.zeros(0)
    waits = np.array([i.mean_wait_minutes for d in week for i in d.intervals], dtype=float)
    pressures = [p for d in week for p in d.pressure]
    return WeekFigures(
        orders=sum(r.orders for r in rows),
        revenue=round(sum(r.revenue or 0.0 for r in rows), 2),
        staff_hours=round(sum(r.staff_hours for r in rows), 2),
        solo_hours=round(sum(r.solo_hours for r in rows), 2),
        p90_wait_minutes=round(weighted_quantile(waits, orders, WAIT_QUANTILE), 2) if waits.size else 0.0,
        mean_wait_minutes=round(float((orders * waits).sum() / max(orders.sum(), 1e-9)), 2),
        red_shifts=sum(r.red_shifts for r in rows),  # the days' figures (day_figures), as everywhere
        amber_shifts=sum(p.level == "amber" for p in pressures),
        mean_pressure=round(float(np.mean([p.index for p in pressures])), 1) if pressures else 0.0,
        worst_pressure=max((r.worst_pressure for r in rows), default=0.0),
        people=len({p.staff_code for p in pressures}),
        forecast_days=sum(r.demand_source == "forecast" for r in rows),
        labour_cost=round(sum(r.labour_cost for r in rows), 2),
        labour_percent=labour_percent(
            Decimal(str(sum(r.labour_cost for r in rows if r.revenue is not None))),
            sum(r.revenue or 0.0 for r in rows),
        ),
    )


def _daily_revenue(session: Session, stores: list[Store], days: list[date]) -> dict[int, list[float]]:
    """Each store's revenue on each local date of ``days`` (``sales_for_day`` summed), in one query
    per 5,000 stores. Bucket times come as epoch seconds and are placed between the store's own
    local midnights; revenue is added up in whole cents (a region's week is a million buckets: no
    datetime, time-zone lookup or Decimal per bucket)."""
    calendar = [min(days) + timedelta(days=k) for k in range((max(days) - min(days)).days + 2)]
    midnights = {
        s.id: np.array([local_midnight(d, s.timezone).timestamp() for d in calendar]) for s in stores
    }
    cents = {s.id: np.zeros(len(calendar) - 1, dtype=np.int64) for s in stores}
    for ids in [stores[k : k + 5000] for k in range(0, len(stores), 5000)]:
        rows = number_rows(
            session,
            select(
                SalesBucket.store_id,
                epoch_seconds(SalesBucket.bucket_start),
                cast(SalesBucket.revenue, Float),
            )
            .where(
                SalesBucket.store_id.in_([s.id for s in ids]),
                finished(SalesBucket.batch_id),
                SalesBucket.bucket_start >= datetime.fromtimestamp(min(midnights[s.id][0] for s in ids), UTC),
                SalesBucket.bucket_start < datetime.fromtimestamp(max(midnights[s.id][-1] for s in ids), UTC),
            )
            .order_by(SalesBucket.store_id),
        )
        owner, instants = rows[:, 0].astype(np.int64), np.round(rows[:, 1])
        revenue = np.rint(rows[:, 2] * 100).astype(np.int64)
        for store in ids:
            lo, hi = np.searchsorted(owner, [store.id, store.id + 1])
            day = np.searchsorted(midnights[store.id], instants[lo:hi], side="right") - 1
            inside = (day >= 0) & (day < len(calendar) - 1)
            np.add.at(cents[store.id], day[inside], revenue[lo:hi][inside])
    column = {d: k for k, d in enumerate(calendar[:-1])}
    return {s.id: [int(cents[s.id][column[d]]) / 100 for d in days] for s in stores}


def _store_weeks(
    session: Session, actor: Actor, stores: list[Store], days: list[date], now: datetime | None
) -> dict[int, tuple[list[StoreDay], list[DayRow]]]:
    """Each store's modelled week and its day rows, all stores modelled together."""
    weeks = store_days_many(session, actor, {s.id: days for s in stores}, now)
    revenue = _daily_revenue(session, stores, days)
    costs = daily_costs(session, stores, days)
    sticks = yardsticks(session)
    result = {}
    for s in stores:
        figures = figures_of_days(session, s, weeks[s.id], sticks)
        rows = [
            _day_row(*each) for each in zip(weeks[s.id], figures, revenue[s.id], costs[s.id], strict=True)
        ]
        result[s.id] = (weeks[s.id], rows)
    return result


def _only(actor: Actor, store: Store) -> Actor:
    """The actor narrowed to one store they may already see (so summaries model just that store)."""
    return Actor(actor.username, Role.STORE_MANAGER, store.id, store.region_id)


def weekly_store_report(
    session: Session, actor: Actor, store_ref: int | str, iso_week: str, now: datetime | None = None
) -> WeeklyReport:
    """One store's ISO week (``"2026-W10"``): each day, each person, and the week's key numbers."""
    week_name, days = parse_iso_week(iso_week)
    store = visible_store(session, actor, store_ref)
    week, rows = _store_weeks(session, actor, [store], days, now)[store.id]
    summary = store_summaries(session, _only(actor, store))[0]
    config = pressure_config(session)
    generated_at = now or datetime.now(UTC)
    checkpoint, checkpoint_problem = report_anchor(session, generated_at)
    return WeeklyReport(
        store_id=store.id,
        store_code=store.code,
        store_name=store.name,
        region=summary.region,
        iso_week=week_name,
        week_start=days[0],
        week_end=days[-1],
        days=rows,
        people=_people(week),
        week=_week_figures(week, rows),
        summary=summary,
        amber_at=config.amber_at,
        red_at=config.red_at,
        target_wait_minutes=targets_for(session, store).target_wait_minutes,
        generated_at=generated_at,
        audit_checkpoint=checkpoint,
        audit_checkpoint_problem=checkpoint_problem,
    )


def regional_comparison(
    session: Session, actor: Actor, region_id: int | None, iso_week: str, now: datetime | None = None
) -> RegionalComparison:
    """Every store of the region the actor may see over one ISO week, worst first."""
    week_name, days = parse_iso_week(iso_week)
    summaries = store_summaries(session, actor, region_id)
    if not summaries:
        raise NotFound(f"region {region_id} has no stores you may see")
    stores = {s.id: s for s in session.scalars(select(Store).where(Store.id.in_([r.id for r in summaries])))}
    weeks = _store_weeks(session, actor, [stores[s.id] for s in summaries], days, now)
    rows = []
    for summary in summaries:
        week, day_rows = weeks[summary.id]
        rows.append(
            StoreWeekRow(
                store_id=summary.id,
                code=summary.code,
                name=summary.name,
                tier_policy=summary.tier_policy,
                policy_status=summary.policy_status,
                week=_week_figures(week, day_rows),
            )
        )
    rows.sort(key=lambda r: (-r.week.red_shifts, -r.week.worst_pressure, r.code))
    region = session.get(Region, region_id) if region_id is not None else None
    return RegionalComparison(
        region_id=region_id,
        region=region.name if region else "",
        iso_week=week_name,
        week_start=days[0],
        week_end=days[-1],
        stores=rows,
        generated_at=now or datetime.now(UTC),
    )


# -- columns -----------------------------------------------------------------------------------------
def day_columns(language: str = "en") -> list[Column]:
    def source(row: DayRow) -> str:
        return label("similar stores" if row.borrowed else row.demand_source, language)

    return [
        Column(label("day", language), "day"),
        Column(label("weekday", language), value=lambda r: weekday_name(r.day, language)),
        Column(label("source", language), value=source),
        Column(label("orders", language), "orders"),
        Column(label("revenue", language), "revenue"),
        Column(label("staff_hours", language), "staff_hours"),
        Column(label("solo_hours", language), "solo_hours"),
        Column(label("p90_wait", language), "p90_wait_minutes"),
        Column(label("red_shifts", language), "red_shifts"),
        Column(label("worst_pressure", language), "worst_pressure"),
        Column(label("labour_cost", language), "labour_cost"),
    ]


def person_columns(language: str = "en") -> list[Column]:
    return [
        Column(label("staff_code", language), "staff_code"),
        Column(label("name", language), "name"),
        Column(label("shifts", language), "shifts"),
        Column(label("mean_pressure", language), "mean_pressure"),
        Column(label("max_pressure", language), "max_pressure"),
        Column(label("red_shifts", language), "red_shifts"),
    ]


def _pair_columns(language: str) -> list[Column]:
    return [
        Column(label("figure", language), value=lambda pair: pair[0]),
        Column(label("value", language), value=lambda pair: pair[1]),
    ]


def store_week_columns(language: str = "en") -> list[Column]:
    def figure(name: str):
        return lambda row: getattr(row.week, name)

    return [
        Column(label("code", language), "code"),
        Column(label("store", language), "name"),
        Column(label("tier_policy", language), "tier_policy"),
        Column(label("policy_status", language), value=lambda r: label(r.policy_status, language)),
        *(
            Column(label(key, language), value=figure(name))
            for key, name in (
                ("orders", "orders"),
                ("revenue", "revenue"),
                ("staff_hours", "staff_hours"),
                ("orders_per_staff_hour", "orders_per_staff_hour"),
                ("solo_hours", "solo_hours"),
                ("p90_wait", "p90_wait_minutes"),
                ("mean_wait", "mean_wait_minutes"),
                ("red_shifts", "red_shifts"),
                ("amber_shifts", "amber_shifts"),
                ("mean_pressure", "mean_pressure"),
                ("worst_pressure", "worst_pressure"),
                ("people_count", "people"),
                ("forecast_days", "forecast_days"),
                ("labour_cost", "labour_cost"),
                ("labour_percent", "labour_percent"),
            )
        ),
    ]


# -- writers -----------------------------------------------------------------------------------------
Tables = Sequence[tuple[str, list[Column], Sequence[Any]]]


def write_tables_csv(path: Path, tables: Tables) -> None:
    """Each table as a header line and its rows, a blank line between tables; UTF-8 with a BOM."""

    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            for number, (_title, columns, rows) in enumerate(tables):
                if number:
                    writer.writerow([])
                writer.writerow([c.header for c in columns])
                for row in rows:
                    writer.writerow([csv_text(c.of(row)) for c in columns])

    atomic_write(path, write)


def write_tables_xlsx(path: Path, tables: Tables) -> None:
    """One worksheet per table, named by its title: bold, frozen header and columns sized to fit."""
    from openpyxl import Workbook

    def write(target: Path) -> None:
        book = Workbook()
        book.remove(book.active)
        for title, columns, rows in tables:
            sheet = book.create_sheet("".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet")
            fill_sheet(sheet, columns, rows)
        book.save(target)

    atomic_write(path, write)


def write_report(
    report: WeeklyReport | RegionalComparison, path: Path, fmt: str, language: str = "en"
) -> None:
    """Write ``report`` as "csv" or "xlsx" (the PDF is ``ui.report_render.write_pdf``)."""
    tables = report.tables(check_language(language))
    if fmt == "csv":
        write_tables_csv(Path(path), tables)
    elif fmt == "xlsx":
        write_tables_xlsx(Path(path), tables)
    else:
        raise ExportError(f"{path}: this writer makes csv or xlsx, not {fmt!r} (the PDF is painted by Qt)")
