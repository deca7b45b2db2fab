"""Log an incident: type, customer type (with one-line hints), sensitive triggers (which escalate at
once), the type's playbook, and compensation within the person's authority limit, or approved by a
colleague's PIN, or sent for approval."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from storemon.services import pins
from storemon.services.incident_rules import Playbook
from storemon.services.kiosk import IncidentReceipt, KioskPerson
from ui.i18n import fill
from ui.kiosk.choices import CUSTOMER_TYPES, TRIGGERS, translated
from ui.kiosk.page import Page
from ui.kiosk.widgets import CardButton, button, grid, label, money, person_cards, remove_buttons, uncheck
from ui.widgets.form_helpers import MessageStrip
from ui.widgets.keypad import PinPad

if TYPE_CHECKING:
    from ui.kiosk.window import KioskWindow


class IncidentPage(Page):
    key = "incident"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.playbooks: tuple[Playbook, ...] = ()
        self._approver_feedback = ""
        self.approval_token: str | None = None
        """The one-time approval token of a colleague's PIN approval (``kiosk_check_approver``)."""
        self.approved_name = ""
        self.approved_amount: Decimal | None = None
        self.type_group = QButtonGroup(self)
        self.type_buttons: dict[str, CardButton] = {}
        self.type_grid = QGridLayout()
        self.type_grid.setSpacing(12)
        self.customer_group = QButtonGroup(self)
        self.customer_buttons: dict[str, CardButton] = {}
        for number, (key, _name, _hint) in enumerate(CUSTOMER_TYPES):
            card = CardButton(name=f"customer_{key}")
            self.customer_group.addButton(card, number)
            self.customer_buttons[key] = card
        self.trigger_boxes = {key: QCheckBox() for key, _name in TRIGGERS}
        for key, box in self.trigger_boxes.items():
            box.setObjectName(f"trigger_{key}")
        self.trigger_note = MessageStrip()
        self.playbook_label = label(role="section")
        self.playbook_box = QVBoxLayout()
        self.playbook_box.setSpacing(10)
        self.response_group = QButtonGroup(self)
        self.response_buttons: list[CardButton] = []
        self.compensation = QLineEdit()
        self.compensation.setObjectName("compensation")
        self.compensation.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"^[0-9]{0,6}([.][0-9]{0,2})?$"), self)
        )
        self.compensation.setMaximumWidth(220)
        self.limit_label = label(role="hint", name="authorityLimit")
        self.approval_strip = MessageStrip()
        self.approve_here = button(name="approveHere")
        self.approval_panel = QFrame()
        self.approval_panel.setObjectName("approvalPanel")
        self.approval_panel.setStyleSheet(
            "QFrame#approvalPanel { background: white; border: 2px solid #cfc7b8; border-radius: 12px; }"
        )
        self.approver_group = QButtonGroup(self)
        self.approver_buttons: dict[int, CardButton] = {}
        self.approver_grid = QGridLayout()
        self.approver_pad = PinPad()
        self.approver_pad.setMaximumWidth(360)
        self.approver_status = label(name="approverStatus")
        self.approve_button = button(kind="primary", name="approveButton")
        self.approve_cancel = button(name="approveCancel")
        self.description = QPlainTextEdit()
        self.description.setObjectName("incidentDescription")
        self.description.setMaximumHeight(110)
        self.submit_button = button(kind="primary", name="recordIncident")

        self.type_label = label(role="section")
        self.customer_label = label(role="section")
        self.trigger_label = label(role="section")
        self.compensation_label = label(role="section")
        self.description_label = label(role="section")
        money_row = QHBoxLayout()
        money_row.addWidget(self.compensation)
        money_row.addWidget(self.limit_label, 1)
        approve_row = QHBoxLayout()
        approve_row.addWidget(self.approve_here)
        approve_row.addStretch(1)
        panel = QVBoxLayout(self.approval_panel)
        panel.setContentsMargins(16, 12, 16, 12)
        self.approver_title = label(role="section")
        panel.addWidget(self.approver_title)
        panel.addLayout(self.approver_grid)
        panel_row = QHBoxLayout()
        panel_row.addWidget(self.approver_pad)
        side = QVBoxLayout()
        side.addWidget(self.approver_status)
        side.addStretch(1)
        side.addWidget(self.approve_button)
        side.addWidget(self.approve_cancel)
        panel_row.addLayout(side, 1)
        panel.addLayout(panel_row)
        self.approval_panel.setVisible(False)
        self.fill(
            self.type_label,
            self.type_grid,
            self.customer_label,
            grid(list(self.customer_buttons.values()), 2),
            self.trigger_label,
            *self.trigger_boxes.values(),
            self.trigger_note,
            self.playbook_label,
            self.playbook_box,
            self.compensation_label,
            money_row,
            self.approval_strip,
            approve_row,
            self.approval_panel,
            self.description_label,
            self.description,
        )
        self.layout().addWidget(self.submit_button)

        self.type_group.idToggled.connect(lambda _i, checked: checked and self._type_chosen())
        self.customer_group.idToggled.connect(lambda _i, _c: self._update())
        for box in self.trigger_boxes.values():
            box.toggled.connect(lambda _c: self._update())
        self.response_group.idToggled.connect(self._response_chosen)
        self.compensation.textChanged.connect(lambda _t: self._update())
        self.approve_here.clicked.connect(self._open_approval)
        self.approve_cancel.clicked.connect(self._close_approval)
        self.approver_group.idToggled.connect(lambda _i, _c: self._update_approval())
        self.approver_pad.changed.connect(lambda _n: self._update_approval())
        self.approver_pad.submitted.connect(lambda _p: self._approve())
        self.approve_button.clicked.connect(self._approve)
        self.submit_button.clicked.connect(self.submit)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("Log an incident"))
        self.type_label.setText(self.tr("What kind of incident?"))
        self.customer_label.setText(self.tr("What kind of customer?"))
        for key, name, hint in CUSTOMER_TYPES:
            self.customer_buttons[key].set_text(translated(name), translated(hint))
        self.trigger_label.setText(self.tr("Did the customer mention any of these?"))
        for key, name in TRIGGERS:
            self.trigger_boxes[key].setText(translated(name))
        self.playbook_label.setText(self.tr("What you can do (pre-approved responses)"))
        self.compensation_label.setText(self.tr("Compensation given"))
        self.compensation.setPlaceholderText("0")
        self.approve_here.setText(self.tr("A colleague approves it here"))
        self.approver_title.setText(self.tr("Who approves? They confirm with their own PIN."))
        self.approve_button.setText(self.tr("Approve"))
        self.approve_cancel.setText(self.tr("Cancel"))
        self.description_label.setText(self.tr("What happened? (optional)"))
        self.submit_button.setText(self.tr("Record incident"))
        self._update()

    def reset(self) -> None:
        super().reset()
        for group in (self.type_group, self.customer_group, self.response_group):
            uncheck(group)
        for box in self.trigger_boxes.values():
            box.setChecked(False)
        self.compensation.clear()
        self.description.clear()
        self._clear_responses()
        self._clear_approval()
        self._close_approval()
        self._update()

    def entered(self) -> None:
        # Loaded on every visit: head office may have edited the playbooks since.
        language = self.kiosk.language
        self.kiosk.call(
            "incident",
            lambda services, actor, _now: services.kiosk.playbooks(actor, language),
            self.set_playbooks,
            self,
        )

    def set_playbooks(self, playbooks: tuple[Playbook, ...]) -> None:
        if playbooks == self.playbooks:
            return
        chosen = self.incident_type()
        self.playbooks = playbooks
        remove_buttons(self.type_group, self.type_buttons.values())
        self.type_buttons.clear()
        for number, book in enumerate(playbooks):
            card = CardButton(book.label, name=f"type_{book.incident_type}")
            self.type_group.addButton(card, number)
            self.type_buttons[book.incident_type] = card
            self.type_grid.addWidget(card, number // 3, number % 3)
        for column in range(3):
            self.type_grid.setColumnStretch(column, 1)
        if chosen in self.type_buttons:
            self.type_buttons[chosen].click()
        else:
            self._clear_responses()
        self._update()

    def choose_type(self, incident_type: str) -> None:
        self.type_buttons[incident_type].click()

    def incident_type(self) -> str | None:
        checked = self.type_group.checkedId()
        return None if checked == -1 else self.playbooks[checked].incident_type

    def customer_type(self) -> str | None:
        checked = self.customer_group.checkedId()
        return None if checked == -1 else CUSTOMER_TYPES[checked][0]

    def triggers(self) -> list[str]:
        return [key for key, box in self.trigger_boxes.items() if box.isChecked()]

    def amount(self) -> Decimal | None:
        text = self.compensation.text().strip()
        if not text:
            return Decimal("0")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        return value if value >= 0 else None

    def playbook(self) -> Playbook | None:
        checked = self.type_group.checkedId()
        return None if checked == -1 else self.playbooks[checked]

    def response_texts(self) -> list[str]:
        return [response.text() for response in self.response_buttons]

    def _clear_responses(self) -> None:
        remove_buttons(self.response_group, self.response_buttons)
        self.response_buttons.clear()

    def _type_chosen(self) -> None:
        self._clear_responses()
        book = self.playbook()
        if book is None:
            return
        currency = self.kiosk.profile.currency if self.kiosk.profile else "CNY"
        for number, response in enumerate(book.responses):
            extra = (
                fill(self.tr("up to %1"), money(response.compensation, currency))
                if response.compensation is not None
                else ""
            )
            card = CardButton(f"{number + 1}. {response.text}", extra, name=f"response_{number}")
            self.response_group.addButton(card, number)
            self.response_buttons.append(card)
            self.playbook_box.addWidget(card)
        self._update()

    def _response_chosen(self, number: int, checked: bool) -> None:
        book = self.playbook()
        if not checked or book is None or number >= len(book.responses):
            return
        amount = book.responses[number].compensation
        if amount is not None:
            self.compensation.setText(format(amount.normalize(), "f"))
        self._update()

    def _limit(self) -> Decimal:
        return self.kiosk.profile.authority_limit if self.kiosk.profile else Decimal("0")

    def _update(self) -> None:
        profile = self.kiosk.profile
        currency = profile.currency if profile else "CNY"
        limit = self._limit()
        self.limit_label.setText(
            fill(self.tr("Your authority limit: %1, no personal liability"), money(limit, currency))
        )
        if self.triggers():
            self.trigger_note.show_message(
                "warning",
                self.tr("Your superior is told at once: a sensitive incident skips the first level."),
            )
        else:
            self.trigger_note.show_message(
                "info", self.tr("Ticking one of these tells your superior at once.")
            )
        self.playbook_label.setVisible(bool(self.response_buttons))
        amount = self.amount()
        over = amount is not None and amount > limit
        if self.approval_token and self.approved_amount != amount:
            self._clear_approval()
        if over and self.approval_token:
            self.approval_strip.show_message(
                "success",
                fill(self.tr("Approved by %1 for %2."), self.approved_name, money(amount, currency)),
            )
        elif over:
            self.approval_strip.show_message(
                "warning",
                fill(
                    self.tr(
                        "Above your limit of %1: this needs approval. A colleague who may grant it can approve it here with their PIN; otherwise it is recorded and your manager is asked to approve it."
                    ),
                    money(limit, currency),
                ),
            )
        else:
            self.approval_strip.clear()
        self.approve_here.setVisible(over and not self.approval_token)
        if not over:
            self._close_approval()
        ready = self.incident_type() is not None and self.customer_type() is not None and amount is not None
        self.submit_button.setEnabled(ready and not self.kiosk.is_busy("incident"))
        if over and not self.approval_token:
            self.submit_button.setText(self.tr("Record and ask for approval"))
        else:
            self.submit_button.setText(self.tr("Record incident"))

    # -- approval by a colleague's PIN ------------------------------------------------------------
    def _clear_approval(self) -> None:
        self.approval_token, self.approved_name, self.approved_amount = None, "", None

    def _open_approval(self) -> None:
        amount = self.amount()
        if amount is None:
            return
        self.approval_panel.setVisible(True)
        self.approver_status.setText(self.tr("Loading colleagues…"))
        self.kiosk.call(
            "approvers",
            lambda services, actor, now: services.kiosk.approvers(actor, amount, now),
            self._set_approvers,
            self,
        )

    def _set_approvers(self, people: list[KioskPerson]) -> None:
        remove_buttons(self.approver_group, self.approver_buttons.values())
        self.approver_buttons = person_cards(people, self.approver_group, self.approver_grid, 3, "approver")
        self.approver_pad.clear()
        self._approver_feedback = (
            "" if people else self.tr("Nobody here may approve this amount; it will be sent for approval.")
        )
        self._update_approval()
        self.kiosk.make_visible(self.approval_panel)

    def _update_approval(self) -> None:
        chosen = self.approver_group.checkedId() != -1
        self.approver_status.setText(
            self._approver_feedback or (self.tr("Type your PIN.") if chosen else self.tr("Tap your name."))
        )
        self.approver_pad.setEnabled(chosen)
        self.approve_button.setEnabled(
            chosen and self.approver_pad.complete and not self.kiosk.is_busy("approve")
        )

    def _close_approval(self) -> None:
        self.approval_panel.setVisible(False)
        self.approver_pad.clear()
        self._approver_feedback = ""

    def _approve(self) -> None:
        staff_id = self.approver_group.checkedId()
        amount = self.amount()
        if staff_id == -1 or amount is None or not self.approver_pad.complete:
            return
        pin = self.approver_pad.pin
        self.approver_pad.clear()
        name = self.approver_buttons[staff_id].text()

        def done(answer: tuple[pins.PinResult, str | None]) -> None:
            result, token = answer
            if result.ok and token:
                self.approval_token, self.approved_name, self.approved_amount = token, name, amount
                self._close_approval()
            elif result.locked_until is not None:
                self._approver_feedback = fill(
                    self.tr("Too many wrong PINs: %1 is locked for 5 minutes."), name
                )
            else:
                left = result.remaining_tries
                self._approver_feedback = (
                    self.tr("Wrong PIN. 1 try left.")
                    if left == 1
                    else self.tr("Wrong PIN. %n tries left.", "", left)
                )
            self._update_approval()
            self._update()

        self.kiosk.call(
            "approve",
            lambda services, actor, now: services.kiosk.check_approver(actor, staff_id, pin, amount, now),
            done,
            self,
        )
        self._update_approval()

    # -- recording --------------------------------------------------------------------------------
    def submit(self) -> None:
        incident_type, customer_type, amount = self.incident_type(), self.customer_type(), self.amount()
        if incident_type is None or customer_type is None or amount is None:
            return
        triggers, approval_token = self.triggers(), self.approval_token
        parts = [self.description.toPlainText().strip()]
        response = self.response_group.checkedId()
        book = self.playbook()
        if response != -1 and book is not None:
            parts.append(fill(self.tr("Response used: %1"), book.responses[response].text))
        description = "\n".join(p for p in parts if p)

        def work(services, actor, now) -> IncidentReceipt:
            return services.kiosk.report_incident(
                actor,
                incident_type=incident_type,
                customer_type=customer_type,
                triggers=triggers,
                description=description,
                compensation=amount,
                now=now,
                approval_token=approval_token,
            )

        self.kiosk.call("incident", work, self._recorded, self)
        self._update()

    def _recorded(self, receipt: IncidentReceipt) -> None:
        lines = [self.tr("Incident recorded. Thank you for writing it down.")]
        if receipt.alert_id is not None:
            lines.append(self.tr("Your superior has been told at once."))
        if receipt.approval_alert_id is not None:
            lines.append(self.tr("The compensation was sent for approval; your manager has been asked."))
        elif receipt.approved_by:
            lines.append(fill(self.tr("Approved by %1."), self.approved_name))
        self.reset()
        self.kiosk.open_page("home", " ".join(lines))
