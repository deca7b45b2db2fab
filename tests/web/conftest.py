"""A demo chain on both engines, served by ``storemon web`` on 127.0.0.1, and a phone-like client.

The server is the real thing (uvicorn on a thread, a free port); the client is httpx, keeping
cookies like a phone's browser. Links are made by the same use case ``storemon alert link`` calls.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from storemon.config import app_paths
from storemon.services.access import SYSTEM
from storemon.services.api import Services
from storemon.services.database import Database, open_database
from storemon.web.server import WebThread

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Clock:
    """The server's clock, moved by the test (expiry without sleeping)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> datetime:
        from datetime import timedelta

        return datetime.now(UTC) + timedelta(seconds=self.offset)


@dataclass
class Web:
    """The running service and what a test does with it."""

    base_url: str
    services: Services
    clock: Clock

    def link(self, alert_id: int, person: str, language: str = "") -> str:
        return self.services.phone_links.make_link(
            SYSTEM, alert_id, person, self.clock(), self.base_url, language
        )

    def phone(self, **headers: str) -> httpx.Client:
        return httpx.Client(headers=headers, timeout=10)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page offers no answer form"
    return found.group(1)


def answer(client: httpx.Client, link: str, choice: str, **form: str) -> httpx.Response:
    """Open the link like a phone, then press the button ``choice``."""
    page = client.get(link)
    assert page.status_code == 200, page.text
    return client.post(link, data={"csrf": csrf_of(page.text), "answer": choice, **form})


@pytest.fixture
def database(demo_url) -> Iterator[Database]:
    db = open_database(demo_url, app_paths())
    yield db
    db.close()


@pytest.fixture
def services(database) -> Services:
    return Services(database)


@pytest.fixture
def web(database, services) -> Iterator[Web]:
    clock = Clock()
    port = free_port()
    server = WebThread(database, f"127.0.0.1:{port}", clock=clock).start()
    yield Web(f"http://127.0.0.1:{port}", services, clock)
    server.stop()
