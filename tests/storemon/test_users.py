"""User accounts from the command line: head office adds, edits and deactivates people; the
role decides the scope; the last administrator stays; nobody else may look."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from storemon.cli import main
from storemon.db.models import AuditEntry


@pytest.fixture
def demo_home(storemon_home, capsys):
    main(["demo", "--stores", "3", "--weeks", "1", "--anchor", "2026-03-09"])
    capsys.readouterr()
    return storemon_home


def users(capsys, *extra: str) -> dict[str, dict]:
    capsys.readouterr()
    assert main(["user", "list", "--format", "json", *extra]) == 0
    return {u["username"]: u for u in json.loads(capsys.readouterr().out)}


def test_head_office_adds_a_store_manager_moves_them_to_a_region_and_deactivates_them(demo_home, capsys):
    assert (
        main(
            ["user", "add", "amy", "--role", "store_manager", "--store", "sh001", "--display-name", "Amy Li"]
        )
        == 0
    )
    assert "set a password with `storemon user passwd amy`" in capsys.readouterr().out
    amy = users(capsys)["amy"]
    assert (amy["role"], amy["store"], amy["region"], amy["display_name"]) == (
        "store_manager",
        "SH001",
        "",
        "Amy Li",
    )
    assert amy["active"] and not amy["has_password"], "a new account cannot sign in before it has a password"

    assert main(["user", "edit", "amy", "--role", "ops_supervisor", "--region", "EAST"]) == 0
    amy = users(capsys)["amy"]
    assert (amy["role"], amy["store"], amy["region"]) == ("ops_supervisor", "", "EAST")

    assert main(["user", "deactivate", "amy"]) == 0
    assert "amy" not in users(capsys)
    assert users(capsys, "--all")["amy"]["active"] is False
    assert main(["--as", "amy", "report", "stores"]) == 2
    assert "no active user named 'amy'" in capsys.readouterr().err

    from storemon.services.database import open_database

    database = open_database()
    with database.sessions() as session:
        actions = [
            a for (a,) in session.execute(select(AuditEntry.action).where(AuditEntry.subject == "user amy"))
        ]
    database.engine.dispose()
    assert actions == ["user.added", "user.edited", "user.edited"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["add", "bob", "--role", "store_manager"],
            "a store_manager belongs to one store: give --store CODE",
        ),
        (["add", "bob", "--role", "staff", "--store", "XX9"], "no store with code 'XX9'"),
        (["add", "bob", "--role", "ops_supervisor", "--store", "SH001"], "looks after a region, not a store"),
        (
            ["add", "bob", "--role", "executive", "--region", "EAST"],
            "sees the whole chain; leave out --store",
        ),
        (["add", "b b", "--role", "executive"], "cannot be a user name"),
        (["add", "ADMIN", "--role", "executive"], "a user named 'ADMIN' already exists"),
        (["edit", "nobody", "--email", "x@y"], "no user named 'nobody'"),
        (["--as", "exec", "deactivate", "exec"], "you cannot deactivate your own account"),
        (["deactivate", "admin"], "admin is the last active administrator"),
    ],
)
def test_account_changes_that_cannot_be_made_say_what_to_do_and_change_nothing(
    demo_home, capsys, argv, message
):
    before = users(capsys, "--all")
    acting = argv[:2] if argv[0] == "--as" else []
    assert main([*acting, "user", *argv[len(acting) :]]) == 2
    assert message in capsys.readouterr().err
    assert users(capsys, "--all") == before


def test_the_last_administrator_cannot_be_demoted(demo_home, capsys):
    assert main(["user", "add", "root2", "--role", "executive"]) == 0
    assert main(["--as", "exec", "user", "edit", "admin", "--role", "executive"]) == 2
    assert "admin is the last active administrator; make another one first" in capsys.readouterr().err
    assert main(["user", "edit", "root2", "--role", "admin"]) == 0
    assert main(["--as", "exec", "user", "edit", "admin", "--role", "executive"]) == 0


def test_only_head_office_sees_or_changes_accounts(demo_home, capsys):
    assert main(["--as", "mgr-sh001", "user", "list"]) == 2
    assert "may not see the user accounts" in capsys.readouterr().err
    assert main(["--as", "sup-east", "user", "add", "eve", "--role", "executive"]) == 2
    assert "may not add a user" in capsys.readouterr().err
    assert "eve" not in users(capsys, "--all")
