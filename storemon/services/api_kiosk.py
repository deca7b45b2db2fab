"""Use cases of the kiosk at the counter: PIN sign-in, incidents, promises, check-ins, support."""

from __future__ import annotations

from storemon.services.api_base import ApiBase


class KioskApi(ApiBase):
    """The kiosk's use cases for staff at the counter."""
