"""The kinds of change the change feed reports (``services.db.watch_changes``), for the screens.

The feed itself is ``storemon.db.changes``; screens import the kind names from here, since ``ui``
never imports ``storemon.db``.
"""

from storemon.db.changes import ALERTS, ALL_KINDS, INCIDENTS, JOBS, ROSTER, SALES, SETTINGS, USERS

DATA_KINDS = frozenset({SALES, ROSTER, SETTINGS})
"""What a staffing picture (Today, Region) is computed from."""

__all__ = ["ALERTS", "ALL_KINDS", "DATA_KINDS", "INCIDENTS", "JOBS", "ROSTER", "SALES", "SETTINGS", "USERS"]
