"""The Settings screen: this PC's language and database, the chain's support resources and channels.

Language and the database URL are per PC (``ui/language`` in the UI settings, ``database_url``
in the TOML settings file); the support resources are a chain setting in the database that the
staff kiosk shows (DOMAIN.md section 4: hotline, mutual aid, mental-health sessions). The
notification channels (group robots, webhooks, e-mail) are a chain setting too; their secrets go
to this PC's keyring or a private file, never to the database.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from storemon import autostart
from storemon.config import ConnectionReport, DatabaseLocation
from storemon.errors import StoremonError
from storemon.services.access import AccessDenied
from storemon.services.support_resources import AidContact, SupportResources
from ui.i18n import LANGUAGES, fill
from ui.views.base import BaseView
from ui.widgets.attention import SOUND_KEY, sound_enabled
from ui.widgets.channels_editor import ChannelsEditor
from ui.widgets.form_helpers import ISSUE_STYLE, BusyBar, GridRow, MessageStrip, RowGrid


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(dark);")
    return label


class ContactRow:
    """One mutual-aid contact: name, phone and when or why to call them."""

    def __init__(self, contact: AidContact) -> None:
        self.name = QLineEdit(contact.name)
        self.phone = QLineEdit(contact.phone)
        self.note = QLineEdit(contact.note)
        self.grid_row: GridRow | None = None

    @property
    def widgets(self) -> list[QWidget]:
        return [self.name, self.phone, self.note]

    def contact(self) -> AidContact:
        return AidContact(self.name.text(), self.phone.text(), self.note.text())


class SettingsView(BaseView):
    """Language, database connection and support resources."""

    view_key = "settings"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setStyleSheet(ISSUE_STYLE)
        self.busy = BusyBar()
        self.location: DatabaseLocation | None = None
        self.contact_rows: list[ContactRow] = []
        self.support_dirty = False
        self.channels_dirty = False
        self.channels_loaded = False
        self._loading = False

        title = QLabel(self.title())
        title.setStyleSheet("font-size: 18px; font-weight: 600;")
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self._language_box())
        body_layout.addWidget(self._database_box())
        body_layout.addWidget(self._support_box())
        body_layout.addWidget(self._channels_box())
        body_layout.addStretch(1)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.busy)
        layout.addWidget(area, 1)

    def title(self) -> str:
        return self.tr("Settings")

    # -- language ---------------------------------------------------------------------------------
    def _language_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Language"))
        self.language = QComboBox()
        self.language.addItem(self.tr("System (follow this computer)"), "system")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        current = self.ctx.settings.value("ui/language", "system")
        index = self.language.findData(current)
        self.language.setCurrentIndex(max(0, index))
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.language_message = MessageStrip()
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Show Storemon in")))
        row.addWidget(self.language)
        row.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(_hint(self.tr("This PC only: each computer of the chain keeps its own language.")))
        layout.addWidget(self.language_message)
        self.autostart = QCheckBox(self.tr("Start Storemon when I sign in to this computer"))
        self.autostart.setToolTip(
            self.tr(
                "On one PC the escalations run inside Storemon: starting it with the session keeps them running."
            )
        )
        self.autostart.setChecked(autostart.is_enabled())
        self.autostart.setEnabled(autostart.entry_path() is not None)
        self.autostart.toggled.connect(self._autostart_toggled)
        layout.addWidget(self.autostart)
        self.page_sound = QCheckBox(self.tr("Beep when a call for help pages me"))
        self.page_sound.setObjectName("pageSound")
        self.page_sound.setToolTip(
            self.tr(
                "This PC only. The banner and the taskbar flash come anyway; "
                "head office starts with the sound off, stores with it on."
            )
        )
        self.page_sound.setChecked(sound_enabled(self.ctx))
        self.page_sound.toggled.connect(lambda on: self.ctx.settings.setValue(SOUND_KEY, on))
        layout.addWidget(self.page_sound)
        return box

    def _autostart_toggled(self, on: bool) -> None:
        try:
            if on:
                autostart.enable()
            else:
                autostart.disable()
        except (OSError, autostart.AutostartError) as exc:
            self.language_message.show_message("error", str(exc))
            return
        self.language_message.show_message(
            "success",
            self.tr("Storemon will start when you sign in.")
            if on
            else self.tr("Storemon will not start by itself."),
        )

    def _language_chosen(self, index: int) -> None:
        code = self.language.itemData(index)
        self.ctx.settings.setValue("ui/language", code)
        self.ctx.settings.sync()
        self.ctx.events.language_changed.emit(code)
        self.language_message.show_message(
            "success", fill(self.tr("Language set to %1."), self.language.itemText(index))
        )

    # -- database ---------------------------------------------------------------------------------
    def _database_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Database"))
        self.in_use = QLabel()
        self.in_use.setWordWrap(True)
        self.settings_file = QLabel()
        self.settings_file.setWordWrap(True)
        self.database_input = QLineEdit()
        self.database_input.setPlaceholderText(
            self.tr("A SQLite file, or postgresql://user:password@server:5432/storemon")
        )
        self.database_input.textEdited.connect(lambda _text: self.database_message.clear())
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.clicked.connect(self.browse)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.save_database_button = QPushButton(self.tr("Use this database"))
        self.save_database_button.clicked.connect(self.save_database)
        self.default_database_button = QPushButton(self.tr("Use the built-in database"))
        self.default_database_button.setToolTip(self.tr("The SQLite file in this user's data folder"))
        self.default_database_button.clicked.connect(self.use_default_database)
        self.database_message = MessageStrip()
        entry = QHBoxLayout()
        entry.addWidget(self.database_input, 1)
        entry.addWidget(self.browse_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_database_button)
        buttons.addStretch(1)
        buttons.addWidget(self.default_database_button)
        form = QFormLayout()
        form.addRow(self.tr("In use now"), self.in_use)
        form.addRow(self.tr("Settings file"), self.settings_file)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addWidget(
            _hint(
                self.tr(
                    "One PC: a SQLite file. A chain: every PC uses the same PostgreSQL server. Test the "
                    "connection first; Storemon switches to the new database when it next starts."
                )
            )
        )
        layout.addLayout(entry)
        layout.addLayout(buttons)
        layout.addWidget(self.database_message)
        self._show_location()
        return box

    def _show_location(self) -> None:
        self.in_use.setText(self.location.in_use if self.location else self.ctx.services.description)
        if self.location is None:
            self.settings_file.setText("")
            return
        text = str(self.location.settings_file)
        if self.location.configured:
            text += "\n" + fill(self.tr("names: %1"), self.location.configured)
        if self.location.overridden_by:
            text += "\n" + fill(
                self.tr("%1 is set on this PC and wins over the settings file."), self.location.overridden_by
            )
        self.settings_file.setText(text)

    def browse(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Choose a database file"),
            self.database_input.text() if "://" not in self.database_input.text() else "",
            self.tr("SQLite databases (*.sqlite3 *.sqlite *.db);;All files (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.database_input.setText(path)
            self.database_message.clear()

    def _database_busy(self, busy: bool, label: str = "") -> None:
        for button in (
            self.test_button,
            self.save_database_button,
            self.default_database_button,
            self.browse_button,
        ):
            button.setEnabled(not busy)
        self.test_button.setText(label or self.tr("Test connection"))

    def test_connection(self) -> None:
        value = self.database_input.text().strip() or self.ctx.services.description
        if "***" in value:
            self.database_message.show_message(
                "info", self.tr("Type the full address with its password to test another server.")
            )
            return
        self._database_busy(True, self.tr("Testing…"))
        self.database_message.show_message("info", self.tr("Connecting (up to 5 seconds)…"))
        self.ctx.tasks.op(
            self,
            lambda _c: self.ctx.services.settings.check_database_connection(self.ctx.actor, value),
            self._tested,
            on_user_error=self._database_failed,
            busy=self.busy,
        )

    def _tested(self, report: ConnectionReport) -> None:
        self._database_busy(False)
        text = fill(self.tr("Connected to %1 %2 at %3."), report.backend, report.server_version, report.url)
        if report.schema_revision:
            text += " " + fill(self.tr("It holds a Storemon database (schema %1)."), report.schema_revision)
        elif report.note:
            text += " " + self.tr("The file does not exist yet; Storemon creates an empty database there.")
        else:
            text += " " + self.tr("It is empty; Storemon sets it up on the next start.")
        self.database_message.show_message("success", text)

    def _database_failed(self, exc: StoremonError) -> None:
        self._database_busy(False)
        self.database_message.show_message("error", fill(self.tr("Cannot use this database: %1"), str(exc)))

    def save_database(self) -> None:
        value = self.database_input.text().strip()
        if not value:
            self.database_message.show_message(
                "error", self.tr("Enter a SQLite file path or a PostgreSQL address first.")
            )
            return
        self._write_database(value)

    def use_default_database(self) -> None:
        self._write_database(None)

    def _write_database(self, value: str | None) -> None:
        self._database_busy(True)
        self.ctx.tasks.op(
            self,
            lambda _c: (
                self.ctx.services.settings.save_database_url(self.ctx.actor, value),
                self.ctx.services.settings.database_location(),
            ),
            self._database_saved,
            on_user_error=self._database_failed,
            busy=self.busy,
        )

    def _database_saved(self, result) -> None:
        self._database_busy(False)
        _path, self.location = result
        self._show_location()
        text = self.tr("Saved. Restart Storemon to connect to the new database.")
        if self.location.overridden_by:
            text += " " + fill(
                self.tr("%1 is set on this PC and still wins over the settings file."),
                self.location.overridden_by,
            )
        self.database_message.show_message("warning" if self.location.overridden_by else "success", text)

    # -- support resources ------------------------------------------------------------------------
    def _support_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Support for staff"))
        self.hotline_number = QLineEdit()
        self.hotline_number.setPlaceholderText(self.tr("e.g. 400-820-1234"))
        self.hotline_hours = QLineEdit()
        self.hotline_hours.setPlaceholderText(self.tr("e.g. every day 8:00–22:00"))
        self.contacts = RowGrid(
            [self.tr("Name"), self.tr("Phone"), self.tr("When to call / note")],
            [3, 2, 4],
            remove_tip=self.tr("Remove this contact"),
        )
        self.contacts.row_removed.connect(self._contact_removed)
        self.add_contact_button = QPushButton(self.tr("Add contact"))
        self.add_contact_button.clicked.connect(lambda: self._add_contact(AidContact("", ""), focus=True))
        self.sessions = QPlainTextEdit()
        self.sessions.setPlaceholderText(self.tr("When and where the sessions are, and how to book one"))
        self.training = QPlainTextEdit()
        self.training.setPlaceholderText(self.tr("Upcoming stress-management training and how to join"))
        for edit in (self.sessions, self.training):
            edit.setFixedHeight(70)
            edit.textChanged.connect(self._support_edited)
        for edit in (self.hotline_number, self.hotline_hours):
            edit.textEdited.connect(self._support_edited)
        self.support_message = MessageStrip()
        self.save_support_button = QPushButton(self.tr("Save support resources"))
        self.save_support_button.clicked.connect(self.save_support)
        self.save_support_button.setEnabled(False)
        self.revert_support_button = QPushButton(self.tr("Revert"))
        self.revert_support_button.clicked.connect(self._load_support)
        self.revert_support_button.setEnabled(False)
        hotline = QHBoxLayout()
        hotline.addWidget(self.hotline_number, 1)
        hotline.addWidget(QLabel(self.tr("Hours")))
        hotline.addWidget(self.hotline_hours, 2)
        form = QFormLayout()
        form.addRow(self.tr("Support hotline"), hotline)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_contact_button)
        add_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_support_button)
        buttons.addWidget(self.save_support_button)
        layout = QVBoxLayout(box)
        layout.addWidget(
            _hint(
                self.tr(
                    "Shown to staff on the counter screen after a hard moment: who to call and where to get "
                    "help. Shared by every PC of the chain."
                )
            )
        )
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Mutual-aid contacts (colleagues who step in or listen)")))
        layout.addWidget(self.contacts)
        layout.addLayout(add_row)
        sessions_form = QFormLayout()
        sessions_form.addRow(self.tr("Mental-health sessions"), self.sessions)
        sessions_form.addRow(self.tr("Stress-management training"), self.training)
        layout.addLayout(sessions_form)
        layout.addWidget(self.support_message)
        layout.addLayout(buttons)
        if not self.ctx.actor.sees_chain:
            self.support_message.show_message(
                "info",
                self.tr("Only head office (service director, executive, administrator) can change these."),
            )
        return box

    def _add_contact(self, contact: AidContact, focus: bool = False) -> ContactRow:
        row = ContactRow(contact)
        row.grid_row = self.contacts.add_row(row.widgets)
        self.contact_rows.append(row)
        for edit in row.widgets:
            edit.textEdited.connect(self._support_edited)
        self.contacts.setVisible(True)
        if focus:
            row.name.setFocus()
            self._support_edited()
        return row

    def _contact_removed(self, index: int) -> None:
        del self.contact_rows[index]
        self.contacts.setVisible(bool(self.contact_rows))
        self._support_edited()

    def _support_edited(self, *_args) -> None:
        if self._loading:
            return
        self.support_dirty = True
        self.save_support_button.setEnabled(True)
        self.revert_support_button.setEnabled(True)
        if self.support_message.kind == "success":
            self.support_message.clear()

    def _load_support(self) -> None:
        self.support_dirty = False
        self.ctx.tasks.op(
            self,
            lambda _c: self.ctx.services.policies.support_resources(),
            self._show_support,
            on_user_error=lambda exc: self.support_message.show_message("error", str(exc)),
            busy=self.busy,
        )

    def _show_support(self, resources: SupportResources) -> None:
        self._loading = True
        self.hotline_number.setText(resources.hotline_number)
        self.hotline_hours.setText(resources.hotline_hours)
        self.contacts.clear()
        self.contact_rows.clear()
        for contact in resources.mutual_aid:
            self._add_contact(contact)
        self.contacts.setVisible(bool(self.contact_rows))
        self.sessions.setPlainText(resources.mental_health_sessions)
        self.training.setPlainText(resources.stress_training)
        self._loading = False
        self.support_dirty = False
        self.save_support_button.setEnabled(False)
        self.revert_support_button.setEnabled(False)

    def resources(self) -> SupportResources:
        return SupportResources(
            self.hotline_number.text(),
            self.hotline_hours.text(),
            tuple(row.contact() for row in self.contact_rows),
            self.sessions.toPlainText(),
            self.training.toPlainText(),
        )

    def save_support(self) -> None:
        resources = self.resources()
        self.save_support_button.setEnabled(False)
        self.ctx.tasks.op(
            self,
            lambda _c: self.ctx.services.policies.save_support_resources(self.ctx.actor, resources),
            self._support_saved,
            on_user_error=self._support_failed,
            busy=self.busy,
        )

    def _support_saved(self, resources: SupportResources) -> None:
        self._show_support(resources)
        self._saved(
            self.support_message,
            self.tr("Support resources saved; the counter screens show them from now on."),
        )

    def _support_failed(self, exc: StoremonError) -> None:
        self._not_saved(self.save_support_button, self.support_message, exc)

    def _saved(self, strip: MessageStrip, text: str) -> None:
        strip.show_message("success", text)
        self.ctx.events.status_message.emit(text)

    def _not_saved(self, button: QPushButton, strip: MessageStrip, exc: StoremonError) -> None:
        """A chain-wide save was refused: say why beside the section, and let the user try again."""
        button.setEnabled(True)
        if isinstance(exc, AccessDenied):
            text = self.tr(
                "Only head-office roles (service director, executive, administrator) may change "
                "chain-wide settings. Nothing was saved."
            )
        else:
            text = fill(self.tr("Not saved: %1"), str(exc))
        strip.show_message("error", text)

    # -- notification channels --------------------------------------------------------------------
    def _channels_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Notification channels"))
        self.channels = ChannelsEditor()
        self.channels.setMinimumHeight(380)
        self.channels.changed.connect(self._channels_edited)
        self.channels.test_button.clicked.connect(self.send_channel_test)
        self.secrets_note = MessageStrip()
        self.channels_message = MessageStrip()
        self.save_channels_button = QPushButton(self.tr("Save channels"))
        self.save_channels_button.clicked.connect(self.save_channels)
        self.save_channels_button.setEnabled(False)
        self.revert_channels_button = QPushButton(self.tr("Revert"))
        self.revert_channels_button.clicked.connect(self._load_channels)
        self.revert_channels_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_channels_button)
        buttons.addWidget(self.save_channels_button)
        layout = QVBoxLayout(box)
        layout.addWidget(
            _hint(
                self.tr(
                    "Alerts of the chosen escalation levels also go to these group chats, webhooks and "
                    "mailboxes. Passwords, signing secrets and web addresses are kept in this computer's "
                    "keyring (or a file only your account can read), never in the database."
                )
            )
        )
        layout.addWidget(self.channels)
        layout.addWidget(self.secrets_note)
        layout.addWidget(self.channels_message)
        layout.addLayout(buttons)
        if not self.ctx.actor.sees_chain:
            self.channels.set_read_only(True)
            self.channels_message.show_message(
                "info",
                self.tr(
                    "Only head office (service director, executive, administrator) can change the "
                    "notification channels or send a test."
                ),
            )
        return box

    def _channels_edited(self) -> None:
        if not self.ctx.actor.sees_chain:
            return
        self.channels_dirty = True
        self.save_channels_button.setEnabled(True)
        self.revert_channels_button.setEnabled(True)
        if self.channels_message.kind == "success":
            self.channels_message.clear()

    def _load_channels(self) -> None:
        self.channels_dirty = False
        self.ctx.tasks.op(
            self,
            lambda _c: (
                self.ctx.services.settings.notification_channels(),
                self.ctx.services.settings.secret_storage_warning(),
            ),
            self._show_channels,
            on_user_error=lambda exc: self.channels_message.show_message("error", str(exc)),
            busy=self.busy,
        )

    def _show_channels(self, result) -> None:
        channels, warning = result
        self.channels.set_channels(channels)
        self._show_storage_warning(warning)
        self.channels_dirty = False
        self.channels_loaded = True
        self.save_channels_button.setEnabled(False)
        self.revert_channels_button.setEnabled(False)

    def _show_storage_warning(self, warning: str | None) -> None:
        if warning:
            self.secrets_note.show_message("warning", warning)
        else:
            self.secrets_note.clear()

    def save_channels(self) -> None:
        problems = self.channels.problems()
        if problems:
            self.channels_message.show_message(
                "error", self.tr("Not saved; fix these first:") + "\n" + "\n".join(problems)
            )
            return
        channels = self.channels.channels()
        self.save_channels_button.setEnabled(False)
        self.ctx.tasks.op(
            self,
            lambda _c: (
                self.ctx.services.settings.save_notification_channels(
                    self.ctx.actor, channels, self.ctx.clock()
                ),
                self.ctx.services.settings.secret_storage_warning(),
            ),
            self._channels_saved,
            on_user_error=self._channels_failed,
            busy=self.busy,
        )

    def _channels_saved(self, result) -> None:
        self._show_channels(result)
        self._saved(
            self.channels_message, self.tr("Notification channels saved; alerts use them from now on.")
        )

    def _channels_failed(self, exc: StoremonError) -> None:
        self._not_saved(self.save_channels_button, self.channels_message, exc)

    def send_channel_test(self) -> None:
        draft = self.channels.current()
        if draft is None:
            return
        exc = draft.problem()
        if exc is not None:
            self.channels.test_result.show_message("error", self.channels.describe(draft, exc))
            return
        channel = draft.to_channel()
        recipient = self.channels.test_recipient.text().strip() if draft.type == "email" else ""
        button = self.channels.test_button
        button.setEnabled(False)
        button.setText(self.tr("Sending…"))
        self.channels.test_result.show_message("info", self.tr("Sending a test message…"))
        self.ctx.tasks.op(
            self,
            lambda _c: self.ctx.services.settings.send_channel_test(
                self.ctx.actor, channel, recipient or None
            ),
            self._test_sent,
            on_user_error=self._test_failed,
            busy=self.busy,
        )

    def _test_finished(self) -> None:
        self.channels.test_button.setEnabled(not self.channels.read_only)
        self.channels.test_button.setText(self.tr("Send test"))

    def _test_sent(self, _result) -> None:
        self._test_finished()
        self.channels.test_result.show_message("success", self.tr("Test message sent."))

    def _test_failed(self, exc: StoremonError) -> None:
        self._test_finished()
        self.channels.test_result.show_message("error", fill(self.tr("Test failed: %1"), str(exc)))

    # -- loading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.ctx.tasks.op(
            self,
            lambda _c: self.ctx.services.settings.database_location(),
            self._location_loaded,
            on_user_error=lambda exc: self.database_message.show_message("error", str(exc)),
            busy=self.busy,
        )
        if not self.support_dirty:
            self._load_support()
        if not self.channels_dirty:
            self._load_channels()

    def _location_loaded(self, location: DatabaseLocation) -> None:
        self.location = location
        self._show_location()
