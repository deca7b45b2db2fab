"""SQLAlchemy 2.0 models: the one schema for SQLite and PostgreSQL.

Alembic owns the schema (``storemon/db/migrations``); change a model, then add a migration.
Times are UTC (see ``UTCDateTime``), money is ``Decimal``.
"""

from __future__ import annotations

import enum
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storemon.db.types import UTCDateTime

Money = Numeric(14, 2)

# Deterministic constraint names so Alembic migrations are the same on both engines.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Role(enum.StrEnum):
    """The roles of the five-level escalation chain plus the administrator (DOMAIN.md section 1)."""

    STAFF = "staff"
    SHIFT_LEAD = "shift_lead"
    STORE_MANAGER = "store_manager"
    OPS_SUPERVISOR = "ops_supervisor"
    SERVICE_DIRECTOR = "service_director"
    EXECUTIVE = "executive"
    ADMIN = "admin"


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Region(Base):
    """A group of stores under one operations supervisor (regional manager)."""

    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    stores: Mapped[list[Store]] = relationship(back_populates="region")


class TierPolicy(Base):
    """A chain's rule "daily revenue band -> staff per shift"; gaps are reported, never filled."""

    __tablename__ = "tier_policies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    bands: Mapped[list[TierBand]] = relationship(
        back_populates="policy", cascade="all, delete-orphan", order_by="TierBand.position"
    )


class TierBand(Base):
    """One revenue band of a tier policy: ``min_revenue <= revenue < max_revenue`` (None = open end)."""

    __tablename__ = "tier_bands"
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("tier_policies.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    min_revenue: Mapped[Decimal | None] = mapped_column(Money)
    max_revenue: Mapped[Decimal | None] = mapped_column(Money)
    staff_per_shift: Mapped[int] = mapped_column(Integer)
    daypart: Mapped[str | None] = mapped_column(String(32))
    policy: Mapped[TierPolicy] = relationship(back_populates="bands")


class Store(Base):
    """A store with its local time zone, opening hours, region and assigned tier policy."""

    __tablename__ = "stores"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(300), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    opens_at: Mapped[time] = mapped_column(Time, default=time(7, 0))
    closes_at: Mapped[time] = mapped_column(Time, default=time(21, 0))
    tier_policy_id: Mapped[int | None] = mapped_column(ForeignKey("tier_policies.id"))
    service_minutes: Mapped[float | None] = mapped_column(Float)
    """Mean minutes per order at this store's counter; None uses the chain's setting."""
    chore_minutes_per_hour: Mapped[float | None] = mapped_column(Float)
    """Minutes per hour the counter staff spend on work other than serving (cleaning, stock,
    deliveries); None uses the chain's setting."""
    patience_minutes: Mapped[float | None] = mapped_column(Float)
    """How long this store's customers wait on average before walking away; None: the chain's."""
    region: Mapped[Region | None] = relationship(back_populates="stores")
    tier_policy: Mapped[TierPolicy | None] = relationship()
    hours: Mapped[list[StoreHours]] = relationship(
        order_by="StoreHours.weekday", cascade="all, delete-orphan", passive_deletes=True
    )
    """Opening hours of the weekdays that have their own (``storemon.services.opening_hours``)."""


class StoreHours(Base):
    """A store's opening hours on one weekday (0 = Monday); a weekday without a row uses the
    store's ``opens_at``/``closes_at``. Imports infer these from the first and last orders."""

    __tablename__ = "store_hours"
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)


class StaffMember(Base):
    """A person who works shifts; ``role`` is their job, which sets their authority limit."""

    __tablename__ = "staff_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    home_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.STAFF)
    phone: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    hourly_wage: Mapped[Decimal | None] = mapped_column(Money)
    """This person's wage per hour, overriding their role's (``labour.role_wages``); None: the role's."""
    home_store: Mapped[Store | None] = relationship()


class User(Base):
    """Someone who signs in; scope is the store (store roles) or region (supervisor) they belong to."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    staff_member_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    store: Mapped[Store | None] = relationship()
    region: Mapped[Region | None] = relationship()
    staff_member: Mapped[StaffMember | None] = relationship()


class ImportBatch(Base):
    """One imported file; its fingerprint makes a second import of the same file a no-op."""

    __tablename__ = "import_batches"
    __table_args__ = (UniqueConstraint("kind", "fingerprint"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    source_name: Mapped[str] = mapped_column(String(500))
    fingerprint: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(16), default="done", server_default="done")
    """``writing`` while a large import adds its rows in short transactions: readers leave the
    batch's rows out until the last transaction marks it ``done``, so a call for help never waits
    behind an import and an import is still all or nothing."""
    alive_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """The writing import's heartbeat; a ``writing`` batch whose heartbeat stopped was killed,
    and the next import (or the worker) removes its rows."""


class RosterShift(Base):
    """Who works where and when; a shift with nobody else on it is a solo shift."""

    __tablename__ = "roster_shifts"
    __table_args__ = (
        UniqueConstraint("staff_id", "starts_at"),
        Index("ix_roster_shifts_store_start", "store_id", "starts_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.STAFF)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    staff: Mapped[StaffMember] = relationship()


class SalesOrder(Base):
    """The key of one imported transaction, kept so re-importing it adds nothing."""

    __tablename__ = "sales_orders"
    __table_args__ = (UniqueConstraint("store_id", "order_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    order_key: Mapped[str] = mapped_column(String(128))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)


class SalesBucket(Base):
    """Orders (distinct transactions), items and revenue of one store in one 15-minute bucket.

    A bucket row belongs to the batch that brought it; a store's bucket total is the sum over batches.
    """

    __tablename__ = "sales_buckets"
    __table_args__ = (
        UniqueConstraint("store_id", "bucket_start", "batch_id"),
        Index("ix_sales_buckets_store_start", "store_id", "bucket_start"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    bucket_start: Mapped[datetime] = mapped_column(UTCDateTime)
    orders: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[Decimal] = mapped_column(Money)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)


class Incident(Base):
    """A service incident at the counter: what kind of customer, and whether a sensitive trigger came up."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    incident_type: Mapped[str] = mapped_column(String(64))
    customer_type: Mapped[str] = mapped_column(String(32))
    sensitive_triggers: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    compensation: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    approved_by: Mapped[str | None] = mapped_column(String(100))


class CheckIn(Base):
    """An end-of-shift self-assessment, "how hard was this shift" 1-5, with an optional private note."""

    __tablename__ = "check_ins"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("roster_shifts.id"))
    score: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    note_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Setting(Base):
    """A business setting every PC of the chain shares (thresholds, channels, surge calendar...).

    Only keys registered in ``storemon.services.setting_keys`` belong here; runtime state has its own tables.
    """

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Heartbeat(Base):
    """A running Storemon process saying "I am alive", so every PC can tell whether the jobs run."""

    __tablename__ = "heartbeats"
    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    """``host:pid`` of the process (the worker id)."""
    role: Mapped[str] = mapped_column(String(32), default="worker")
    host: Mapped[str] = mapped_column(String(200), default="")
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    rules_cycle_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When this process last finished a rules cycle (None: it never ran one)."""
    rules_cycle_seconds: Mapped[float | None] = mapped_column(Float)
    rules_evaluated: Mapped[int | None] = mapped_column(Integer)
    """Stores whose rules that cycle evaluated (inputs changed, or their next interval began)."""
    rules_skipped: Mapped[int | None] = mapped_column(Integer)
    """Stores that cycle left alone: nothing they depend on changed since their last evaluation."""


class RuleBatch(Base):
    """A batch of stores for the rules job on PostgreSQL, claimed by one worker per cycle.

    Batch ``id`` covers the stores with ``id * size <= store id < (id + 1) * size``. A worker takes
    a batch with ``FOR UPDATE SKIP LOCKED`` (``storemon.db.rule_batches``), holds it until
    ``lease_expires_at`` and, in the transaction that writes its alerts, sets ``cycle``: a batch
    done in this cycle is not taken again, and one whose holder died is taken when its lease ends.
    """

    __tablename__ = "rule_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cycle: Mapped[int] = mapped_column(BigInteger, default=-1)
    """The last cycle (``storemon.rules_cycle``: seconds since the epoch // the rules interval) done."""
    holder: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_holder: Mapped[str | None] = mapped_column(String(200))
    """Who did it last: that worker takes it first next time (its day models are in its memory)."""
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Lockout(Base):
    """Wrong passwords or PINs in a row for one subject; in the database so every PC counts them."""

    __tablename__ = "lockouts"
    subject_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    """``password`` (subject: a user name as typed) or ``pin`` (subject: a staff member's id)."""
    subject_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LivePicture(Base):
    """A store's current interval of the staffing model, refreshed by the rules job for one-click calls."""

    __tablename__ = "live_pictures"
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApprovalToken(Base):
    """A one-time grant (a colleague's PIN approving an amount), redeemed once before it expires."""

    __tablename__ = "approval_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the token: the database never holds a token that could be replayed."""
    purpose: Mapped[str] = mapped_column(String(32))
    approver: Mapped[str] = mapped_column(String(100))
    grantee: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Money)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobLease(Base):
    """Which process runs the scheduled jobs now: one holder at a time, renewed while it lives.

    In one-PC mode the main window, the kiosk and a worker can all run the rules, escalations
    and deliveries; the one whose lease is current does, and another takes over when it lapses.
    """

    __tablename__ = "job_leases"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    holder_role: Mapped[str] = mapped_column(String(32), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ran_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the holder last ran the escalation job: what the "nobody runs the jobs" banner reads."""


class Alert(Base):
    """Something that needs a person: opened by a rule or a click, walked up the escalation chain."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_dedup_status", "dedup_key", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), index=True)
    dedup_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), default="open")
    severity: Mapped[str] = mapped_column(String(16), default="warning")
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    level: Mapped[int] = mapped_column(Integer, default=1)
    policy_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    next_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EscalationStep(Base):
    """One entry of an alert's timeline: who was told, who acknowledged, comments, timeouts."""

    __tablename__ = "escalation_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    level: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class Notification(Base):
    """An outbox row: written with the state change that caused it, delivered at least once."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    username: Mapped[str | None] = mapped_column(String(100), index=True)
    """The person this is for (None for a chain-wide channel such as a group webhook)."""
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the person saw it in the app (in-app channel: the unread count)."""


class CoverOffer(Base):
    """A backup call (应急补位) offered to one person; the first to accept covers, the rest are told."""

    __tablename__ = "cover_offers"
    __table_args__ = (UniqueConstraint("alert_id", "username"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="offered")
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Commitment(Base):
    """A promise made to a customer ("call back at 15:00"): reminded before, escalated when missed."""

    __tablename__ = "commitments"
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    owner: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    grace_minutes: Mapped[int] = mapped_column(Integer, default=10)
    remind_minutes: Mapped[int] = mapped_column(Integer, default=15)
    status: Mapped[str] = mapped_column(String(16), default="open")
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Append-only record of who did what, from which PC; each row chains the previous row's hash."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    host: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
