"""The two big buttons on Today: a click reaches the outbox, and the answer shows on screen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from storemon.services.access import SYSTEM
from tests.ui.conftest import UI_NOW, WAIT_MS
from ui.views.today import TodayView


def _today(qtbot, ctx) -> TodayView:
    view = TodayView(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitUntil(lambda: view.call_buttons.backup_button.isEnabled(), timeout=WAIT_MS)
    return view


def _call(qtbot, buttons, button) -> tuple[str, int]:
    """Press a call button; the (kind, alert id) the call was sent as."""
    with qtbot.waitSignal(buttons.call_sent, timeout=WAIT_MS) as sent:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return tuple(sent.args)


def test_call_backup_reaches_the_outbox_and_the_cover_shows_on_screen(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    buttons = _today(qtbot, ctx).call_buttons
    kind, alert_id = _call(qtbot, buttons, buttons.backup_button)
    assert kind == "backup"
    assert "Sent" in buttons.backup_status.text()

    alert, timeline = ctx.services.alerts.detail(ctx.actor, alert_id)
    assert alert.rule == "backup_call" and [e.kind for e in timeline] == ["fired"]
    # Off-shift colleagues of the store and its region were offered the cover in their inboxes.
    offered = []
    for name in ("staff-sh001", "staff-sh004", "lead-sh004", "staff-sh007", "lead-sh007"):
        try:
            person = ctx.services.auth.actor(name)
        except Exception:  # noqa: BLE001 - that store has no such role in this small demo
            continue
        if ctx.services.alerts.unread_count(person):
            offered.append(person)
    assert offered, "somebody off shift was offered the cover"
    colleague = offered[0]
    ctx.services.calls.accept_cover(colleague, alert_id, UI_NOW)
    # Accepted in Storemon without a time: expected 20 minutes later, shown by name.
    name = ctx.services.alerts.display_names(SYSTEM)[colleague.username]
    qtbot.waitUntil(
        lambda: buttons.backup_status.text().startswith(f"{name} is coming, expected 11:50"), timeout=WAIT_MS
    )
    assert colleague.username not in buttons.backup_status.text()


def test_manager_intervention_shows_who_acknowledged(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    buttons = _today(qtbot, ctx).call_buttons
    _kind, alert_id = _call(qtbot, buttons, buttons.manager_button)
    qtbot.waitUntil(lambda: "level 2" in buttons.manager_status.text(), timeout=WAIT_MS)
    supervisor = ctx.services.auth.actor("sup-east")
    ctx.services.alerts.acknowledge(supervisor, alert_id, UI_NOW)
    name = ctx.services.alerts.display_names(SYSTEM)["sup-east"]
    qtbot.waitUntil(
        lambda: buttons.manager_status.text() == f"Acknowledged by {name} at 11:30", timeout=WAIT_MS
    )
