"""Click-to-notifier latency: from a "call the manager" click to the webhook request arriving.

For SQLite and PostgreSQL, starts a real ``storemon worker`` process and a local HTTP server
subscribed as a generic webhook channel at level 2, then clicks ``call_manager`` N times (each
in its own transaction, as the kiosk does) and measures the time from the start of the click
until the server receives that alert's page; then the same with the bare ``raise_alert`` call
(level 2 paged at once) that ``call_manager`` makes after computing the store's live picture.
After each page the alert is resolved, so the next click opens a fresh one (and the "resolved"
message keeps the worker busy, as in life).

Then, on a fresh database, the same clicks while another process imports a 1,000,000-row sales
file (``storemon import sales``), split by whether the import was reading its file or writing.

Targets: PostgreSQL p95 < 200 ms (LISTEN/NOTIFY wakes the dispatcher at once); SQLite p95 < 1 s
(the dispatcher polls every 0.25 s); during the import p95 < 1 s on both. The PostgreSQL server
is a throw-away one started here from the installed binaries, like the test suite's
(``tests/pgserver.py``).

    .venv/bin/python benchmarks/bench_alerts.py [--clicks 100] [--engine sqlite|postgresql|both]
        [--gap 0.3] [--import-rows 1000000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from alerts.escalation import Resolve  # noqa: E402
from benchmarks.bench_import import generate  # noqa: E402
from benchmarks.report import print_table  # noqa: E402
from storemon.db.engine import make_engine, make_session_factory  # noqa: E402
from storemon.db.import_state import WRITING  # noqa: E402
from storemon.db.migrate import upgrade  # noqa: E402
from storemon.db.models import ImportBatch, Store  # noqa: E402
from storemon.services.access import SYSTEM  # noqa: E402
from storemon.services.actions import call_manager  # noqa: E402
from storemon.services.alert_service import act, raise_alert  # noqa: E402
from tests.alerts.servers import HttpServer, Request  # noqa: E402
from tests.pgserver import PgServer, find_bindir  # noqa: E402
from tests.storemon.delivery_helpers import WorkerProcess, configure_webhook  # noqa: E402

TARGETS_MS = {"sqlite": 1000.0, "postgresql": 200.0, "import": 1000.0}
WARMUP_CLICKS = 3


class TimedServer(HttpServer):
    """The test HTTP server, noting when each alert's page arrived (perf_counter seconds)."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[int, float] = {}
        self._arrived = threading.Condition()

    def _record(self, request: Request) -> None:
        at = time.perf_counter()
        super()._record(request)
        try:
            body = request.json()
        except ValueError:
            return
        if body.get("kind") == "page" and body.get("alert_id") is not None:
            with self._arrived:
                self.pages.setdefault(int(body["alert_id"]), at)
                self._arrived.notify_all()

    def wait_for_page(self, alert_id: int, timeout: float) -> float:
        with self._arrived:
            if not self._arrived.wait_for(lambda: alert_id in self.pages, timeout=timeout):
                raise TimeoutError(f"the page for alert {alert_id} did not arrive within {timeout:g} s")
            return self.pages[alert_id]


CLICKS = ("call_manager", "raise_alert")


def click(session, kind: str, store_id: int, i: int) -> int:
    """One click, as its own transaction: the kiosk's "call the manager" button, or the bare
    alert service call it makes (level 2 paged at once) without the live staffing picture."""
    now = datetime.now(UTC)
    if kind == "call_manager":
        return call_manager(session, SYSTEM, store_id, now, note=f"click {i}")
    alert = raise_alert(
        session,
        rule="manager_call",
        store_id=store_id,
        dedup_key=f"bench:{i}",
        title="Manager needed at B001 Bench coffee",
        severity="critical",
        now=now,
        start_level=2,
        by="admin",
    )
    return alert.id


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@dataclass
class Result:
    engine: str
    click: str
    latencies_ms: list[float]
    """Click start -> the page arrives at the webhook."""
    click_ms: list[float]
    """Click start -> its transaction committed (the service call itself)."""

    @property
    def after_commit_ms(self) -> list[float]:
        return [total - txn for total, txn in zip(self.latencies_ms, self.click_ms, strict=True)]


@contextmanager
def rig(engine_name: str, url: str, workdir: Path) -> Iterator[Rig]:
    """A migrated database with store B001, a webhook channel at level 2 and a real worker."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    server = TimedServer().start()
    worker = None
    try:
        with sessions.begin() as session:
            store = Store(code="B001", name="Bench coffee")
            session.add(store)
            configure_webhook(session, "ops-hook", server.url(), levels=[2])
            session.flush()
            store_id = store.id
        worker = WorkerProcess(url, workdir / "home", workdir / f"worker-{engine_name}.log")
        yield Rig(engine_name, sessions, store_id, server, worker)
        if server.duplicates:
            print(f"{engine_name}: {len(server.duplicates)} duplicate deliveries", file=sys.stderr)
    finally:
        if worker is not None:
            worker.stop()
        server.stop()
        engine.dispose()


@dataclass
class Rig:
    engine: str
    sessions: sessionmaker
    store_id: int
    server: TimedServer
    worker: WorkerProcess
    serial: int = 0

    def click_and_wait(self, kind: str, result: Result, *, record: bool, timeout: float = 10) -> None:
        """One click, its page awaited at the receiver, then resolved so the next one is fresh."""
        self.serial += 1
        started = time.perf_counter()
        with self.sessions.begin() as session:
            alert_id = click(session, kind, self.store_id, self.serial)
        committed = time.perf_counter()
        try:
            arrived = self.server.wait_for_page(alert_id, timeout=timeout)
        except TimeoutError as exc:
            raise SystemExit(f"{self.engine}: {exc}\n{self.worker.log_tail()}") from exc
        if record:
            result.latencies_ms.append((arrived - started) * 1000)
            result.click_ms.append((committed - started) * 1000)
        with self.sessions.begin() as session:
            act(session, SYSTEM, alert_id, Resolve(by="admin", note="sorted"), datetime.now(UTC))


def measure(engine_name: str, url: str, clicks: int, workdir: Path, gap: float) -> list[Result]:
    results = []
    rng = random.Random(7)
    with rig(engine_name, url, workdir) as r:
        for kind in CLICKS:
            result = Result(engine_name, kind, [], [])
            for i in range(WARMUP_CLICKS + clicks):
                # Clicks come at random moments, not in step with the worker's 0.25 s poll.
                time.sleep(rng.uniform(0, gap))
                r.click_and_wait(
                    kind, result, record=i >= WARMUP_CLICKS, timeout=60 if i < WARMUP_CLICKS else 10
                )
            results.append(result)
    return results


def measure_during_import(
    engine_name: str, url: str, csv_path: Path, workdir: Path, gap: float
) -> list[Result]:
    """``call_manager`` clicks while another process imports a big sales file (``storemon import
    sales``), split by what the import was doing: reading the file, or writing its rows."""
    rng = random.Random(11)
    reading = Result(engine_name, "call_manager, import reads", [], [])
    writing = Result(engine_name, "call_manager, import writes", [], [])
    with rig(engine_name, url, workdir) as r:
        for _ in range(WARMUP_CLICKS):
            r.click_and_wait("call_manager", reading, record=False, timeout=60)
        env = dict(os.environ, STOREMON_HOME=str(workdir / "home"), PYTHONPATH=str(ROOT))
        env.pop("STOREMON_DB_URL", None)
        started = time.perf_counter()
        importer = subprocess.Popen(
            [sys.executable, "-m", "storemon.cli", "--db", url, "import", "sales", str(csv_path), "--create-stores"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        while importer.poll() is None:
            time.sleep(rng.uniform(0, gap))
            with r.sessions() as session:
                phase = (
                    writing
                    if session.scalar(select(func.count()).where(ImportBatch.state == WRITING))
                    else reading
                )
            r.click_and_wait("call_manager", phase, record=True)
        took = time.perf_counter() - started
        err = importer.stderr.read().decode(errors="replace")
        importer.stderr.close()
        if importer.returncode != 0:
            raise SystemExit(f"{engine_name}: the import failed ({importer.returncode}): {err}")
        print(f"{engine_name}: the import took {took:.1f} s", file=sys.stderr)
    return [x for x in (reading, writing) if x.latencies_ms]


def start_postgres() -> tuple[PgServer, str]:
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    server = PgServer.start(bindir)
    return server, fresh_pg_database(server, "bench_alerts")


def fresh_pg_database(server: PgServer, name: str) -> str:
    admin = make_engine(server.url("postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server.url(name)


def sync_cost(workdir: Path, clicks: int) -> None:
    """What ``synchronous=FULL`` costs a call for help on SQLite: the click's transaction, p50/p95,
    with every commit synced (what Storemon does) beside the old ``NORMAL`` (synced at checkpoints)."""
    rows = []
    for label, durable in (("FULL (now)", True), ("NORMAL (before)", False)):
        url = f"sqlite:///{workdir / f'sync-{durable}.sqlite3'}"
        engine = make_engine(url, durable=durable)
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            store = Store(code="B001", name="Bench coffee", timezone="Asia/Shanghai")
            session.add(store)
            session.flush()
            store_id = store.id
        times = []
        for i in range(clicks):
            started = time.perf_counter()
            with sessions.begin() as session:
                click(session, "raise_alert", store_id, i)
            times.append((time.perf_counter() - started) * 1000)
        engine.dispose()
        rows.append((label, clicks, f"{statistics.median(times):.2f}", f"{percentile(times, 95):.2f}"))
    print("\nSQLite commit durability: one call for help (raise_alert, level 2 paged) per transaction\n")
    print_table(("synchronous", "clicks", "txn p50 ms", "txn p95 ms"), rows, left=(0,))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=100)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--sync-cost-only", action="store_true", help="only the synchronous=FULL vs NORMAL table (SQLite)"
    )
    parser.add_argument(
        "--gap", type=float, default=0.3, help="pause up to this many seconds (uniform) before each click"
    )
    parser.add_argument(
        "--import-rows",
        type=int,
        default=1_000_000,
        help="rows of the sales file imported while clicking (0: skip the during-import case)",
    )
    args = parser.parse_args(argv)
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="storemon-bench-alerts-") as tmp:
        workdir = Path(tmp)
        if "sqlite" in engines:
            sync_cost(workdir, args.clicks)
        if args.sync_cost_only:
            return 0
        big = workdir / "pos-big.csv"
        if args.import_rows:
            generate(big, args.import_rows, stores=30, days=60)
        for name in engines:
            pg = None
            if name == "sqlite":
                url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            else:
                pg, url = start_postgres()
            try:
                results += measure(name, url, args.clicks, workdir, args.gap)
                if args.import_rows:
                    url_import = (
                        f"sqlite:///{workdir / 'bench-import.sqlite3'}"
                        if pg is None
                        else fresh_pg_database(pg, "bench_import")
                    )
                    results += measure_during_import(name, url_import, big, workdir, args.gap)
            finally:
                if pg is not None:
                    pg.stop()
    print()
    all_met = True
    table = []
    for r in results:
        p95 = percentile(r.latencies_ms, 95)
        target = TARGETS_MS["import" if "import" in r.click else r.engine]
        met = p95 < target
        all_met &= met
        table.append(
            (
                r.engine, r.click, len(r.latencies_ms), f"{statistics.median(r.latencies_ms):.1f}",
                f"{p95:.1f}", f"{max(r.latencies_ms):.1f}", f"p95 < {target:.0f}", "yes" if met else "NO",
                f"{statistics.median(r.click_ms):.1f}", f"{percentile(r.click_ms, 95):.1f}",
                f"{statistics.median(r.after_commit_ms):.1f}", f"{percentile(r.after_commit_ms, 95):.1f}",
            )
        )  # fmt: skip
    print_table(
        (
            "engine", "click", "clicks", "p50 ms", "p95 ms", "max ms", "target", "met",
            "txn p50", "txn p95", "after p50", "after p95",
        ),
        table,
        left=(0, 1),
    )  # fmt: skip
    print(
        "\nlatency: click start -> the webhook receives the page. txn: the click's own transaction "
        "(service call + commit); after: commit -> received (worker wake-up, claim, send)."
    )
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
