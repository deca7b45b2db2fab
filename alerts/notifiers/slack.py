"""Slack incoming webhook.

Format: https://api.slack.com/messaging/webhooks — POST `{"text": fallback, "blocks": [...]}`
(Block Kit: https://api.slack.com/reference/block-kit/blocks; header text at most 150
characters, section text at most 3000, at most 10 section fields). Success is HTTP 200 with
the body `ok`; errors are 400 invalid_payload, 403 action_prohibited, 404 channel_not_found
/ no_service, 410 channel_is_archived, 429 rate limited (Retry-After), 500 rollup_error.
People's text is escaped for mrkdwn (& < >): https://api.slack.com/reference/surfaces/formatting#escaping
Answer links are buttons with a ``url`` in an ``actions`` block
(https://api.slack.com/reference/block-kit/block-elements#button): the phone's browser opens them.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from alerts.message import Message
from alerts.notifiers._chat import ChatWebhookNotifier
from alerts.notifiers._http import HttpReply
from alerts.notifiers._text import clean_text, one_line, slack_escape, truncate
from alerts.notifiers.base import SEVERITY_LABELS_EN, Clock, DeliveryError, utc_now

_EMOJI: Final = {"critical": ":rotating_light:", "warning": ":warning:", "info": ":information_source:"}
MAX_HEADER: Final = 150
MAX_SECTION: Final = 3000
MAX_FIELD: Final = 2000
MAX_FIELDS: Final = 10
MAX_BUTTONS: Final = 25  # an actions block holds at most 25 elements; a button's text at most 75 characters


def escaped(text: str, limit: int) -> str:
    """`slack_escape(text)` cut to `limit` characters without splitting an escape entity."""
    keep = limit
    while True:
        out = slack_escape(truncate(text, keep))
        if len(out) <= limit:
            return out
        keep = max(1, min(keep - 1, keep * limit // len(out)))


class SlackNotifier(ChatWebhookNotifier):
    """Posts Block Kit blocks plus a plain fallback to a Slack incoming webhook."""

    channel: ClassVar[str] = "slack"
    platform: ClassVar[str] = "Slack"
    noun: ClassVar[str] = "incoming webhook"

    def __init__(self, url: str, timeout: float = 15.0, *, clock: Clock = utc_now) -> None:
        super().__init__(url, None, timeout, clock=clock)

    def payload(self, message: Message) -> dict[str, Any]:
        """`{"text": fallback, "blocks": [header, section, fields, context]}`, all text escaped."""
        severity = SEVERITY_LABELS_EN[message.severity]
        title = one_line(message.title)
        body = clean_text(message.body).strip()
        fallback = escaped(
            f"[{severity}] {title}" + (f" — {one_line(message.store)}" if message.store else ""), MAX_SECTION
        )
        blocks: list[dict[str, Any]] = [
            {
                "type": "header",
                # plain_text is not parsed, so it is not escaped.
                "text": {
                    "type": "plain_text",
                    "text": truncate(f"{severity}: {title}", MAX_HEADER),
                    "emoji": True,
                },
            }
        ]
        if body:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": escaped(body, MAX_SECTION)}})
        facts = [("Severity", f"{_EMOJI[message.severity]} {severity}")]
        facts += self.facts(message, limit=None, alert=False)
        fields = [
            {"type": "mrkdwn", "text": f"*{escaped(truncate(k, 60), 120)}*\n{escaped(v, MAX_FIELD - 200)}"}
            for k, v in facts[:MAX_FIELDS]
        ]
        blocks.append({"type": "section", "fields": fields})
        buttons = [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": label, "emoji": False},
                "url": url,
                "action_id": f"storemon-answer-{number}",
            }
            for number, (label, url) in enumerate(self.links(message, limit=75))
        ]
        if buttons:
            blocks.append({"type": "actions", "elements": buttons[:MAX_BUTTONS]})
        reference = f"Storemon · ref {escaped(one_line(message.idempotency_key), 200)}"
        if message.alert_id is not None:
            reference = f"Storemon · alert #{message.alert_id} · ref {escaped(one_line(message.idempotency_key), 200)}"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": reference}]})
        return {"text": fallback, "blocks": blocks}

    def check_reply(self, reply: HttpReply) -> None:
        """HTTP 200 with body `ok` means posted; Slack's error statuses follow the HTTP rules."""
        self.check_http(reply)
        if reply.body.strip() != b"ok":
            raise DeliveryError(
                f"{self.where} answered HTTP {reply.status} without 'ok'; check the webhook URL in Settings",
                retryable=False,
            )
