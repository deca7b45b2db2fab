"""The line under the kiosk's header that tells the counter help is on the way.

"Li Na is coming, expected 11:50" as soon as a colleague accepts the store's backup call (or a
manager answers "I'm coming" from the phone), whoever is signed in or nobody. It rereads when the
change feed says alerts of this store changed, on any PC; no timer of its own.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal

from storemon.services.access import Actor
from storemon.services.call_state import Arrival
from storemon.services.changes import ALERTS
from ui.context import AppContext
from ui.widgets.call_words import arrival_text
from ui.widgets.form_helpers import MessageStrip

log = logging.getLogger(__name__)


class ComingStrip(MessageStrip):
    """Who is on their way to this store (hidden while nobody is)."""

    loaded = Signal()
    """The arrivals were read and are on screen."""

    def __init__(self, ctx: AppContext, actor: Actor, store_id: int, timezone: str) -> None:
        super().__init__()
        self.label.setObjectName("coverComing")
        self.label.setStyleSheet("font-size: 22px; font-weight: 600;")
        self.ctx, self.actor, self.store_id = ctx, actor, store_id
        self.zone = ZoneInfo(timezone)
        self.arrivals: list[Arrival] = []
        ctx.changes.changed.connect(self._on_change)
        self.reload()

    def _on_change(self, kinds: frozenset[str], store_ids: frozenset[int]) -> None:
        if ALERTS in kinds and self.ctx.changes.concerns(store_ids, self.store_id):
            self.reload()

    def reload(self) -> None:
        services, actor, store_id = self.ctx.services, self.actor, self.store_id

        def failed(exc: BaseException) -> None:
            log.warning("arrivals at the kiosk: %s", exc)  # the next change asks again

        self.ctx.tasks.op(
            self,
            lambda _c: services.kiosk.arrivals(actor, store_id),
            self._show,
            key="coming",
            on_error=failed,
        )

    def _show(self, arrivals: list[Arrival]) -> None:
        self.arrivals = arrivals
        if arrivals:
            self.show_message("success", "\n".join(arrival_text(a, self.zone) for a in arrivals))
        else:
            self.clear()
        self.loaded.emit()
