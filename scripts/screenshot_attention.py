#!/usr/bin/env python3
"""Screenshots of a page reaching the store manager: banner, badge and Today's call panel, 1366x768.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_attention.py

The main window of mgr-sh001 is open on Today when the barista asks for relief from the counter;
the change feed brings the page, and the window is grabbed once the banner shows, in English and
Chinese: docs/screenshots/attention-en.png and attention-zh_CN.png; then the banner's Open shows
the page on the Alerts screen: alerts-1366-en.png and alerts-1366-zh_CN.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402

from scripts.screenshots import ANCHOR, NOW, OUT, settle  # noqa: E402
from storemon.services.api import Services  # noqa: E402
from storemon.services.database import open_database  # noqa: E402
from storemon.services.demo import build_demo  # noqa: E402
from ui.app import WindowHost, ensure_app  # noqa: E402
from ui.context import AppContext, AppEvents  # noqa: E402
from ui.i18n import install_translator  # noqa: E402
from ui.tasks import TaskRunner  # noqa: E402

REASONS = {"en": "Alone, 15 in the queue", "zh_CN": "只有我一个人，排队15人"}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = ensure_app()
    for language in ("en", "zh_CN"):
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["STOREMON_HOME"] = tmp
            database = open_database(f"sqlite:///{tmp}/demo.sqlite3")
            with database.sessions() as session:
                build_demo(session, stores=8, weeks=3, anchor=ANCHOR)
                session.commit()
            services = Services(database)
            install_translator(language)
            settings = QSettings(f"{tmp}/ui.ini", QSettings.Format.IniFormat)
            settings.setValue("main_window/last_view", "today")
            ctx = AppContext(
                services,
                services.auth.actor("mgr-sh001"),
                TaskRunner(),
                AppEvents(),
                settings,
                clock=lambda: NOW,
            )
            ctx.changes.start(services)
            ctx.changes.wait_ready()
            host = WindowHost(ctx)
            window = host.window
            window.resize(1366, 768)
            window.show()
            settle(ctx, 600)
            staff = services.auth.actor("staff-sh001")
            services.calls.call_backup(staff, staff.store_id, NOW - timedelta(minutes=12), "")
            alert_id = services.calls.relief_request(staff, staff.store_id, REASONS[language], NOW, "high")
            for _ in range(20):
                settle(ctx, 300)
                if window.attention_banner.isVisible() and window.view("today").store_calls.isVisible():
                    break
            path = OUT / f"attention-{language}.png"
            window.grab().save(str(path))
            print(path.relative_to(ROOT))
            window.open_alert(alert_id)
            settle(ctx, 600)
            path = OUT / f"alerts-1366-{language}.png"
            window.grab().save(str(path))
            print(path.relative_to(ROOT))
            window.close()
            ctx.changes.stop()
            settle(ctx, 50)
            database.close()
    install_translator("en")
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
