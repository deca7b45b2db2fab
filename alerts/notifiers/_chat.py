"""Shared machinery for chat-platform incoming webhooks (WeCom, DingTalk, Feishu, Slack).

Each platform subclass says how a message looks in its format, how a request is signed and
how to read the platform's answer; posting, secret hygiene and HTTP status rules live here.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, ClassVar

from alerts.message import Message
from alerts.notifiers._http import HttpReply, check_status, origin, post_json, url_secrets, validate_url
from alerts.notifiers._text import one_line, truncate
from alerts.notifiers.base import Clock, DeliveryError, redact, test_message, utc_now


class ChatWebhookNotifier(ABC):
    """Base for platform robots: the URL (which holds the robot's token) is the destination."""

    channel: ClassVar[str]
    platform: ClassVar[str]
    noun: ClassVar[str] = "robot"

    def __init__(
        self, url: str, secret: str | None = None, timeout: float = 5.0, *, clock: Clock = utc_now
    ) -> None:
        self._url = validate_url(url)
        self._secret = secret or None
        self.timeout = float(timeout)
        self._clock = clock
        self.where = f"{self.platform} {self.noun} at {origin(self._url)}"

    def __repr__(self) -> str:
        secret = "set" if self._secret else None
        return (
            f"{type(self).__name__}(url='{origin(self._url)}/…', secret={secret!r}, timeout={self.timeout:g})"
        )

    # -- what subclasses provide -------------------------------------------------------------

    @abstractmethod
    def payload(self, message: Message) -> dict[str, Any]:
        """The platform's JSON document for `message`, without signature fields."""

    def signed(self, url: str, payload: dict[str, Any], now: datetime) -> tuple[str, dict[str, Any]]:
        """The URL and payload to send, with the platform's signature added when a secret is set."""
        return url, payload

    @abstractmethod
    def check_reply(self, reply: HttpReply) -> None:
        """Raise DeliveryError unless the platform's answer means "posted"."""

    # -- the rest is common ---------------------------------------------------------------------

    @property
    def secrets(self) -> list[str | None]:
        """Everything that must never show in a message or log."""
        return [*url_secrets(self._url), self._secret]

    def build_request(self, message: Message, now: datetime) -> tuple[str, bytes, dict[str, str]]:
        """The exact URL, body bytes and headers to POST for `message` at `now`."""
        url, payload = self.signed(self._url, self.payload(message), now)
        # ensure_ascii=False keeps Chinese at 3 bytes a character against the platforms'
        # byte limits; every text went through clean_text, so it encodes.
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": one_line(message.idempotency_key),
        }
        return url, body, headers

    def send(self, recipient: str, message: Message) -> None:
        """POST the message; `recipient` is ignored (the robot's group is fixed by its URL)."""
        url, body, headers = self.build_request(message, self._clock())
        reply = post_json(url, body, headers, timeout=self.timeout, where=self.where, secrets=self.secrets)
        self.check_reply(reply)

    def send_test(self, recipient: str | None = None) -> None:
        """Post a message labelled as a test."""
        self.send(recipient or "", test_message(self._clock(), self.channel))

    # -- helpers for subclasses -------------------------------------------------------------------

    def check_http(self, reply: HttpReply) -> None:
        """The common HTTP status rules (2xx / retry on 408, 429, 5xx / give up)."""
        check_status(reply, where=self.where, now=self._clock(), secrets=self.secrets)

    def json_reply(self, reply: HttpReply) -> dict[str, Any]:
        """The reply body as a JSON object, or a permanent DeliveryError: a robot URL that
        answers 2xx with something else is not the robot (a portal page, a wrong host)."""
        try:
            data = json.loads(reply.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            data = None
        if not isinstance(data, dict):
            raise DeliveryError(
                f"{self.where} answered HTTP {reply.status} with something that is not the "
                f"{self.platform} API; check the URL in Settings",
                retryable=False,
            )
        return data

    def platform_error(self, code: object, text: object, *, retryable: bool, hint: str) -> DeliveryError:
        """A DeliveryError for a non-zero platform error code, without secrets."""
        said = truncate(redact(one_line(str(text or "")), self.secrets), 200)
        action = "will retry" if retryable else hint
        return DeliveryError(
            f"{self.where} refused the message: error {code} {said}; {action}".replace("  ", " "),
            retryable=retryable,
        )
