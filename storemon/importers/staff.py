"""Staff lists -> StaffMember rows: new codes are created, known codes updated, in one transaction.

The columns a file has are authoritative for the people it lists (an empty phone cell clears
the phone, an empty hourly wage pays the person their role's wage); columns it lacks are left alone. Without a code column people are matched by name
and new ones get a code made from their name.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from staffing.labour import WageError, check_wage
from storemon.db.models import Role, StaffMember
from storemon.importers.base import CellError, ImportResult, normalise_name, slugify
from storemon.importers.people import ROLE, STAFF_CODE, STAFF_NAME, StaffDirectory, check_email, parse_role
from storemon.importers.runner import ImportOptions, Requirement, RowImporter
from storemon.importers.tabular import STORE_FIELDS, FieldSpec, field_specs

KIND = "staff"

_STAFF = field_specs("staff")
STAFF_FIELDS = [
    FieldSpec("code", ("code", *STAFF_CODE.aliases, "编号"), STAFF_CODE.help),
    FieldSpec("name", STAFF_NAME.aliases, STAFF_NAME.help),
    *STORE_FIELDS,
    ROLE,
    _STAFF["phone"],
    _STAFF["email"],
    _STAFF["hourly_wage"],
]


def import_staff(
    session_factory: sessionmaker[Session],
    path: str | Path,
    options: ImportOptions | None = None,
    /,
    **overrides: Any,
) -> ImportResult:
    """Import a staff list (CSV or XLSX): ``created`` new people, ``updated`` changed ones.

    ``overrides`` are ``ImportOptions`` fields (``create_stores=``, ``skip_bad=``, ...).
    """
    return StaffImporter.run(session_factory, path, options, overrides)


class StaffImporter(RowImporter):
    """Rows -> people to create or update; the columns a file has are authoritative for its people."""

    kind = KIND
    fields = STAFF_FIELDS

    requirements = (
        Requirement(
            frozenset({"name", "code"}),
            "No name or employee code column found",
            "a code or name column",
            "name",
        ),
    )

    def read(self) -> list[tuple[StaffMember | None, dict]]:
        cols, h, stores, text = self.cols, self.h, self.stores, self.text
        self.people = people = StaffDirectory(self.session)
        store_fields = self.store_fields
        seen: dict[str, int] = {}
        planned: list[tuple[StaffMember | None, dict]] = []
        col = ""
        for line, row in self.rows():
            try:
                code, name = text(row, "code"), text(row, "name")
                col = h.get("code") or h["name"]
                if "code" in cols and not code:
                    raise CellError("the employee code (工号) is empty; every person needs one")
                if "name" in cols and not name:
                    col = h["name"]
                    raise CellError("the name (姓名) is empty")
                identity = normalise_name(code or name)
                if identity in seen:
                    raise CellError(f"{code or name!r} is listed twice (first on line {seen[identity]})")
                seen[identity] = line
                member = people.find(code, name)
                if member is not None and member.home_store_id is not None:
                    stores.home(member.home_store_id)  # changing someone of another store is out of scope
                values: dict = {}
                if name:
                    values["name"] = name[:200]
                if store_fields:
                    col = h[store_fields[0]]
                    cells = {f: text(row, f) for f in store_fields}
                    values["home_store_id"] = self.store_in(cells).id if any(cells.values()) else None
                if "role" in cols:
                    col = h["role"]
                    if text(row, "role"):
                        values["role"] = parse_role(text(row, "role"))
                if "phone" in cols:
                    values["phone"] = text(row, "phone")[:64]
                if "email" in cols:
                    col = h["email"]
                    values["email"] = check_email(text(row, "email"))[:200]
                if "hourly_wage" in cols:
                    col = h["hourly_wage"]
                    values["hourly_wage"] = _wage(text(row, "hourly_wage"))
                if member is None:
                    if stores.allowed is not None and values.get("home_store_id") is None:
                        col = h[store_fields[0]] if store_fields else col
                        raise CellError("give the person's store: you may add people only to your own stores")
                    values.setdefault("role", Role.STAFF)
                    values["code"] = (code or _free_code(slugify(name), people))[:64]
                    values.setdefault("name", code)
                planned.append((member, values))
            except CellError as exc:
                self.reject(line, row, col, exc)
        return planned

    def write(self, planned: list[tuple[StaffMember | None, dict]]) -> dict[str, Any]:
        created: list[str] = []
        updated = 0
        for member, values in planned:
            if member is None:
                member = StaffMember(**values)
                self.session.add(member)
                self.people.remember(member)
                created.append(values["code"])
                continue
            changed = {k: v for k, v in values.items() if getattr(member, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(member, k, v)
                updated += 1
        self.new_batch()
        return {
            "rows_imported": len(planned),
            "created": len(created),
            "updated": updated,
            "staff_created": created,
        }


def _wage(cell: str) -> Decimal | None:
    """A person's own hourly wage; an empty cell pays them their role's wage."""
    if not cell:
        return None
    try:
        return check_wage(cell, "the hourly wage (时薪)")
    except WageError as exc:
        raise CellError(str(exc)) from None


def _free_code(base: str, people: StaffDirectory) -> str:
    code, n = base, 2
    while normalise_name(code) in people.by_code:
        code = f"{base[:60]}-{n}"
        n += 1
    return code
