"""People around an alert: who may take it over, whose cover offers are open, names for usernames.

The Alerts screen shows display names instead of usernames, lets a person hand an alert to
someone who can act on it (the people who may see the alert's store), and offers "Accept cover"
to someone asked to step in (应急补位).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storemon.db.models import Alert, CoverOffer, Notification, Role, Store, User
from storemon.services.access import STORE_ROLES, Actor
from storemon.services.alert_service import IN_APP, AlertView, alert_view, visible_alert

ROLE_ORDER = {
    Role.STAFF: 0,
    Role.SHIFT_LEAD: 1,
    Role.STORE_MANAGER: 2,
    Role.OPS_SUPERVISOR: 3,
    Role.SERVICE_DIRECTOR: 4,
    Role.EXECUTIVE: 5,
    Role.ADMIN: 6,
}
TAKE_OVER_ROLES = (Role.SERVICE_DIRECTOR, Role.EXECUTIVE)
"""Chain roles that may be handed any alert (the administrator is a technical account)."""


@dataclass(frozen=True)
class PersonRef:
    """A user as pickers show them."""

    username: str
    display_name: str
    role: str
    store_code: str


@dataclass(frozen=True)
class CoverOfferView:
    """An open request to come and cover at a store (a backup call offered to this person)."""

    alert_id: int
    store_id: int | None
    store_code: str
    store_name: str
    title: str
    offered_at: datetime
    requested_by: str


def _ref(user: User, store_code: str = "") -> PersonRef:
    return PersonRef(user.username, user.display_name or user.username, user.role.value, store_code)


def assignees(session: Session, actor: Actor, alert_id: int) -> list[PersonRef]:
    """Active people who may see the alert's store and so can take it: its store's team, its region's
    supervisor, and head office; the lowest level of the chain first."""
    alert = visible_alert(session, actor, alert_id)
    store = session.get(Store, alert.store_id) if alert.store_id else None
    conditions = [User.role.in_(list(TAKE_OVER_ROLES))]
    if store is not None:
        conditions.append(User.role.in_(list(STORE_ROLES)) & (User.store_id == store.id))
        if store.region_id is not None:
            conditions.append((User.role == Role.OPS_SUPERVISOR) & (User.region_id == store.region_id))
    users = session.scalars(select(User).where(User.active.is_(True), or_(*conditions))).all()
    code = store.code if store else ""
    refs = [_ref(u, code if u.role in STORE_ROLES else "") for u in users]
    return sorted(refs, key=lambda p: (ROLE_ORDER.get(Role(p.role), 9), p.display_name.casefold()))


def open_cover_offers(session: Session, actor: Actor) -> list[CoverOfferView]:
    """The cover offers made to this person that nobody has taken yet, newest first."""
    rows = session.execute(
        select(CoverOffer, Alert, Store)
        .join(Alert, Alert.id == CoverOffer.alert_id)
        .outerjoin(Store, Store.id == Alert.store_id)
        .where(
            CoverOffer.username == actor.username,
            CoverOffer.status == "offered",
            Alert.status != "resolved",
        )
        .order_by(CoverOffer.offered_at.desc())
    ).all()
    return [
        CoverOfferView(
            alert_id=alert.id,
            store_id=alert.store_id,
            store_code=store.code if store else "",
            store_name=store.name if store else "",
            title=alert.title,
            offered_at=offer.offered_at,
            requested_by=str(alert.details.get("requested_by") or ""),
        )
        for offer, alert, store in rows
        if not alert.details.get("covered_by")
    ]


def display_names(session: Session, actor: Actor) -> dict[str, str]:
    """Username -> display name for the people this actor deals with (their scope and head office)."""
    stmt = select(User.username, User.display_name).outerjoin(Store, Store.id == User.store_id)
    if not actor.sees_chain:
        conditions = [User.role.in_([Role.SERVICE_DIRECTOR, Role.EXECUTIVE, Role.ADMIN])]
        if actor.region_id is not None:
            conditions.append(User.region_id == actor.region_id)
            conditions.append(Store.region_id == actor.region_id)
        if actor.store_id is not None:
            conditions.append(User.store_id == actor.store_id)
        stmt = stmt.where(or_(*conditions))
    return {username: display or username for username, display in session.execute(stmt)}


@dataclass(frozen=True)
class NoticeView:
    """One in-app notification: who was told what about an alert, and whether they have seen it."""

    id: int
    alert_id: int | None
    at: datetime
    username: str
    kind: str
    level: int | None
    title: str
    body: str
    read_at: datetime | None
    alert: AlertView | None = None
    """The alert as lists show it (``unread_notices`` only), so a notification can be worded locally."""


def _notice(n: Notification, alert: AlertView | None = None) -> NoticeView:
    payload = n.payload or {}
    return NoticeView(
        id=n.id,
        alert_id=n.alert_id,
        at=n.created_at,
        username=n.username or n.recipient,
        kind=str(payload.get("kind") or ""),
        level=payload.get("level"),
        title=str(payload.get("title") or ""),
        body=str(payload.get("body") or ""),
        read_at=n.read_at,
        alert=alert,
    )


def alert_notices(session: Session, actor: Actor, alert_id: int) -> list[NoticeView]:
    """Who was told about an alert in the app (paged, informed, told it was resolved...), oldest first."""
    alert = visible_alert(session, actor, alert_id)
    rows = session.scalars(
        select(Notification)
        .where(Notification.alert_id == alert.id, Notification.channel == IN_APP)
        .order_by(Notification.created_at, Notification.id)
    ).all()
    return [_notice(n) for n in rows]


@dataclass(frozen=True)
class DeliveryView:
    """One notification of an alert on any channel, as ``alert show`` lists it: what was sent where,
    and what became of it (pending, delivered, dead, or cancelled because the alert was answered)."""

    id: int
    channel: str
    to: str
    kind: str
    level: int | None
    status: str
    attempts: int
    queued_at: datetime
    delivered_at: datetime | None
    last_error: str


def alert_deliveries(session: Session, actor: Actor, alert_id: int) -> list[DeliveryView]:
    """Every notification of an alert, each channel and person, oldest first."""
    alert = visible_alert(session, actor, alert_id)
    rows = session.scalars(
        select(Notification).where(Notification.alert_id == alert.id).order_by(Notification.id)
    ).all()
    return [
        DeliveryView(
            id=n.id,
            channel=n.channel,
            to=n.username or n.channel,  # a person, or the chain channel (never a webhook URL)
            kind=str((n.payload or {}).get("kind") or ""),
            level=(n.payload or {}).get("level"),
            status=n.status,
            attempts=n.attempts,
            queued_at=n.created_at,
            delivered_at=n.delivered_at,
            last_error=n.last_error or "",
        )
        for n in rows
    ]


def unread_notices(session: Session, actor: Actor, limit: int = 5) -> list[NoticeView]:
    """The person's newest unread in-app notifications (for the tray's desktop notification)."""
    rows = session.execute(
        select(Notification, Alert, Store)
        .outerjoin(Alert, Alert.id == Notification.alert_id)
        .outerjoin(Store, Store.id == Alert.store_id)
        .where(
            Notification.channel == IN_APP,
            Notification.username == actor.username,
            Notification.read_at.is_(None),
        )
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()
    return [_notice(n, alert_view(alert, store) if alert is not None else None) for n, alert, store in rows]
