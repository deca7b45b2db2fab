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
from alerts.notifiers._http import UrlNotifier, check_status, post_json
from alerts.notifiers._text import one_line

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
    """True when `header` is the signature of `timestamp` and the exact `body` bytes, and the
    timestamp is within `tolerance` of `now` (default: the current time), so a captured request
    cannot be replayed later. Compares in constant time; any malformed input is simply False.
    """
    if not isinstance(header, str) or not isinstance(timestamp, str) or not isinstance(body, bytes):
        return False
    if not (0 < len(timestamp) <= 12 and timestamp.isascii() and timestamp.isdigit()):
        return False
    now = now if now is not None else datetime.now(UTC)
    if abs(now.timestamp() - int(timestamp)) > tolerance.total_seconds():
        return False
    offered = header.strip()
    if not offered.isascii():
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), offered.encode())


class WebhookNotifier(UrlNotifier):
    """POSTs `Message.to_dict()` as JSON to one URL; 2xx means delivered."""

    channel = "webhook"

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
        body, headers = self.build_request(message, self._clock())
        reply = post_json(
            self._url, body, headers, timeout=self.timeout, where=self.where, secrets=self.secrets
        )
        check_status(reply, where=self.where, now=self._clock(), secrets=self.secrets)
