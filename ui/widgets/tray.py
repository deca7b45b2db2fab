"""The tray: the unread count on the icon and a desktop notification for every new page.

``AttentionWatcher`` (``ui.widgets.attention``) reloads when the change feed says alerts changed
and says what changed (``unread_changed``, ``new_notices``); it is a plain QObject, so the
counting works and is tested where there is no system tray (offscreen, GNOME, a hidden Windows
tray). ``TrayIcon`` shows it when a tray exists. ``install_tray(window, ctx)`` wires both to the
main window.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QMainWindow, QMenu, QSystemTrayIcon

from storemon.services.alert_people import NoticeView
from ui.context import AppContext
from ui.models.alerts_table import NOTICE_KINDS, alert_title, name_of
from ui.widgets.attention import AttentionWatcher

BRAND = QColor("#2e6b4f")


def badge_icon(count: int, size: int = 64) -> QIcon:
    """The app mark (a rounded square with a cup-like "S") with a red unread badge when ``count`` > 0."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(BRAND)
    painter.drawRoundedRect(QRectF(2, 2, size - 4, size - 4), size * 0.22, size * 0.22)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.62))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "S")
    if count > 0:
        text = str(count) if count < 100 else "99+"
        radius = size * 0.26
        centre = QPointF(size - radius - 1, radius + 1)
        path = QPainterPath()
        path.addEllipse(centre, radius, radius)
        painter.setPen(QColor("white"))
        painter.setBrush(QColor("#d32f2f"))
        painter.drawPath(path)
        font.setPixelSize(int(radius * (1.2 if len(text) == 1 else 0.9)))
        painter.setFont(font)
        painter.drawText(
            QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius),
            Qt.AlignmentFlag.AlignCenter,
            text,
        )
    painter.end()
    return QIcon(pixmap)


class TrayIcon(QObject):
    """The system-tray icon of the main window: badge, tooltip, menu and desktop notifications."""

    def __init__(self, window: QMainWindow, watcher: AttentionWatcher) -> None:
        super().__init__(window)
        self.window = window
        self.icon = QSystemTrayIcon(badge_icon(0), window)
        self.menu = QMenu()
        self.open_action = QAction(self.tr("Open Storemon"), self)
        self.alerts_action = QAction(self.tr("Show alerts"), self)
        self.quit_action = QAction(self.tr("Quit"), self)
        self.menu.addAction(self.open_action)
        self.menu.addAction(self.alerts_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.open_action.triggered.connect(self.show_window)
        self.alerts_action.triggered.connect(self.show_alerts)
        self.quit_action.triggered.connect(window.close)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self.show_alerts)
        watcher.unread_changed.connect(self.set_unread)
        watcher.new_notices.connect(self.notify)
        self.set_unread(0)
        self.icon.show()

    def set_unread(self, count: int) -> None:
        self.icon.setIcon(badge_icon(count))
        if count:
            self.icon.setToolTip(
                self.tr("Storemon: 1 unread alert notification")
                if count == 1
                else self.tr("Storemon: %n unread alert notifications", "", count)
            )
        else:
            self.icon.setToolTip(self.tr("Storemon: nothing unread"))

    def notify(self, notices: list[NoticeView]) -> None:
        """One desktop notification for what just arrived: the newest page, or a summary."""
        pages = [n for n in notices if n.kind in ("page", "cover_offer")] or notices
        newest = pages[0]
        title = name_of(NOTICE_KINDS, newest.kind)
        if newest.alert is not None:
            store = f"{newest.alert.store_code} {newest.alert.store_name}".strip()
            body = f"{store}: {alert_title(newest.alert)}" if store else alert_title(newest.alert)
        else:
            body = newest.title
        if len(notices) > 1:
            body += "\n" + self.tr("and %n more", "", len(notices) - 1)
        critical = newest.alert is not None and newest.alert.severity == "critical"
        kind = QSystemTrayIcon.MessageIcon.Critical if critical else QSystemTrayIcon.MessageIcon.Information
        self.icon.showMessage(title, body, kind, 10000)

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def show_alerts(self) -> None:
        self.show_window()
        show_view = getattr(self.window, "show_view", None)
        if callable(show_view):
            show_view("alerts")

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_window()


def install_tray(window: QMainWindow, ctx: AppContext) -> AttentionWatcher:
    """Start watching what asks for the user's attention; show a tray icon where the desktop has a tray.

    Returns the watcher (``watcher.tray`` is the ``TrayIcon`` or None) so the window can show the
    count elsewhere too.
    """
    watcher = AttentionWatcher(ctx, window)
    if QSystemTrayIcon.isSystemTrayAvailable():
        watcher.tray = TrayIcon(window, watcher)
    watcher.start()
    return watcher
