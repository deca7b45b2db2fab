"""The main window as a user meets it: navigation, shortcuts, remembered state, the smoke start."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QSystemTrayIcon

from tests.ui.conftest import WAIT_MS
from tests.ui.screens import policies_loaded, policies_settled, run_storemon
from ui.main_window import MainWindow, available_views
from ui.tasks import TaskRunner


def test_window_remembers_its_last_view_and_geometry(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    keys = [entry[0] for entry in available_views()]
    if len(keys) > 1:
        window.show_view(keys[1])
    window.resize(window.width() + 40, window.height() - 30)
    shown_size = window.size()
    window.close()
    again = MainWindow(ctx)
    qtbot.addWidget(again)
    assert again.current_view_key() == (keys[1] if len(keys) > 1 else keys[0] if keys else "")
    again.show()
    # The offscreen screen is narrower than the window, so Qt clamps the restored width to the
    # screen; the height and the saved geometry show the state was kept.
    assert ctx.settings.value("main_window/geometry") is not None
    assert again.height() == shown_size.height()


def _window_on_policies(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.show_view("policies")
    qtbot.waitUntil(lambda: policies_loaded(window.views["policies"]), timeout=WAIT_MS)
    return window


def _click_nav(qtbot, window: MainWindow, key: str) -> None:
    keys = [entry[0] for entry in window.screens]
    rect = window.nav.visualItemRect(window.nav.item(keys.index(key)))
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _answer_unsaved(qtbot, window: MainWindow, role: QMessageBox.ButtonRole) -> None:
    qtbot.waitUntil(
        lambda: window.unsaved_box is not None and window.unsaved_box.isVisible(), timeout=WAIT_MS
    )
    box = window.unsaved_box
    assert "Policies has unsaved changes" in box.text()
    button = next(b for b in box.buttons() if box.buttonRole(b) == role)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _edit_wait_target(qtbot, window: MainWindow, text: str) -> None:
    view = window.views["policies"]
    view.tabs.setCurrentWidget(view.thresholds)
    edit = view.thresholds.fields["target_wait_minutes"].spin.lineEdit()
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    assert view.has_unsaved_changes()


def test_unsaved_policies_ask_before_switching_screens(qtbot, ctx):
    window = _window_on_policies(qtbot, ctx)
    view = window.views["policies"]
    saved_wait = ctx.services.policies.thresholds().targets.target_wait_minutes
    _edit_wait_target(qtbot, window, "7")

    _click_nav(qtbot, window, "today")
    _answer_unsaved(qtbot, window, QMessageBox.ButtonRole.RejectRole)
    assert window.current_view_key() == "policies"
    assert window.stack.currentWidget().isAncestorOf(view) and view.isVisible()
    assert view.thresholds.fields["target_wait_minutes"].spin.value() == 7, "Cancel keeps the edit"

    _click_nav(qtbot, window, "today")
    _answer_unsaved(qtbot, window, QMessageBox.ButtonRole.DestructiveRole)
    assert window.current_view_key() == "today" and not view.isVisible()
    qtbot.waitUntil(lambda: policies_settled(view), timeout=WAIT_MS)
    assert not view.has_unsaved_changes()
    assert view.thresholds.fields["target_wait_minutes"].spin.value() == saved_wait
    assert ctx.services.policies.thresholds().targets.target_wait_minutes == saved_wait


def test_save_from_the_question_saves_then_switches(qtbot, ctx):
    window = _window_on_policies(qtbot, ctx)
    _edit_wait_target(qtbot, window, "6")
    window.show_view("region")  # the View menu's shortcut takes the same road as the sidebar
    _answer_unsaved(qtbot, window, QMessageBox.ButtonRole.AcceptRole)
    qtbot.waitUntil(lambda: window.current_view_key() == "region", timeout=WAIT_MS)
    assert ctx.services.policies.thresholds().targets.target_wait_minutes == 6
    assert not window.views["policies"].has_unsaved_changes()


def test_a_store_manager_leaves_the_read_only_policies_without_a_question(qtbot, make_ctx):
    """Typing into a locked field changes nothing, so leaving asks nothing (it once asked to save
    and was refused only then)."""
    manager = make_ctx("mgr-sh001")
    window = _window_on_policies(qtbot, manager)
    view = window.views["policies"]
    view.tabs.setCurrentWidget(view.thresholds)
    edit = view.thresholds.fields["target_wait_minutes"].spin.lineEdit()
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "6")
    assert not view.has_unsaved_changes()
    _click_nav(qtbot, window, "today")
    assert window.unsaved_box is None and window.current_view_key() == "today"


def test_closing_the_window_asks_about_unsaved_policies(qtbot, ctx):
    window = _window_on_policies(qtbot, ctx)
    _edit_wait_target(qtbot, window, "7")
    window.close()
    _answer_unsaved(qtbot, window, QMessageBox.ButtonRole.RejectRole)
    assert window.isVisible() and window.current_view_key() == "policies"

    window.close()
    _answer_unsaved(qtbot, window, QMessageBox.ButtonRole.DestructiveRole)
    assert not window.isVisible()
    assert ctx.settings.value("main_window/last_view") == "policies"


def test_status_bar_names_the_database_and_the_user(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert "sqlite" in window.database_label.text()
    assert "admin" in window.user_label.text()


def test_every_registered_view_has_a_translated_title_and_a_shortcut(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    view_menu = window.menuBar().actions()[1].menu()
    assert len(view_menu.actions()) == len(available_views())
    for number, action in enumerate(view_menu.actions(), start=1):
        assert action.shortcut().toString() == f"Ctrl+{number}" and action.text()


def test_task_runner_returns_results_on_the_gui_thread_and_reports_errors(qtbot, qapp):
    runner = TaskRunner()
    seen = {}

    def work(control):
        control.progress(1, 2)
        return qapp.thread() is not __import__("PySide6.QtCore").QtCore.QThread.currentThread()

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda n: n == 0, timeout=5000):
        runner.op(
            runner,
            work,
            lambda off_gui: seen.update(
                off_gui=off_gui, on_gui=qapp.thread() is qapp.thread().currentThread()
            ),
        )
    assert seen == {"off_gui": True, "on_gui": True}
    errors = []
    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda n: n == 0, timeout=5000):
        runner.op(runner, lambda _c: 1 / 0, on_error=errors.append)
    assert isinstance(errors[0], ZeroDivisionError)


def test_gui_smoke_start_from_the_command_line(tmp_path):
    """`storemon gui --smoke` fills an empty database with the demo chain and renders the window."""
    result = run_storemon(tmp_path, "gui", "--smoke")
    assert result.returncode == 0, result.stderr
    assert "Demo chain: 30 stores" in result.stderr
    assert (tmp_path / "data" / "storemon.sqlite3").exists()


def _answer_quit(qtbot, window: MainWindow, role: QMessageBox.ButtonRole) -> QMessageBox:
    qtbot.waitUntil(lambda: window.quit_box is not None and window.quit_box.isVisible(), timeout=WAIT_MS)
    box = window.quit_box
    button = next(b for b in box.buttons() if box.buttonRole(b) == role)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return box


def test_quitting_the_window_that_runs_the_escalations_with_calls_open_asks_first(qtbot, ctx):
    ctx.services.calls.relief_request("staff-sh001", "SH001", "alone in the rush", ctx.clock(), "high")
    ctx.runs_jobs = lambda: True
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()

    window.close()
    qtbot.waitUntil(lambda: window.quit_box is not None and window.quit_box.isVisible(), timeout=WAIT_MS)
    text = window.quit_box.text()
    assert "still open" in text and "nobody else will be paged" in text
    keep = next(b for b in window.quit_box.buttons() if "tray" in b.text())
    assert keep.isEnabled() == QSystemTrayIcon.isSystemTrayAvailable()
    _answer_quit(qtbot, window, QMessageBox.ButtonRole.RejectRole)  # Cancel
    assert window.isVisible()

    window.close()
    _answer_quit(qtbot, window, QMessageBox.ButtonRole.DestructiveRole)  # Quit anyway
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)


def test_a_window_that_does_not_run_the_escalations_closes_without_asking(qtbot, ctx):
    ctx.services.calls.relief_request("staff-sh001", "SH001", "alone in the rush", ctx.clock(), "high")
    window = MainWindow(ctx)  # ctx.runs_jobs() is False: a worker or the kiosk runs them
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert not window.isVisible() and window.quit_box is None
