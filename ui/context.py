"""What every view gets: the services, the signed-in user, the task runner and app-wide events."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from storemon.errors import StoremonError
from storemon.services.access import Actor
from storemon.services.api import Services
from ui.change_feed import ChangeFeed
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class AppEvents(QObject):
    """App-wide typed signals (STYLE.md section 3): views listen here instead of to each other."""

    data_changed = Signal()
    """Something in the database changed (an import, a roster edit, another PC)."""
    alerts_changed = Signal()
    store_selected = Signal(int)
    """Show this store on the Today screen (drill-down from Region)."""
    language_changed = Signal(str)
    status_message = Signal(str)


@dataclass
class AppContext:
    services: Services
    actor: Actor
    tasks: TaskRunner
    events: AppEvents
    settings: QSettings
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    runs_jobs: Callable[[], bool] = lambda: False
    """True while this process runs the scheduled jobs (one PC: it holds the jobs lease)."""
    changes: ChangeFeed = field(default_factory=ChangeFeed)
    """What every PC commits (the change feed); started by the app (``changes.start(services)``)."""

    def __post_init__(self) -> None:
        # Every op without its own error handler ends here: one place shows errors kindly.
        self.tasks.error_event.connect(self.show_error)

    def show_error(self, parent: QObject | None, exc: BaseException) -> None:
        """A user-fixable error shows its message; anything else points to the log, never a traceback."""
        if isinstance(exc, StoremonError):
            text = str(exc)
        else:
            log.error("unexpected error", exc_info=exc)
            text = QCoreApplication.translate(
                "AppContext", "Something went wrong; the details are in the log file."
            )
            text += f"\n\n{type(exc).__name__}"
        QMessageBox.warning(parent if isinstance(parent, QWidget) else None, "Storemon", text)
