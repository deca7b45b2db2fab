"""The Authority and playbooks tab: what each role may grant alone, and the pre-approved responses
per incident type (at least three each).

Amounts and limits are checked by the domain (``parse_amount``, ``AuthorityLimits``), not by rules
of the screen's own; the screen only says which field a refusal concerns.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storemon.services.incident_rules import (
    AUTHORITY_ROLES,
    MIN_RESPONSES,
    AuthorityLimits,
    Playbook,
    PlaybookResponse,
    incident_type_key,
)
from storemon.services.setting_values import ChainSettingsError, parse_amount
from ui import palette
from ui.i18n import fill, resolve_language
from ui.views.policies.tab import PolicyTab, hint_label, scrolled
from ui.widgets.form_helpers import ISSUE_STYLE, GridRow, MessageStrip, RowGrid, role_name, set_issue

if TYPE_CHECKING:
    from ui.views.policies.view import PoliciesView


class ResponseRow:
    """One pre-approved response: its text, the most money it offers, and who may grant that alone."""

    def __init__(self, response: PlaybookResponse) -> None:
        self.text = QLineEdit(response.text)
        self.text.setMinimumWidth(260)
        self.text.setCursorPosition(0)
        self.text.setToolTip(response.text)
        self.amount = QLineEdit("" if response.compensation is None else f"{response.compensation:.2f}")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount.setPlaceholderText(QCoreApplication.translate("PoliciesView", "no money"))
        self.amount.setMinimumWidth(90)
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.grid_row: GridRow | None = None

    @property
    def widgets(self) -> list[QWidget]:
        return [self.text, self.amount, self.who]

    def compensation(self) -> Decimal | None:
        """The amount typed (None: no money); raises ChainSettingsError for anything not an amount."""
        raw = self.amount.text().strip()
        return parse_amount(raw, "compensation") if raw else None

    def amount_parses(self) -> bool:
        try:
            self.compensation()
        except ChainSettingsError:
            return False
        return True


class IncidentRulesPage(PolicyTab):
    """Authority limits per role (``incidents.authority_limits``) and playbooks (``incidents.playbooks``)."""

    saved_by = "save_incident_rules"

    def __init__(self, view: PoliciesView) -> None:
        super().__init__(view)
        self.setStyleSheet(ISSUE_STYLE)
        self.books: list[Playbook] = []
        self.current_index = -1
        self.response_rows: list[ResponseRow] = []
        self._loading = False
        self.save_button.setText(self.tr("Save limits and playbooks"))

        limits_box = QGroupBox(self.tr("Authority limits (CNY)"))
        self.limit_edits: dict[str, QLineEdit] = {}
        limits_grid = QGridLayout()
        limits_grid.setHorizontalSpacing(12)
        for column, role in enumerate(AUTHORITY_ROLES):
            label = QLabel(role_name(role))
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
            edit = QLineEdit()
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMinimumWidth(90)
            edit.textEdited.connect(self._edited)
            self.limit_edits[role] = edit
            limits_grid.addWidget(label, 0, column)
            limits_grid.addWidget(edit, 1, column)
            limits_grid.setColumnStretch(column, 1)
        self.limits_message = MessageStrip()
        limits_layout = QVBoxLayout(limits_box)
        limits_layout.addWidget(
            hint_label(
                self.tr(
                    "The most compensation or waiver someone in this role may grant on their own, with no "
                    "personal liability. More authority at the counter settles more complaints at once."
                )
            )
        )
        limits_layout.addLayout(limits_grid)
        limits_layout.addWidget(self.limits_message)

        books_box = QGroupBox(self.tr("Playbooks"))
        self.type_list = QListWidget()
        self.type_list.setMaximumWidth(240)
        self.type_list.setWordWrap(True)
        self.type_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.type_list.currentRowChanged.connect(self._type_selected)
        self.add_type_button = QPushButton(self.tr("Add incident type"))
        self.add_type_button.clicked.connect(self.add_incident_type)
        self.remove_type_button = QPushButton(self.tr("Remove type"))
        self.remove_type_button.clicked.connect(self.remove_incident_type)
        type_buttons = QHBoxLayout()
        type_buttons.addWidget(self.add_type_button)
        type_buttons.addWidget(self.remove_type_button)
        types = QVBoxLayout()
        types.addWidget(self.type_list, 1)
        types.addLayout(type_buttons)

        self.label_edit = QLineEdit()
        self.label_edit.textEdited.connect(self._edited)
        self.key_label = QLabel()
        self.key_label.setStyleSheet("color: palette(mid);")
        label_row = QHBoxLayout()
        label_row.addWidget(QLabel(self.tr("Incident type")))
        label_row.addWidget(self.label_edit, 1)
        label_row.addWidget(self.key_label)
        self.responses = RowGrid(
            [self.tr("Pre-approved response"), self.tr("Up to (CNY)"), self.tr("May grant it alone")],
            [7, 1, 3],
            remove_tip=self.tr("Remove this response"),
        )
        self.responses.row_removed.connect(self._response_removed)
        self.add_response_button = QPushButton(self.tr("Add response"))
        self.add_response_button.clicked.connect(lambda: self._add_response(PlaybookResponse(""), focus=True))
        self.book_message = MessageStrip()
        editor = QVBoxLayout()
        editor.addLayout(label_row)
        editor.addWidget(
            hint_label(
                fill(
                    self.tr("At least %1 responses the person at the counter may use without asking anyone."),
                    str(MIN_RESPONSES),
                )
            )
        )
        editor.addWidget(self.responses)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_response_button)
        add_row.addStretch(1)
        editor.addLayout(add_row)
        editor.addWidget(self.book_message)
        editor.addStretch(1)
        books_layout = QHBoxLayout(books_box)
        books_layout.addLayout(types)
        books_layout.addLayout(editor, 1)

        self.lay_out(scrolled(limits_box, books_box, fill_last=True))

    # -- loading ----------------------------------------------------------------------------------
    def fetch(self) -> None:
        language = resolve_language(self.ctx.settings.value("ui/language", "system"))

        def work():
            return self.ctx.services.policies.authority_limits(), self.ctx.services.policies.playbooks(
                language
            )

        self.call(work, self._loaded, self.load_failed)

    def _loaded(self, result: tuple[AuthorityLimits, tuple[Playbook, ...]]) -> None:
        limits, books = result
        self._loading = True
        for role, edit in self.limit_edits.items():
            edit.setText(f"{limits.limits[role]:.2f}")
        self.books = list(books)
        self.current_index = -1
        self._fill_types(0)
        self._loading = False
        self.set_dirty(False)
        self._check_limits()

    def _fill_types(self, select: int) -> None:
        self.type_list.blockSignals(True)
        self.type_list.clear()
        for book in self.books:
            self.type_list.addItem(self._type_text(book))
        self.type_list.blockSignals(False)
        self.current_index = -1
        self.type_list.setCurrentRow(min(select, len(self.books) - 1))

    def _type_text(self, book: Playbook) -> str:
        count = len(book.responses)
        text = f"{book.label}  ({count})"
        return ("⚠ " + text) if count < MIN_RESPONSES else text

    # -- editing ----------------------------------------------------------------------------------
    def _edited(self, *_args) -> None:
        if self._loading:
            return
        self.set_dirty(True)
        self._check_limits()
        self._check_book()

    def _type_selected(self, index: int) -> None:
        self._store_current()
        self.current_index = index
        self._loading = True
        self.responses.clear()
        self.response_rows.clear()
        if 0 <= index < len(self.books):
            book = self.books[index]
            self.label_edit.setText(book.label)
            self.key_label.setText(book.incident_type)
            for response in book.responses:
                self._add_response(response)
            self.remove_type_button.setEnabled(not book.builtin)
            self.remove_type_button.setToolTip(
                self.tr("Built-in incident types cannot be removed") if book.builtin else ""
            )
        self._loading = False
        self._check_book()

    def _add_response(self, response: PlaybookResponse, focus: bool = False) -> ResponseRow:
        row = ResponseRow(response)
        row.grid_row = self.responses.add_row(row.widgets)
        self.response_rows.append(row)
        row.text.textEdited.connect(self._edited)
        row.amount.textEdited.connect(self._edited)
        if focus:
            row.text.setFocus()
            self._edited()
        self._update_who(row)
        return row

    def _response_removed(self, index: int) -> None:
        del self.response_rows[index]
        self._edited()

    def _store_current(self) -> None:
        """Keep the edits of the playbook shown before showing another one."""
        if not 0 <= self.current_index < len(self.books):
            return
        book = self.books[self.current_index]
        responses = []
        for row in self.response_rows:
            amount = row.compensation() if row.amount_parses() else None
            responses.append(PlaybookResponse(row.text.text(), amount))
        self.books[self.current_index] = Playbook(
            book.incident_type, self.label_edit.text(), tuple(responses)
        )
        item = self.type_list.item(self.current_index)
        if item is not None:
            item.setText(self._type_text(self.books[self.current_index]))

    def _amounts(self) -> dict[str, Decimal | None]:
        """Each role's limit as typed; None where the domain's ``parse_amount`` refuses it."""
        amounts: dict[str, Decimal | None] = {}
        for role, edit in self.limit_edits.items():
            try:
                amounts[role] = parse_amount(edit.text(), role)
            except ChainSettingsError:
                amounts[role] = None
        return amounts

    def _limits(self) -> AuthorityLimits | None:
        """The limits typed, if ``AuthorityLimits`` accepts them (None: a limit is marked in red)."""
        try:
            return AuthorityLimits(self._amounts())
        except ChainSettingsError:
            return None

    @staticmethod
    def _shrinks(below: tuple[str, Decimal], role: str, amount: Decimal) -> bool:
        """Whether ``AuthorityLimits`` refuses ``role`` granting ``amount`` above ``below``'s limit.

        Every role under ``role`` is given the lower limit and every role from it up ``amount``,
        so the refusal, if any, can only be about this pair: the mark goes beside the role at fault.
        """
        start = AUTHORITY_ROLES.index(role)
        trial = {r: below[1] if k < start else amount for k, r in enumerate(AUTHORITY_ROLES)}
        try:
            AuthorityLimits(trial)
        except ChainSettingsError:
            return True
        return False

    def _check_limits(self) -> bool:
        problems = []
        previous: tuple[str, Decimal] | None = None
        for role, amount in self._amounts().items():
            edit = self.limit_edits[role]
            bad = amount is None
            if bad:
                problems.append(
                    fill(
                        self.tr("%1: “%2” is not an amount (zero or more, at most two decimals)."),
                        role_name(role),
                        edit.text(),
                    )
                )
            elif previous is not None and self._shrinks(previous, role, amount):
                problems.append(
                    fill(
                        self.tr("%1 may grant less than %2: authority must not shrink up the chain."),
                        role_name(role),
                        role_name(previous[0]),
                    )
                )
                bad = True
            set_issue(edit, "error" if bad else "")
            previous = None if amount is None else (role, amount)
        if problems:
            self.limits_message.show_message("error", "\n".join(problems))
        else:
            self.limits_message.clear()
        for row in self.response_rows:
            self._update_who(row)
        return not problems

    def _update_who(self, row: ResponseRow) -> None:
        if not row.amount_parses():
            set_issue(row.amount, "error")
            row.who.setText("")
            return
        set_issue(row.amount, "")
        amount, limits = row.compensation(), self._limits()
        if amount is None or amount == 0:
            row.who.setText(role_name("staff"))
            return
        if limits is None:
            row.who.setText("")
            return
        role = limits.lowest_role_for(amount)
        row.who.setText(role_name(role) if role else self.tr("nobody"))
        row.who.setToolTip(
            "" if role else self.tr("Above every authority limit: raise a limit or lower the amount.")
        )
        row.who.setStyleSheet("" if role else palette.text_style(palette.BAD))

    def _check_book(self) -> bool:
        """Problems of the playbook shown: too few responses, empty text, amounts that do not parse."""
        rows = self.response_rows
        problems = []
        if not self.label_edit.text().strip():
            problems.append(self.tr("Give the incident type a name."))
        if len(rows) < MIN_RESPONSES:
            problems.append(
                fill(
                    self.tr("This playbook has %1 response(s); it needs at least %2."),
                    str(len(rows)),
                    str(MIN_RESPONSES),
                )
            )
        if any(not row.text.text().strip() for row in rows):
            problems.append(self.tr("A response has no text: write it or remove it."))
        for row in rows:
            self._update_who(row)
            if not row.amount_parses():
                problems.append(fill(self.tr("“%1” is not an amount."), row.amount.text()))
        if problems:
            self.book_message.show_message("error", "\n".join(problems))
        else:
            self.book_message.clear()
        self._store_current()
        return not problems

    def add_incident_type(self) -> None:
        self._store_current()
        label = self.tr("New incident type")
        key = incident_type_key("custom", [b.incident_type for b in self.books])
        self.books.append(Playbook(key, label, ()))
        self.set_dirty(True)
        self._fill_types(len(self.books) - 1)
        for _ in range(MIN_RESPONSES):
            self._add_response(PlaybookResponse(""))
        self.label_edit.setFocus()
        self.label_edit.selectAll()
        self._check_book()

    def remove_incident_type(self) -> None:
        index = self.current_index
        if not 0 <= index < len(self.books) or self.books[index].builtin:
            return
        del self.books[index]
        self.current_index = -1
        self.set_dirty(True)
        self._fill_types(max(0, index - 1))

    # -- saving -----------------------------------------------------------------------------------
    def save(self) -> None:
        self._store_current()
        limits = self._limits()
        if not self._check_limits() or limits is None:
            self.message.show_message("error", self.tr("Fix the authority limits marked in red first."))
            return
        for index, book in enumerate(self.books):
            count = len([r for r in book.responses if r.text.strip()])
            if count < MIN_RESPONSES or len(book.responses) != count:
                self.type_list.setCurrentRow(index)
                self.message.show_message(
                    "error",
                    fill(
                        self.tr(
                            "Not saved: the playbook “%1” has %2 response(s); every playbook needs at least %3."
                        ),
                        book.label.strip() or book.incident_type,
                        str(count),
                        str(MIN_RESPONSES),
                    ),
                )
                return
        if not all(row.amount_parses() for row in self.response_rows):
            self.message.show_message("error", self.tr("Fix the amounts marked in red first."))
            return
        books = [
            Playbook(b.incident_type, b.label.strip() or b.incident_type, b.responses) for b in self.books
        ]
        actor = self.ctx.actor

        self.save_button.setEnabled(False)
        self.call(lambda: self.ctx.services.policies.save_incident_rules(actor, limits, books), self._saved)

    def _saved(self, result: tuple[AuthorityLimits, tuple[Playbook, ...]]) -> None:
        index = self.current_index
        self._loaded(result)
        self.type_list.setCurrentRow(max(0, index))
        self.done_saving(self.tr("Authority limits and playbooks saved."))
