"""Staff fields, job titles -> ``Role``, and finding a staff member by code or name."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from storemon.db.models import Role, StaffMember
from storemon.importers.base import CellError, normalise_name
from storemon.importers.tabular import FIELD_DATA, field_specs, normalise_header

_PEOPLE = field_specs("people")
STAFF_CODE, STAFF_NAME, ROLE = _PEOPLE["staff_code"], _PEOPLE["staff_name"], _PEOPLE["role"]
_ROLE_NAMES: dict[Role, list[str]] = {Role(role): names for role, names in FIELD_DATA["roles"].items()}
ROLE_ALIASES = {
    normalise_header(alias): role for role, aliases in _ROLE_NAMES.items() for alias in (role.value, *aliases)
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_role(value: object) -> Role:
    key = normalise_header(value)
    role = ROLE_ALIASES.get(key)
    if role is None:
        known = ", ".join(r.value for r in Role)
        raise CellError(
            f"{str(value).strip()!r} is not a role; expected one of {known} (or 店员, 值班主管, 店长)"
        )
    return role


def check_email(value: str) -> str:
    value = value.strip()
    if value and not _EMAIL.match(value):
        raise CellError(f"{value!r} is not an email address; expected e.g. li.na@example.com")
    return value


class StaffDirectory:
    """Staff members by code and by name, loaded once per import."""

    def __init__(self, session: Session):
        self.by_code: dict[str, StaffMember] = {}
        self.by_name: dict[str, list[StaffMember]] = {}
        for member in session.scalars(select(StaffMember)):
            self.remember(member)

    def remember(self, member: StaffMember) -> None:
        self.by_code[normalise_name(member.code)] = member
        self.by_name.setdefault(normalise_name(member.name), []).append(member)

    def find(self, code: str, name: str) -> StaffMember | None:
        """By code when there is one, else by name; a name two people share raises CellError."""
        if code:
            return self.by_code.get(normalise_name(code))
        matches = self.by_name.get(normalise_name(name), [])
        if len(matches) > 1:
            codes = ", ".join(m.code for m in matches)
            raise CellError(
                f"{name!r} is the name of {len(matches)} people ({codes}); give the employee code (工号)"
            )
        return matches[0] if matches else None
