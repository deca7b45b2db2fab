"""Today's live top: the store's open calls for help and relief requests, and a screen that keeps itself
up to date.

``StoreCallsPanel`` lists the calls nobody has resolved at the shown store (relief requests, backup
and manager calls), most urgent first, each with one-click Acknowledge while nobody has it and its
live state once someone has (who is coming and when, who covers, who acknowledged; with names),
and for a backup call who was asked to cover and what each answered. It reloads from the database
when the change feed says alerts changed at that store, so a refresh or another PC shows the same.

``attach_to_today(view)`` is the whole hook into the Today screen: it puts the panel at the top,
makes it follow the shown store, reloads the screen when sales, roster or settings of that store
change on any PC, and every minute while it shows today (the "now" line and the live figures
move with the clock), unless an answer of "What would fix today" is on screen.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from storemon.errors import StoremonError
from storemon.services.alert_service import AlertView
from storemon.services.call_state import CallState
from storemon.services.changes import ALERTS, DATA_KINDS
from ui import palette
from ui.context import AppContext
from ui.format import clock
from ui.i18n import fill
from ui.models.alerts_table import SEVERITY_NAMES, SEVERITY_TONES, alert_title, level_text, name_of
from ui.widgets.call_words import live_text, offers_text

NOW_TICK_MS = 60_000
"""Today reloads every minute while it shows the current day."""


class StoreCallsPanel(QFrame):
    """The shown store's unresolved calls for help, each with Acknowledge (see the module docstring)."""

    loaded = Signal()
    """A reload landed and is on screen."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("storeCalls")
        self.store_id: int | None = None
        self.zone: ZoneInfo | None = None
        self.calls: list[AlertView] = []
        self.states: dict[int, CallState] = {}
        """Each shown call's live state, by alert id."""
        self.state_labels: dict[int, QLabel] = {}
        self._pending: set[int] = set()
        self.ack_buttons: dict[int, QPushButton] = {}
        self.heading = QLabel()
        self.heading.setObjectName("storeCallsHeading")
        self.heading.setStyleSheet("font-weight: 600;")
        self.rows = QVBoxLayout()
        self.rows.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addLayout(self.rows)
        self.setStyleSheet(palette.box_style("QFrame#storeCalls", palette.BAD, "4px"))
        ctx.changes.changed.connect(self._on_change)
        ctx.events.alerts_changed.connect(self.reload)
        self.hide()

    def set_store(self, store_id: int | None, zone: ZoneInfo | None) -> None:
        """Follow this store (None: no store shown)."""
        if store_id == self.store_id:
            return
        self.store_id, self.zone = store_id, zone
        self.calls, self.states = [], {}
        self._show()
        self.reload()

    def _on_change(self, kinds: frozenset[str], store_ids: frozenset[int]) -> None:
        if ALERTS in kinds and self.ctx.changes.concerns(store_ids, self.store_id):
            self.reload()

    def reload(self) -> None:
        store_id = self.store_id
        if store_id is None:
            return
        services, actor = self.ctx.services, self.ctx.actor

        def done(states: list[CallState]) -> None:
            if store_id == self.store_id:
                self.calls = [s.alert for s in states]
                self.states = {s.alert.id: s for s in states}
                self._show()
                self.loaded.emit()

        self.ctx.tasks.op(
            self,
            lambda _c: services.calls.states(actor, store_id),
            done,
            key="calls",
            on_error=lambda _exc: None,
        )

    def _local(self, alert: AlertView) -> str:
        return clock(alert.fired_at.astimezone(self.zone) if self.zone else alert.fired_at.astimezone())

    def _show(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.ack_buttons, self.state_labels = {}, {}
        if not self.calls:
            self.hide()
            return
        waiting = sum(1 for c in self.calls if c.status == "open")
        count = len(self.calls)
        heading = (
            self.tr("1 call for help at this store")
            if count == 1
            else self.tr("%n calls for help at this store", "", count)
        )
        if waiting:
            heading += " · " + (
                self.tr("1 waiting for an answer")
                if waiting == 1
                else self.tr("%n waiting for an answer", "", waiting)
            )
        self.heading.setText(heading)
        for alert in self.calls:
            self.rows.addWidget(self._row(alert))
        self.show()

    def _row(self, alert: AlertView) -> QWidget:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        tone = SEVERITY_TONES.get(alert.severity, palette.INFO)
        chip = QLabel(name_of(SEVERITY_NAMES, alert.severity))
        chip.setStyleSheet(
            f"color: {tone.text}; background: {tone.fill}; border: 1px solid {tone.edge};"
            " border-radius: 8px; padding: 1px 6px; font-weight: 600;"
        )
        title = alert_title(alert)
        text = QLabel(fill(self.tr("%1 · since %2"), title, self._local(alert)))
        text.setToolTip(title)
        text.setTextFormat(Qt.TextFormat.PlainText)
        live = self.states.get(alert.id)
        if live is not None and (live.coming or live.covered_by or live.acknowledged_by):
            state = live_text(live, self.zone or ZoneInfo("UTC"))
        else:
            state = fill(self.tr("Paging: %1"), level_text(alert))
        status = QLabel(state)
        status.setObjectName("callState")
        self.state_labels[alert.id] = status
        asked = offers_text(live) if live is not None else ""
        if asked:
            status.setToolTip(asked)
            text.setText(text.text() + "\n" + asked)
        line.addWidget(chip)
        line.addWidget(text, 1)
        line.addWidget(status)
        if alert.status == "open":
            button = QPushButton(self.tr("Acknowledge"))
            button.setObjectName("acknowledgeCall")
            button.setToolTip(
                self.tr("Take it: escalation stops and the person who asked sees that you have it")
            )
            button.setEnabled(alert.id not in self._pending)
            button.clicked.connect(lambda _c=False, i=alert.id: self.acknowledge(i))
            self.ack_buttons[alert.id] = button
            line.addWidget(button)
        return row

    def acknowledge(self, alert_id: int) -> None:
        """Take the call (off the GUI thread); the panel shows who has it once the change comes back."""
        if alert_id in self._pending:
            return
        self._pending.add(alert_id)
        if alert_id in self.ack_buttons:
            self.ack_buttons[alert_id].setEnabled(False)
        services, actor, now = self.ctx.services, self.ctx.actor, self.ctx.clock()

        def finished(_result=None) -> None:
            self._pending.discard(alert_id)
            self.ctx.events.alerts_changed.emit()

        def refused(exc: StoremonError) -> None:
            finished()
            self.ctx.events.status_message.emit(str(exc))

        self.ctx.tasks.op(
            self,
            lambda _c: services.alerts.acknowledge(actor, alert_id, now),
            finished,
            on_user_error=refused,
            on_error=lambda exc: (finished(), self.ctx.show_error(self, exc)),
        )


class _TodayFollower(QObject):
    """Keeps the Today screen current (see ``attach_to_today``); a child of the view, so its
    connections to the app-wide feed end with the view."""

    def __init__(self, view, panel: StoreCallsPanel) -> None:
        super().__init__(view)
        self.view, self.panel = view, panel
        self.timer = QTimer(self)
        self.timer.setInterval(NOW_TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        view.store_combo.currentIndexChanged.connect(self.follow)
        view.loaded.connect(self.follow)
        view.ctx.changes.changed.connect(self.on_change)

    def follow(self, *_args) -> None:
        store = self.view.current_store()
        self.panel.set_store(store.id if store else None, ZoneInfo(store.timezone) if store else None)

    def on_change(self, kinds: frozenset[str], store_ids: frozenset[int]) -> None:
        store = self.view.current_store()
        if kinds & DATA_KINDS and self.view.ctx.changes.concerns(store_ids, store.id if store else None):
            self.view._on_data_changed()  # reload now if shown, else when next shown

    def tick(self) -> None:
        showing_today = not self.view.today_button.isEnabled()
        answer_on_screen = bool(self.view.fix_verdict.text())
        if self.view.isVisible() and showing_today and not answer_on_screen:
            self.view.refresh()


def attach_to_today(view) -> StoreCallsPanel:
    """Put the calls panel at the top of the Today screen and keep the screen current (module docstring)."""
    panel = StoreCallsPanel(view.ctx, view)
    view.layout().insertWidget(0, panel)
    view.store_calls = panel
    view.follower = _TodayFollower(view, panel)
    return panel
