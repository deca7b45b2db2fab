"""Who is acting, and what they may see: every service call takes an ``Actor``.

Store roles (staff, shift lead, store manager) see their own store; an operations supervisor
(regional manager) sees their region; the service director, executive and administrator see
the whole chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from storemon.db.models import Role, Store, User
from storemon.errors import StoremonError

STORE_ROLES = frozenset({Role.STAFF, Role.SHIFT_LEAD, Role.STORE_MANAGER})
CHAIN_ROLES = frozenset({Role.SERVICE_DIRECTOR, Role.EXECUTIVE, Role.ADMIN})
RANK = {role: rank for rank, role in enumerate(Role)}
"""The chain of command from the counter up (``Role`` is declared in that order)."""


class AccessDenied(StoremonError, PermissionError):
    """The acting user may not see or do this."""


class NotFound(StoremonError, LookupError):
    """The thing asked for does not exist (or is outside the user's scope, which looks the same)."""


@dataclass(frozen=True)
class Actor:
    """The signed-in user as services see them."""

    username: str
    role: Role
    store_id: int | None = None
    region_id: int | None = None

    @property
    def sees_chain(self) -> bool:
        return self.role in CHAIN_ROLES

    def scope_stores(self, stmt: Select) -> Select:
        """Limit a query over ``Store`` (joined or selected) to the stores this actor may see."""
        if self.sees_chain:
            return stmt
        if self.role == Role.OPS_SUPERVISOR:
            return stmt.where(Store.region_id == self.region_id) if self.region_id else stmt.where(false())
        return stmt.where(Store.id == self.store_id) if self.store_id else stmt.where(false())

    def can_see_store(self, store: Store) -> bool:
        if self.sees_chain:
            return True
        if self.role == Role.OPS_SUPERVISOR:
            return self.region_id is not None and store.region_id == self.region_id
        return store.id == self.store_id


def require_role(actor: Actor, lowest: Role, doing: str) -> None:
    """``AccessDenied`` unless the actor's role is ``lowest`` or above it in the chain of command."""
    if RANK[actor.role] < RANK[lowest]:
        raise AccessDenied(
            f"{actor.username} ({actor.role.value}) may not {doing}: "
            f"it needs a {lowest.value.replace('_', ' ')} or above"
        )


HEAD_OFFICE = "head office"
"""A requirement met by the chain roles (``CHAIN_ROLES``), whatever their rank."""

Need = Role | str
"""What a use case needs: the lowest ``Role`` in the chain of command, or ``HEAD_OFFICE``."""


def require(actor: Actor, needs: Need, doing: str) -> None:
    """The one access check of the use-case door: ``AccessDenied`` naming who, what and who may."""
    if needs == HEAD_OFFICE:
        if not actor.sees_chain:
            raise AccessDenied(
                f"{actor.username} ({actor.role.value}) may not {doing}: "
                "only head-office roles (service director, executive, administrator) may."
            )
        return
    require_role(actor, needs, doing)


SYSTEM = Actor("system", Role.ADMIN)
"""The actor for local administration from the command line and the background worker."""


def actor_for(session: Session, username: str) -> Actor:
    """The actor for an existing, active user; unknown users get a clear error."""
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None or not user.active:
        raise AccessDenied(f"no active user named {username!r}")
    return Actor(user.username, user.role, user.store_id, user.region_id)


def visible_store(session: Session, actor: Actor, store_ref: int | str) -> Store:
    """A store by id or code, if the actor may see it; ``NotFound`` otherwise."""
    stmt = select(Store)
    if isinstance(store_ref, int) or str(store_ref).isdigit():
        stmt = stmt.where(Store.id == int(store_ref))
    else:
        stmt = stmt.where(Store.code == str(store_ref))
    store = session.scalars(actor.scope_stores(stmt)).one_or_none()
    if store is None:
        raise NotFound(f"store {store_ref!r} does not exist or is outside your scope")
    return store
