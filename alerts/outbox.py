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
  or `UPDATE ... WHERE lease free ... RETURNING`), and `begin_send` renews the lease of the one
  row about to be sent, atomically and only for its holder, so a healthy worker's row is never
  re-claimed mid-send by another.
* **Attempts mean sends.** Claiming is free: only `begin_send` counts an attempt, so rows that
  wait behind a slow send, or whose claim lapses, lose nothing; a row goes dead only after
  `max_attempts` sends were started against its endpoint (or a permanent error).
* **Channels are independent.** Each channel is claimed and sent on its own thread, so one slow
  or dead endpoint delays no other channel. A dispatcher claims only the channels it has a
  notifier for, so a worker host that lacks a channel's secret leaves those rows to one that has it.
* **Acknowledgement wins.** `begin_send` refuses (and cancels) a page whose alert was
  acknowledged, resolved or snoozed meanwhile: no page is ever delivered after the answer.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from alerts.message import Message
from alerts.notifiers.base import Clock, DeliveryError, Notifier

log = logging.getLogger(__name__)

PENDING: Final = "pending"
DELIVERED: Final = "delivered"
DEAD: Final = "dead"
CANCELLED: Final = "cancelled"
"""Not sent because the alert was answered first; kept for the record."""
SENDING: Final = "sending"
LOST: Final = "lost"
"""What `begin_send` answers: go ahead (SENDING), another worker has the row or it is no longer
pending (LOST), or the page's alert was answered and the row is now CANCELLED."""
MAX_ERROR_CHARS: Final = 1000
SENDS_PER_CHANNEL: Final = 4
"""Requests a dispatcher keeps in flight per channel: a busy channel drains in parallel; a worker
killed mid-pass leaves at most this many sends unrecorded per channel (sent again, dropped by key)."""


@dataclass(frozen=True)
class PendingNotification:
    """A claimed outbox row. `attempts` counts the sends started before this claim (0 the first time)."""

    id: int
    channel: str
    recipient: str
    message: Message
    attempts: int


class OutboxStore(Protocol):
    """Storage for the outbox. Every method takes `now` explicitly; none reads a clock.

    Claiming costs nothing; `begin_send` counts the attempt when the send really starts. A row
    that crashes its worker mid-send every time therefore still runs out of attempts and goes
    dead instead of looping forever, while rows that were only claimed lose nothing.

    `mark_retry` and `mark_dead` must only act while `worker` still holds the row's lease
    (the lease owner is `worker`, the status pending): a worker whose lease expired and whose
    row another worker re-claimed must not overwrite the other worker's outcome. `mark_delivered`
    records the delivery even when the lease was lost — the message did go out.
    """

    def claim_due(
        self,
        now: datetime,
        limit: int,
        worker: str,
        lease: timedelta,
        channels: Collection[str] | None = None,
    ) -> list[PendingNotification]:
        """Atomically lease up to `limit` rows that are pending, due (`next_attempt_at <= now`)
        and not leased (or whose lease expired), oldest due first, to `worker` until `now + lease`.
        With `channels`, only rows of those channels. Attempts are not counted here."""
        ...

    def begin_send(self, notification_id: int, worker: str, now: datetime, lease: timedelta) -> str:
        """Just before sending: if `worker` still holds the row, count one attempt, renew its
        lease to `now + lease` and answer SENDING. Answer LOST (nothing counted) when another
        worker re-claimed it or it is no longer pending, and CANCELLED when it is a page whose
        alert was acknowledged, resolved or snoozed meanwhile (the store marks it so)."""
        ...

    def release(self, notification_ids: Collection[int], worker: str) -> None:
        """Give back claimed rows that were never started, at no cost, so any worker can take them."""
        ...

    def renew(self, notification_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
        """Mid-send: extend `worker`'s lease on the row to `now + lease`; False if it no longer holds it."""
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

    def unserved_channels(self, due_before: datetime, served: Collection[str]) -> dict[str, int]:
        """Channels outside `served` with pending rows due before `due_before` that nobody
        holds: channel -> how many. Rows that old and untouched mean no worker serves them."""
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
    """What one `run_once` did. `skipped`: claimed, but not sent because another worker took it
    over or it was given back unstarted (no attempt spent); `cancelled`: a page whose alert was
    answered before it could be sent."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        """All claimed rows."""
        return sum(getattr(self, f.name) for f in fields(self))

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


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
        unserved_after: timedelta = timedelta(minutes=5),
        sends_per_channel: int = SENDS_PER_CHANNEL,
    ) -> None:
        if min(max_attempts, batch, failing_after, sends_per_channel) < 1:
            raise ValueError("max_attempts, batch, failing_after and sends_per_channel must be at least 1")
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
        # Rows of a channel this dispatcher has no notifier for (its host lacks the secret) are
        # left for a worker that has one; if none took them for this long, a person is told.
        self.unserved_after = unserved_after
        # A few requests in flight per channel: a busy channel's backlog drains in parallel while
        # each channel still waits only on its own endpoint.
        self.sends_per_channel = sends_per_channel
        self._failures_lock = threading.Lock()
        self._unserved_checked: datetime | None = None

    def run_once(self) -> DispatchReport:
        """One pass: every channel this dispatcher serves claims a batch and sends it, each
        channel on its own thread so a slow or hanging endpoint delays only its own rows. Failing
        channels are reported once the pass is over."""
        self._flag_unserved_channels()
        channels = sorted(self.notifiers)
        results: dict[str, tuple[DispatchReport, str | None]] = {}

        def run(channel: str) -> None:
            try:
                results[channel] = self._run_channel(channel)
            except Exception:  # a store failure on one channel must not stop the others
                log.exception("outbox: dispatching channel %s failed", channel)

        if len(channels) <= 1:
            for channel in channels:
                run(channel)
        else:
            threads = [
                threading.Thread(target=run, args=(c,), name=f"outbox-{c}", daemon=True) for c in channels
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        for channel, (_report, error) in sorted(results.items()):
            if error is None:
                continue
            try:
                self.store.channel_failing(channel, error, self.clock())
            except Exception:
                log.exception("outbox: could not raise the channel-failing alert for %s", channel)
        return sum((report for report, _error in results.values()), DispatchReport())

    def _flag_unserved_channels(self) -> None:
        """At most once a minute: raise channel-failing for channels no worker has served lately."""
        now = self.clock()
        if self._unserved_checked is not None and now - self._unserved_checked < timedelta(minutes=1):
            return
        self._unserved_checked = now
        try:
            waiting = self.store.unserved_channels(now - self.unserved_after, self.notifiers)
            minutes = round(self.unserved_after.total_seconds() / 60)
            for channel, count in sorted(waiting.items()):
                self.store.channel_failing(
                    channel,
                    f"{count} notifications for channel '{channel}' have waited over {minutes} min: no "
                    "running worker has this channel set up (missing secret?); set the channel up on a "
                    "worker host, or remove it in Settings",
                    now,
                )
        except Exception:
            log.exception("outbox: could not check for channels no worker serves")

    def _run_channel(self, channel: str) -> tuple[DispatchReport, str | None]:
        """Claim a batch of ``channel`` and send it, ``sends_per_channel`` requests at a time."""
        claimed_at = self.clock()
        rows = deque(
            self.store.claim_due(claimed_at, self.batch, self.worker_id, self.lease, channels=[channel])
        )
        # Stop starting sends when the claim is nearly spent, and give the rest back (no cost),
        # so a long pass never sits on rows another worker could be sending.
        stop_at = claimed_at + self.lease - self.lease_margin
        outcomes = {DELIVERED: 0, "retry": 0, DEAD: 0, "skipped": 0, CANCELLED: 0}
        failing: list[str] = []
        lock = threading.Lock()

        def drain() -> None:
            while True:
                with lock:
                    if not rows:
                        return
                    if self.clock() >= stop_at:
                        unstarted = [row.id for row in rows]
                        rows.clear()
                        self.store.release(unstarted, self.worker_id)
                        outcomes["skipped"] += len(unstarted)
                        return
                    row = rows.popleft()
                try:
                    outcome, error = self._deliver(row)
                except Exception:  # a store failure on one row must not stop the others
                    log.exception("outbox: could not record the outcome of notification %s", row.id)
                    continue
                with lock:
                    outcomes[outcome] += 1
                    if error is not None:
                        failing.append(error)

        senders = [
            threading.Thread(target=drain, name=f"outbox-{channel}-{n}", daemon=True)
            for n in range(min(self.sends_per_channel, len(rows)) - 1)
        ]
        for sender in senders:
            sender.start()
        drain()
        for sender in senders:
            sender.join()
        report = DispatchReport(
            outcomes[DELIVERED], outcomes["retry"], outcomes[DEAD], outcomes["skipped"], outcomes[CANCELLED]
        )
        return report, (failing[-1] if failing else None)

    def _deliver(self, row: PendingNotification) -> tuple[str, str | None]:
        """Send one row and record the outcome. Returns (outcome, channel-failing error or None)."""
        notifier = self.notifiers[row.channel]
        if row.attempts >= self.max_attempts:
            # Every earlier send started and ended without a result (the worker died mid-send).
            error = f"gave up after {row.attempts} attempts that ended without a result (worker stopped)"
            self.store.mark_dead(row.id, self.worker_id, error, self.clock())
            return DEAD, error
        permit = self.store.begin_send(row.id, self.worker_id, self.clock(), self.lease)
        if permit != SENDING:
            return (CANCELLED if permit == CANCELLED else "skipped"), None
        attempt = row.attempts + 1
        try:
            with _LeaseKeeper(self, row.id):
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
            with self._failures_lock:
                self._consecutive_failures[row.channel] = 0
            self.store.mark_delivered(row.id, self.worker_id, self.clock())
            return DELIVERED, None

        error = error[:MAX_ERROR_CHARS]
        with self._failures_lock:
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


class _LeaseKeeper:
    """Renews the lease of the row being sent every third of the lease, until the send is over, so a
    send slower than the lease (a 3.5 s endpoint, a 2 s lease) is never re-claimed and sent twice."""

    def __init__(self, dispatcher: Dispatcher, notification_id: int) -> None:
        self._dispatcher, self._id = dispatcher, notification_id
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-lease", daemon=True)

    def _run(self) -> None:
        d = self._dispatcher
        while not self._done.wait(d.lease.total_seconds() / 3):
            try:
                if not d.store.renew(self._id, d.worker_id, d.clock(), d.lease):
                    return
            except Exception:
                log.exception("outbox: could not renew the lease of notification %s", self._id)

    def __enter__(self) -> _LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()


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
        self,
        now: datetime,
        limit: int,
        worker: str,
        lease: timedelta,
        channels: Collection[str] | None = None,
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
                    and (channels is None or row.channel in channels)
                ),
                key=lambda row: (row.next_attempt_at, row.id),
            )[:limit]
            for row in due:
                self._rows[row.id] = replace(row, lease_owner=worker, lease_until=now + lease)
            return [
                PendingNotification(row.id, row.channel, row.recipient, row.message, row.attempts)
                for row in due
            ]

    def begin_send(self, notification_id: int, worker: str, now: datetime, lease: timedelta) -> str:
        """Count the attempt and renew the lease if `worker` holds the row (see the protocol)."""
        with self._lock:
            row = self._rows[notification_id]
            if row.status == CANCELLED:
                return CANCELLED
            if not self._holds(row, worker):
                return LOST
            self._rows[notification_id] = replace(row, attempts=row.attempts + 1, lease_until=now + lease)
            return SENDING

    def release(self, notification_ids: Collection[int], worker: str) -> None:
        """Give unstarted claims back at no cost."""
        with self._lock:
            for notification_id in notification_ids:
                row = self._rows[notification_id]
                if self._holds(row, worker):
                    self._rows[notification_id] = replace(row, lease_owner=None, lease_until=None)

    def renew(self, notification_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
        """Extend the lease of a row `worker` is sending."""
        with self._lock:
            row = self._rows[notification_id]
            if not self._holds(row, worker):
                return False
            self._rows[notification_id] = replace(row, lease_until=now + lease)
            return True

    def cancel_pages(self, alert_id: int, now: datetime) -> int:
        """The alert was answered: its pending pages will never be sent (kept as cancelled)."""
        with self._lock:
            pages = [
                row
                for row in self._rows.values()
                if row.status == PENDING and row.message.alert_id == alert_id and row.message.kind == "page"
            ]
            for row in pages:
                self._settle(row, Attempt(now, "", CANCELLED), status=CANCELLED)
            return len(pages)

    def _holds(self, row: OutboxRecord, worker: str) -> bool:
        return row.status == PENDING and row.lease_owner == worker

    def _settle(self, row: OutboxRecord, attempt: Attempt, **changes: Any) -> None:
        """Store `row` with `changes`, its lease released and `attempt` added to its history."""
        self._rows[row.id] = replace(
            row, lease_owner=None, lease_until=None, history=(*row.history, attempt), **changes
        )

    def mark_delivered(self, notification_id: int, worker: str, now: datetime) -> None:
        """Record delivery, even from a worker whose lease was lost (the message did go out)."""
        with self._lock:
            row = self._rows[notification_id]
            if row.status != DELIVERED:
                self._settle(row, Attempt(now, worker, DELIVERED), status=DELIVERED, delivered_at=now)

    def mark_retry(
        self, notification_id: int, worker: str, error: str, next_attempt_at: datetime, now: datetime
    ) -> None:
        """Record a failed attempt and when to try again; ignored unless `worker` holds the lease."""
        with self._lock:
            row = self._rows[notification_id]
            if self._holds(row, worker):
                self._settle(
                    row,
                    Attempt(now, worker, "retry", error, next_attempt_at),
                    next_attempt_at=next_attempt_at,
                    last_error=error,
                )

    def mark_dead(self, notification_id: int, worker: str, error: str, now: datetime) -> None:
        """Record that delivery was given up; ignored unless `worker` holds the lease."""
        with self._lock:
            row = self._rows[notification_id]
            if self._holds(row, worker):
                self._settle(row, Attempt(now, worker, DEAD, error), status=DEAD, last_error=error)

    def channel_failing(self, channel: str, error: str, now: datetime) -> None:
        """Remember the channel-failing signal (the database store raises an alert instead)."""
        with self._lock:
            self.failing_channels.append((channel, error, now))

    def unserved_channels(self, due_before: datetime, served: Collection[str]) -> dict[str, int]:
        """Channels outside `served` whose old pending rows nobody holds (see the protocol)."""
        waiting: dict[str, int] = {}
        with self._lock:
            for row in self._rows.values():
                if (
                    row.status == PENDING
                    and row.channel not in served
                    and row.next_attempt_at < due_before
                    and row.lease_until is None
                ):
                    waiting[row.channel] = waiting.get(row.channel, 0) + 1
        return waiting
