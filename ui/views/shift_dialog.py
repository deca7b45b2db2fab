"""The dialog that adds or edits one shift, and the words for a roster edit the services refused."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, QLocale, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from storemon.services.access import AccessDenied, NotFound
from storemon.services.schedule import MAX_SHIFT, RosterEntry, RosterPerson, ScheduleError, WeekRoster
from ui.context import AppContext
from ui.format import clock, duration, short_date
from ui.i18n import fill, translate
from ui.models.roster_table import qdate, role_label
from ui.tasks import TaskControl
from ui.widgets.inline_error import InlineErrorMixin, error_line


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def schedule_error_text(exc: BaseException) -> str | None:
    """The user's-language message for a refused roster edit; None for errors shown elsewhere."""

    if isinstance(exc, ScheduleError):
        p = exc.params
        if exc.reason == "end_not_after_start":
            return translate("ShiftDialog", "The shift must end after it starts.")
        if exc.reason == "too_long":
            return fill(
                translate(
                    "ShiftDialog",
                    "A shift longer than %1 hours is most likely a typing mistake; check the day and the times.",
                ),
                QLocale().toString(int(p.get("hours", 16))),
            )
        if exc.reason == "overlap":
            start, end = p["start"], p["end"]
            return fill(
                translate(
                    "ShiftDialog", "%1 already works %2–%3 on %4 at %5. One person's shifts cannot overlap."
                ),
                str(p.get("name", "")),
                clock(start),
                clock(end),
                short_date(start.date()),
                str(p.get("store", "")),
            )
        if exc.reason == "not_at_store":
            return fill(
                translate(
                    "ShiftDialog",
                    "%1 does not work at %2 or another store of its region; only those people can be "
                    "rostered here.",
                ),
                str(p.get("name", "")),
                str(p.get("store", "")),
            )
        if exc.reason == "inactive":
            return fill(translate("ShiftDialog", "%1 is no longer active."), str(p.get("name", "")))
        if exc.reason == "starts_in_past":
            return fill(
                translate(
                    "ShiftDialog",
                    "The shift starts at %1, before now (%2): adding it would rewrite the waits and pressure "
                    "already recorded. Start it at %2 or later.",
                ),
                clock(p["start"]),
                clock(p["now"]),
            )
        if exc.reason == "no_shifts":
            return translate("ShiftDialog", "Tick at least one shift to add.")
        if exc.reason == "unknown_staff":
            return translate("ShiftDialog", "This person no longer exists; reload the schedule.")
        return str(exc)
    if isinstance(exc, NotFound):
        return translate(
            "ShiftDialog", "This shift no longer exists; someone may have deleted it. Reload the schedule."
        )
    if isinstance(exc, AccessDenied):
        return translate("ShiftDialog", "You can view this roster but not change it.")
    return None


class ShiftDialog(InlineErrorMixin, QDialog):
    """Add or change one shift; the service checks it and the dialog says why it was refused."""

    saved = Signal(object)
    """The saved ``RosterEntry``."""

    def __init__(
        self,
        ctx: AppContext,
        week: WeekRoster,
        day: date,
        shift: RosterEntry | None = None,
        staff_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.week, self.shift = ctx, week, shift
        self.setWindowTitle(self.tr("Change shift") if shift else self.tr("Add shift"))
        self.setModal(True)
        self._busy = False
        self._allow_past = False
        """The manager confirmed a shift starting before now (``_ask_past``)."""
        self.past_box: QMessageBox | None = None

        people = [p for p in week.people if p.works_here and p.active]
        if shift and all(p.id != shift.staff_id for p in people):
            people.insert(
                0,
                RosterPerson(
                    shift.staff_id,
                    shift.staff_code,
                    shift.staff_name,
                    shift.role,
                    False,
                    True,
                    shift.borrowed_from,
                ),
            )
        self.person_combo = QComboBox()
        self.person_combo.setObjectName("shiftPerson")
        for person in people:
            self.person_combo.addItem(self._person_text(person), person.id)
        wanted = shift.staff_id if shift else staff_id
        self._wanted = wanted
        if wanted is not None:
            self.person_combo.setCurrentIndex(max(0, self.person_combo.findData(wanted)))
        self.borrowed_count = 0
        """People of the region's other stores listed after the store's own (once they are loaded)."""

        self.day_edit = QDateEdit(qdate(shift.day if shift else day))
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat(QLocale().dateFormat(QLocale.FormatType.ShortFormat))
        opens = week.hours_on(shift.day if shift else day)[0]
        start = shift.start.time() if shift else opens
        end = shift.end.time() if shift else (datetime.combine(day, opens) + timedelta(hours=8)).time()
        self.start_edit = QTimeEdit(QTime(start.hour, start.minute))
        self.end_edit = QTimeEdit(QTime(end.hour, end.minute))
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat("HH:mm")
        self.next_day_check = QCheckBox(self.tr("Ends after midnight (the next day)"))
        self.next_day_check.setChecked(bool(shift and shift.ends_next_day))
        self.length_label = QLabel()
        self.error_label = error_line()

        form = QFormLayout()
        form.addRow(self.tr("Person"), self.person_combo)
        form.addRow(self.tr("Day"), self.day_edit)
        form.addRow(self.tr("Starts"), self.start_edit)
        form.addRow(self.tr("Ends"), self.end_edit)
        form.addRow("", self.next_day_check)
        form.addRow(self.tr("Length"), self.length_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save changes") if shift else self.tr("Add shift"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        store = QLabel(f"<b>{week.store_name}</b> ({week.store_code})")
        layout.addWidget(store)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

        for signal in (self.start_edit.timeChanged, self.end_edit.timeChanged, self.day_edit.dateChanged):
            signal.connect(self._check)
        self.next_day_check.toggled.connect(self._check)
        self.person_combo.currentIndexChanged.connect(lambda _i: self._show_error(""))
        self._check()
        self._load_borrowable()

    # -- borrowed staff ---------------------------------------------------------------------------
    def _person_text(self, person: RosterPerson) -> str:
        if person.home_store and not person.works_here:
            return fill(
                self.tr("%1 · %2 · borrowed from %3"), person.name, role_label(person.role), person.home_store
            )
        return f"{person.name} · {role_label(person.role)}"

    def _load_borrowable(self) -> None:
        """List the region's other stores' people after the store's own (off the GUI thread)."""
        services, actor, store_id = self.ctx.services, self.ctx.actor, self.week.store_id
        self.ctx.tasks.op(
            self,
            lambda _c: services.schedule.borrowable_people(actor, store_id),
            self._add_borrowable,
            key="borrowable",
            on_error=lambda _exc: None,  # the store's own people stay listed
        )

    def _add_borrowable(self, people: list[RosterPerson]) -> None:
        listed = {self.person_combo.itemData(i) for i in range(self.person_combo.count())}
        fresh = [p for p in people if p.id not in listed]
        if fresh:
            self.person_combo.insertSeparator(self.person_combo.count())
        for person in fresh:
            self.person_combo.addItem(self._person_text(person), person.id)
            self.person_combo.setItemData(
                self.person_combo.count() - 1,
                fill(self.tr("Works at %1; rostered here as borrowed staff"), person.home_store),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.borrowed_count = len(fresh)
        if any(p.id == self._wanted for p in fresh):  # "Add" on a borrowed person's row
            self.person_combo.setCurrentIndex(self.person_combo.findData(self._wanted))
        elif self.staff_id() is None and self.person_combo.count():
            self.person_combo.setCurrentIndex(0)

    # -- values -----------------------------------------------------------------------------------
    def staff_id(self) -> int | None:
        return self.person_combo.currentData()

    def times(self) -> tuple[datetime, datetime]:
        """Start and end as the store's naive wall-clock time."""
        day = to_date(self.day_edit.date())
        s, e = self.start_edit.time(), self.end_edit.time()
        start = datetime.combine(day, time(s.hour(), s.minute()))
        end = datetime.combine(day, time(e.hour(), e.minute()))
        if self.next_day_check.isChecked():
            end += timedelta(days=1)
        return start, end

    def _local_problem(self) -> str:
        start, end = self.times()
        if self.staff_id() is None:
            return self.tr("Choose who works this shift.")
        if end <= start:
            return self.tr("The shift must end after it starts.")
        if end - start > MAX_SHIFT:
            hours = int(MAX_SHIFT.total_seconds() // 3600)
            return fill(
                self.tr(
                    "A shift longer than %1 hours is most likely a typing mistake; check the day and the times."
                ),
                QLocale().toString(hours),
            )
        return ""

    def _check(self) -> None:
        self._allow_past = False  # a confirmation holds for the times it was given for
        start, end = self.times()
        minutes = int((end - start).total_seconds() // 60)
        self.length_label.setText(duration(minutes) if minutes > 0 else "—")
        self._show_error(self._local_problem())

    # -- saving -----------------------------------------------------------------------------------
    def save(self) -> None:
        problem = self._local_problem()
        if problem or self._busy:
            self._show_error(problem)
            return
        services, actor, now = self.ctx.services, self.ctx.actor, self.ctx.clock()
        staff_id = self.staff_id()
        start, end = self.times()
        shift_id = self.shift.id if self.shift else None
        store_id, allow_past = self.week.store_id, self._allow_past

        def work(_control: TaskControl) -> RosterEntry:
            if shift_id is None:
                return services.schedule.add_shift(actor, store_id, staff_id, start, end, now, allow_past)
            return services.schedule.update_shift(actor, shift_id, staff_id, start, end)

        self._set_busy(True)
        self.ctx.tasks.op(self, work, self._saved, on_error=self._failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.person_combo, self.day_edit, self.start_edit, self.end_edit, self.next_day_check):
            widget.setEnabled(not busy)
        self.save_button.setEnabled(not busy and not self.error_text())
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def _saved(self, entry: RosterEntry) -> None:
        self._set_busy(False)
        self.saved.emit(entry)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ScheduleError) and exc.reason == "starts_in_past":
            self._ask_past(exc)
            return
        text = schedule_error_text(exc)
        if text is None:
            self.ctx.show_error(self, exc)
        else:
            self._show_error(text)

    def _ask_past(self, exc: ScheduleError) -> None:
        """A shift starting before now: add it only if the manager says it was really worked."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Shift starts in the past"),
            fill(
                self.tr(
                    "This shift starts at %1, before now (%2). Adding it rewrites the waits and pressure "
                    "already recorded for that time.\n\nAdd it anyway, as a shift that was worked?"
                ),
                clock(exc.params["start"]),
                clock(exc.params["now"]),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText(self.tr("Add it anyway"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self._confirm_past() if button is yes else None)
        box.finished.connect(lambda _r: self._past_closed(box))
        self.past_box = box
        self._show_error(schedule_error_text(exc) or "")
        box.open()

    def _past_closed(self, box: QMessageBox) -> None:
        if self.past_box is box:
            self.past_box = None
        box.deleteLater()

    def _confirm_past(self) -> None:
        self._allow_past = True
        self._show_error("")
        self.save()
