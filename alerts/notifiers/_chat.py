"""Shared machinery for chat-platform incoming webhooks (WeCom, DingTalk, Feishu, Slack).

Each platform subclass says how a message looks in its format, how a request is signed and
which error codes of its answers are worth a retry; posting, the facts under a message,
secret hygiene, HTTP status rules and reading a ``{code, message}`` answer live here.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from alerts.message import Message
from alerts.notifiers._http import HttpReply, UrlNotifier, check_status, post_json
from alerts.notifiers._text import one_line, truncate
from alerts.notifiers.base import LABEL_ALERT, LABEL_LEVEL, LABEL_STORE, DeliveryError, redact


def _as_is(text: str) -> str:
    return text


def safe_url(url: str) -> str:
    """``url`` with parentheses, brackets, angle brackets and quotes percent-encoded, so it ends
    a markdown ``[label](url)`` or an ``<url|label>`` exactly where it should."""
    return url.translate({ord(ch): f"%{ord(ch):02X}" for ch in "()[]<>\"'` |"})


class ChatWebhookNotifier(UrlNotifier):
    """Base for platform robots: the URL (which holds the robot's token) is the destination."""

    platform: ClassVar[str]
    noun: ClassVar[str] = "robot"
    # For platforms answering {"<code>": 0, "<message>": "ok"}: the codes worth a retry and
    # what to tell the user about any other code.
    retryable_codes: ClassVar[frozenset[int]] = frozenset()
    fix_hint: ClassVar[str] = "check the URL in Settings"

    @classmethod
    def describe(cls) -> str:
        return f"{cls.platform} {cls.noun}"

    # -- what subclasses provide -------------------------------------------------------------

    @abstractmethod
    def payload(self, message: Message) -> dict[str, Any]:
        """The platform's JSON document for `message`, without signature fields."""

    def signed(self, url: str, payload: dict[str, Any], now: datetime) -> tuple[str, dict[str, Any]]:
        """The URL and payload to send, with the platform's signature added when a secret is set."""
        return url, payload

    def reply_code(self, data: dict[str, Any]) -> tuple[object, object]:
        """The platform's error code and text in its JSON answer (0 means posted)."""
        return data.get("errcode"), data.get("errmsg")

    def check_reply(self, reply: HttpReply) -> None:
        """Raise DeliveryError unless the platform's answer means "posted"."""
        self.check_http(reply)
        code, text = self.reply_code(self.json_reply(reply))
        if code == 0:
            return
        raise self.platform_error(code, text, retryable=code in self.retryable_codes, hint=self.fix_hint)

    # -- the rest is common ---------------------------------------------------------------------

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

    # -- helpers for subclasses -------------------------------------------------------------------

    @staticmethod
    def facts(
        message: Message,
        *,
        neutral: Callable[[str], str] = _as_is,
        limit: int | None = 200,
        alert: bool = True,
    ) -> list[tuple[str, str]]:
        """(label, value) lines under a message: store, level, its fields, the alert number.

        Each text is made one line, cut to ``limit`` characters (keys to 60) and passed through
        ``neutral`` (the platform's way of making people's text inert).
        """

        def cut(text: str, most: int | None) -> str:
            text = one_line(text)
            return neutral(truncate(text, most) if most is not None and limit is not None else text)

        facts: list[tuple[str, str]] = []
        if message.store:
            facts.append((LABEL_STORE, cut(message.store, limit)))
        if message.level is not None:
            facts.append((LABEL_LEVEL, str(message.level)))
        facts += [(cut(k, 60), cut(v, limit)) for k, v in message.fields.items()]
        if alert and message.alert_id is not None:
            facts.append((LABEL_ALERT, f"#{message.alert_id}"))
        return facts

    @staticmethod
    def links(
        message: Message, *, neutral: Callable[[str], str] = _as_is, limit: int = 60
    ) -> list[tuple[str, str]]:
        """(label, URL) of the message's answer links: the label one line, cut to ``limit`` and made
        inert; the URL with the characters markdown link syntax gives a meaning escaped."""
        return [
            (neutral(truncate(one_line(link.label), limit)), safe_url(link.url)) for link in message.links
        ]

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
