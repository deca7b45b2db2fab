"""The choices the kiosk offers as buttons: customer types, sensitive triggers, help reasons,
urgencies and check-in scores.

Each table pairs a stable key (what the services store) with its text, marked for translation in
the "Kiosk" context and translated when shown (``translated``).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CUSTOMER_TYPES = (
    ("irritable", QT_TRANSLATE_NOOP("Kiosk", "Irritable"), QT_TRANSLATE_NOOP("Kiosk", "Shouting, insults")),
    (
        "repetitive",
        QT_TRANSLATE_NOOP("Kiosk", "Repetitive"),
        QT_TRANSLATE_NOOP("Kiosk", "Retells the story, cannot focus"),
    ),
    (
        "rational_demanding",
        QT_TRANSLATE_NOOP("Kiosk", "Rational but demanding"),
        QT_TRANSLATE_NOOP("Kiosk", "Sharp questions, wants an answer now"),
    ),
    (
        "opportunistic",
        QT_TRANSLATE_NOOP("Kiosk", "Opportunistic"),
        QT_TRANSLATE_NOOP("Kiosk", "Uses a loss to get extra compensation"),
    ),
)
"""DOMAIN.md section 3: the four kinds of emotionally charged customer."""

TRIGGERS = (
    ("escalated_complaint", QT_TRANSLATE_NOOP("Kiosk", "Escalated complaint")),
    ("consumer_association", QT_TRANSLATE_NOOP("Kiosk", "Consumer association")),
    ("media", QT_TRANSLATE_NOOP("Kiosk", "Media exposure")),
)
HELP_REASONS = (
    ("queue", QT_TRANSLATE_NOOP("Kiosk", "The queue is too long"), False),
    ("alone", QT_TRANSLATE_NOOP("Kiosk", "I am alone at the counter"), False),
    ("customer", QT_TRANSLATE_NOOP("Kiosk", "A difficult customer"), False),
    ("break", QT_TRANSLATE_NOOP("Kiosk", "I need a break"), False),
    ("unwell", QT_TRANSLATE_NOOP("Kiosk", "I feel unwell"), False),
    ("unsafe", QT_TRANSLATE_NOOP("Kiosk", "I feel unsafe"), True),
    ("equipment", QT_TRANSLATE_NOOP("Kiosk", "Equipment is broken"), False),
)
"""Reason presets; the last field says the preset makes the request urgent by itself."""
URGENCIES = (
    ("low", QT_TRANSLATE_NOOP("Kiosk", "When someone can")),
    ("normal", QT_TRANSLATE_NOOP("Kiosk", "Soon")),
    ("high", QT_TRANSLATE_NOOP("Kiosk", "Right now")),
)
SCORES = (
    (1, QT_TRANSLATE_NOOP("Kiosk", "Easy")),
    (2, QT_TRANSLATE_NOOP("Kiosk", "Fine")),
    (3, QT_TRANSLATE_NOOP("Kiosk", "Busy")),
    (4, QT_TRANSLATE_NOOP("Kiosk", "Hard")),
    (5, QT_TRANSLATE_NOOP("Kiosk", "Very hard")),
)


def translated(text: str) -> str:
    """Translate a string marked with ``QT_TRANSLATE_NOOP("Kiosk", ...)`` in the tables above."""
    return QCoreApplication.translate("Kiosk", text)


def relief_reason(reasons: Iterable[str], details: str) -> str:
    """The reason of a relief request as it is sent: the chosen presets (by key) and the free text.

    The one place that turns the help screen's choices into the request's reason.
    """
    chosen = set(reasons)
    parts = [translated(text) for key, text, _urgent in HELP_REASONS if key in chosen]
    extra = details.strip()
    if extra:
        parts.append(extra)
    return "; ".join(parts)
