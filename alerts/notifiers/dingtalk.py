"""DingTalk (钉钉) custom robot.

Format: https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages —
POST `{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}` to
`https://oapi.dingtalk.com/robot/send?access_token=TOKEN`. Signing ("加签"):
https://open.dingtalk.com/document/robots/customize-robot-security-settings — string to sign
`timestamp + "\\n" + secret` (timestamp in milliseconds, within an hour of DingTalk's
clock), HMAC-SHA256 keyed with the secret, Base64, URL-encoded, then `&timestamp=..&sign=..`
appended to the URL. The answer is `{"errcode": 0, "errmsg": "ok"}`; a robot may post 20
messages a minute (errcode 130101 beyond that). Every message ends in "Storemon" so a
robot secured by keyword can use that keyword. A message with answer links goes as an
"independent jump" ActionCard (same page: `{"msgtype": "actionCard", "actionCard": {"title",
"text", "btnOrientation", "btns": [{"title", "actionURL"}]}}`), one button per link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from datetime import datetime
from typing import Any, ClassVar, Final

from alerts.message import Message
from alerts.notifiers._chat import ChatWebhookNotifier
from alerts.notifiers._text import markdown_neutral, one_line, truncate, truncate_utf8
from alerts.notifiers.base import SEVERITY_LABELS_ZH

MAX_TEXT_BYTES: Final = 18000  # the whole message may be 20000 bytes
# -1: system busy; 130101: sending too fast.
RETRYABLE_ERRCODES: Final = frozenset({-1, 130101})


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """Base64 HMAC-SHA256 of "<timestamp>\\n<secret>" keyed with the secret (not yet URL-encoded)."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class DingTalkNotifier(ChatWebhookNotifier):
    """Posts markdown to a DingTalk custom robot, signed when a secret is set."""

    channel: ClassVar[str] = "dingtalk"
    platform: ClassVar[str] = "DingTalk"
    retryable_codes = RETRYABLE_ERRCODES
    fix_hint = "check the robot's URL, secret (加签), keyword and IP settings in DingTalk and in Settings"

    def payload(self, message: Message) -> dict[str, Any]:
        """`{"msgtype": "markdown", "markdown": {"title", "text"}}`; title is the chat preview."""
        label = SEVERITY_LABELS_ZH[message.severity]
        preview = truncate(f"【{label}】{one_line(message.title)}", 100)
        lines = [f"#### 【{label}】{markdown_neutral(truncate(one_line(message.title), 200))}"]
        body = truncate_utf8(markdown_neutral(message.body).strip(), MAX_TEXT_BYTES - 2000)
        # DingTalk markdown joins single newlines; a blank line keeps each line its own.
        lines += [line for line in body.split("\n") if line.strip()]
        lines += [f"> {label}: {value}" for label, value in self.facts(message, neutral=markdown_neutral)]
        lines.append("— Storemon")
        text = truncate_utf8("\n\n".join(lines), MAX_TEXT_BYTES)
        links = self.links(message, neutral=markdown_neutral, limit=30)
        if links:
            # 独立跳转 ActionCard: the same markdown with one button per answer link.
            buttons = [{"title": label, "actionURL": url} for label, url in links]
            card = {"title": preview, "text": text, "btnOrientation": "0", "btns": buttons}
            return {"msgtype": "actionCard", "actionCard": card}
        return {"msgtype": "markdown", "markdown": {"title": preview, "text": text}}

    def signed(self, url: str, payload: dict[str, Any], now: datetime) -> tuple[str, dict[str, Any]]:
        """Append `timestamp` (ms) and URL-encoded `sign` to the query when a secret is set."""
        if not self._secret:
            return url, payload
        timestamp_ms = int(now.timestamp() * 1000)
        sign = urllib.parse.quote_plus(dingtalk_sign(self._secret, timestamp_ms))
        parts = urllib.parse.urlsplit(url)
        query = f"{parts.query}&" if parts.query else ""
        query += f"timestamp={timestamp_ms}&sign={sign}"
        return urllib.parse.urlunsplit(parts._replace(query=query)), payload
