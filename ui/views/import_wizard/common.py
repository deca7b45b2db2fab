"""What the import wizard's pages share: the kinds, field names, styles and small helpers."""

from __future__ import annotations

import logging

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QLabel

from storemon.importers import Problem
from ui import palette
from ui.i18n import translate

log = logging.getLogger(__name__)

CONTEXT = "ImportWizard"
IGNORE = "ignore"
KINDS = ("sales", "roster", "staff")

FIELD_LABELS = {
    "order_id": QT_TRANSLATE_NOOP("ImportWizard", "Order / receipt number"),
    "datetime": QT_TRANSLATE_NOOP("ImportWizard", "Date and time"),
    "date": QT_TRANSLATE_NOOP("ImportWizard", "Date"),
    "time": QT_TRANSLATE_NOOP("ImportWizard", "Time of day"),
    "store_code": QT_TRANSLATE_NOOP("ImportWizard", "Store code"),
    "store_name": QT_TRANSLATE_NOOP("ImportWizard", "Store name"),
    "store_location": QT_TRANSLATE_NOOP("ImportWizard", "Store address"),
    "quantity": QT_TRANSLATE_NOOP("ImportWizard", "Quantity (items)"),
    "unit_price": QT_TRANSLATE_NOOP("ImportWizard", "Unit price"),
    "total": QT_TRANSLATE_NOOP("ImportWizard", "Line amount"),
    "order_total": QT_TRANSLATE_NOOP("ImportWizard", "Order total"),
    "staff_code": QT_TRANSLATE_NOOP("ImportWizard", "Employee code"),
    "staff_name": QT_TRANSLATE_NOOP("ImportWizard", "Employee name"),
    "start": QT_TRANSLATE_NOOP("ImportWizard", "Shift start"),
    "end": QT_TRANSLATE_NOOP("ImportWizard", "Shift end"),
    "role": QT_TRANSLATE_NOOP("ImportWizard", "Role"),
    "code": QT_TRANSLATE_NOOP("ImportWizard", "Employee code"),
    "name": QT_TRANSLATE_NOOP("ImportWizard", "Name"),
    "phone": QT_TRANSLATE_NOOP("ImportWizard", "Phone"),
    "email": QT_TRANSLATE_NOOP("ImportWizard", "Email"),
    "hourly_wage": QT_TRANSLATE_NOOP("ImportWizard", "Hourly wage"),
}

ERROR_STYLE = palette.text_style(palette.BAD)
OK_STYLE = palette.text_style(palette.OK)


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return translate(CONTEXT, label) if label else name.replace("_", " ").capitalize()


def problem_place(problem: Problem) -> str:
    """Where a problem is, as ``file:line``."""
    return f"{problem.file}:{problem.line}"


def heading(text: str = "") -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label
