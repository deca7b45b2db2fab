"""Service incidents: the list the Incidents screen filters, and its CSV export.

An incident records what kind of customer was involved and whether a sensitive trigger (an
escalated complaint, the consumer association, the media) came up (DOMAIN.md section 3).
Dates in filters are the store's local dates; times come back in the store's local time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storemon.db.models import Incident, StaffMember, Store
from storemon.services.access import Actor, visible_store
from storemon.services.export import Column, write_rows
from storemon.services.timegrid import local_date

MAX_ROWS = 10_000
"""More than this is not a list anyone reads; the screen asks for narrower filters."""

EXPORT_HEADERS = (
    "Time (local)",
    "Store",
    "Staff",
    "Incident type",
    "Customer type",
    "Sensitive triggers",
    "Compensation",
    "Approved by",
    "Description",
)


@dataclass(frozen=True)
class IncidentFilter:
    """What the Incidents screen asks for; ``None`` means "any". Days are inclusive, store-local."""

    store_id: int | None = None
    first_day: date | None = None
    last_day: date | None = None
    incident_type: str | None = None
    customer_type: str | None = None
    sensitive_only: bool = False


@dataclass(frozen=True)
class IncidentRow:
    """One incident as the list shows it; ``occurred_at`` is in the store's local time."""

    id: int
    store_id: int
    store_code: str
    store_name: str
    staff_code: str
    staff_name: str
    occurred_at: datetime
    incident_type: str
    customer_type: str
    sensitive_triggers: tuple[str, ...]
    compensation: Decimal
    approved_by: str
    description: str

    @property
    def sensitive(self) -> bool:
        return bool(self.sensitive_triggers)


@dataclass(frozen=True)
class IncidentList:
    """The newest incidents matching a filter; ``truncated`` when more than ``MAX_ROWS`` matched."""

    rows: list[IncidentRow]
    truncated: bool = False


@dataclass(frozen=True)
class IncidentChoices:
    """The values the filters offer: the types recorded in the stores the actor sees."""

    incident_types: tuple[str, ...]
    customer_types: tuple[str, ...]
    sensitive_triggers: tuple[str, ...]


def _scoped(actor: Actor, stmt):
    return actor.scope_stores(stmt.join(Store, Store.id == Incident.store_id))


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def list_incidents(
    session: Session, actor: Actor, flt: IncidentFilter, limit: int = MAX_ROWS
) -> IncidentList:
    """Incidents in the actor's stores matching ``flt``, newest first."""
    stmt = _scoped(actor, select(Incident, Store, StaffMember)).outerjoin(
        StaffMember, StaffMember.id == Incident.staff_id
    )
    if flt.store_id is not None:
        store = visible_store(session, actor, flt.store_id)
        stmt = stmt.where(Incident.store_id == store.id)
    # Stores keep their own clocks: widen the UTC range by a day, then compare local dates.
    if flt.first_day is not None:
        stmt = stmt.where(Incident.occurred_at >= _utc_midnight(flt.first_day - timedelta(days=1)))
    if flt.last_day is not None:
        stmt = stmt.where(Incident.occurred_at < _utc_midnight(flt.last_day + timedelta(days=2)))
    if flt.incident_type:
        stmt = stmt.where(Incident.incident_type == flt.incident_type)
    if flt.customer_type:
        stmt = stmt.where(Incident.customer_type == flt.customer_type)
    stmt = stmt.order_by(Incident.occurred_at.desc(), Incident.id.desc())

    rows: list[IncidentRow] = []
    zones: dict[str, ZoneInfo] = {}
    for incident, store, person in session.execute(stmt):
        triggers = tuple(incident.sensitive_triggers or ())
        if flt.sensitive_only and not triggers:
            continue
        day = local_date(incident.occurred_at, store.timezone)
        if (flt.first_day and day < flt.first_day) or (flt.last_day and day > flt.last_day):
            continue
        if len(rows) >= limit:
            return IncidentList(rows, truncated=True)
        tz = zones.setdefault(store.timezone, ZoneInfo(store.timezone))
        rows.append(
            IncidentRow(
                id=incident.id,
                store_id=store.id,
                store_code=store.code,
                store_name=store.name,
                staff_code=person.code if person else "",
                staff_name=person.name if person else "",
                occurred_at=incident.occurred_at.astimezone(tz),
                incident_type=incident.incident_type,
                customer_type=incident.customer_type,
                sensitive_triggers=triggers,
                compensation=Decimal(incident.compensation or 0).quantize(Decimal("0.01")),
                approved_by=incident.approved_by or "",
                description=incident.description or "",
            )
        )
    return IncidentList(rows)


def visible_store_ids(session: Session, actor: Actor) -> set[int]:
    return set(session.scalars(actor.scope_stores(select(Store.id))))


def incident_choices(session: Session, actor: Actor) -> IncidentChoices:
    """Distinct incident types, customer types and sensitive triggers in the actor's stores."""
    types = session.scalars(_scoped(actor, select(Incident.incident_type)).distinct()).all()
    customers = session.scalars(_scoped(actor, select(Incident.customer_type)).distinct()).all()
    triggers: set[str] = set()
    for value in session.scalars(_scoped(actor, select(Incident.sensitive_triggers))):
        triggers.update(value or ())
    return IncidentChoices(tuple(sorted(types)), tuple(sorted(customers)), tuple(sorted(triggers)))


# --------------------------------------------------------------------------- export


def export_columns(
    headers: Sequence[str] = EXPORT_HEADERS,
    label: Callable[[str, str], str] | None = None,
    as_text: bool = True,
) -> list[Column]:
    """The export's columns for ``storemon.services.export``: the list's columns plus the description.

    ``label(kind, code)`` names codes in the user's language ("incident_type", "customer_type",
    "trigger"). ``as_text`` writes times and money as text (CSV); otherwise as values (XLSX).
    """
    if len(headers) != len(EXPORT_HEADERS):
        raise ValueError(f"an incident export has {len(EXPORT_HEADERS)} columns, not {len(headers)}")
    name = label or (lambda _kind, code: code)

    def when(row: IncidentRow) -> object:
        local = row.occurred_at.replace(tzinfo=None, second=0, microsecond=0)
        return local.strftime("%Y-%m-%d %H:%M") if as_text else local

    def money(row: IncidentRow) -> object:
        return f"{row.compensation:.2f}" if as_text else row.compensation

    values: list[Callable[[IncidentRow], object]] = [
        when,
        lambda row: row.store_name,
        lambda row: row.staff_name,
        lambda row: name("incident_type", row.incident_type),
        lambda row: name("customer_type", row.customer_type),
        lambda row: "; ".join(name("trigger", t) for t in row.sensitive_triggers),
        money,
        lambda row: row.approved_by,
        lambda row: row.description,
    ]
    return [Column(header, value=value) for header, value in zip(headers, values, strict=True)]


def export_incidents(
    path: str | Path,
    rows: Sequence[IncidentRow],
    headers: Sequence[str] = EXPORT_HEADERS,
    label: Callable[[str, str], str] | None = None,
) -> int:
    """Write incidents to CSV (UTF-8 with BOM) or XLSX, by the file's suffix; returns the count."""
    as_text = Path(path).suffix.lower() != ".xlsx"
    return write_rows(
        Path(path), list(rows), export_columns(headers, label, as_text), sheet_title="Incidents"
    )
