"""Use cases of the Schedule and Incidents screens (rosters and incident lists)."""

from __future__ import annotations

from storemon.services.api_base import ApiBase


class ScheduleApi(ApiBase):
    """Use cases of the Schedule and Incidents screens."""
