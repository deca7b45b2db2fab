"""The list of the Audit screen: one row per audit entry (or import), newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from storemon.services.audit_view import local_time_text
from ui import palette
from ui.models.record_table import ColumnSpec, RecordTableModel

if TYPE_CHECKING:
    from storemon.services.audit_view import AuditRow


class AuditTableModel(RecordTableModel):
    """Audit rows; ``RowRole`` gives the ``AuditRow``, ``SortRole`` a sortable value.

    An import (outside the hash chain) is written in the muted colour and says so in its tooltip.
    """

    TIME, ACTOR, HOST, ACTION, SUBJECT, DETAILS = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        def muted(row: AuditRow):
            return None if row.chained else palette.MUTED.qtext()

        def outside_chain(row: AuditRow) -> str | None:
            if row.chained:
                return None
            return self.tr("An imported file: recorded as an import, outside the hash chain")

        def details_tip(row: AuditRow) -> str | None:
            return outside_chain(row) or row.details_json(indent=2)

        def column(header: str, text, **hooks) -> ColumnSpec:
            return ColumnSpec(
                header, text, foreground=muted, tooltip=hooks.pop("tooltip", outside_chain), **hooks
            )

        super().__init__(
            [
                column(
                    self.tr("Time (local)"), lambda r: local_time_text(r.at), sort=lambda r: r.at.timestamp()
                ),
                column(self.tr("User"), lambda r: r.actor),
                column(self.tr("Computer"), lambda r: r.host or "—"),
                column(self.tr("Action"), lambda r: r.action),
                column(self.tr("Subject"), lambda r: r.subject),
                column(self.tr("Details"), lambda r: r.details_summary(), tooltip=details_tip),
            ],
            parent,
        )
