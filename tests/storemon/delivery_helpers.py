"""Helpers for the delivery tests and the alert benchmark: real worker processes, a webhook
channel in the settings, outbox rows queued in bulk, and bounded waiting.

A worker here is the real thing: ``python -m storemon.cli --db URL worker`` in a subprocess,
with its own ``STOREMON_HOME`` and a short outbox lease, so a SIGKILLed worker's rows come back
within seconds instead of a minute.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.message import Message
from alerts.outbox import PENDING
from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import Notification, Setting
from storemon.services.alert_service import CHANNELS_KEY
from tests.alerts.servers import HttpServer

REPO = Path(__file__).resolve().parents[2]
LEASE_ENV = "STOREMON_OUTBOX_LEASE_SECONDS"


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, every: float = 0.05) -> Any:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds, saying what."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


def configure_webhook(session: Session, name: str, url: str, levels: Iterable[int] = (1, 2, 3, 4, 5)) -> None:
    """Subscribe one generic webhook channel, chain-wide, in the "alerts.channels" setting."""
    value = [
        {
            "name": name,
            "type": "webhook",
            "settings": {"url": url, "timeout": 5},
            "levels": list(levels),
            "enabled": True,
        }
    ]
    row = session.get(Setting, CHANNELS_KEY)
    if row is None:
        session.add(Setting(key=CHANNELS_KEY, value=value))
    else:
        row.value = value


def queue_notifications(session: Session, channel: str, count: int, prefix: str = "crash") -> list[str]:
    """`count` pending outbox rows on `channel`, each with its own idempotency key; the keys."""
    now = datetime.now(UTC)
    keys = [f"{prefix}-{i:05d}" for i in range(count)]
    session.add_all(
        Notification(
            alert_id=None,
            channel=channel,
            recipient=channel,
            username=None,
            payload=Message(
                idempotency_key=key,
                title=f"Test notification {i}",
                body="delivered by a worker that keeps getting killed",
                severity="warning",
                alert_id=None,
                store="",
                level=2,
                kind="page",
                created_at=now,
            ).to_dict(),
            idempotency_key=key,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for i, key in enumerate(keys)
    )
    return keys


@dataclass(frozen=True)
class WebhookBacklog:
    """Notifications queued for channel "hook" and the HTTP server that receives them."""

    sessions: sessionmaker[Session]
    server: HttpServer
    keys: set[str]

    def counts(self) -> dict[str, int]:
        """Outbox rows per status."""
        return outbox_counts(self.sessions)

    def leased_by(self, worker: WorkerProcess) -> set[str]:
        """Keys of the pending rows `worker` holds (what it had in flight when killed)."""
        return leased_keys(self.sessions, worker.worker_id)

    def wait_all_delivered(self, timeout: float = 60) -> None:
        """Until the receiver has every queued key and no row is pending any more."""
        wait_until(
            lambda: set(self.server.deliveries) >= self.keys and self.counts().get("pending", 0) == 0,
            timeout=timeout,
            what="every notification to be delivered and recorded",
        )


@contextmanager
def webhook_backlog(db_url: str, count: int, prefix: str = "crash") -> Iterator[WebhookBacklog]:
    """A receiving HTTP server set up as channel "hook" with `count` notifications queued for it;
    both are stopped afterwards."""
    server = HttpServer().start()
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    try:
        with sessions.begin() as session:
            configure_webhook(session, "hook", server.url())
            keys = set(queue_notifications(session, "hook", count, prefix=prefix))
        yield WebhookBacklog(sessions, server, keys)
    finally:
        server.stop()
        engine.dispose()


def outbox_counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Rows per status."""
    with sessions() as session:
        rows = session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all()
    return {status: count for status, count in rows}


def leased_keys(sessions: sessionmaker[Session], worker_id: str) -> set[str]:
    """Keys of the pending rows `worker_id` holds a lease on (its in-flight rows)."""
    with sessions() as session:
        return set(
            session.scalars(
                select(Notification.idempotency_key).where(
                    Notification.status == PENDING, Notification.lease_owner == worker_id
                )
            )
        )


class WorkerProcess:
    """``storemon worker`` in a subprocess; its log goes to a file (shown when a test fails)."""

    def __init__(
        self,
        db_url: str,
        home: Path,
        log_path: Path,
        lease_seconds: float | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        env = dict(os.environ) | (extra_env or {})
        env.update(
            STOREMON_HOME=str(home),
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
            no_proxy="127.0.0.1,localhost",
            NO_PROXY="127.0.0.1,localhost",
            PYTHONUNBUFFERED="1",
        )
        env.pop("STOREMON_DB_URL", None)
        if lease_seconds is not None:
            env[LEASE_ENV] = str(lease_seconds)
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 (closed in wait/kill)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "storemon.cli", "--db", db_url, "-v", "worker"],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.worker_id = f"{socket.gethostname()}:{self.process.pid}"

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up, no lease released, a send possibly half done."""
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM and wait for a clean exit; SIGKILL if it does not come."""
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(timeout=10)
        self._log.close()
        return code

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
