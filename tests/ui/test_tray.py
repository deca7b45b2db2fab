"""The unread counting behind the tray and the badge: it rises when someone is paged (the change feed
brings it), says what arrived, and works without a tray."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from tests.ui.conftest import UI_NOW, WAIT_MS
from ui.views.alerts import AlertsView
from ui.widgets.attention import AttentionWatcher
from ui.widgets.tray import badge_icon, install_tray


def _page_the_manager(ctx) -> int:
    staff = ctx.services.auth.actor("staff-sh001")
    return ctx.services.calls.relief_request(staff, staff.store_id, "Queue out the door", UI_NOW, "high")


def test_the_unread_count_rises_after_a_page_and_the_new_page_is_announced(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    watcher = AttentionWatcher(ctx)
    with qtbot.waitSignal(watcher.unread_changed, timeout=WAIT_MS) as first:
        watcher.start()
    before = first.args[0]
    announced = []
    watcher.new_notices.connect(announced.extend)
    _page_the_manager(ctx)
    with qtbot.waitSignal(watcher.unread_changed, timeout=WAIT_MS) as rose:
        pass
    assert rose.args[0] == before + 1
    assert [n.kind for n in announced] == ["page"]
    assert announced[0].alert is not None and announced[0].alert.rule == "relief_request"
    watcher.stop()


def test_opening_the_alerts_screen_marks_pages_read(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    _page_the_manager(ctx)
    watcher = AttentionWatcher(ctx)
    with qtbot.waitSignal(watcher.unread_changed, check_params_cb=lambda n: n > 0, timeout=WAIT_MS):
        watcher.start()
    view = AlertsView(ctx)
    qtbot.addWidget(view)
    with qtbot.waitSignal(watcher.unread_changed, check_params_cb=lambda n: n == 0, timeout=WAIT_MS):
        view.show()
    watcher.stop()


def test_without_a_system_tray_the_count_still_works(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    window = QMainWindow()
    qtbot.addWidget(window)
    watcher = install_tray(window, ctx)
    assert watcher.tray is None, "the offscreen platform has no tray"
    qtbot.waitUntil(lambda: watcher.count is not None, timeout=WAIT_MS)
    start = watcher.count
    _page_the_manager(ctx)
    qtbot.waitUntil(lambda: watcher.count == start + 1, timeout=WAIT_MS)
    watcher.stop()


def test_the_badge_shows_the_count():
    plain, three = badge_icon(0).pixmap(64, 64).toImage(), badge_icon(3).pixmap(64, 64).toImage()
    assert not plain.isNull() and plain != three
    corner = three.pixelColor(52, 12)
    assert corner.red() > 180 and corner.green() < 90, "a red badge in the top right corner"
