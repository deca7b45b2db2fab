"""Who is acting, and what they may see: every service call takes an ``Actor``.

Store roles (staff, shift lead, store manager) see their own store; an operations supervisor
(regional manager) sees their region; the service director, executive and administrator see
the whole chain.
"""

from __future__ import annotations

import difflib
import unicodedata
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


class AmbiguousStore(NotFound):
    """A store code that names more than one store once case, width and spaces are ignored."""


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


def allows(actor: Actor, needs: Need | None) -> bool:
    """Whether ``require(actor, needs, ...)`` would let the actor through: screens ask this before
    they offer a control, so rights show before the click (the services still check on the call)."""
    if needs is None:
        return True
    if needs == HEAD_OFFICE:
        return actor.sees_chain
    return RANK[actor.role] >= RANK[needs]


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


ID_PREFIX = "id:"
"""How a user names a store by its database id (``id:5``); any other text is a store code."""


def store_key(code: str) -> str:
    """The form in which two store codes are the same code: case, width and spaces ignored."""
    return " ".join(unicodedata.normalize("NFKC", code).casefold().split())


def visible_store(session: Session, actor: Actor, store_ref: int | str) -> Store:
    """A store the actor may see, by database id (an ``int``, or text ``id:5``) or by code.

    Text is always a code, digits included: ``"5"`` is the store whose code is 5, whatever
    store has id 5. Codes match ignoring case, width and spaces; two codes that are the same
    that way make the lookup an error saying so. ``NotFound`` lists the nearest codes.
    """
    if isinstance(store_ref, int) and not isinstance(store_ref, bool):
        return _visible_by_id(session, actor, store_ref, str(store_ref))
    text = str(store_ref).strip()
    number = text[len(ID_PREFIX) :].strip()
    if text[: len(ID_PREFIX)].casefold() == ID_PREFIX and number.isdigit():
        return _visible_by_id(session, actor, int(number), text)
    rows = session.execute(actor.scope_stores(select(Store.id, Store.code, Store.name))).all()
    key = store_key(text)
    matches = [row for row in rows if store_key(row.code) == key]
    if len(matches) > 1:
        listed = ", ".join(f"{row.code!r} (id:{row.id}, {row.name})" for row in matches)
        raise AmbiguousStore(
            f"store code {text!r} is ambiguous: {listed} differ only in case, width or spaces; "
            f"name the store as id:N, and give the stores distinct codes"
        )
    if not matches:
        raise NotFound(f"store code {text!r} does not exist or is outside your scope{_near(text, rows)}")
    return session.get(Store, matches[0].id)


def _visible_by_id(session: Session, actor: Actor, store_id: int, shown: str) -> Store:
    store = session.scalars(actor.scope_stores(select(Store).where(Store.id == store_id))).one_or_none()
    if store is None:
        raise NotFound(f"store {shown!r} does not exist or is outside your scope")
    return store


def _near(text: str, rows) -> str:
    """``; did you mean 'SH001' (People's Square)?`` from the codes (and names) the actor sees."""
    by_key = {store_key(row.code): row for row in rows}
    key = store_key(text)
    near = difflib.get_close_matches(key, list(by_key), n=5, cutoff=0.5)
    near += [k for k in by_key if key and k not in near and (key in k or key in store_key(by_key[k].name))]
    if not near:
        return "; `storemon store list` shows the codes" + (
            f" (a database id is written id:{text})" if text.isdigit() else ""
        )
    shown = ", ".join(f"{by_key[k].code!r} ({by_key[k].name})" for k in near[:5])
    return f"; did you mean {shown}?"
