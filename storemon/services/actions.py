"""One-click actions: call backup (应急补位), manager intervention, relief requests, incidents, commitments.

Each is an alert with a full timeline (``storemon.services.alert_service``), so the same escalation,
outbox and audit apply; these functions add what is particular to each action.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from alerts.escalation import Acknowledge, Resolve
from alerts.kinds import RELIEF_REASONS, AlertKind, HelpCall, MissedCommitment, ReliefRequest
from alerts.kinds import Incident as IncidentParams
from storemon.db.models import (
    Alert,
    Commitment,
    CoverOffer,
    Incident,
    Role,
    RosterShift,
    StaffMember,
    Store,
    User,
)
from storemon.db.models import LivePicture as LivePictureRow
from storemon.services.access import Actor, NotFound, visible_store
from storemon.services.alert_service import (
    act,
    audit,
    notify_user,
    queue_notifications,
    raise_kind,
    visible_alert,
)
from storemon.services.call_state import ARRIVAL_DEFAULT, place_cover
from storemon.services.problems import CodedError, Problem
from storemon.services.store_days import StoreDay, store_day

SENSITIVE_TRIGGERS = ("escalated_complaint", "consumer_association", "media")
CUSTOMER_TYPES = ("irritable", "repetitive", "rational_demanding", "opportunistic")
URGENCY = {"low": "info", "normal": "warning", "high": "critical"}


class ActionRefused(CodedError):
    """The action cannot be taken as asked (already covered, not offered to you...)."""


@dataclass(frozen=True)
class LivePicture:
    """What a manager paged in needs to know at a glance."""

    wait_minutes: float
    backlog: float
    staff_on_shift: int
    alone: str
    utilisation: float | None

    def call_params(self, note: str) -> HelpCall:
        """A call for help carrying this picture (what the alert shows the person paged)."""
        return HelpCall(
            float(self.wait_minutes), float(self.backlog), int(self.staff_on_shift), self.alone, note
        )


LIVE_FRESH = timedelta(minutes=2)
"""The rules job refreshes every store's live picture each minute; a click uses it if this fresh."""


def compute_live_picture(
    session, actor: Actor, store: Store, day: StoreDay | None, now: datetime
) -> LivePicture:
    """The current 15-minute interval of the staffing model, and who is alone."""
    local = now.astimezone(ZoneInfo(store.timezone))
    day = day or store_day(session, actor, store.id, local.date(), now)
    on_shift = session.scalars(
        select(RosterShift).where(
            RosterShift.store_id == store.id, RosterShift.starts_at <= now, RosterShift.ends_at > now
        )
    ).all()
    return _picture(day, local, [shift.staff.name for shift in on_shift])


def refresh_live_pictures(session, stores: list[Store], days: dict[int, StoreDay], now: datetime) -> None:
    """Every store's live picture from its modelled day, in a handful of queries (the rules job,
    each minute, for the whole chain)."""
    ids = [store.id for store in stores]
    on_shift: dict[int, list[str]] = {i: [] for i in ids}
    for store_id, name in session.execute(
        select(RosterShift.store_id, StaffMember.name)
        .join(StaffMember, RosterShift.staff_id == StaffMember.id)
        .where(RosterShift.store_id.in_(ids), RosterShift.starts_at <= now, RosterShift.ends_at > now)
    ):
        on_shift[store_id].append(name)
    rows = {
        row.store_id: row
        for row in session.scalars(select(LivePictureRow).where(LivePictureRow.store_id.in_(ids)))
    }
    for store in stores:
        local = now.astimezone(ZoneInfo(store.timezone))
        picture = _picture(days[store.id], local, on_shift[store.id])
        row = rows.get(store.id)
        if row is None:
            row = LivePictureRow(store_id=store.id)
            session.add(row)
        row.payload, row.computed_at = asdict(picture), now


def _picture(day: StoreDay, local: datetime, on_shift: list[str]) -> LivePicture:
    current = None
    for interval in day.intervals:
        if interval.start <= local < interval.start + timedelta(minutes=15):
            current = interval
    alone = on_shift[0] if len(on_shift) == 1 else ""
    if current is None:
        return LivePicture(0.0, 0.0, len(on_shift), alone, None)
    return LivePicture(current.mean_wait_minutes, current.backlog, len(on_shift), alone, current.utilisation)


def live_picture(session, actor: Actor, store: Store, now: datetime) -> LivePicture:
    """The store's live picture: the rules job's copy if fresh, else computed now."""
    row = session.get(LivePictureRow, store.id)
    if row is not None and timedelta(0) <= now - row.computed_at <= LIVE_FRESH:
        return LivePicture(**row.payload)
    return compute_live_picture(session, actor, store, None, now)


def _cover_candidates(session, store: Store, now: datetime, caller: str) -> list[User]:
    """Off-shift staff and shift leads of the store and the other stores of its region."""
    on_shift = {
        s.staff_id
        for s in session.scalars(
            select(RosterShift).where(RosterShift.starts_at <= now, RosterShift.ends_at > now)
        )
    }
    region_stores = (
        [store.id]
        if store.region_id is None
        else list(session.scalars(select(Store.id).where(Store.region_id == store.region_id)))
    )
    users = session.scalars(
        select(User).where(
            User.active.is_(True),
            User.store_id.in_(region_stores),
            User.role.in_([Role.STAFF, Role.SHIFT_LEAD]),
        )
    ).all()
    chosen = [u for u in users if u.staff_member_id not in on_shift and u.username != caller]
    # The store's own people first: they know the counter.
    return sorted(chosen, key=lambda u: (u.store_id != store.id, u.username))


_CALLS: dict[AlertKind, tuple[str, int]] = {
    AlertKind.BACKUP_CALL: ("backup", 1),
    AlertKind.MANAGER_CALL: ("manager", 2),
}
"""Per kind of call: its key (dedup key and audit action) and the escalation level it starts at."""


def _call(
    session, actor: Actor, store_ref: int | str, now: datetime, kind: AlertKind, note: str, extra: dict
) -> tuple[Store, Alert]:
    """A call for help at a store the actor sees: an alert carrying the store's live picture, audited."""
    store = visible_store(session, actor, store_ref)
    key, start_level = _CALLS[kind]
    dedup_key = f"{key}:{store.id}"
    running = session.scalars(
        select(Alert)
        .where(Alert.dedup_key == dedup_key, Alert.status != "resolved")
        .order_by(Alert.id.desc())
    ).first()
    if running is not None and running.status != "open":
        # Someone already has it: pressing again shows where it stands, it does not page anew.
        audit(session, actor.username, f"call.{key}", f"store {store.code}", {"alert": running.id}, now)
        return store, running
    # Firing again replaces the details: keep what the call has become (who asked, who covers).
    live = {k: v for k, v in (running.details if running is not None else {}).items() if k in _LIVE_DETAILS}
    picture = live_picture(session, actor, store, now)
    alert = raise_kind(
        session,
        kind,
        picture.call_params(note),
        store=store,
        dedup_key=dedup_key,
        severity="critical",
        now=now,
        start_level=start_level,
        by=actor.username,
        extra={"requested_by": actor.username, **extra, **live},
    )
    audit(session, actor.username, f"call.{key}", f"store {store.code}", {"alert": alert.id}, now)
    return store, alert


_LIVE_DETAILS = ("requested_by", "covered_by", "coming", "cover_shift")
"""What a call's details gain after it is raised (``call_state``); a second press keeps them."""


def call_backup(
    session,
    actor: Actor,
    store_ref: int | str,
    now: datetime,
    note: str = "",
    window: tuple[datetime, datetime] | None = None,
) -> int:
    """Offer emergency cover to off-shift colleagues; the first to accept is assigned.

    ``window``: when the cover is needed (advice's "Call backup for 07:30–09:30"), kept on the alert
    as ``details["window"]`` and named in the offer; without it the cover is needed now.
    """
    extra: dict = {"covered_by": None}
    when = "now"
    if window is not None:
        start, end = window
        if end <= start:
            raise ActionRefused(Problem.BAD_WINDOW, start=start.isoformat(), end=end.isoformat())
        extra["window"] = {"start": start.isoformat(), "end": end.isoformat()}
    store, alert = _call(session, actor, store_ref, now, AlertKind.BACKUP_CALL, note, extra)
    if alert.details.get("covered_by"):
        return alert.id  # covered: nobody else is asked
    if window is not None:
        zone = ZoneInfo(store.timezone)
        when = f"{window[0].astimezone(zone):%H:%M}-{window[1].astimezone(zone):%H:%M}"
    for user in _cover_candidates(session, store, now, actor.username):
        if session.scalars(
            select(CoverOffer).where(CoverOffer.alert_id == alert.id, CoverOffer.username == user.username)
        ).first():
            continue
        session.add(CoverOffer(alert_id=alert.id, username=user.username, offered_at=now))
        queue_notifications(
            session,
            alert,
            1,
            [f"user:{user.username}"],
            "cover_offer",
            f"Can you cover at {store.name} {when}? Accept in Storemon.",
            now,
        )
    return alert.id


def accept_cover(
    session, actor: Actor, alert_id: int, now: datetime, arrival: datetime | None = None
) -> None:
    """The first acceptance wins: it acknowledges the alert; everyone else is told it is covered.

    The person is expected at ``arrival`` (default ``call_state.ARRIVAL_DEFAULT`` from now) and put
    on the store's roster from then as cover (``call_state.place_cover``), so Today, its chart and
    the kiosk say who is coming and the pressure model counts them.
    """
    offer = session.scalars(
        select(CoverOffer).where(CoverOffer.alert_id == alert_id, CoverOffer.username == actor.username)
    ).first()
    if offer is None:
        raise NotFound(f"no cover offer for {actor.username} on alert {alert_id}")
    taken = session.scalars(
        select(CoverOffer).where(CoverOffer.alert_id == alert_id, CoverOffer.status == "accepted")
    ).first()
    if taken is not None:
        raise ActionRefused(Problem.ALREADY_COVERED, person=taken.username)
    offer.status, offer.answered_at = "accepted", now
    others = session.scalars(
        select(CoverOffer).where(
            CoverOffer.alert_id == alert_id, CoverOffer.id != offer.id, CoverOffer.status == "offered"
        )
    ).all()
    for other in others:
        other.status, other.answered_at = "withdrawn", now
    alert_row = act(session, _system_view_of(actor), alert_id, Acknowledge(by=actor.username), now)
    arrival = arrival or now + ARRIVAL_DEFAULT
    coming = {**(alert_row.details.get("coming") or {}), actor.username: arrival.astimezone(UTC).isoformat()}
    alert_row.details = {**alert_row.details, "covered_by": actor.username, "coming": coming}
    place_cover(session, alert_row, actor.username, arrival)
    queue_notifications(
        session,
        alert_row,
        1,
        [f"user:{o.username}" for o in others],
        "covered",
        f"Covered by {_display_name(session, actor.username)}; no need to come.",
        now,
    )


def _display_name(session, username: str) -> str:
    """What people call this user (their display name; the username when there is none)."""
    name = session.scalars(select(User.display_name).where(User.username == username)).first()
    return name or username


def _system_view_of(actor: Actor) -> Actor:
    """Accepting cover acts on an alert of another store of the region; the offer is the permission."""
    return Actor(actor.username, Role.ADMIN)


def call_manager(session, actor: Actor, store_ref: int | str, now: datetime, note: str = "") -> int:
    """Page level 2 (shift lead / store manager) at once with the store's live picture."""
    _, alert = _call(session, actor, store_ref, now, AlertKind.MANAGER_CALL, note, {})
    return alert.id


def relief_request(
    session,
    actor: Actor,
    store_ref: int | str,
    reason: str,
    now: datetime,
    urgency: str = "normal",
    reason_codes: tuple[str, ...] = (),
) -> int:
    """Staff at the counter ask to be relieved; level 1 is themselves, so it starts at level 2.

    ``reason_codes`` are the preset reasons (``alerts.kinds.RELIEF_REASONS``), rendered in each
    reader's language; ``reason`` is what the person typed, kept as typed.
    """
    if urgency not in URGENCY:
        raise ActionRefused(Problem.BAD_URGENCY, choices=", ".join(URGENCY))
    unknown = sorted(set(reason_codes) - set(RELIEF_REASONS))
    if unknown:
        raise ActionRefused(Problem.UNKNOWN_RELIEF_REASON, codes=", ".join(unknown))
    if not reason.strip() and not reason_codes:
        raise ActionRefused(Problem.RELIEF_NEEDS_REASON)
    store = visible_store(session, actor, store_ref)
    alert = raise_kind(
        session,
        AlertKind.RELIEF_REQUEST,
        ReliefRequest(reason=reason, urgency=urgency, reason_codes=tuple(reason_codes)),
        store=store,
        dedup_key=f"relief:{store.id}:{actor.username}",
        severity=URGENCY[urgency],
        now=now,
        start_level=2,
        by=actor.username,
        extra={"requested_by": actor.username},
    )
    audit(session, actor.username, "relief.request", f"store {store.code}", {"alert": alert.id}, now)
    return alert.id


def report_incident(
    session,
    actor: Actor,
    store_ref: int | str,
    *,
    incident_type: str,
    customer_type: str,
    triggers: list[str],
    description: str,
    now: datetime,
    compensation: Decimal = Decimal("0"),
    approved_by: str | None = None,
    staff_id: int | None = None,
) -> tuple[int, int | None]:
    """Record an incident; a sensitive trigger raises an alert that skips the first level."""
    if customer_type not in CUSTOMER_TYPES:
        raise ActionRefused(Problem.BAD_CUSTOMER_TYPE, choices=", ".join(CUSTOMER_TYPES))
    unknown = set(triggers) - set(SENSITIVE_TRIGGERS)
    if unknown:
        raise ActionRefused(Problem.UNKNOWN_TRIGGERS, triggers=sorted(unknown))
    store = visible_store(session, actor, store_ref)
    incident = Incident(
        store_id=store.id,
        staff_id=staff_id,
        occurred_at=now,
        incident_type=incident_type,
        customer_type=customer_type,
        sensitive_triggers=list(triggers),
        description=description,
        compensation=compensation,
        approved_by=approved_by,
    )
    session.add(incident)
    session.flush()
    alert_id = None
    if triggers:
        alert = raise_kind(
            session,
            AlertKind.INCIDENT,
            IncidentParams(incident=incident.id, customer_type=customer_type, triggers=tuple(triggers)),
            store=store,
            dedup_key=f"incident:{incident.id}",
            severity="critical",
            now=now,
            sensitive=True,
            by=actor.username,
        )
        alert_id = alert.id
    audit(session, actor.username, "incident.report", f"store {store.code}", {"incident": incident.id}, now)
    return incident.id, alert_id


def add_commitment(
    session,
    actor: Actor,
    store_ref: int | str,
    description: str,
    due_at: datetime,
    now: datetime,
    grace_minutes: int = 10,
    remind_minutes: int = 15,
) -> int:
    """A promise to a customer ("call back at 15:00") tracked with a deadline."""
    if due_at <= now:
        raise ActionRefused(Problem.PROMISE_IN_PAST)
    store = visible_store(session, actor, store_ref)
    commitment = Commitment(
        store_id=store.id,
        owner=actor.username,
        description=description,
        due_at=due_at,
        grace_minutes=grace_minutes,
        remind_minutes=remind_minutes,
        created_by=actor.username,
        created_at=now,
    )
    session.add(commitment)
    session.flush()
    audit(
        session, actor.username, "commitment.add", f"store {store.code}", {"commitment": commitment.id}, now
    )
    return commitment.id


def commitment_done(session, actor: Actor, commitment_id: int, now: datetime) -> None:
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        raise NotFound(f"commitment {commitment_id} does not exist")
    visible_store(session, actor, commitment.store_id)
    if commitment.status == "done":
        return
    commitment.status, commitment.done_at = "done", now
    if commitment.alert_id:
        alert = visible_alert(session, actor, commitment.alert_id)
        if alert.status != "resolved":
            act(session, actor, alert.id, Resolve(by=actor.username, note="commitment kept (late)"), now)
    audit(session, actor.username, "commitment.done", f"commitment {commitment_id}", {}, now)


def process_commitments(session, now: datetime) -> tuple[int, int]:
    """Remind owners before the deadline; raise an alert when a promise is missed (deadline + grace)."""
    reminded = missed = 0
    for commitment in session.scalars(select(Commitment).where(Commitment.status == "open")):
        store = session.get(Store, commitment.store_id)
        if now >= commitment.due_at + timedelta(minutes=commitment.grace_minutes):
            commitment.status = "missed"
            alert = raise_kind(
                session,
                AlertKind.MISSED_COMMITMENT,
                MissedCommitment(commitment.id, commitment.description, commitment.owner),
                store=store,
                dedup_key=f"commitment:{commitment.id}",
                now=now,
            )
            commitment.alert_id = alert.id
            missed += 1
        elif commitment.reminded_at is None and now >= commitment.due_at - timedelta(
            minutes=commitment.remind_minutes
        ):
            commitment.reminded_at = now
            notify_user(
                session,
                commitment.owner,
                f"Promise due at {commitment.due_at:%H:%M} UTC",
                commitment.description,
                f"c{commitment.id}-reminder",
                store,
                now,
            )
            reminded += 1
    return reminded, missed
