"""Who is paged now: the pages addressed to a person follow the alert's current level and their scope;
a store's open calls list what its counter is waiting for (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from storemon.services.access import NotFound
from storemon.services.api import Services
from storemon.services.attention import COVER_OFFER, PAGE
from storemon.services.database import open_database
from storemon.services.demo import build_demo

NOW = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)


@pytest.fixture
def services(db_url):
    database = open_database(db_url)
    with database.sessions() as session:
        build_demo(session, stores=2, weeks=1, seed=3, anchor=date(2026, 3, 9))
        session.commit()
    yield Services(database)
    database.close()


def _pages(services: Services, who: str) -> list[tuple[int, str]]:
    return [(p.alert.id, p.why) for p in services.alerts.my_pages(who)]


def test_a_relief_request_pages_its_stores_managers_and_climbs_to_the_supervisor(services):
    relief = services.calls.relief_request("staff-sh001", "SH001", "Queue to the door", NOW, "high")
    assert _pages(services, "mgr-sh001") == [(relief, PAGE)]
    assert _pages(services, "staff-sh001") == [], "level 1 was skipped: the asker is not paged"
    assert _pages(services, "sup-east") == [] and _pages(services, "director") == []
    assert services.alerts.process_due(NOW + timedelta(minutes=6)) == 1  # nobody acknowledged
    assert _pages(services, "mgr-sh001") == [], "escalated past the store"
    assert _pages(services, "sup-east") == [(relief, PAGE)]
    services.alerts.acknowledge("sup-east", relief, NOW + timedelta(minutes=7))
    assert _pages(services, "sup-east") == []


def test_a_backup_call_is_addressed_to_the_colleagues_asked_to_cover(services):
    call = services.calls.call_backup("mgr-sh001", "SH001", NOW, "rush")
    people = services.alerts.display_names("admin")
    asked = sorted(u for u in people if services.alerts.my_cover_offers(u))
    assert asked, "somebody off shift was asked"
    for username in asked:
        why = dict(_pages(services, username)).get(call)
        # The store's staff are paged by the call's first level anyway; the others are asked to cover.
        assert why == (PAGE if username == "staff-sh001" else COVER_OFFER), username
    assert call not in dict(_pages(services, "mgr-sh001")), "the caller is not paged by their own call"


def test_a_stores_calls_are_the_unresolved_ones_open_first(services):
    first = services.calls.relief_request("staff-sh001", "SH001", "Alone", NOW - timedelta(minutes=9), "low")
    second = services.calls.call_manager("staff-sh001", "SH001", NOW, "")
    services.alerts.acknowledge("mgr-sh001", first, NOW)
    store_id = services.auth.actor("mgr-sh001").store_id
    calls = services.alerts.store_calls("mgr-sh001", store_id)
    assert [(c.id, c.status) for c in calls] == [(second, "open"), (first, "acknowledged")]
    services.alerts.resolve("mgr-sh001", first, NOW)
    assert [c.id for c in services.alerts.store_calls("mgr-sh001", store_id)] == [second]
    other = next(s for s in services.stores.list("admin") if s.id != store_id)
    with pytest.raises(NotFound):
        services.alerts.store_calls("mgr-sh001", other.id)
