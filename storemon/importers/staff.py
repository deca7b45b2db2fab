"""Staff lists -> StaffMember rows: new codes are created, known codes updated, in one transaction.

The columns a file has are authoritative for the people it lists (an empty phone cell clears
the phone); columns it lacks are left alone. Without a code column people are matched by name
and new ones get a code made from their name.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from storemon.db.models import Role, StaffMember
from storemon.importers.base import (
    PROGRESS_EVERY,
    CellError,
    ImportResult,
    ProblemLog,
    RejectsWriter,
    StoreDirectory,
    Ticker,
    file_problem,
    new_batch,
    normalise_name,
    slugify,
)
from storemon.importers.people import ROLE, STAFF_CODE, STAFF_NAME, StaffDirectory, check_email, parse_role
from storemon.importers.runner import run_import
from storemon.importers.tabular import STORE_FIELDS, FieldSpec, Table, alias_index, map_columns, unusable

KIND = "staff"

STAFF_FIELDS = [
    FieldSpec("code", ("code", *STAFF_CODE.aliases, "编号"), STAFF_CODE.help),
    FieldSpec("name", STAFF_NAME.aliases, STAFF_NAME.help),
    *STORE_FIELDS,
    ROLE,
    FieldSpec(
        "phone",
        ("phone", "mobile", "tel", "telephone", "cell", "phone number", "电话", "手机", "手机号", "手机号码", "联系电话"),
        "phone number",
    ),
    FieldSpec("email", ("email", "e-mail", "mail", "email address", "邮箱", "电子邮箱", "邮件"), "email address"),
]  # fmt: skip
_ALIASES = alias_index(STAFF_FIELDS)


def import_staff(
    session_factory: sessionmaker[Session],
    path: str | Path,
    *,
    mapping: dict[str, str] | None = None,
    create_stores: bool = False,
    skip_bad: bool = False,
    rejects_path: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    actor: str = "cli",
    now: datetime | None = None,
    store_ids: Collection[int] | None = None,
) -> ImportResult:
    """Import a staff list (CSV or XLSX): ``created`` new people, ``updated`` changed ones."""
    now = now or datetime.now(UTC)

    def body(session: Session, table: Table, fingerprint: str, rejects: RejectsWriter | None) -> ImportResult:
        return _import(
            session,
            table,
            fingerprint,
            rejects,
            mapping,
            create_stores,
            skip_bad,
            progress,
            cancel,
            actor,
            now,
        )

    return run_import(KIND, session_factory, path, _ALIASES, mapping, skip_bad, rejects_path, body, store_ids)


def _import(
    session: Session,
    table: Table,
    fingerprint: str,
    rejects: RejectsWriter | None,
    mapping: dict[str, str] | None,
    create_stores: bool,
    skip_bad: bool,
    progress: Callable[[int, int], None] | None,
    cancel: threading.Event | None,
    actor: str,
    now: datetime,
) -> ImportResult:
    cols = map_columns(table, STAFF_FIELDS, mapping)
    if "name" not in cols and "code" not in cols:
        raise unusable(table, STAFF_FIELDS, "No name or employee code column found", "name")
    h = cols.header
    stores = StoreDirectory(session, create=create_stores)
    people = StaffDirectory(session)
    log = ProblemLog(table.name, rejects)
    ticker = Ticker(progress, cancel, table.total_estimate)
    store_fields = [f for f in ("store_code", "store_name", "store_location") if f in cols]

    def text(row: list, fieldname: str) -> str:
        i = cols.get(fieldname)
        return str(row[i]).strip() if i is not None else ""

    seen: dict[str, int] = {}
    planned: list[tuple[int, list, StaffMember | None, dict]] = []
    rows_read = 0
    col = ""
    for line, row in table.rows():
        rows_read += 1
        if rows_read % PROGRESS_EVERY == 0:
            ticker(rows_read)
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
                values["home_store_id"] = (
                    stores.resolve(
                        cells.get("store_code", ""),
                        cells.get("store_name", ""),
                        cells.get("store_location", ""),
                    ).id
                    if any(cells.values())
                    else None
                )
            if "role" in cols:
                col = h["role"]
                if text(row, "role"):
                    values["role"] = parse_role(text(row, "role"))
            if "phone" in cols:
                values["phone"] = text(row, "phone")[:64]
            if "email" in cols:
                col = h["email"]
                values["email"] = check_email(text(row, "email"))[:200]
            if member is None:
                if stores.allowed is not None and values.get("home_store_id") is None:
                    col = h[store_fields[0]] if store_fields else col
                    raise CellError("give the person's store: you may add people only to your own stores")
                values.setdefault("role", Role.STAFF)
                values["code"] = (code or _free_code(slugify(name), people))[:64]
                values.setdefault("name", code)
            planned.append((line, row, member, values))
        except CellError as exc:
            if not any(str(c).strip() for c in row):
                rows_read -= 1
                continue
            log.add(line, col, str(exc), row)

    ticker.check_cancel()
    if log.count and not skip_bad:
        raise log.fail()
    if rows_read == 0:
        raise file_problem(table.name, "the file has a header but no data rows", line=table.header_line)
    if not planned and log.count:
        raise log.fail()
    created: list[str] = []
    updated = 0
    for _line, _row, member, values in planned:
        if member is None:
            member = StaffMember(**values)
            session.add(member)
            people.remember(member)
            created.append(values["code"])
            continue
        changed = {k: v for k, v in values.items() if getattr(member, k) != v}
        if changed:
            for k, v in changed.items():
                setattr(member, k, v)
            updated += 1
    batch = new_batch(session, KIND, table.path, fingerprint, rows_read, actor, now)
    ticker.check_cancel()
    session.commit()
    ticker.done(rows_read)
    return ImportResult(
        batch_id=batch.id,
        rows_read=rows_read,
        rows_imported=len(planned),
        created=len(created),
        updated=updated,
        staff_created=created,
        rejected=log.problems[:],
        rejected_count=log.count,
        stores_created=list(stores.created),
    )


def _free_code(base: str, people: StaffDirectory) -> str:
    code, n = base, 2
    while normalise_name(code) in people.by_code:
        code = f"{base[:60]}-{n}"
        n += 1
    return code
