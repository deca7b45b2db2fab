"""The Alerts screen as a store manager and a regional manager use it: a live list, filters, the
detail with its timeline, and acknowledge / resolve / comment / reassign / snooze / accept cover."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from storemon.services.access import SYSTEM
from tests.ui.conftest import UI_NOW, WAIT_MS
from ui.views.alerts import AlertsView


def _view(qtbot, ctx) -> AlertsView:
    view = AlertsView(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.show()
    return view


def _relief(ctx, reason="Queue out the door, alone", urgency="high", who="staff-sh001") -> int:
    services = ctx.services
    actor = services.auth.actor(who)
    return services.calls.relief_request(actor, actor.store_id, reason, UI_NOW, urgency)


def _select(qtbot, view: AlertsView, alert_id: int) -> None:
    qtbot.waitUntil(lambda: view.select_alert(alert_id), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(view.timeline_rows()), timeout=WAIT_MS)


def test_an_alert_raised_elsewhere_appears_within_the_poll_and_the_selection_stays(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    view = _view(qtbot, ctx)
    first = _relief(ctx, "Espresso machine down")
    qtbot.waitUntil(
        lambda: "Relief requested: Espresso machine down" in view.visible_titles(), timeout=WAIT_MS
    )
    _select(qtbot, view, first)
    # Another PC (the backup call of a colleague) changes the list; the selection stays on the relief.
    services = ctx.services
    services.calls.call_backup(services.auth.actor("mgr-sh001"), ctx.actor.store_id, UI_NOW, "rush")
    qtbot.waitUntil(lambda: "Backup needed now" in view.visible_titles(), timeout=WAIT_MS)
    assert view.selected_alert_id() == first
    assert view.detail_title.text() == "Relief requested: Espresso machine down"
    assert view.fact_values["asked"].text() != "—"


def test_the_list_shows_only_the_users_stores_and_filters_by_status_severity_and_text(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    _relief(ctx, "Alone with a queue")
    ctx.services.calls.call_manager(ctx.actor, ctx.actor.store_id, UI_NOW, "")
    other = ctx.services.auth.actor("staff-sh004")
    ctx.services.calls.relief_request(other, other.store_id, "Not my store", UI_NOW, "low")
    view = _view(qtbot, ctx)
    qtbot.waitUntil(lambda: "Relief requested: Alone with a queue" in view.visible_titles(), timeout=WAIT_MS)
    assert "Relief requested: Not my store" not in view.visible_titles(), "outside the manager's scope"
    view.severity_combo.setCurrentIndex(view.severity_combo.findData("info"))
    assert "Relief requested: Alone with a queue" not in view.visible_titles(), "it is critical"
    view.severity_combo.setCurrentIndex(view.severity_combo.findData("critical"))
    qtbot.keyClicks(view.search_edit, "queue")
    assert view.visible_titles() == ["Relief requested: Alone with a queue"]
    assert view.count_label.text() == "1 of 2 shown"
    view.search_edit.clear()
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.status_combo.setCurrentIndex(view.status_combo.findData("resolved"))
    assert "Relief requested: Alone with a queue" not in view.visible_titles()


def test_acknowledge_then_resolve_with_a_note_shows_in_the_timeline_with_local_times(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    alert_id = _relief(ctx)
    view = _view(qtbot, ctx)
    _select(qtbot, view, alert_id)
    rows = view.timeline_rows()
    assert rows[0][:2] == ("11:30:00", "Raised"), "Shanghai time, not UTC"
    assert any(what == "Paged" and "张军娟" in who for _t, what, who, _d in rows), "who was told"
    changed = []
    ctx.events.alerts_changed.connect(lambda: changed.append(True))
    with qtbot.waitSignal(view.acted, timeout=WAIT_MS):
        qtbot.mouseClick(view.ack_button, Qt.MouseButton.LeftButton)
    assert changed, "other screens hear about it"
    qtbot.waitUntil(lambda: view.fact_values["status"].text() == "Acknowledged", timeout=WAIT_MS)
    assert view.fact_values["owner"].text() == "张军娟"
    assert not view.ack_button.isEnabled()
    assert any(what == "Acknowledged" and who == "张军娟" for _t, what, who, _d in view.timeline_rows())

    qtbot.mouseClick(view.resolve_button, Qt.MouseButton.LeftButton)
    assert view.inline.isVisible()
    qtbot.keyClicks(view.note_edit, "Sent him on a break, I took the counter")
    with qtbot.waitSignal(view.acted, timeout=WAIT_MS):
        qtbot.mouseClick(view.note_confirm, Qt.MouseButton.LeftButton)
    assert view.message.text() == "Alert resolved."
    # Active alerts only: the resolved one leaves the list and the detail pane says so.
    qtbot.waitUntil(lambda: view.model.row_of(alert_id) == -1, timeout=WAIT_MS)
    assert view.detail_stack.currentIndex() == 0
    _view_all = view.status_combo.findData("all")
    view.status_combo.setCurrentIndex(_view_all)
    _select(qtbot, view, alert_id)
    assert any(
        what == "Resolved" and "I took the counter" in details
        for _t, what, _w, details in view.timeline_rows()
    )


def test_comment_reassign_and_snooze(qtbot, make_ctx):
    ctx = make_ctx("sup-east")
    alert_id = _relief(ctx)
    view = _view(qtbot, ctx)
    _select(qtbot, view, alert_id)

    qtbot.mouseClick(view.comment_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.note_confirm, Qt.MouseButton.LeftButton)
    assert view.message.text() == "Write the comment first."
    qtbot.keyClicks(view.note_edit, "Calling the store now")
    with qtbot.waitSignal(view.acted, timeout=WAIT_MS):
        qtbot.mouseClick(view.note_confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any(
            what == "Comment" and d == "Calling the store now" for _t, what, _w, d in view.timeline_rows()
        ),
        timeout=WAIT_MS,
    )

    qtbot.mouseClick(view.reassign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.reassign_confirm.isEnabled(), timeout=WAIT_MS)
    people = [view.reassign_combo.itemData(i) for i in range(view.reassign_combo.count())]
    assert "mgr-sh001" in people and "sup-east" not in people and "mgr-sh004" not in people
    view.reassign_combo.setCurrentIndex(people.index("mgr-sh001"))
    with qtbot.waitSignal(view.acted, timeout=WAIT_MS):
        qtbot.mouseClick(view.reassign_confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.fact_values["owner"].text() == "张军娟", timeout=WAIT_MS)
    assert "张军娟" in view.message.text()

    qtbot.mouseClick(view.snooze_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.acted, timeout=WAIT_MS):
        qtbot.mouseClick(view.snooze_buttons[30], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.fact_values["status"].text() == "Snoozed", timeout=WAIT_MS)
    assert view.fact_values["deadline"].text() == "12:00:00", "11:30 in Shanghai + 30 min"


@pytest.fixture
def backup_call(make_ctx):
    """A backup call at SH004 and one colleague of the region who was asked to cover."""
    ctx = make_ctx("mgr-sh004")
    services = ctx.services
    alert_id = services.calls.call_backup(ctx.actor, ctx.actor.store_id, UI_NOW, "Two machines down")
    asked = next(
        user
        for user in ("staff-sh001", "staff-sh007", "lead-sh004", "staff-sh004")
        if services.alerts.my_cover_offers(services.auth.actor(user))
    )
    return alert_id, asked


def test_a_colleague_accepts_cover_and_the_manager_sees_who_covers(qtbot, make_ctx, backup_call):
    alert_id, asked = backup_call
    helper_ctx = make_ctx(asked)
    helper = _view(qtbot, helper_ctx)
    qtbot.waitUntil(lambda: helper.offer_banner.isVisible(), timeout=WAIT_MS)
    assert "SH004" in helper.offer_label.text()
    with qtbot.waitSignal(helper.acted, timeout=WAIT_MS):
        qtbot.mouseClick(helper.offer_button, Qt.MouseButton.LeftButton)
    assert "you are covering" in helper.message.text()
    qtbot.waitUntil(lambda: not helper.offer_banner.isVisible(), timeout=WAIT_MS)

    manager = _view(qtbot, make_ctx("mgr-sh004"))
    _select(qtbot, manager, alert_id)
    qtbot.waitUntil(lambda: manager.covered_banner.kind == "success", timeout=WAIT_MS)
    name = helper_ctx.services.alerts.display_names(SYSTEM)[asked]
    assert manager.covered_banner.text().startswith(f"Covered by {name}")
    assert not manager.accept_button.isVisible(), "the manager was not asked to cover"


def test_accept_cover_from_the_detail_pane(qtbot, make_ctx, backup_call):
    """Someone of the store itself sees the call in their list and accepts from its detail."""
    alert_id, _asked = backup_call
    view = _view(qtbot, make_ctx("staff-sh004"))
    qtbot.waitUntil(lambda: view.offer_banner.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: view.select_alert(alert_id), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: view.accept_button.isVisible(), timeout=WAIT_MS)
    with qtbot.waitSignal(view.acted, check_params_cb=lambda kind: kind == "accept_cover", timeout=WAIT_MS):
        qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.covered_banner.kind == "success", timeout=WAIT_MS)


def test_chinese_labels_fit(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001", language="zh_CN")
    alert_id = _relief(ctx)
    view = _view(qtbot, ctx)
    _select(qtbot, view, alert_id)
    for button in (view.ack_button, view.resolve_button, view.comment_button, view.reassign_button):
        assert button.width() >= button.sizeHint().width(), button.text()


def test_the_same_alert_reads_in_chinese_with_human_values(qtbot, make_ctx):
    """Title and fields are rendered from the alert's kind and parameters in the viewer's language."""
    ctx = make_ctx("mgr-sh001", language="zh_CN")
    actor = ctx.services.auth.actor("staff-sh001")
    alert_id = ctx.services.calls.relief_request(
        actor, actor.store_id, "", UI_NOW, "high", ("queue", "unsafe")
    )
    view = _view(qtbot, ctx)
    qtbot.waitUntil(lambda: "请求换岗/支援：排队太长；我感到不安全" in view.visible_titles(), timeout=WAIT_MS)
    _select(qtbot, view, alert_id)
    assert view.detail_title.text() == "请求换岗/支援：排队太长；我感到不安全"
    assert view.detail.field_rows() == [("原因", "排队太长；我感到不安全"), ("紧急程度", "立即")]
    assert "换岗/支援请求" in [view.rule_combo.itemText(i) for i in range(view.rule_combo.count())]


def test_a_refusal_reads_in_the_viewer_s_language(qtbot, make_ctx):
    from storemon.services.actions import ActionRefused
    from storemon.services.problems import Problem

    view = _view(qtbot, make_ctx("mgr-sh001", language="zh_CN"))
    view._failed(ActionRefused(Problem.ALREADY_COVERED, person="王芳"))
    assert view.message.text() == "王芳 已经补位，谢谢你"


def _rows(view: AlertsView) -> list[int]:
    """The alert ids of the list, top to bottom, as the user sees them."""
    from ui.models.alerts_table import ALERT_ID_ROLE

    return [view.proxy.index(r, 0).data(ALERT_ID_ROLE) for r in range(view.proxy.rowCount())]


def test_the_most_severe_come_first_then_the_newest_and_the_title_gets_the_width(qtbot, make_ctx):
    from datetime import timedelta

    ctx = make_ctx("mgr-sh001")
    services, store = ctx.services, ctx.actor.store_id
    staff = services.auth.actor("staff-sh001")
    info = services.calls.relief_request(
        staff, store, "When someone can", UI_NOW - timedelta(minutes=1), "low"
    )
    older = services.calls.call_backup(staff, store, UI_NOW - timedelta(minutes=20), "rush")
    newer = services.calls.call_manager(staff, store, UI_NOW - timedelta(minutes=5), "")
    view = AlertsView(ctx)
    qtbot.addWidget(view)
    view.resize(1366 - 190, 700)  # beside the navigation of a 1366-pixel-wide window
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.show()
    assert _rows(view) == [newer, older, info], "critical first (newest first among them), then the info"
    header = view.table.horizontalHeader()
    title = header.sectionSize(view.model.TITLE)
    others = [header.sectionSize(c) for c in range(view.model.columnCount()) if c != view.model.TITLE]
    assert title > max(others) and title > 2 * view.detail_stack.width() / 3
    assert view.table.textElideMode() == Qt.TextElideMode.ElideMiddle
    row = view.proxy.mapFromSource(view.model.index(view.model.row_of(info), view.model.TITLE))
    assert row.data(Qt.ItemDataRole.ToolTipRole).startswith("Relief requested: When someone can")


def test_filters_only_mine_open_and_kind(qtbot, make_ctx):
    ctx = make_ctx("sup-east")
    services = ctx.services
    waiting = _relief(ctx, "Queue at the door")  # SH001, paging the store's managers: not mine
    other = services.auth.actor("staff-sh004")
    taken = services.calls.relief_request(other, other.store_id, "Alone at SH004", UI_NOW, "normal")
    services.alerts.acknowledge(ctx.actor, taken, UI_NOW)  # the supervisor took it: mine
    call = services.calls.call_manager(services.auth.actor("staff-sh001"), "SH001", UI_NOW, "")
    view = _view(qtbot, ctx)
    qtbot.waitUntil(lambda: set(_rows(view)) == {waiting, taken, call}, timeout=WAIT_MS)

    view.mine_check.setChecked(True)
    assert _rows(view) == [taken]
    view.mine_check.setChecked(False)
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.status_combo.setCurrentIndex(view.status_combo.findData("open"))
    assert set(_rows(view)) == {waiting, call}, "open: nobody has them"
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.rule_combo.setCurrentIndex(view.rule_combo.findData("relief_request"))
    assert _rows(view) == [waiting]


def test_the_detail_names_levels_and_urgency_in_words(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    alert_id = _relief(ctx, "Queue out the door", "high")
    view = _view(qtbot, ctx)
    _select(qtbot, view, alert_id)
    assert view.fact_values["level"].text() == "Shift lead / store manager"
    assert ("Urgency", "Right now") in view.detail.field_rows()
    raised = next(row for row in view.timeline_rows() if row[1] == "Raised")
    assert raised[3] == "Shift lead / store manager", "the level by name, not 'level 2'"
