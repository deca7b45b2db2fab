"""Rights visible before the click: lock a form a role may read but not change.

Inputs stay readable (text can be selected, lists browsed, scroll areas scrolled); what would
change something is read-only or disabled, and says who may change it in its tooltip. The lock
is idempotent, so a form that rebuilds its rows can be locked again after each load.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from storemon.services.access import HEAD_OFFICE, Need

LOCKED = "storemonLocked"
"""Dynamic property on a widget already locked (its tooltip already says who may)."""


def who_may(needs: Need | None) -> str:
    """ "Only … may change this." for what a use case needs, in the UI language."""
    if needs == HEAD_OFFICE:
        return QCoreApplication.translate(
            "ReadOnly", "Only head office (service director, executive, administrator) may change this."
        )
    from storemon.services.access import Role

    if needs == Role.ADMIN:
        return QCoreApplication.translate("ReadOnly", "Only an administrator may change this.")
    if needs == Role.OPS_SUPERVISOR:
        return QCoreApplication.translate(
            "ReadOnly", "Only an operations supervisor or head office may change this."
        )
    if needs == Role.STORE_MANAGER:
        return QCoreApplication.translate("ReadOnly", "Only a store manager or above may change this.")
    return QCoreApplication.translate("ReadOnly", "Your role may not change this.")


def _explain(widget: QWidget, note: str) -> None:
    if widget.property(LOCKED):
        return
    widget.setProperty(LOCKED, True)
    tip = widget.toolTip()
    widget.setToolTip(f"{tip}\n\n{note}" if tip else note)


def lock_inputs(root: QWidget, note: str, keep: tuple[QWidget, ...] = ()) -> None:
    """Make every input under ``root`` read-only (or disabled where Qt has no read-only state),
    each with ``note`` in its tooltip; ``keep`` and tab bars stay as they are."""
    for widget in root.findChildren(QWidget):
        if widget in keep or isinstance(widget, QTabBar):
            continue
        if isinstance(widget, QLineEdit | QAbstractSpinBox | QDateTimeEdit | QTextEdit | QPlainTextEdit):
            widget.setReadOnly(True)
        elif isinstance(widget, QAbstractItemView):
            widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            continue  # browsing a list is reading; no note on every list
        elif isinstance(widget, QComboBox | QAbstractButton):
            if widget.parent() is not None and isinstance(widget.parent(), QTabBar):
                continue  # a tab bar's scroll arrows
            widget.setEnabled(False)
        else:
            continue
        _explain(widget, note)
