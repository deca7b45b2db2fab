"""Use cases of the Region screen (regional managers comparing stores)."""

from __future__ import annotations

from storemon.services.api_base import ApiBase


class RegionApi(ApiBase):
    """Region comparisons: heatmaps and what-ifs (the store table itself is in CoreApi)."""
