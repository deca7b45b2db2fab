"""Answers given from the phone (storemon web) reach the desktop: Today's call buttons and the
kiosk's help status say who is coming and when, through the services they already poll."""

from __future__ import annotations

from PySide6.QtCore import Qt

from storemon.services.access import SYSTEM
from storemon.services.phone_links import signer
from tests.ui.conftest import UI_NOW, WAIT_MS
from tests.ui.test_kiosk import MANAGER_NAME, _sign_in, clock, kiosk, people  # noqa: F401
from ui.views.today import TodayView


def _answer_from_phone(services, alert_id: int, person: str, choice: str, minutes: int) -> None:
    """What storemon web does with a POST: open the signed link, answer through the use case."""
    key = signer(create=True)  # storemon web makes it on first start
    link = services.phone_links.make_link(SYSTEM, alert_id, person, UI_NOW, "https://storemon.example")
    claims = key.open(link.rsplit("/a/", 1)[1], UI_NOW)
    services.phone_links.answer(claims, choice, UI_NOW, minutes)


def test_today_shows_a_colleague_coming_after_accepting_from_the_phone(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    view = TodayView(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    buttons = view.call_buttons
    qtbot.waitUntil(lambda: buttons.backup_button.isEnabled(), timeout=WAIT_MS)
    with qtbot.waitSignal(buttons.call_sent, timeout=WAIT_MS) as sent:
        qtbot.mouseClick(buttons.backup_button, Qt.MouseButton.LeftButton)
    alert_id = sent.args[1]
    offered = min(
        n.username for n in ctx.services.alerts.notices(SYSTEM, alert_id) if n.kind == "cover_offer"
    )
    _answer_from_phone(ctx.services, alert_id, offered, "accept", 20)
    name = ctx.services.alerts.display_names(SYSTEM)[offered]
    # 11:30 in Shanghai plus 20 minutes, in the store's time; the person by name, not user id.
    qtbot.waitUntil(
        lambda: buttons.backup_status.text().startswith(f"{name} is coming, expected 11:50"), timeout=WAIT_MS
    )


def test_the_kiosk_shows_the_manager_coming_after_answering_from_the_phone(qtbot, kiosk, people):  # noqa: F811
    _sign_in(qtbot, kiosk, people["staff"])
    qtbot.mouseClick(kiosk.page("home").help_tile, Qt.MouseButton.LeftButton)
    help_page = kiosk.page("help")
    qtbot.mouseClick(help_page.reason_buttons["queue"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(kiosk.relief_changed, timeout=WAIT_MS):
        qtbot.mouseClick(help_page.send_button, Qt.MouseButton.LeftButton)
    status_page = kiosk.page("help_status")
    _answer_from_phone(kiosk.ctx.services, kiosk.relief.alert_id, "mgr-sh001", "coming", 10)
    expected = f"{MANAGER_NAME} is coming, expected 11:40."
    qtbot.waitUntil(lambda: expected in status_page.status_label.text(), timeout=WAIT_MS)
    assert status_page.status_label.text().startswith(f"{MANAGER_NAME} is on it (since 11:30).")
    qtbot.mouseClick(status_page.home_button, Qt.MouseButton.LeftButton)
    tile = kiosk.page("home").status_tile
    assert tile.isVisible() and tile.subtitle_label.text() == f"{MANAGER_NAME} is coming, expected 11:40"


def test_editing_channels_in_settings_keeps_a_groups_person_links():
    from ui.widgets.channels_editor import ChannelDraft

    saved = {"name": "grp", "type": "dingtalk", "settings": {"url": "***"}, "person_links": True}
    assert ChannelDraft.from_saved(saved).to_channel()["person_links"] is True
    assert "person_links" not in ChannelDraft.from_saved({**saved, "person_links": False}).to_channel()
