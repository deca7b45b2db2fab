"""Use cases of the Policies and Settings screens (tier and escalation policies, thresholds, chain settings)."""

from __future__ import annotations

from storemon.services.api_base import ApiBase


class PoliciesApi(ApiBase):
    """Use cases of the Policies and Settings screens."""
