"""What every notifier shares: the error it raises, the protocol it follows, the test message.

A notifier turns a `Message` into one delivery on one channel and either returns (the
channel accepted it) or raises `DeliveryError` saying whether trying again later can help.
It never retries by itself: retries, backoff and bookkeeping are the outbox's job.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Final, Protocol, runtime_checkable

from alerts.errors import StoremonError
from alerts.message import Message

Clock = Callable[[], datetime]

SEVERITY_LABELS_ZH: Final = {"critical": "紧急", "warning": "警告", "info": "通知"}
SEVERITY_LABELS_EN: Final = {"critical": "Critical", "warning": "Warning", "info": "Info"}

# Labels for the facts under a message body. alerts/ has no Qt translator, so channels that
# people read show both languages (Simplified Chinese first, as the stores are in China).
LABEL_STORE: Final = "门店 Store"
LABEL_LEVEL: Final = "级别 Level"
LABEL_SEVERITY: Final = "严重程度 Severity"
LABEL_ALERT: Final = "告警 Alert"
LABEL_REFERENCE: Final = "编号 Ref"

TEST_TITLE: Final = "Storemon 测试消息 / test message"
TEST_BODY: Final = (
    "这是 Storemon 发出的测试消息，用于确认通知渠道可用，无需处理。\n"
    "This is a test message from Storemon to check that this channel works; no action is needed."
)


def utc_now() -> datetime:
    """The default clock: aware UTC now. Only composition code should rely on it."""
    return datetime.now(UTC)


class DeliveryError(StoremonError):
    """A delivery failed. `retryable` says whether the same message may succeed later.

    The message is shown to users and written to the outbox, so it names the channel, the
    server (host and port, never a URL with its token) and what to do, and never contains a
    password, secret or webhook token. `retry_after` is the server's Retry-After hint in
    seconds, when it gave one.
    """

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"DeliveryError({str(self)!r}, retryable={self.retryable}, retry_after={self.retry_after})"


@runtime_checkable
class Notifier(Protocol):
    """One outgoing channel (email, a chat robot, a webhook)."""

    channel: str

    def send(self, recipient: str, message: Message) -> None:
        """Deliver `message` to `recipient` (an email address; ignored by webhook channels,
        whose URL is the destination). Raises `DeliveryError`."""
        ...

    def send_test(self) -> None:
        """Send a clearly labelled test message (the "send test" button). Raises `DeliveryError`."""
        ...


def test_message(now: datetime, channel: str) -> Message:
    """The message the "send test" action sends: labelled as a test, severity info."""
    return Message(
        idempotency_key=f"test-{channel}-{uuid.uuid4().hex}",
        title=TEST_TITLE,
        body=TEST_BODY,
        severity="info",
        alert_id=None,
        store="",
        level=None,
        kind="test",
        fields={},
        created_at=now,
    )


test_message.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, despite the name


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each secret in `text` with '***' (longest first)."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
