"""Notification channels in Settings: editing, secrets kept out of the UI and database, "Send test"."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from storemon.db.models import Setting
from storemon.services.access import AccessDenied
from storemon.services.secrets import CHANNELS_KEY, default_store
from tests.alerts.servers import HttpServer, Reply
from tests.ui.conftest import WAIT_MS
from ui.views.settings import SettingsView

LEFT = Qt.MouseButton.LeftButton
SECRET = "s3cret-signing-key"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.fixture
def server():
    server = HttpServer().start()
    yield server
    server.stop()


@pytest.fixture
def open_view(qtbot):
    def open_(ctx) -> SettingsView:
        view = SettingsView(ctx)
        qtbot.addWidget(view)
        view.resize(1280, 900)
        view.show()
        qtbot.waitUntil(lambda: view.channels_loaded and _settled(view), timeout=WAIT_MS)
        return view

    return open_


def _settled(view: SettingsView) -> bool:
    return not view.busy.busy and not view.ctx.tasks.busy


def _field(view: SettingsView, key: str) -> QLineEdit:
    edit = view.channels.fields[key]
    assert isinstance(edit, QLineEdit)
    return edit


def _add_webhook(qtbot, view: SettingsView, name: str, url: str, secret: str = "") -> None:
    qtbot.mouseClick(view.channels.add_button, LEFT)
    view.channels.name.clear()
    qtbot.keyClicks(view.channels.name, name)
    view.channels.type.setCurrentIndex(view.channels.type.findData("webhook"))
    qtbot.keyClicks(_field(view, "url"), url)
    if secret:
        qtbot.keyClicks(_field(view, "secret"), secret)


def _save_webhook(qtbot, ctx, open_view, url: str) -> SettingsView:
    view = open_view(ctx)
    _add_webhook(qtbot, view, "Ops hook", url, SECRET)
    view.channels.level_boxes[1].setChecked(False)
    assert view.channels.problem.text() == ""
    qtbot.mouseClick(view.save_channels_button, LEFT)
    qtbot.waitUntil(lambda: view.channels_message.kind == "success" and _settled(view), timeout=WAIT_MS)
    return view


def test_a_saved_webhook_keeps_its_secrets_out_of_the_ui_and_database(qtbot, ctx, open_view, server):
    view = _save_webhook(qtbot, ctx, open_view, server.url())
    assert "secrets.json" in view.secrets_note.text(), "no keyring here: the file is named"

    with ctx.services.database.sessions() as session:
        stored = json.dumps(session.get(Setting, CHANNELS_KEY).value)
    assert SECRET not in stored and server.url() not in stored, "secrets never go to the database"
    assert default_store().get("channel.Ops hook.secret") == SECRET

    again = open_view(ctx)
    assert again.channels.list.count() == 1
    assert "Ops hook" in again.channels.list.item(0).text()
    assert "levels 2, 3, 4, 5" in again.channels.list.item(0).text()
    secret = _field(again, "secret")
    assert secret.text() == "" and "stored" in secret.placeholderText()
    assert secret.echoMode() == QLineEdit.EchoMode.Password
    assert _field(again, "url").text() == "" and "stored" in _field(again, "url").placeholderText()


def test_send_test_reaches_the_server_labelled_as_a_test(qtbot, ctx, open_view, server):
    _save_webhook(qtbot, ctx, open_view, server.url())
    view = open_view(ctx)
    qtbot.mouseClick(view.channels.test_button, LEFT)
    assert not view.channels.test_button.isEnabled(), "sent off the GUI thread; the button waits"
    qtbot.waitUntil(lambda: view.channels.test_result.kind == "success" and _settled(view), timeout=WAIT_MS)
    assert "Test message sent" in view.channels.test_result.text()
    assert len(server.requests) == 1
    body = server.requests[0].json()
    assert body["kind"] == "test" and "test message" in body["title"]
    assert server.requests[0].header("X-Storemon-Signature"), "the stored secret signs the request"
    assert view.channels.test_button.isEnabled()


def test_a_failing_server_shows_why_without_the_secret(qtbot, ctx, open_view):
    failing = HttpServer(Reply(500, b"boom")).start()
    try:
        view = open_view(ctx)
        _add_webhook(qtbot, view, "Broken hook", failing.url("/token-abc123"), SECRET)
        qtbot.mouseClick(view.channels.test_button, LEFT)
        qtbot.waitUntil(lambda: view.channels.test_result.kind == "error" and _settled(view), timeout=WAIT_MS)
    finally:
        failing.stop()
    text = view.channels.test_result.text()
    assert "Test failed" in text and "500" in text
    assert SECRET not in text and "token-abc123" not in text
    assert len(failing.requests) >= 1


def test_an_invalid_url_names_the_setting(qtbot, ctx, open_view):
    view = open_view(ctx)
    _add_webhook(qtbot, view, "Typo hook", "hooks.example.com/abc")
    text = view.channels.problem.text()
    assert "url" in text and "Web address" in text and "http" in text
    assert _field(view, "url").property("issue") == "error"
    qtbot.mouseClick(view.save_channels_button, LEFT)
    assert view.channels_message.kind == "error" and "url" in view.channels_message.text()
    assert ctx.services.settings.notification_channels() == []


def test_a_store_manager_sees_the_channels_read_only(qtbot, ctx, make_ctx, open_view, server, tmp_path):
    _save_webhook(qtbot, ctx, open_view, server.url())
    manager = make_ctx("mgr-sh001")
    view = open_view(manager)
    assert "Only head office" in view.channels_message.text()
    assert view.channels.list.count() == 1
    for widget in (view.channels.add_button, view.channels.remove_button, view.channels.test_button):
        assert not widget.isEnabled()
    assert _field(view, "timeout").isReadOnly()
    assert not view.save_channels_button.isEnabled()
    with pytest.raises(AccessDenied):
        manager.services.settings.save_notification_channels(manager.actor, [])
    with pytest.raises(AccessDenied):
        manager.services.settings.send_channel_test(manager.actor, view.channels.channels()[0])
    assert len(server.requests) == 0
