"""Staff fields, job titles -> ``Role``, and finding a staff member by code or name."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from storemon.db.models import Role, StaffMember
from storemon.importers.base import CellError, normalise_name
from storemon.importers.tabular import FieldSpec, normalise_header

STAFF_CODE = FieldSpec(
    "staff_code",
    (
        "staff code", "staff id", "staff no", "staff number", "employee code", "employee id",
        "employee no", "employee number", "emp id", "emp no", "badge", "工号", "员工编号", "员工号",
        "员工工号", "员工id", "职员编号",
    ),
    "employee code (工号)",
)  # fmt: skip
STAFF_NAME = FieldSpec(
    "staff_name",
    (
        "name", "full name", "employee", "employee name", "staff", "staff name", "staff member",
        "姓名", "名字", "员工", "员工姓名", "职员", "职员姓名",
    ),
    "person's name (姓名)",
)  # fmt: skip
ROLE = FieldSpec(
    "role",
    ("role", "position", "job", "job title", "title", "岗位", "职位", "角色", "职务"),
    "role: staff, shift_lead, store_manager, ... or 店员/值班主管/店长",
)  # fmt: skip

_ROLE_NAMES: dict[Role, tuple[str, ...]] = {
    Role.STAFF: (
        "staff", "employee", "crew", "crew member", "barista", "clerk", "cashier", "server",
        "team member", "partner", "店员", "员工", "咖啡师", "服务员", "收银员", "营业员", "兼职",
        "全职", "普通员工",
    ),
    Role.SHIFT_LEAD: (
        "shift lead", "shift leader", "shift supervisor", "shift manager", "team lead", "team leader",
        "值班主管", "值班经理", "值班长", "领班", "班长", "组长", "主管", "副店长",
    ),
    Role.STORE_MANAGER: ("store manager", "manager", "store mgr", "店长", "门店经理", "经理", "门店店长"),
    Role.OPS_SUPERVISOR: (
        "ops supervisor", "operations supervisor", "area manager", "district manager",
        "regional manager", "区域经理", "督导", "运营督导", "区域督导", "区经", "片区经理",
    ),
    Role.SERVICE_DIRECTOR: ("service director", "operations director", "服务总监", "运营总监"),
    Role.EXECUTIVE: ("executive", "ceo", "coo", "general manager", "总经理", "高管", "总裁"),
    Role.ADMIN: ("admin", "administrator", "管理员", "系统管理员"),
}  # fmt: skip
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
