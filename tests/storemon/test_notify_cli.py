"""Channels set up without the GUI: `storemon notify add|list|remove|status`, sharing the Settings
screen's service; secrets come from the environment, never the command line."""

from __future__ import annotations

import json
import sqlite3

import pytest

from storemon.cli import main

URL = "http://127.0.0.1:9/hook/tok-5c1d2e3f4a5b6c7d"


@pytest.fixture
def demo(storemon_home, capsys):
    main(["demo", "--stores", "3", "--weeks", "1", "--anchor", "2026-03-09"])
    capsys.readouterr()
    return storemon_home


def test_add_list_status_and_remove_a_webhook_channel(demo, capsys, monkeypatch):
    monkeypatch.setenv("HOOK_URL", URL)
    assert (
        main(["notify", "add", "group-chat", "--type", "webhook", "--url-env", "HOOK_URL", "--levels", "2,3"])
        == 0
    )
    assert "added channel group-chat (webhook, levels 2,3)" in capsys.readouterr().out

    assert main(["notify", "list"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (
        listed["name"] == "group-chat" and listed["levels"] == [2, 3] and listed["settings"]["url"] == "***"
    )
    with sqlite3.connect(demo / "data" / "storemon.sqlite3") as conn:
        assert not any(URL in str(v) for (v,) in conn.execute("SELECT value FROM settings"))

    assert main(["call", "manager", "--store", "SH001"]) == 0  # level 2: the channel is paged
    capsys.readouterr()
    assert main(["notify", "status", "--format", "json"]) == 0
    (status,) = json.loads(capsys.readouterr().out)
    assert status["name"] == "group-chat" and status["pending"] >= 1 and status["dead"] == 0
    assert status["oldest_pending_minutes"] is not None

    assert main(["notify", "remove", "group-chat"]) == 0
    capsys.readouterr()
    assert main(["notify", "list"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--type", "webhook", "--url-env", "NOT_SET_ANYWHERE"], "NOT_SET_ANYWHERE is empty or not set"),
        (["--type", "webhook", "--set", f"url={URL}"], "secrets never go on the command line"),
        (["--type", "webhook"], "give the webhook URL in an environment variable"),
        (["--type", "slack", "--url-env", "HOOK_URL", "--levels", "0,9"], "give escalation levels 1 to 5"),
        (["--type", "smtp", "--set", "port=25"], "host"),
    ],
    ids=["empty-variable", "secret-in-argv", "no-tty-no-variable", "bad-levels", "smtp-without-host"],
)
def test_bad_channel_set_ups_are_refused_with_what_to_do(demo, capsys, monkeypatch, argv, says):
    monkeypatch.setenv("HOOK_URL", URL)
    monkeypatch.setattr("sys.stdin", open("/dev/null"))  # noqa: SIM115 - no terminal to prompt on
    assert main(["notify", "add", "x", *argv]) == 2
    assert says in capsys.readouterr().err
    assert main(["notify", "list"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_staff_cannot_change_or_see_the_channels(demo, capsys, monkeypatch):
    monkeypatch.setenv("HOOK_URL", URL)
    assert (
        main(["--as", "staff-sh001", "notify", "add", "g", "--type", "webhook", "--url-env", "HOOK_URL"]) == 2
    )
    assert main(["--as", "staff-sh001", "notify", "status"]) == 2
    assert "may not" in capsys.readouterr().err
