#!/usr/bin/env python3
"""Screenshots of every screen, in English and Chinese, from the demo chain: docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py

Builds the default demo chain in a temporary database, fixes the clock at 11:30 on the demo's
"today" (the lunch rush ahead), raises some alerts the way a store would, and grabs each main
window screen at 1366x768 (the common office PC: ``<screen>-<language>.png``, what the guides show)
and at 1920x1080 (``<screen>-1920-<language>.png``), and the kiosk at 1024x768, once its data has
loaded.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402

from storemon.services.access import SYSTEM  # noqa: E402
from storemon.services.api import Services  # noqa: E402
from storemon.services.database import open_database  # noqa: E402
from storemon.services.demo import DEMO_PIN, build_demo  # noqa: E402
from storemon.services.rules import evaluate  # noqa: E402
from ui.app import WindowHost, ensure_app  # noqa: E402
from ui.context import AppContext, AppEvents  # noqa: E402
from ui.i18n import install_translator  # noqa: E402
from ui.tasks import TaskRunner  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
ANCHOR = date(2026, 3, 9)
NOW = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)  # 11:30 in Shanghai
SIZES = (((1366, 768), ""), ((1920, 1080), "-1920"))


def settle(ctx: AppContext, ms: int = 400) -> None:
    """Let queued work finish and the screen repaint (no sleeping in a loop: one event loop run)."""
    for _ in range(60):
        ctx.tasks.wait(20_000)
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        if ctx.tasks.busy == 0:
            return


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = ensure_app()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["STOREMON_HOME"] = tmp
        database = open_database(f"sqlite:///{tmp}/demo.sqlite3")
        with database.sessions() as session:
            build_demo(session, anchor=ANCHOR)
            session.commit()
        services = Services(database)
        with database.sessions.begin() as session:
            evaluate(session, NOW - timedelta(hours=4))  # early warnings before the morning rush
        manager = services.auth.actor("mgr-sh001")
        services.calls.call_manager(services.auth.actor("staff-sh001"), manager.store_id, NOW)
        services.calls.relief_request(
            services.auth.actor("staff-sh001"), manager.store_id, "Alone, 15 in the queue", NOW, "high"
        )
        for language in ("en", "zh_CN"):
            for username in ("mgr-sh001", "sup-east", "admin"):
                settings = QSettings(f"{tmp}/ui-{language}-{username}.ini", QSettings.Format.IniFormat)
                install_translator(language)
                ctx = AppContext(
                    services,
                    services.auth.actor(username),
                    TaskRunner(),
                    AppEvents(),
                    settings,
                    clock=lambda: NOW,
                )
                host = WindowHost(ctx)
                window = host.window
                window.show()
                keys = [key for key, *_ in window.screens]  # the screens this user's sidebar has
                if username == "sup-east":
                    keys = ["region"]
                elif username == "admin":
                    keys = ["users", "audit"]  # head office only; the other screens are shot as mgr-sh001
                for size, suffix in SIZES:
                    window.resize(*size)
                    for key in keys:
                        window.show_view(key)
                        settle(ctx, 600)
                        who = "" if username == "mgr-sh001" else f"-{username}"
                        path = OUT / f"{key}{who}{suffix}-{language}.png"
                        window.grab().save(str(path))
                        print(path.relative_to(ROOT))
                window.close()
                settle(ctx, 50)
            kiosk_shots(services, language)
    install_translator("en")
    app.quit()
    return 0


def kiosk_shots(services: Services, language: str) -> None:
    from ui.kiosk import KioskWindow

    terminal = services.kiosk.terminal(SYSTEM, "SH001")
    settings = QSettings(f"{os.environ['STOREMON_HOME']}/kiosk-{language}.ini", QSettings.Format.IniFormat)
    ctx = AppContext(services, terminal.actor, TaskRunner(), AppEvents(), settings, clock=lambda: NOW)
    window = KioskWindow(ctx, terminal)
    window.resize(1024, 768)
    window.show()
    settle(ctx)
    window.grab().save(str(OUT / f"kiosk-login-{language}.png"))
    people = services.kiosk.people(terminal.actor, terminal.store.id, NOW)
    person = next((p for p in people if p.has_pin), None)
    if person is not None:
        window.sign_in(person, DEMO_PIN)
        settle(ctx)
        for page in ("home", "help", "incident", "checkin", "support"):
            window.open_page(page)
            settle(ctx)
            window.grab().save(str(OUT / f"kiosk-{page}-{language}.png"))
    window.close()
    settle(ctx, 50)
    print(f"docs/screenshots/kiosk-*-{language}.png")


if __name__ == "__main__":
    sys.exit(main())
