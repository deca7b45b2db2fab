"""Fixtures for the notifier and outbox tests: real SMTP and HTTP servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.alerts.servers import HttpServer, SelfSignedCertificate, SmtpServer, make_certificate

SMTP_USER = "manager@store.example"
SMTP_PASSWORD = "s3cret-Pa55word!"


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> SelfSignedCertificate:
    """A self-signed certificate for 127.0.0.1; TLS tests skip, visibly, without openssl."""
    cert = make_certificate(tmp_path_factory.mktemp("tls"))
    if cert is None:
        pytest.skip("the openssl command is not installed, so no test certificate: apt-get install openssl")
    return cert


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., SmtpServer]]:
    """A factory for started SMTP servers (mode "none", "starttls" or "ssl"; users for AUTH)."""
    started: list[SmtpServer] = []

    def start(**kwargs) -> SmtpServer:
        server = SmtpServer(**kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def http_server(monkeypatch) -> Iterator[HttpServer]:
    """A started recording HTTP server; proxies from the environment are bypassed for it."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = HttpServer().start()
    yield server
    server.stop()
