"""The one door the UI (and other front ends) use: use cases that open their own sessions.

Every method takes the acting user and returns plain dataclasses, so a caller never sees
SQLAlchemy (DESIGN.md: ui talks to storemon.services only). Methods are safe to call from a
worker thread: each opens and closes its own session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from staffing.day import StaffingTargets
from staffing.policy import TierPolicy
from staffing.pressure import PressureConfig
from storemon.db.models import Region, Role, Store
from storemon.db.models import TierPolicy as TierPolicyRow
from storemon.services import settings as settings_service
from storemon.services.access import AccessDenied, Actor, actor_for
from storemon.services.api_alerts import AlertsApi
from storemon.services.api_audit import AuditApi
from storemon.services.api_base import ApiBase
from storemon.services.api_kiosk import KioskApi
from storemon.services.api_policies import PoliciesApi
from storemon.services.api_region import RegionApi
from storemon.services.api_schedule import ScheduleApi
from storemon.services.api_today import TodayApi
from storemon.services.auth import AuthApi
from storemon.services.policies import to_domain
from storemon.services.pressure_report import ShiftPressureRow, region_pressure
from storemon.services.store_days import StoreDay, store_day, store_days
from storemon.services.stores import SalesInterval, StoreSummary, sales_for_day, store_summaries
from storemon.services.whatif import Recommendation, StoreWhatIf, recommend_for_day, tier_whatif


@dataclass(frozen=True)
class StoreRef:
    """A store as pickers and titles show it."""

    id: int
    code: str
    name: str
    region: str
    timezone: str


@dataclass(frozen=True)
class RegionRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class PolicyRef:
    id: int
    name: str
    description: str
    policy: TierPolicy


class CoreApi(ApiBase):
    """Stores, staffing, policies, settings and imports."""

    def actor(self, username: str) -> Actor:
        with self.database.sessions() as session:
            return actor_for(session, username)

    # -- stores and regions -------------------------------------------------------------------
    def stores(self, actor: Actor) -> list[StoreRef]:
        with self.database.sessions() as session:
            rows = session.scalars(actor.scope_stores(select(Store)).order_by(Store.code)).all()
            return [
                StoreRef(s.id, s.code, s.name, s.region.name if s.region else "", s.timezone) for s in rows
            ]

    def regions(self, actor: Actor) -> list[RegionRef]:
        with self.database.sessions() as session:
            ids = {s.region_id for s in session.scalars(actor.scope_stores(select(Store)))}
            rows = session.scalars(select(Region).where(Region.id.in_(ids)).order_by(Region.code)).all()
            return [RegionRef(r.id, r.code, r.name) for r in rows]

    def store_summaries(self, actor: Actor, region_id: int | None = None) -> list[StoreSummary]:
        with self.database.sessions() as session:
            return store_summaries(session, actor, region_id)

    def sales_for_day(self, actor: Actor, store: int | str, day: date) -> list[SalesInterval]:
        with self.database.sessions() as session:
            return sales_for_day(session, actor, store, day)

    # -- staffing -------------------------------------------------------------------------------
    def store_day(self, actor: Actor, store: int | str, day: date, now: datetime | None = None) -> StoreDay:
        with self.database.sessions() as session:
            return store_day(session, actor, store, day, now)

    def store_days(
        self, actor: Actor, store: int | str, days: list[date], now: datetime | None = None
    ) -> list[StoreDay]:
        with self.database.sessions() as session:
            return store_days(session, actor, store, days, now)

    def region_pressure(
        self, actor: Actor, region_id: int | None, start: date, end: date
    ) -> list[ShiftPressureRow]:
        with self.database.sessions() as session:
            return region_pressure(session, actor, region_id, start, end)

    def tier_whatif(self, actor: Actor, policy: TierPolicy) -> list[StoreWhatIf]:
        with self.database.sessions() as session:
            return tier_whatif(session, actor, policy)

    def recommend(self, actor: Actor, store: int | str, day: date) -> Recommendation:
        with self.database.sessions() as session:
            return recommend_for_day(session, actor, store, day)

    # -- policies and settings -----------------------------------------------------------------
    def tier_policies(self, actor: Actor) -> list[PolicyRef]:
        with self.database.sessions() as session:
            rows = session.scalars(select(TierPolicyRow).order_by(TierPolicyRow.name)).all()
            return [PolicyRef(p.id, p.name, p.description, to_domain(p)) for p in rows]

    def staffing_targets(self, actor: Actor) -> StaffingTargets:
        with self.database.sessions() as session:
            return settings_service.staffing_targets(session)

    def save_staffing_targets(self, actor: Actor, targets: StaffingTargets) -> None:
        _require_admin(actor)
        with self.database.sessions() as session:
            settings_service.save_staffing_targets(session, targets)
            session.commit()

    def pressure_config(self, actor: Actor) -> PressureConfig:
        with self.database.sessions() as session:
            return settings_service.pressure_config(session)

    # -- the worker -----------------------------------------------------------------------------
    def worker_heartbeat(self) -> datetime | None:
        """When a worker (in this app or elsewhere) last said it was alive."""
        from storemon.worker import last_heartbeat

        return last_heartbeat(self.database)

    # -- imports --------------------------------------------------------------------------------
    def import_file(
        self,
        actor: Actor,
        kind: str,
        path: Path,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
        **options,
    ):
        """Run an importer in one transaction (see ``storemon.importers``); store managers and up only."""
        from storemon import importers

        if actor.role in (Role.STAFF, Role.SHIFT_LEAD):
            raise AccessDenied("imports need a store manager or a head-office role")
        if not actor.sees_chain:
            # Only into the stores the actor sees: other stores' rows are problems; no new stores.
            with self.database.sessions() as session:
                options["store_ids"] = frozenset(session.scalars(actor.scope_stores(select(Store.id))))

        run = {
            "sales": importers.import_sales,
            "roster": importers.import_roster,
            "staff": importers.import_staff,
        }[kind]
        return run(
            self.database.sessions, path, progress=progress, cancel=cancel, actor=actor.username, **options
        )

    def preview_file(self, path: Path, kind: str, mapping: dict[str, str] | None = None):
        from storemon import importers

        return importers.preview(path, kind, mapping)


def _require_admin(actor: Actor) -> None:
    if not actor.sees_chain:
        raise AccessDenied("only head-office roles may change chain-wide settings")


class Services(
    CoreApi, AuthApi, TodayApi, RegionApi, PoliciesApi, ScheduleApi, AlertsApi, KioskApi, AuditApi
):
    """Use cases over one open database; each screen's use cases live in their own mixin module."""
