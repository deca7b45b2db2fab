"""Anchoring the audit chain outside the database, so it survives whoever controls the database.

The hash chain (``storemon.services.audit``) catches an edited or removed entry in the middle,
but someone who can write to the database can delete the newest entries, or rewrite entries and
recompute every hash after them, and the chain still verifies. So now and then (the worker every
hour, every ``audit verify``, every weekly report) a **checkpoint** — how many entries there are,
the newest id and its hash — is appended to a file outside the database
(``audit-checkpoints.jsonl`` beside the backups), each line signed with HMAC-SHA256 under a key
that is never stored in the database (``audit.key`` in the head-office PC's config folder, or
``STOREMON_AUDIT_KEY``). Verification then also demands that every checkpointed entry is still
there with the same hash and that no entry up to it has gone.

What this can detect: deleting any entry up to the newest checkpoint; rewriting and re-hashing
any entry up to it; a forged or edited checkpoint line (when the key is available). What it
cannot: entries written after the last checkpoint and then deleted before the next one; an
attacker who has both the database and the key file; a deleted checkpoint file (its absence is
reported, but not what was in it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storemon.db.models import AuditEntry
from storemon.errors import StoremonError

KEY_ENV = "STOREMON_AUDIT_KEY"
CHECKPOINT_FILE = "audit-checkpoints.jsonl"
KEY_FILE = "audit.key"


class AuditAnchorError(StoremonError):
    """The checkpoint file or the key cannot be used as they are."""


@dataclass(frozen=True)
class Checkpoint:
    """The chain as it stood at one moment: entries, newest id and hash, when, and its signature."""

    at: datetime
    entries: int
    last_id: int
    head_hash: str
    signature: str = ""

    def body(self) -> bytes:
        return json.dumps(
            [self.at.isoformat(), self.entries, self.last_id, self.head_hash], separators=(",", ":")
        ).encode()

    def signed(self, key: bytes) -> Checkpoint:
        return Checkpoint(self.at, self.entries, self.last_id, self.head_hash, _sign(key, self.body()))

    def genuine(self, key: bytes) -> bool:
        return hmac.compare_digest(self.signature, _sign(key, self.body()))


@dataclass(frozen=True)
class AnchorProblem:
    """What a checkpoint says that the database no longer matches (line is 1-based)."""

    line: int
    problem: str


def _sign(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def load_key(
    config_dir: Path, *, create: bool = False, env: str = KEY_ENV, file_name: str = KEY_FILE
) -> bytes | None:
    """The checkpoint key: ``STOREMON_AUDIT_KEY`` (hex), else ``audit.key`` in the config folder.

    With ``create``, a missing key file is made (32 random bytes, readable only by this user):
    do that on the head-office PC, never on a shared counter PC. ``env`` and ``file_name`` name
    another key kept the same way (the phone links' ``web.key``).
    """
    if value := os.environ.get(env):
        try:
            return bytes.fromhex(value.strip())
        except ValueError as exc:
            raise AuditAnchorError(f"{env} must be hex (e.g. from `openssl rand -hex 32`)") from exc
    path = config_dir / file_name
    if path.exists():
        try:
            return bytes.fromhex(path.read_text().strip())
        except ValueError as exc:
            raise AuditAnchorError(
                f"{path}: not a key written by Storemon; restore it from your backup"
            ) from exc
    if not create:
        return None
    config_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return bytes.fromhex(path.read_text().strip())


def current(session: Session, now: datetime) -> Checkpoint:
    """The chain's state now (unsigned)."""
    entries = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    return Checkpoint(now.astimezone(UTC), entries, last.id if last else 0, last.hash if last else "")


def write_checkpoint(session: Session, log_path: Path, key: bytes, now: datetime) -> Checkpoint:
    """Append the chain's state now, signed, as one line of ``log_path`` (created 0600)."""
    checkpoint = current(session, now).signed(key)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "at": checkpoint.at.isoformat(),
            "entries": checkpoint.entries,
            "last_id": checkpoint.last_id,
            "head_hash": checkpoint.head_hash,
            "signature": checkpoint.signature,
        }
    )
    fd = os.open(log_path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return checkpoint


def read_checkpoints(log_path: Path) -> list[tuple[int, Checkpoint]]:
    """(line number, checkpoint) for every line; a damaged line is an error naming it."""
    found = []
    for number, line in enumerate(log_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            found.append(
                (
                    number,
                    Checkpoint(
                        datetime.fromisoformat(data["at"]),
                        int(data["entries"]),
                        int(data["last_id"]),
                        str(data["head_hash"]),
                        str(data.get("signature", "")),
                    ),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AuditAnchorError(f"{log_path}:{number}: not a checkpoint line ({exc})") from exc
    return found


def check(session: Session, log_path: Path, key: bytes | None) -> list[AnchorProblem]:
    """Compare the database with every checkpoint in ``log_path`` (signatures too, given the key)."""
    problems = []
    for line, checkpoint in read_checkpoints(log_path):
        if key is not None and not checkpoint.genuine(key):
            problems.append(AnchorProblem(line, "the checkpoint's signature is wrong (edited or forged)"))
            continue
        if checkpoint.last_id == 0:
            continue
        entry = session.get(AuditEntry, checkpoint.last_id)
        if entry is None:
            problems.append(
                AnchorProblem(
                    line, f"entry {checkpoint.last_id}, the newest at {checkpoint.at:%Y-%m-%d %H:%M}, is gone"
                )
            )
            continue
        if entry.hash != checkpoint.head_hash:
            problems.append(
                AnchorProblem(
                    line, f"entry {checkpoint.last_id} was rewritten after {checkpoint.at:%Y-%m-%d %H:%M}"
                )
            )
        upto = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.id <= checkpoint.last_id)
        )
        if upto != checkpoint.entries:
            problems.append(
                AnchorProblem(
                    line,
                    f"{checkpoint.entries} entries up to {checkpoint.last_id} were checkpointed, {upto} are left",
                )
            )
    return problems


def report_anchor(session: Session, now: datetime) -> tuple[Checkpoint | None, str]:
    """For the weekly report: a fresh checkpoint where this PC has the key, else the newest in the
    file; with the reason when there is none or the file cannot be read."""
    from storemon.config import app_paths  # the paths of this PC, as the worker uses them

    paths = app_paths()
    log_path = paths.backup_dir / CHECKPOINT_FILE
    try:
        key = load_key(paths.config_dir)
        if key is not None:
            return write_checkpoint(session, log_path, key, now), ""
        if not log_path.exists():
            return None, "no checkpoint yet: run `storemon audit key` on the head-office PC"
        found = read_checkpoints(log_path)
    except (AuditAnchorError, OSError) as exc:
        return None, f"{exc}; run `storemon audit verify`"
    if not found:
        return None, f"{log_path} holds no checkpoint"
    return found[-1][1], ""
