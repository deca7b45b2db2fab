"""The kiosk at the counter as staff use it: PIN sign-in and lockout, "I need help now" reaching the
store manager and the answer coming back, incidents with playbooks, authority and sensitive triggers,
promises, check-ins, support, and the automatic sign-out. The clock is a fake that tests advance."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from storemon.services import pins
from storemon.services.access import SYSTEM
from storemon.services.support_resources import AidContact, SupportResources
from tests.ui.conftest import UI_NOW, WAIT_MS
from tests.ui.screens import run_storemon
from ui.kiosk import KioskWindow
from ui.views.alerts import AlertsView

STAFF_PIN = "2468"
MANAGER_PIN = "1357"
STAFF_NAME = "朱涛涛"  # staff-sh001 in the UI demo chain
MANAGER_NAME = "张军娟"  # mgr-sh001


class Clock:
    """The kiosk's time: starts at UI_NOW and moves only when a test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(UI_NOW)


@pytest.fixture
def people(ui_db):
    """Staff ids of staff-sh001 and mgr-sh001, with their PINs set (the demo has no PINs)."""
    from sqlalchemy import select

    from storemon.db.models import User

    with ui_db.sessions.begin() as session:
        ids = dict(session.execute(select(User.username, User.staff_member_id)).all())
        pins.set_pin(session, ids["staff-sh001"], STAFF_PIN)
        pins.set_pin(session, ids["mgr-sh001"], MANAGER_PIN)
    return {"staff": ids["staff-sh001"], "manager": ids["mgr-sh001"]}


@pytest.fixture
def kiosk(qtbot, make_ctx, clock, people) -> KioskWindow:
    base = make_ctx("admin")
    terminal = base.services.kiosk.terminal(SYSTEM, "SH001")
    ctx = dataclasses.replace(base, actor=terminal.actor, clock=clock)
    window = KioskWindow(ctx, terminal)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    qtbot.waitUntil(lambda: bool(window.login.person_buttons), timeout=WAIT_MS)
    return window


def _type_pin(qtbot, window: KioskWindow, staff_id: int, pin: str) -> None:
    if window.login.selected_staff_id() != staff_id:
        qtbot.mouseClick(window.login.person_buttons[staff_id], Qt.MouseButton.LeftButton)
    for digit in pin:
        qtbot.mouseClick(window.login.pin_pad.keypad.buttons[digit], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(
        window.call_finished, check_params_cb=lambda key: key == "sign_in", timeout=WAIT_MS
    ):
        qtbot.mouseClick(window.login.sign_in_button, Qt.MouseButton.LeftButton)


def _sign_in(qtbot, window: KioskWindow, staff_id: int, pin: str = STAFF_PIN) -> None:
    _type_pin(qtbot, window, staff_id, pin)
    assert window.current_page() == "home", window.login.pin_status.text()


def _open(qtbot, window: KioskWindow, tile: str, loads: str | None = None) -> None:
    button = window.page("home").tiles[tile]
    if loads is None:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        return
    with qtbot.waitSignal(window.call_finished, check_params_cb=lambda key: key == loads, timeout=WAIT_MS):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_kiosk_acts_as_nobody_until_a_pin_signs_someone_in(qtbot, kiosk, people):
    assert kiosk.actor.username == "kiosk:SH001"
    names = [button.text() for button in kiosk.login.person_buttons.values()]
    assert STAFF_NAME in names and MANAGER_NAME in names
    assert not kiosk.sign_out_button.isVisible()
    kiosk.open_page("help")
    assert kiosk.current_page() == "login", "no screen but sign-in before a PIN"
    _sign_in(qtbot, kiosk, people["staff"])
    assert kiosk.actor.username == "staff-sh001"
    assert kiosk.page("home").greeting.text() == f"Hello {STAFF_NAME}, what do you need?"
    assert kiosk.user_label.text() == f"{STAFF_NAME} · Frontline staff"
    qtbot.mouseClick(kiosk.sign_out_button, Qt.MouseButton.LeftButton)
    assert kiosk.current_page() == "login" and kiosk.actor.username == "kiosk:SH001"
    assert kiosk.login.selected_staff_id() is None and kiosk.login.pin_pad.pin == ""


def test_five_wrong_pins_lock_with_a_countdown_and_the_right_pin_works_once_it_expires(
    qtbot, kiosk, clock, people
):
    staff = people["staff"]
    for left in (4, 3, 2, 1):
        _type_pin(qtbot, kiosk, staff, "0000")
        expected = "1 try left" if left == 1 else f"{left} tries left"
        assert expected in kiosk.login.pin_status.text()
    _type_pin(qtbot, kiosk, staff, "0000")
    assert kiosk.login.pin_status.text() == "Too many wrong PINs. Try again in 5:00."
    assert not kiosk.login.pin_pad.isEnabled() and not kiosk.login.sign_in_button.isEnabled()
    clock.advance(minutes=2, seconds=30)
    qtbot.waitUntil(lambda: kiosk.login.pin_status.text().endswith("2:30."), timeout=WAIT_MS)
    # The lockout is in the database: another kiosk of the store shows it too.
    with qtbot.waitSignal(kiosk.call_finished, check_params_cb=lambda key: key == "people", timeout=WAIT_MS):
        kiosk.load_people()
    assert kiosk.login.locked[staff] == UI_NOW + timedelta(minutes=5)
    clock.advance(minutes=2, seconds=31)
    qtbot.waitUntil(lambda: kiosk.login.pin_status.text() == "You can try again now.", timeout=WAIT_MS)
    _sign_in(qtbot, kiosk, staff)


def test_a_relief_request_reaches_the_store_manager_and_the_acknowledgement_comes_back(
    qtbot, kiosk, make_ctx, people
):
    _sign_in(qtbot, kiosk, people["staff"])
    qtbot.mouseClick(kiosk.page("home").help_tile, Qt.MouseButton.LeftButton)
    help_page = kiosk.page("help")
    assert not help_page.send_button.isEnabled(), "say what is happening first"
    qtbot.mouseClick(help_page.reason_buttons["queue"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(help_page.reason_buttons["unsafe"], Qt.MouseButton.LeftButton)
    assert help_page.urgency() == "high", "feeling unsafe is urgent by itself"
    with qtbot.waitSignal(kiosk.relief_changed, timeout=WAIT_MS):
        qtbot.mouseClick(help_page.send_button, Qt.MouseButton.LeftButton)
    status_page = kiosk.page("help_status")
    assert kiosk.current_page() == "help_status"
    assert status_page.headline.text() == "Sent — your shift lead / store manager has been paged."
    assert status_page.paged_label.text() == f"Paged: {MANAGER_NAME}"
    assert status_page.status_label.text() == "Waiting for an answer…"

    manager = AlertsView(make_ctx("mgr-sh001"))
    qtbot.addWidget(manager)
    manager.show()
    title = "Relief requested: The queue is too long; I feel unsafe"
    qtbot.waitUntil(lambda: title in manager.visible_titles(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: manager.select_alert(kiosk.relief.alert_id), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: manager.ack_button.isEnabled(), timeout=WAIT_MS)
    with qtbot.waitSignal(manager.acted, timeout=WAIT_MS):
        qtbot.mouseClick(manager.ack_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(
        lambda: status_page.status_label.text().startswith(f"{MANAGER_NAME} is on it"), timeout=WAIT_MS
    )
    assert status_page.status_label.text() == f"{MANAGER_NAME} is on it (since 11:30)."
    qtbot.mouseClick(status_page.home_button, Qt.MouseButton.LeftButton)
    home = kiosk.page("home")
    assert (
        home.status_tile.isVisible() and home.status_tile.subtitle_label.text() == f"{MANAGER_NAME} is on it"
    )


def test_an_incident_with_media_ticked_escalates_at_once_at_level_two(qtbot, kiosk, make_ctx, people):
    _sign_in(qtbot, kiosk, people["staff"])
    _open(qtbot, kiosk, "incident", loads="incident")
    page = kiosk.page("incident")
    page.choose_type("complaint")
    assert len(page.response_texts()) >= 3, "a playbook offers at least three responses"
    assert page.limit_label.text().startswith("Your authority limit: ¥100")
    qtbot.mouseClick(page.customer_buttons["irritable"], Qt.MouseButton.LeftButton)
    assert page.trigger_note.text() == "Ticking one of these tells your superior at once."
    page.trigger_boxes["media"].click()
    assert "told at once" in page.trigger_note.text()
    with qtbot.waitSignal(
        kiosk.call_finished, check_params_cb=lambda key: key == "incident", timeout=WAIT_MS
    ):
        qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    assert kiosk.current_page() == "home"
    assert "Your superior has been told at once." in kiosk.page("home").message.text()

    admin = make_ctx("admin")
    [alert] = admin.services.alerts.list(admin.actor, rule="incident")
    assert alert.level == 2 and alert.sensitive and alert.details["triggers"] == ["media"]
    assert alert.store_code == "SH001"


def test_every_incident_type_has_a_playbook_of_at_least_three_responses(qtbot, kiosk, people):
    _sign_in(qtbot, kiosk, people["staff"])
    _open(qtbot, kiosk, "incident", loads="incident")
    page = kiosk.page("incident")
    assert page.type_buttons
    for incident_type in page.type_buttons:
        page.choose_type(incident_type)
        assert len(page.response_texts()) >= 3, incident_type


def test_compensation_above_the_limit_is_approved_by_a_colleagues_pin_or_sent_for_approval(
    qtbot, kiosk, make_ctx, people, ui_db
):
    from sqlalchemy import select

    from storemon.db.models import Incident

    _sign_in(qtbot, kiosk, people["staff"])
    _open(qtbot, kiosk, "incident", loads="incident")
    page = kiosk.page("incident")
    page.choose_type("refund_demand")
    qtbot.mouseClick(page.customer_buttons["opportunistic"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.response_buttons[0], Qt.MouseButton.LeftButton)
    assert page.compensation.text() == "40", "the response's amount"
    assert not page.approval_strip.text() and not page.approve_here.isVisible()
    page.compensation.setText("150")
    assert page.approval_strip.text().startswith("Above your limit of ¥100")
    assert page.submit_button.text() == "Record and ask for approval"

    with qtbot.waitSignal(
        kiosk.call_finished, check_params_cb=lambda key: key == "approvers", timeout=WAIT_MS
    ):
        qtbot.mouseClick(page.approve_here, Qt.MouseButton.LeftButton)
    assert list(page.approver_buttons) == [people["manager"]], "the store manager may grant 150 alone"
    qtbot.mouseClick(page.approver_buttons[people["manager"]], Qt.MouseButton.LeftButton)
    for digit in "9999":
        qtbot.mouseClick(page.approver_pad.keypad.buttons[digit], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(kiosk.call_finished, check_params_cb=lambda key: key == "approve", timeout=WAIT_MS):
        qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert page.approver_status.text() == "Wrong PIN. 4 tries left."
    for digit in MANAGER_PIN:
        qtbot.mouseClick(page.approver_pad.keypad.buttons[digit], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(kiosk.call_finished, check_params_cb=lambda key: key == "approve", timeout=WAIT_MS):
        qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert page.approval_strip.text() == f"Approved by {MANAGER_NAME} for ¥150."
    assert page.submit_button.text() == "Record incident"
    with qtbot.waitSignal(
        kiosk.call_finished, check_params_cb=lambda key: key == "incident", timeout=WAIT_MS
    ):
        qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    assert f"Approved by {MANAGER_NAME}." in kiosk.page("home").message.text()

    # Without a colleague at hand: recorded unapproved, and the manager is asked.
    _open(qtbot, kiosk, "incident", loads="incident")
    page.choose_type("refund_demand")
    qtbot.mouseClick(page.customer_buttons["rational_demanding"], Qt.MouseButton.LeftButton)
    page.compensation.setText("120")
    with qtbot.waitSignal(
        kiosk.call_finished, check_params_cb=lambda key: key == "incident", timeout=WAIT_MS
    ):
        qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    assert "sent for approval" in kiosk.page("home").message.text()
    with ui_db.sessions() as session:
        rows = session.execute(
            select(Incident.compensation, Incident.approved_by).order_by(Incident.id.desc())
        ).all()
    assert [(float(amount), by) for amount, by in rows[:2]] == [(120.0, None), (150.0, "mgr-sh001")]
    manager = make_ctx("mgr-sh001")
    [approval] = manager.services.alerts.list(manager.actor, rule="compensation_approval")
    assert approval.level == 2 and approval.details["amount"] == "120"


def test_a_check_in_is_stored_and_staff_see_only_their_own(qtbot, kiosk, make_ctx, people, ui_db):
    from storemon.services.checkins import checkins_for

    manager = make_ctx("mgr-sh001")
    manager.services.kiosk.check_in(manager.actor, 2, "tired but fine", False, UI_NOW)
    _sign_in(qtbot, kiosk, people["staff"])
    _open(qtbot, kiosk, "checkin", loads="check_ins")
    page = kiosk.page("checkin")
    assert not page.save_button.isEnabled() and not page.share.isEnabled()
    qtbot.mouseClick(page.score_buttons[5], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.note, "Alone through the lunch rush again")
    page.share.click()
    with qtbot.waitSignal(kiosk.call_finished, check_params_cb=lambda key: key == "checkin", timeout=WAIT_MS):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert kiosk.page("home").message.text().startswith("Thank you. Saved")
    _open(qtbot, kiosk, "checkin", loads="check_ins")
    assert page.recent.text().startswith("• 03-09 11:30   5/5   Very hard")

    staff = make_ctx("staff-sh001")
    mine = staff.services.kiosk.my_check_ins(staff.actor, UI_NOW - timedelta(days=30))
    assert mine[0].score == 5 and mine[0].note == "Alone through the lunch rush again" and mine[0].note_shared
    with ui_db.sessions() as session:
        seen_by_staff = checkins_for(session, staff.actor, "SH001", since=UI_NOW)
        seen_by_manager = checkins_for(session, manager.actor, "SH001", since=UI_NOW)
    assert [(row.staff_name, row.score) for row in seen_by_staff] == [(STAFF_NAME, 5)], "only their own"
    notes = {row.staff_name: row.note for row in seen_by_manager}
    assert notes == {STAFF_NAME: "Alone through the lunch rush again", MANAGER_NAME: "tired but fine"}


def test_a_promised_callback_becomes_a_tracked_commitment(qtbot, kiosk, people):
    _sign_in(qtbot, kiosk, people["staff"])
    _open(qtbot, kiosk, "promise", loads="promises")
    page = kiosk.page("promise")
    qtbot.keyClicks(page.text, "Call Ms Wang back about the refund")
    qtbot.mouseClick(page.quick[120], Qt.MouseButton.LeftButton)
    assert page.due_label.text() == "Due today at 13:30"
    qtbot.mouseClick(page.minus, Qt.MouseButton.LeftButton)
    assert page.due_label.text() == "Due today at 13:15"
    with qtbot.waitSignal(kiosk.call_finished, check_params_cb=lambda key: key == "promise", timeout=WAIT_MS):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert kiosk.page("home").message.text() == "Promise saved for 13:15. You will be reminded."
    _open(qtbot, kiosk, "promise", loads="promises")
    assert "13:15  Call Ms Wang back about the refund" in page.open_list.text()


def test_support_shows_the_chains_resources_or_the_public_hotline(qtbot, kiosk, make_ctx, people):
    _sign_in(qtbot, kiosk, people["staff"])
    _open(qtbot, kiosk, "support", loads="support")
    page = kiosk.page("support")
    assert page.hotline.text() == "12356"
    assert MANAGER_NAME in page.contacts.text()
    admin = make_ctx("admin")
    admin.services.policies.save_support_resources(
        admin.actor,
        SupportResources(
            hotline_number="400-820-1234",
            hotline_hours="24 h",
            mutual_aid=(AidContact("Li Lei", "138 1234 5678", "SH004 shift lead"),),
            mental_health_sessions="Every second Tuesday, 15:00, head office",
        ),
    )
    qtbot.mouseClick(kiosk.home_button, Qt.MouseButton.LeftButton)
    _open(qtbot, kiosk, "support", loads="support")
    assert page.hotline.text() == "400-820-1234" and page.hotline_note.text() == "24 h"
    assert "Li Lei   138 1234 5678   (SH004 shift lead)" in page.contacts.text()
    assert page.sessions.text() == "Every second Tuesday, 15:00, head office"


def test_two_minutes_without_a_touch_signs_out_and_forgets_the_form(qtbot, kiosk, clock, people):
    _sign_in(qtbot, kiosk, people["staff"])
    _open(qtbot, kiosk, "promise", loads="promises")
    qtbot.keyClicks(kiosk.page("promise").text, "private detail")
    clock.advance(seconds=105)
    qtbot.waitUntil(lambda: "signing out in 15 s" in kiosk.idle_strip.text(), timeout=WAIT_MS)
    clock.advance(seconds=16)
    with qtbot.waitSignal(kiosk.signed_out, timeout=WAIT_MS):
        pass
    assert kiosk.current_page() == "login"
    assert kiosk.login.message.text() == "Signed out after 2 minutes without activity."
    assert kiosk.page("promise").text.text() == ""


def test_waiting_for_help_is_never_signed_out(qtbot, kiosk, clock, people):
    _sign_in(qtbot, kiosk, people["staff"])
    qtbot.mouseClick(kiosk.page("home").help_tile, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.page("help").reason_buttons["break"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(kiosk.relief_changed, timeout=WAIT_MS):
        qtbot.mouseClick(kiosk.page("help").send_button, Qt.MouseButton.LeftButton)
    clock.advance(minutes=3)
    with qtbot.waitSignal(kiosk._tick_timer.timeout, timeout=WAIT_MS):
        pass
    assert kiosk.current_page() == "help_status" and kiosk.profile is not None


def test_chinese_fits_on_the_kiosk(qtbot, make_ctx, clock, people):
    base = make_ctx("admin", language="zh_CN")
    terminal = base.services.kiosk.terminal(SYSTEM, "SH001")
    window = KioskWindow(dataclasses.replace(base, actor=terminal.actor, clock=clock), terminal)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    qtbot.waitUntil(lambda: bool(window.login.person_buttons), timeout=WAIT_MS)
    _sign_in(qtbot, window, people["staff"])
    for button in [window.sign_out_button, *window.page("home").tiles.values()]:
        assert button.width() >= button.minimumSizeHint().width()
        assert button.height() >= 64


def test_kiosk_smoke_start_from_the_command_line(tmp_path, demo_db_file):
    database = tmp_path / "kiosk.sqlite3"
    shutil.copy(demo_db_file, database)
    url = f"sqlite:///{database}"
    result = run_storemon(tmp_path, "--db", url, "kiosk", "--store", "SH001", "--smoke")
    assert result.returncode == 0, result.stderr
    missing = run_storemon(tmp_path, "--db", url, "kiosk", "--store", "XX999")
    assert missing.returncode != 0 and "XX999" in missing.stderr
