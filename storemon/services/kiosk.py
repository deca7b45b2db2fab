"""The kiosk at the counter: PIN sign-in, incidents with playbooks and authority, promises, check-ins, support.

The kiosk PC belongs to one store. Until someone signs in it acts as *nobody*: a terminal actor
that may only list the store's people for the sign-in picker. A staff member signs in with their
PIN (``storemon.services.pins``) and from then on acts as the user account linked to them
(``User.staff_member_id``), so every alert, incident and promise names a real person.

Playbooks, authority limits and support resources are chain settings the Policies screen edits
(``storemon.services.incident_rules``, ``support_resources``); the kiosk reads them, with the shipped defaults until a
chain saves its own.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from alerts.codec import load_policy
from alerts.escalation import USER_PREFIX
from alerts.kinds import AlertKind, CompensationApproval
from storemon.db.models import (
    ApprovalToken,
    CheckIn,
    Commitment,
    Notification,
    Role,
    RosterShift,
    StaffMember,
    Store,
    User,
)
from storemon.services import incident_rules, pins, support_resources
from storemon.services.access import STORE_ROLES, AccessDenied, Actor, NotFound, visible_store
from storemon.services.actions import report_incident
from storemon.services.alert_service import IN_APP, audit, escalation_policy, raise_kind, visible_alert
from storemon.services.call_state import arrivals
from storemon.services.problems import CodedError, Problem
from storemon.services.timegrid import local_midnight

KIOSK_PREFIX = "kiosk:"
"""Usernames of terminal actors: ``kiosk:<store code>``; no user account has such a name."""

MAX_NOTE = 2000
APPROVAL_PURPOSE = "compensation"
APPROVAL_VALID = timedelta(minutes=10)
"""How long a colleague's PIN approval of an amount stays usable for recording the incident."""
PIN_MANAGERS = frozenset({Role.STORE_MANAGER, Role.OPS_SUPERVISOR, Role.SERVICE_DIRECTOR, Role.EXECUTIVE})


class KioskError(CodedError):
    """Something the kiosk cannot do as asked; the message says what to do instead."""


@dataclass(frozen=True)
class KioskStore:
    id: int
    code: str
    name: str
    timezone: str


@dataclass(frozen=True)
class KioskTerminal:
    """A kiosk PC: its store, and the actor it uses before anyone signs in (sees only the picker)."""

    store: KioskStore
    actor: Actor


@dataclass(frozen=True)
class KioskPerson:
    """Someone who may sign in at this kiosk: an active staff member with a linked user account."""

    staff_id: int
    name: str
    role: str
    has_pin: bool
    locked_until: datetime | None


@dataclass(frozen=True)
class SignIn:
    """The outcome of a PIN attempt: the person's actor when it worked."""

    result: pins.PinResult
    actor: Actor | None
    person: KioskPerson | None


@dataclass(frozen=True)
class KioskProfile:
    """The signed-in person as the kiosk greets them, with the authority their job gives them."""

    staff_id: int
    username: str
    name: str
    role: str
    store: KioskStore
    authority_limit: Decimal
    currency: str


@dataclass(frozen=True)
class IncidentReceipt:
    """What recording an incident did: the alert a sensitive trigger raised, the approval asked for."""

    incident_id: int
    alert_id: int | None
    approval_alert_id: int | None
    approved_by: str | None
    needs_approval: bool
    authority_limit: Decimal


@dataclass(frozen=True)
class ReliefStatus:
    """Where a relief request stands, as the person who asked sees it at the counter."""

    alert_id: int
    status: str
    level: int
    level_name: str
    owner: str | None
    owner_name: str | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    paged: tuple[str, ...]
    """Display names of the people paged so far."""
    deadline: datetime | None = None
    """When it goes up a level if nobody acknowledges (None once someone has it)."""
    next_level_name: str = ""
    """Who it goes up to then ("" at the top of the chain)."""
    coming: tuple[tuple[str, datetime], ...] = ()
    """(display name, expected arrival) of people on their way (answered from the phone)."""


@dataclass(frozen=True)
class OwnCheckIn:
    """One of the signed-in person's own end-of-shift check-ins (their private note included)."""

    id: int
    store_code: str
    score: int
    note: str
    note_shared: bool
    created_at: datetime
    shift_start: datetime | None
    shift_end: datetime | None


@dataclass(frozen=True)
class CheckInReceipt:
    id: int
    shift_start: datetime | None
    shift_end: datetime | None
    updated: bool
    """True when it replaced the person's earlier check-in for the same shift."""


@dataclass(frozen=True)
class SupportContact:
    name: str
    phone: str
    note: str


@dataclass(frozen=True)
class SupportInfo:
    """Where to get support (DOMAIN.md section 4); ``*_default`` says the chain has not set it yet."""

    hotline_number: str
    hotline_hours: str
    hotline_default: bool
    contacts: tuple[SupportContact, ...]
    contacts_default: bool
    sessions: str
    stress_training: str


@dataclass(frozen=True)
class PromiseView:
    id: int
    description: str
    due_at: datetime
    status: str


PUBLIC_HOTLINE = "12356"
"""China's national psychological assistance hotline (全国心理援助热线), free of charge."""


# ------------------------------------------------------------------------------------ terminal and sign-in


def _kiosk_store(store: Store) -> KioskStore:
    return KioskStore(store.id, store.code, store.name, store.timezone)


def terminal(session: Session, actor: Actor, store_ref: int | str) -> KioskTerminal:
    """The kiosk of a store, started by ``actor`` (who must see the store): it acts as nobody."""
    store = visible_store(session, actor, store_ref)
    return KioskTerminal(
        _kiosk_store(store), Actor(f"{KIOSK_PREFIX}{store.code}", Role.STAFF, store.id, store.region_id)
    )


def _people(session: Session, store: Store) -> list[tuple[StaffMember, User]]:
    rows = session.execute(
        select(StaffMember, User)
        .join(User, User.staff_member_id == StaffMember.id)
        .where(
            User.store_id == store.id,
            User.active.is_(True),
            User.role.in_(list(STORE_ROLES)),
            StaffMember.active.is_(True),
        )
        .order_by(StaffMember.name)
    ).all()
    return [(staff, user) for staff, user in rows]


def _person(session: Session, staff: StaffMember, user: User, now: datetime) -> KioskPerson:
    state = pins.lockout_state(session, staff.id, now)
    return KioskPerson(staff.id, staff.name, user.role.value, bool(staff.pin_hash), state.locked_until)


def people(session: Session, actor: Actor, store_id: int, now: datetime) -> list[KioskPerson]:
    """The names on the sign-in picker: the store's active staff who have a Storemon account."""
    store = visible_store(session, actor, store_id)
    return [_person(session, staff, user, now) for staff, user in _people(session, store)]


def sign_in(session: Session, actor: Actor, store_id: int, staff_id: int, pin: str, now: datetime) -> SignIn:
    """Check the PIN of someone on this store's picker; the caller commits (failures must count)."""
    store = visible_store(session, actor, store_id)
    found = next(((s, u) for s, u in _people(session, store) if s.id == staff_id), None)
    if found is None:
        return SignIn(pins.PinResult(False, 0, None, pins.UNKNOWN), None, None)
    staff, user = found
    result = pins.verify_pin(session, staff.id, pin, now)
    person = KioskPerson(staff.id, staff.name, user.role.value, bool(staff.pin_hash), result.locked_until)
    if not result.ok:
        return SignIn(result, None, person)
    audit(session, user.username, "kiosk.sign_in", f"store {store.code}", {}, now)
    return SignIn(result, Actor(user.username, user.role, user.store_id, user.region_id), person)


def set_staff_pin(session: Session, actor: Actor, staff_id: int, pin: str, now: datetime) -> None:
    """A store manager (or above, in scope) gives a staff member a PIN; a person may change their own."""
    staff = session.get(StaffMember, staff_id)
    if staff is None:
        raise NotFound(f"staff member {staff_id} does not exist")
    own = _linked_staff_id(session, actor) == staff_id
    if not own:
        if actor.role not in PIN_MANAGERS and not actor.sees_chain:
            raise AccessDenied("only a store manager or above may set someone else's PIN")
        if staff.home_store_id is None:
            if not actor.sees_chain:
                raise AccessDenied("only head office may set the PIN of someone without a home store")
        else:
            visible_store(session, actor, staff.home_store_id)
    pins.set_pin(session, staff_id, pin)
    audit(session, actor.username, "kiosk.set_pin", f"staff {staff.code}", {}, now)


def _linked_staff_id(session: Session, actor: Actor) -> int | None:
    return session.scalar(select(User.staff_member_id).where(User.username == actor.username))


def _signed_in_staff(session: Session, actor: Actor) -> tuple[StaffMember, User]:
    """The staff member behind a signed-in actor; the terminal actor is nobody."""
    user = session.scalars(select(User).where(User.username == actor.username)).one_or_none()
    if user is None or not user.active or user.staff_member_id is None:
        raise AccessDenied("sign in with your PIN first")
    staff = session.get(StaffMember, user.staff_member_id)
    if staff is None or not staff.active:
        raise AccessDenied("sign in with your PIN first")
    return staff, user


# ------------------------------------------------------------------------------------ the person


def _limits(session: Session) -> incident_rules.AuthorityLimits:
    return incident_rules.load_authority_limits(session)


def authority_limit(limits: incident_rules.AuthorityLimits, role: str) -> Decimal:
    """The most a role may grant alone; roles outside the chain of command grant nothing alone."""
    return limits.limits.get(role, Decimal("0"))


def profile(session: Session, actor: Actor) -> KioskProfile:
    staff, user = _signed_in_staff(session, actor)
    store = session.get(Store, user.store_id) if user.store_id else None
    if store is None:
        raise AccessDenied("your account belongs to no store; ask your store manager")
    limits = _limits(session)
    return KioskProfile(
        staff_id=staff.id,
        username=user.username,
        name=staff.name,
        role=staff.role.value,
        store=_kiosk_store(store),
        authority_limit=authority_limit(limits, staff.role.value),
        currency=limits.currency,
    )


# ------------------------------------------------------------------------------------ incidents


def playbooks(session: Session, actor: Actor, language: str) -> tuple[incident_rules.Playbook, ...]:
    """The incident types and their pre-approved responses (at least three each)."""
    _signed_in_staff(session, actor)
    return incident_rules.load_playbooks(session, language)


def _approval_level(session: Session, role: str | None) -> int:
    """The first escalation level that pages ``role`` (the people who may grant the amount)."""
    policy = escalation_policy(session)
    if role is not None:
        for level in policy.levels:
            if role in level.targets:
                return level.number
    return policy.top


def approvers(session: Session, actor: Actor, amount: Decimal, now: datetime) -> list[KioskPerson]:
    """Colleagues of the store who may grant ``amount`` alone and can confirm it here with their PIN."""
    staff, user = _signed_in_staff(session, actor)
    store = visible_store(session, actor, user.store_id)
    limits = _limits(session)
    return [
        _person(session, other, other_user, now)
        for other, other_user in _people(session, store)
        if other.id != staff.id and other.pin_hash and authority_limit(limits, other.role.value) >= amount
    ]


def record_incident(
    session: Session,
    actor: Actor,
    *,
    incident_type: str,
    customer_type: str,
    triggers: list[str],
    description: str,
    compensation: Decimal,
    now: datetime,
    approval_token: str | None = None,
) -> IncidentReceipt:
    """Record an incident at the person's store; above their authority it is approved or sent for approval.

    ``approval_token`` comes from ``check_approver``: a colleague whose authority covers the amount
    confirmed it with their PIN. Without one, the incident is recorded with no approver and an
    approval alert pages the first level that may grant the amount: the kiosk never pretends an
    amount above the limit was approved.
    """
    staff, user = _signed_in_staff(session, actor)
    if compensation < 0:
        raise KioskError(Problem.NEGATIVE_COMPENSATION)
    if len(description) > MAX_NOTE:
        raise KioskError(Problem.TEXT_TOO_LONG, what="description", limit=MAX_NOTE)
    known = {book.incident_type for book in incident_rules.load_playbooks(session)}
    if incident_type not in known:
        raise KioskError(Problem.UNKNOWN_INCIDENT_TYPE, incident_type=incident_type)
    limits = _limits(session)
    limit = authority_limit(limits, staff.role.value)
    needs_approval = compensation > limit
    approved_by = (
        _redeem_approval(session, actor, approval_token, compensation, now) if needs_approval else None
    )
    incident_id, alert_id = report_incident(
        session,
        actor,
        user.store_id,
        incident_type=incident_type,
        customer_type=customer_type,
        triggers=list(triggers),
        description=description.strip(),
        now=now,
        compensation=compensation,
        approved_by=approved_by,
        staff_id=staff.id,
    )
    approval_alert = None
    if needs_approval and approved_by is None:
        store = session.get(Store, user.store_id)
        role = limits.lowest_role_for(compensation)
        approval_alert = raise_kind(
            session,
            AlertKind.COMPENSATION_APPROVAL,
            CompensationApproval(
                incident=incident_id,
                amount=str(compensation),
                currency=limits.currency,
                limit=str(limit),
                asked_by=staff.name,
                lowest_role=role,
            ),
            store=store,
            dedup_key=f"approval:incident:{incident_id}",
            severity="warning",
            now=now,
            start_level=_approval_level(session, role),
            by=actor.username,
            extra={"requested_by": actor.username},
        )
    return IncidentReceipt(
        incident_id,
        alert_id,
        approval_alert.id if approval_alert else None,
        approved_by,
        needs_approval,
        limit,
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _redeem_approval(
    session: Session, actor: Actor, token: str | None, amount: Decimal, now: datetime
) -> str | None:
    """The approver of a grant made for this person and amount, used up; None without a token."""
    if not token:
        return None
    grant = session.get(ApprovalToken, _token_hash(token), with_for_update=True)
    if (
        grant is None
        or grant.purpose != APPROVAL_PURPOSE
        or grant.used_at is not None
        or grant.grantee != actor.username
        or grant.amount < amount
        or grant.expires_at < now
    ):
        raise KioskError(Problem.APPROVAL_NOT_VALID)
    grant.used_at = now
    return grant.approver


def check_approver(
    session: Session, actor: Actor, approver_staff_id: int, pin: str, amount: Decimal, now: datetime
) -> tuple[pins.PinResult, str | None]:
    """A colleague confirms an amount above the person's limit with their PIN; the caller commits.

    Returns the PIN result and, when it worked, a one-time approval token for ``record_incident``
    (valid for ``APPROVAL_VALID``, for this person and up to this amount): the grant is kept by
    the service, so no client can claim an approval nobody gave. Wrong PINs count towards the
    approver's lockout like any sign-in.
    """
    candidates = {p.staff_id for p in approvers(session, actor, amount, now)}
    if approver_staff_id not in candidates:
        raise KioskError(Problem.APPROVER_LIMIT)
    _, user = _signed_in_staff(session, actor)
    result = pins.verify_pin(session, approver_staff_id, pin, now)
    if not result.ok:
        return result, None
    approver = session.scalars(
        select(User).where(User.staff_member_id == approver_staff_id, User.store_id == user.store_id)
    ).first()
    if approver is None:
        raise KioskError(Problem.APPROVER_NO_ACCOUNT)
    session.execute(delete(ApprovalToken).where(ApprovalToken.expires_at < now))
    token = secrets.token_urlsafe(16)
    session.add(
        ApprovalToken(
            token_hash=_token_hash(token),
            purpose=APPROVAL_PURPOSE,
            approver=approver.username,
            grantee=actor.username,
            amount=amount,
            expires_at=now + APPROVAL_VALID,
        )
    )
    audit(
        session,
        approver.username,
        "kiosk.approve",
        f"compensation for {actor.username}",
        {"amount": str(amount)},
        now,
    )
    return result, token


# ------------------------------------------------------------------------------------ promises


def open_promises(session: Session, actor: Actor) -> list[PromiseView]:
    """The person's own open promises to customers, soonest first."""
    _signed_in_staff(session, actor)
    rows = session.scalars(
        select(Commitment)
        .where(Commitment.owner == actor.username, Commitment.status == "open")
        .order_by(Commitment.due_at)
    ).all()
    return [PromiseView(c.id, c.description, c.due_at, c.status) for c in rows]


# ------------------------------------------------------------------------------------ relief status


def relief_status(session: Session, actor: Actor, alert_id: int) -> ReliefStatus:
    """The relief request's state and the names of who was paged and who has it."""
    alert = visible_alert(session, actor, alert_id)
    if alert.rule != "relief_request":
        raise NotFound(f"alert {alert_id} is not a relief request")
    policy = load_policy(alert.policy_snapshot) if alert.policy_snapshot else escalation_policy(session)
    paged_users = session.scalars(
        select(Notification.username)
        .where(
            Notification.alert_id == alert.id,
            Notification.channel == IN_APP,
            Notification.username.is_not(None),
        )
        .distinct()
    ).all()
    owner = alert.acknowledged_by or ""
    owner = owner[len(USER_PREFIX) :] if owner.startswith(USER_PREFIX) else owner
    coming = {u: datetime.fromisoformat(at) for u, at in (alert.details.get("coming") or {}).items()}
    names = _display_names(session, [*paged_users, owner, *coming])
    paged = tuple(
        sorted({names.get(u, u) for u in paged_users if u and u != actor.username}, key=str.casefold)
    )
    return ReliefStatus(
        alert_id=alert.id,
        status=alert.status,
        level=alert.level,
        level_name=policy.level(alert.level).name if alert.level <= policy.top else "",
        owner=owner or None,
        owner_name=names.get(owner, owner) or None,
        acknowledged_at=alert.acknowledged_at,
        resolved_at=alert.resolved_at,
        paged=paged,
        deadline=alert.next_deadline if alert.status == "open" else None,
        next_level_name=policy.level(alert.level + 1).name if alert.level < policy.top else "",
        coming=_with_cover(
            session,
            actor,
            alert,
            tuple((names.get(u, u), at) for u, at in sorted(coming.items(), key=lambda item: item[1])),
        ),
    )


def _with_cover(
    session: Session, actor: Actor, alert, coming: tuple[tuple[str, datetime], ...]
) -> tuple[tuple[str, datetime], ...]:
    """The request's own arrivals and whoever accepted the store's backup call meanwhile: the person
    who asked learns help is on the way, whichever call brought it."""

    if alert.status == "resolved" or alert.store_id is None:
        return coming
    names = {name for name, _ in coming}
    extra = tuple(
        (a.name, a.expected_at) for a in arrivals(session, actor, alert.store_id) if a.name not in names
    )
    return tuple(sorted(coming + extra, key=lambda item: item[1]))


def _display_names(session: Session, usernames: list[str]) -> dict[str, str]:
    wanted = [u for u in set(usernames) if u]
    if not wanted:
        return {}
    rows = session.execute(select(User.username, User.display_name).where(User.username.in_(wanted))).all()
    return {username: display or username for username, display in rows}


# ------------------------------------------------------------------------------------ check-ins


def _shift_for_check_in(
    session: Session, staff: StaffMember, store: Store, now: datetime
) -> RosterShift | None:
    """The person's current shift, or the last one that started today (store-local day)."""
    local_day = now.astimezone(ZoneInfo(store.timezone)).date()
    start = local_midnight(local_day, store.timezone)
    return session.scalars(
        select(RosterShift)
        .where(
            RosterShift.staff_id == staff.id,
            RosterShift.starts_at >= start - timedelta(hours=12),
            RosterShift.starts_at <= now,
            RosterShift.ends_at > start,
        )
        .order_by(RosterShift.starts_at.desc())
    ).first()


def check_in(
    session: Session, actor: Actor, score: int, note: str, share: bool, now: datetime
) -> CheckInReceipt:
    """The end-of-shift check-in ("how hard was this shift", 1-5); one per shift, a second replaces it."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise KioskError(Problem.CHECKIN_SCORE)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise KioskError(Problem.TEXT_TOO_LONG, what="note", limit=MAX_NOTE)
    staff, user = _signed_in_staff(session, actor)
    store = session.get(Store, user.store_id)
    if store is None:
        raise AccessDenied("your account belongs to no store; ask your store manager")
    shift = _shift_for_check_in(session, staff, store, now)
    row = None
    if shift is not None:
        row = session.scalars(
            select(CheckIn).where(CheckIn.shift_id == shift.id, CheckIn.staff_id == staff.id)
        ).first()
    updated = row is not None
    if row is None:
        row = CheckIn(staff_id=staff.id, store_id=store.id, shift_id=shift.id if shift else None)
        session.add(row)
    row.score, row.note, row.note_shared, row.created_at = score, note, bool(share and note), now
    session.flush()
    audit(
        session,
        actor.username,
        "kiosk.check_in",
        f"store {store.code}",
        {"check_in": row.id, "shared": row.note_shared},
        now,
    )
    return CheckInReceipt(
        row.id, shift.starts_at if shift else None, shift.ends_at if shift else None, updated
    )


def my_check_ins(session: Session, actor: Actor, since: datetime) -> list[OwnCheckIn]:
    """The signed-in person's own check-ins since ``since``, newest first, notes included.

    The kiosk shows a person only their own; what managers see of others (scores, shared notes)
    is ``storemon.services.checkins.checkins_for``.
    """
    staff, _user = _signed_in_staff(session, actor)
    rows = session.execute(
        select(CheckIn, Store, RosterShift)
        .join(Store, Store.id == CheckIn.store_id)
        .outerjoin(RosterShift, RosterShift.id == CheckIn.shift_id)
        .where(CheckIn.staff_id == staff.id, CheckIn.created_at >= since)
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
        .limit(200)
    ).all()
    return [
        OwnCheckIn(
            id=c.id,
            store_code=store.code,
            score=c.score,
            note=c.note,
            note_shared=c.note_shared,
            created_at=c.created_at,
            shift_start=shift.starts_at if shift else None,
            shift_end=shift.ends_at if shift else None,
        )
        for c, store, shift in rows
    ]


# ------------------------------------------------------------------------------------ support


def support(session: Session, actor: Actor) -> SupportInfo:
    """The chain's support resources; until it sets them, the public hotline and the store's managers."""
    staff, user = _signed_in_staff(session, actor)
    resources = support_resources.load_support_resources(session)
    contacts = tuple(SupportContact(c.name, c.phone, c.note) for c in resources.mutual_aid)
    contacts_default = not contacts
    if contacts_default and user.store_id is not None:
        store = session.get(Store, user.store_id)
        leads = session.scalars(
            select(StaffMember)
            .where(
                StaffMember.home_store_id == store.id,
                StaffMember.active.is_(True),
                StaffMember.role.in_([Role.STORE_MANAGER, Role.SHIFT_LEAD]),
                StaffMember.id != staff.id,
                StaffMember.phone != "",
            )
            .order_by(StaffMember.role.desc(), StaffMember.name)
        ).all()
        contacts = tuple(SupportContact(m.name, m.phone, m.role.value) for m in leads)
    hotline_default = not resources.hotline_number
    return SupportInfo(
        hotline_number=resources.hotline_number or PUBLIC_HOTLINE,
        hotline_hours=resources.hotline_hours,
        hotline_default=hotline_default,
        contacts=contacts,
        contacts_default=contacts_default,
        sessions=resources.mental_health_sessions,
        stress_training=resources.stress_training,
    )
