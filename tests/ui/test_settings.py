"""The Settings screen: language, this PC's database, and the staff support resources."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from storemon.config import app_paths, load_settings
from tests.ui.conftest import WAIT_MS
from ui.views.settings import SettingsView

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def open_view(qtbot):
    def open_(ctx) -> SettingsView:
        view = SettingsView(ctx)
        qtbot.addWidget(view)
        view.resize(1280, 800)
        view.show()
        qtbot.waitUntil(lambda: view.location is not None and not view.busy.busy, timeout=WAIT_MS)
        return view

    return open_


def _settled(view: SettingsView) -> bool:
    return not view.busy.busy and not view.ctx.tasks.busy


def test_language_choice_is_stored_and_announced(qtbot, ctx, open_view):
    view = open_view(ctx)
    assert [view.language.itemText(i) for i in range(1, view.language.count())] == ["English", "简体中文"]
    with qtbot.waitSignal(ctx.events.language_changed, timeout=WAIT_MS) as signal:
        view.language.setCurrentIndex(view.language.findData("zh_CN"))
    assert signal.args == ["zh_CN"]
    assert ctx.settings.value("ui/language") == "zh_CN"
    assert "简体中文" in view.language_message.text()


def test_unreachable_postgres_gives_a_clear_error_without_freezing(qtbot, ctx, open_view):
    view = open_view(ctx)
    qtbot.keyClicks(view.database_input, "postgresql://storemon:secret@127.0.0.1:9/storemon")
    qtbot.mouseClick(view.test_button, LEFT)
    assert not view.test_button.isEnabled() and "Connecting" in view.database_message.text(), (
        "the click returns at once; the connection is tried off the GUI thread"
    )
    qtbot.waitUntil(lambda: view.database_message.kind == "error" and _settled(view), timeout=WAIT_MS)
    text = view.database_message.text()
    assert "Cannot use this database" in text and "127.0.0.1:9" in text and "running" in text
    assert "secret" not in text, "the password is never shown"
    assert view.test_button.isEnabled()


def test_the_current_sqlite_database_tests_fine(qtbot, ctx, open_view):
    view = open_view(ctx)
    assert view.in_use.text() == ctx.services.description
    qtbot.keyClicks(view.database_input, ctx.services.description)
    qtbot.mouseClick(view.test_button, LEFT)
    qtbot.waitUntil(lambda: view.database_message.kind == "success" and _settled(view), timeout=WAIT_MS)
    assert "Connected to SQLite" in view.database_message.text()
    assert "holds a Storemon database" in view.database_message.text()


def test_a_new_database_file_is_saved_for_the_next_start(qtbot, ctx, open_view, tmp_path):
    view = open_view(ctx)
    target = tmp_path / "shop" / "storemon.sqlite3"
    target.parent.mkdir()
    qtbot.keyClicks(view.database_input, str(target))
    qtbot.mouseClick(view.save_database_button, LEFT)
    qtbot.waitUntil(lambda: view.database_message.kind == "success" and _settled(view), timeout=WAIT_MS)
    assert "Restart Storemon" in view.database_message.text()
    assert load_settings(app_paths().settings_file).database_url == f"sqlite:///{target}"
    assert str(target) in view.settings_file.text()
    qtbot.mouseClick(view.default_database_button, LEFT)
    qtbot.waitUntil(lambda: view.database_message.kind == "success" and _settled(view), timeout=WAIT_MS)
    assert load_settings(app_paths().settings_file).database_url is None


def test_support_resources_are_saved_for_the_counter_screens(qtbot, ctx, open_view):
    view = open_view(ctx)
    qtbot.keyClicks(view.hotline_number, "400-820-1234")
    qtbot.keyClicks(view.hotline_hours, "24/7")
    qtbot.mouseClick(view.add_contact_button, LEFT)
    row = view.contact_rows[0]
    qtbot.keyClicks(row.name, "Wang Fang (SH004)")
    qtbot.keyClicks(row.phone, "138 0000 1234")
    qtbot.keyClicks(row.note, "evenings, steps in within 20 min")
    qtbot.keyClicks(view.sessions, "Every second Tuesday 15:00, book with HR")
    qtbot.mouseClick(view.save_support_button, LEFT)
    qtbot.waitUntil(lambda: view.support_message.kind == "success" and _settled(view), timeout=WAIT_MS)
    saved = ctx.services.policies.support_resources()
    assert (saved.hotline_number, saved.mutual_aid[0].phone) == ("400-820-1234", "138 0000 1234")
    assert saved.mental_health_sessions.startswith("Every second Tuesday")

    qtbot.keyClicks(view.contact_rows[0].phone, " call me")
    qtbot.mouseClick(view.save_support_button, LEFT)
    qtbot.waitUntil(lambda: view.support_message.kind == "error" and _settled(view), timeout=WAIT_MS)
    assert "is not a phone number" in view.support_message.text()


def test_a_store_manager_cannot_change_support_resources(qtbot, make_ctx, open_view):
    manager = make_ctx("mgr-sh001")
    view = open_view(manager)
    assert "Only head office" in view.support_message.text()
    qtbot.keyClicks(view.hotline_number, "400-000-0000")
    qtbot.mouseClick(view.save_support_button, LEFT)
    qtbot.waitUntil(lambda: view.support_message.kind == "error" and _settled(view), timeout=WAIT_MS)
    assert "Nothing was saved" in view.support_message.text()
    assert manager.services.policies.support_resources().hotline_number == ""


def test_the_autostart_box_adds_and_removes_the_login_item(qtbot, make_ctx, tmp_path, monkeypatch):
    import sys

    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("the XDG autostart folder is a Linux desktop's")
    from ui.views.settings import SettingsView

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    view = SettingsView(make_ctx())
    qtbot.addWidget(view)
    assert view.autostart.isEnabled() and not view.autostart.isChecked()
    view.autostart.setChecked(True)
    assert (tmp_path / "autostart" / "storemon.desktop").exists()
    assert "will start when you sign in" in view.language_message.text()
    view.autostart.setChecked(False)
    assert not (tmp_path / "autostart" / "storemon.desktop").exists()
