"""The Surge calendar tab: the 3·15 season, holidays and promotions, and which yearly periods
raise the forecast without a past year's sales to measure them by."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton

from staffing.surge import SurgeCalendar
from ui.views.policies.tab import EditorTab, scrolled
from ui.widgets.surge_editor import SurgeEditor

if TYPE_CHECKING:
    from ui.views.policies.view import PoliciesView


Surges = tuple[SurgeCalendar, frozenset[str]]
"""The calendar and the labels of the yearly periods turned on (``staffing.forecast``)."""


class SurgePage(EditorTab):
    """The surge calendar stored under ``staffing.surge``, with the periods turned on."""

    saved_by = "save_surges"

    editor: SurgeEditor

    def __init__(self, view: PoliciesView) -> None:
        super().__init__(view, SurgeEditor(view.today()))
        self.add_button = QPushButton(self.tr("Add period"))
        self.add_button.clicked.connect(self.editor.add_period)
        self.default_button = QPushButton(self.tr("Restore the default calendar"))
        self.default_button.setToolTip(
            self.tr("Only the 3·15 consumer-rights season (20 Feb – 15 Mar, every year)")
        )
        self.default_button.clicked.connect(self.restore_default)
        self.lay_out(scrolled(self.editor), self.add_button, self.default_button)

    def fetch(self) -> None:
        actor = self.ctx.actor

        def work() -> tuple[Surges, list[str]]:
            calendar = self.ctx.services.policies.surge_calendar()
            turned_on = self.ctx.services.policies.forecast_planning().surges_turned_on
            codes = [s.code for s in self.ctx.services.stores.list(actor)] if actor.sees_chain else []
            return (calendar, turned_on), codes

        self.call(work, self._fetched, self.load_failed)

    def _fetched(self, result: tuple[Surges, list[str]]) -> None:
        surges, codes = result
        self.editor.set_store_codes(codes)
        self.loaded(surges)

    def show_value(self, surges: Surges) -> None:
        self.editor.set_calendar(*surges)

    def edited(self) -> Surges | None:
        calendar = self.editor.calendar()
        return None if calendar is None else (calendar, self.editor.turned_on())

    def write(self, surges: Surges) -> Surges:
        return self.ctx.services.policies.save_surges(self.ctx.actor, *surges)

    def saved_text(self) -> str:
        return self.tr("Surge calendar saved.")

    def restore_default(self) -> None:
        self.show_default(
            (SurgeCalendar.default(), frozenset()),
            self.tr("The default calendar is in the editor; save to use it."),
        )
