"""The Alerts screen: every alert in the user's scope, live, and what a person does with one.

The list reloads whenever the change feed says alerts changed (the worker and other PCs change
alerts all the time), keeping the selection and the sort order: most severe first, then newest.
Filters: status (active, open, all, resolved), store and kind ask the services; "Only mine" (pages
addressed to me, alerts I took or raised), severity and the search text filter what is loaded. The detail pane shows the
alert's facts and reasons, a "Covered by" banner for backup calls, and the timeline: what
happened, who was told and who acknowledged, in the store's local time. Acknowledge, Resolve,
Comment, Reassign and Snooze act on it; "Accept cover" answers a backup call made to the user.
Nothing here blocks the window: every call runs through the task runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from storemon.services.access import NotFound
from storemon.services.alert_people import CoverOfferView, NoticeView, PersonRef
from storemon.services.alert_service import AlertView, TimelineEntry
from storemon.services.changes import ALERTS
from storemon.services.problems import problem_text
from storemon.services.stores import StoreRef
from ui.context import AppContext
from ui.i18n import fill
from ui.models.alerts_table import (
    ALERT_ID_ROLE,
    SEVERITY_NAMES,
    AlertsFilterProxy,
    AlertsTableModel,
    kind_names,
    name_of,
    plain_username,
    ui_language,
)
from ui.views.alerts_detail_pane import DetailPane
from ui.views.base import BaseView
from ui.widgets.form_helpers import BusyBar, MessageStrip, role_name

CLOCK_TICK_MS = 15_000
"""How often the ages in the list move on (no database work: the change feed brings changes)."""
RETRY_MS = 3000
"""After a failed load, when to try again (a lost connection sends no change to wait for)."""


@dataclass(frozen=True)
class _Snapshot:
    """One refresh, loaded off the GUI thread."""

    alerts: list[AlertView]
    offers: list[CoverOfferView]
    detail: tuple[AlertView, list[TimelineEntry], list[NoticeView]] | None
    stores: list[StoreRef] | None
    names: dict[str, str] | None
    paging_me: frozenset[int]


class AlertsView(DetailPane, BaseView):
    """Live alerts and the actions on them (see the module docstring)."""

    view_key = "alerts"

    loaded = Signal()
    """A refresh landed and is on screen."""
    acted = Signal(str)
    """An action on an alert succeeded; the argument is what was done ("acknowledge", ...)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._stores: list[StoreRef] = []
        self._zones: dict[int, ZoneInfo] = {}
        self._offers: list[CoverOfferView] = []
        self._detail: tuple[AlertView, list[TimelineEntry], list[NoticeView]] | None = None
        self._assignees: dict[int, list[PersonRef]] = {}
        self._in_flight = False
        self._again = False
        self._need_lookups = True
        self._load_error = ""
        self._pending_action = ""
        self._note_kind = ""
        self._paging_me: frozenset[int] = frozenset()
        self._wanted_alert: int | None = None
        self._build()
        self._retranslate()
        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_TICK_MS)
        self._clock.timeout.connect(lambda: self.model.set_now(self.ctx.clock()))
        ctx.events.alerts_changed.connect(self._on_alerts_changed)
        ctx.changes.changed.connect(self._on_change)

    def title(self) -> str:
        return self.tr("Alerts")

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusFilter")
        self.store_combo = QComboBox()
        self.store_combo.setObjectName("storeFilter")
        self.store_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.rule_combo = QComboBox()
        self.rule_combo.setObjectName("ruleFilter")
        self.severity_combo = QComboBox()
        self.severity_combo.setObjectName("severityFilter")
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("alertSearch")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(180)
        self.mine_check = QCheckBox()
        self.mine_check.setObjectName("mineFilter")
        self.count_label = QLabel()
        self.count_label.setObjectName("alertCount")
        self.filter_labels = [QLabel() for _ in range(4)]
        for label, combo in zip(
            self.filter_labels,
            (self.status_combo, self.store_combo, self.rule_combo, self.severity_combo),
            strict=True,
        ):
            label.setBuddy(combo)
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for label, combo in zip(
            self.filter_labels,
            (self.status_combo, self.store_combo, self.rule_combo, self.severity_combo),
            strict=True,
        ):
            filters.addWidget(label)
            filters.addWidget(combo)
            filters.addSpacing(8)
        filters.addWidget(self.mine_check)
        filters.addSpacing(8)
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.count_label)

        self.busy = BusyBar()
        self.message = MessageStrip()
        self.offer_banner = QFrame()
        self.offer_banner.setObjectName("coverOfferBanner")
        self.offer_banner.setStyleSheet(
            "QFrame#coverOfferBanner { background: #fff4e0; border: 1px solid #f0c36d;"
            " border-left: 5px solid #b26a00; border-radius: 4px; }"
            " QFrame#coverOfferBanner QLabel { color: #6b4200; background: transparent; border: none; }"
        )
        self.offer_label = QLabel()
        self.offer_label.setWordWrap(True)
        self.offer_button = QPushButton()
        self.offer_button.setObjectName("acceptCoverBanner")
        self.offer_button.setDefault(True)
        offer_layout = QHBoxLayout(self.offer_banner)
        offer_layout.setContentsMargins(12, 8, 12, 8)
        offer_layout.addWidget(self.offer_label, 1)
        offer_layout.addWidget(self.offer_button)
        self.offer_banner.setVisible(False)

        self.model = AlertsTableModel(self)
        self.proxy = AlertsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("alertTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(AlertsTableModel.SEVERITY, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # "Relief req…the door", tooltip in full
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(AlertsTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        for column in (AlertsTableModel.SEVERITY, AlertsTableModel.STATUS, AlertsTableModel.AGE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        header.setMinimumSectionSize(40)
        for column, width in (
            (AlertsTableModel.SEVERITY, 84),
            (AlertsTableModel.STORE, 136),
            (AlertsTableModel.LEVEL, 110),
            (AlertsTableModel.STATUS, 96),
            (AlertsTableModel.OWNER, 80),
            (AlertsTableModel.AGE, 62),
        ):
            self.table.setColumnWidth(column, width)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("alertsEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: palette(mid); font-size: 14pt; padding: 24px;")
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_label)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.list_stack)
        splitter.addWidget(self._build_detail())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1000, 330])  # the list needs room for the alert titles; the pane wraps

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(filters)
        layout.addWidget(self.busy)
        layout.addWidget(self.offer_banner)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

        self.status_combo.currentIndexChanged.connect(self._filters_changed)
        self.store_combo.currentIndexChanged.connect(self._filters_changed)
        self.rule_combo.currentIndexChanged.connect(self._filters_changed)
        self.severity_combo.currentIndexChanged.connect(
            lambda _i: (
                self.proxy.set_severity(self.severity_combo.currentData() or ""),
                self._update_count(),
            )
        )
        self.search_edit.textChanged.connect(lambda text: (self.proxy.set_text(text), self._update_count()))
        self.mine_check.toggled.connect(lambda _on: self._apply_mine())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.offer_button.clicked.connect(self._accept_banner_offer)

    def _retranslate(self) -> None:
        for label, text in zip(
            self.filter_labels,
            (self.tr("Show"), self.tr("Store"), self.tr("Kind"), self.tr("Severity")),
            strict=True,
        ):
            label.setText(text)
        self._fill_combo(
            self.status_combo,
            [
                (self.tr("Active"), "active"),
                (self.tr("Open (nobody has it)"), "open"),
                (self.tr("All"), "all"),
                (self.tr("Resolved"), "resolved"),
            ],
        )
        self._fill_combo(
            self.rule_combo,
            [(self.tr("All kinds"), "")] + kind_names(),
        )
        self._fill_combo(
            self.severity_combo,
            [(self.tr("Any severity"), "")] + [(name_of(SEVERITY_NAMES, key), key) for key in SEVERITY_NAMES],
        )
        self._fill_stores()
        self.search_edit.setPlaceholderText(self.tr("Search alerts, stores, people…"))
        self.mine_check.setText(self.tr("Only mine"))
        self.mine_check.setToolTip(
            self.tr("Alerts that page you now, that you took, or that you raised; the rest are hidden")
        )
        self.empty_label.setText(self.tr("No alerts here. Quiet is good."))
        self.no_selection.setText(
            self.tr("Select an alert to see what happened, who was told, and to act on it.")
        )
        self.offer_button.setText(self.tr("Accept cover"))
        self.accept_button.setText(self.tr("Accept cover"))
        self.ack_button.setText(self.tr("Acknowledge"))
        self.ack_button.setToolTip(
            self.tr("Take the alert: escalation stops, you get reminders until it is resolved")
        )
        self.resolve_button.setText(self.tr("Resolve…"))
        self.comment_button.setText(self.tr("Comment…"))
        self.reassign_button.setText(self.tr("Reassign…"))
        self.snooze_button.setText(self.tr("Snooze…"))
        self.note_cancel.setText(self.tr("Cancel"))
        self.reassign_cancel.setText(self.tr("Cancel"))
        self.snooze_cancel.setText(self.tr("Cancel"))
        self.reassign_prompt.setText(self.tr("Hand the alert to:"))
        self.reassign_confirm.setText(self.tr("Hand over"))
        self.snooze_prompt.setText(self.tr("Hold escalation for:"))
        for minutes, button in self.snooze_buttons.items():
            button.setText(fill(self.tr("%1 min"), str(minutes)))
        self.detail.retranslate()

    @staticmethod
    def _fill_combo(combo: QComboBox, items: list[tuple[str, object]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for text, data in items:
            combo.addItem(text, data)
        index = combo.findData(current)
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def _fill_stores(self) -> None:
        self._fill_combo(
            self.store_combo,
            [(self.tr("All my stores"), None)] + [(f"{s.code} {s.name}", s.id) for s in self._stores],
        )

    # -- visibility and the change feed ------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._clock.start()
        self._mark_read()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._clock.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        self._need_lookups = True
        self._load()

    def _retry(self) -> None:
        if self.isVisible() and self._load_error:
            self._load()

    def _on_change(self, kinds: frozenset[str], _store_ids: frozenset[int]) -> None:
        if ALERTS in kinds:
            self._on_alerts_changed()
            if self.isVisible() and self.window().isActiveWindow():
                self._mark_read()  # what arrives while the screen is in front of the user is seen

    def _on_alerts_changed(self) -> None:
        if self.isVisible():
            self._load()
        else:
            self._stale = True

    def _filters_changed(self, _index: int = 0) -> None:
        self._load()

    def _load(self) -> None:
        """Start a refresh; while one runs, remember to run another right after (no pile-up)."""
        if self._in_flight:
            self._again = True
            return
        self._in_flight, self._again = True, False
        services, actor = self.ctx.services, self.ctx.actor
        status = self.status_combo.currentData() or "active"
        store_id = self.store_combo.currentData()
        rule = self.rule_combo.currentData() or None
        selected = self.selected_alert_id()
        lookups = self._need_lookups

        def work(_control) -> _Snapshot:
            stores = services.stores.list(actor) if lookups else None
            names = services.alerts.display_names(actor) if lookups else None
            alerts = services.alerts.list(
                actor, status=None if status == "all" else status, store_id=store_id, rule=rule
            )
            offers = services.alerts.my_cover_offers(actor)
            paging_me = frozenset(p.alert.id for p in services.alerts.my_pages(actor))
            detail = None
            if selected is not None:
                try:
                    view, steps = services.alerts.detail(actor, selected)
                    detail = (view, steps, services.alerts.notices(actor, selected))
                except NotFound:
                    detail = None
            return _Snapshot(alerts, offers, detail, stores, names, paging_me)

        self.ctx.tasks.op(self, work, self._on_snapshot, key="load", on_error=self._load_failed)

    def _on_snapshot(self, snap: _Snapshot) -> None:
        self._in_flight = False
        if self._load_error:
            self._load_error = ""
            self.message.clear()
        if snap.stores is not None:
            self._need_lookups = False
            self._stores = snap.stores
            self._zones = {s.id: ZoneInfo(s.timezone) for s in snap.stores}
            self.detail.set_zones(self._zones)
            self._fill_stores()
        if snap.names is not None:
            self.detail.set_names(snap.names)
            self.model.set_names(snap.names)
        self.model.set_alerts(snap.alerts, self.ctx.clock())
        self._paging_me = snap.paging_me
        self._apply_mine()
        self._offers = snap.offers
        self._show_offer_banner()
        self._update_count()
        selected = self.selected_alert_id()
        if snap.detail is not None and snap.detail[0].id == selected:
            self._show_detail(*snap.detail)
        elif selected is None:
            self._show_detail(None, [], [])
        if self._wanted_alert is not None and self.select_alert(self._wanted_alert):
            self._wanted_alert = None
        if self._again:
            self._load()
        else:
            self.loaded.emit()

    def _load_failed(self, exc: BaseException) -> None:
        self._in_flight = False
        self._load_error = str(exc) or type(exc).__name__
        self.message.show_message(
            "error",
            fill(self.tr("Cannot load the alerts: %1. Trying again in a few seconds."), self._load_error),
        )
        QTimer.singleShot(RETRY_MS, self, self._retry)

    def _mark_read(self) -> None:
        services, actor, now = self.ctx.services, self.ctx.actor, self.ctx.clock()
        self.ctx.tasks.op(
            self,
            lambda _c: services.alerts.mark_read(actor, now),
            lambda _r: self.ctx.events.alerts_changed.emit(),  # the badge drops at once
            on_error=lambda _exc: None,
        )

    # -- list -------------------------------------------------------------------------------------
    def mine(self) -> frozenset[int]:
        """The alerts loaded that are mine: paging me now, taken by me, or raised by me."""
        me = self.ctx.actor.username
        return self._paging_me | {
            a.id
            for a in (self.model.alert(row) for row in range(self.model.rowCount()))
            if plain_username(a.owner) == me or (a.details or {}).get("requested_by") == me
        }

    def _apply_mine(self) -> None:
        self.proxy.set_mine(self.mine() if self.mine_check.isChecked() else None)
        self._update_count()

    def show_alert_id(self, alert_id: int) -> None:
        """Select this alert (the banner's Open): now if it is listed, else once the list has it."""
        self.search_edit.clear()
        self.severity_combo.setCurrentIndex(0)
        self.mine_check.setChecked(False)
        if self.status_combo.currentData() == "resolved":
            self.status_combo.setCurrentIndex(self.status_combo.findData("active"))
        if not self.select_alert(alert_id):
            self._wanted_alert = alert_id
            self._load()

    def selected_alert_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.proxy.data(rows[0], ALERT_ID_ROLE)

    def select_alert(self, alert_id: int) -> bool:
        """Select the alert's row (if it is in the list); returns whether it was found."""
        row = self.model.row_of(alert_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.selectionModel().select(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def visible_titles(self) -> list[str]:
        """The alert titles as the list shows them, top to bottom."""
        return [self.proxy.index(row, AlertsTableModel.TITLE).data() for row in range(self.proxy.rowCount())]

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if shown == total:
            text = self.tr("1 alert") if total == 1 else self.tr("%n alerts", "", total)
        else:
            text = fill(self.tr("%1 of %2 shown"), str(shown), str(total))
        self.count_label.setText(text)
        self.list_stack.setCurrentIndex(0 if shown else 1)

    def _selection_changed(self, *_args) -> None:
        self._close_inline()
        alert_id = self.selected_alert_id()
        if alert_id is None:
            self._show_detail(None, [], [])
            return
        alert = self.model.alert_by_id(alert_id)
        keep = self._detail if self._detail and self._detail[0].id == alert_id else None
        self._show_detail(alert, keep[1] if keep else [], keep[2] if keep else [])
        self._load()

    # -- detail -----------------------------------------------------------------------------------
    def _show_detail(
        self, alert: AlertView | None, steps: list[TimelineEntry], notices: list[NoticeView]
    ) -> None:
        new = (alert, steps, notices) if alert is not None else None
        if new == self._detail and alert is not None and self.detail_stack.currentIndex() == 1:
            self._update_buttons(alert)  # nothing changed: keep the pane (and its scroll) as it is
            return
        self._detail = new
        if alert is None:
            self.detail_stack.setCurrentIndex(0)
            return
        self.detail_stack.setCurrentIndex(1)
        self.detail.show_alert(alert, steps, notices)
        self._update_buttons(alert)

    def timeline_rows(self) -> list[tuple[str, str, str, str]]:
        """The timeline as the user reads it: (time, what, who, details) per row."""
        return self.detail.timeline_rows()

    def _offer_for(self, alert_id: int | None) -> CoverOfferView | None:
        return next((o for o in self._offers if o.alert_id == alert_id), None)

    def _update_buttons(self, alert: AlertView | None) -> None:
        busy = bool(self._pending_action)
        live = alert is not None and alert.status != "resolved"
        self.ack_button.setEnabled(
            not busy and live and alert.status in ("open", "snoozed") and not alert.owner
        )
        self.resolve_button.setEnabled(not busy and live)
        self.comment_button.setEnabled(not busy and alert is not None)
        self.reassign_button.setEnabled(not busy and live)
        self.snooze_button.setEnabled(not busy and live)
        offered = alert is not None and self._offer_for(alert.id) is not None
        self.accept_button.setVisible(offered)
        self.accept_button.setEnabled(not busy and offered)

    def _show_offer_banner(self) -> None:
        if not self._offers:
            self.offer_banner.setVisible(False)
            return
        offer = self._offers[0]
        store = f"{offer.store_code} {offer.store_name}".strip()
        zone = self._zones.get(offer.store_id or -1)
        since = offer.offered_at.astimezone(zone) if zone else offer.offered_at.astimezone()
        text = fill(
            self.tr("You are asked to cover at %1 (since %2). Can you step in now?"),
            store,
            since.strftime("%H:%M"),
        )
        if len(self._offers) > 1:
            more = len(self._offers) - 1
            text += " " + (
                self.tr("(1 more request)") if more == 1 else self.tr("(%n more requests)", "", more)
            )
        self.offer_label.setText(text)
        self.offer_button.setEnabled(not self._pending_action)
        self.offer_banner.setVisible(True)
        if self._detail:
            self._update_buttons(self._detail[0])

    # -- actions ----------------------------------------------------------------------------------
    def _open_inline(self, page: int) -> None:
        self.inline.setCurrentIndex(page)
        self.inline.setVisible(True)

    def _close_inline(self) -> None:
        self.inline.setVisible(False)
        self.note_edit.clear()
        self._note_kind = ""

    def _open_note(self, kind: str) -> None:
        self._note_kind = kind
        self.note_edit.clear()
        if kind == "resolve":
            self.note_prompt.setText(
                self.tr("How was it resolved? (optional, everyone told so far reads it)")
            )
            self.note_confirm.setText(self.tr("Resolve alert"))
        else:
            self.note_prompt.setText(self.tr("Comment for the timeline:"))
            self.note_confirm.setText(self.tr("Add comment"))
        self._open_inline(0)
        self.note_edit.setFocus()

    def _open_reassign(self) -> None:
        alert_id = self.selected_alert_id()
        if alert_id is None:
            return
        self.reassign_combo.clear()
        self.reassign_combo.addItem(self.tr("Loading people…"), None)
        self.reassign_confirm.setEnabled(False)
        self._open_inline(1)
        services, actor = self.ctx.services, self.ctx.actor

        def done(people: list[PersonRef]) -> None:
            if self.selected_alert_id() != alert_id:
                return
            self._assignees[alert_id] = people
            self.reassign_combo.clear()
            current = self._detail[0].owner if self._detail and self._detail[0] else None
            for person in people:
                if person.username in (plain_username(current), actor.username):
                    continue
                where = f" · {person.store_code}" if person.store_code else ""
                self.reassign_combo.addItem(
                    f"{person.display_name} — {role_name(person.role)}{where}", person.username
                )
            self.reassign_confirm.setEnabled(self.reassign_combo.count() > 0)
            if not self.reassign_combo.count():
                self.reassign_combo.addItem(self.tr("Nobody else can take this alert"), None)

        self.ctx.tasks.op(
            self,
            lambda _c: services.alerts.assignees(actor, alert_id),
            done,
            on_user_error=self._failed,
            busy=self.busy,
        )

    def _confirm_note(self) -> None:
        text = self.note_edit.toPlainText().strip()
        if self._note_kind == "comment":
            if not text:
                self.message.show_message("warning", self.tr("Write the comment first."))
                return
            self._act(
                "comment", lambda s, a, i, now: s.alerts.comment(a, i, text, now), self.tr("Comment added.")
            )
        else:
            self._act(
                "resolve", lambda s, a, i, now: s.alerts.resolve(a, i, now, text), self.tr("Alert resolved.")
            )

    def _confirm_reassign(self) -> None:
        username = self.reassign_combo.currentData()
        if not username:
            return
        name = self.reassign_combo.currentText().split(" — ")[0]
        self._act(
            "reassign",
            lambda s, a, i, now: s.alerts.reassign(a, i, username, now),
            fill(self.tr("Handed over to %1; they have been paged."), name),
        )

    def _acknowledge(self) -> None:
        self._act(
            "acknowledge",
            lambda s, a, i, now: s.alerts.acknowledge(a, i, now),
            self.tr("You have it: escalation stopped. Resolve it when it is over."),
        )

    def _snooze(self, minutes: int) -> None:
        self._act(
            "snooze",
            lambda s, a, i, now: s.alerts.snooze(a, i, now + timedelta(minutes=minutes), now),
            fill(self.tr("Snoozed for %1 min."), str(minutes)),
        )

    def _accept_selected_offer(self) -> None:
        self._accept_offer(self.selected_alert_id())

    def _accept_banner_offer(self) -> None:
        if self._offers:
            self._accept_offer(self._offers[0].alert_id)

    def _accept_offer(self, alert_id: int | None) -> None:
        offer = self._offer_for(alert_id)
        if offer is None:
            return
        store = f"{offer.store_code} {offer.store_name}".strip()
        self._act(
            "accept_cover",
            lambda s, a, i, now: s.calls.accept_cover(a, i, now),
            fill(self.tr("Thank you: you are covering at %1. Everyone else has been told."), store),
            alert_id=alert_id,
        )

    def _act(self, kind: str, fn, success: str, alert_id: int | None = None) -> None:
        """Run an action on an alert off the GUI thread; say how it went in the strip above the list."""
        alert_id = alert_id if alert_id is not None else self.selected_alert_id()
        if alert_id is None or self._pending_action:
            return
        self._pending_action = kind
        self._update_buttons(self._detail[0] if self._detail else None)
        self.offer_button.setEnabled(False)
        services, actor, now = self.ctx.services, self.ctx.actor, self.ctx.clock()

        def done(_result) -> None:
            self._pending_action = ""
            self._close_inline()
            self.message.show_message("success", success)
            self.ctx.events.alerts_changed.emit()
            self.acted.emit(kind)

        def failed(exc: Exception) -> None:
            self._pending_action = ""
            self._failed(exc)

        self.ctx.tasks.op(
            self, lambda _c: fn(services, actor, alert_id, now), done, on_user_error=failed, busy=self.busy
        )

    def _failed(self, exc: Exception) -> None:
        self.message.show_message("error", problem_text(exc, ui_language()))
        self._update_buttons(self._detail[0] if self._detail else None)
        self.offer_button.setEnabled(True)
