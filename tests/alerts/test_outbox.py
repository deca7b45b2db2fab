"""The outbox dispatcher against a real HTTP receiver: retries, give-ups, leases, concurrency."""

from __future__ import annotations

import logging
import random
import threading
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


def test_unknown_channel_is_dead_with_a_clear_error(http_server):
    clock = FakeClock()
    outbox, dispatcher, _ = setup(http_server, clock)
    pager = outbox.enqueue("pager", "555-0100", make_message(2), clock())

    assert dispatcher.run_once() == DispatchReport(delivered=1, dead=1)
    assert outbox.get(pager).last_error.startswith("no notifier is configured for channel 'pager'")
    assert [f[0] for f in outbox.failing_channels] == ["pager"]


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
    assert record.status == DELIVERED and record.attempts == 2 and record.last_error is None
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
    dispatcher = Dispatcher(outbox, {"slow": Slow()}, clock, "w", lease=timedelta(seconds=60))

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
