"""The outbox dispatcher against a real HTTP receiver: retries, give-ups, leases, concurrency."""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts.message import Message
from alerts.notifiers import DeliveryError, WebhookNotifier
from alerts.outbox import (
    DEAD,
    DELIVERED,
    PENDING,
    Dispatcher,
    DispatchReport,
    MemoryOutbox,
    backoff,
    backoff_ceiling,
)
from tests.alerts.servers import Reply

T0 = datetime(2024, 5, 17, 8, 0, tzinfo=UTC)
TOKEN = "hook-token-0123456789"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class HighestDraw(random.Random):
    """Full jitter always drawing its upper bound, so delays are predictable in a test."""

    def uniform(self, a: float, b: float) -> float:
        return b


def make_message(n: int = 1) -> Message:
    return Message(
        idempotency_key=f"alert-{n}-level-1",
        title=f"Store {n} needs help",
        body="Queue of 12, one person on the counter.",
        severity="critical",
        alert_id=n,
        store=f"Store {n}",
        level=1,
        kind="relief_request",
        created_at=T0,
    )


def setup(http_server, clock: FakeClock, **dispatcher_options) -> tuple[MemoryOutbox, Dispatcher, int]:
    outbox = MemoryOutbox()
    notifier = WebhookNotifier(http_server.url(f"/hook/{TOKEN}"), timeout=0.3, clock=clock)
    options = {"rng": HighestDraw(), **dispatcher_options}
    dispatcher = Dispatcher(outbox, {"webhook": notifier}, clock, "worker-a", **options)
    row_id = outbox.enqueue("webhook", "", make_message(), clock())
    return outbox, dispatcher, row_id


def run_when_due(
    outbox: MemoryOutbox, dispatcher: Dispatcher, clock: FakeClock, row_id: int
) -> DispatchReport:
    """Move the clock to the row's next attempt and run the dispatcher once."""
    clock.now = max(clock.now, outbox.get(row_id).next_attempt_at)
    return dispatcher.run_once()


# -- retries -------------------------------------------------------------------------------------


def test_500_twice_then_200_is_retried_with_growing_backoff_and_delivered_once(http_server):
    http_server.script(Reply(500), Reply(500))
    clock = FakeClock()
    outbox, dispatcher, row_id = setup(http_server, clock)

    assert dispatcher.run_once() == DispatchReport(retried=1)
    first_due = outbox.get(row_id).next_attempt_at
    assert first_due - T0 == timedelta(seconds=5)  # base · 2^0
    clock.advance(timedelta(seconds=4))
    assert dispatcher.run_once() == DispatchReport()  # not due yet: nothing is sent early
    assert run_when_due(outbox, dispatcher, clock, row_id) == DispatchReport(retried=1)
    second_due = outbox.get(row_id).next_attempt_at
    assert second_due - first_due == timedelta(seconds=10)  # base · 2^1: the wait grows
    assert run_when_due(outbox, dispatcher, clock, row_id) == DispatchReport(delivered=1)

    record = outbox.get(row_id)
    assert record.status == DELIVERED and record.delivered_at == second_due
    assert [a.outcome for a in record.history] == ["retry", "retry", DELIVERED]
    assert [r.answered for r in http_server.requests] == [500, 500, 200]
    assert http_server.deliveries == {"alert-1-level-1": 1} and http_server.duplicates == []
    assert outbox.failing_channels == []  # 2 failures < failing_after=3


def test_hanging_server_times_out_and_is_retried(http_server):
    http_server.script(Reply(hang=True))
    clock = FakeClock()
    outbox, dispatcher, row_id = setup(http_server, clock)

    assert dispatcher.run_once() == DispatchReport(retried=1)
    assert "timed out" in outbox.get(row_id).last_error
    assert run_when_due(outbox, dispatcher, clock, row_id) == DispatchReport(delivered=1)
    assert http_server.deliveries == {"alert-1-level-1": 1}


def test_429_retry_after_is_honoured(http_server):
    http_server.script(Reply(429, headers={"Retry-After": "120"}))
    clock = FakeClock()
    outbox, dispatcher, row_id = setup(http_server, clock, rng=random.Random(7))

    dispatcher.run_once()

    assert outbox.get(row_id).next_attempt_at == T0 + timedelta(seconds=120)  # jitter alone: at most 5 s
    assert run_when_due(outbox, dispatcher, clock, row_id) == DispatchReport(delivered=1)


def test_gives_up_after_max_attempts_and_says_the_channel_is_failing(http_server, caplog):
    caplog.set_level(logging.DEBUG)
    http_server.default = Reply(503, b"down")
    clock = FakeClock()
    outbox, dispatcher, row_id = setup(http_server, clock, max_attempts=4, failing_after=10)

    reports = [run_when_due(outbox, dispatcher, clock, row_id) for _ in range(4)]

    assert reports == [DispatchReport(retried=1)] * 3 + [DispatchReport(dead=1)]
    record = outbox.get(row_id)
    assert record.status == DEAD and record.last_error.startswith("gave up after 4 attempts: ")
    assert len(http_server.requests) == 4
    (failing,) = outbox.failing_channels
    assert failing[0] == "webhook" and "HTTP 503" in failing[1]
    assert dispatcher.run_once() == DispatchReport()  # dead rows are never claimed again
    assert TOKEN not in caplog.text and TOKEN not in record.last_error


def test_permanent_4xx_is_dead_at_once(http_server):
    http_server.default = Reply(404, b"no such hook")
    clock = FakeClock()
    outbox, dispatcher, row_id = setup(http_server, clock)

    assert dispatcher.run_once() == DispatchReport(dead=1)
    assert outbox.get(row_id).status == DEAD and "HTTP 404" in outbox.get(row_id).last_error
    assert len(http_server.requests) == 1
    assert [f[0] for f in outbox.failing_channels] == ["webhook"]


def test_consecutive_failures_on_a_channel_raise_channel_failing_before_giving_up(http_server):
    http_server.default = Reply(500)
    clock = FakeClock()
    outbox, dispatcher, _ = setup(http_server, clock, failing_after=3)
    for n in (2, 3):
        outbox.enqueue("webhook", "", make_message(n), clock())

    assert dispatcher.run_once() == DispatchReport(retried=3)
    assert [(channel, at) for channel, _, at in outbox.failing_channels] == [("webhook", T0)]


def test_a_channel_this_worker_cannot_serve_is_left_for_another_and_flagged_when_nobody_does(
    http_server,
):
    clock = FakeClock()
    outbox, dispatcher, _ = setup(http_server, clock)
    pager = outbox.enqueue("pager", "555-0100", make_message(2), clock())

    assert dispatcher.run_once() == DispatchReport(delivered=1)  # the pager row is not touched
    record = outbox.get(pager)
    assert (record.status, record.attempts, record.lease_owner) == (PENDING, 0, None)
    clock.advance(timedelta(minutes=4))
    dispatcher.run_once()
    assert outbox.failing_channels == []  # another worker may still take it
    clock.advance(timedelta(minutes=2))
    dispatcher.run_once()
    ((channel, error, _),) = outbox.failing_channels
    assert channel == "pager" and "no running worker has this channel set up" in error

    host_with_the_secret = Dispatcher(outbox, {"pager": WebhookNotifier(http_server.url())}, clock, "b")
    assert host_with_the_secret.run_once() == DispatchReport(delivered=1)
    assert outbox.get(pager).status == DELIVERED


def test_one_broken_notification_does_not_stop_the_others(http_server):
    class Flaky:
        channel = "flaky"

        def send(self, recipient: str, message: Message) -> None:
            if message.alert_id == 2:
                raise RuntimeError("bug")
            if message.alert_id == 3:
                raise DeliveryError("nope", retryable=False)

        def send_test(self) -> None:
            pass

    class StoreWithAFault(MemoryOutbox):
        def mark_delivered(self, notification_id: int, worker: str, now: datetime) -> None:
            if notification_id == 4:
                raise OSError("database is locked")
            super().mark_delivered(notification_id, worker, now)

    clock = FakeClock()
    outbox = StoreWithAFault()
    ids = [outbox.enqueue("flaky", "", make_message(n), clock()) for n in (1, 2, 3, 4, 5)]
    report = Dispatcher(outbox, {"flaky": Flaky()}, clock, "w", rng=HighestDraw()).run_once()

    assert report == DispatchReport(delivered=2, retried=1, dead=1)  # #4's outcome was not recorded
    assert [outbox.get(i).status for i in ids] == [DELIVERED, PENDING, DEAD, PENDING, DELIVERED]
    assert outbox.get(ids[1]).last_error == "unexpected RuntimeError in the flaky notifier"
    # #4 stays leased; when the lease expires it is sent again (at-least-once).
    clock.advance(timedelta(seconds=61))
    assert {p.id for p in outbox.claim_due(clock(), 10, "w2", timedelta(seconds=60))} == {ids[1], ids[3]}


# -- leases and concurrency ----------------------------------------------------------------------


def test_expired_lease_is_reclaimed_by_another_worker_and_delivered(http_server):
    clock = FakeClock()
    outbox, _, row_id = setup(http_server, clock)
    notifier = WebhookNotifier(http_server.url(), clock=clock)
    worker_b = Dispatcher(outbox, {"webhook": notifier}, clock, "worker-b", lease=timedelta(seconds=60))

    (claimed,) = outbox.claim_due(clock(), 10, "worker-a", timedelta(seconds=60))  # then worker A dies
    assert worker_b.run_once() == DispatchReport()  # A's lease still holds the row
    clock.advance(timedelta(seconds=61))
    assert worker_b.run_once() == DispatchReport(delivered=1)

    outbox.mark_retry(claimed.id, "worker-a", "late", clock() + timedelta(minutes=5), clock())  # A wakes up
    record = outbox.get(row_id)
    # A only claimed the row and never started a send, so only B's send counts as an attempt.
    assert record.status == DELIVERED and record.attempts == 1 and record.last_error is None
    assert http_server.deliveries == {"alert-1-level-1": 1}


def test_crash_after_send_redelivers_and_the_receiver_dedups_by_key(http_server):
    clock = FakeClock()
    outbox, _, row_id = setup(http_server, clock)
    notifier = WebhookNotifier(http_server.url(), clock=clock)

    (row,) = outbox.claim_due(clock(), 10, "worker-a", timedelta(seconds=60))
    notifier.send(row.recipient, row.message)  # delivered, then worker A dies before mark_delivered
    clock.advance(timedelta(seconds=61))
    worker_b = Dispatcher(outbox, {"webhook": notifier}, clock, "worker-b")
    assert worker_b.run_once() == DispatchReport(delivered=1)

    assert len(http_server.requests) == 2  # at-least-once: sent twice...
    assert http_server.deliveries == {"alert-1-level-1": 2}
    assert http_server.duplicates == ["alert-1-level-1"]  # ...and the receiver can tell by the key
    assert outbox.get(row_id).status == DELIVERED


def test_sends_that_would_outlive_the_lease_are_skipped_and_reclaimed_later():
    clock = FakeClock()

    class Slow:
        channel = "slow"
        sent: list[int] = []

        def send(self, recipient: str, message: Message) -> None:
            clock.advance(timedelta(seconds=30))
            self.sent.append(message.alert_id)

        def send_test(self) -> None:
            pass

    outbox = MemoryOutbox()
    for n in (1, 2, 3):
        outbox.enqueue("slow", "", make_message(n), clock())
    dispatcher = Dispatcher(
        outbox, {"slow": Slow()}, clock, "w", lease=timedelta(seconds=60), sends_per_channel=1
    )

    assert dispatcher.run_once() == DispatchReport(delivered=2, skipped=1)  # 3rd would start at 60 s
    assert dispatcher.run_once() == DispatchReport(delivered=1)  # its lease has expired by now
    assert Slow.sent == [1, 2, 3]


def test_two_dispatchers_never_deliver_the_same_row_twice(http_server):
    clock = FakeClock()
    outbox = MemoryOutbox()
    for n in range(200):
        outbox.enqueue("webhook", "", make_message(n), clock())
    start = threading.Barrier(2)
    reports: dict[str, list[DispatchReport]] = {"a": [], "b": []}

    def work(name: str) -> None:
        notifier = WebhookNotifier(http_server.url(), clock=clock)
        dispatcher = Dispatcher(outbox, {"webhook": notifier}, clock, f"worker-{name}", batch=5)
        start.wait()
        while (report := dispatcher.run_once()).total:
            reports[name].append(report)

    threads = [threading.Thread(target=work, args=(name,)) for name in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(http_server.requests) == 200
    assert len(http_server.deliveries) == 200 and set(http_server.deliveries.values()) == {1}
    assert http_server.duplicates == []
    delivered = {name: sum(r.delivered for r in rs) for name, rs in reports.items()}
    assert sum(delivered.values()) == 200 and all(delivered.values())  # both workers took part
    assert {r.status for r in outbox.records()} == {DELIVERED}


def test_enqueue_is_idempotent_on_the_key():
    outbox = MemoryOutbox()
    first = outbox.enqueue("email", "a@store.example", make_message(1), T0)
    assert outbox.enqueue("email", "a@store.example", make_message(1), T0) == first
    assert outbox.enqueue("email", "a@store.example", make_message(2), T0) != first
    assert len(outbox.records()) == 2


# -- backoff -------------------------------------------------------------------------------------

delays = st.floats(min_value=0.01, max_value=120)


@settings(max_examples=200, deadline=None)
@given(
    attempt=st.integers(min_value=1, max_value=10_000),
    base=delays,
    cap_factor=st.floats(min_value=1, max_value=1000),
    retry_after=st.none() | st.floats(min_value=0, max_value=1e9),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_backoff_is_never_negative_never_above_cap_and_honours_retry_after(
    attempt, base, cap_factor, retry_after, seed
):
    base_delta, cap = timedelta(seconds=base), timedelta(seconds=base * cap_factor)
    delay = backoff(attempt, base=base_delta, cap=cap, rng=random.Random(seed), retry_after=retry_after)
    assert timedelta(0) <= delay <= cap
    assert delay <= backoff_ceiling(attempt, base=base_delta, cap=cap) or retry_after is not None
    if retry_after is not None:
        assert delay.total_seconds() >= min(retry_after, cap.total_seconds()) - 1e-6


@settings(max_examples=50, deadline=None)
@given(attempt=st.integers(min_value=1, max_value=30), seed=st.integers(min_value=0, max_value=2**32))
def test_backoff_expected_wait_grows_with_attempts_until_the_cap(attempt, seed):
    base, cap = timedelta(seconds=5), timedelta(minutes=15)

    def mean_wait(n: int) -> float:
        rng = random.Random(seed)  # the same draws for both, so only the attempt differs
        return sum(backoff(n, base=base, cap=cap, rng=rng).total_seconds() for _ in range(200)) / 200

    now, then = mean_wait(attempt), mean_wait(attempt + 1)
    ceiling_now = backoff_ceiling(attempt, base=base, cap=cap)
    ceiling_then = backoff_ceiling(attempt + 1, base=base, cap=cap)
    assert ceiling_then >= ceiling_now
    if ceiling_then > ceiling_now:
        assert then > now
    else:
        assert then == pytest.approx(now) and ceiling_now == cap
    assert now == pytest.approx(
        ceiling_now.total_seconds() / 2, rel=0.25
    )  # full jitter: mean is half the bound


# -- attempts mean sends, independent channels, acknowledgement wins -------------------------------


class RecordingNotifier:
    """Accepts every message; optionally takes `seconds` of real time per send."""

    def __init__(self, channel: str, seconds: float = 0.0) -> None:
        self.channel, self.seconds = channel, seconds
        self.sent: list[tuple[int | None, float]] = []

    def send(self, recipient: str, message: Message) -> None:
        if self.seconds:
            threading.Event().wait(self.seconds)
        self.sent.append((message.alert_id, time.monotonic()))

    def send_test(self) -> None:
        self.send("", make_message(0))


def test_rows_waiting_behind_a_slow_send_lose_no_attempt():
    clock = FakeClock()

    class Slow(RecordingNotifier):
        def send(self, recipient: str, message: Message) -> None:
            clock.advance(timedelta(seconds=20))  # each send outlives a third of the lease
            super().send(recipient, message)

    outbox = MemoryOutbox()
    ids = [outbox.enqueue("slow", "", make_message(n), clock()) for n in range(12)]
    slow = Slow("slow")
    dispatcher = Dispatcher(
        outbox, {"slow": slow}, clock, "w", lease=timedelta(seconds=60), max_attempts=2, sends_per_channel=1
    )

    passes = 0
    while any(outbox.get(i).status == PENDING for i in ids):
        dispatcher.run_once()
        passes += 1
        assert passes < 20, "the dispatcher stopped making progress"

    assert [outbox.get(i).status for i in ids] == [DELIVERED] * 12  # none dead, though max_attempts=2
    assert [outbox.get(i).attempts for i in ids] == [1] * 12  # waiting in a claimed batch is free
    assert [alert_id for alert_id, _ in slow.sent] == list(range(12))


def test_a_send_renews_its_lease_so_another_worker_never_takes_the_row_mid_send():
    clock = FakeClock()
    outbox = MemoryOutbox()
    row_id = outbox.enqueue("webhook", "", make_message(1), clock())
    (row,) = outbox.claim_due(clock(), 10, "worker-a", timedelta(seconds=60))
    clock.advance(timedelta(seconds=50))
    assert outbox.begin_send(row.id, "worker-a", clock(), timedelta(seconds=60)) == "sending"
    clock.advance(timedelta(seconds=20))  # past the first claim's lease, inside the renewed one
    assert outbox.claim_due(clock(), 10, "worker-b", timedelta(seconds=60)) == []
    assert outbox.begin_send(row_id, "worker-b", clock(), timedelta(seconds=60)) == "lost"
    assert outbox.get(row_id).attempts == 1


def test_a_slow_channel_delays_no_other_channel():
    outbox = MemoryOutbox()
    # Named so that the slow channel comes first in any ordering by name.
    slow, fast = RecordingNotifier("a-slow", seconds=0.4), RecordingNotifier("b-fast")
    now = datetime.now(UTC)
    for n in range(5):
        outbox.enqueue("a-slow", "", make_message(n), now)
    for n in range(100, 120):
        outbox.enqueue("b-fast", "", make_message(n), now)
    dispatcher = Dispatcher(
        outbox, {"a-slow": slow, "b-fast": fast}, lambda: datetime.now(UTC), "w", sends_per_channel=2
    )

    started = time.monotonic()
    report = dispatcher.run_once()

    assert report == DispatchReport(delivered=25)
    assert len(fast.sent) == 20 and max(at for _, at in fast.sent) - started < 0.3  # not behind 1.2 s
    assert time.monotonic() - started >= 3 * 0.4  # the slow channel did take its time, two at a time


def test_a_page_cancelled_by_the_acknowledgement_is_never_sent_and_kept_for_the_record():
    clock = FakeClock()
    outbox = MemoryOutbox()
    page = dataclasses.replace(make_message(7), kind="page")
    row_id = outbox.enqueue("webhook", "", page, clock())
    other = outbox.enqueue("webhook", "", make_message(8), clock())
    notifier = RecordingNotifier("webhook")
    dispatcher = Dispatcher(outbox, {"webhook": notifier}, clock, "w")

    (claimed, _) = outbox.claim_due(clock(), 10, "w", timedelta(seconds=60))  # claimed, then answered
    assert outbox.cancel_pages(7, clock()) == 1
    assert outbox.begin_send(claimed.id, "w", clock(), timedelta(seconds=60)) == "cancelled"
    clock.advance(timedelta(seconds=61))
    assert dispatcher.run_once() == DispatchReport(delivered=1)

    assert [alert_id for alert_id, _ in notifier.sent] == [8]
    assert outbox.get(row_id).status == "cancelled" and outbox.get(other).status == DELIVERED
