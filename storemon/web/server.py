"""Running the phone link app with uvicorn: in the foreground (``storemon web``) or on a thread
of the worker (chain mode with ``web.listen`` set).

uvicorn is the reference ASGI server (Encode, who also keep Starlette); with ``proxy_headers``
it takes the client address and scheme from ``X-Forwarded-For``/``-Proto`` only when the
request comes from an address in ``FORWARDED_ALLOW_IPS`` (default 127.0.0.1: a reverse proxy on
the same host), so the rate limit counts phones, not the proxy.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import uvicorn

from storemon.errors import StoremonError
from storemon.services.database import Database
from storemon.services.phone_links import signer
from storemon.web.app import create_app

log = logging.getLogger(__name__)


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8470`` for IPv6) -> (host, port), or a StoremonError saying how."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise StoremonError(f"--listen {text!r}: give HOST:PORT, e.g. 127.0.0.1:8470")
    return host, int(port)


def make_server(database: Database, listen: str, **options: Any) -> uvicorn.Server:
    """A uvicorn server for the app on ``listen``; the phone link key is made here if missing.
    ``options`` go to ``create_app`` (a test's clock or rate limit)."""
    host, port = parse_listen(listen)
    app = create_app(database, signer(create=True), **options)
    config = uvicorn.Config(
        app, host=host, port=port, proxy_headers=True, log_level="warning", access_log=False
    )
    return uvicorn.Server(config)


def serve(database: Database, listen: str) -> None:
    """Serve until interrupted (uvicorn handles SIGINT/SIGTERM)."""
    server = make_server(database, listen)
    try:
        server.run()
    except SystemExit:  # uvicorn's answer to an address it cannot bind (it logged why)
        raise StoremonError(
            f"storemon web could not listen on {listen} (in use, or not this host's?)"
        ) from None


class WebThread:
    """The app served on a daemon thread; ``stop()`` ends it (the worker's shutdown)."""

    def __init__(self, database: Database, listen: str, **options: Any) -> None:
        self.server = make_server(database, listen, **options)
        self.thread = threading.Thread(target=self._run, name="storemon-web", daemon=True)

    def _run(self) -> None:
        try:
            self.server.run()
        except SystemExit:  # uvicorn exits when it cannot bind; start() reports it to the caller
            log.debug("storemon web thread ended: could not start")

    def start(self, timeout: float = 10.0) -> WebThread:
        """Start serving; returns once the socket listens (StoremonError if it never does)."""
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                host, port = self.server.config.host, self.server.config.port
                raise StoremonError(f"storemon web could not listen on {host}:{port} (in use?)")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
