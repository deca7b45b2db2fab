"""A small demo chain in a fresh database, on both engines."""

from __future__ import annotations

from datetime import date

import pytest

from storemon.services.demo import build_demo

DEMO_ANCHOR = date(2026, 3, 9)  # a Monday inside the 3.15 season, so the surge shows in the data


@pytest.fixture
def demo_sessions(session_factory):
    """Sessions on a database holding a 12-store, 3-week demo chain."""
    with session_factory() as session:
        build_demo(session, stores=12, weeks=3, seed=11, anchor=DEMO_ANCHOR)
        session.commit()
    return session_factory
