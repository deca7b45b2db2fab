"""The HTTP timeout is a deadline for the whole request: a receiver that trickles its answer a
byte at a time cannot hold a send (and every row queued behind it) for as long as it likes."""

from __future__ import annotations

import time

import pytest

from alerts.notifiers import DeliveryError, WebhookNotifier
from tests.alerts.servers import Reply
from tests.alerts.test_outbox import make_message


def test_a_trickling_receiver_is_cut_off_at_the_deadline(http_server):
    http_server.script(Reply(200, b"x" * 200, trickle=0.05))  # 10 s to answer in full
    notifier = WebhookNotifier(http_server.url(), timeout=1.0)

    started = time.monotonic()
    with pytest.raises(DeliveryError, match=r"no complete answer within 1 s") as caught:
        notifier.send("", make_message())
    took = time.monotonic() - started

    assert caught.value.retryable
    assert 0.9 <= took < 2.0, f"the send took {took:.1f} s against a 1 s deadline"


def test_a_slow_but_complete_answer_inside_the_deadline_is_delivered(http_server):
    http_server.script(Reply(200, b"ok", delay=0.3))
    WebhookNotifier(http_server.url(), timeout=2.0).send("", make_message())
    assert http_server.deliveries == {"alert-1-level-1": 1}
