"""Calls you can follow: the live state of a store's calls for help, read from the database.

Today's call panel, its Call backup / Manager intervention buttons and the kiosk show where a call
stands: who was offered the cover, who accepted and when they will arrive, who acknowledged, all
with display names. Everything comes from the alert, its cover offers and the roster, so a refresh,
another PC or a restart shows the same state.

An accepted backup call becomes a real roster shift at the store (``place_cover``), from the
expected arrival for ``COVER_HOURS`` (cut at closing time and at the person's next shift), so the
pressure model counts the extra person. Without a schema change the shift is marked as cover in
the alert's details (``details["cover_shift"]``: shift id, username, start, end); a person whose
home store is another store of the region is "borrowed" (their shift's store differs from their
home store), which needs no marking at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.escalation import USER_PREFIX
from alerts.kinds import AlertKind
from storemon.db.models import Alert, CoverOffer, RosterShift, StaffMember, Store, User
from storemon.services.access import Actor
from storemon.services.alert_service import AlertView
from storemon.services.attention import store_calls
from storemon.services.opening_hours import week_hours
from storemon.services.schedule import ScheduleError, place_shift
from storemon.services.timegrid import local_midnight

ARRIVAL_DEFAULT = timedelta(minutes=20)
"""When someone accepts cover without saying when they arrive (the desktop's Accept cover)."""
COVER_HOURS = timedelta(hours=3)
"""How long an accepted cover stays on the roster unless closing time or the person's next shift
comes first; the manager edits it in Schedule like any shift."""


@dataclass(frozen=True)
class OfferState:
    """One person asked to cover, and what became of it."""

    username: str
    name: str
    store_code: str
    """The person's home store."""
    status: str
    """offered, accepted, declined or withdrawn (someone else covers)."""
    answered_at: datetime | None


@dataclass(frozen=True)
class Arrival:
    """Someone on their way to the store."""

    username: str
    name: str
    expected_at: datetime
    borrowed_from: str = ""
    """The person's home store code when it is another store ("" for the store's own people)."""


@dataclass(frozen=True)
class CoverShift:
    """A roster shift worked as cover for a call, or by someone borrowed from another store."""

    shift_id: int
    name: str
    start: datetime
    end: datetime
    cover: bool
    """Placed by an accepted backup call."""
    borrowed_from: str = ""


@dataclass(frozen=True)
class CallState:
    """Where one call for help stands (see the module docstring); names, never usernames."""

    alert: AlertView
    requested_by: str
    acknowledged_by: str
    acknowledged_at: datetime | None
    covered_by: str
    coming: tuple[Arrival, ...] = ()
    offers: tuple[OfferState, ...] = ()
    cover_shift: CoverShift | None = None

    @property
    def kind(self) -> str:
        """backup, manager or relief."""
        return {
            AlertKind.BACKUP_CALL.value: "backup",
            AlertKind.MANAGER_CALL.value: "manager",
        }.get(self.alert.rule, "relief")

    @property
    def offers_open(self) -> int:
        return sum(1 for o in self.offers if o.status == "offered")


def plain(username: str | None) -> str:
    """``user:ana`` (an escalation target) as ``ana``."""
    username = username or ""
    return username[len(USER_PREFIX) :] if username.startswith(USER_PREFIX) else username


def _people(session: Session, usernames: set[str]) -> dict[str, tuple[str, int | None]]:
    """username -> (display name, home store id)."""
    wanted = [u for u in usernames if u]
    if not wanted:
        return {}
    rows = session.execute(
        select(User.username, User.display_name, User.store_id, StaffMember.home_store_id)
        .outerjoin(StaffMember, StaffMember.id == User.staff_member_id)
        .where(User.username.in_(wanted))
    )
    return {u: (display or u, home or store) for u, display, store, home in rows}


def _store_codes(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(Store.id, Store.code).where(Store.id.in_(wanted))).all())


def _cover_shift(
    details: dict[str, Any], names: dict[str, tuple[str, int | None]], away: str
) -> CoverShift | None:
    mark = details.get("cover_shift")
    if not mark:
        return None
    name = names.get(mark.get("username", ""), (mark.get("username", ""), None))[0]
    return CoverShift(
        int(mark["id"]),
        name,
        datetime.fromisoformat(mark["start"]),
        datetime.fromisoformat(mark["end"]),
        True,
        away,
    )


def states_of(session: Session, store: Store, views: list[AlertView]) -> list[CallState]:
    """The live state of these calls of ``store`` (same order)."""
    if not views:
        return []
    ids = [v.id for v in views]
    offers: dict[int, list[CoverOffer]] = {}
    for offer in session.scalars(
        select(CoverOffer).where(CoverOffer.alert_id.in_(ids)).order_by(CoverOffer.offered_at, CoverOffer.id)
    ):
        offers.setdefault(offer.alert_id, []).append(offer)
    alerts = {a.id: a for a in session.scalars(select(Alert).where(Alert.id.in_(ids)))}
    usernames: set[str] = set()
    for view in views:
        details = view.details or {}
        usernames |= {
            plain(view.owner),
            str(details.get("requested_by") or ""),
            plain(details.get("covered_by")),
        }
        usernames |= set(details.get("coming") or {})
        usernames |= {o.username for o in offers.get(view.id, [])}
    people = _people(session, usernames)
    codes = _store_codes(session, {home for _, home in people.values()})

    def name(username: str) -> str:
        return people.get(username, (username, None))[0] if username else ""

    def home_code(username: str) -> str:
        return codes.get(people.get(username, ("", None))[1], "")

    def away(username: str) -> str:
        home = people.get(username, ("", None))[1]
        return home_code(username) if home != store.id else ""

    states = []
    for view in views:
        details = view.details or {}
        covered = plain(details.get("covered_by"))
        coming = sorted(
            (
                Arrival(u, name(u), datetime.fromisoformat(at), away(u))
                for u, at in (details.get("coming") or {}).items()
            ),
            key=lambda a: a.expected_at,
        )
        row = alerts.get(view.id)
        owner = plain(view.owner)
        states.append(
            CallState(
                alert=view,
                requested_by=name(str(details.get("requested_by") or "")),
                acknowledged_by=name(owner),
                acknowledged_at=row.acknowledged_at if row is not None else None,
                covered_by=name(covered),
                coming=tuple(coming),
                offers=tuple(
                    OfferState(o.username, name(o.username), home_code(o.username), o.status, o.answered_at)
                    for o in offers.get(view.id, [])
                ),
                cover_shift=_cover_shift(details, people, away(covered)),
            )
        )
    return states


def store_call_states(session: Session, actor: Actor, store_id: int) -> list[CallState]:
    """The live state of the store's unresolved calls for help, most urgent first (Today, the kiosk)."""
    views = store_calls(session, actor, store_id)
    return states_of(session, session.get(Store, store_id), views)


def arrivals(session: Session, actor: Actor, store_id: int) -> list[Arrival]:
    """People on their way to the store for its unresolved calls, soonest first (the kiosk's line)."""
    seen: dict[str, Arrival] = {}
    for state in store_call_states(session, actor, store_id):
        for arrival in state.coming:
            if arrival.username not in seen or arrival.expected_at < seen[arrival.username].expected_at:
                seen[arrival.username] = arrival
    return sorted(seen.values(), key=lambda a: a.expected_at)


def _cover_end(session: Session, store: Store, staff_id: int, start: datetime) -> datetime:
    """``COVER_HOURS`` after ``start``, cut at the store's closing time and the person's next shift."""
    local = start.astimezone(ZoneInfo(store.timezone))
    opens, closes = week_hours(store).on(local.date())
    close_day = local.date() if closes > opens else local.date() + timedelta(days=1)
    close = datetime.combine(close_day, closes, tzinfo=ZoneInfo(store.timezone)).astimezone(UTC)
    end = min(start + COVER_HOURS, close)
    following = session.scalars(
        select(RosterShift.starts_at)
        .where(RosterShift.staff_id == staff_id, RosterShift.starts_at >= start)
        .order_by(RosterShift.starts_at)
    ).first()
    return min(end, following) if following is not None else end


def place_cover(session: Session, alert: Alert, username: str, arrival: datetime) -> RosterShift | None:
    """Put the person who accepted the call on the store's roster from their arrival, marked as cover
    in the alert's details. None (and the call stands as accepted) when there is nothing to place:
    no staff record, the store is closed by then, or their own roster already has them working."""
    store = session.get(Store, alert.store_id) if alert.store_id else None
    user = session.scalars(select(User).where(User.username == username)).first()
    if store is None or user is None or user.staff_member_id is None:
        return None
    start = arrival.astimezone(UTC).replace(second=0, microsecond=0)
    end = _cover_end(session, store, user.staff_member_id, start)
    if end - start < timedelta(minutes=15):
        return None
    try:
        shift = place_shift(session, store, user.staff_member_id, start, end)
    except ScheduleError:
        return None  # already working then (an overlapping shift): no second shift
    alert.details = {
        **alert.details,
        "cover_shift": {
            "id": shift.id,
            "username": username,
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
    }
    return shift


def day_covers(session: Session, store: Store, day: date, shifts: list[RosterShift]) -> list[CoverShift]:
    """The day's shifts at ``store`` worked as cover or by people borrowed from another store."""
    start = local_midnight(day, store.timezone)
    end = local_midnight(day + timedelta(days=1), store.timezone)
    marked: dict[int, str] = {}
    for details in session.scalars(
        select(Alert.details).where(
            Alert.store_id == store.id,
            Alert.rule == AlertKind.BACKUP_CALL.value,
            Alert.fired_at >= start - timedelta(days=1),
            Alert.fired_at < end,
        )
    ):
        mark = (details or {}).get("cover_shift")
        if mark:
            marked[int(mark["id"])] = mark.get("username", "")
    todays = [s for s in shifts if s.starts_at < end and s.ends_at > start]
    homes = _store_codes(session, {s.staff.home_store_id for s in todays})
    covers = []
    for shift in todays:
        home = shift.staff.home_store_id
        borrowed = homes.get(home, "") if home is not None and home != store.id else ""
        if shift.id in marked or borrowed:
            covers.append(
                CoverShift(
                    shift.id, shift.staff.name, shift.starts_at, shift.ends_at, shift.id in marked, borrowed
                )
            )
    return covers
