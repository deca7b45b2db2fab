"""The red banner every screen and the kiosk show when nobody runs the escalation jobs.

A relief request that nobody escalates is worse than none: the person at the counter believes
help is on its way. The banner asks (off the GUI thread) when the escalation job last ran in any
Storemon process (``storemon.job_lease``): at start and whenever the change feed says a process
ran the jobs or beat its heart. Between those, a clock tick compares the time with the answer
(no query): jobs that stop running stop committing, so only the clock can notice.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from storemon.services.changes import JOBS
from ui.context import AppContext
from ui.palette import BAD, box_style

CLOCK_TICK_MS = 15_000
"""How often the banner compares the clock with the last run it knows of (no database work)."""


class JobsBanner(QLabel):
    """Hidden while the jobs run; red, with what to do, while nobody runs them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.stale_at: datetime | None = None
        self._known = False
        self.setObjectName("jobsBanner")
        self.setWordWrap(True)
        self.setStyleSheet(box_style("#jobsBanner", BAD, "8px 10px"))
        self.setText(
            self.tr(
                "Nobody is running the escalations: calls for help will not go up the chain. "
                "Keep Storemon open on this PC, or start the worker (storemon worker)."
            )
        )
        self.hide()
        self._clock = QTimer(self)
        self._clock.timeout.connect(self._judge)
        self._clock.start(CLOCK_TICK_MS)
        ctx.changes.changed.connect(self._on_change)
        QTimer.singleShot(0, self.check)

    def _on_change(self, kinds: frozenset[str], _store_ids: frozenset[int]) -> None:
        if JOBS in kinds:
            self.check()

    def check(self) -> None:
        """Ask the database when the jobs last ran (off the GUI thread), then show or hide."""
        services = self.ctx.services
        self.ctx.tasks.op(self, lambda _c: services.db.jobs_stale_at(), self._known_at, key="check")

    def _known_at(self, stale_at: datetime | None) -> None:
        self.stale_at, self._known = stale_at, True
        self._judge()

    def _judge(self) -> None:
        if self._known:
            self.setVisible(self.stale_at is None or self.ctx.clock() > self.stale_at)
