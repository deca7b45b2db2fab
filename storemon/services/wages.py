"""Wages: the hourly wage of each role (a chain setting) and of a person who has their own.

A shift is paid at its person's own wage (``StaffMember.hourly_wage``) when set, else at its role's
(``labour.role_wages``, falling back to ``DEFAULT_ROLE_WAGES`` for roles head office has not set).
Head office sets role wages; a store manager may give people of their stores their own. Every
change is audited. What shifts and days cost is ``storemon.services.labour``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from staffing.labour import WageError, check_wage, hours_cost
from storemon.db.models import Role, StaffMember, Store
from storemon.errors import StoremonError
from storemon.services.access import HEAD_OFFICE, RANK, Actor, NotFound, visible_store
from storemon.services.door import use_case
from storemon.services.setting_keys import Codec, Key
from storemon.services.setting_values import CURRENCY, audit_change, now_or_utc

DEFAULT_ROLE_WAGES: dict[Role, Decimal] = {
    Role.STAFF: Decimal("32.00"),
    Role.SHIFT_LEAD: Decimal("38.00"),
    Role.STORE_MANAGER: Decimal("48.00"),
    Role.OPS_SUPERVISOR: Decimal("60.00"),
    Role.SERVICE_DIRECTOR: Decimal("80.00"),
    Role.EXECUTIVE: Decimal("100.00"),
    Role.ADMIN: Decimal("0.00"),
}
"""Starting wages (CNY per hour) until head office sets the chain's own (``storemon wages set``)."""

ADDED_PERSON_ROLE = Role.STAFF
"""What-ifs and recommendations add a barista: their cost is the staff role's wage."""


class LabourError(StoremonError, ValueError):
    """A wage that cannot be saved as given; the message says what to fix."""


def _load_wages(data: object) -> dict[Role, Decimal]:
    if not isinstance(data, dict):
        raise ValueError('expected {"ROLE": "WAGE", ...}')
    wages = {}
    for role, wage in data.items():
        try:
            wages[Role(role)] = check_wage(wage, f"the wage of {role}")
        except ValueError as exc:
            raise ValueError(f"{role}: {exc}") from None
    return wages


ROLE_WAGES: Key[dict[Role, Decimal]] = Key(
    "labour.role_wages",
    Codec(_load_wages, lambda wages: {role.value: str(wage) for role, wage in wages.items()}),
    dict,
    screen="`storemon wages set`",
)
"""The wages head office has set, by role; the others are still ``DEFAULT_ROLE_WAGES``."""


def hourly_wages(session: Session) -> dict[Role, Decimal]:
    """Every role's hourly wage: as set by head office, else the starting default."""
    return DEFAULT_ROLE_WAGES | ROLE_WAGES.load(session)


@dataclass(frozen=True)
class RoleWage:
    """A role's hourly wage, and whether it is still the starting default."""

    role: str
    hourly_wage: Decimal
    currency: str
    default: bool


@dataclass(frozen=True)
class PersonWage:
    """A person's hourly wage: their own ("person") or their role's ("role")."""

    staff_code: str
    name: str
    store: str
    role: str
    hourly_wage: Decimal
    source: str
    currency: str


# ------------------------------------------------------------------------------------ wages


def sees_wages(actor: Actor) -> bool:
    """Whether the actor may see what each person is paid (store manager and above, in scope);
    below that, screens and reports show labour cost as totals only."""
    return RANK[actor.role] >= RANK[Role.STORE_MANAGER]


def wage_of(member: StaffMember, role: Role, wages: Mapping[Role, Decimal]) -> tuple[Decimal, str]:
    """The hourly wage a shift of ``member`` in ``role`` is paid, and where it comes from."""
    if member.hourly_wage is not None:
        return Decimal(member.hourly_wage), "person"
    return wages.get(role, wages[Role.STAFF]), "role"


def added_person_cost(session: Session, hours: float) -> Decimal:
    """What ``hours`` of one more barista cost (a what-if's or a recommendation's addition)."""
    return hours_cost(hours, hourly_wages(session)[ADDED_PERSON_ROLE])


@use_case()
def role_wages(session: Session, actor: Actor) -> list[RoleWage]:
    """Every role's hourly wage, marking those still at their starting default."""
    stored = ROLE_WAGES.load(session)
    wages = hourly_wages(session)
    return [RoleWage(r.value, wages[r], CURRENCY, r not in stored) for r in Role]


@use_case(write=True, needs=HEAD_OFFICE, doing="set wages")
def save_role_wages(
    session: Session, actor: Actor, wages: Mapping[str, Decimal | str], now: datetime | None = None
) -> list[RoleWage]:
    """Set several roles' hourly wages at once (the Policies > Wages tab): all or none."""
    for role, wage in wages.items():
        set_role_wage.body(session, actor, role, wage, now)
    return role_wages.body(session, actor)


@use_case(write=True, needs=HEAD_OFFICE, doing="set wages")
def set_role_wage(
    session: Session, actor: Actor, role: str, wage: Decimal | str, now: datetime | None = None
) -> RoleWage:
    """Set one role's hourly wage for the whole chain (audited)."""
    try:
        the_role = Role(str(role).strip().lower())
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise LabourError(f"there is no role {role!r}; give one of {roles}") from None
    value = _wage(wage, f"the wage of {the_role.value}")
    old = hourly_wages(session)[the_role]
    ROLE_WAGES.save(session, ROLE_WAGES.load(session) | {the_role: value})
    details = {"from": str(old), "to": str(value)}
    audit_change(session, actor, "labour.role_wage", the_role.value, details, now_or_utc(now))
    return RoleWage(the_role.value, value, CURRENCY, False)


def _wage(wage: Decimal | str | None, where: str) -> Decimal:
    try:
        return check_wage(wage, where)
    except WageError as exc:
        raise LabourError(str(exc)) from None


@use_case(needs=Role.STORE_MANAGER, doing="see wages")
def person_wages(session: Session, actor: Actor, store_ref: int | str | None = None) -> list[PersonWage]:
    """The active people of the actor's stores (or one store) with the wage each is paid."""
    wages = hourly_wages(session)
    stmt = (
        select(StaffMember)
        .join(Store, StaffMember.home_store_id == Store.id)
        .where(StaffMember.active.is_(True))
        .options(selectinload(StaffMember.home_store))
        .order_by(Store.code, StaffMember.code)
    )
    stmt = actor.scope_stores(stmt)
    if store_ref is not None:
        stmt = stmt.where(Store.id == visible_store(session, actor, store_ref).id)
    result = []
    for member in session.scalars(stmt):
        wage, source = wage_of(member, member.role, wages)
        store = member.home_store.code if member.home_store else ""
        result.append(PersonWage(member.code, member.name, store, member.role.value, wage, source, CURRENCY))
    return result


@use_case(write=True, needs=Role.STORE_MANAGER, doing="set a person's wage")
def set_person_wage(
    session: Session, actor: Actor, staff_code: str, wage: Decimal | str | None, now: datetime | None = None
) -> PersonWage:
    """Give one person of the actor's stores their own hourly wage, or (``None``) their role's again."""
    member = session.scalars(select(StaffMember).where(StaffMember.code == staff_code.strip())).one_or_none()
    if member is None or member.home_store is None or not actor.can_see_store(member.home_store):
        raise NotFound(f"no person with code {staff_code!r} in your stores; `storemon wages list` shows them")
    old = member.hourly_wage
    member.hourly_wage = None if wage is None else _wage(wage, f"the wage of {member.code}")
    audit_change(
        session,
        actor,
        "labour.person_wage",
        member.code,
        {"from": None if old is None else str(old), "to": None if wage is None else str(member.hourly_wage)},
        now_or_utc(now),
    )
    value, source = wage_of(member, member.role, hourly_wages(session))
    return PersonWage(
        member.code, member.name, member.home_store.code, member.role.value, value, source, CURRENCY
    )


@use_case(write=True, needs=Role.STORE_MANAGER, doing="set people's wages")
def save_person_wages(
    session: Session,
    actor: Actor,
    store_ref: int | str,
    wages: Mapping[str, Decimal | str | None],
    now: datetime | None = None,
) -> list[PersonWage]:
    """Set several people's own wages (``None``: their role's) at once, all or none; returns the
    store's people as saved (the Schedule's Wages dialog)."""
    for code, wage in wages.items():
        set_person_wage.body(session, actor, code, wage, now)
    session.flush()
    return person_wages.body(session, actor, store_ref)
