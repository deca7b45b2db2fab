"""A store-day at 15-minute resolution: demand and roster in, queue figures per interval out.

Combines the steady-state view (Erlang-A: what each interval would settle to, customers walking
away when they run out of patience) with the backlog model (what actually happens when a rush
leaves orders for the next interval), and the staff each interval needs to meet the wait target.
One model of people throughout: serving capacity = staff − chore load, for any number of staff.
Arrays may carry leading axes (stores, days).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from staffing.backlog import BacklogResult, backlog_day, customer_wait_quantile_of
from staffing.erlang_a import DEFAULT_PATIENCE_MINUTES, effective_capacity, erlang_a, required_staff
from staffing.queueing import occupancy
from staffing.roster import INTERVAL_MINUTES

DEFAULT_CHORE_MINUTES_PER_HOUR = 18.0
"""Cleaning, restocking, deliveries and the till: 18 minutes an hour (0.3 of a person), the same
load the former solo serving share of 70 % carried; a per-store setting (docs/pressure.md)."""


@dataclass(frozen=True)
class StaffingTargets:
    """What a store aims for; DOMAIN.md section 5: waits above a few minutes start conflicts.

    ``chore_minutes_per_hour``: chores taken from the serving capacity of whoever is on, for any
    number of staff. ``patience_minutes``: mean patience of a customer before walking away.
    ``queue_cap``: customers who see this many waiting walk away at once (None: nobody balks).
    """

    service_minutes: float = 2.0
    target_wait_minutes: float = 3.0
    target_service_level: float = 0.8
    max_occupancy: float = 0.85
    chore_minutes_per_hour: float = DEFAULT_CHORE_MINUTES_PER_HOUR
    patience_minutes: float = DEFAULT_PATIENCE_MINUTES
    queue_cap: int | None = None

    def __post_init__(self) -> None:
        if not 0.25 <= self.service_minutes <= 30:
            raise ValueError("service_minutes must be between 0.25 and 30 minutes per order")
        if self.target_wait_minutes < 0 or not 0 < self.target_service_level < 1:
            raise ValueError("target_wait_minutes must be >= 0 and target_service_level in (0, 1)")
        if not 0 < self.max_occupancy <= 1:
            raise ValueError("max_occupancy must be in (0, 1]")
        if not 0 <= self.chore_minutes_per_hour <= 120:
            raise ValueError("chore_minutes_per_hour must be between 0 and 120")
        if not self.patience_minutes > 0:
            raise ValueError("patience_minutes must be > 0 (inf: nobody walks away)")
        if self.queue_cap is not None and self.queue_cap < 0:
            raise ValueError("queue_cap must be >= 0")

    @property
    def chore_load(self) -> float:
        """Chores in people's worth of work (18 min/h -> 0.3)."""
        return self.chore_minutes_per_hour / 60.0


@dataclass(frozen=True)
class DayModel:
    """Per-interval figures, each of shape (..., n_intervals) (``arrival_states``: one axis more)."""

    orders: np.ndarray
    staff: np.ndarray
    effective_servers: np.ndarray
    """Serving capacity: staff − chore load (kept under its former name)."""
    utilisation: np.ndarray
    """Offered ρ = λ·S / (60·capacity); above 1 the queue grows; inf with orders and nobody on."""
    wait_probability: np.ndarray | None
    """Erlang-A chance to wait (this and the next: None from ``model_day(..., steady=False)``)."""
    steady_wait_minutes: np.ndarray | None
    """Erlang-A mean wait of served customers if the interval lasted forever (finite)."""
    wait_minutes: np.ndarray
    """Expected wait of a served order arriving in the interval, backlog carried (always finite)."""
    queue_end: np.ndarray
    backlog_end: np.ndarray
    required_staff: np.ndarray | None
    """Staff the planned orders need (None from ``model_day(..., steady=False)``)."""
    walked_away: np.ndarray | None = None
    """Expected customers lost in the interval (out of patience or balked)."""
    nobody_rostered: np.ndarray | None = None
    """Orders arrive and nobody is on: everyone arriving is lost (reason "nobody rostered")."""
    served_share: np.ndarray | None = None
    service_minutes: np.ndarray | None = None
    arrival_states: np.ndarray | None = None
    """P(N = n) an arrival finds, (..., n_intervals, states): for customer-level percentiles."""
    service_rate: np.ndarray | None = None
    abandon_rate: np.ndarray | None = None
    servers: np.ndarray | None = None
    queue_cap: np.ndarray | None = None

    @property
    def arrivals_per_hour(self) -> np.ndarray:
        return self.orders * (60 / INTERVAL_MINUTES)

    @property
    def lost_orders(self) -> np.ndarray:
        """Expected customers lost over the day, shape (...)."""
        return np.zeros(self.orders.shape[:-1])[()] if self.walked_away is None else self.walked_away.sum(-1)

    def lost_revenue(self, average_ticket: float | np.ndarray) -> np.ndarray:
        """Lost orders × average ticket, shape (...)."""
        return self.lost_orders * np.asarray(average_ticket, dtype=float)

    def wait_quantile(self, q: float = 0.9, mask: np.ndarray | None = None) -> np.ndarray:
        """q-quantile of a served customer's wait over the intervals in ``mask`` (the whole day by default).

        The mixture over the states arrivals find and the intervals, weighted by arrivals — the
        per-customer percentile, not a percentile of interval means.
        """
        if self.arrival_states is None:
            raise ValueError("this day model was built without arrival states")
        return customer_wait_quantile_of(
            self.orders,
            self.arrival_states,
            self.service_rate,
            self.abandon_rate,
            self.servers,
            self.queue_cap,
            q,
            mask,
        )

    def wait_quantiles(self, masks: np.ndarray, days: np.ndarray | None = None, q: float = 0.9) -> np.ndarray:
        """``wait_quantile`` for many masks in one bisection: ``masks`` (R, n_intervals), each over day
        ``days[r]`` of a model of shape (days, n_intervals) (None: this model is a single day).
        A store's days and each shift's customers cost one call instead of one each."""
        masks = np.asarray(masks, dtype=bool)
        if not masks.shape[0]:
            return np.zeros(0)
        if self.arrival_states is None:
            raise ValueError("this day model was built without arrival states")
        rows = np.zeros(masks.shape[0], dtype=np.int64) if days is None else np.asarray(days, dtype=np.int64)

        def per_day(a: np.ndarray) -> np.ndarray:
            return np.asarray(a)[None] if days is None else np.asarray(a)

        return np.atleast_1d(
            customer_wait_quantile_of(
                per_day(self.orders),
                per_day(self.arrival_states),
                per_day(self.service_rate),
                per_day(self.abandon_rate),
                per_day(self.servers),
                per_day(self.queue_cap),
                q,
                masks,
                rows,
            )
        )


def model_day(
    orders: np.ndarray,
    staff: np.ndarray,
    targets: StaffingTargets,
    service_minutes: ArrayLike | None = None,
    keep_states: bool = True,
    backlog: Callable[..., BacklogResult] = backlog_day,
    steady: bool = True,
) -> DayModel:
    """Queue figures for expected ``orders`` per interval served by ``staff`` people on shift.

    ``service_minutes`` (per store or per interval, e.g. from ``service_time.estimate_service_minutes``)
    overrides ``targets.service_minutes``. ``backlog``: the backlog kernel (``backlog_shared.SharedBacklog``
    for many rosters of one day). ``steady=False`` skips the Erlang-A figures and the required staff
    (None), for callers that only compare rosters.
    """
    orders = np.asarray(orders, dtype=float)
    staff = np.broadcast_to(np.asarray(staff, dtype=float), orders.shape)
    per_hour = orders * (60 / INTERVAL_MINUTES)
    svc = np.broadcast_to(
        np.asarray(targets.service_minutes if service_minutes is None else service_minutes, dtype=float),
        orders.shape,
    )
    capacity = effective_capacity(staff, targets.chore_load)
    capacity = np.broadcast_to(np.asarray(capacity, dtype=float), orders.shape)
    cap = targets.queue_cap
    queue = backlog(
        orders,
        svc,
        capacity,
        patience_minutes=targets.patience_minutes,
        queue_cap=cap,
        keep_states=keep_states,
    )
    wait_probability = steady_wait = required = None
    if steady:
        figures = erlang_a(
            per_hour, svc, capacity, targets.patience_minutes, targets.target_wait_minutes, queue_cap=cap
        )
        wait_probability = np.asarray(figures.wait_probability)
        steady_wait = np.asarray(figures.mean_wait_served)
        required = np.asarray(staff_required(orders, targets, svc))
    return DayModel(
        orders=orders,
        staff=staff,
        effective_servers=capacity,
        utilisation=occupancy(per_hour, svc, capacity),
        wait_probability=wait_probability,
        steady_wait_minutes=steady_wait,
        wait_minutes=np.where(orders > 0, queue.mean_wait, 0.0),
        queue_end=queue.queue_end,
        backlog_end=queue.backlog_end,
        required_staff=required,
        walked_away=queue.walked_away,
        nobody_rostered=queue.nobody_rostered,
        served_share=queue.served_share,
        service_minutes=np.array(svc),
        arrival_states=queue._arrival_states,
        service_rate=queue._rate,
        abandon_rate=queue._theta,
        servers=queue._servers,
        queue_cap=queue._cap,
    )


def staff_required(
    orders: np.ndarray, targets: StaffingTargets, service_minutes: ArrayLike | None = None
) -> np.ndarray:
    """``model_day(...).required_staff`` without the backlog: what the planned orders need, for
    callers that already modelled the day on other orders (a past day's sales)."""
    orders = np.asarray(orders, dtype=float)
    svc = np.broadcast_to(
        np.asarray(targets.service_minutes if service_minutes is None else service_minutes, dtype=float),
        orders.shape,
    )
    return np.asarray(
        required_staff(
            orders * (60 / INTERVAL_MINUTES),
            svc,
            targets.target_wait_minutes,
            targets.target_service_level,
            targets.chore_load,
            targets.patience_minutes,
            targets.max_occupancy,
        )
    )


def chore_minutes_from_solo_share(share: float) -> float:
    """Chore minutes per hour equivalent to a former solo serving share (settings migration: 0.7 -> 18)."""
    return 60.0 * (1.0 - share)


def warm_up() -> None:
    """Load (or compile, a few seconds) the model's numba kernels now: a tiny day with a queue and
    walk-aways, and its customers' p90. The app calls it on a thread at start-up so the first model
    a user asks for does not wait for numba, least of all on a worker thread that shares the GIL
    with a busy GUI (there it took over 15 s)."""
    orders = np.array([[4.0, 9.0, 6.0, 0.0]])
    model = model_day(orders, np.ones_like(orders), StaffingTargets(patience_minutes=5.0))
    model.wait_quantiles(np.ones_like(orders, dtype=bool), np.zeros(1, dtype=np.int64))
