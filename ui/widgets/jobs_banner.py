"""The red banner every screen and the kiosk show when nobody runs the escalation jobs.

A relief request that nobody escalates is worse than none: the person at the counter believes
help is on its way. The banner asks every so often (off the GUI thread) whether any Storemon
process has run the escalation job in the last two minutes (``storemon.job_lease``).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from ui.context import AppContext
from ui.palette import BAD, box_style

CHECK_EVERY_MS = 15_000


class JobsBanner(QLabel):
    """Hidden while the jobs run; red, with what to do, while nobody runs them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
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
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(CHECK_EVERY_MS)
        QTimer.singleShot(0, self.check)

    def check(self) -> None:
        services, now = self.ctx.services, self.ctx.clock()
        self.ctx.tasks.op(self, lambda _c: services.db.jobs_stale(now), self.setVisible, key="check")
