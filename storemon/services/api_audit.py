"""Use cases of the Audit screen: read, filter and export the hash-chained audit log.

Head office only (``Actor.sees_chain``): everyone else gets ``AccessDenied``. The listing also
shows imports (``ImportBatch`` rows, as action ``import.<kind>``) merged into the same list, as
imports are not written to the audit log itself; see ``storemon.services.audit_view``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from storemon.services import audit as audit_log
from storemon.services import audit_view
from storemon.services.access import Actor
from storemon.services.api_base import ApiBase
from storemon.services.audit import AuditProblem
from storemon.services.audit_view import AuditFilter, AuditList


class AuditApi(ApiBase):
    """The audit log for head-office roles."""

    def audit_entries(self, actor: Actor, flt: AuditFilter | None = None) -> AuditList:
        """Entries (and imports) matching ``flt``, newest first; ``more`` when over 5,000 matched."""
        with self.session() as session:
            return audit_view.list_entries(session, actor, flt or AuditFilter())

    def audit_actions(self, actor: Actor) -> list[str]:
        """The distinct action names, for the action filter (imports as ``import.<kind>``)."""
        with self.session() as session:
            return audit_view.action_names(session, actor)

    def verify_audit(self, actor: Actor) -> tuple[int, list[AuditProblem]]:
        """Walk the hash chain: (entries checked, problems found); no problems means intact."""
        audit_view.require_head_office(actor)
        with self.session() as session:
            return audit_log.verify(session)

    def export_audit(
        self,
        actor: Actor,
        path: str | Path,
        rows: Sequence[audit_view.AuditRow],
        headers: Sequence[str] = audit_view.EXPORT_HEADERS,
    ) -> int:
        """Write the rows the actor was shown to ``path`` (.csv UTF-8 with BOM, or .xlsx).

        Returns the number of rows written; ``ExportError`` names the file when it cannot be written.
        """
        audit_view.require_head_office(actor)
        return audit_view.export_rows(path, rows, headers)
