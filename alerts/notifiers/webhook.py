"""Generic JSON webhook: the message as JSON, signed with HMAC-SHA256 when a secret is set.

Receivers should (1) verify `X-Storemon-Signature` with `verify_signature`, rejecting stale
timestamps, and (2) drop repeats by `Idempotency-Key`: delivery is at-least-once, so the
same notification can arrive twice after a crash or a lost reply.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from alerts.message import Message
from alerts.notifiers._http import check_status, origin, post_json, url_secrets, validate_url
from alerts.notifiers._text import one_line
from alerts.notifiers.base import Clock, test_message, utc_now

SIGNATURE_HEADER = "X-Storemon-Signature"
TIMESTAMP_HEADER = "X-Storemon-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>`; the timestamp stops replays."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str | None,
    *,
    now: datetime | None = None,
    tolerance: timedelta = timedelta(minutes=5),
) -> bool:
    """True when `header` is the signature of `timestamp` and the exact `body` bytes.

    Compares in constant time. When `now` is given, also rejects a timestamp further than
    `tolerance` from it, so a captured request cannot be replayed later.
    """
    if not header or not timestamp or not timestamp.isdigit():
        return False
    if now is not None:
        sent = datetime.fromtimestamp(int(timestamp), UTC)
        if abs(now - sent) > tolerance:
            return False
    return hmac.compare_digest(
        sign(secret, timestamp, body).encode(), header.strip().encode("utf-8", "replace")
    )


class WebhookNotifier:
    """POSTs `Message.to_dict()` as JSON to one URL; 2xx means delivered."""

    channel = "webhook"

    def __init__(
        self, url: str, secret: str | None = None, timeout: float = 5.0, *, clock: Clock = utc_now
    ) -> None:
        self._url = validate_url(url)
        self._secret = secret or None
        self.timeout = float(timeout)
        self._clock = clock
        self.where = f"webhook at {origin(self._url)}"

    def __repr__(self) -> str:
        secret = "set" if self._secret else None
        return f"WebhookNotifier(url='{origin(self._url)}/…', secret={secret!r}, timeout={self.timeout:g})"

    def build_request(self, message: Message, now: datetime) -> tuple[bytes, dict[str, str]]:
        """The exact body bytes and headers to POST (the signature covers those bytes)."""
        # ensure_ascii: any text, even lone surrogates, encodes to valid ASCII JSON.
        body = json.dumps(message.to_dict(), ensure_ascii=True, separators=(",", ":")).encode("ascii")
        timestamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": one_line(message.idempotency_key),
            TIMESTAMP_HEADER: timestamp,
        }
        if self._secret:
            headers[SIGNATURE_HEADER] = sign(self._secret, timestamp, body)
        return body, headers

    def send(self, recipient: str, message: Message) -> None:
        """POST the message; `recipient` is ignored (the URL is the destination)."""
        now = self._clock()
        body, headers = self.build_request(message, now)
        secrets = [*url_secrets(self._url), self._secret]
        reply = post_json(self._url, body, headers, timeout=self.timeout, where=self.where, secrets=secrets)
        check_status(reply, where=self.where, now=self._clock(), secrets=secrets)

    def send_test(self, recipient: str | None = None) -> None:
        """POST a message with kind "test" and a test title."""
        self.send(recipient or "", test_message(self._clock(), self.channel))
