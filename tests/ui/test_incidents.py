"""The Incidents screen: filtering the list, reading an incident, exporting what is listed."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.ui.conftest import WAIT_MS
from tests.ui.screens import show_screen
from ui.models.incidents_table import IncidentsTableModel
from ui.views.incidents import IncidentsView


@pytest.fixture
def open_incidents(qtbot):
    def open_view(ctx) -> IncidentsView:
        view = IncidentsView(ctx)
        return show_screen(qtbot, view, 1100, lambda: view.proxy.rowCount() > 0)

    return open_view


def shown(view: IncidentsView) -> list[list[str]]:
    """The table's cells as the user reads them."""
    return [
        [view.proxy.index(r, c).data() for c in range(view.proxy.columnCount())]
        for r in range(view.proxy.rowCount())
    ]


def test_the_sensitive_trigger_filter_narrows_the_list(qtbot, ctx, open_incidents):
    view = open_incidents(ctx)
    everything = view.proxy.rowCount()
    assert any(not row[IncidentsTableModel.TRIGGERS] for row in shown(view))

    qtbot.mouseClick(view.sensitive_check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.proxy.rowCount() != everything, timeout=WAIT_MS)
    rows = shown(view)
    assert 0 < len(rows) < everything
    assert all(row[IncidentsTableModel.TRIGGERS] for row in rows)
    assert view.count_label.text() == f"Incidents: {len(rows)}"

    view.table.selectRow(0)
    assert view.sensitive_note.isVisible()
    assert rows[0][IncidentsTableModel.TRIGGERS] in view.sensitive_note.text()
    assert view.details_heading.text().startswith(rows[0][IncidentsTableModel.TYPE])


def test_export_writes_a_csv_that_reads_back_as_the_listed_rows(
    qtbot, ctx, open_incidents, tmp_path, monkeypatch
):
    view = open_incidents(ctx)
    everything = view.proxy.rowCount()
    view.store_combo.setCurrentIndex(view.store_combo.findText("SH001", Qt.MatchFlag.MatchStartsWith))
    qtbot.waitUntil(lambda: view.proxy.rowCount() != everything, timeout=WAIT_MS)
    listed = shown(view)
    assert listed and {row[IncidentsTableModel.STORE] for row in listed} == {"人民广场店"}

    target = tmp_path / "incidents.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "CSV, UTF-8 (*.csv)"))
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.export_status.text().startswith("Exported"), timeout=WAIT_MS)
    assert str(len(listed)) in view.export_status.text()

    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(target, encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    assert header == [*view.model.headers(), "Description"]
    assert len(rows) == len(listed)
    incidents = view.visible_rows()
    for written, seen, incident in zip(rows, listed, incidents, strict=True):
        assert written[0] == incident.occurred_at.strftime("%Y-%m-%d %H:%M")
        # Store, staff, incident type, customer type and triggers read as on screen.
        assert written[1:6] == seen[1:6]
        assert written[6] == f"{incident.compensation:.2f}"


def test_a_store_manager_sees_only_their_own_stores_incidents(qtbot, make_ctx, open_incidents):
    view = open_incidents(make_ctx("mgr-sh001"))
    assert view.store_combo.count() == 1
    assert {row[IncidentsTableModel.STORE] for row in shown(view)} == {"人民广场店"}
