"""Who a call for help would reach, before anyone presses the button (the call buttons' tooltips).

Worked out the way the calls themselves do it: the chain's escalation policy and the level each
call starts at (``actions._CALLS``), the people a level's targets name for this store
(``alert_service._people_for``), and for Call backup the off-shift colleagues who are offered the
cover, the store's own people first (``actions._cover_candidates``). Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from alerts.kinds import AlertKind
from storemon.services import actions, alert_service
from storemon.services.access import Actor, visible_store
from storemon.services.door import use_case


@dataclass(frozen=True)
class PagedLevel:
    """One rung of the escalation chain as a call at this store would walk it."""

    number: int
    name: str
    people: tuple[str, ...]
    """Display names of the active users the level pages at this store, by user name."""
    ack_minutes: float
    """How long they have to acknowledge before the next level is paged."""


@dataclass(frozen=True)
class CallReach:
    """Who a call is paged to first, who next, and (Call backup) who is offered the cover."""

    first: PagedLevel | None
    then: PagedLevel | None
    cover_offered_to: tuple[str, ...] = ()


def _level(session: Session, store, policy, number: int) -> PagedLevel | None:
    if number > len(policy.levels):
        return None
    level = policy.levels[number - 1]
    people = alert_service._people_for(session, store, level.targets)
    return PagedLevel(
        number,
        level.name,
        tuple(u.display_name or u.username for u in people),
        level.ack_timeout.total_seconds() / 60,
    )


@use_case()
def call_reach(session: Session, actor: Actor, store_ref: int | str, now: datetime) -> dict[str, CallReach]:
    """``{"backup": …, "manager": …}``: who each call button of the store would page, right now."""
    store = visible_store(session, actor, store_ref)
    policy = alert_service.escalation_policy(session)
    reach = {}
    for kind in (AlertKind.BACKUP_CALL, AlertKind.MANAGER_CALL):
        key, start = actions._CALLS[kind]
        covers: tuple[str, ...] = ()
        if kind is AlertKind.BACKUP_CALL:
            covers = tuple(
                u.display_name or u.username
                for u in actions._cover_candidates(session, store, now, actor.username)
            )
        reach[key] = CallReach(
            _level(session, store, policy, start), _level(session, store, policy, start + 1), covers
        )
    return reach
