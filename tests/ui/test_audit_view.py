"""The Audit screen: head office reads, filters, verifies and exports the hash-chained log."""

from __future__ import annotations

import csv
import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.ui.conftest import UI_NOW, WAIT_MS
from tests.ui.screens import show_screen
from ui.models.audit_table import AuditTableModel
from ui.views.audit import INTACT_STYLE, AuditView


@pytest.fixture
def open_audit(qtbot):
    def open_view(ctx, wait: bool = True) -> AuditView:
        view = AuditView(ctx)
        return show_screen(qtbot, view, 1200, (lambda: view.proxy.rowCount() > 0) if wait else None)

    return open_view


def call_manager(ctx, code: str = "SH001") -> None:
    store = next(s for s in ctx.services.stores.list(ctx.actor) if s.code == code)
    ctx.services.calls.call_manager(ctx.actor, store.id, UI_NOW, note="lunch rush, please come")


def shown(view: AuditView) -> list[list[str]]:
    return [
        [view.proxy.index(r, c).data() for c in range(view.proxy.columnCount())]
        for r in range(view.proxy.rowCount())
    ]


def test_admin_reads_filters_and_verifies_the_chain_and_sees_tampering(qtbot, ctx, open_audit):
    call_manager(ctx)
    view = open_audit(ctx)
    rows = shown(view)
    actions = {row[AuditTableModel.ACTION] for row in rows}
    assert "call.manager" in actions and any(a.startswith("alert.") for a in actions)
    assert view.count_label.text() == f"Entries: {len(rows)}"
    call = next(row for row in rows if row[AuditTableModel.ACTION] == "call.manager")
    assert call[AuditTableModel.ACTOR] == "admin" and call[AuditTableModel.SUBJECT] == "store SH001"

    # The action kind narrows the list.
    view.action_combo.setCurrentIndex(view.action_combo.findData("alert"))
    qtbot.waitUntil(lambda: view.proxy.rowCount() != len(rows), timeout=WAIT_MS)
    alerts = shown(view)
    assert alerts and all(row[AuditTableModel.ACTION].startswith("alert.") for row in alerts)

    # So does free text (over subject and details).
    view.action_combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: view.proxy.rowCount() == len(rows), timeout=WAIT_MS)
    view.text_edit.setText("SH001")
    qtbot.waitUntil(lambda: 0 < view.proxy.rowCount() < len(rows), timeout=WAIT_MS)
    assert all("SH001" in row[AuditTableModel.SUBJECT] + row[AuditTableModel.DETAILS] for row in shown(view))

    # The details pane shows the full details and the entry's hashes.
    view.table.selectRow(0)
    picked = view.selected_row()
    assert view.details_heading.text() == picked.action
    assert view.detail_fields["hash"].text() == picked.hash
    assert view.detail_fields["prev_hash"].text() == picked.prev_hash
    assert view.details_text.toPlainText() == picked.details_json(indent=2)

    qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.verify_label.text().startswith("Intact"), timeout=WAIT_MS)
    count = sum(1 for row in ctx.services.audit.entries(ctx.actor).rows if row.chained)
    assert view.verify_label.text() == f"Intact: {count} entries"
    assert view.verify_label.styleSheet() == INTACT_STYLE

    with sqlite3.connect(ctx.services.database.engine.url.database) as conn:
        first = conn.execute("SELECT MIN(id) FROM audit_log").fetchone()[0]
        conn.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = ?", (first,))
    conn.close()
    qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.verify_label.text().startswith("Tampering"), timeout=WAIT_MS)
    assert f"Entry {first}: content changed after it was written" in view.verify_label.text()
    assert "#b00020" in view.verify_label.styleSheet()


def test_export_writes_a_csv_that_reads_back_as_the_listed_rows(
    qtbot, ctx, open_audit, tmp_path, monkeypatch
):
    call_manager(ctx)
    view = open_audit(ctx)
    listed = shown(view)
    target = tmp_path / "audit.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "CSV, UTF-8 (*.csv)"))
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.export_status.text().startswith("Exported"), timeout=WAIT_MS)
    assert str(len(listed)) in view.export_status.text()

    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(target, encoding="utf-8-sig", newline="") as fh:
        header, *written = list(csv.reader(fh))
    assert header == view.export_headers()
    assert len(written) == len(listed)
    for line, seen, row in zip(written, listed, view.visible_rows(), strict=True):
        assert line[:5] == seen[:5]  # time, user, computer, action, subject as on screen
        assert line[5] == row.details_json()
        assert line[7:] == [row.hash, row.prev_hash]


def test_a_store_manager_sees_the_no_access_message(qtbot, make_ctx, open_audit):
    view = open_audit(make_ctx("mgr-sh001"), wait=False)
    qtbot.wait(100)
    assert view.page_stack.currentWidget() is view.no_access
    assert view.no_access.isVisible() and "head office only" in view.no_access.text()
    assert not view.table.isVisible() and view.model.rowCount() == 0
