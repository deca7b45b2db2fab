"""The Policies screen as head office and a store manager use it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QMessageBox, QPushButton

from staffing.policy import SOURCE_RULE, TierBand
from tests.ui.conftest import WAIT_MS
from tests.ui.screens import policies_loaded, policies_settled
from ui.views.policies import PoliciesView

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def open_view(qtbot):
    """Show the Policies screen for a context and wait until every tab has loaded."""

    def open_(ctx) -> PoliciesView:
        view = PoliciesView(ctx)
        qtbot.addWidget(view)
        view.resize(1280, 800)
        view.show()
        qtbot.waitUntil(lambda: policies_loaded(view), timeout=WAIT_MS)
        return view

    return open_


def _type_over(qtbot, edit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def _select_policy(qtbot, view: PoliciesView, name: str) -> None:
    page = view.tiers
    item = next(
        page.policy_list.topLevelItem(i)
        for i in range(page.policy_list.topLevelItemCount())
        if page.policy_list.topLevelItem(i).text(0) == name
    )
    rect = page.policy_list.visualItemRect(item)
    qtbot.mouseClick(page.policy_list.viewport(), LEFT, pos=rect.center())
    qtbot.waitUntil(lambda: page.name_edit.text() == name and policies_settled(view), timeout=WAIT_MS)


def _dialog_button(box: QMessageBox, role: QMessageBox.ButtonRole):
    return next(b for b in box.buttons() if box.buttonRole(b) == role)


def test_typing_the_source_rule_shows_the_gap_and_fixing_the_band_clears_it(qtbot, ctx, open_view):
    view = open_view(ctx)
    page = view.tiers
    qtbot.mouseClick(page.new_button, LEFT)
    editor = page.editor
    qtbot.keyClicks(editor.band_rows[0].to_edit, "5000")
    qtbot.mouseClick(editor.add_button, LEFT)
    second = editor.band_rows[1]
    assert second.from_edit.text() == "5,000" and second.staff.value() == 2, (
        "a new band starts where the last ends"
    )
    _type_over(qtbot, second.from_edit, "6,000")

    qtbot.waitUntil(lambda: bool(editor.marker_texts()) and policies_settled(view), timeout=WAIT_MS)
    marker = "\n".join(editor.marker_texts())
    assert "5,000–6,000 is covered by no band: stores there get no staffing rule" in marker
    assert editor.gap_highlighted()
    assert editor.band_rows[0].grid_row.note.kind == "error", (
        "the marker sits right under the band before the gap"
    )
    assert "5,000–6,000" in page.issues.text() and page.issues.kind == "error"

    _type_over(qtbot, second.from_edit, "5000")
    qtbot.waitUntil(lambda: not editor.marker_texts() and policies_settled(view), timeout=WAIT_MS)
    assert not editor.gap_highlighted()
    assert page.issues.kind == "success" and "exactly one band" in page.issues.text()


def test_widening_the_gap_lists_the_stores_that_would_fall_into_it(qtbot, ctx, open_view):
    view = open_view(ctx)
    page = view.tiers
    _select_policy(qtbot, view, SOURCE_RULE.name)
    assert "None of the 8 store(s)" in page.gap_title.text()
    _type_over(qtbot, page.editor.band_rows[1].from_edit, "7000")
    qtbot.waitUntil(lambda: page.gap_stores.count() > 0 and policies_settled(view), timeout=WAIT_MS)
    shown = [page.gap_stores.item(i).text() for i in range(page.gap_stores.count())]
    check = ctx.services.policies.check_tier_policy(
        ctx.actor, page.current_id, [TierBand(None, 5000, 1), TierBand(7000, None, 2)]
    )
    assert [s[:5] for s in shown] == [s.code for s in check.stores_in_gaps]
    assert "get no staffing rule" in page.gap_title.text()


def test_a_saved_policy_reloads_with_its_bands(qtbot, ctx, open_view):
    view = open_view(ctx)
    page = view.tiers
    qtbot.mouseClick(page.new_button, LEFT)
    _type_over(qtbot, page.name_edit, "Closed at 5,000")
    qtbot.keyClicks(page.description_edit, "No gap")
    qtbot.keyClicks(page.editor.band_rows[0].to_edit, "5000")
    qtbot.mouseClick(page.editor.add_button, LEFT)
    qtbot.waitUntil(lambda: page.issues.kind == "success" and policies_settled(view), timeout=WAIT_MS)
    qtbot.mouseClick(page.save_button, LEFT)
    qtbot.waitUntil(lambda: page.message.kind == "success" and policies_settled(view), timeout=WAIT_MS)
    assert "Saved “Closed at 5,000”" in page.message.text()
    assert not page.dirty_label.isVisibleTo(page)

    saved = next(
        p for p in ctx.services.policies.tier_policy_summaries(ctx.actor) if p.name == "Closed at 5,000"
    )
    assert saved.policy.bands == (TierBand(None, 5000, 1), TierBand(5000, None, 2))
    again = open_view(ctx)
    assert again.tiers.policy_list.topLevelItemCount() == 3
    _select_policy(qtbot, again, "Closed at 5,000")
    rows = again.tiers.editor.band_rows
    assert [(r.from_edit.text(), r.to_edit.text(), r.staff.value()) for r in rows] == [
        ("", "5,000", 1),
        ("5,000", "", 2),
    ]
    assert again.tiers.description_edit.text() == "No gap"


def test_keeping_a_gap_needs_a_confirmation_that_names_it(qtbot, ctx, open_view):
    view = open_view(ctx)
    page = view.tiers
    _select_policy(qtbot, view, SOURCE_RULE.name)
    qtbot.keyClicks(page.description_edit, " Kept on purpose.")
    qtbot.mouseClick(page.save_button, LEFT)
    qtbot.waitUntil(lambda: page.confirm_box is not None and page.confirm_box.isVisible(), timeout=WAIT_MS)
    assert "5,000–6,000 is covered by no band" in page.confirm_box.text()
    qtbot.mouseClick(_dialog_button(page.confirm_box, QMessageBox.ButtonRole.RejectRole), LEFT)
    assert "Not saved" in page.message.text()
    stored = {p.name: p.description for p in ctx.services.policies.tier_policy_summaries(ctx.actor)}
    assert "Kept on purpose" not in stored[SOURCE_RULE.name]

    qtbot.mouseClick(page.save_button, LEFT)
    qtbot.waitUntil(lambda: page.confirm_box is not None and page.confirm_box.isVisible(), timeout=WAIT_MS)
    qtbot.mouseClick(_dialog_button(page.confirm_box, QMessageBox.ButtonRole.AcceptRole), LEFT)
    qtbot.waitUntil(lambda: page.message.kind == "success" and policies_settled(view), timeout=WAIT_MS)
    stored = {p.name: p.description for p in ctx.services.policies.tier_policy_summaries(ctx.actor)}
    assert stored[SOURCE_RULE.name].endswith("Kept on purpose.")


def test_assigning_a_policy_to_stores(qtbot, ctx, open_view):
    view = open_view(ctx)
    page = view.tiers
    _select_policy(qtbot, view, "Closed bands (candidate)")
    qtbot.mouseClick(page.assign_button, LEFT)
    qtbot.waitUntil(
        lambda: page.assign_dialog is not None and page.assign_dialog.isVisible(), timeout=WAIT_MS
    )
    dialog = page.assign_dialog
    for row in (0, 1):
        dialog.table.item(row, 0).setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(dialog.assign_button, LEFT)
    qtbot.waitUntil(lambda: page.message.kind == "success" and policies_settled(view), timeout=WAIT_MS)
    assert "2 more store(s)" in page.message.text()
    counts = {p.name: p.store_count for p in ctx.services.policies.tier_policy_summaries(ctx.actor)}
    assert counts == {"Closed bands (candidate)": 2, SOURCE_RULE.name: 6}


def test_a_store_manager_sees_every_policies_tab_read_only(qtbot, make_ctx, open_view):
    """Rights show before the click: no Save, no editable field, and each control says who may."""
    manager = make_ctx("mgr-sh001")
    view = open_view(manager)
    assert "Only head office" in view.access_note.text()
    for page in view.pages():
        view.tabs.setCurrentWidget(page)
        qtbot.waitUntil(lambda page=page: policies_settled(view), timeout=WAIT_MS)
        assert page.read_only
        assert not page.save_button.isVisible() and not page.revert_button.isVisible()
        editable = [
            w
            for w in page.findChildren(QLineEdit) + page.findChildren(QAbstractSpinBox)
            if w.isVisible() and not w.isReadOnly()
        ]
        assert not editable, f"{type(page).__name__}: {[type(w).__name__ for w in editable]}"
        pressable = [
            b for b in page.findChildren(QPushButton) if b.isVisible() and b.isEnabled() and b.text()
        ]
        assert not pressable, f"{type(page).__name__}: {[b.text() for b in pressable]}"
        locked = [w for w in page.findChildren(QLineEdit) if w.isVisible()]
        assert locked and all("Only head office" in w.toolTip() for w in locked)

    before = manager.services.policies.thresholds()
    view.tabs.setCurrentWidget(view.thresholds)
    spin = view.thresholds.fields["target_wait_minutes"].spin
    _type_over(qtbot, spin.lineEdit(), "5")
    assert manager.services.policies.thresholds() == before
    assert not view.thresholds.dirty and not view.has_unsaved_changes()
    page = view.tiers
    qtbot.keyClicks(page.description_edit, "!")
    assert not page.description_edit.text().endswith("!")
    assert page.policy_list.topLevelItemCount() >= 2, "the policies can still be browsed"


def test_head_office_edits_policies(qtbot, ctx, open_view):
    view = open_view(ctx)
    for page in view.pages():
        assert not page.read_only and not page.save_button.isHidden()
    spin = view.thresholds.fields["target_wait_minutes"].spin
    assert not spin.isReadOnly() and "Only head office" not in spin.toolTip()


def test_escalation_editor_rejects_a_zero_timeout_and_saves_a_valid_edit(qtbot, ctx, open_view):
    view = open_view(ctx)
    page = view.escalation
    view.tabs.setCurrentWidget(page)
    first = page.editor.level_rows[0]
    _type_over(qtbot, first.timeout.lineEdit(), "0")
    assert page.editor.errors() == ["Level 1: the time to acknowledge must be more than 0 minutes."]
    assert "ack_timeout must be positive" in first.grid_row.note.toolTip(), "EscalationLevel said so"
    assert first.grid_row.note.kind == "error"
    assert not page.save_button.isEnabled()

    _type_over(qtbot, first.timeout.lineEdit(), "4")
    qtbot.mouseClick(first.roles["shift_lead"], LEFT)
    _type_over(qtbot, first.people, "mgr-sh001")
    assert page.editor.errors() == [] and page.save_button.isEnabled()
    qtbot.mouseClick(page.save_button, LEFT)
    qtbot.waitUntil(lambda: page.message.kind == "success" and policies_settled(view), timeout=WAIT_MS)
    saved = ctx.services.policies.escalation_policy()
    assert saved.levels[0].ack_timeout == timedelta(minutes=4)
    assert saved.levels[0].targets == ("staff", "shift_lead", "user:mgr-sh001")

    qtbot.mouseClick(page.reset_button, LEFT)
    assert page.editor.level_rows[0].timeout.value() == 2


def test_a_playbook_with_two_responses_is_refused(qtbot, ctx, open_view):
    view = open_view(ctx)
    page = view.incident_rules
    view.tabs.setCurrentWidget(page)
    page.type_list.setCurrentRow(1)
    assert page.label_edit.text() == "Queue dispute" and len(page.response_rows) == 3
    qtbot.mouseClick(page.response_rows[2].grid_row.remove_button, LEFT)
    assert "needs at least 3" in page.book_message.text()
    qtbot.mouseClick(page.save_button, LEFT)
    assert page.message.kind == "error"
    assert "“Queue dispute” has 2 response(s); every playbook needs at least 3" in page.message.text()
    stored = {b.incident_type: b for b in ctx.services.policies.playbooks()}
    assert len(stored["queue_dispute"].responses) == 3

    qtbot.mouseClick(page.add_response_button, LEFT)
    qtbot.keyClicks(page.response_rows[2].text, "Offer a seat and a glass of water")
    qtbot.keyClicks(page.response_rows[2].amount, "300")
    assert page.response_rows[2].who.text() == "Store manager"
    qtbot.mouseClick(page.save_button, LEFT)
    qtbot.waitUntil(lambda: page.message.kind == "success" and policies_settled(view), timeout=WAIT_MS)
    stored = {b.incident_type: b for b in ctx.services.policies.playbooks()}
    assert stored["queue_dispute"].responses[2].text == "Offer a seat and a glass of water"


def test_thresholds_save_and_reload(qtbot, ctx, open_view):
    view = open_view(ctx)
    page = view.thresholds
    view.tabs.setCurrentWidget(page)
    _type_over(qtbot, page.fields["amber_at"].spin.lineEdit(), "80")
    assert page.fields["amber_at"].error.isVisibleTo(page) and not page.save_button.isEnabled()
    _type_over(qtbot, page.fields["amber_at"].spin.lineEdit(), "30")
    _type_over(qtbot, page.fields["target_wait_minutes"].spin.lineEdit(), "4")
    _type_over(qtbot, page.fields["chore_minutes_per_hour"].spin.lineEdit(), "130")
    assert page.fields["chore_minutes_per_hour"].error.isVisibleTo(page) and not page.save_button.isEnabled()
    _type_over(qtbot, page.fields["chore_minutes_per_hour"].spin.lineEdit(), "24")
    _type_over(qtbot, page.fields["patience_minutes"].spin.lineEdit(), "5.5")
    assert not any(f.error.isVisibleTo(page) for f in page.fields.values())
    qtbot.mouseClick(page.save_button, LEFT)
    qtbot.waitUntil(lambda: page.message.kind == "success" and policies_settled(view), timeout=WAIT_MS)

    again = open_view(ctx)
    fields = again.thresholds.fields
    assert fields["target_wait_minutes"].spin.value() == 4
    assert fields["chore_minutes_per_hour"].spin.value() == 24
    assert fields["patience_minutes"].spin.value() == 5.5
    assert fields["amber_at"].spin.value() == 30
    saved = ctx.services.policies.thresholds()
    assert (
        saved.targets.target_wait_minutes,
        saved.targets.chore_minutes_per_hour,
        saved.targets.patience_minutes,
        saved.amber_at,
    ) == (4, 24, 5.5, 30)


def test_thresholds_plan_staff_for_a_forecast_quantile_and_back_to_the_mean(qtbot, ctx, open_view):
    view = open_view(ctx)
    page = view.thresholds
    view.tabs.setCurrentWidget(page)
    plan = page.fields["plan_quantile"].spin
    assert plan.text() == "expected orders (mean)", "the mean until someone chooses a quantile"
    _type_over(qtbot, plan.lineEdit(), "90")
    qtbot.mouseClick(page.save_button, LEFT)
    qtbot.waitUntil(lambda: page.message.kind == "success" and policies_settled(view), timeout=WAIT_MS)
    assert ctx.services.policies.forecast_planning().plan_quantile == 0.9
    again = open_view(ctx)
    assert again.thresholds.fields["plan_quantile"].spin.text() == "P90"
    again.tabs.setCurrentWidget(again.thresholds)
    qtbot.mouseClick(again.thresholds.defaults_button, LEFT)
    qtbot.mouseClick(again.thresholds.save_button, LEFT)
    qtbot.waitUntil(
        lambda: again.thresholds.message.kind == "success" and policies_settled(again), timeout=WAIT_MS
    )
    assert ctx.services.policies.forecast_planning().plan_quantile is None


def test_surge_calendar_adds_a_period_and_keeps_the_315_season(qtbot, ctx, open_view):
    view = open_view(ctx)
    page = view.surge
    view.tabs.setCurrentWidget(page)
    assert page.editor.period_rows[0].label.text() == "3·15 consumer-rights season"
    qtbot.mouseClick(page.add_button, LEFT)
    row = page.editor.period_rows[1]
    _type_over(qtbot, row.label, "Spring promotion")
    qtbot.keyClicks(row.stores, "NOPE1")
    assert "No store has the code NOPE1" in row.grid_row.note.text() and not page.save_button.isEnabled()
    _type_over(qtbot, row.stores, "SH001")
    qtbot.mouseClick(page.save_button, LEFT)
    qtbot.waitUntil(lambda: page.message.kind == "success" and policies_settled(view), timeout=WAIT_MS)
    calendar = ctx.services.policies.surge_calendar()
    assert [p.label for p in calendar.periods] == ["3·15 consumer-rights season", "Spring promotion"]
    assert calendar.periods[1].stores == frozenset({"SH001"})


def test_the_315_season_raises_the_forecast_only_once_ticked_or_seen_in_last_years_sales(
    qtbot, ctx, open_view
):
    view = open_view(ctx)
    page = view.surge
    view.tabs.setCurrentWidget(page)
    season = page.editor.period_rows[0]
    assert season.yearly.isChecked() and season.apply.isEnabled() and not season.apply.isChecked()
    qtbot.mouseClick(page.add_button, LEFT)
    promotion = page.editor.period_rows[1]
    assert promotion.apply.isChecked() and not promotion.apply.isEnabled(), "a dated period always applies"
    season.apply.setChecked(True)
    qtbot.mouseClick(page.save_button, LEFT)
    qtbot.waitUntil(lambda: page.message.kind == "success" and policies_settled(view), timeout=WAIT_MS)
    assert ctx.services.policies.forecast_planning().surges_turned_on == {"3·15 consumer-rights season"}
    again = open_view(ctx)
    assert again.surge.editor.period_rows[0].apply.isChecked()


def test_chinese_screen_shows_chinese_playbooks(qtbot, make_ctx, open_view):
    view = open_view(make_ctx(language="zh_CN"))
    view.tabs.setCurrentWidget(view.incident_rules)
    assert view.incident_rules.label_edit.text() == "出品慢"


def test_authority_limits_are_checked_by_the_domain_and_marked_where_they_fail(qtbot, ctx, open_view):
    view = open_view(ctx)
    page = view.incident_rules
    view.tabs.setCurrentWidget(page)
    _type_over(qtbot, page.limit_edits["store_manager"], "150")
    assert "Store manager may grant less than Shift lead" in page.limits_message.text()
    assert page.limit_edits["store_manager"].property("issue") == "error"
    assert page.limit_edits["shift_lead"].property("issue") != "error", "the mark sits at the role at fault"
    _type_over(qtbot, page.limit_edits["staff"], "1.005")
    assert "“1.005” is not an amount" in page.limits_message.text()
    qtbot.mouseClick(page.save_button, LEFT)
    assert "Fix the authority limits" in page.message.text()

    _type_over(qtbot, page.limit_edits["staff"], "100")
    _type_over(qtbot, page.limit_edits["store_manager"], "500")
    assert not page.limits_message.text()
    _type_over(qtbot, page.response_rows[0].amount, "1,500")
    assert page.response_rows[0].who.text() == "Operations supervisor"
