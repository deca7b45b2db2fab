"""Getting the signed-in person's attention: what asks for it (``AttentionWatcher``) and the banner
at the top of the main window (``AttentionBanner``).

The watcher reloads, off the GUI thread, whenever the change feed says alerts changed (any PC, any
process): the unread count (the badge on the Alerts item, the window title, the tray), the newest
unread notifications (the tray's desktop notification) and the pages addressed to this person
(``services.alerts.my_pages``: open alerts whose current level pages their role, and cover offers
made to them). It says which pages are new since the last load, so the window can sound, flash
the taskbar and notify once per page, not once per reload.

The banner shows the most urgent of those pages with Acknowledge (or Accept cover) and Open; it
goes away when nobody is waiting any more (the page was acknowledged here, on another PC, or
escalated past this person).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from storemon.errors import StoremonError
from storemon.services.alert_people import NoticeView
from storemon.services.attention import COVER_OFFER, PageView
from storemon.services.changes import ALERTS
from ui import palette
from ui.context import AppContext
from ui.format import clock
from ui.i18n import fill
from ui.models.alerts_table import SEVERITY_NAMES, alert_title, name_of

SOUND_KEY = "attention/sound"
"""Per-PC setting: sound a beep for every new page (default: on, except for head office)."""


def sound_enabled(ctx: AppContext) -> bool:
    """Whether new pages beep on this PC: the Settings choice, else on except for head office roles
    (who watch the whole chain and would hear every store's pages)."""
    value = ctx.settings.value(SOUND_KEY)
    if value is None:
        return not ctx.actor.sees_chain
    return str(value).lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Attention:
    """One load: the unread count, the newest unread notifications, the pages addressed to me."""

    unread: int
    notices: list[NoticeView]
    pages: list[PageView]


class AttentionWatcher(QObject):
    """Watches the signed-in person's unread notifications and pages (see the module docstring)."""

    unread_changed = Signal(int)
    new_notices = Signal(list)
    """Notifications that arrived since the last load (``NoticeView``), newest first."""
    pages_changed = Signal(list)
    """The pages addressed to me now (``PageView``), most urgent first."""
    new_pages = Signal(list)
    """Pages that were not there at the last load (never on the first load)."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.count: int | None = None
        self.pages: list[PageView] | None = None
        self._newest_id: int | None = None
        self._in_flight = False
        self._again = False
        self._watching = False
        self.tray = None
        """The ``TrayIcon`` showing the count, where the desktop has a tray (``ui.widgets.tray``)."""

    def start(self) -> None:
        """Load now, and again whenever alerts change anywhere."""
        if not self._watching:
            self._watching = True
            self.ctx.changes.changed.connect(self._on_change)
            self.ctx.events.alerts_changed.connect(self.refresh)
        self.refresh()

    def stop(self) -> None:
        if self._watching:
            self._watching = False
            self.ctx.changes.changed.disconnect(self._on_change)
            self.ctx.events.alerts_changed.disconnect(self.refresh)

    def _on_change(self, kinds: frozenset[str], _store_ids: frozenset[int]) -> None:
        if ALERTS in kinds:
            self.refresh()

    def refresh(self) -> None:
        """Reload off the GUI thread; while a load runs, run one more right after it (no pile-up)."""
        if self._in_flight:
            self._again = True
            return
        self._in_flight, self._again = True, False
        services, actor = self.ctx.services, self.ctx.actor

        def work(_control) -> Attention:
            return Attention(
                services.alerts.unread_count(actor),
                services.alerts.unread_notices(actor, 5),
                services.alerts.my_pages(actor),
            )

        self.ctx.tasks.op(self, work, self._loaded, on_error=self._failed)

    def _loaded(self, found: Attention) -> None:
        self._in_flight = False
        if self._newest_id is not None:
            fresh = [n for n in found.notices if n.id > self._newest_id]
            if fresh:
                self.new_notices.emit(fresh)
        if found.notices:
            self._newest_id = max(found.notices[0].id, self._newest_id or 0)
        elif self._newest_id is None:
            self._newest_id = 0
        if found.unread != self.count:
            self.count = found.unread
            self.unread_changed.emit(found.unread)
        before = None if self.pages is None else {(p.alert.id, p.why) for p in self.pages}
        self.pages = found.pages
        self.pages_changed.emit(found.pages)
        if before is not None:
            fresh_pages = [p for p in found.pages if (p.alert.id, p.why) not in before]
            if fresh_pages:
                self.new_pages.emit(fresh_pages)
        if self._again:
            self.refresh()

    def _failed(self, _exc: BaseException) -> None:
        # The next change tries again; the screens report a lost database themselves.
        self._in_flight = False
        if self._again:
            self.refresh()


class AttentionBanner(QFrame):
    """The most urgent page addressed to me, with Acknowledge (or Accept cover) and Open."""

    open_requested = Signal(int)
    """Show this alert on the Alerts screen."""
    acted = Signal(str)
    """An answer from the banner went through ("acknowledge" or "accept_cover")."""

    def __init__(self, ctx: AppContext, watcher: AttentionWatcher, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("attentionBanner")
        self.page: PageView | None = None
        self._pending: int | None = None
        self.text_label = QLabel()
        self.text_label.setObjectName("attentionText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.more_label = QLabel()
        self.more_label.setObjectName("attentionMore")
        self.ack_button = QPushButton()
        self.ack_button.setObjectName("attentionAcknowledge")
        self.ack_button.setDefault(True)
        self.open_button = QPushButton()
        self.open_button.setObjectName("attentionOpen")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.setSpacing(8)
        row.addWidget(self.text_label, 1)
        row.addWidget(self.more_label)
        row.addWidget(self.ack_button)
        row.addWidget(self.open_button)
        self.ack_button.clicked.connect(self.answer)
        self.open_button.clicked.connect(self._open)
        watcher.pages_changed.connect(self.show_pages)
        self._pages: list[PageView] = []
        self.hide()

    def show_pages(self, pages: list[PageView]) -> None:
        """Show the first page still waiting (an answer on its way keeps its page off the banner)."""
        self._pages = [p for p in pages if p.alert.id != self._pending]
        if not self._pages:
            self.page = None
            self.hide()
            return
        self.page = page = self._pages[0]
        alert = page.alert
        store = f"{alert.store_code} {alert.store_name}".strip()
        since = clock(alert.fired_at.astimezone(ZoneInfo(page.timezone) if page.timezone else None))
        severity = name_of(SEVERITY_NAMES, alert.severity)
        if page.why == COVER_OFFER:
            text = fill(
                self.tr("%1 · You are asked to cover at %2: %3 (since %4)"),
                severity,
                store,
                alert_title(alert),
                since,
            )
            self.ack_button.setText(self.tr("Accept cover"))
            self.ack_button.setToolTip(self.tr("Say you are coming; everyone else asked is told"))
        else:
            text = fill(self.tr("%1 · %2: %3 (since %4)"), severity, store, alert_title(alert), since)
            self.ack_button.setText(self.tr("Acknowledge"))
            self.ack_button.setToolTip(
                self.tr("Take it: escalation stops and the person who asked sees that you have it")
            )
        self.text_label.setText(text)
        self.text_label.setToolTip(alert_title(alert))
        more = len(self._pages) - 1
        self.more_label.setText(self.tr("+%n more", "", more) if more else "")
        self.open_button.setText(self.tr("Open"))
        self.open_button.setToolTip(self.tr("Show it on the Alerts screen"))
        self.ack_button.setEnabled(True)
        tone = palette.BAD if alert.severity == "critical" else palette.WARN
        self.setStyleSheet(
            f"QFrame#attentionBanner {{ background: {tone.fill}; border: 1px solid {tone.edge};"
            f" border-left: 6px solid {tone.edge}; }}"
            f" QFrame#attentionBanner QLabel {{ color: {tone.text}; font-weight: 600; border: none; }}"
        )
        self.show()

    def answer(self) -> None:
        """Acknowledge the page shown (or accept the cover offer), off the GUI thread."""
        page = self.page
        if page is None or self._pending is not None:
            return
        alert_id, kind = page.alert.id, "accept_cover" if page.why == COVER_OFFER else "acknowledge"
        self._pending = alert_id
        self.ack_button.setEnabled(False)
        services, actor, now = self.ctx.services, self.ctx.actor, self.ctx.clock()

        def work(_control) -> None:
            if kind == "accept_cover":
                services.calls.accept_cover(actor, alert_id, now)
            else:
                services.alerts.acknowledge(actor, alert_id, now)

        def done(_result) -> None:
            self._pending = None
            self.show_pages([p for p in self._pages if p.alert.id != alert_id])
            self.ctx.events.alerts_changed.emit()
            self.acted.emit(kind)

        def refused(exc: StoremonError) -> None:
            # Someone else answered first: say so on the status bar; the reload shows what is left.
            self._pending = None
            self.ctx.events.status_message.emit(str(exc))
            self.ctx.events.alerts_changed.emit()

        def failed(exc: BaseException) -> None:
            self._pending = None
            self.ctx.events.alerts_changed.emit()
            self.ctx.show_error(self, exc)

        self.ctx.tasks.op(self, work, done, on_user_error=refused, on_error=failed)
        self.show_pages(self._pages)

    def _open(self) -> None:
        if self.page is not None:
            self.open_requested.emit(self.page.alert.id)
