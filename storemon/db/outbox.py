"""The outbox on SQLite and PostgreSQL: the storage protocol ``alerts.outbox.Dispatcher`` runs on.

Claims lease rows atomically in one UPDATE ... RETURNING: PostgreSQL skips rows another worker
has locked (``FOR UPDATE SKIP LOCKED``), so two workers never claim the same row; SQLite has one
writer at a time, which gives the same guarantee. A worker that dies mid-send leaves a lease that
expires; the row is claimed again and re-sent (at least once; receivers dedup on the key).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.message import Message
from alerts.outbox import DEAD, DELIVERED, MAX_ERROR_CHARS, PENDING, PendingNotification
from storemon.db.models import Notification

WAKE_CHANNEL = "storemon_outbox"
"""PostgreSQL NOTIFY channel that wakes dispatchers when a notification is queued."""


def wake_dispatchers(session: Session) -> None:
    """Ask PostgreSQL to wake listening dispatchers when this transaction commits (no-op on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {WAKE_CHANNEL}"))


class SqlOutboxStore:
    """``alerts.outbox.OutboxStore`` over the ``notifications`` table."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        on_channel_failing: Callable[[str, str, datetime], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.on_channel_failing = on_channel_failing

    def claim_due(
        self, now: datetime, limit: int, worker: str, lease: timedelta
    ) -> list[PendingNotification]:
        with self.sessions.begin() as session:
            due = (
                select(Notification.id)
                .where(
                    Notification.status == PENDING,
                    Notification.next_attempt_at <= now,
                    or_(Notification.lease_expires_at.is_(None), Notification.lease_expires_at <= now),
                )
                .order_by(Notification.next_attempt_at, Notification.id)
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            rows = session.execute(
                update(Notification)
                .where(Notification.id.in_(due.scalar_subquery()))
                .values(lease_owner=worker, lease_expires_at=now + lease, attempts=Notification.attempts + 1)
                .returning(
                    Notification.id,
                    Notification.channel,
                    Notification.recipient,
                    Notification.payload,
                    Notification.attempts,
                )
                .execution_options(synchronize_session=False)
            ).all()
        return [
            PendingNotification(
                row.id, row.channel, row.recipient, Message.from_dict(row.payload), row.attempts - 1
            )
            for row in sorted(rows, key=lambda r: r.id)
        ]

    def _finish(self, notification_id: int, worker: str | None, **values) -> None:
        condition = and_(Notification.id == notification_id, Notification.status == PENDING)
        if worker is not None:
            condition = and_(condition, Notification.lease_owner == worker)
        with self.sessions.begin() as session:
            session.execute(
                update(Notification)
                .where(condition)
                .values(lease_owner=None, lease_expires_at=None, **values)
                .execution_options(synchronize_session=False)
            )

    def mark_delivered(self, notification_id: int, worker: str, now: datetime) -> None:
        # Recorded even if the lease was lost: the message did go out.
        self._finish(notification_id, None, status=DELIVERED, delivered_at=now, last_error="")

    def mark_retry(
        self, notification_id: int, worker: str, error: str, next_attempt_at: datetime, now: datetime
    ) -> None:
        self._finish(
            notification_id, worker, last_error=error[:MAX_ERROR_CHARS], next_attempt_at=next_attempt_at
        )

    def mark_dead(self, notification_id: int, worker: str, error: str, now: datetime) -> None:
        self._finish(notification_id, worker, status=DEAD, last_error=error[:MAX_ERROR_CHARS])

    def channel_failing(self, channel: str, error: str, now: datetime) -> None:
        if self.on_channel_failing is not None:
            self.on_channel_failing(channel, error, now)
