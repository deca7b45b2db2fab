"""One set of status colours for every screen: good, warning, bad, information and muted.

Each tone has a text colour (readable on a light window), a fill for backgrounds and an edge for
borders and marks. Messages, banners, table cells, chart verdicts and field markers all take their
colours from here, so an error is the same red on every screen. Chart scales (heat maps, timelines)
keep their own ramps beside the chart.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor


@dataclass(frozen=True)
class Tone:
    """The colours of one status as ``#rrggbb`` names (stylesheets) or ``QColor`` (painting)."""

    text: str
    fill: str
    edge: str

    def qtext(self) -> QColor:
        return QColor(self.text)

    def qfill(self) -> QColor:
        return QColor(self.fill)


OK = Tone(text="#1b5e20", fill="#e8f5e9", edge="#a5d6a7")
WARN = Tone(text="#7d5200", fill="#fff3cd", edge="#e8a317")
BAD = Tone(text="#b00020", fill="#fdecea", edge="#d93025")
INFO = Tone(text="#0b3d6b", fill="#e8f1fb", edge="#b6d4f2")
MUTED = Tone(text="#555555", fill="#eeeeee", edge="#bdbdbd")

MESSAGE_TONES = {"info": INFO, "success": OK, "warning": WARN, "error": BAD}
"""The tones of a message strip or banner, by the message kind the screens use."""

LEVEL_TONES = {"green": OK, "amber": WARN, "red": BAD}
"""The tones of a pressure or band level."""


def text_style(tone: Tone, bold: bool = False) -> str:
    """A label stylesheet that writes in the tone's text colour."""
    return f"color: {tone.text};" + (" font-weight: bold;" if bold else "")


def box_style(selector: str, tone: Tone, padding: str = "6px 8px") -> str:
    """A stylesheet rule for a tinted, bordered message box (``selector`` names the widget)."""
    return (
        f"{selector} {{ background: {tone.fill}; border: 1px solid {tone.edge}; border-radius: 4px;"
        f" color: {tone.text}; padding: {padding}; }}"
    )
