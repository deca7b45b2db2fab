"""What every Policies tab shares: Save and Revert, the unsaved-changes marker, a message strip,
service calls whose refusals show in the tab, and the scrolled layout."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from storemon.errors import StoremonError
from storemon.services.access import AccessDenied
from ui import palette
from ui.i18n import fill
from ui.widgets.form_helpers import MessageStrip
from ui.widgets.read_only import lock_inputs, who_may

if TYPE_CHECKING:
    from ui.views.policies.view import PoliciesView


def explain_failure(exc: BaseException, saving: bool = True) -> str:
    """What to tell the user about a refused or failed call."""
    if isinstance(exc, AccessDenied):
        return QCoreApplication.translate(
            "PoliciesView",
            "Only head-office roles (service director, executive, administrator) may change "
            "chain-wide settings. Nothing was saved.",
        )
    if saving:
        return fill(QCoreApplication.translate("PoliciesView", "Not saved: %1"), str(exc))
    return fill(QCoreApplication.translate("PoliciesView", "Could not load: %1"), str(exc))


def hint_label(text: str) -> QLabel:
    """A wrapped explanation in the muted colour."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(dark);")
    return label


def scrolled(*items: QWidget | QLayout, fill_last: bool = False) -> QScrollArea:
    """Widgets and layouts one under the other in a frameless scroll area; below them spare room,
    or, with ``fill_last``, the last one takes it."""
    body = QWidget()
    layout = QVBoxLayout(body)
    for item in items:
        if isinstance(item, QLayout):
            layout.addLayout(item)
        else:
            layout.addWidget(item)
    if fill_last:
        layout.setStretch(layout.count() - 1, 1)
    else:
        layout.addStretch(1)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(body)
    return area


class PolicyTab(QWidget):
    """What every tab shares: Save and Revert, the unsaved-changes marker and a message strip.

    ``saved_by`` names the ``services.policies`` use case that stores the tab: a role it refuses
    sees the tab read-only, without Save and Revert, each control saying who may change it.
    """

    saved_by = ""
    saved_in = "policies"
    """The ``services`` area ``saved_by`` belongs to (the Wages tab saves through ``labour``)."""

    def __init__(self, view: PoliciesView) -> None:
        super().__init__()
        self.view = view
        self.ctx = view.ctx
        self.dirty = False
        self.read_only = bool(self.saved_by) and not self._area().may(self.ctx.actor, self.saved_by)
        self.message = MessageStrip()
        self.dirty_label = QLabel(self.tr("Unsaved changes"))
        self.dirty_label.setStyleSheet(palette.text_style(palette.WARN, bold=True))
        self.dirty_label.setVisible(False)
        self.revert_button = QPushButton(self.tr("Revert"))
        self.revert_button.setToolTip(self.tr("Throw away the changes and show what is saved"))
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.revert_button.clicked.connect(self.revert)
        self.save_button.clicked.connect(self.save)
        self.set_dirty(False)

    def lay_out(self, main: QWidget, *buttons: QWidget) -> None:
        """The tab top to bottom: ``main`` (taking the room), the message, then the buttons bar."""
        row = QHBoxLayout()
        for widget in buttons:
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.dirty_label)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(main, 1)
        layout.addWidget(self.message)
        layout.addLayout(row)
        if self.read_only:
            for widget in (self.dirty_label, self.revert_button, self.save_button):
                widget.setVisible(False)
            self.lock()

    def _area(self):
        return getattr(self.ctx.services, self.saved_in)

    def lock(self) -> None:
        """Read-only for a role that may not save this tab; again after each load (rows rebuilt),
        and once the event loop has run (editors that build their rows a moment later)."""
        if not self.read_only:
            return
        note = who_may(self._area().needs(self.saved_by))
        lock_inputs(self, note, keep=(self.save_button, self.revert_button))
        QTimer.singleShot(
            0, self, lambda: lock_inputs(self, note, keep=(self.save_button, self.revert_button))
        )

    def set_dirty(self, dirty: bool) -> None:
        if self.read_only:
            dirty = False  # nothing here can be saved by this role: never "unsaved changes"
            self.lock()
        self.dirty = dirty
        self.dirty_label.setVisible(dirty)
        self.revert_button.setEnabled(dirty)
        self.save_button.setEnabled(dirty and self.can_save())
        if dirty and self.message.kind == "success":
            self.message.clear()

    def can_save(self) -> bool:
        return True

    def call(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[StoremonError], None] | None = None,
        *,
        key: str | None = None,
        busy: bool = True,
    ) -> None:
        """Run ``fn`` off the GUI thread for this tab (the newest call per ``key`` wins).

        Errors a user can fix go to ``on_failed`` (the tab's message by default); anything else is
        unexpected and goes to the app's error message.
        """
        self.ctx.tasks.op(
            self,
            lambda _control: fn(),
            on_done,
            key=key,
            on_user_error=on_failed or self.failed,
            on_error=lambda exc: self.ctx.show_error(self.view, exc),
            busy=self.view.busy if busy else None,
        )

    def failed(self, exc: StoremonError) -> None:
        self.save_button.setEnabled(self.dirty and self.can_save())
        self.message.show_message("error", explain_failure(exc))

    def load_failed(self, exc: StoremonError) -> None:
        self.message.show_message("error", explain_failure(exc, saving=False))

    def done_saving(self, text: str) -> None:
        self.set_dirty(False)
        self.message.show_message("success", text)
        self.ctx.events.status_message.emit(text)
        self.ctx.events.data_changed.emit()

    def revert(self) -> None:
        self.set_dirty(False)
        self.message.clear()
        self.load()

    def load(self) -> None:
        """Reload from the services unless the user has unsaved edits here (subclasses fetch)."""
        if not self.dirty:
            self.fetch()

    def fetch(self) -> None:
        """Ask the services for what the tab shows."""
        raise NotImplementedError

    def save(self) -> None:
        """Hand the edits to the services."""
        raise NotImplementedError


class EditorTab(PolicyTab):
    """A tab that edits one setting in one editor widget (escalation, surge calendar).

    The editor signals ``changed`` and ``validity_changed`` and has ``valid``; subclasses say how to
    show a value (``show_value``), read the edit (``edited``, None while invalid) and store it
    (``write``, the service call).
    """

    def __init__(self, view: PoliciesView, editor: QWidget) -> None:
        super().__init__(view)
        self.editor = editor
        editor.changed.connect(lambda: self.set_dirty(True))
        editor.validity_changed.connect(lambda _valid: self.set_dirty(self.dirty))

    def can_save(self) -> bool:
        return self.editor.valid

    def show_value(self, value: Any) -> None:
        raise NotImplementedError

    def edited(self) -> Any | None:
        raise NotImplementedError

    def write(self, value: Any) -> Any:
        """Store ``value`` through the services (runs off the GUI thread); returns what was stored."""
        raise NotImplementedError

    def saved_text(self) -> str:
        raise NotImplementedError

    def loaded(self, value: Any) -> None:
        self.show_value(value)
        self.set_dirty(False)

    def show_default(self, value: Any, note: str) -> None:
        """Put a default into the editor as an unsaved edit."""
        self.show_value(value)
        self.set_dirty(True)
        self.message.show_message("info", note)

    def save(self) -> None:
        value = self.edited()
        if value is None:
            self.message.show_message("error", self.tr("Fix the problems marked above first."))
            return
        self.save_button.setEnabled(False)
        self.call(lambda: self.write(value), self._saved)

    def _saved(self, value: Any) -> None:
        self.show_value(value)
        self.done_saving(self.saved_text())
