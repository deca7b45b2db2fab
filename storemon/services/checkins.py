"""End-of-shift check-ins ("how hard was this shift", 1-5) as each role may see them.

A check-in is personal (DOMAIN.md section 4: psychological care). Frontline staff see only
their own check-ins, private notes included. Everyone above them who may see the store (shift
lead, store manager, the region's supervisor, head office) sees every score, but a note only
when its author shared it, or wrote it themselves. A private note is never returned to anyone
else: the field is ``None``, so a screen cannot show it by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storemon.db.models import CheckIn, Role, StaffMember, User
from storemon.services.access import Actor, visible_store

MAX_ROWS = 5000


@dataclass(frozen=True)
class CheckInView:
    """One check-in; ``note`` is None when it is private to someone else."""

    id: int
    staff_code: str
    staff_name: str
    store_code: str
    created_at: datetime
    """In the store's local time."""
    score: int
    note: str | None
    note_shared: bool
    own: bool
    """The actor wrote it."""


def own_staff_id(session: Session, actor: Actor) -> int | None:
    """The staff member the signed-in user is, if any (head-office users usually are none)."""
    return session.scalar(select(User.staff_member_id).where(User.username == actor.username))


def checkins_for(
    session: Session,
    actor: Actor,
    store_ref: int | str,
    since: datetime | None = None,
    limit: int = MAX_ROWS,
) -> list[CheckInView]:
    """The store's check-ins the actor may see, newest first (``NotFound`` outside their scope)."""
    store = visible_store(session, actor, store_ref)
    mine = own_staff_id(session, actor)
    stmt = (
        select(CheckIn, StaffMember)
        .join(StaffMember, StaffMember.id == CheckIn.staff_id)
        .where(CheckIn.store_id == store.id)
    )
    if actor.role == Role.STAFF:
        if mine is None:
            return []
        stmt = stmt.where(CheckIn.staff_id == mine)
    if since is not None:
        stmt = stmt.where(CheckIn.created_at >= since)
    rows = session.execute(stmt.order_by(CheckIn.created_at.desc(), CheckIn.id.desc()).limit(limit)).all()
    tz = ZoneInfo(store.timezone)
    return [
        CheckInView(
            id=checkin.id,
            staff_code=person.code,
            staff_name=person.name,
            store_code=store.code,
            created_at=checkin.created_at.astimezone(tz),
            score=checkin.score,
            note=checkin.note if checkin.staff_id == mine or checkin.note_shared else None,
            note_shared=checkin.note_shared,
            own=checkin.staff_id == mine,
        )
        for checkin, person in rows
    ]
