"""Feishu / Lark (飞书) custom bot.

Format: https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot (Lark:
https://open.larksuite.com/document/client-docs/bot-v3/add-custom-bot) — POST to
`https://open.feishu.cn/open-apis/bot/v2/hook/TOKEN` a `msg_type` of "text", "post" or
"interactive". We send "post" (rich text): its "text" tags are literal text, so a hostile name
cannot become an `<at user_id="all">` mention as it could in a "text" message. Signing
("签名校验"): `timestamp` in seconds (within an hour of Feishu's clock) and
`sign = base64(HMAC-SHA256(key = timestamp + "\\n" + secret, message = ""))`, both as
fields of the JSON body. The answer is `{"code": 0, "msg": "success"}` (older deployments:
`{"StatusCode": 0}`); the body may be at most 20 KB; code 11232 means rate limited.
Every message ends in "Storemon" so a bot secured by keyword can use that keyword. A message
with answer links goes as "interactive" (a message card: https://open.feishu.cn/document/
uAjLw4CM/ukzMukzMukzM/feishu-cards/card-components/interactive-components/button): a
``plain_text`` div and an ``action`` element holding one ``button`` with a ``url`` per link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any, ClassVar, Final

from alerts.message import Message
from alerts.notifiers._chat import ChatWebhookNotifier
from alerts.notifiers._text import clean_text, one_line, truncate, truncate_utf8
from alerts.notifiers.base import SEVERITY_LABELS_ZH

MAX_BODY_TEXT_BYTES: Final = 15000  # of the 20 KB request body
# 11232: frequency limited; 9499 is a malformed request and is not retried.
RETRYABLE_CODES: Final = frozenset({11232})
_TEMPLATES: Final = {"critical": "red", "warning": "orange", "info": "grey"}


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Base64 HMAC-SHA256 with key "<timestamp>\\n<secret>" over an empty message."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


class FeishuNotifier(ChatWebhookNotifier):
    """Posts a rich-text ("post") message to a Feishu/Lark custom bot, signed when a secret is set."""

    channel: ClassVar[str] = "feishu"
    platform: ClassVar[str] = "Feishu"
    noun: ClassVar[str] = "bot"
    retryable_codes = RETRYABLE_CODES
    fix_hint = (
        "check the bot's webhook URL, secret (签名校验), keyword and IP settings in Feishu and in Settings"
    )

    def payload(self, message: Message) -> dict[str, Any]:
        """`{"msg_type": "post", "content": {"post": {"zh_cn": {"title", "content"}}}}`."""
        label = SEVERITY_LABELS_ZH[message.severity]
        title = truncate(f"【{label}】{one_line(message.title)}", 200)
        body = truncate_utf8(clean_text(message.body).strip(), MAX_BODY_TEXT_BYTES)
        lines = [line for line in body.split("\n") if line.strip()]
        lines += [f"{label}: {value}" for label, value in self.facts(message)]
        lines.append("— Storemon")
        links = self.links(message, limit=40)
        if links:
            return self.card(title, message.severity, lines, links)
        paragraphs = [[{"tag": "text", "text": line}] for line in lines]
        return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": title, "content": paragraphs}}}}

    @staticmethod
    def card(title: str, severity: str, lines: list[str], links: list[tuple[str, str]]) -> dict[str, Any]:
        """A message card with one button per answer link; every text is ``plain_text`` (not parsed)."""
        buttons = [
            {"tag": "button", "text": {"tag": "plain_text", "content": label}, "type": "primary", "url": url}
            for label, url in links
        ]
        card = {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": title}, "template": _TEMPLATES[severity]},
            "elements": [
                {"tag": "div", "text": {"tag": "plain_text", "content": "\n".join(lines)}},
                {"tag": "action", "actions": buttons},
            ],
        }
        return {"msg_type": "interactive", "card": card}

    def signed(self, url: str, payload: dict[str, Any], now: datetime) -> tuple[str, dict[str, Any]]:
        """Add `timestamp` (s, as a string) and `sign` to the body when a secret is set."""
        if not self._secret:
            return url, payload
        timestamp_s = int(now.timestamp())
        return url, {"timestamp": str(timestamp_s), "sign": feishu_sign(self._secret, timestamp_s), **payload}

    def reply_code(self, data: dict[str, Any]) -> tuple[object, object]:
        """code 0 (or StatusCode 0 from older deployments) means posted."""
        code = data["code"] if "code" in data else data.get("StatusCode")
        return code, data.get("msg") or data.get("StatusMessage")
