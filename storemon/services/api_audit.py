"""Use cases of the Audit screen: read, filter and export the hash-chained audit log."""

from __future__ import annotations

from storemon.services.api_base import ApiBase


class AuditApi(ApiBase):
    """The audit log for head-office roles."""
