"""Making people's text safe for each wire format.

Store names, staff names and notes are typed by people and may carry markup, control
characters, right-to-left overrides or megabytes of text. Every notifier passes them through
these helpers before putting them into a format that gives characters a meaning.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Embedding, override and isolate controls can make text display in a different order than
# it is stored ("Trojan Source"); genuine right-to-left text does not need them to display.
_BIDI_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KEEP_CONTROLS: Final = frozenset("\n\t")
_SPACE_RUN: Final = re.compile(r"\s*\n\s*")


def clean_text(text: str) -> str:
    """Drop control characters (except newline and tab), bidi overrides and lone surrogates."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Lone surrogates cannot be encoded as UTF-8; replace them rather than fail the send.
    text = text.encode("utf-8", "replace").decode("utf-8")
    return "".join(
        ch
        for ch in text
        if ch in _KEEP_CONTROLS or (ch not in _BIDI_CONTROLS and unicodedata.category(ch) != "Cc")
    )


def one_line(text: str) -> str:
    """`clean_text`, then newlines and the space around them collapsed to one space."""
    return _SPACE_RUN.sub(" ", clean_text(text)).replace("\t", " ").strip()


def truncate(text: str, max_chars: int) -> str:
    """At most `max_chars` characters, ending with an ellipsis when cut."""
    if len(text) <= max_chars:
        return text
    return text[: max(0, max_chars - 1)] + "…"


def truncate_utf8(text: str, max_bytes: int) -> str:
    """At most `max_bytes` bytes of UTF-8, cut on a character boundary, ellipsis when cut."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max(0, max_bytes - 3)].decode("utf-8", "ignore") + "…"


def slack_escape(text: str) -> str:
    """Escape the three characters Slack mrkdwn treats as control characters.

    https://api.slack.com/reference/surfaces/formatting#escaping — `<!channel>`-style
    mentions and `<url|label>` links need `<`, so escaping it keeps hostile names inert.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# WeCom and DingTalk markdown document no escape syntax, and both give `<` a meaning
# (WeCom: <font>, <@userid>). Their renderers are not specified, so instead of a backslash
# that may show up literally, markup characters in people's text become their full-width
# look-alikes: readable, and certain to be inert.
_MARKDOWN_NEUTRAL: Final = str.maketrans(
    {
        "<": "＜",
        ">": "＞",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "[": "［",
        "]": "］",
        "#": "＃",
        "~": "～",
        "|": "｜",
        "\\": "＼",
    }
)


def markdown_neutral(text: str) -> str:
    """`clean_text`, with characters that markdown or WeCom's HTML subset act on made inert."""
    return clean_text(text).translate(_MARKDOWN_NEUTRAL)
