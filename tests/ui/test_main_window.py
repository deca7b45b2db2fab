"""The main window as a user meets it: navigation, shortcuts, remembered state, the smoke start."""

from __future__ import annotations

import subprocess
import sys

from tests import ROOT
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
    env = {"STOREMON_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "storemon.cli", "gui", "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,  # python -m imports this checkout, wherever pytest was started
    )
    assert result.returncode == 0, result.stderr
    assert "Demo chain: 30 stores" in result.stderr
    assert (tmp_path / "data" / "storemon.sqlite3").exists()
