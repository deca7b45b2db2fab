"""Reading the audit log for the Audit screen: filtered lists, the action names, CSV/XLSX export.

Every sign-in, setting change, policy change, alert action and store call is an ``AuditEntry``
in the hash-chained log. Imports record ``ImportBatch`` rows instead, so this listing merges each
batch in as a row with action ``import.<kind>`` (subject: the file; details: its row count).
Such rows carry no hash: they are outside the chain, and ``entry_id`` is ``None``.

Only head-office roles (``Actor.sees_chain``) may read the log: it holds sign-in attempts and
setting changes of the whole chain.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from storemon.db.models import AuditEntry, ImportBatch
from storemon.services.access import HEAD_OFFICE, Actor
from storemon.services.audit import AuditProblem, verify
from storemon.services.audit_anchor import (
    AnchorProblem,
    Checkpoint,
    check,
    read_checkpoints,
    write_checkpoint,
)
from storemon.services.door import use_case
from storemon.services.export import Column, write_rows

MAX_ROWS = 5_000
"""The newest this many rows are listed; ``AuditList.more`` says when there were more."""

IMPORT_PREFIX = "import"

EXPORT_HEADERS = (
    "Time (local)",
    "Actor",
    "Host",
    "Action",
    "Subject",
    "Details",
    "Entry",
    "Hash",
    "Previous hash",
)


@dataclass(frozen=True)
class AuditFilter:
    """What the Audit screen asks for; ``None`` or ``""`` means "any".

    ``since`` is inclusive and ``until`` exclusive (aware datetimes). ``action`` matches that
    action and every action under it: ``"alert"`` or ``"alert."`` match ``alert.acknowledged``;
    ``"import"`` matches every import. ``text`` is searched, ignoring case, in the subject and
    the details.
    """

    since: datetime | None = None
    until: datetime | None = None
    actor: str = ""
    action: str | None = None
    text: str = ""


@dataclass(frozen=True)
class AuditRow:
    """One audit entry (or import batch) as the list shows it; ``at`` is aware UTC."""

    entry_id: int | None
    at: datetime
    actor: str
    host: str
    action: str
    subject: str
    details: dict[str, Any] = field(default_factory=dict)
    hash: str = ""
    prev_hash: str = ""

    @property
    def chained(self) -> bool:
        """Whether the row is a hash-chained audit entry (imports are not)."""
        return self.entry_id is not None

    def details_json(self, indent: int | None = None) -> str:
        return json.dumps(self.details, ensure_ascii=False, sort_keys=True, indent=indent, default=str)

    def details_summary(self, limit: int = 140) -> str:
        """``key: value`` pairs on one line, cut at ``limit`` characters."""
        parts = []
        for key, value in sorted(self.details.items()):
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
            parts.append(f"{key}: {text}")
        summary = ", ".join(parts).replace("\n", " ")
        return summary if len(summary) <= limit else summary[: limit - 1] + "…"


@dataclass(frozen=True)
class AuditList:
    rows: list[AuditRow]
    more: bool
    """More than ``MAX_ROWS`` rows matched; only the newest are listed."""


READ_LOG = "read the audit log"


def _action_matches(action: str, wanted: str | None) -> bool:
    if not wanted:
        return True
    prefix = wanted if wanted.endswith(".") else wanted + "."
    return action == wanted.rstrip(".") or action.startswith(prefix)


def _text_matches(row: AuditRow, needle: str) -> bool:
    if not needle:
        return True
    return needle in row.subject.casefold() or needle in row.details_json().casefold()


def _when_and_who(
    stmt: Select, flt: AuditFilter, at: InstrumentedAttribute[datetime], actor: InstrumentedAttribute[str]
) -> Select:
    """`stmt` narrowed to the filter's period (on column `at`) and actor text (on column `actor`)."""
    if flt.since is not None:
        stmt = stmt.where(at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(at < flt.until)
    if flt.actor.strip():
        stmt = stmt.where(actor.icontains(flt.actor.strip(), autoescape=True))
    return stmt


def _entry_rows(session: Session, flt: AuditFilter) -> Iterator[AuditRow]:
    stmt = _when_and_who(select(AuditEntry), flt, AuditEntry.at, AuditEntry.actor)
    if flt.action:
        wanted = flt.action.rstrip(".")
        stmt = stmt.where(
            or_(AuditEntry.action == wanted, AuditEntry.action.startswith(wanted + ".", autoescape=True))
        )
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    for entry in session.scalars(stmt).yield_per(1000):
        yield AuditRow(
            entry.id,
            entry.at,
            entry.actor,
            entry.host,
            entry.action,
            entry.subject,
            dict(entry.details or {}),
            entry.hash,
            entry.prev_hash,
        )


def _import_rows(session: Session, flt: AuditFilter) -> Iterator[AuditRow]:
    if flt.action and flt.action.rstrip(".").split(".")[0] != IMPORT_PREFIX:
        return  # only an "import..." action filter can match an import
    stmt = _when_and_who(select(ImportBatch), flt, ImportBatch.imported_at, ImportBatch.imported_by)
    stmt = stmt.order_by(ImportBatch.imported_at.desc(), ImportBatch.id.desc())
    for batch in session.scalars(stmt).yield_per(1000):
        action = f"{IMPORT_PREFIX}.{batch.kind}"
        if not _action_matches(action, flt.action):
            continue
        yield AuditRow(
            None,
            batch.imported_at,
            batch.imported_by,
            "",
            action,
            batch.source_name,
            {"kind": batch.kind, "rows": batch.row_count, "batch": batch.id},
        )


@use_case(needs=HEAD_OFFICE, doing=READ_LOG)
def list_entries(
    session: Session, actor: Actor, flt: AuditFilter | None = None, limit: int = MAX_ROWS
) -> AuditList:
    """Audit entries and imports matching ``flt`` (default: all), newest first, at most ``limit`` of them."""
    flt = flt or AuditFilter()
    needle = flt.text.strip().casefold()
    merged = heapq.merge(
        _entry_rows(session, flt), _import_rows(session, flt), key=lambda r: r.at, reverse=True
    )
    rows: list[AuditRow] = []
    for row in merged:
        if not _text_matches(row, needle):
            continue
        if len(rows) == limit:
            return AuditList(rows, more=True)
        rows.append(row)
    return AuditList(rows, more=False)


@use_case(needs=HEAD_OFFICE, doing=READ_LOG)
def action_names(session: Session, actor: Actor) -> list[str]:
    """Every action name in the log, and ``import.<kind>`` for each kind imported, sorted."""
    names = set(session.scalars(select(AuditEntry.action).distinct()))
    names.update(f"{IMPORT_PREFIX}.{kind}" for kind in session.scalars(select(ImportBatch.kind).distinct()))
    return sorted(names)


@use_case(needs=HEAD_OFFICE, doing=READ_LOG)
def verify_log(session: Session, actor: Actor) -> tuple[int, list[AuditProblem]]:
    """Walk the hash chain: (entries checked, problems found); no problems means intact."""
    return verify(session)


@dataclass(frozen=True)
class AnchorReport:
    """What the checkpoints outside the database say (``storemon.services.audit_anchor``)."""

    checkpoints: int
    problems: list[AnchorProblem]
    written: Checkpoint | None
    """The checkpoint added now (when this PC has the key and nothing was wrong)."""


@use_case(needs=HEAD_OFFICE, doing=READ_LOG)
def check_anchor(
    session: Session, actor: Actor, log_path: Path, key: bytes | None, now: datetime
) -> AnchorReport:
    """Compare the log with every checkpoint in ``log_path``; with the key, add one for now."""
    lines = read_checkpoints(log_path) if log_path.exists() else []
    problems = check(session, log_path, key) if lines else []
    written = write_checkpoint(session, log_path, key, now) if key is not None and not problems else None
    return AnchorReport(len(lines), problems, written)


def local_time_text(at: datetime) -> str:
    """The row's time in this PC's time zone, to the second."""
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def export_columns(headers: Sequence[str] = EXPORT_HEADERS) -> list[Column]:
    if len(headers) != len(EXPORT_HEADERS):
        raise ValueError(f"expected {len(EXPORT_HEADERS)} headers, got {len(headers)}")
    values = (
        lambda r: local_time_text(r.at),
        lambda r: r.actor,
        lambda r: r.host,
        lambda r: r.action,
        lambda r: r.subject,
        lambda r: r.details_json(),
        lambda r: r.entry_id if r.entry_id is not None else "",
        lambda r: r.hash,
        lambda r: r.prev_hash,
    )
    return [Column(header, value=value) for header, value in zip(headers, values, strict=True)]


def export_rows(path: str | Path, rows: Iterable[AuditRow], headers: Sequence[str] = EXPORT_HEADERS) -> int:
    """Write rows to CSV (UTF-8 with BOM) or XLSX, by the file's suffix; returns the count."""
    return write_rows(Path(path), list(rows), export_columns(headers), sheet_title="Audit log")
