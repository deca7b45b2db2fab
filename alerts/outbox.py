"""The outbox: durable, at-least-once delivery of notifications, with backoff and leases.

Rules and escalations *enqueue* notifications in the same transaction as the alert change;
the `Dispatcher` then delivers them. It is written against `OutboxStore`, which storemon/db
implements for SQLite and PostgreSQL; `MemoryOutbox` here is the in-process implementation
(one process, and the tests).

Guarantees, and their price:

* **Nothing is lost.** A row leaves "pending" only when a channel accepted it (delivered) or
  the dispatcher gave up on it (dead, with the error, and `channel_failing` raised so a person
  sees it). A worker that dies holding rows only holds them until its lease runs out; another
  worker then claims them again.
* **At-least-once, not exactly-once.** If a worker dies (or its database write fails) after a
  channel accepted a message but before `mark_delivered`, the lease expires and the message is
  sent again. That window cannot be closed from our side of a network, so every message carries
  an idempotency key — the webhook `Idempotency-Key` header and payload field, the email
  Message-ID and `X-Storemon-Idempotency-Key` — and receivers drop repeats by it.
* **No double delivery by two live workers.** `claim_due` leases rows atomically (a row lock,
  or `UPDATE ... WHERE lease free ... RETURNING`), and a dispatcher does not start a send its
  lease might not cover (`lease_margin`), so two healthy workers never send one row twice.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Final, Protocol

from alerts.message import Message
from alerts.notifiers.base import Clock, DeliveryError, Notifier

log = logging.getLogger(__name__)

PENDING: Final = "pending"
DELIVERED: Final = "delivered"
DEAD: Final = "dead"
MAX_ERROR_CHARS: Final = 1000


@dataclass(frozen=True)
class PendingNotification:
    """A claimed outbox row. `attempts` counts the earlier claims of this row (0 the first time)."""

    id: int
    channel: str
    recipient: str
    message: Message
    attempts: int


class OutboxStore(Protocol):
    """Storage for the outbox. Every method takes `now` explicitly; none reads a clock.

    The store counts attempts when it claims: `claim_due` returns each row with the number of
    earlier claims, and adds one. A row that crashes its worker every time therefore still
    runs out of attempts and goes dead instead of looping forever.

    `mark_retry` and `mark_dead` must only act while `worker` still holds the row's lease
    (the lease owner is `worker`, the status pending): a worker whose lease expired and whose
    row another worker re-claimed must not overwrite the other worker's outcome. `mark_delivered`
    records the delivery even when the lease was lost — the message did go out.
    """

    def claim_due(
        self, now: datetime, limit: int, worker: str, lease: timedelta
    ) -> list[PendingNotification]:
        """Atomically lease up to `limit` rows that are pending, due (`next_attempt_at <= now`)
        and not leased (or whose lease expired), oldest due first, to `worker` until `now + lease`."""
        ...

    def mark_delivered(self, notification_id: int, worker: str, now: datetime) -> None:
        """Record that the channel accepted the notification; release the lease."""
        ...

    def mark_retry(
        self, notification_id: int, worker: str, error: str, next_attempt_at: datetime, now: datetime
    ) -> None:
        """Record a failed attempt; keep it pending until `next_attempt_at`; release the lease."""
        ...

    def mark_dead(self, notification_id: int, worker: str, error: str, now: datetime) -> None:
        """Record that delivery was given up, with the reason; release the lease."""
        ...

    def channel_failing(self, channel: str, error: str, now: datetime) -> None:
        """Raise, or refresh, the alert that `channel` is failing (so a person looks at it)."""
        ...


# -- backoff -----------------------------------------------------------------------------------


def backoff_ceiling(
    attempt: int, *, base: timedelta = timedelta(seconds=5), cap: timedelta = timedelta(minutes=15)
) -> timedelta:
    """The upper bound of the wait after failed attempt number `attempt` (1-based): base·2^(n-1), capped."""
    exponent = min(max(attempt, 1) - 1, 64)  # 2**64 × any base is past any sane cap
    seconds = min(cap.total_seconds(), base.total_seconds() * 2.0**exponent)
    return timedelta(seconds=max(0.0, seconds))


def backoff(
    attempt: int,
    *,
    base: timedelta = timedelta(seconds=5),
    cap: timedelta = timedelta(minutes=15),
    rng: random.Random | None = None,
    retry_after: float | None = None,
) -> timedelta:
    """How long to wait after failed attempt `attempt` (1-based): exponential, "full jitter".

    Full jitter (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/):
    a uniform draw from [0, min(cap, base·2^(attempt-1))], which spreads the retries of many
    workers hitting one failing channel. A server's Retry-After hint is honoured — the wait is
    at least that long — but never beyond `cap`, so a misbehaving server cannot park alerts for
    hours; the row is simply retried at the cap.
    """
    rng = rng or random.Random()
    ceiling = backoff_ceiling(attempt, base=base, cap=cap).total_seconds()
    seconds = rng.uniform(0.0, ceiling)
    if retry_after is not None and retry_after > 0:
        seconds = max(seconds, retry_after)
    return timedelta(seconds=min(seconds, cap.total_seconds()))


# -- dispatcher --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchReport:
    """What one `run_once` did. `skipped`: claimed, but not sent because the lease was nearly
    spent; those rows are claimed again once the lease expires."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        """All claimed rows."""
        return self.delivered + self.retried + self.dead + self.skipped


class Dispatcher:
    """Claims due notifications and delivers each through its channel's notifier.

    One dispatcher per worker thread (it keeps per-channel failure counts); run several
    dispatchers — threads or processes — on one store for throughput or redundancy. `worker_id`
    must be unique among them.
    """

    def __init__(
        self,
        store: OutboxStore,
        notifiers: Mapping[str, Notifier],
        clock: Clock,
        worker_id: str,
        max_attempts: int = 8,
        batch: int = 50,
        lease: timedelta = timedelta(seconds=60),
        rng: random.Random | None = None,
        *,
        base_delay: timedelta = timedelta(seconds=5),
        max_delay: timedelta = timedelta(minutes=15),
        failing_after: int = 3,
        lease_margin: timedelta | None = None,
    ) -> None:
        if max_attempts < 1 or batch < 1 or failing_after < 1:
            raise ValueError("max_attempts, batch and failing_after must be at least 1")
        if lease <= timedelta(0):
            raise ValueError("lease must be positive")
        self.store = store
        self.notifiers = dict(notifiers)
        self.clock = clock
        self.worker_id = worker_id
        self.max_attempts = max_attempts
        self.batch = batch
        self.lease = lease
        self.rng = rng or random.Random()
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.failing_after = failing_after
        # Do not start a send unless this much of the lease is left: a send that outlives the
        # lease could overlap another worker's send of the same row.
        self.lease_margin = lease / 4 if lease_margin is None else lease_margin
        self._consecutive_failures: dict[str, int] = {}

    def run_once(self) -> DispatchReport:
        """Claim one batch of due notifications and try each once."""
        claimed_at = self.clock()
        rows = self.store.claim_due(claimed_at, self.batch, self.worker_id, self.lease)
        send_deadline = claimed_at + self.lease - self.lease_margin
        outcomes = {DELIVERED: 0, "retry": 0, DEAD: 0, "skipped": 0}
        failing: dict[str, str] = {}
        for row in rows:
            if self.clock() >= send_deadline:
                outcomes["skipped"] += 1
                continue
            try:
                outcome, error = self._deliver(row)
            except Exception:  # a store failure on one row must not stop the others
                log.exception("outbox: could not record the outcome of notification %s", row.id)
                continue
            outcomes[outcome] += 1
            if error is not None:
                failing[row.channel] = error
        for channel, error in failing.items():
            try:
                self.store.channel_failing(channel, error, self.clock())
            except Exception:
                log.exception("outbox: could not raise the channel-failing alert for %s", channel)
        return DispatchReport(outcomes[DELIVERED], outcomes["retry"], outcomes[DEAD], outcomes["skipped"])

    def _deliver(self, row: PendingNotification) -> tuple[str, str | None]:
        """Send one row and record the outcome. Returns (outcome, channel-failing error or None)."""
        attempt = row.attempts + 1
        notifier = self.notifiers.get(row.channel)
        if notifier is None:
            error = f"no notifier is configured for channel '{row.channel}'; set the channel up in Settings"
            self.store.mark_dead(row.id, self.worker_id, error, self.clock())
            return DEAD, error
        if attempt > self.max_attempts:
            # Earlier claims ended without an outcome (the worker died mid-send each time).
            error = f"gave up after {row.attempts} attempts that ended without a result (worker stopped)"
            self.store.mark_dead(row.id, self.worker_id, error, self.clock())
            return DEAD, error
        try:
            notifier.send(row.recipient, row.message)
        except DeliveryError as exc:
            error, retryable, retry_after = str(exc), exc.retryable, exc.retry_after
        except Exception as exc:  # a bug in a notifier: retry (bounded by max_attempts), log it
            log.exception("outbox: %s notifier raised unexpectedly for notification %s", row.channel, row.id)
            error, retryable, retry_after = (
                f"unexpected {type(exc).__name__} in the {row.channel} notifier",
                True,
                None,
            )
        else:
            self._consecutive_failures[row.channel] = 0
            self.store.mark_delivered(row.id, self.worker_id, self.clock())
            return DELIVERED, None

        error = error[:MAX_ERROR_CHARS]
        failures = self._consecutive_failures.get(row.channel, 0) + 1
        self._consecutive_failures[row.channel] = failures
        log.warning(
            "outbox: notification %s on %s, attempt %d failed: %s", row.id, row.channel, attempt, error
        )
        now = self.clock()
        if not retryable or attempt >= self.max_attempts:
            reason = error if not retryable else f"gave up after {attempt} attempts: {error}"
            self.store.mark_dead(row.id, self.worker_id, reason, now)
            return DEAD, reason
        delay = backoff(
            attempt, base=self.base_delay, cap=self.max_delay, rng=self.rng, retry_after=retry_after
        )
        self.store.mark_retry(row.id, self.worker_id, error, now + delay, now)
        return "retry", (error if failures >= self.failing_after else None)


# -- in-memory store ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One recorded outcome of a row: when, by whom, what happened, when it is due again."""

    at: datetime
    worker: str
    outcome: str
    error: str | None = None
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class OutboxRecord:
    """A snapshot of one outbox row (what the UI's delivery log would show)."""

    id: int
    channel: str
    recipient: str
    message: Message
    status: str
    attempts: int
    next_attempt_at: datetime
    lease_owner: str | None
    lease_until: datetime | None
    last_error: str | None
    delivered_at: datetime | None
    history: tuple[Attempt, ...] = field(default=())


class MemoryOutbox:
    """An `OutboxStore` in memory, guarded by one lock: for a single process, and for tests.

    Not durable — a process exit loses it — so the application uses the database store; this
    one follows the same contract (leases, attempt counting, stale-worker rules) so the
    dispatcher's tests exercise the real semantics. `enqueue` is idempotent on the idempotency
    key, like the database's unique constraint: one key, one notification (one channel and
    recipient), so callers derive keys per recipient and channel.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[int, OutboxRecord] = {}
        self._by_key: dict[str, int] = {}
        self._ids = itertools.count(1)
        self.failing_channels: list[tuple[str, str, datetime]] = []

    def enqueue(self, channel: str, recipient: str, message: Message, now: datetime) -> int:
        """Add a pending notification due at `now`; an already queued key returns the earlier row's id."""
        key = message.idempotency_key
        with self._lock:
            if key in self._by_key:
                return self._by_key[key]
            row_id = next(self._ids)
            self._rows[row_id] = OutboxRecord(
                id=row_id,
                channel=channel,
                recipient=recipient,
                message=message,
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                lease_owner=None,
                lease_until=None,
                last_error=None,
                delivered_at=None,
            )
            self._by_key[key] = row_id
            return row_id

    def get(self, notification_id: int) -> OutboxRecord:
        """A snapshot of one row."""
        with self._lock:
            return self._rows[notification_id]

    def records(self) -> list[OutboxRecord]:
        """Snapshots of all rows, by id."""
        with self._lock:
            return [self._rows[key] for key in sorted(self._rows)]

    def claim_due(
        self, now: datetime, limit: int, worker: str, lease: timedelta
    ) -> list[PendingNotification]:
        """Lease due rows to `worker` (see `OutboxStore.claim_due`)."""
        with self._lock:
            due = sorted(
                (
                    row
                    for row in self._rows.values()
                    if row.status == PENDING
                    and row.next_attempt_at <= now
                    and (row.lease_until is None or row.lease_until <= now)
                ),
                key=lambda row: (row.next_attempt_at, row.id),
            )[:limit]
            claimed = []
            for row in due:
                self._rows[row.id] = replace(
                    row, attempts=row.attempts + 1, lease_owner=worker, lease_until=now + lease
                )
                claimed.append(
                    PendingNotification(row.id, row.channel, row.recipient, row.message, row.attempts)
                )
            return claimed

    def _holds(self, row: OutboxRecord, worker: str) -> bool:
        return row.status == PENDING and row.lease_owner == worker

    def mark_delivered(self, notification_id: int, worker: str, now: datetime) -> None:
        """Record delivery, even from a worker whose lease was lost (the message did go out)."""
        with self._lock:
            row = self._rows[notification_id]
            if row.status == DELIVERED:
                return
            self._rows[notification_id] = replace(
                row,
                status=DELIVERED,
                delivered_at=now,
                lease_owner=None,
                lease_until=None,
                history=(*row.history, Attempt(now, worker, DELIVERED)),
            )

    def mark_retry(
        self, notification_id: int, worker: str, error: str, next_attempt_at: datetime, now: datetime
    ) -> None:
        """Record a failed attempt and when to try again; ignored unless `worker` holds the lease."""
        with self._lock:
            row = self._rows[notification_id]
            if not self._holds(row, worker):
                return
            self._rows[notification_id] = replace(
                row,
                next_attempt_at=next_attempt_at,
                last_error=error,
                lease_owner=None,
                lease_until=None,
                history=(*row.history, Attempt(now, worker, "retry", error, next_attempt_at)),
            )

    def mark_dead(self, notification_id: int, worker: str, error: str, now: datetime) -> None:
        """Record that delivery was given up; ignored unless `worker` holds the lease."""
        with self._lock:
            row = self._rows[notification_id]
            if not self._holds(row, worker):
                return
            self._rows[notification_id] = replace(
                row,
                status=DEAD,
                last_error=error,
                lease_owner=None,
                lease_until=None,
                history=(*row.history, Attempt(now, worker, DEAD, error)),
            )

    def channel_failing(self, channel: str, error: str, now: datetime) -> None:
        """Remember the channel-failing signal (the database store raises an alert instead)."""
        with self._lock:
            self.failing_channels.append((channel, error, now))
