"""Use cases of the Schedule and Incidents screens (rosters and incident lists)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from storemon.services import incidents as incidents_service
from storemon.services import schedule as schedule_service
from storemon.services.access import Actor
from storemon.services.api_base import ApiBase
from storemon.services.incidents import IncidentChoices, IncidentFilter, IncidentList, IncidentRow
from storemon.services.schedule import RosterEntry, WeekRoster


class ScheduleApi(ApiBase):
    """Use cases of the Schedule and Incidents screens.

    Roster edits are one transaction each and need a shift lead or above at a store the actor
    sees; staff may read their own store's roster and incidents.
    """

    # -- roster ---------------------------------------------------------------------------------
    def week_roster(self, actor: Actor, store: int | str, first_day: date, days: int = 7) -> WeekRoster:
        """The store's shifts and floor coverage for ``days`` local days from ``first_day``."""
        with self.session() as session:
            return schedule_service.week_roster(session, actor, store, first_day, days)

    def add_shift(
        self, actor: Actor, store: int | str, staff_id: int, starts_at: datetime, ends_at: datetime
    ) -> RosterEntry:
        """Add a shift; naive times are the store's wall-clock time. Raises ScheduleError."""
        with self.session() as session:
            entry = schedule_service.add_shift(session, actor, store, staff_id, starts_at, ends_at)
            session.commit()
            return entry

    def update_shift(
        self, actor: Actor, shift_id: int, staff_id: int, starts_at: datetime, ends_at: datetime
    ) -> RosterEntry:
        """Change a shift's person and times. Raises ScheduleError, NotFound or AccessDenied."""
        with self.session() as session:
            entry = schedule_service.update_shift(session, actor, shift_id, staff_id, starts_at, ends_at)
            session.commit()
            return entry

    def delete_shift(self, actor: Actor, shift_id: int) -> None:
        """Remove a shift. Raises NotFound or AccessDenied."""
        with self.session() as session:
            schedule_service.delete_shift(session, actor, shift_id)
            session.commit()

    # -- incidents ------------------------------------------------------------------------------
    def list_incidents(self, actor: Actor, flt: IncidentFilter) -> IncidentList:
        """Incidents in the actor's stores matching ``flt``, newest first."""
        with self.session() as session:
            return incidents_service.list_incidents(session, actor, flt)

    def incident_choices(self, actor: Actor) -> IncidentChoices:
        """The incident types, customer types and triggers the filters can offer."""
        with self.session() as session:
            return incidents_service.incident_choices(session, actor)

    def export_incidents(
        self,
        actor: Actor,
        path: str | Path,
        rows: Sequence[IncidentRow],
        headers: Sequence[str] = incidents_service.EXPORT_HEADERS,
        label: Callable[[str, str], str] | None = None,
    ) -> int:
        """Write the incidents the actor was shown to ``path`` (.csv: UTF-8 with BOM, or .xlsx).

        Only rows of stores the actor may see are written, whatever the caller passes; returns
        the number of rows written. Raises ``ExportError`` naming the file when it cannot be written.
        """
        with self.session() as session:
            visible = incidents_service.visible_store_ids(session, actor)
        allowed = [row for row in rows if row.store_id in visible]
        return incidents_service.export_incidents(path, allowed, headers, label)
