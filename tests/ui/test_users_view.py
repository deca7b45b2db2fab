"""Rights before the click and the Users screen: what each role's sidebar holds, head office's
account work checked in the database, and signing out to let someone else in."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from shiboken6 import Shiboken
from sqlalchemy import select

from storemon.db.models import Role, StaffMember, User
from storemon.services import auth, pins
from storemon.services.access import SYSTEM
from tests.ui.conftest import UI_NOW, WAIT_MS
from ui.app import WindowHost
from ui.login import LoginDialog
from ui.main_window import MainWindow
from ui.views.user_dialogs import PasswordDialog, PinDialog, UserDialog
from ui.views.users import UsersView

LEFT = Qt.MouseButton.LeftButton
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """argon2 at its cheapest: these tests set passwords and PINs, they do not measure hashing."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(pins, "_hasher", lambda: cheap)


def _sidebar(window: MainWindow) -> list[str]:
    return [window.nav.item(row).data(Qt.ItemDataRole.UserRole) for row in range(window.nav.count())]


def test_a_store_manager_has_no_audit_or_users_in_the_sidebar(qtbot, make_ctx):
    manager = make_ctx("mgr-sh001")
    window = MainWindow(manager)
    qtbot.addWidget(window)
    assert "audit" not in _sidebar(window) and "users" not in _sidebar(window)
    assert {"today", "alerts", "policies"} <= set(_sidebar(window))
    view_menu = window.menuBar().actions()[1].menu()
    assert len(view_menu.actions()) == len(_sidebar(window)), "nor in the View menu"
    window.show_view("audit")
    assert window.current_view_key() != "audit"

    head_office = MainWindow(make_ctx("admin"))
    qtbot.addWidget(head_office)
    assert {"audit", "users"} <= set(_sidebar(head_office))


@pytest.fixture
def users_view(qtbot, ctx):
    view = UsersView(ctx)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitUntil(lambda: view.table.rowCount() > 10 and not view.busy.busy, timeout=WAIT_MS)
    return view


def _user(ctx, username: str) -> User:
    with ctx.services.database.sessions() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        session.expunge(user)
        return user


def _submit(qtbot, view: UsersView, dialog) -> None:
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: view.dialog is None and not view.busy.busy, timeout=WAIT_MS)


def _type(qtbot, field, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)


def test_head_office_adds_a_user_and_changes_their_role(qtbot, users_view):
    view, ctx = users_view, users_view.ctx
    qtbot.mouseClick(view.add_button, LEFT)
    dialog = view.dialog
    assert isinstance(dialog, UserDialog)
    _type(qtbot, dialog.username, "li.na")
    dialog.display_name.insert("李娜")  # as an input method commits it (keyClicks types ASCII only)
    dialog.role.setCurrentIndex(dialog.role.findData(Role.SHIFT_LEAD.value))
    assert dialog.store.isEnabled() and not dialog.region.isEnabled()
    dialog.store.setCurrentIndex(dialog.store.findData("SH004"))
    _submit(qtbot, view, dialog)
    qtbot.waitUntil(lambda: any(r.username == "li.na" for r in view.rows), timeout=WAIT_MS)
    added = _user(ctx, "li.na")
    assert added.role is Role.SHIFT_LEAD and added.display_name == "李娜" and added.active
    assert "User added" in view.message.text()

    view.select_user("li.na")
    qtbot.mouseClick(view.edit_button, LEFT)
    dialog = view.dialog
    assert dialog.username.isReadOnly() and dialog.store.currentData() == "SH004"
    dialog.role.setCurrentIndex(dialog.role.findData(Role.OPS_SUPERVISOR.value))
    assert dialog.region.isEnabled() and not dialog.store.isEnabled()
    _submit(qtbot, view, dialog)
    changed = _user(ctx, "li.na")
    assert changed.role is Role.OPS_SUPERVISOR and changed.store_id is None and changed.region_id is not None
    row = next(r for r in view.rows if r.username == "li.na")
    assert row.region and view.table.item(view.table.currentRow(), 2).text() == "Operations supervisor"


def test_a_taken_user_name_keeps_the_dialog_open_with_the_reason(qtbot, users_view):
    view, ctx = users_view, users_view.ctx
    qtbot.mouseClick(view.add_button, LEFT)
    dialog = view.dialog
    _type(qtbot, dialog.username, "MGR-sh001")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.STAFF.value))
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.message.kind == "warning" and "already taken" in dialog.message.text()
    # Taken by someone on another PC after the dialog opened: the services refuse, the dialog stays.
    ctx.services.users.add(SYSTEM, "wang.wei", Role.STAFF, UI_NOW, store="SH001")
    _type(qtbot, dialog.username, "wang.wei")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: dialog.message.kind == "error", timeout=WAIT_MS)
    assert "already exists" in dialog.message.text() and view.dialog is dialog
    dialog.reject()


def test_the_last_administrator_stays_one(qtbot, make_ctx):
    view = UsersView(make_ctx("director"))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.table.rowCount() > 10 and not view.busy.busy, timeout=WAIT_MS)
    view.select_user("admin")
    assert not view.deactivate_button.isEnabled()
    assert "last active administrator" in view.deactivate_button.toolTip()
    qtbot.mouseClick(view.edit_button, LEFT)
    dialog = view.dialog
    dialog.role.setCurrentIndex(dialog.role.findData(Role.EXECUTIVE.value))
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.message.kind == "warning" and "last active administrator" in dialog.message.text()
    assert _user(view.ctx, "admin").role is Role.ADMIN
    dialog.reject()


def test_head_office_sets_a_password_and_a_kiosk_pin(qtbot, users_view):
    view, ctx = users_view, users_view.ctx
    view.select_user("staff-sh001")
    assert view.password_button.isEnabled() and view.pin_button.isEnabled()
    qtbot.mouseClick(view.password_button, LEFT)
    dialog = view.dialog
    assert isinstance(dialog, PasswordDialog)
    _type(qtbot, dialog.password, "short")
    _type(qtbot, dialog.repeat, "short")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.message.kind == "warning" and view.dialog is dialog, "a too-short password stays here"
    assert "at least 10 characters" in dialog.message.text()
    _type(qtbot, dialog.password, PASSWORD)
    _type(qtbot, dialog.repeat, PASSWORD)
    _submit(qtbot, view, dialog)
    assert ctx.services.auth.sign_in("staff-sh001", PASSWORD, UI_NOW).username == "staff-sh001"

    view.select_user("staff-sh001")
    staff_id = _user(ctx, "staff-sh001").staff_member_id
    qtbot.mouseClick(view.pin_button, LEFT)
    dialog = view.dialog
    assert isinstance(dialog, PinDialog)
    qtbot.keyClicks(dialog.pin, "48a15")  # the letter is refused as typed
    assert dialog.pin.text() == "4815"
    _type(qtbot, dialog.repeat, "4815")
    _submit(qtbot, view, dialog)
    assert "Kiosk PIN set" in view.message.text()
    with ctx.services.database.sessions() as session:
        assert pins.verify_pin(session, staff_id, "4815", UI_NOW).ok
        assert session.get(StaffMember, staff_id).pin_hash


def test_an_account_without_a_staff_record_says_why_it_has_no_pin(qtbot, users_view):
    view = users_view
    view.select_user("director")
    assert not view.pin_button.isEnabled() and "no staff record" in view.pin_button.toolTip()
    view.select_user("admin")
    assert not view.deactivate_button.isEnabled() and "your own account" in view.deactivate_button.toolTip()


def test_head_office_deactivates_a_user(qtbot, users_view):
    view, ctx = users_view, users_view.ctx
    view.select_user("staff-sz002")
    qtbot.mouseClick(view.deactivate_button, LEFT)
    box = view.confirm_box
    assert box is not None and "staff-sz002" in box.text()
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    qtbot.mouseClick(yes, LEFT)
    qtbot.waitUntil(lambda: all(r.username != "staff-sz002" for r in view.rows), timeout=WAIT_MS)
    assert not _user(ctx, "staff-sz002").active
    view.show_inactive.setChecked(True)
    qtbot.waitUntil(lambda: any(r.username == "staff-sz002" for r in view.rows), timeout=WAIT_MS)


def test_a_service_director_may_manage_users_but_not_set_others_passwords(qtbot, make_ctx):
    view = UsersView(make_ctx("director"))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.table.rowCount() > 10, timeout=WAIT_MS)
    view.select_user("mgr-sh001")
    assert view.add_button.isEnabled() and view.edit_button.isEnabled()
    assert not view.password_button.isEnabled()
    assert "Only an administrator" in view.password_button.toolTip()


def _sign_in(qtbot, dialog: LoginDialog, username: str) -> None:
    _type(qtbot, dialog.username, username)
    _type(qtbot, dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, LEFT)


def test_sign_out_returns_to_login_and_another_user_gets_their_own_sidebar(qtbot, ctx):
    ctx.services.auth.set_password(SYSTEM, "mgr-sh001", PASSWORD, UI_NOW)
    host = WindowHost(ctx)
    first = host.window  # not handed to qtbot: the sign-in deletes it
    first.show()
    assert "audit" in _sidebar(first)
    first.sign_out_action.trigger()
    login = host.login
    assert isinstance(login, LoginDialog) and login.isVisible()
    assert not first.isVisible()
    _sign_in(qtbot, login, "mgr-sh001")
    qtbot.waitUntil(lambda: host.window is not first and host.window.isVisible(), timeout=WAIT_MS)
    second = host.window
    qtbot.addWidget(second)
    assert ctx.actor.username == "mgr-sh001" and "mgr-sh001" in second.user_label.text()
    assert "audit" not in _sidebar(second) and "users" not in _sidebar(second)
    qtbot.waitUntil(lambda: not Shiboken.isValid(first), timeout=WAIT_MS)


def test_switch_user_keeps_the_window_when_the_other_person_cancels(qtbot, ctx):
    host = WindowHost(ctx)
    window = host.window
    qtbot.addWidget(window)
    window.show()
    window.switch_user_action.trigger()
    login = host.login
    assert login is not None and login.isVisible() and window.isVisible()
    login.reject()
    qtbot.waitUntil(lambda: host.login is None, timeout=WAIT_MS)
    assert host.window is window and window.isVisible() and ctx.actor.username == "admin"


def test_import_is_offered_only_to_roles_that_may_import(qtbot, make_ctx):
    lead = make_ctx("lead-sh004")
    window = MainWindow(lead)
    qtbot.addWidget(window)
    assert not window.import_action.isEnabled()
    assert "store manager" in window.import_action.toolTip()
    assert not lead.services.imports.may_import(lead.actor)
    manager = MainWindow(make_ctx("mgr-sh001"))
    qtbot.addWidget(manager)
    assert manager.import_action.isEnabled()


def test_switch_user_rebuilds_the_window_for_the_colleague_who_signs_in(qtbot, ctx):
    ctx.services.auth.set_password(SYSTEM, "sup-east", PASSWORD, UI_NOW)
    host = WindowHost(ctx)
    first = host.window  # deleted once the colleague is in
    first.show()
    first.switch_user_action.trigger()
    _sign_in(qtbot, host.login, "sup-east")
    qtbot.waitUntil(lambda: host.window is not first and host.window.isVisible(), timeout=WAIT_MS)
    second = host.window
    qtbot.addWidget(second)
    assert ctx.actor.username == "sup-east" and "sup-east" in second.user_label.text()
    assert "region" in _sidebar(second) and "users" not in _sidebar(second)
    qtbot.waitUntil(lambda: not Shiboken.isValid(first), timeout=WAIT_MS)
