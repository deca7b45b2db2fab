"""What asks for the signed-in person's attention now: the pages addressed to them, the calls at a store.

A page is "addressed to me" while it is open (nobody has acknowledged it) and its current
escalation level names my role (in my scope: my store's alerts for store roles, my region's for
the operations supervisor, every store for head office) or me by name; and a backup call offered
to me is addressed to me until someone covers it. The main window turns these into its banner,
badge and sound; Today lists the open calls of its store with one-click acknowledge.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.codec import load_state
from alerts.escalation import USER_PREFIX
from alerts.kinds import AlertKind
from storemon.db.models import Alert, Store
from storemon.services.access import Actor, NotFound
from storemon.services.alert_people import open_cover_offers
from storemon.services.alert_service import AlertView, alert_view

PAGE = "page"
COVER_OFFER = "cover_offer"
CALL_KINDS = (AlertKind.RELIEF_REQUEST.value, AlertKind.BACKUP_CALL.value, AlertKind.MANAGER_CALL.value)
"""The alerts a person raised by hand at a store: someone at the counter is waiting for an answer."""


@dataclass(frozen=True)
class PageView:
    """One alert asking this person to act: paged at its current level, or asked to cover."""

    alert: AlertView
    why: str
    """``PAGE`` (the current level pages me) or ``COVER_OFFER`` (I am asked to step in)."""
    timezone: str = ""
    """The store's IANA time zone ("" for a chain-wide alert): the banner says "since" in store time."""


def _pages_me(actor: Actor, alert: Alert) -> bool:
    state = load_state(alert.state)
    try:
        targets = state.policy.level(alert.level).targets
    except ValueError:
        return False
    return actor.role.value in targets or f"{USER_PREFIX}{actor.username}" in targets


def my_pages(session: Session, actor: Actor) -> list[PageView]:
    """The open alerts whose current level pages me, and the cover offers made to me; most severe
    and oldest first (the order the banner shows them in)."""
    stmt = select(Alert, Store).outerjoin(Store, Store.id == Alert.store_id).where(Alert.status == "open")
    if not actor.sees_chain:
        stmt = actor.scope_stores(stmt)
    pages = {
        alert.id: PageView(alert_view(alert, store), PAGE, store.timezone if store else "")
        for alert, store in session.execute(stmt)
        if _pages_me(actor, alert)
    }
    offered = [o.alert_id for o in open_cover_offers(session, actor) if o.alert_id not in pages]
    if offered:
        rows = session.execute(
            select(Alert, Store).outerjoin(Store, Store.id == Alert.store_id).where(Alert.id.in_(offered))
        )
        for alert, store in rows:
            pages[alert.id] = PageView(alert_view(alert, store), COVER_OFFER, store.timezone if store else "")
    return sorted(pages.values(), key=lambda p: (severity_rank(p.alert.severity), p.alert.fired_at))


def severity_rank(severity: str) -> int:
    """Critical first, then warnings, then information."""
    return {"critical": 0, "warning": 1, "info": 2}.get(severity, 3)


def store_calls(session: Session, actor: Actor, store_id: int) -> list[AlertView]:
    """The store's calls for help and relief requests nobody has resolved yet, most urgent first."""
    store = session.get(Store, store_id)
    if store is None or not actor.can_see_store(store):
        raise NotFound(f"store {store_id}")
    rows = session.scalars(
        select(Alert).where(
            Alert.store_id == store.id, Alert.rule.in_(CALL_KINDS), Alert.status != "resolved"
        )
    ).all()
    views = [alert_view(alert, store) for alert in rows]
    return sorted(views, key=lambda v: (v.status != "open", severity_rank(v.severity), v.fired_at))
