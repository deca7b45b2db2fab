"""A store-day at 15-minute resolution: demand and roster in, queue figures per interval out.

Combines the steady-state view (Erlang C: what each interval would settle to) with the
backlog model (what actually happens when a rush leaves orders for the next interval), and the
staff each interval needs to meet the wait target. Arrays may carry leading axes (stores, days).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from staffing.backlog import backlog_day
from staffing.queueing import effective_servers, occupancy, staffing_requirement, wait_probability
from staffing.queueing import mean_wait_minutes as erlang_mean_wait
from staffing.roster import INTERVAL_MINUTES


@dataclass(frozen=True)
class StaffingTargets:
    """What a store aims for; DOMAIN.md section 5: waits above a few minutes start conflicts."""

    service_minutes: float = 2.0
    solo_service_share: float = 0.7
    target_wait_minutes: float = 3.0
    target_service_level: float = 0.8
    max_occupancy: float = 0.85

    def __post_init__(self) -> None:
        if not 0.25 <= self.service_minutes <= 30:
            raise ValueError("service_minutes must be between 0.25 and 30 minutes per order")
        if not 0 < self.solo_service_share <= 1:
            raise ValueError("solo_service_share must be in (0, 1]")
        if self.target_wait_minutes < 0 or not 0 < self.target_service_level < 1:
            raise ValueError("target_wait_minutes must be >= 0 and target_service_level in (0, 1)")
        if not 0 < self.max_occupancy <= 1:
            raise ValueError("max_occupancy must be in (0, 1]")


@dataclass(frozen=True)
class DayModel:
    """Per-interval figures, each of shape (..., n_intervals)."""

    orders: np.ndarray
    staff: np.ndarray
    effective_servers: np.ndarray
    utilisation: np.ndarray
    """Offered ρ = λ·S / (60·effective servers); above 1 the queue grows; inf with orders and nobody on."""
    wait_probability: np.ndarray
    steady_wait_minutes: np.ndarray
    """Erlang C mean wait if the interval lasted forever (inf where ρ >= 1)."""
    wait_minutes: np.ndarray
    """Expected wait of an order arriving in the interval, backlog carried (always finite)."""
    queue_end: np.ndarray
    backlog_end: np.ndarray
    required_staff: np.ndarray

    @property
    def arrivals_per_hour(self) -> np.ndarray:
        return self.orders * (60 / INTERVAL_MINUTES)


def model_day(orders: np.ndarray, staff: np.ndarray, targets: StaffingTargets) -> DayModel:
    """Queue figures for expected ``orders`` per interval served by ``staff`` people on shift."""
    orders = np.asarray(orders, dtype=float)
    staff = np.broadcast_to(np.asarray(staff, dtype=float), orders.shape)
    per_hour = orders * (60 / INTERVAL_MINUTES)
    servers = effective_servers(staff, targets.solo_service_share)
    svc = targets.service_minutes
    load = per_hour * svc / 60
    backlog = backlog_day(orders, svc, servers)
    requirement = staffing_requirement(
        per_hour, svc, targets.target_wait_minutes, targets.target_service_level, targets.max_occupancy
    )
    # A requirement of one person is really a solo person, who serves only part time: check it.
    required = np.asarray(requirement.servers)
    solo_ok = erlang_mean_wait(per_hour, svc, targets.solo_service_share) <= targets.target_wait_minutes
    required = np.where((required == 1) & ~solo_ok, 2, required)
    return DayModel(
        orders=orders,
        staff=staff,
        effective_servers=servers,
        utilisation=occupancy(per_hour, svc, servers),
        wait_probability=wait_probability(load, servers),
        steady_wait_minutes=erlang_mean_wait(per_hour, svc, servers),
        wait_minutes=np.where(orders > 0, backlog.mean_wait, 0.0),
        queue_end=backlog.queue_end,
        backlog_end=backlog.backlog_end,
        required_staff=required,
    )
