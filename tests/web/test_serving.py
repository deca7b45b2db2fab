"""Who serves the phone links: the chain's worker and the one-PC main window when ``web.listen``
is set, never a counter kiosk, and nobody when it is not."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from storemon.errors import StoremonError
from storemon.services.access import SYSTEM
from storemon.web.server import WebThread
from storemon.worker import Jobs, LocalJobs, start_web
from tests.web.conftest import free_port

pytestmark = pytest.mark.parametrize("demo_url", ["sqlite"], indirect=True)


def _listen(services) -> str:
    listen = f"127.0.0.1:{free_port()}"
    services.phone_links.save_settings(SYSTEM, datetime.now(UTC), listen=listen)
    return listen


def test_the_worker_serves_when_web_listen_is_set(database, services):
    assert start_web(Jobs(database)) is None
    listen = _listen(services)
    web = start_web(Jobs(database))
    try:
        assert httpx.get(f"http://{listen}/healthz").text == "ok"
    finally:
        web.stop()


def test_the_main_window_serves_in_one_pc_mode_and_the_kiosk_does_not(database, services):
    listen = _listen(services)
    kiosk = LocalJobs(database, "kiosk")
    try:
        assert kiosk.web is None
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://{listen}/healthz")
    finally:
        kiosk.stop()
    window = LocalJobs(database, "gui")
    try:
        assert httpx.get(f"http://{listen}/healthz").text == "ok"
        second = LocalJobs(database, "gui")  # a second window finds the port taken and says so
        assert second.web is None
        second.stop()
    finally:
        window.stop()


def test_a_port_in_use_is_a_clear_error(database):
    listen = f"127.0.0.1:{free_port()}"
    first = WebThread(database, listen).start()
    try:
        with pytest.raises(StoremonError, match=f"could not listen on {listen}"):
            WebThread(database, listen).start()
    finally:
        first.stop()


def test_web_save_checks_and_stores_the_settings(demo_url, services, capsys):
    from storemon.cli.main import main

    assert main(["--db", demo_url, "web", "--save", "--base-url", "ftp://storemon.example"]) == 2
    assert "must be an http:// or https:// address" in capsys.readouterr().err
    assert main(["--db", demo_url, "web", "--save", "--link-hours", "0"]) == 2
    assert (
        main(
            [
                "--db",
                demo_url,
                "web",
                "--save",
                "--base-url",
                "https://storemon.example/",
                "--link-hours",
                "1",
            ]
        )
        == 0
    )
    assert services.phone_links.settings() == {
        "web.listen": "",
        "web.base_url": "https://storemon.example",
        "web.link_hours": 1.0,
    }
    assert main(["--db", demo_url, "web", "--listen", "nonsense"]) == 2
    assert "give HOST:PORT" in capsys.readouterr().err
