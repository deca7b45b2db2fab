"""WeCom (企业微信) group robot.

Answer links are markdown links, ``[label](url)``, the link syntax the robot's markdown
documents (same page, "markdown类型").

Format: https://developer.work.weixin.qq.com/document/path/91770 (群机器人配置说明):
POST `{"msgtype": "markdown", "markdown": {"content": "..."}}` to
`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY`; content at most 4096 bytes of
UTF-8; font colours "info" (green), "comment" (grey), "warning" (orange-red). The answer is
HTTP 200 with `{"errcode": 0, "errmsg": "ok"}`; a robot may post 20 messages a minute and
answers errcode 45009 beyond that. The key in the URL is the only credential (no signing).
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from alerts.message import Message
from alerts.notifiers._chat import ChatWebhookNotifier
from alerts.notifiers._text import markdown_neutral, one_line, truncate, truncate_utf8
from alerts.notifiers.base import SEVERITY_LABELS_ZH, Clock, utc_now

MAX_CONTENT_BYTES: Final = 4096
# -1: system busy; 45009: API call frequency over the limit; 45033: too many concurrent calls.
RETRYABLE_ERRCODES: Final = frozenset({-1, 45009, 45033})
_COLOURS: Final = {"critical": "warning", "warning": "warning", "info": "info"}


class WeComNotifier(ChatWebhookNotifier):
    """Posts markdown to a WeCom group robot."""

    channel: ClassVar[str] = "wecom"
    platform: ClassVar[str] = "WeCom"
    retryable_codes = RETRYABLE_ERRCODES
    fix_hint = "check the robot's webhook URL (key) in Settings"

    def __init__(self, url: str, timeout: float = 15.0, *, clock: Clock = utc_now) -> None:
        super().__init__(url, None, timeout, clock=clock)

    def payload(self, message: Message) -> dict[str, Any]:
        """`{"msgtype": "markdown", "markdown": {"content": ...}}`, people's text made inert."""
        return {"msgtype": "markdown", "markdown": {"content": self.content(message)}}

    def content(self, message: Message) -> str:
        """The markdown text: severity and title, body, then the facts as quoted lines."""
        label = SEVERITY_LABELS_ZH[message.severity]
        title = markdown_neutral(truncate(one_line(message.title), 200))
        head = f'<font color="{_COLOURS[message.severity]}">【{label}】</font>**{title}**\n'
        facts = self.facts(message, neutral=markdown_neutral)
        tail = "".join(f"\n[{label}]({url})" for label, url in self.links(message, neutral=markdown_neutral))
        tail += "".join(f'\n> {label}: <font color="comment">{value}</font>' for label, value in facts)
        tail += "\n— Storemon"
        budget = MAX_CONTENT_BYTES - len((head + tail).encode("utf-8")) - 8
        body = truncate_utf8(markdown_neutral(message.body).strip(), max(0, budget))
        return truncate_utf8(head + body + tail, MAX_CONTENT_BYTES)
