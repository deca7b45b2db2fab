"""Signed one-time links: answer a page or a backup call from the phone, without signing in.

A link is ``{web.base_url}/a/{token}``. The token is an itsdangerous ``URLSafeSerializer``
signature (HMAC-SHA256, salt ``storemon.phone-link.v1``) over the claims: the person, the
alert, whether it answers a backup offer, the answers it allows, its expiry (``web.link_hours``,
default 2 h), a random nonce and the language the message was sent in. The key never enters
the database: ``STOREMON_WEB_KEY`` (hex) or ``web.key`` in the config folder, 0600, kept like the
audit key (``audit_anchor.load_key``); the worker that sends and the web service that answers
need the same key.

One answer per link: redeeming it inserts a row into ``approval_tokens`` (schema 0004, "a
one-time grant redeemed once before it expires") keyed by the SHA-256 of the nonce, purpose
``phone_link:<answer>``, grantee the person, amount 0, expiring with the link, in the same
transaction as the answer. The primary key makes a second redemption fail even when two
requests race; a refused answer (already covered) rolls back and leaves the link usable.

Answers go through the same use cases as the desktop (``api.Alerts.acknowledge``,
``api.Alerts.comment``, ``api.Calls.accept_cover``), as the link's person, with their role and
scope; each is audited ``via phone link``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets as random_tokens
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alerts.codec import load_policy
from alerts.escalation import USER_PREFIX
from alerts.kinds import EN, ZH_CN, language_of, level_name, status_name
from alerts.message import Link, Message
from storemon.config import app_paths
from storemon.db.models import Alert, ApprovalToken, CoverOffer, Notification, Role, Store, User
from storemon.errors import StoremonError
from storemon.services import setting_keys
from storemon.services.access import HEAD_OFFICE, AccessDenied, Actor, NotFound, actor_for
from storemon.services.actions import ActionRefused
from storemon.services.alert_service import IN_APP, audit, chain_language, escalation_policy, rendered
from storemon.services.audit_anchor import load_key
from storemon.services.door import Area, use_case

log = logging.getLogger(__name__)

KEY_ENV: Final = "STOREMON_WEB_KEY"
KEY_FILE: Final = "web.key"
SALT: Final = "storemon.phone-link.v1"
PAGE_ANSWERS: Final = ("ack", "coming", "cant")
OFFER_ANSWERS: Final = ("accept", "decline")
ARRIVAL_MINUTES: Final = (10, 20, 30, 60)
PURPOSE: Final = "phone_link"
VIA: Final = "phone link"
LINK_PATH: Final = "/a/"


class LinkRefused(StoremonError):
    """A link that cannot be used: ``reason`` is forged, expired, used, closed or not_allowed."""

    STATUS: Final = {
        "forged": 400,
        "expired": 410,
        "person": 403,
        "not_allowed": 403,
        "used": 409,
        "closed": 409,
    }

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.status = self.STATUS[reason]
        super().__init__(detail or reason)


@dataclass(frozen=True)
class LinkClaims:
    """What a link says, once its signature checked out."""

    person: str
    alert_id: int
    offer: bool
    answers: tuple[str, ...]
    expires_at: datetime
    nonce: str
    language: str = ""
    """The language the message was sent in; empty: the browser's (Accept-Language)."""


class LinkSigner:
    """Signs claims into a token and opens a token into claims (``LinkRefused`` if forged or expired)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise StoremonError(
                f"the phone link key must be at least 16 bytes; set {KEY_ENV} from `openssl rand -hex 32`"
            )
        self._key = key
        self._serializer = URLSafeSerializer(key, salt=SALT, signer_kwargs={"digest_method": hashlib.sha256})

    def sign(self, claims: LinkClaims) -> str:
        return self._serializer.dumps(
            {
                "p": claims.person,
                "a": claims.alert_id,
                "o": int(claims.offer),
                "x": list(claims.answers),
                "e": int(claims.expires_at.timestamp()),
                "n": claims.nonce,
                "l": claims.language,
            }
        )

    def open(self, token: str, now: datetime) -> LinkClaims:
        try:
            data = self._serializer.loads(token)
            claims = LinkClaims(
                person=str(data["p"]),
                alert_id=int(data["a"]),
                offer=bool(data["o"]),
                answers=tuple(str(a) for a in data["x"]),
                expires_at=datetime.fromtimestamp(int(data["e"]), UTC),
                nonce=str(data["n"]),
                language=language_of(data["l"]) if data.get("l") else "",
            )
        except (BadData, KeyError, TypeError, ValueError):
            raise LinkRefused("forged") from None
        if now >= claims.expires_at:
            raise LinkRefused("expired")
        return claims

    def csrf(self, claims: LinkClaims, cookie: str) -> str:
        """The form token for this link and this browser's cookie (a POST must carry both)."""
        return hmac.new(self._key, f"csrf:{claims.nonce}:{cookie}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, claims: LinkClaims, cookie: str, token: str) -> bool:
        return bool(cookie) and hmac.compare_digest(self.csrf(claims, cookie), token or "")


def web_key(*, create: bool = False) -> bytes | None:
    """This computer's phone link key (``STOREMON_WEB_KEY`` or ``web.key``); made with ``create``."""
    return load_key(app_paths().config_dir, create=create, env=KEY_ENV, file_name=KEY_FILE)


def signer(*, create: bool = False) -> LinkSigner:
    key = web_key(create=create)
    if key is None:
        raise StoremonError(
            f"no phone link key on this computer: start `storemon web` here once (it creates "
            f"{app_paths().config_dir / KEY_FILE}), or set {KEY_ENV} to the web service's key"
        )
    return LinkSigner(key)


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{LINK_PATH}{token}"


def _open_offer(session: Session, alert_id: int, username: str) -> CoverOffer | None:
    return session.scalars(
        select(CoverOffer).where(CoverOffer.alert_id == alert_id, CoverOffer.username == username)
    ).first()


def claims_for(
    session: Session, username: str, alert_id: int, now: datetime, language: str = ""
) -> LinkClaims:
    """A fresh link's claims: offer answers where the person was offered the backup call.

    Only for an active person who may answer: the alert's store is in their scope, or they were
    offered its backup call (``NotFound`` otherwise, as for any alert they cannot see).
    """
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} does not exist")
    person = actor_for(session, username)
    offer = _open_offer(session, alert_id, username) is not None
    store = session.get(Store, alert.store_id) if alert.store_id else None
    if not offer and not (person.can_see_store(store) if store else person.sees_chain):
        raise NotFound(f"{username} cannot see alert {alert_id}, so a link for them would not open it")
    hours = setting_keys.WEB_LINK_HOURS.load(session)
    return LinkClaims(
        person=username,
        alert_id=alert_id,
        offer=offer,
        answers=OFFER_ANSWERS if offer else PAGE_ANSWERS,
        expires_at=(now + timedelta(hours=hours)).astimezone(UTC).replace(microsecond=0),
        nonce=random_tokens.token_urlsafe(12),
        language=language_of(language) if language else "",
    )


@use_case(needs=Role.ADMIN, doing="make phone links for other people")
def make_link(
    session: Session,
    actor: Actor,
    alert_id: int,
    username: str,
    now: datetime,
    base_url: str | None = None,
    language: str = "",
) -> str:
    """A link for ``username`` to answer ``alert_id`` (``storemon alert link``): administrators only,
    since the link acts as that person."""
    base = base_url or setting_keys.WEB_BASE_URL.load(session)
    if not base:
        raise StoremonError("no web.base_url is set: pass --base-url or `storemon web --save --base-url URL`")
    claims = claims_for(session, username, alert_id, now, language)
    return link_url(base, signer().sign(claims))


@use_case(signed_in=False)
def links_for(
    session: Session,
    link_signer: LinkSigner,
    alert_id: int,
    usernames: tuple[str, ...],
    now: datetime,
    language: str = EN,
) -> list[tuple[str, str]]:
    """(display name, URL) of a fresh link for each active person, for a message being sent;
    empty when no ``web.base_url`` is set."""
    base = setting_keys.WEB_BASE_URL.load(session)
    if not base:
        return []
    links = []
    for username in usernames:
        user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
        if user is None:
            continue
        claims = claims_for(session, username, alert_id, now, language)
        links.append((user.display_name or username, link_url(base, link_signer.sign(claims))))
    return links


# ------------------------------------------------------------------------------------ the page


@dataclass(frozen=True)
class PhonePage:
    """What the phone page shows: this one alert, in the person's language, and what they may still do."""

    alert_id: int
    language: str
    person: str
    store_code: str
    store_name: str
    title: str
    fields: tuple[tuple[str, str], ...]
    reasons: tuple[str, ...]
    note: str
    severity: str
    status: str
    status_text: str
    level: int
    level_text: str
    fired_at: str
    paged: tuple[str, ...]
    owner: str
    acknowledged_at: str
    covered_by: str
    coming: tuple[tuple[str, str], ...]
    """(who, expected at HH:MM store time)."""
    offer: str
    """For an offer link: offered, accepted, declined or withdrawn; else empty."""
    answered: str
    """The answer this link was used for, empty while it is unused."""
    choices: tuple[str, ...]


def _token_hash(claims: LinkClaims) -> str:
    return hashlib.sha256(f"{PURPOSE}:{claims.nonce}".encode()).hexdigest()


def _used(session: Session, claims: LinkClaims) -> str:
    row = session.get(ApprovalToken, _token_hash(claims))
    return row.purpose.partition(":")[2] if row is not None else ""


def _actor(session: Session, claims: LinkClaims) -> Actor:
    try:
        return actor_for(session, claims.person)
    except AccessDenied:
        raise LinkRefused("person") from None


def _alert_for(session: Session, actor: Actor, claims: LinkClaims) -> tuple[Alert, Store | None]:
    """The link's alert: in the person's scope, or offered to them (the offer is the permission)."""
    alert = session.get(Alert, claims.alert_id)
    if alert is None:
        raise LinkRefused("forged")
    store = session.get(Store, alert.store_id) if alert.store_id else None
    offered = claims.offer and _open_offer(session, alert.id, actor.username) is not None
    in_scope = (store is None and actor.sees_chain) or (store is not None and actor.can_see_store(store))
    if not (offered or in_scope):
        raise LinkRefused("person")
    return alert, store


def _names(session: Session, usernames: set[str]) -> dict[str, str]:
    wanted = [u for u in usernames if u]
    if not wanted:
        return {}
    rows = session.execute(select(User.username, User.display_name).where(User.username.in_(wanted)))
    return {username: display or username for username, display in rows}


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M") if moment else ""


def _page(session: Session, actor: Actor, claims: LinkClaims, language: str) -> PhonePage:
    alert, store = _alert_for(session, actor, claims)
    zone = ZoneInfo(store.timezone if store else "UTC")
    text = rendered(alert, store, language)
    paged_users = {
        username
        for username, payload in session.execute(
            select(Notification.username, Notification.payload).where(
                Notification.alert_id == alert.id,
                Notification.channel == IN_APP,
                Notification.username.is_not(None),
            )
        )
        if (payload or {}).get("kind") in ("page", "cover_offer")
    }
    owner = alert.acknowledged_by or ""
    owner = owner[len(USER_PREFIX) :] if owner.startswith(USER_PREFIX) else owner
    covered_by = str(alert.details.get("covered_by") or "")
    coming = dict(alert.details.get("coming") or {})
    names = _names(session, {*paged_users, owner, covered_by, *coming, actor.username})
    policy = load_policy(alert.policy_snapshot) if alert.policy_snapshot else escalation_policy(session)
    level = level_name(policy.level(alert.level).name, language) if alert.level <= policy.top else ""
    offer_row = _open_offer(session, alert.id, actor.username) if claims.offer else None
    answered = _used(session, claims)
    choices: tuple[str, ...] = ()
    if not answered and alert.status != "resolved":
        if claims.offer:
            if offer_row is not None and offer_row.status == "offered" and not covered_by:
                choices = OFFER_ANSWERS
        else:
            choices = tuple(a for a in PAGE_ANSWERS if a != "ack" or alert.status == "open")
    choices = tuple(c for c in choices if c in claims.answers)
    return PhonePage(
        alert_id=alert.id,
        language=language,
        person=names.get(actor.username, actor.username),
        store_code=store.code if store else "",
        store_name=store.name if store else "",
        title=text.title,
        fields=text.fields,
        reasons=text.reasons,
        note=text.note,
        severity=alert.severity,
        status=alert.status,
        status_text=status_name(alert.status, language),
        level=alert.level,
        level_text=level,
        fired_at=_local(alert.fired_at, zone),
        paged=tuple(sorted((names.get(u, u) for u in paged_users if u != actor.username), key=str.casefold)),
        owner=names.get(owner, owner),
        acknowledged_at=_local(alert.acknowledged_at, zone),
        covered_by=names.get(covered_by, covered_by),
        coming=tuple(
            (names.get(u, u), _local(datetime.fromisoformat(at), zone)) for u, at in sorted(coming.items())
        ),
        offer=offer_row.status if offer_row is not None else "",
        answered=answered,
        choices=choices,
    )


@use_case(signed_in=False)
def phone_page(session: Session, claims: LinkClaims, language: str = EN) -> PhonePage:
    """The page a link opens (the claims are the authentication: signature and expiry checked)."""
    return _page(session, _actor(session, claims), claims, language)


def _redeem(session: Session, claims: LinkClaims, answer: str, now: datetime) -> None:
    """Use the link up, in this transaction; ``LinkRefused("used")`` if it already was."""
    if _used(session, claims):
        raise LinkRefused("used")
    session.add(
        ApprovalToken(
            token_hash=_token_hash(claims),
            purpose=f"{PURPOSE}:{answer}",
            approver="system",
            grantee=claims.person,
            amount=Decimal("0"),
            expires_at=claims.expires_at,
            used_at=now,
        )
    )
    try:
        session.flush()  # the primary key refuses a second redemption, even a concurrent one
    except IntegrityError:
        raise LinkRefused("used") from None


def _coming(session: Session, alert: Alert, username: str, at: datetime) -> None:
    """Remember who is on the way and when they expect to arrive (Today and the kiosk read it)."""
    coming = dict(alert.details.get("coming") or {})
    coming[username] = at.astimezone(UTC).isoformat()
    alert.details = {**alert.details, "coming": coming}


@use_case(write=True, signed_in=False)
def answer(
    session: Session,
    claims: LinkClaims,
    choice: str,
    now: datetime,
    minutes: int | None = None,
    address: str = "",
    language: str = EN,
) -> PhonePage:
    """Take one answer with a link: once, as its person, through the desktop's use cases; audited."""
    from storemon.services import api  # the desktop's use cases; api lists this module's area

    actor = _actor(session, claims)
    page = _page(session, actor, claims, language)
    if page.answered:
        raise LinkRefused("used")
    if choice not in claims.answers:
        raise LinkRefused("not_allowed")
    if choice not in page.choices:
        raise LinkRefused("closed")
    if choice in ("coming", "accept") and minutes not in ARRIVAL_MINUTES:
        minutes = ARRIVAL_MINUTES[1]
    _redeem(session, claims, choice, now)
    arrival = now + timedelta(minutes=minutes or 0)
    alert_id = claims.alert_id
    details: dict[str, Any] = {"answer": choice, "via": VIA, "alert": alert_id, "address": address}
    try:
        if choice == "ack":
            api.Alerts.acknowledge(session, actor, alert_id, now)
        elif choice == "coming":
            if page.status == "open":
                api.Alerts.acknowledge(session, actor, alert_id, now)
            api.Alerts.comment(
                session,
                actor,
                alert_id,
                f"on the way, expected {_page_time(arrival, session, alert_id)} ({VIA})",
                now,
            )
            _coming(session, session.get(Alert, alert_id), actor.username, arrival)
            details["expected_at"] = arrival.isoformat()
        elif choice == "cant":
            api.Alerts.comment(session, actor, alert_id, f"can't come ({VIA})", now)
        elif choice == "accept":
            api.Calls.accept_cover(session, actor, alert_id, now, arrival)
            details["expected_at"] = arrival.isoformat()
        elif choice == "decline":
            offer = _open_offer(session, alert_id, actor.username)
            offer.status, offer.answered_at = "declined", now
            api.Alerts.comment(
                session, Actor(actor.username, Role.ADMIN), alert_id, f"declined the backup call ({VIA})", now
            )
    except ActionRefused:
        raise LinkRefused("closed") from None
    audit(session, actor.username, "alert.answer", f"alert {alert_id}", details, now)
    session.flush()
    return _page(session, actor, claims, language)


def _page_time(moment: datetime, session: Session, alert_id: int) -> str:
    """``moment`` as HH:MM in the alert's store's time zone."""
    alert = session.get(Alert, alert_id)
    store = session.get(Store, alert.store_id) if alert and alert.store_id else None
    return _local(moment, ZoneInfo(store.timezone if store else "UTC"))


WEB_KEYS: Final = (setting_keys.WEB_LISTEN, setting_keys.WEB_BASE_URL, setting_keys.WEB_LINK_HOURS)


@use_case(signed_in=False)
def web_settings(session: Session) -> dict[str, Any]:
    """``web.listen``, ``web.base_url`` and ``web.link_hours`` as stored (or their defaults)."""
    return {key.name: key.load(session) for key in WEB_KEYS}


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def save_web_settings(
    session: Session,
    actor: Actor,
    now: datetime,
    *,
    listen: str | None = None,
    base_url: str | None = None,
    link_hours: float | None = None,
) -> dict[str, Any]:
    """Save the given ``web.*`` settings (None: unchanged), audited; returns all three as stored."""
    given = zip(WEB_KEYS, (listen, base_url, link_hours), strict=True)
    changed = {key.name: key.save(session, value) for key, value in given if value is not None}
    if changed:
        audit(session, actor.username, "settings.save", "web", changed, now)
    return web_settings(session)


# ------------------------------------------------------------------------------------ sending

LINK_LABELS: Final = {
    EN: ("Answer from your phone", "Answer as {name}"),
    ZH_CN: ("在手机上回复", "以 {name} 身份回复"),
}


class LinkingNotifier:
    """A channel's notifier that adds the answer links a message asks for just before it is sent.

    Links are signed at delivery, on the host that sends (the worker, or the one-PC app), so
    counter PCs that raise calls never hold the key, and each retry carries a fresh link.
    Without a key on this host the message goes out as it is (and the log says why).
    """

    def __init__(
        self, inner: Any, links: PhoneLinks, language: str | None, clock: Any, *, group: bool = False
    ) -> None:
        self.inner, self._links, self._language, self._clock = inner, links, language, clock
        self._group = group
        """A group channel: every link names whose it is, since everyone in the group sees it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def send(self, recipient: str, message: Message) -> None:
        self.inner.send(recipient, self.with_links(message) if message.asks and message.alert_id else message)

    def with_links(self, message: Message) -> Message:
        key = web_key()
        if key is None:
            log.warning(
                "no phone link key on this host (%s): message %s goes without answer links",
                KEY_FILE,
                message.idempotency_key,
            )
            return message
        language = self._language or self._links.chain_language()
        found = self._links.links_for(
            LinkSigner(key), message.alert_id, message.asks, self._clock(), language
        )
        one, many = LINK_LABELS[language_of(language)]
        labelled = [Link(many.format(name=name) if self._group else one, url) for name, url in found]
        return replace(message, links=tuple(labelled))


class PhoneLinks(Area):
    """The phone link use cases on one database (``storemon web``, ``storemon alert link``, the worker)."""

    settings = web_settings
    chain_language = use_case(signed_in=False)(chain_language)
    save_settings = save_web_settings
    make_link = make_link
    links_for = links_for
    page = phone_page
    answer = answer
