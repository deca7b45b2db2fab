"""Alerts: open, walk up the escalation chain, and notify through the outbox, in one transaction.

``alerts.escalation`` decides (a pure state machine); this module stores its state on the alert
row, turns its actions into timeline rows, audit entries and outbox notifications, and resolves
role targets to the people of the alert's store and region. Every notification is written in the
same transaction as the state change that caused it, so nothing is lost or sent for a change that
rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alerts.codec import dump_policy, dump_state, load_state
from alerts.escalation import (
    OPEN,
    ROLES,
    USER_PREFIX,
    AlertState,
    EscalationPolicy,
    Event,
    Notify,
    Resolve,
    Timeline,
    Timeout,
    fire,
    step,
)
from alerts.escalation import Fire as FireEvent
from alerts.kinds import EN, AlertKind, AlertParams, RenderedAlert, details_for, render_alert, render_stored
from alerts.message import Message
from alerts.outbox import DELIVERED, PENDING
from storemon.db.models import Alert, EscalationStep, Notification, Role, Store, User
from storemon.db.outbox import cancel_pages, wake_dispatchers
from storemon.services import audit as audit_log
from storemon.services import setting_keys
from storemon.services.access import Actor, NotFound

POLICY_KEY = setting_keys.ESCALATION_POLICY.name
CHANNELS_KEY = setting_keys.CHANNELS.name
LANGUAGE_KEY = setting_keys.ALERTS_LANGUAGE.name
IN_APP = "inapp"
SEVERITY_BY_KIND = {
    "page": "warning",
    "inform": "info",
    "reminder": "info",
    "acknowledged": "info",
    "resolved": "info",
    "reassigned": "info",
    "cover_offer": "warning",
    "covered": "info",
}


@dataclass(frozen=True)
class AlertView:
    """An alert as lists and detail panes show it."""

    id: int
    rule: str
    store_id: int | None
    store_code: str
    store_name: str
    title: str
    severity: str
    status: str
    level: int
    level_name: str
    owner: str | None
    sensitive: bool
    fired_at: datetime
    updated_at: datetime
    deadline: datetime | None
    details: dict[str, Any]
    level_names: tuple[str, ...] = ()
    """The names of the alert's escalation levels, level 1 first (timelines name a level, not a number)."""


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    level: int
    kind: str
    actor: str
    note: str


def escalation_policy(session: Session) -> EscalationPolicy:
    """The chain's escalation policy (Settings), or the five-level default."""
    return setting_keys.ESCALATION_POLICY.load(session)


def channel_subscriptions(session: Session) -> list[dict[str, Any]]:
    """Chain-wide channels (group webhooks, e-mail): ``{"name", "type", "settings", "levels", "enabled"}``."""
    return [c for c in setting_keys.CHANNELS.load(session) if c.get("enabled", True)]


def _state(alert: Alert) -> AlertState:
    return load_state(alert.state)


def _people_for(session: Session, store: Store | None, targets: Iterable[str]) -> list[User]:
    """The active users a level's targets name, scoped to the alert's store and region."""
    found: dict[int, User] = {}
    for target in targets:
        if target.startswith(USER_PREFIX):
            stmt = select(User).where(User.username == target[len(USER_PREFIX) :])
        elif target in ROLES:
            role = Role(target)
            stmt = select(User).where(User.role == role)
            if role in (Role.STAFF, Role.SHIFT_LEAD, Role.STORE_MANAGER):
                stmt = stmt.where(User.store_id == (store.id if store else -1))
            elif role == Role.OPS_SUPERVISOR:
                stmt = stmt.where(User.region_id == (store.region_id if store else -1))
        else:
            continue
        for user in session.scalars(stmt.where(User.active.is_(True))):
            found[user.id] = user
    return sorted(found.values(), key=lambda u: u.username)


def chain_language(session: Session) -> str:
    """The language chain-wide channels speak unless a channel says otherwise (Settings; default en)."""
    return setting_keys.ALERTS_LANGUAGE.load(session) or EN


def rendered(alert: Alert, store: Store | None, language: str) -> RenderedAlert:
    """The stored alert in ``language`` (old rows without parameters: their stored title)."""
    where = f"{store.code} {store.name}" if store else ""
    return render_stored(alert.rule, alert.details, alert.title, language, where)


def _message(
    alert: Alert,
    store: Store | None,
    key: str,
    kind: str,
    level: int,
    note: str,
    now: datetime,
    language: str = EN,
    asks: tuple[str, ...] = (),
) -> Message:
    text = rendered(alert, store, language)
    fields = dict(text.fields)
    severity = alert.severity if kind == "page" else SEVERITY_BY_KIND.get(kind, "info")
    return Message(
        idempotency_key=key,
        title=text.headline,
        body=note,
        severity=severity,
        alert_id=alert.id,
        store=f"{store.code} {store.name}" if store else "",
        level=level,
        kind=kind,
        fields=fields,
        created_at=now,
        asks=asks,
    )


ANSWER_KINDS = ("acknowledged", "resolved")
"""What a channel that was paged hears afterwards, so the group chat is not left with a stale page."""


def _paged_channels(session: Session, alert_id: int) -> frozenset[str]:
    """Chain channels that were sent (or were to be sent) a page for this alert."""
    rows = session.execute(
        select(Notification.channel, Notification.payload).where(
            Notification.alert_id == alert_id, Notification.username.is_(None)
        )
    ).all()
    return frozenset(channel for channel, payload in rows if (payload or {}).get("kind") == "page")


def asks_for(session: Session, kind: str, usernames: list[str]) -> tuple[str, ...]:
    """Who a message of ``kind`` asks to answer by phone link (``storemon.services.phone_links``):
    the people paged or offered the backup call, once ``web.base_url`` is set; else nobody."""
    if kind not in ("page", "cover_offer") or not setting_keys.WEB_BASE_URL.load(session):
        return ()
    return tuple(usernames)


def queue_notifications(
    session: Session,
    alert: Alert,
    level: int,
    targets: Iterable[str],
    kind: str,
    note: str,
    now: datetime,
    exclude_channels: frozenset[str] = frozenset(),
) -> int:
    """Outbox rows for one Notify action: in-app for each person, plus subscribed chain channels."""
    store = session.get(Store, alert.store_id) if alert.store_id else None
    version = alert.state.get("version", 0)
    base = f"a{alert.id}-v{version}-{kind}-L{level}"
    rows = []
    people = _people_for(session, store, targets)
    for user in people:
        key = f"{base}-{user.username}-{IN_APP}"
        message = _message(alert, store, key, kind, level, note, now)
        rows.append(_outbox_row(alert.id, IN_APP, user.username, user.username, message, now))
        email = next((c for c in channel_subscriptions(session) if c["type"] == "email"), None)
        if user.email and "email" not in exclude_channels and email is not None:
            key = f"{base}-{user.username}-email"
            language = email.get("language") or chain_language(session)
            asks = asks_for(session, kind, [user.username])
            message = _message(alert, store, key, kind, level, note, now, language, asks)
            rows.append(_outbox_row(alert.id, "email", user.email, user.username, message, now))
    paged = _paged_channels(session, alert.id) if kind in ANSWER_KINDS else frozenset()
    for channel in channel_subscriptions(session):
        if channel["type"] == "email" or channel["name"] in exclude_channels:
            continue
        if kind == "page":
            if level not in channel.get("levels", [1, 2, 3, 4, 5]):
                continue
            key = f"{base}-{channel['name']}"
        elif kind in ANSWER_KINDS and channel["name"] in paged:
            # Once per channel that was paged, whichever levels were told.
            key = f"a{alert.id}-v{version}-{kind}-{channel['name']}"
            if session.scalar(select(Notification.id).where(Notification.idempotency_key == key)):
                continue
        else:
            continue
        language = channel.get("language") or chain_language(session)
        # A group sees each paged person's link only where head office said the group may.
        asks = asks_for(session, kind, [u.username for u in people]) if channel.get("person_links") else ()
        message = _message(alert, store, key, kind, level, note, now, language, asks)
        rows.append(_outbox_row(alert.id, channel["name"], channel["name"], None, message, now))
    session.add_all(rows)
    if any(r.status == PENDING for r in rows):
        wake_dispatchers(session)
    return len(rows)


def notify_user(
    session: Session, username: str, title: str, body: str, key: str, store: Store | None, now: datetime
) -> None:
    """A reminder for one person that is not an alert (no escalation): in the app only."""
    message = Message(
        idempotency_key=key,
        title=title,
        body=body,
        severity="info",
        alert_id=None,
        store=f"{store.code} {store.name}" if store else "",
        level=None,
        kind="reminder",
        created_at=now,
    )
    session.add(_outbox_row(None, IN_APP, username, username, message, now))


def _outbox_row(
    alert_id: int | None, channel: str, recipient: str, username: str | None, message: Message, now: datetime
) -> Notification:
    """One outbox row for `message`, due at once; an in-app row is delivered as it is written,
    since the app reads it from the table (the dispatcher sends every other channel)."""
    in_app = channel == IN_APP
    return Notification(
        alert_id=alert_id,
        channel=channel,
        recipient=recipient,
        username=username,
        payload=message.to_dict(),
        idempotency_key=message.idempotency_key,
        status=DELIVERED if in_app else PENDING,
        attempts=1 if in_app else 0,
        next_attempt_at=now,
        created_at=now,
        delivered_at=now if in_app else None,
    )


def audit(
    session: Session, actor: str, action: str, subject: str, details: dict[str, Any], now: datetime
) -> None:
    """Append an audit entry (who, when, what, from which PC) to the hash-chained log."""
    audit_log.append(session, actor, action, subject, details, now)


def _apply(
    session: Session,
    alert: Alert,
    state: AlertState,
    actions: Iterable,
    now: datetime,
    exclude_channels: frozenset[str] = frozenset(),
) -> None:
    if state.status != OPEN and alert.status == OPEN:
        # Answered: pages not yet sent never go out (kept as cancelled), in this same transaction.
        cancel_pages(session, alert.id, now)
    alert.state = dump_state(state)
    alert.status = state.status
    alert.level = state.level
    alert.next_deadline = state.deadline
    alert.updated_at = now
    alert.acknowledged_by = state.owner
    alert.acknowledged_at = state.acknowledged_at
    alert.resolved_at = state.resolved_at
    session.flush()
    for action in actions:
        if isinstance(action, Timeline):
            session.add(
                EscalationStep(
                    alert_id=alert.id,
                    at=now,
                    level=action.level,
                    kind=action.kind,
                    actor=action.actor,
                    note=action.note,
                )
            )
            audit(
                session,
                action.actor,
                f"alert.{action.kind}",
                f"alert {alert.id}",
                {"level": action.level, "note": action.note},
                now,
            )
        elif isinstance(action, Notify):
            sent = queue_notifications(
                session, alert, action.level, action.targets, action.kind, action.note, now, exclude_channels
            )
            if sent == 0 and action.kind == "page":
                session.add(
                    EscalationStep(
                        alert_id=alert.id,
                        at=now,
                        level=action.level,
                        kind="nobody",
                        actor="system",
                        note=f"nobody to page at level {action.level}",
                    )
                )


def raise_alert(
    session: Session,
    *,
    rule: str,
    store_id: int | None,
    dedup_key: str,
    title: str,
    now: datetime,
    severity: str = "warning",
    details: dict[str, Any] | None = None,
    sensitive: bool = False,
    start_level: int = 1,
    by: str = "system",
    exclude_channels: frozenset[str] = frozenset(),
) -> Alert:
    """Open an alert, or update the open one with the same dedup key (a rule firing again).

    Storemon's own alerts come through ``raise_kind``; ``title`` and ``details`` are then the
    English headline (a fallback for old readers and search) and the kind's parameters.
    """
    existing = session.scalars(
        select(Alert)
        .where(Alert.dedup_key == dedup_key, Alert.status != "resolved")
        .order_by(Alert.id.desc())
    ).first()
    if existing is not None:
        existing.title, existing.details = title, details or existing.details
        existing.severity = severity
        state, actions = step(_state(existing), FireEvent(sensitive=sensitive, start_level=start_level), now)
        _apply(session, existing, state, actions, now, exclude_channels)
        return existing
    policy = escalation_policy(session)
    state, actions = fire(policy, now, sensitive=sensitive, start_level=start_level, by=by)
    alert = Alert(
        rule=rule,
        store_id=store_id,
        dedup_key=dedup_key,
        title=title,
        severity=severity,
        details=details or {},
        policy_snapshot=dump_policy(policy),
        state=dump_state(state),
        fired_at=now,
        updated_at=now,
        status=state.status,
        level=state.level,
    )
    session.add(alert)
    session.flush()
    _apply(session, alert, state, actions, now, exclude_channels)
    return alert


def raise_kind(
    session: Session,
    kind: AlertKind,
    params: AlertParams,
    *,
    store: Store | None,
    dedup_key: str,
    now: datetime,
    extra: dict[str, Any] | None = None,
    **options: Any,
) -> Alert:
    """Raise (or update) an alert of ``kind``: ``details`` keep ``params`` (and ``extra``), the title
    column the English headline. ``options`` are ``raise_alert``'s (severity, start_level, ...)."""
    where = f"{store.code} {store.name}" if store else ""
    return raise_alert(
        session,
        rule=kind.value,
        store_id=store.id if store else None,
        dedup_key=dedup_key,
        title=render_alert(kind, params, EN, where).headline,
        now=now,
        details=details_for(params, **(extra or {})),
        **options,
    )


def visible_alert(session: Session, actor: Actor, alert_id: int) -> Alert:
    """An alert the actor may see: its store is in their scope (chain alerts: head office only)."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} does not exist")
    store = session.get(Store, alert.store_id) if alert.store_id else None
    if (store is None and not actor.sees_chain) or (store is not None and not actor.can_see_store(store)):
        raise NotFound(f"alert {alert_id} does not exist or is outside your scope")
    return alert


def act(session: Session, actor: Actor, alert_id: int, event: Event, now: datetime) -> Alert:
    """Apply a person's event (acknowledge, resolve, comment, reassign, snooze) to an alert in scope."""
    alert = visible_alert(session, actor, alert_id)
    state, actions = step(_state(alert), event, now)
    _apply(session, alert, state, actions, now)
    return alert


def process_due(session: Session, now: datetime, limit: int = 200) -> int:
    """Send Timeout to every alert whose deadline passed; overdue ones after a stop fire once."""
    stmt = (
        select(Alert)
        .where(Alert.next_deadline.is_not(None), Alert.next_deadline <= now)
        .order_by(Alert.next_deadline)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    count = 0
    for alert in session.scalars(stmt):
        state, actions = step(_state(alert), Timeout(), now)
        if actions:
            _apply(session, alert, state, actions, now)
            count += 1
    return count


def alert_view(alert: Alert, store: Store | None) -> AlertView:
    state = _state(alert)
    level = state.policy.level(state.level)
    return AlertView(
        id=alert.id,
        rule=alert.rule,
        store_id=alert.store_id,
        store_code=store.code if store else "",
        store_name=store.name if store else "",
        title=alert.title,
        severity=alert.severity,
        status=alert.status,
        level=alert.level,
        level_name=level.name,
        owner=state.owner,
        sensitive=state.sensitive,
        fired_at=alert.fired_at,
        updated_at=alert.updated_at,
        deadline=alert.next_deadline,
        details=alert.details,
        level_names=tuple(step.name for step in state.policy.levels),
    )


def list_alerts(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    store_id: int | None = None,
    rule: str | None = None,
    limit: int = 500,
) -> list[AlertView]:
    """Alerts in the actor's scope, newest first; ``status="active"`` means anything not resolved."""
    stmt = select(Alert, Store).outerjoin(Store, Store.id == Alert.store_id)
    if not actor.sees_chain:
        stmt = actor.scope_stores(stmt)
    if status == "active":
        stmt = stmt.where(Alert.status != "resolved")
    elif status:
        stmt = stmt.where(Alert.status == status)
    if store_id is not None:
        stmt = stmt.where(Alert.store_id == store_id)
    if rule:
        stmt = stmt.where(Alert.rule == rule)
    rows = session.execute(stmt.order_by(Alert.updated_at.desc(), Alert.id.desc()).limit(limit)).all()
    return [alert_view(alert, store) for alert, store in rows]


def alert_detail(session: Session, actor: Actor, alert_id: int) -> tuple[AlertView, list[TimelineEntry]]:
    alert = visible_alert(session, actor, alert_id)
    store = session.get(Store, alert.store_id) if alert.store_id else None
    steps = session.scalars(
        select(EscalationStep)
        .where(EscalationStep.alert_id == alert.id)
        .order_by(EscalationStep.at, EscalationStep.id)
    ).all()
    return alert_view(alert, store), [TimelineEntry(s.at, s.level, s.kind, s.actor, s.note) for s in steps]


def unread_count(session: Session, actor: Actor) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.channel == IN_APP,
                Notification.username == actor.username,
                Notification.read_at.is_(None),
            )
        )
        or 0
    )


def mark_read(session: Session, actor: Actor, now: datetime) -> None:
    session.execute(
        update(Notification)
        .where(
            Notification.channel == IN_APP,
            Notification.username == actor.username,
            Notification.read_at.is_(None),
        )
        .values(read_at=now)
    )


def resolve_rule_alerts(
    session: Session, rule: str, keep_keys: set[str], now: datetime, store_ids: list[int] | None = None
) -> int:
    """Resolve open alerts of ``rule`` (for ``store_ids``, or all) whose key is not in ``keep_keys``."""
    count = 0
    stmt = select(Alert).where(Alert.rule == rule, Alert.status != "resolved")
    if store_ids:
        stmt = stmt.where(Alert.store_id.in_(store_ids))
    for alert in session.scalars(stmt):
        if alert.dedup_key in keep_keys:
            continue
        state, actions = step(_state(alert), Resolve(by="system", note="condition cleared"), now)
        _apply(session, alert, state, actions, now)
        count += 1
    return count
