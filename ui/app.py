"""Start the desktop application on an open database."""

from __future__ import annotations

import logging
import sys
import threading

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from staffing.uniformization import warm_up
from storemon.config import app_paths
from storemon.services.access import SYSTEM, AccessDenied, Actor
from storemon.services.api import Services
from storemon.services.database import Database
from ui.context import AppContext, AppEvents
from ui.i18n import install_translator
from ui.login import sign_in
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
    """Owns the main window; a language change rebuilds it in the new language, same view."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.window = MainWindow(ctx)
        ctx.events.language_changed.connect(self.switch_language)

    def switch_language(self, language: str) -> None:
        self.ctx.settings.setValue("ui/language", language)
        install_translator(language)
        old = self.window
        old.close()  # saves geometry and the current view, which the new window restores
        self.window = MainWindow(self.ctx)
        self.window.show()
        old.deleteLater()


def run_gui(database: Database, username: str | None = None, smoke: bool = False) -> int:
    """Open the main window; ``smoke`` renders it once and quits (packaging and CI checks)."""
    app = ensure_app()
    services = Services(database)
    # The queue model's compiled kernel loads while the user signs in (staffing.uniformization).
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
    if smoke:
        QTimer.singleShot(0, lambda: (host.window.grab(), host.window.close(), app.quit()))
    code = app.exec()
    ctx.changes.stop()
    if local_jobs is not None:
        local_jobs.stop()
    ctx.tasks.wait()
    return code
