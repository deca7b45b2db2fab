"""``Area.may`` (what the UI asks before offering a control) agrees with the refusal the same use
case gives when it is called anyway, for every role, on SQLite and PostgreSQL."""

from __future__ import annotations

import inspect

import pytest

from storemon.db.models import Role
from storemon.services import api
from storemon.services.access import AccessDenied, Actor, require
from storemon.services.database import open_database
from storemon.services.door import Area, UseCase

ROLES = list(Role)


def _doors() -> list[tuple[type[Area], str, UseCase]]:
    found = []
    for _name, area in inspect.getmembers(api, inspect.isclass):
        if issubclass(area, Area) and area is not Area:
            for attr, value in vars(area).items():
                if isinstance(value, UseCase) and value.signed_in and value.needs is not None:
                    found.append((area, attr, value))
    return found


def test_may_agrees_with_the_check_of_every_guarded_use_case():
    doors = _doors()
    assert len(doors) > 20, "the guarded use cases were found"
    for area, name, door in doors:
        for role in ROLES:
            actor = Actor(f"a-{role.value}", role)
            try:
                require(actor, door.needs, door.doing)
                allowed = True
            except AccessDenied:
                allowed = False
            assert area.may(actor, name) is allowed, f"{area.__name__}.{name} for {role.value}"


def test_may_is_false_only_where_the_call_is_refused(db_url):
    database = open_database(db_url)
    try:
        services = api.Services(database)
        for role in ROLES:
            actor = Actor(f"a-{role.value}", role)
            may = services.users.may(actor, "list")
            if may:
                assert services.users.list(actor) == []
            else:
                with pytest.raises(AccessDenied, match="only head-office roles"):
                    services.users.list(actor)
            assert may is (role in (Role.SERVICE_DIRECTOR, Role.EXECUTIVE, Role.ADMIN))
    finally:
        database.close()


def test_may_names_only_use_cases():
    with pytest.raises(TypeError, match="not a use case"):
        api.Policies.may(Actor("x", Role.ADMIN), "default_thresholds")
