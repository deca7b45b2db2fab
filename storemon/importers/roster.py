"""Rosters: who works where and when -> RosterShift rows, in one transaction.

Times are the store's local clock; an end earlier than the start means the shift runs past
midnight. A shift already in the roster (same person, same start) is skipped, so re-importing
a roster, or a roster that overlaps last week's, adds only what is new. Shifts of one person
that overlap each other, in the file or with the roster already stored, are problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from storemon.db.models import Role, RosterShift, StaffMember, Store
from storemon.importers.base import CellError, ImportResult, ProblemLog, StoreRef, slugify
from storemon.importers.people import ROLE, STAFF_CODE, STAFF_NAME, StaffDirectory, parse_role
from storemon.importers.runner import ImportOptions, Requirement, RowImporter
from storemon.importers.tabular import STORE_FIELDS, field_specs
from storemon.importers.values import DAY, CellReader, seconds_to_datetime

KIND = "roster"
MAX_SHIFT_HOURS = 16

_ROSTER = field_specs("roster")
ROSTER_FIELDS = [
    STAFF_CODE,
    STAFF_NAME,
    *STORE_FIELDS,
    _ROSTER["date"],
    _ROSTER["start"],
    _ROSTER["end"],
    ROLE,
]


@dataclass
class _Shift:
    line: int
    row: list
    staff: StaffMember
    store: StoreRef
    starts_at: datetime
    ends_at: datetime
    role: Role


def import_roster(
    session_factory: sessionmaker[Session],
    path: str | Path,
    options: ImportOptions | None = None,
    /,
    **overrides: Any,
) -> ImportResult:
    """Import a roster (CSV or XLSX) into shifts, all or nothing.

    Without a store column the shift is at ``store_code`` or else the person's home store.
    ``create_staff`` creates people the roster names but the database does not know yet.
    ``overrides`` are ``ImportOptions`` fields.
    """
    return RosterImporter.run(session_factory, path, options, overrides)


class RosterImporter(RowImporter):
    """Rows -> shifts in the store's local time; overlaps with the file or the stored roster are problems."""

    kind = KIND
    fields = ROSTER_FIELDS
    accepts = frozenset({"store_code", "day_first", "create_staff"})

    requirements = (
        Requirement(
            frozenset({"staff_code", "staff_name"}),
            "No staff column found (employee code or name)",
            "a staff column (staff_code or staff_name)",
            "staff_code",
        ),
        Requirement(
            frozenset({"start", "end"}),
            "No start and end time columns found",
            "start and end columns",
            "start",
            every=True,
        ),
    )

    def read(self) -> list[_Shift]:
        cols, h, session, stores = self.cols, self.h, self.session, self.stores
        cell, text = self.cell, self.text
        staff = StaffDirectory(session)
        reader = CellReader(self.options.day_first)
        fixed = self.fixed_store()
        store_fields = self.store_fields
        self.staff_created: list[str] = []

        def stamp(value: object) -> int:
            try:
                local = reader.stamp(value)
            except CellError as exc:
                if "date" not in cols:
                    raise CellError(f"{exc}; or add a date column") from None
                raise
            if local.__class__ is not int:
                raise CellError(f"{value!r} carries its own UTC offset; give the store's local time instead")
            return local

        def when(row: list, fieldname: str, day: int | None) -> int:
            """A time on ``day``, or a full date and time in the cell."""
            value = cell(row, fieldname)
            if day is None:
                return stamp(value)
            try:
                return day + reader.time(value)
            except CellError as exc:
                try:
                    return stamp(value)
                except CellError:
                    raise exc from None

        shifts: list[_Shift] = []
        col = ""
        for line, row in self.rows():
            try:
                # Who
                code, name = text(row, "staff_code"), text(row, "staff_name")
                col = h.get("staff_code") or h["staff_name"]
                if not code and not name:
                    raise CellError("no staff member given; fill in the employee code (工号) or name")
                member = staff.find(code, name)
                # Where
                if fixed is not None:
                    store = fixed
                elif store_fields:
                    col = h[store_fields[0]]
                    cells = {f: text(row, f) for f in store_fields}
                    if any(cells.values()) or member is None or member.home_store_id is None:
                        store = self.store_in(cells)
                    else:
                        store = stores.home(member.home_store_id)
                elif member is not None and member.home_store_id is not None:
                    store = stores.home(member.home_store_id)
                else:
                    raise CellError("no store for this shift; add a store column or pass --store CODE")
                # When
                day = None
                if "date" in cols:
                    col = h["date"]
                    day = reader.date(cell(row, "date"))
                col = h["start"]
                start = when(row, "start", day)
                col = h["end"]
                end = when(row, "end", day if day is not None else start - start % DAY)
                if end <= start and end > start - DAY:
                    if end == start:
                        raise CellError("the shift ends when it starts; check the start and end times")
                    end += DAY  # past midnight
                if end - start > MAX_SHIFT_HOURS * 3600:
                    hours = (end - start) / 3600
                    raise CellError(
                        f"a shift of {hours:.1f} hours; check the start and end "
                        f"(at most {MAX_SHIFT_HOURS} hours)"
                    )
                if end <= start:
                    raise CellError("the shift ends before it starts; check the start and end")
                role = None
                if "role" in cols and text(row, "role"):
                    col = h["role"]
                    role = parse_role(cell(row, "role"))
                # Unknown person: create them, or say how.
                if member is None:
                    col = h.get("staff_code") or h["staff_name"]
                    if not self.options.create_staff:
                        raise CellError(
                            f"unknown staff member {code or name!r}; import the staff list first, "
                            "or pass --create-staff to create them"
                        )
                    member = StaffMember(
                        code=(code or slugify(name))[:64],
                        name=(name or code)[:200],
                        home_store_id=store.id,
                        role=role or Role.STAFF,
                    )
                    session.add(member)
                    session.flush()
                    staff.remember(member)
                    self.staff_created.append(member.code)
                shifts.append(
                    _Shift(
                        line, row, member, store,
                        _to_utc(start, store), _to_utc(end, store), role or member.role,
                    )
                )  # fmt: skip
            except CellError as exc:
                self.reject(line, row, col, exc)
        return shifts

    def validate(self, shifts: list[_Shift]) -> list[_Shift]:
        new, self.skipped = _check_overlaps(self.session, shifts, self.log, self.h.get("start", "start"))
        return new

    def write(self, new: list[_Shift]) -> dict[str, Any]:
        batch_id = self.new_batch()
        if new:
            self.session.execute(
                insert(RosterShift.__table__),
                [
                    {
                        "store_id": s.store.id,
                        "staff_id": s.staff.id,
                        "starts_at": s.starts_at,
                        "ends_at": s.ends_at,
                        "role": s.role,
                        "batch_id": batch_id,
                    }
                    for s in new
                ],
            )
        return {
            "rows_imported": len(new),
            "created": len(new),
            "skipped_duplicates": self.skipped,
            "staff_created": self.staff_created,
        }


def _to_utc(local: int, store: StoreRef) -> datetime:
    return seconds_to_datetime(local).replace(tzinfo=store.tz).astimezone(UTC)


def _describe(store_code: str, starts_at: datetime, ends_at: datetime, tz) -> str:
    a, b = starts_at.astimezone(tz), ends_at.astimezone(tz)
    return f"{store_code} {a:%Y-%m-%d %H:%M}-{b:%H:%M}"


def _check_overlaps(
    session: Session, shifts: list[_Shift], log: ProblemLog, column: str
) -> tuple[list[_Shift], int]:
    """Shifts to insert, and how many were already there; overlaps become problems."""
    if not shifts:
        return [], 0
    staff_ids = sorted({s.staff.id for s in shifts if s.staff.id is not None})
    lo = min(s.starts_at for s in shifts) - timedelta(days=1)
    hi = max(s.ends_at for s in shifts) + timedelta(days=1)
    stored: dict[int, list[tuple[datetime, datetime, str]]] = {}
    query = (
        select(RosterShift.staff_id, RosterShift.starts_at, RosterShift.ends_at, Store.code)
        .join(Store, Store.id == RosterShift.store_id)
        .where(RosterShift.staff_id.in_(staff_ids), RosterShift.ends_at >= lo, RosterShift.starts_at <= hi)
    )
    for staff_id, starts_at, ends_at, code in session.execute(query):
        stored.setdefault(staff_id, []).append((starts_at, ends_at, code))

    new: list[_Shift] = []
    skipped = 0
    by_staff: dict[int, list[_Shift]] = {}
    for s in shifts:
        by_staff.setdefault(s.staff.id, []).append(s)
    for staff_id, own in by_staff.items():
        own.sort(key=lambda s: (s.starts_at, s.line))
        existing = stored.get(staff_id, [])
        existing_starts = {a for a, _, _ in existing}
        kept: list[_Shift] = []
        for s in own:
            if s.starts_at in existing_starts:
                skipped += 1
                continue
            clash = next(((a, b, c) for a, b, c in existing if a < s.ends_at and s.starts_at < b), None)
            if clash is not None:
                log.add(
                    s.line,
                    column,
                    f"{s.staff.code} already has a shift {_describe(clash[2], clash[0], clash[1], s.store.tz)} "
                    "that overlaps this one; fix the roster, or remove the stored shift first",
                    s.row,
                )
                continue
            prev = kept[-1] if kept else None
            if (
                prev is not None
                and prev.starts_at == s.starts_at
                and prev.ends_at == s.ends_at
                and prev.store.id == s.store.id
            ):
                skipped += 1  # the same shift twice in the file
                continue
            if prev is not None and s.starts_at < prev.ends_at:
                log.add(
                    s.line,
                    column,
                    f"overlaps {s.staff.code}'s shift on line {prev.line} "
                    f"({_describe(prev.store.code, prev.starts_at, prev.ends_at, prev.store.tz)}); "
                    "one person cannot work two shifts at once",
                    s.row,
                )
                continue
            kept.append(s)
        new.extend(kept)
    new.sort(key=lambda s: s.line)
    return new, skipped
