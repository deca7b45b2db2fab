"""Editor of the chain's notification channels: group robots, webhooks and e-mail.

The list shows every channel (name, type, the escalation levels it receives, whether it is on);
the form below edits the selected one and is built from ``alerts.notifiers.SETTINGS_KEYS``.
Secret settings (password, signing secret, web address) are password fields that never hold a
stored value: they say "stored" and replace it only when the user types a new one. Every edit
is validated by ``notifier_from_settings``; its ``SettingsError`` shows beside the form, naming
the setting. The editor does no I/O: the Settings screen loads, saves and sends tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from alerts.notifiers import SETTINGS_KEYS, SettingsError, notifier_from_settings
from alerts.notifiers.factory import CHANNEL_ALIASES
from alerts.notifiers.smtp import SECURITY_MODES
from storemon.services.secrets import MASK, SECRET_SETTINGS
from ui.i18n import fill
from ui.widgets.form_helpers import ISSUE_STYLE, MessageStrip, set_issue

LEVELS = (1, 2, 3, 4, 5)
# Stand-ins for kept secrets while validating: the stored value itself never reaches the UI.
_KEPT_PLACEHOLDER = {"url": "https://stored.invalid/", "password": "stored", "secret": "stored"}


@dataclass
class ChannelDraft:
    """One channel as edited: plain settings as text, secrets typed now, secrets kept in the store."""

    name: str
    type: str
    enabled: bool = True
    levels: set[int] = field(default_factory=lambda: set(LEVELS))
    language: str = ""
    """The language its messages are written in; "" = the chain's language."""
    person_links: bool = False
    """Group channel posts each paged person's phone link (set with ``storemon notify add``; kept here)."""
    settings: dict[str, str] = field(default_factory=dict)
    stored: set[str] = field(default_factory=set)
    previous_name: str | None = None

    @classmethod
    def from_saved(cls, channel: dict[str, Any]) -> ChannelDraft:
        kind = str(channel.get("type", "webhook")).strip().lower()
        kind = CHANNEL_ALIASES.get(kind, kind)
        settings: dict[str, str] = {}
        stored: set[str] = set()
        for key, value in (channel.get("settings") or {}).items():
            if key in SECRET_SETTINGS and value not in (None, ""):
                stored.add(key)  # the listing masks every secret; its value stays where it is
            elif value is not None:
                settings[key] = str(value).lower() if isinstance(value, bool) else str(value)
        return cls(
            name=str(channel.get("name", "")),
            type=kind,
            enabled=bool(channel.get("enabled", True)),
            levels={int(level) for level in channel.get("levels", LEVELS)},
            language=str(channel.get("language") or ""),
            person_links=bool(channel.get("person_links", False)),
            settings=settings,
            stored=stored,
            previous_name=str(channel.get("name", "")) or None,
        )

    def keys(self) -> list[str]:
        return [key for key, _required in SETTINGS_KEYS.get(self.type, ())]

    def _settings(self, kept: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in self.keys():
            value = self.settings.get(key, "")
            if key in SECRET_SETTINGS:
                if value:
                    out[key] = value
                elif key in self.stored:
                    out[key] = kept(key)
            elif value.strip():
                out[key] = value.strip()
        return out

    def to_channel(self) -> dict[str, Any]:
        """What the service saves or tests: a kept secret is ``"***"``, ``previous_name`` finds it."""
        channel: dict[str, Any] = {
            "name": self.name.strip(),
            "type": self.type,
            "settings": self._settings(lambda _key: MASK),
            "levels": sorted(self.levels),
            "enabled": self.enabled,
        }
        if self.language:
            channel["language"] = self.language
        if self.person_links:
            channel["person_links"] = True
        if self.previous_name:
            channel["previous_name"] = self.previous_name
        return channel

    def problem(self) -> SettingsError | None:
        """The first wrong setting, as ``notifier_from_settings`` reports it; None when all is well."""
        try:
            notifier_from_settings(self.type, self._settings(lambda key: _KEPT_PLACEHOLDER[key]))
        except SettingsError as exc:
            return exc
        return None


class ChannelsEditor(QWidget):
    """The channel list with Add/Remove, and the form of the selected channel."""

    changed = Signal()
    """The user edited something (not emitted by ``set_channels``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(ISSUE_STYLE)
        self.drafts: list[ChannelDraft] = []
        self.fields: dict[str, QWidget] = {}
        self.forget_buttons: dict[str, QToolButton] = {}
        self.read_only = False
        self._loading = False

        self.list = QListWidget()
        self.list.setMinimumWidth(240)
        self.list.currentRowChanged.connect(self._selected)
        self.add_button = QPushButton(self.tr("Add channel"))
        self.add_button.clicked.connect(self.add_channel)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove_channel)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.add_button)
        list_buttons.addWidget(self.remove_button)
        list_buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addLayout(list_buttons)

        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Ops group robot"))
        self.name.textEdited.connect(self._name_edited)
        self.type = QComboBox()
        for kind in SETTINGS_KEYS:
            self.type.addItem(self.type_label(kind), kind)
        self.type.currentIndexChanged.connect(self._type_chosen)
        self.enabled = QCheckBox(self.tr("On (sends alerts)"))
        self.enabled.toggled.connect(self._enabled_toggled)
        self.level_boxes = {level: QCheckBox(str(level)) for level in LEVELS}
        levels = QHBoxLayout()
        for level, box in self.level_boxes.items():
            box.setToolTip(fill(self.tr("Escalation level %1"), str(level)))
            box.toggled.connect(self._levels_toggled)
            levels.addWidget(box)
        levels.addStretch(1)
        head = QFormLayout()
        head.addRow(self.tr("Name"), self.name)
        head.addRow(self.tr("Type"), self.type)
        head.addRow("", self.enabled)
        head.addRow(self.tr("Levels it receives"), levels)
        self.language = QComboBox()
        self.language.setObjectName("channelLanguage")
        for text, code in ((self.tr("The chain's language"), ""), ("English", "en"), ("简体中文", "zh_CN")):
            self.language.addItem(text, code)
        self.language.currentIndexChanged.connect(self._language_chosen)
        head.addRow(self.tr("Language of its messages"), self.language)
        self.settings_form = QFormLayout()
        self.problem = MessageStrip()
        self.required_note = QLabel(self.tr("* required"))
        self.required_note.setStyleSheet("color: palette(dark);")

        self.test_recipient = QLineEdit()
        self.test_recipient.setPlaceholderText(self.tr("Test recipient (default: the sender address)"))
        self.test_button = QPushButton(self.tr("Send test"))
        self.test_button.setToolTip(self.tr("Send a message labelled as a test over this channel as shown"))
        self.test_result = MessageStrip()
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_recipient, 1)
        test_row.addWidget(self.test_button)
        test_row.addStretch(0)

        self.form = QWidget()
        right = QVBoxLayout(self.form)
        right.setContentsMargins(0, 0, 0, 0)
        right.addLayout(head)
        right.addLayout(self.settings_form)
        right.addWidget(self.required_note)
        right.addWidget(self.problem)
        right.addLayout(test_row)
        right.addWidget(self.test_result)
        right.addStretch(1)
        self.empty_note = QLabel(
            self.tr("No channel yet: add one to send alerts to a group chat or mailbox.")
        )
        self.empty_note.setWordWrap(True)
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_note.setStyleSheet("color: palette(dark);")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 2)
        layout.addWidget(self.form, 3)
        layout.addWidget(self.empty_note, 3)
        self._show_selected()

    # -- labels -----------------------------------------------------------------------------------
    def type_label(self, kind: str) -> str:
        labels = {
            "email": self.tr("E-mail (SMTP)"),
            "webhook": self.tr("Webhook (signed JSON)"),
            "wecom": self.tr("WeCom group robot"),
            "dingtalk": self.tr("DingTalk robot"),
            "feishu": self.tr("Feishu / Lark bot"),
            "slack": self.tr("Slack incoming webhook"),
        }
        return labels.get(kind, kind)

    def setting_label(self, key: str) -> str:
        labels = {
            "host": self.tr("Mail server"),
            "port": self.tr("Port"),
            "security": self.tr("Security"),
            "username": self.tr("User name"),
            "password": self.tr("Password"),
            "sender": self.tr("Sender address"),
            "timeout": self.tr("Timeout (seconds)"),
            "html": self.tr("Send an HTML part"),
            "ca_file": self.tr("CA certificate file"),
            "url": self.tr("Web address (URL)"),
            "secret": self.tr("Signing secret"),
        }
        return labels.get(key, key)

    def _item_text(self, draft: ChannelDraft) -> str:
        levels = ", ".join(str(level) for level in sorted(draft.levels)) or self.tr("none")
        text = fill(
            self.tr("%1 — %2 — levels %3"),
            draft.name.strip() or self.tr("(no name)"),
            self.type_label(draft.type),
            levels,
        )
        if not draft.enabled:
            text += " " + self.tr("(off)")
        if draft.problem() is not None:
            text = "⚠ " + text
        return text

    # -- data -------------------------------------------------------------------------------------
    def set_channels(self, channels: list[dict[str, Any]]) -> None:
        """Show saved channels (as ``notification_channels`` lists them) and select the first."""
        self._loading = True
        self.drafts = [ChannelDraft.from_saved(c) for c in channels]
        self.list.clear()
        for draft in self.drafts:
            self.list.addItem(QListWidgetItem(self._item_text(draft)))
        self._loading = False
        self.list.setCurrentRow(0 if self.drafts else -1)
        self._show_selected()

    def channels(self) -> list[dict[str, Any]]:
        return [draft.to_channel() for draft in self.drafts]

    def current(self) -> ChannelDraft | None:
        row = self.list.currentRow()
        return self.drafts[row] if 0 <= row < len(self.drafts) else None

    def problems(self) -> list[str]:
        """A sentence for every channel that cannot be saved as it is (empty: all fine)."""
        found = []
        names = [d.name.strip() for d in self.drafts]
        for draft in self.drafts:
            name = draft.name.strip()
            if not name:
                found.append(self.tr("A channel has no name."))
            elif names.count(name) > 1:
                found.append(fill(self.tr("Two channels are called “%1”; names must differ."), name))
            exc = draft.problem()
            if exc is not None:
                found.append(self.describe(draft, exc))
        return list(dict.fromkeys(found))

    def describe(self, draft: ChannelDraft, exc: SettingsError) -> str:
        """``exc`` in words: which channel, which setting (its label and key), what is wrong."""
        where = self.setting_label(exc.setting) if exc.setting else self.tr("Settings")
        return fill(self.tr("“%1”, %2: %3"), draft.name.strip() or self.tr("(no name)"), where, str(exc))

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        for widget in (
            self.add_button,
            self.remove_button,
            self.name,
            self.type,
            self.enabled,
            self.language,
        ):
            widget.setEnabled(not read_only)
        for box in self.level_boxes.values():
            box.setEnabled(not read_only)
        self.test_button.setEnabled(not read_only)
        self.test_recipient.setEnabled(not read_only)
        self._show_selected()

    # -- editing ----------------------------------------------------------------------------------
    def add_channel(self) -> None:
        taken = {d.name.strip() for d in self.drafts}
        number = len(self.drafts) + 1
        while fill(self.tr("Channel %1"), str(number)) in taken:
            number += 1
        draft = ChannelDraft(fill(self.tr("Channel %1"), str(number)), "webhook")
        self.drafts.append(draft)
        self.list.addItem(QListWidgetItem(self._item_text(draft)))
        self.list.setCurrentRow(len(self.drafts) - 1)
        self.name.setFocus()
        self.name.selectAll()
        self.changed.emit()

    def remove_channel(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.drafts):
            return
        del self.drafts[row]
        self._loading = True
        self.list.takeItem(row)
        self._loading = False
        self.list.setCurrentRow(min(row, len(self.drafts) - 1))
        self._show_selected()
        self.changed.emit()

    def _selected(self, _row: int) -> None:
        if not self._loading:
            self.test_result.clear()
            self._show_selected()

    def _show_selected(self) -> None:
        draft = self.current()
        self.form.setVisible(draft is not None)
        self.empty_note.setVisible(draft is None)
        self.remove_button.setEnabled(draft is not None and not self.read_only)
        if draft is None:
            return
        self._loading = True
        self.name.setText(draft.name)
        self.type.setCurrentIndex(max(0, self.type.findData(draft.type)))
        self.enabled.setChecked(draft.enabled)
        self.language.setCurrentIndex(max(0, self.language.findData(draft.language)))
        for level, box in self.level_boxes.items():
            box.setChecked(level in draft.levels)
        self._build_fields(draft)
        self._loading = False
        self._validate()

    def _build_fields(self, draft: ChannelDraft) -> None:
        while self.settings_form.rowCount():
            self.settings_form.removeRow(0)
        self.fields.clear()
        self.forget_buttons.clear()
        for key, required in SETTINGS_KEYS[draft.type]:
            label = self.setting_label(key) + (" *" if required else "")
            value = draft.settings.get(key, "")
            if key == "security":
                widget: QWidget = QComboBox()
                widget.addItem(self.tr("STARTTLS (port 587, default)"), "")
                names = {"none": self.tr("None (port 25)"), "ssl": self.tr("SSL/TLS (port 465)")}
                for mode in SECURITY_MODES:
                    if mode in names:
                        widget.addItem(names[mode], mode)
                widget.setCurrentIndex(max(0, widget.findData(value.lower() if value != "starttls" else "")))
                widget.currentIndexChanged.connect(
                    lambda _i, k=key, w=widget: self._setting_edited(k, w.currentData())
                )
                self.settings_form.addRow(label, widget)
            elif key == "html":
                widget = QCheckBox()
                widget.setChecked(value.lower() not in ("0", "false", "no", "off"))
                widget.toggled.connect(lambda on, k=key: self._setting_edited(k, "" if on else "false"))
                self.settings_form.addRow(label, widget)
            else:
                widget = QLineEdit()
                widget.setReadOnly(self.read_only)
                if key in SECRET_SETTINGS:
                    widget.setEchoMode(QLineEdit.EchoMode.Password)
                    widget.setText(value)
                    row = QHBoxLayout()
                    row.addWidget(widget, 1)
                    forget = QToolButton()
                    forget.setText(self.tr("Forget"))
                    forget.setToolTip(self.tr("Remove the stored value when the channels are saved"))
                    forget.clicked.connect(lambda _c=False, k=key: self._forget(k))
                    row.addWidget(forget)
                    self.forget_buttons[key] = forget
                    self.settings_form.addRow(label, row)
                else:
                    widget.setText(value)
                    widget.setPlaceholderText(self._placeholder(key))
                    self.settings_form.addRow(label, widget)
                widget.textEdited.connect(lambda text, k=key: self._setting_edited(k, text))
            widget.setEnabled(not self.read_only or isinstance(widget, QLineEdit))
            self.fields[key] = widget
        self._show_secret_state(draft)
        self.test_recipient.setVisible(draft.type == "email")

    def _placeholder(self, key: str) -> str:
        return {
            "host": self.tr("e.g. smtp.example.com"),
            "port": self.tr("default for the security chosen"),
            "username": self.tr("only when the server asks for a login"),
            "sender": self.tr("e.g. alerts@example.com"),
            "timeout": self.tr("default: 5 (e-mail: 10)"),
            "ca_file": self.tr("only for a private certificate authority"),
        }.get(key, "")

    def _show_secret_state(self, draft: ChannelDraft) -> None:
        for key, button in self.forget_buttons.items():
            edit = self.fields[key]
            assert isinstance(edit, QLineEdit)
            kept = key in draft.stored and not draft.settings.get(key)
            edit.setPlaceholderText(self.tr("stored — type a new value to replace it") if kept else "")
            button.setVisible(key in draft.stored and not self.read_only)

    def _forget(self, key: str) -> None:
        draft = self.current()
        if draft is None:
            return
        draft.stored.discard(key)
        draft.settings.pop(key, None)
        edit = self.fields[key]
        assert isinstance(edit, QLineEdit)
        edit.clear()
        self._show_secret_state(draft)
        self._edited(draft)

    def _setting_edited(self, key: str, value: str) -> None:
        draft = self.current()
        if self._loading or draft is None:
            return
        draft.settings[key] = value or ""
        if key in self.forget_buttons:
            self._show_secret_state(draft)
        self._edited(draft)

    def _name_edited(self, text: str) -> None:
        draft = self.current()
        if draft is not None and not self._loading:
            draft.name = text
            self._edited(draft)

    def _type_chosen(self, _index: int) -> None:
        draft = self.current()
        if self._loading or draft is None:
            return
        draft.type = self.type.currentData()
        accepted = set(draft.keys())
        draft.settings = {k: v for k, v in draft.settings.items() if k in accepted}
        draft.stored &= accepted
        self._loading = True
        self._build_fields(draft)
        self._loading = False
        self._edited(draft)

    def _enabled_toggled(self, on: bool) -> None:
        draft = self.current()
        if draft is not None and not self._loading:
            draft.enabled = on
            self._edited(draft)

    def _language_chosen(self, _index: int) -> None:
        draft = self.current()
        if draft is not None and not self._loading:
            draft.language = str(self.language.currentData() or "")
            self._edited(draft)

    def _levels_toggled(self, _on: bool) -> None:
        draft = self.current()
        if draft is not None and not self._loading:
            draft.levels = {level for level, box in self.level_boxes.items() if box.isChecked()}
            self._edited(draft)

    def _edited(self, draft: ChannelDraft) -> None:
        self.list.item(self.list.currentRow()).setText(self._item_text(draft))
        if self.test_result.kind == "success":
            self.test_result.clear()
        self._validate()
        self.changed.emit()

    def _validate(self) -> None:
        draft = self.current()
        for widget in self.fields.values():
            if isinstance(widget, QLineEdit):
                set_issue(widget, "")
        if draft is None:
            self.problem.clear()
            return
        exc = draft.problem()
        if exc is None:
            self.problem.clear()
            return
        field_widget = self.fields.get(exc.setting or "")
        if isinstance(field_widget, QLineEdit):
            set_issue(field_widget, "error")
        self.problem.show_message("error", self.describe(draft, exc))
