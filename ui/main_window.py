"""The main window: navigation between screens, menus and shortcuts, status bar, tray icon.

Screens are registered in ``VIEWS`` (key, module, class); the window remembers its geometry
and last screen in the UI settings file. Leaving a screen with unsaved edits (another screen, or
quitting) first asks whether to save them, throw them away, or stay.

Getting attention: the unread count shows on the Alerts item, in the window title and on the
window and tray icons; a banner at the top shows every page addressed to the signed-in person with
Acknowledge and Open; a new page also beeps (Settings), flashes the taskbar and, where a tray
exists, pops a desktop notification. Everything follows the change feed (``ctx.changes``).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QByteArray,
    QCoreApplication,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QBrush, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from storemon import __version__
from storemon.services.attention import PageView
from storemon.services.changes import JOBS
from ui import palette
from ui.context import AppContext
from ui.help_docs import PRESSURE
from ui.i18n import fill
from ui.views.base import BaseView
from ui.widgets.attention import AttentionBanner, sound_enabled
from ui.widgets.help_browser import HelpBrowser, guide_for
from ui.widgets.jobs_banner import JobsBanner
from ui.widgets.tray import badge_icon, install_tray

CLOCK_TICK_MS = 30_000
"""How often the worker label's "silent for N min" is brought up to date (no database work)."""
WORKER_STALE_S = 60

VIEWS: list[tuple[str, str, str, str]] = [
    ("today", "ui.views.today", "TodayView", QT_TRANSLATE_NOOP("MainWindow", "Today")),
    ("region", "ui.views.region", "RegionView", QT_TRANSLATE_NOOP("MainWindow", "Region")),
    ("alerts", "ui.views.alerts", "AlertsView", QT_TRANSLATE_NOOP("MainWindow", "Alerts")),
    ("schedule", "ui.views.schedule", "ScheduleView", QT_TRANSLATE_NOOP("MainWindow", "Schedule")),
    ("incidents", "ui.views.incidents", "IncidentsView", QT_TRANSLATE_NOOP("MainWindow", "Incidents")),
    ("policies", "ui.views.policies", "PoliciesView", QT_TRANSLATE_NOOP("MainWindow", "Policies")),
    ("settings", "ui.views.settings", "SettingsView", QT_TRANSLATE_NOOP("MainWindow", "Settings")),
    ("audit", "ui.views.audit", "AuditView", QT_TRANSLATE_NOOP("MainWindow", "Audit")),
    ("users", "ui.views.users", "UsersView", QT_TRANSLATE_NOOP("MainWindow", "Users")),
]

VIEW_NEEDS: dict[str, tuple[str, str]] = {
    "audit": ("audit", "entries"),
    "users": ("users", "list"),
}
"""Screens only some roles may use: the services area and use case that would refuse the others
(``Area.may``). A role it refuses does not see the screen in its sidebar or View menu."""


def available_views() -> list[tuple[str, str, str, str]]:
    """The screens this build ships, in navigation order (found without importing them)."""
    return [entry for entry in VIEWS if importlib.util.find_spec(entry[1]) is not None]


def views_for(ctx: AppContext) -> list[tuple[str, str, str, str]]:
    """The screens the signed-in user may use, in navigation order."""

    def may(key: str) -> bool:
        if key not in VIEW_NEEDS:
            return True
        area, use_case = VIEW_NEEDS[key]
        return getattr(ctx.services, area).may(ctx.actor, use_case)

    return [entry for entry in available_views() if may(entry[0])]


class MainWindow(QMainWindow):
    """Navigation on the left, the current screen on the right."""

    sign_out_requested = Signal()
    """File > Sign out, once unsaved edits were saved or thrown away (``ui.app.WindowHost``)."""
    switch_user_requested = Signal()
    """File > Switch user, likewise."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.leaving_for_another_user = False
        """Set when the window closes for a sign-out or user switch: the process goes on."""
        self.help_browser: HelpBrowser | None = None
        """The help window, made the first time Help shows a guide."""
        self.setWindowTitle(self.tr("Storemon"))
        self.views: dict[str, BaseView] = {}
        """Screens built so far: each is built the first time it is shown, so start-up stays fast."""
        self.screens = views_for(ctx)
        """The screens in this user's sidebar (``views_for``)."""
        self._entries = {key: (module, cls) for key, module, cls, _title in self.screens}
        self._pages: dict[str, QWidget] = {}
        self._shown_key = ""
        self.unsaved_box: QMessageBox | None = None
        self.quit_box: QMessageBox | None = None
        self._closing_anyway = False
        """The open "save, discard or stay?" question (None once answered)."""
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(190)
        self.stack = QStackedWidget()
        for key, _module, _cls, title in self.screens:
            page = QWidget()
            QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self._pages[key] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(QCoreApplication.translate("MainWindow", title))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        splitter.setSizes([self.nav.maximumWidth(), 10_000])
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        self.unread = install_tray(self, ctx)
        self.attention_banner = AttentionBanner(ctx, self.unread)
        column.addWidget(self.attention_banner)
        self.jobs_banner = JobsBanner(ctx)
        column.addWidget(self.jobs_banner)
        column.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self._show_row)
        self._build_menus()
        self._build_status_bar()
        self.unread_count = 0
        self._show_unread(0)
        self.unread.unread_changed.connect(self._show_unread)
        self.unread.new_pages.connect(self._announce)
        self.attention_banner.open_requested.connect(self.open_alert)
        ctx.events.store_selected.connect(self._drill_down)
        ctx.events.status_message.connect(self._show_status_message)
        self._restore()

    # -- building ---------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.setToolTipsVisible(True)  # a disabled action says who may use it
        import_action = QAction(self.tr("&Import..."), self, shortcut=QKeySequence("Ctrl+I"))
        import_action.triggered.connect(self.open_import_wizard)
        if not self.ctx.services.imports.may_import(self.ctx.actor):
            import_action.setEnabled(False)
            import_action.setToolTip(self.tr("Only a store manager or above may import files."))
        self.import_action = import_action
        file_menu.addAction(import_action)
        self.refresh_action = QAction(self.tr("&Refresh"), self, shortcut=QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self.ctx.events.data_changed.emit)
        file_menu.addAction(self.refresh_action)
        file_menu.addSeparator()
        self.switch_user_action = QAction(self.tr("S&witch user..."), self)
        self.switch_user_action.setToolTip(self.tr("Let someone else sign in at this PC"))
        self.switch_user_action.triggered.connect(lambda: self._leave(self.switch_user_requested))
        file_menu.addAction(self.switch_user_action)
        self.sign_out_action = QAction(self.tr("Sign &out"), self)
        self.sign_out_action.triggered.connect(lambda: self._leave(self.sign_out_requested))
        file_menu.addAction(self.sign_out_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for number, (key, _module, _cls, title) in enumerate(self.screens, start=1):
            action = QAction(
                QCoreApplication.translate("MainWindow", title), self, shortcut=QKeySequence(f"Ctrl+{number}")
            )
            action.triggered.connect(lambda _checked=False, k=key: self.show_view(k))
            view_menu.addAction(action)

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.guide_action = QAction(
            self.tr("&User guide"), self, shortcut=QKeySequence.StandardKey.HelpContents
        )
        self.guide_action.triggered.connect(lambda: self.show_help(guide_for(self.ctx.actor.role)))
        help_menu.addAction(self.guide_action)
        self.pressure_help_action = QAction(self.tr("How &pressure is computed"), self)
        self.pressure_help_action.triggered.connect(lambda: self.show_help(PRESSURE))
        help_menu.addAction(self.pressure_help_action)
        help_menu.addSeparator()
        about = QAction(self.tr("&About Storemon"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.database_label = QLabel(fill(self.tr("Database: %1"), self.ctx.services.description))
        self.user_label = QLabel(fill(self.tr("Signed in as %1"), self.ctx.actor.username))
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setVisible(False)
        self.worker_label = QLabel(self.tr("Worker: checking..."))
        bar.addPermanentWidget(self.busy)
        bar.addPermanentWidget(self.worker_label)
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.database_label)
        self.ctx.tasks.busy_changed.connect(self._show_busy)
        self._beat = None
        self._beat_known = False
        self.ctx.changes.changed.connect(self._on_change)
        self._clock = QTimer(self)
        self._clock.timeout.connect(self._show_beat)
        self._clock.start(CLOCK_TICK_MS)
        QTimer.singleShot(0, self._check_worker)

    # Bound methods, not lambdas: Qt drops these connections when a language switch deletes the window.
    def _show_busy(self, running: int) -> None:
        self.busy.setVisible(running > 0)

    def _show_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- attention ------------------------------------------------------------------------------
    def _show_unread(self, count: int) -> None:
        """The unread count on the Alerts item, in the window title and on the window icon."""
        self.unread_count = count
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            if item.data(Qt.ItemDataRole.UserRole) != "alerts":
                continue
            title = QCoreApplication.translate("MainWindow", "Alerts")
            item.setText(fill(self.tr("%1 (%2)"), title, str(count)) if count else title)
            font = item.font()
            font.setBold(count > 0)
            item.setFont(font)
            item.setForeground(QBrush(palette.BAD.qtext()) if count else self.nav.palette().text())
            if count == 1:
                item.setToolTip(self.tr("1 unread alert notification"))
            else:
                item.setToolTip(
                    self.tr("%n unread alert notifications", "", count)
                    if count
                    else self.tr("Nothing unread")
                )
        title = self.tr("Storemon")
        self.setWindowTitle(fill(self.tr("(%1) %2"), str(count), title) if count else title)
        self.setWindowIcon(badge_icon(count))

    def _announce(self, pages: list[PageView]) -> None:
        """A page just arrived for me: beep (if wanted here) and flash the taskbar entry."""
        if not pages:
            return
        if sound_enabled(self.ctx):
            QApplication.beep()
        QApplication.alert(self, 0)

    def open_alert(self, alert_id: int) -> None:
        """Show the Alerts screen with this alert selected."""
        self.show_view("alerts")
        alerts = self.views.get("alerts")
        if alerts is not None and hasattr(alerts, "show_alert_id"):
            alerts.show_alert_id(alert_id)

    # -- the worker -------------------------------------------------------------------------------
    def _on_change(self, kinds: frozenset[str], _store_ids: frozenset[int]) -> None:
        if JOBS in kinds:
            self._check_worker()

    def _check_worker(self) -> None:
        self.ctx.tasks.op(
            self,
            lambda _c: self.ctx.services.db.worker_heartbeat(),
            self._show_worker,
            on_error=self._show_connection_lost,
        )

    def _show_connection_lost(self, _exc: BaseException) -> None:
        self.worker_label.setText(self.tr("Database: connection lost"))

    def _show_worker(self, beat) -> None:
        self._beat, self._beat_known = beat, True
        self._show_beat()

    def _show_beat(self) -> None:
        if not self._beat_known:
            return
        beat = self._beat
        if beat is None:
            self.worker_label.setText(self.tr("Worker: not running"))
            return
        age = (self.ctx.clock() - beat).total_seconds()
        if age <= WORKER_STALE_S:
            self.worker_label.setText(self.tr("Worker: running"))
        else:
            self.worker_label.setText(fill(self.tr("Worker: silent for %1 min"), str(int(age // 60))))

    # -- navigation and state -------------------------------------------------------------------
    def view(self, key: str) -> BaseView:
        """The screen ``key``, built on first use."""
        if key not in self.views:
            module, cls = self._entries[key]
            view = getattr(importlib.import_module(module), cls)(self.ctx)
            self._pages[key].layout().addWidget(view)
            self.views[key] = view
        return self.views[key]

    def _show_row(self, row: int) -> None:
        key = list(self._entries)[row] if 0 <= row < len(self._entries) else ""
        if key != self._shown_key and self._ask_before_leaving(lambda: self.show_view(key)):
            with QSignalBlocker(self.nav):
                self.nav.setCurrentRow(list(self._entries).index(self._shown_key))
            return
        if key:
            self.view(key)
        self._shown_key = key
        self.stack.setCurrentIndex(row)

    def _ask_before_leaving(self, then: Callable[[], None]) -> bool:
        """If the screen shown has unsaved edits, ask what to do with them and return True: Save
        saves and then runs ``then``, Discard throws them away and runs it, Cancel stays."""
        view = self.views.get(self._shown_key)
        if view is None or not view.has_unsaved_changes():
            return False
        if self.unsaved_box is not None:  # already asked (the tray's Quit while the question is open)
            self.unsaved_box.raise_()
            return True
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Unsaved changes"),
            fill(self.tr("%1 has unsaved changes. Save them before you leave?"), view.title()),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        save = box.addButton(self.tr("Save"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(self.tr("Discard"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button) -> None:
            if button is save:
                view.save_changes(then)
            elif button is discard:
                view.discard_changes()
                then()

        box.buttonClicked.connect(answered)
        box.finished.connect(lambda _result: setattr(self, "unsaved_box", None))
        self.unsaved_box = box
        box.open()  # not exec(): no nested event loop, and tests answer it like a user
        return True

    def _leave(self, signal) -> None:
        """Sign out or switch user: first deal with unsaved edits of the screen shown (or stay)."""
        if not self._ask_before_leaving(signal.emit):
            signal.emit()

    def _ask_before_stopping_calls(self) -> bool:
        """Closing the process that runs the escalations while calls for help are open: say so,
        and offer to keep running in the tray (where there is one). True while the question is up
        or the window went to the tray; False to close now."""
        if self._closing_anyway or self.leaving_for_another_user or not self.ctx.runs_jobs():
            return False
        if self.quit_box is not None:
            self.quit_box.raise_()
            return True
        open_calls = len(self.ctx.services.alerts.list(self.ctx.actor, status="open"))  # one small query
        if not open_calls:
            return False
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Calls for help are open"),
            fill(
                self.tr(
                    "%1 alert(s) are still open. This window is what escalates them on this PC: if it "
                    "closes and no kiosk or worker runs here, nobody else will be paged."
                ),
                open_calls,
            ),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        tray = self.unread.tray if QSystemTrayIcon.isSystemTrayAvailable() else None
        keep = box.addButton(self.tr("Keep running in the tray"), QMessageBox.ButtonRole.AcceptRole)
        keep.setEnabled(tray is not None)
        if tray is None:
            keep.setToolTip(self.tr("This desktop has no system tray; keep the window open instead."))
        quit_anyway = box.addButton(self.tr("Quit anyway"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep if tray is not None else None)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button) -> None:
            if button is keep:
                QApplication.instance().setQuitOnLastWindowClosed(False)
                self.hide()  # the tray's Open brings it back; the jobs go on
            elif button is quit_anyway:
                self._closing_anyway = True
                self.close()

        box.buttonClicked.connect(answered)
        box.finished.connect(lambda _result: setattr(self, "quit_box", None))
        self.quit_box = box
        box.open()
        return True

    def _drill_down(self, store_id: int) -> None:
        today = self.view("today")
        if hasattr(today, "select_store"):
            today.select_store(store_id)
        self.show_view("today")

    def show_view(self, key: str) -> None:
        keys = list(self._entries)
        if key in keys:
            self.nav.setCurrentRow(keys.index(key))

    def current_view_key(self) -> str:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def _restore(self) -> None:
        geometry = self.ctx.settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        last = self.ctx.settings.value("main_window/last_view", "today")
        self.show_view(last if last in self._entries else next(iter(self._entries), ""))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._ask_before_leaving(self.close) or self._ask_before_stopping_calls():
            event.ignore()
            return
        self.unread.stop()
        self.ctx.settings.setValue("main_window/geometry", self.saveGeometry())
        self.ctx.settings.setValue("main_window/last_view", self.current_view_key())
        self.ctx.settings.sync()
        super().closeEvent(event)

    @Slot()
    def open_import_wizard(self) -> None:
        from ui.views.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self)
        wizard.open()

    def show_help(self, name: str) -> None:
        """Open a shipped guide (``ui.help_docs``) in the help window, offline."""
        if self.help_browser is None:
            self.help_browser = HelpBrowser(self)
        self.help_browser.show_doc(name)
        self.help_browser.show()
        self.help_browser.raise_()

    @Slot()
    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Storemon"),
            fill(
                self.tr(
                    "Storemon %1\n\nStaffing, queue waits, shift pressure and escalation for small stores."
                ),
                __version__,
            ),
        )
