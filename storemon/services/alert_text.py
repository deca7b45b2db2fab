"""Alerts as a reader of one language sees them: the row the CLI prints and the reports export.

The stored alert keeps its kind and parameters; this renders an ``AlertView`` through
``alerts.kinds`` in the reader's language, so ``storemon alert list --language zh_CN`` shows no
English title. English keeps the codes (``open``, ``warning``) that scripts already read.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from alerts.kinds import EN, RenderedAlert, language_of, level_name, render_stored, severity_name, status_name
from storemon.services.alert_service import AlertView


def render_view(alert: AlertView, language: str) -> RenderedAlert:
    """The alert's title, fields and reasons in ``language``."""
    store = f"{alert.store_code} {alert.store_name}".strip()
    return render_stored(alert.rule, alert.details, alert.title, language, store)


def alert_row(alert: AlertView, language: str = EN) -> dict[str, Any]:
    """The alert's fields with ``title`` (the headline), ``fields``, ``reasons`` and ``note`` in
    ``language``, and ``status_text``/``severity_text``/``level_text`` for people to read."""
    language = language_of(language)
    text = render_view(alert, language)
    english = language == EN
    return {
        **dataclasses.asdict(alert),
        "title": text.headline,
        "fields": [list(pair) for pair in text.fields],
        "reasons": list(text.reasons),
        "note": text.note,
        "status_text": alert.status if english else status_name(alert.status, language),
        "severity_text": alert.severity if english else severity_name(alert.severity, language),
        "level_text": alert.level_name if english else level_name(alert.level_name, language),
    }
