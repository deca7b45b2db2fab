"""Use cases of the Today screen (one store, the store manager)."""

from __future__ import annotations

from storemon.services.api_base import ApiBase


class TodayApi(ApiBase):
    """Use cases of the Today screen."""
