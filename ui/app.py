"""Start the desktop application on an open database."""

from __future__ import annotations

import gc
import logging
import sys
import threading

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from staffing.day import warm_up
from storemon.config import app_paths
from storemon.services.access import SYSTEM, AccessDenied, Actor
from storemon.services.api import Services
from storemon.services.database import Database
from ui.context import AppContext, AppEvents
from ui.i18n import install_translator
from ui.login import LoginDialog, sign_in
from ui.main_window import MainWindow
from ui.tasks import GUI_SWITCH_INTERVAL, TaskRunner

log = logging.getLogger(__name__)


def ui_settings() -> QSettings:
    """Window geometry, last view and language: per PC, in the config folder (STYLE.md section 4)."""
    path = app_paths().config_dir / "ui.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


def ensure_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)
    app.setApplicationName("Storemon")
    app.setOrganizationName("Storemon")
    app.setApplicationDisplayName("Storemon")
    return app


def build_context(database: Database, actor: Actor, app: QApplication) -> AppContext:
    settings = ui_settings()
    install_translator(settings.value("ui/language", "system"))
    return AppContext(Services(database), actor, TaskRunner(app), AppEvents(app), settings)


def default_actor(services: Services, username: str | None) -> Actor:
    """For ``--smoke`` only (an install check nobody sits at): the named user or the administrator."""
    if username:
        return services.auth.actor(username)
    try:
        return services.auth.actor("admin")
    except AccessDenied:
        return SYSTEM


class WindowHost:
    """Owns the main window; a language change rebuilds it in the new language, same view.

    File > Sign out closes the window and shows the login dialog (Cancel there quits); File >
    Switch user asks for the other person's password over the open window. Either way the window
    is rebuilt for whoever signs in: their sidebar, their stores, their pages. The process goes
    on meanwhile, so the jobs lease it may hold (escalations, deliveries) keeps running while
    nobody is signed in, and the change feed and task runner are shared by the old and new window.
    """

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.login: LoginDialog | None = None
        """The open sign-in dialog of a sign-out or user switch (None otherwise)."""
        self.window = self._new_window()
        ctx.events.language_changed.connect(self.switch_language)

    def _new_window(self) -> MainWindow:
        window = MainWindow(self.ctx)
        window.sign_out_requested.connect(self.sign_out)
        window.switch_user_requested.connect(self.switch_user)
        return window

    def _ask_who(self, parent: QWidget | None) -> LoginDialog:
        dialog = LoginDialog(self.ctx.services.auth, clock=self.ctx.clock, parent=parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.signed_in.connect(self._signed_in)
        dialog.finished.connect(lambda _result: setattr(self, "login", None))
        self.login = dialog
        return dialog

    def sign_out(self) -> None:
        """Back to the login dialog; the window closes (its unsaved edits were already dealt with)."""
        dialog = self._ask_who(None)
        dialog.rejected.connect(QApplication.instance().quit)
        dialog.open()  # shown before the window closes, so closing it does not end the app
        self._close(self.window)

    def switch_user(self) -> None:
        """Another person signs in over the open window, which stays if they cancel."""
        self._ask_who(self.window).open()

    def _signed_in(self, actor: Actor) -> None:
        old = self.window
        if old.isVisible():
            self._close(old)  # first, so the new window restores the geometry it saved
        self.ctx.actor = actor
        self.window = self._new_window()
        self.window.show()
        old.deleteLater()

    @staticmethod
    def _close(window: MainWindow) -> None:
        window.leaving_for_another_user = True  # the process goes on: no "calls are open" question
        window.close()

    def switch_language(self, language: str) -> None:
        self.ctx.settings.setValue("ui/language", language)
        install_translator(language)
        old = self.window
        old.close()  # saves geometry and the current view, which the new window restores
        self.window = self._new_window()
        self.window.show()
        old.deleteLater()


def run_gui(database: Database, username: str | None = None, smoke: bool = False) -> int:
    """Open the main window; ``smoke`` renders it once and quits (packaging and CI checks)."""
    app = ensure_app()
    services = Services(database)
    # The queue model's compiled kernels load while the user signs in (staffing.compiled).
    threading.Thread(target=warm_up, name="storemon-warm-up", daemon=True).start()
    if smoke:
        actor = default_actor(services, username)
    else:
        install_translator(ui_settings().value("ui/language", "system"))  # the dialogs speak it too
        # The first start creates the administrator; afterwards everyone signs in (--as fills the name).
        signed_in = sign_in(services.auth, username or "")
        if signed_in is None:
            return 0
        actor = signed_in
    ctx = build_context(database, actor, app)
    local_jobs = None
    if database.engine.dialect.name == "sqlite":
        # One PC: rules, escalations and deliveries run in whichever Storemon process holds the
        # jobs lease: this window, a kiosk or a worker (DESIGN.md deployment modes).
        from storemon.worker import LocalJobs

        local_jobs = LocalJobs(database, "gui")
        ctx.runs_jobs = lambda: local_jobs.lease.held
    ctx.changes.start(ctx.services)
    host = WindowHost(ctx)
    host.window.show()
    # What start-up built lives as long as the window: keep it out of the cyclic collector's full
    # passes, which otherwise walk all of it whenever a big answer (2,000 Region rows) arrives.
    gc.freeze()
    if smoke:
        QTimer.singleShot(0, lambda: (host.window.grab(), host.window.close(), app.quit()))
    code = app.exec()
    ctx.changes.stop()
    if local_jobs is not None:
        local_jobs.stop()
    ctx.tasks.wait()
    return code
