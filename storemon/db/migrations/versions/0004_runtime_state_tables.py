"""runtime state out of settings: heartbeats, lockouts, live pictures, approval tokens

Until 0003 the ``settings`` table also held runtime state under these keys; this revision gives
each its own table and moves the rows there, so ``settings`` keeps business settings only:

- ``worker.heartbeat`` ``{worker_id: iso}`` -> ``heartbeats`` (one row per worker)
- ``auth.lockout.<user name>`` and ``pins.lockout.<staff id>`` ``{"failures", "locked_until"}``
  -> ``lockouts`` (kind ``password`` / ``pin``)
- ``live.<store id>`` ``{..., "at": iso}`` -> ``live_pictures``
- ``kiosk.approval.<token>`` ``{"approver", "for", "amount", "until"}`` -> ``approval_tokens``
  (the token is kept as its SHA-256 only)

Downgrade moves heartbeats, lockouts and live pictures back; approval tokens cannot be turned
back into their tokens and are dropped (a grant is valid for ten minutes; the colleague approves again).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from alembic import op

import storemon.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HEARTBEAT_KEY = "worker.heartbeat"
PASSWORD_PREFIX = "auth.lockout."
PIN_PREFIX = "pins.lockout."
LIVE_PREFIX = "live."
APPROVAL_PREFIX = "kiosk.approval."

_UTC = storemon.db.types.UTCDateTime
settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.JSON))
heartbeats = sa.table(
    "heartbeats",
    sa.column("process_id", sa.String),
    sa.column("role", sa.String),
    sa.column("host", sa.String),
    sa.column("beat_at", _UTC),
)
lockouts = sa.table(
    "lockouts",
    sa.column("subject_kind", sa.String),
    sa.column("subject_key", sa.String),
    sa.column("failures", sa.Integer),
    sa.column("locked_until", _UTC),
)
live_pictures = sa.table(
    "live_pictures",
    sa.column("store_id", sa.Integer),
    sa.column("payload", sa.JSON),
    sa.column("computed_at", _UTC),
)
approval_tokens = sa.table(
    "approval_tokens",
    sa.column("token_hash", sa.String),
    sa.column("purpose", sa.String),
    sa.column("approver", sa.String),
    sa.column("grantee", sa.String),
    sa.column("amount", sa.Numeric(14, 2)),
    sa.column("expires_at", _UTC),
    sa.column("used_at", _UTC),
)


def _create_tables() -> None:
    op.create_table(
        "heartbeats",
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("beat_at", storemon.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("process_id", name=op.f("pk_heartbeats")),
    )
    with op.batch_alter_table("heartbeats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_heartbeats_beat_at"), ["beat_at"], unique=False)
    op.create_table(
        "lockouts",
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_key", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", storemon.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("subject_kind", "subject_key", name=op.f("pk_lockouts")),
    )
    op.create_table(
        "live_pictures",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("computed_at", storemon.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_live_pictures_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_live_pictures")),
    )
    op.create_table(
        "approval_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("approver", sa.String(length=100), nullable=False),
        sa.Column("grantee", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("expires_at", storemon.db.types.UTCDateTime(), nullable=False),
        sa.Column("used_at", storemon.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_approval_tokens")),
    )
    with op.batch_alter_table("approval_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_tokens_expires_at"), ["expires_at"], unique=False)


def _time(value: Any) -> datetime | None:
    """An ISO 8601 string as an aware UTC datetime; None for anything unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _starts_with(prefix: str) -> sa.ColumnElement[bool]:
    return settings.c.key.like(prefix.replace("_", "\\_") + "%", escape="\\")


def _rows(conn: sa.Connection, prefix: str) -> list[tuple[str, Any]]:
    return [(r.key, r.value) for r in conn.execute(sa.select(settings).where(_starts_with(prefix)))]


def _move_heartbeats(conn: sa.Connection) -> None:
    for value in conn.scalars(sa.select(settings.c.value).where(settings.c.key == HEARTBEAT_KEY)):
        for worker_id, raw in (value if isinstance(value, dict) else {}).items():
            at = _time(raw)
            if at is not None:
                host = str(worker_id).rpartition(":")[0] or str(worker_id)
                conn.execute(
                    heartbeats.insert().values(
                        process_id=str(worker_id)[:200], role="worker", host=host[:200], beat_at=at
                    )
                )


def _move_lockouts(conn: sa.Connection) -> None:
    for kind, prefix in (("password", PASSWORD_PREFIX), ("pin", PIN_PREFIX)):
        for key, value in _rows(conn, prefix):
            if not isinstance(value, dict):
                continue
            failures = value.get("failures", 0)
            conn.execute(
                lockouts.insert().values(
                    subject_kind=kind,
                    subject_key=key[len(prefix) :],
                    failures=failures if isinstance(failures, int) and failures >= 0 else 0,
                    locked_until=_time(value.get("locked_until")),
                )
            )


def _move_live_pictures(conn: sa.Connection) -> None:
    stores = set(conn.scalars(sa.text("SELECT id FROM stores")))
    for key, value in _rows(conn, LIVE_PREFIX):
        store = key[len(LIVE_PREFIX) :]
        at = _time(value.get("at")) if isinstance(value, dict) else None
        if store.isdigit() and int(store) in stores and at is not None:
            payload = {k: v for k, v in value.items() if k != "at"}
            conn.execute(live_pictures.insert().values(store_id=int(store), payload=payload, computed_at=at))


def _move_approvals(conn: sa.Connection) -> None:
    for key, value in _rows(conn, APPROVAL_PREFIX):
        until = _time(value.get("until")) if isinstance(value, dict) else None
        try:
            amount = Decimal(str(value.get("amount"))) if until is not None else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            continue
        conn.execute(
            approval_tokens.insert().values(
                token_hash=hashlib.sha256(key[len(APPROVAL_PREFIX) :].encode()).hexdigest(),
                purpose="compensation",
                approver=str(value.get("approver", ""))[:100],
                grantee=str(value.get("for", ""))[:100],
                amount=amount,
                expires_at=until,
                used_at=None,
            )
        )


def _delete_runtime_keys(conn: sa.Connection) -> None:
    for prefix in (PASSWORD_PREFIX, PIN_PREFIX, LIVE_PREFIX, APPROVAL_PREFIX):
        conn.execute(settings.delete().where(_starts_with(prefix)))
    conn.execute(settings.delete().where(settings.c.key == HEARTBEAT_KEY))


def upgrade() -> None:
    _create_tables()
    conn = op.get_bind()
    _move_heartbeats(conn)
    _move_lockouts(conn)
    _move_live_pictures(conn)
    _move_approvals(conn)
    _delete_runtime_keys(conn)


def downgrade() -> None:
    conn = op.get_bind()
    beats = {r.process_id: r.beat_at.isoformat() for r in conn.execute(sa.select(heartbeats))}
    if beats:
        conn.execute(settings.insert().values(key=HEARTBEAT_KEY, value=beats))
    for row in conn.execute(sa.select(lockouts)):
        prefix = PASSWORD_PREFIX if row.subject_kind == "password" else PIN_PREFIX
        value = {
            "failures": row.failures,
            "locked_until": None if row.locked_until is None else row.locked_until.isoformat(),
        }
        key = prefix + row.subject_key
        if len(key) > 100:  # how 0003's code named a lockout whose user name is too long for the key
            key = prefix + "#" + hashlib.sha256(row.subject_key.encode("utf-8", "replace")).hexdigest()
        conn.execute(settings.insert().values(key=key, value=value))
    for row in conn.execute(sa.select(live_pictures)):
        value = {**row.payload, "at": row.computed_at.isoformat()}
        conn.execute(settings.insert().values(key=f"{LIVE_PREFIX}{row.store_id}", value=value))
    with op.batch_alter_table("approval_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_tokens_expires_at"))
    op.drop_table("approval_tokens")
    op.drop_table("live_pictures")
    op.drop_table("lockouts")
    with op.batch_alter_table("heartbeats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_heartbeats_beat_at"))
    op.drop_table("heartbeats")
