"""User accounts: who may sign in, with which role, for which store or region.

Head office manages them (the CLI's ``storemon user ...`` and the GUI share these functions).
A role carries its scope: counter roles belong to one store, an operations supervisor to one
region, the chain roles to the whole chain; an account is never deleted, only deactivated, so
the audit log keeps naming real people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from storemon.db.models import Region, Role, Store, User
from storemon.errors import StoremonError
from storemon.services import audit
from storemon.services.access import STORE_ROLES, Actor

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,99}$")


class UserError(StoremonError, ValueError):
    """An account change that cannot be made as asked; the message says what to do instead."""


@dataclass(frozen=True)
class UserRow:
    username: str
    display_name: str
    role: str
    store: str
    """The store's code for counter roles, else empty."""
    region: str
    """The region's code for an operations supervisor, else empty."""
    email: str
    active: bool
    has_password: bool
    staff_id: int | None = None
    """The staff member behind the account (kiosk sign-in), if any."""
    has_pin: bool = False
    """Whether that staff member has a kiosk PIN."""


def _row(user: User) -> UserRow:
    return UserRow(
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        store=user.store.code if user.store else "",
        region=user.region.code if user.region else "",
        email=user.email,
        active=user.active,
        has_password=bool(user.password_hash),
        staff_id=user.staff_member_id,
        has_pin=bool(user.staff_member and user.staff_member.pin_hash),
    )


def list_users(session: Session, actor: Actor, include_inactive: bool = False) -> list[UserRow]:
    """Every account, by role then name; deactivated ones only when asked."""
    query = (
        select(User)
        .options(selectinload(User.store), selectinload(User.region), selectinload(User.staff_member))
        .order_by(User.role, User.username)
    )
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return [_row(u) for u in session.scalars(query)]


def _user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise UserError(f"no user named {username!r}; `storemon user list` shows who there is")
    return user


def _role(value: str | Role) -> Role:
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise UserError(f"{value!r} is not a role; use one of {choices}") from None


def _store(session: Session, code: str) -> Store:
    store = session.scalars(select(Store).where(func.lower(Store.code) == code.strip().lower())).first()
    if store is None:
        raise UserError(f"no store with code {code!r}; `storemon report stores` lists them")
    return store


def _region(session: Session, code: str) -> Region:
    region = session.scalars(select(Region).where(func.lower(Region.code) == code.strip().lower())).first()
    if region is None:
        raise UserError(f"no region with code {code!r}")
    return region


def _place(session: Session, user: User, role: Role, store: str | None, region: str | None) -> None:
    """Give ``user`` the role and the one scope it needs; refuse a scope the role cannot have."""
    if role in STORE_ROLES:
        if region:
            raise UserError(f"a {role.value} belongs to a store, not a region: give --store CODE")
        if store is None and user.store_id is None:
            raise UserError(f"a {role.value} belongs to one store: give --store CODE")
        if store is not None:
            user.store = _store(session, store)
        user.region = None
    elif role is Role.OPS_SUPERVISOR:
        if store:
            raise UserError("an operations supervisor looks after a region, not a store: give --region CODE")
        if region is None and user.region_id is None:
            raise UserError("an operations supervisor looks after one region: give --region CODE")
        if region is not None:
            user.region = _region(session, region)
        user.store = None
    else:
        if store or region:
            raise UserError(f"a {role.value} sees the whole chain; leave out --store and --region")
        user.store = None
        user.region = None
    user.role = role


def add_user(
    session: Session,
    actor: Actor,
    username: str,
    role: str | Role,
    now: datetime,
    *,
    display_name: str = "",
    store: str | None = None,
    region: str | None = None,
    email: str = "",
) -> UserRow:
    """A new account without a password (set one with ``user passwd``; it cannot sign in before)."""
    if not USERNAME.match(username):
        raise UserError(
            f"{username!r} cannot be a user name: 2-100 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    if session.scalars(select(User.id).where(func.lower(User.username) == username.lower())).first():
        raise UserError(f"a user named {username!r} already exists; use `storemon user edit`")
    user = User(username=username, display_name=(display_name or username)[:200], email=email[:200])
    _place(session, user, _role(role), store, region)
    session.add(user)
    session.flush()
    _audit(session, actor, "user.added", user, now)
    return _row(user)


def edit_user(
    session: Session,
    actor: Actor,
    username: str,
    now: datetime,
    *,
    display_name: str | None = None,
    role: str | Role | None = None,
    store: str | None = None,
    region: str | None = None,
    email: str | None = None,
    active: bool | None = None,
) -> UserRow:
    """Change what is given and nothing else; the last active administrator stays one."""
    user = _user(session, username)
    was_admin = user.role is Role.ADMIN and user.active
    new_role = _role(role) if role is not None else user.role
    if store is not None or region is not None or role is not None:
        _place(session, user, new_role, store, region)
    if display_name is not None:
        user.display_name = display_name.strip()[:200] or user.username
    if email is not None:
        user.email = email.strip()[:200]
    if active is not None:
        if not active and user.username == actor.username:
            raise UserError("you cannot deactivate your own account; ask another administrator")
        user.active = active
    if was_admin and (user.role is not Role.ADMIN or not user.active):
        _keep_an_admin(session, user)
    session.flush()
    _audit(session, actor, "user.edited", user, now)
    return _row(user)


def deactivate_user(session: Session, actor: Actor, username: str, now: datetime) -> UserRow:
    """The account can no longer sign in or be paged; its history stays."""
    return edit_user(session, actor, username, now, active=False)


def _keep_an_admin(session: Session, changed: User) -> None:
    others = session.scalar(
        select(func.count()).where(User.role == Role.ADMIN, User.active.is_(True), User.id != changed.id)
    )
    if not others:
        raise UserError(f"{changed.username} is the last active administrator; make another one first")


def _audit(session: Session, actor: Actor, action: str, user: User, now: datetime) -> None:
    row = _row(user)
    details = {
        "role": row.role,
        "store": row.store,
        "region": row.region,
        "active": row.active,
        "display_name": row.display_name,
    }
    audit.append(session, actor.username, action, f"user {user.username}"[:200], details, now)
