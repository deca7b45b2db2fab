"""The kiosk window: a header, the screens, and the session of whoever signed in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget
from shiboken6 import Shiboken

from storemon.services.access import SYSTEM, Actor
from storemon.services.changes import ALERTS
from storemon.services.database import Database
from storemon.services.kiosk import KioskPerson, KioskProfile, KioskTerminal, ReliefStatus, SignIn
from ui.context import AppContext
from ui.i18n import fill
from ui.kiosk.checkin import CheckInPage
from ui.kiosk.coming import ComingStrip
from ui.kiosk.help import HelpPage
from ui.kiosk.help_status import HelpStatusPage
from ui.kiosk.home import HomePage
from ui.kiosk.incident import IncidentPage
from ui.kiosk.login import LoginPage
from ui.kiosk.page import Page
from ui.kiosk.promise import PromisePage
from ui.kiosk.style import STYLE
from ui.kiosk.support import SupportPage
from ui.kiosk.widgets import button
from ui.widgets.form_helpers import BusyBar, MessageStrip, role_name
from ui.widgets.jobs_banner import JobsBanner

log = logging.getLogger(__name__)

TICK_MS = 1000
IDLE_SIGN_OUT = timedelta(minutes=2)
IDLE_WARNING = timedelta(seconds=20)


class KioskWindow(QWidget):
    """The kiosk (see the module docstring): a header, the screens, and the session of whoever signed in.

    It acts as ``terminal.actor`` (nobody) until a PIN sign-in, then as that person; ``ctx.actor``
    is not used.
    """

    signed_in = Signal(str)
    signed_out = Signal()
    page_changed = Signal(str)
    relief_changed = Signal(object)
    """The live status of this session's relief request (``ReliefStatus``)."""
    call_finished = Signal(str)
    """A service call finished (its key, e.g. "help"); for tests and status displays."""

    def __init__(self, ctx: AppContext, terminal: KioskTerminal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        self.setWindowTitle(
            fill(self.tr("Storemon kiosk — %1"), f"{terminal.store.code} {terminal.store.name}")
        )
        self.ctx = ctx
        self.terminal = terminal
        self.actor: Actor = terminal.actor
        self.profile: KioskProfile | None = None
        self.relief: ReliefStatus | None = None
        self.language = "zh_CN" if QLocale().name().startswith("zh") else "en"
        self.zone = ZoneInfo(terminal.store.timezone)
        self._scope: QObject | None = None
        self._busy: set[str] = set()
        self._status_in_flight = False
        self._new_scope()
        self._last_activity = self.now()
        self.busy_signing_in = False
        self._build()
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(TICK_MS)
        self._tick_timer.timeout.connect(self._tick)
        self._tick_timer.start()
        ctx.changes.changed.connect(self._on_change)  # a relief request's answer, from any PC
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        QShortcut(QKeySequence("Ctrl+Shift+Q"), self, activated=self.close)
        self.open_page("login")

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        header = QFrame()
        header.setObjectName("header")
        self.store_label = QLabel(f"{self.terminal.store.code}  {self.terminal.store.name}")
        self.store_label.setObjectName("storeName")
        self.clock_label = QLabel()
        self.clock_label.setObjectName("clock")
        self.user_label = QLabel()
        self.user_label.setObjectName("signedInAs")
        self.home_button = button(name="homeButton")
        self.sign_out_button = button(name="signOutButton")
        row = QHBoxLayout(header)
        row.setContentsMargins(20, 4, 12, 4)
        row.setSpacing(16)
        row.addWidget(self.store_label)
        row.addStretch(1)
        row.addWidget(self.clock_label)
        row.addSpacing(12)
        row.addWidget(self.user_label)
        row.addWidget(self.home_button)
        row.addWidget(self.sign_out_button)
        self.busy = BusyBar()
        self.busy.setFixedHeight(6)
        self.idle_strip = MessageStrip()
        self.pages: dict[str, Page] = {}
        self.stack = QStackedWidget()
        for cls in (
            LoginPage,
            HomePage,
            HelpPage,
            HelpStatusPage,
            IncidentPage,
            PromisePage,
            CheckInPage,
            SupportPage,
        ):
            page = cls(self)
            self.pages[page.key] = page
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.busy)
        strip_box = QVBoxLayout()
        strip_box.setContentsMargins(28, 8, 28, 0)
        strip_box.addWidget(self.idle_strip)
        store = self.terminal.store
        self.coming = ComingStrip(self.ctx, self.terminal.actor, store.id, store.timezone)
        """"Li Na is coming, expected 11:50": help on the way to this store, for whoever is at the counter."""
        strip_box.addWidget(self.coming)
        self.jobs_banner = JobsBanner(self.ctx)
        strip_box.addWidget(self.jobs_banner)
        layout.addLayout(strip_box)
        layout.addWidget(self.stack, 1)
        self.home_button.clicked.connect(lambda: self.open_page("home"))
        self.sign_out_button.clicked.connect(self.sign_out)
        self.home_button.setText(self.tr("Home"))
        self.sign_out_button.setText(self.tr("Sign out"))
        self._show_clock()

    @property
    def login(self) -> LoginPage:
        return self.pages["login"]  # type: ignore[return-value]

    def page(self, key: str) -> Page:
        return self.pages[key]

    def current_page(self) -> str:
        return self.stack.currentWidget().key

    def now(self) -> datetime:
        return self.ctx.clock()

    def is_busy(self, key: str) -> bool:
        return key in self._busy

    # -- navigation ---------------------------------------------------------------------------------
    def open_page(self, key: str, message: str = "") -> None:
        if key != "login" and self.profile is None:
            key = "login"
        page = self.pages[key]
        if key in ("help", "incident", "promise", "checkin") and self.current_page() != key:
            page.message.clear()
        self.stack.setCurrentWidget(page)
        signed = self.profile is not None
        self.home_button.setVisible(signed and key != "home")
        self.sign_out_button.setVisible(signed)
        self.user_label.setVisible(signed)
        page.entered()
        if message:
            page.message.show_message("success", message)
        elif key == "home":
            page.message.clear()
        if key in ("help_status", "home") and self.relief is not None:
            self._poll_relief()
        self.page_changed.emit(key)

    def make_visible(self, widget: QWidget) -> None:
        page = self.stack.currentWidget()
        if isinstance(page, Page):
            page.scroll.ensureWidgetVisible(widget)

    # -- service calls --------------------------------------------------------------------------
    def call(
        self,
        key: str,
        fn: Callable[[Any, Actor, datetime], Any],
        on_done: Callable[[Any], None],
        page: Page | None = None,
    ) -> None:
        """Run ``fn(services, actor, now)`` off the GUI thread as the signed-in person.

        The newest call per key wins, and the answer is dropped if the person signed out meanwhile
        (the call belongs to their sign-in scope); errors show on ``page``.
        """
        services, actor, now = self.ctx.services, self.actor, self.now()
        self._busy.add(key)

        def answered(deliver: Callable[[], None]) -> None:
            self._busy.discard(key)
            deliver()
            self.call_finished.emit(key)
            self._refresh_current()

        self.ctx.tasks.op(
            self._scope,
            lambda _c: fn(services, actor, now),
            lambda result: answered(lambda: on_done(result)),
            key=key,
            on_error=lambda exc: answered(lambda: (page or self.stack.currentWidget()).failed(exc)),
            busy=self.busy,
        )

    def _refresh_current(self) -> None:
        page = self.stack.currentWidget()
        updater = getattr(page, "_update", None)
        if callable(updater):
            updater()

    def _new_scope(self) -> None:
        """Start a new sign-in scope: the calls of the one before (and their answers) are let go."""
        if self._scope is not None:
            Shiboken.delete(self._scope)
        self._scope = QObject(self)
        self._busy.clear()
        self._status_in_flight = False

    # -- sign-in and sign-out -------------------------------------------------------------------
    def load_people(self) -> None:
        terminal, services, now = self.terminal, self.ctx.services, self.now()

        def done(people: list[KioskPerson]) -> None:
            self.login.set_people(people)
            self.call_finished.emit("people")

        self.ctx.tasks.op(
            self._scope,
            lambda _c: services.kiosk.people(terminal.actor, terminal.store.id, now),
            done,
            key="people",
            on_error=self.login.failed,
        )

    def sign_in(self, person: KioskPerson, pin: str) -> None:
        terminal, services, now = self.terminal, self.ctx.services, self.now()
        self.busy_signing_in = True
        self.login._update()

        def work(_c) -> tuple[SignIn, KioskProfile | None]:
            result = services.kiosk.sign_in(terminal.actor, terminal.store.id, person.staff_id, pin, now)
            profile = services.kiosk.profile(result.actor) if result.actor is not None else None
            return result, profile

        def done(answer: tuple[SignIn, KioskProfile | None]) -> None:
            self.busy_signing_in = False
            result, profile = answer
            if result.actor is None or profile is None:
                self.login.show_result(person, result.result)
            else:
                self.start_session(result.actor, profile)
            self.call_finished.emit("sign_in")

        def failed(exc: BaseException) -> None:
            self.busy_signing_in = False
            self.login.failed(exc)
            self.login._update()
            self.call_finished.emit("sign_in")

        self.ctx.tasks.op(self, work, done, key="sign_in", on_error=failed, busy=self.busy)

    def start_session(self, actor: Actor, profile: KioskProfile) -> None:
        self._new_scope()
        self.actor, self.profile, self.relief = actor, profile, None
        self._last_activity = self.now()
        self.user_label.setText(f"{profile.name} · {role_name(profile.role)}")
        for page in self.pages.values():
            page.reset()
        self.open_page("home")
        self.signed_in.emit(actor.username)

    def sign_out(self, reason: str = "") -> None:
        """End the session: forget the person and everything they typed; back to the name picker."""
        was_signed_in = self.profile is not None
        self._new_scope()
        self.actor, self.profile, self.relief = self.terminal.actor, None, None
        self.idle_strip.clear()
        for page in self.pages.values():
            page.reset()
        self.open_page("login")
        if reason:
            self.login.message.show_message("info", reason)
        if was_signed_in:
            self.signed_out.emit()

    # -- relief status ----------------------------------------------------------------------------
    def relief_sent(self, status: ReliefStatus) -> None:
        """Show the request's live status; it follows the change feed until it is resolved or the
        person signs out."""
        self.relief = status
        self.open_page("help_status")
        self.pages["help_status"].show_status(status)
        self.relief_changed.emit(status)

    def _on_change(self, kinds: frozenset[str], store_ids: frozenset[int]) -> None:
        if ALERTS in kinds and self.ctx.changes.concerns(store_ids, self.terminal.store.id):
            self._poll_relief()

    def _poll_relief(self) -> None:
        """Ask for the request's status, one question at a time (a slow answer is not asked over)."""
        if self.relief is None or self._status_in_flight or self.relief.status == "resolved":
            return
        self._status_in_flight = True
        services, actor, alert_id = self.ctx.services, self.actor, self.relief.alert_id

        def done(status: ReliefStatus) -> None:
            self._status_in_flight = False
            changed = status != self.relief
            self.relief = status
            if changed:
                self.pages["help_status"].show_status(status)
                self.pages["home"].show_status(status)
                self.relief_changed.emit(status)

        def failed(exc: BaseException) -> None:
            self._status_in_flight = False
            log.warning("relief status poll failed: %s", exc)

        self.ctx.tasks.op(
            self._scope, lambda _c: services.kiosk.relief_status(actor, alert_id), done, on_error=failed
        )

    # -- time: clock, lockout countdown, idle sign-out ------------------------------------------
    def _show_clock(self) -> None:
        local = self.now().astimezone(self.zone)
        self.clock_label.setText(local.strftime("%H:%M"))

    def _waiting_for_help(self) -> bool:
        """Someone who asked for help and is watching for the answer is never signed out under them."""
        return (
            self.current_page() == "help_status"
            and self.relief is not None
            and self.relief.status == "open"
            and not self.relief.owner
        )

    def _tick(self) -> None:
        now = self.now()
        self._show_clock()
        page = self.stack.currentWidget()
        if isinstance(page, Page):
            page.tick(now)
        if self.profile is None:
            return
        if self._waiting_for_help():
            self._last_activity = now
            self.idle_strip.clear()
            return
        idle = now - self._last_activity
        if idle >= IDLE_SIGN_OUT:
            self.sign_out(self.tr("Signed out after 2 minutes without activity."))
        elif idle >= IDLE_SIGN_OUT - IDLE_WARNING:
            left = int((IDLE_SIGN_OUT - idle).total_seconds())
            self.idle_strip.show_message(
                "warning",
                fill(self.tr("No activity: signing out in %1 s. Touch the screen to stay."), str(left)),
            )
        else:
            self.idle_strip.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.KeyPress,
            QEvent.Type.TouchBegin,
            QEvent.Type.Wheel,
        ):
            self._last_activity = self.now()
            if self.idle_strip.isVisible():
                self.idle_strip.clear()
        return False

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._tick_timer.stop()
        super().closeEvent(event)


def run_kiosk(database: Database, store_ref: str | int, smoke: bool = False) -> int:
    """Open the kiosk of a store full screen; ``smoke`` renders it once and quits (install check).

    The person starting it needs access to the database (like ``storemon gui``); the kiosk itself
    then acts as nobody until a staff member signs in with their PIN.
    """
    from storemon.services.api import Services
    from ui.app import build_context, ensure_app

    app = ensure_app()
    services = Services(database)
    terminal = services.kiosk.terminal(SYSTEM, store_ref)
    ctx = build_context(database, terminal.actor, app)
    window = KioskWindow(ctx, terminal)
    window.showFullScreen()
    local_jobs = None
    if database.engine.dialect.name == "sqlite" and not smoke:
        # The counter PC keeps escalating relief requests even when no main window is open.
        from storemon.worker import LocalJobs

        local_jobs = LocalJobs(database, "kiosk")
    if smoke:
        QTimer.singleShot(0, lambda: (window.grab(), window.close(), app.quit()))
    code = app.exec()
    if local_jobs is not None:
        local_jobs.stop()
    ctx.tasks.wait()
    return code
