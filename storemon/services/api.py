"""``Services``: the use cases the GUI, the CLI, the worker and the kiosk call, grouped by area.

Each area lists its use cases (``storemon.services.door.use_case``): ``services.alerts.acknowledge
(actor, alert_id, now)`` opens one transaction, resolves the actor (an ``Actor`` or a username),
checks the role and runs the body written once in its module. The body of a use case whose
module other work is editing is wrapped here with ``use_case(...)(module.function)``; bodies in
modules of their own carry the decorator where they are defined. Every call opens and closes its
own session, so areas are safe to use from a worker thread; callers never see SQLAlchemy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from alerts.escalation import Acknowledge, Comment, Reassign, Resolve, Snooze
from staffing.day import StaffingTargets
from staffing.policy import TierPolicy
from storemon.config import ConnectionReport, DatabaseLocation, check_connection, database_location
from storemon.db.models import Role, Store
from storemon.services import (
    actions,
    advice,
    alert_people,
    alert_service,
    attention,
    audit_view,
    auth,
    call_recipients,
    call_state,
    channels,
    day_figures,
    demo,
    escalation_settings,
    export,
    forecasts,
    incident_rules,
    incidents,
    kiosk,
    labour,
    pressure_calibration,
    pressure_report,
    region,
    region_cache,
    reports,
    rules,
    schedule,
    secrets,
    setting_keys,
    store_days,
    stores,
    support_resources,
    surge_calendar,
    tier_policies,
    today,
    users,
    wages,
    whatif,
)
from storemon.services.access import HEAD_OFFICE, AccessDenied, Actor, allows, require
from storemon.services.backup import backup_database, restore_database
from storemon.services.child_process import shares_processes
from storemon.services.database import Database
from storemon.services.door import Area, resolve_actor, use_case
from storemon.services.import_process import import_in_child
from storemon.services.phone_links import PhoneLinks
from storemon.services.policy_files import load_policy_file

Progress = Callable[[int, int], None]
CHANGE = "change chain-wide settings"


# ---------------------------------------------------------------- small bodies composed of others


def _event(session, actor: Actor, alert_id: int, event, now: datetime) -> str:
    return alert_service.act(session, actor, alert_id, event, now).status


@use_case(write=True)
def _acknowledge(session, actor: Actor, alert_id: int, now: datetime) -> str:
    return _event(session, actor, alert_id, Acknowledge(by=actor.username), now)


@use_case(write=True)
def _resolve(session, actor: Actor, alert_id: int, now: datetime, note: str = "") -> str:
    return _event(session, actor, alert_id, Resolve(by=actor.username, note=note), now)


@use_case(write=True)
def _comment(session, actor: Actor, alert_id: int, text: str, now: datetime) -> str:
    return _event(session, actor, alert_id, Comment(by=actor.username, text=text), now)


@use_case(write=True)
def _reassign(session, actor: Actor, alert_id: int, to_username: str, now: datetime) -> str:
    return _event(session, actor, alert_id, Reassign(to=f"user:{to_username}", by=actor.username), now)


@use_case(write=True)
def _snooze(session, actor: Actor, alert_id: int, until: datetime, now: datetime) -> str:
    return _event(session, actor, alert_id, Snooze(by=actor.username, until=until), now)


@use_case(write=True, signed_in=False)
def _process_due(session, now: datetime) -> int:
    """Escalation timeouts, reminders, snooze ends and commitment deadlines that fell due."""
    fired = alert_service.process_due(session, now)
    reminded, missed = actions.process_commitments(session, now)
    return fired + reminded + missed


@use_case(write=True)
def _promise(session, actor: Actor, store_id: int, description: str, due_at: datetime, now: datetime) -> int:
    """A callback promised to a customer, tracked with a deadline (``actions.add_commitment``)."""
    return actions.add_commitment(session, actor, store_id, description.strip(), due_at, now)


@use_case()
def _check_password_change(session, actor: Actor, username: str) -> None:
    """Anyone sets their own password; only an administrator sets someone else's."""
    if actor.username != username:
        require(actor, Role.ADMIN, "set other people's passwords")


@use_case(write=True)
def _set_password(session, actor: Actor, username: str, password: str, now: datetime) -> None:
    _check_password_change(session, actor, username)
    auth.set_password(session, username, password, now, by=actor.username)


@use_case(write=True, needs=HEAD_OFFICE, doing=CHANGE)
def _save_staffing_targets(session, actor: Actor, targets: StaffingTargets) -> None:
    setting_keys.save_staffing_targets(session, targets)


@use_case(write=True, signed_in=False)
def _fill_demo(session, **options) -> demo.DemoSummary:
    summary = demo.build_demo(session, **options)
    auth.demo_passwords(session)  # one hash for every demo user
    return summary


# ------------------------------------------------------------------------------------ the areas


class Stores(Area):
    """Stores and regions in the actor's scope, their summaries, sales and settings."""

    list = stores.store_refs
    regions = stores.region_refs
    summaries = use_case()(stores.store_summaries)
    sales_for_day = use_case()(stores.sales_for_day)
    settings_list = stores.store_settings_list
    settings = stores.store_settings
    edit = stores.edit_store


class Staffing(Area):
    """One store's staffing: its days modelled, the Today picture, recommendations and what-ifs."""

    store_day = use_case()(store_days.store_day)
    store_days = use_case()(store_days.store_days)
    forecast = forecasts.forecast_table
    today_picture = today.today_picture
    recommend = use_case()(whatif.recommend_for_day)
    advise = use_case()(advice.advise_day)
    window_drafts = use_case()(advice.window_drafts)
    policy_drafts = use_case()(advice.policy_drafts)
    tier_whatif = use_case()(whatif.tier_whatif)
    day_figures = use_case()(day_figures.day_figures)


class Labour(Area):
    """Wages per role and per person, and what a store's shifts and days cost."""

    role_wages = wages.role_wages
    set_role_wage = wages.set_role_wage
    save_role_wages = wages.save_role_wages
    person_wages = wages.person_wages
    set_person_wage = wages.set_person_wage
    save_person_wages = wages.save_person_wages
    day_labour = labour.day_labour
    stores_labour = labour.stores_labour


class Regions(Area):
    """Region comparisons: the store overview, pressure, what-ifs and exports."""

    overview = use_case()(region.region_overview)
    pressure = use_case()(pressure_report.region_pressure)
    tier_whatif = use_case()(region.tier_whatif_by_store)
    roster_whatif = use_case()(region.roster_whatif)

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.overview_cache = region_cache.OverviewCache()
        self.store_versions = region_cache.StoreVersions()

    def overview_off_process(
        self,
        actor: Actor | str,
        region_id: int | None = None,
        days: int = 7,
        now: datetime | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        feed_running: bool = False,
    ) -> list[region.StoreOverview]:
        """``overview`` modelled in a child process, or from the cache while the data is unchanged
        (``services.region_cache``): the window's way to a chain's week. ``feed_running``: the
        caller's change feed reports every change to ``note_changes``, so the cache's data version
        is the feed's counters instead of a read of the stores' rows."""
        return region_cache.overview_off_process(
            self.database,
            self.overview_cache,
            actor,
            region_id,
            days,
            now,
            progress,
            cancel,
            self.store_versions if feed_running else None,
        )

    def note_changes(self, kinds: frozenset[str], store_ids: frozenset[int]) -> None:
        """What the change feed reported (empty ``store_ids``: any store): cached overviews of
        these stores are out of date."""
        self.store_versions.note(kinds, store_ids)

    @staticmethod
    def load_candidate_policy(path: Path) -> TierPolicy:
        """A tier policy from a JSON file, for what-ifs only (nothing is saved)."""
        return load_policy_file(Path(path))

    @staticmethod
    def policy_issues(policy: TierPolicy) -> list[str]:
        """The gaps and overlaps of a candidate policy, as sentences."""
        return region.policy_issues(policy)

    @staticmethod
    def export_rows(
        path: Path,
        rows: Sequence[Any],
        columns: Sequence[export.Column] | None = None,
        *,
        sheet_title: str = "Export",
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        """Write rows the actor already sees to CSV or XLSX (by suffix); returns the rows written."""
        return export.write_rows(Path(path), rows, columns, sheet_title, progress, cancel)


class Alerts(Area):
    """Alerts in the actor's scope and what people do with them; every change commits at once."""

    list = use_case()(alert_service.list_alerts)
    detail = use_case()(alert_service.alert_detail)
    acknowledge = _acknowledge
    resolve = _resolve
    comment = _comment
    reassign = _reassign
    snooze = _snooze
    unread_count = use_case()(alert_service.unread_count)
    mark_read = use_case(write=True)(alert_service.mark_read)
    assignees = use_case()(alert_people.assignees)
    my_cover_offers = use_case()(alert_people.open_cover_offers)
    display_names = use_case()(alert_people.display_names)
    notices = use_case()(alert_people.alert_notices)
    deliveries = use_case()(alert_people.alert_deliveries)
    unread_notices = use_case()(alert_people.unread_notices)
    my_pages = use_case()(attention.my_pages)
    store_calls = use_case()(attention.store_calls)
    process_due = _process_due


class Calls(Area):
    """One-click calls for help and promises to customers: each is an alert with a timeline."""

    call_backup = use_case(write=True)(actions.call_backup)
    call_manager = use_case(write=True)(actions.call_manager)
    accept_cover = use_case(write=True)(actions.accept_cover)
    states = use_case()(call_state.store_call_states)
    relief_request = use_case(write=True)(actions.relief_request)
    add_commitment = use_case(write=True)(actions.add_commitment)
    commitment_done = use_case(write=True)(actions.commitment_done)
    reach = call_recipients.call_reach


class Kiosk(Area):
    """The counter screen: PIN sign-in, incidents, promises, check-ins and support."""

    terminal = use_case()(kiosk.terminal)
    people = use_case()(kiosk.people)
    sign_in = use_case(write=True)(kiosk.sign_in)
    set_staff_pin = use_case(write=True)(kiosk.set_staff_pin)
    profile = use_case()(kiosk.profile)
    playbooks = use_case()(kiosk.playbooks)
    approvers = use_case()(kiosk.approvers)
    check_approver = use_case(write=True)(kiosk.check_approver)
    report_incident = use_case(write=True)(kiosk.record_incident)
    promise = _promise
    promises = use_case()(kiosk.open_promises)
    relief_status = use_case()(kiosk.relief_status)
    arrivals = use_case()(call_state.arrivals)
    check_in = use_case(write=True)(kiosk.check_in)
    my_check_ins = use_case()(kiosk.my_check_ins)
    support = use_case()(kiosk.support)


class Policies(Area):
    """Chain-wide policies: tier policies, thresholds, escalation, surge, incident rules, support.

    Reading is open to every signed-in user; changing needs a head-office role.
    """

    tier_policy_summaries = tier_policies.tier_policy_summaries
    check_tier_policy = tier_policies.check_tier_policy
    save_tier_policy = tier_policies.save_tier_policy_summary
    delete_tier_policy = tier_policies.delete_tier_policy
    policy_stores = tier_policies.policy_stores
    assign_tier_policy = tier_policies.assign_tier_policy
    thresholds = use_case(signed_in=False)(tier_policies.load_thresholds)
    save_thresholds = tier_policies.save_thresholds
    escalation_policy = use_case(signed_in=False)(escalation_settings.load_escalation_policy)
    save_escalation_policy = escalation_settings.save_escalation_policy
    save_surge_calendar = surge_calendar.save_surge_calendar
    forecast_planning = use_case(signed_in=False)(forecasts.load_planning)
    save_forecast_planning = forecasts.save_planning
    save_surges = forecasts.save_surges
    authority_limits = use_case(signed_in=False)(incident_rules.load_authority_limits)
    save_authority_limits = incident_rules.save_authority_limits
    playbooks = use_case(signed_in=False)(incident_rules.load_playbooks)
    save_playbooks = incident_rules.save_playbooks
    save_incident_rules = incident_rules.save_incident_rules
    save_support_resources = support_resources.save_support_resources
    calibrate_pressure = pressure_calibration.calibrate_pressure
    accept_pressure_weights = pressure_calibration.accept_pressure_weights
    # Last: these names shadow their modules for the rest of the class body.
    tier_policies = tier_policies.tier_policy_refs
    surge_calendar = use_case(signed_in=False)(surge_calendar.load_surge_calendar)
    support_resources = use_case(signed_in=False)(support_resources.load_support_resources)

    @staticmethod
    def default_thresholds() -> tier_policies.Thresholds:
        """The shipped targets and levels, for "Restore defaults" (nothing is saved)."""
        return tier_policies.DEFAULT_THRESHOLDS


class Settings(Area):
    """Staffing yardsticks, notification channels and this PC's database connection."""

    staffing_targets = use_case(signed_in=False)(setting_keys.staffing_targets)
    save_staffing_targets = _save_staffing_targets
    pressure_config = use_case(signed_in=False)(setting_keys.pressure_config)
    notification_channels = channels.notification_channels
    subscribed_channels = use_case(signed_in=False)(alert_service.channel_subscriptions)
    _replace_channels = channels.replace_channels
    _channel_as_edited = channels.channel_as_edited
    channel_status = channels.channel_status

    def database_location(self) -> DatabaseLocation:
        return database_location(self.database.description)

    @staticmethod
    def check_database_connection(actor: Actor, value: str) -> ConnectionReport:
        """Connect to a path or URL, ``SELECT 1`` with a 5 s timeout; no schema change (ConfigError if not)."""
        require(actor, HEAD_OFFICE, CHANGE)  # probing servers from a counter PC is not a frontline task
        return check_connection(value)

    @staticmethod
    def save_database_url(actor: Actor, value: str | None) -> Path:
        """Write the URL (None: the embedded SQLite file) to this PC's settings file; used on the next start."""
        from storemon.config import save_database_url

        require(actor, HEAD_OFFICE, CHANGE)  # pointing a PC at another database is head office's decision
        return save_database_url(value)

    @staticmethod
    def secret_storage_warning() -> str | None:
        """Why secrets on this PC sit in a file (no system keyring); None when a keyring keeps them."""
        return secrets.storage_warning()

    def save_notification_channels(
        self, actor: Actor | str, channel_list: Sequence[Mapping[str, Any]], now: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Replace the chain's channels (head office only); returns them as ``notification_channels``.

        A secret setting given as ``"***"`` keeps the value stored for the channel's
        ``previous_name`` (or its name); a new value goes to the secret store. Secrets of removed
        channels are forgotten once the change is committed.
        """
        stored, old = self._replace_channels(actor, channel_list, now)
        channels.forget_unused_secrets(old, stored)
        return [channels.masked_channel(c) for c in stored]

    def send_channel_test(
        self, actor: Actor | str, channel: Mapping[str, Any], recipient: str | None = None
    ) -> None:
        """Send the test message over ``channel`` as edited (saved or not; ``"***"`` keeps a stored secret).

        Head office only. A wrong setting or a failed delivery raises ``ChainSettingsError`` with
        a message that names the setting or the server, never a secret.
        """
        from alerts.notifiers import DeliveryError, SettingsError
        from storemon.services.setting_values import ChainSettingsError

        merged = self._channel_as_edited(actor, channel)
        try:
            notifier = secrets.notifier_for(merged)
            if merged.get("type") in ("email", "smtp") and recipient:
                notifier.send_test(recipient)
            else:
                notifier.send_test()
        except (SettingsError, DeliveryError) as exc:
            raise ChainSettingsError(str(exc)) from None


class Schedule(Area):
    """Rosters: a store's week, and shifts added, changed or removed (shift lead and above)."""

    week_roster = use_case()(schedule.week_roster)
    add_shift = use_case(write=True)(schedule.add_shift)
    borrowable_people = use_case()(schedule.borrowable_people)
    add_shifts = use_case(write=True)(schedule.add_shifts)
    update_shift = use_case(write=True)(schedule.update_shift)
    delete_shift = use_case(write=True)(schedule.delete_shift)


class Incidents(Area):
    """Incidents in the actor's stores: the list, its filter choices and exports."""

    list = use_case()(incidents.list_incidents)
    choices = use_case()(incidents.incident_choices)
    _visible_store_ids = use_case()(incidents.visible_store_ids)

    def export(
        self,
        actor: Actor | str,
        path: str | Path,
        rows: Sequence[incidents.IncidentRow],
        headers: Sequence[str] = incidents.EXPORT_HEADERS,
        label: Callable[[str, str], str] | None = None,
    ) -> int:
        """Write the incidents the actor was shown to ``path`` (.csv: UTF-8 with BOM, or .xlsx).

        Only rows of stores the actor may see are written, whatever the caller passes; returns
        the number of rows written. Raises ``ExportError`` naming the file when it cannot be written.
        """
        visible = self._visible_store_ids(actor)
        allowed = [row for row in rows if row.store_id in visible]
        return incidents.export_incidents(path, allowed, headers, label)


class Audit(Area):
    """The hash-chained audit log, for head-office roles."""

    entries = audit_view.list_entries
    actions = audit_view.action_names
    verify = audit_view.verify_log
    check_anchor = audit_view.check_anchor

    @staticmethod
    def export(
        actor: Actor,
        path: str | Path,
        rows: Sequence[audit_view.AuditRow],
        headers: Sequence[str] = audit_view.EXPORT_HEADERS,
    ) -> int:
        """Write the rows the actor was shown to ``path`` (.csv UTF-8 with BOM, or .xlsx)."""
        require(actor, HEAD_OFFICE, audit_view.READ_LOG)
        return audit_view.export_rows(path, rows, headers)


class Auth(Area):
    """Signing in, the first administrator, passwords."""

    actor = use_case(signed_in=False)(resolve_actor)
    sign_in = use_case(write=True, signed_in=False, commits_despite=(auth.SignInFailed,))(auth.authenticate)
    needs_first_admin = use_case(signed_in=False)(auth.needs_first_admin)
    create_first_admin = use_case(write=True, signed_in=False)(auth.create_first_admin)
    check_password_change = _check_password_change
    set_password = _set_password


class Users(Area):
    """Accounts: who may sign in, with which role and scope; head office manages them."""

    list = use_case(needs=HEAD_OFFICE, doing="see the user accounts")(users.list_users)
    add = use_case(write=True, needs=HEAD_OFFICE, doing="add a user")(users.add_user)
    edit = use_case(write=True, needs=HEAD_OFFICE, doing="change a user")(users.edit_user)
    deactivate = use_case(write=True, needs=HEAD_OFFICE, doing="deactivate a user")(users.deactivate_user)


class Imports(Area):
    """POS sales, rosters and staff files into the database, each file all or nothing."""

    IMPORTS_NEED = Role.STORE_MANAGER

    @classmethod
    def may_import(cls, actor: Actor) -> bool:
        """Store managers and up import (into the stores they see); the UI asks before offering it."""
        return allows(actor, cls.IMPORTS_NEED)

    def import_file(
        self,
        actor: Actor | str,
        kind: str,
        path: Path,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        **options,
    ):
        """Run an importer, all or nothing (see ``storemon.importers``); store managers and up only."""
        from storemon import importers

        with self.database.sessions() as session:
            actor = resolve_actor(session, actor)
            if not self.may_import(actor):
                raise AccessDenied("imports need a store manager or a head-office role")
            if not actor.sees_chain:
                # Only into the stores the actor sees: other stores' rows are problems; no new stores.
                options["store_ids"] = frozenset(session.scalars(actor.scope_stores(select(Store.id))))
        run = {
            "sales": importers.import_sales,
            "roster": importers.import_roster,
            "staff": importers.import_staff,
        }[kind]
        return run(
            self.database.sessions, path, progress=progress, cancel=cancel, actor=actor.username, **options
        )

    def import_file_in_child(
        self,
        actor: Actor | str,
        kind: str,
        path: Path,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        **options,
    ):
        """``import_file`` in a child process (``services.import_process``): the window's way, so
        the import never competes with the GUI thread for the GIL. An in-memory database cannot be
        shared with another process; its imports run here."""
        url = self.database.engine.url
        if not shares_processes(url):
            return self.import_file(actor, kind, path, progress=progress, cancel=cancel, **options)
        username = actor.username if isinstance(actor, Actor) else actor
        return import_in_child(
            url.render_as_string(hide_password=False), username, kind, path, options, progress, cancel
        )

    @staticmethod
    def preview_file(path: Path, kind: str, mapping: dict[str, str] | None = None):
        from storemon import importers

        return importers.preview(path, kind, mapping)


class Reports(Area):
    """The weekly store report and the regional comparison (written by ``reports.write_report``)."""

    weekly_store_report = use_case()(reports.weekly_store_report)
    regional_comparison = use_case()(reports.regional_comparison)


class Rules(Area):
    """The alert rules, evaluated over every store (the worker's job; ``storemon rules run``)."""

    run = use_case(write=True, needs=HEAD_OFFICE, doing="run the chain's alert rules")(rules.run_rules)

    def workers(self) -> list:
        """Each process running the jobs: its heartbeat and last rules cycle (``storemon rules status``)."""
        from storemon.worker import worker_statuses

        return worker_statuses(self.database)


class DatabaseArea(Area):
    """The open database itself: backups, restores, the worker's heartbeat."""

    def is_empty(self) -> bool:
        return self.database.is_empty()

    def backup(self, path: Path) -> Path:
        return backup_database(self.database, path)

    def restore(self, path: Path) -> str:
        return restore_database(self.database, path)

    def worker_heartbeat(self) -> datetime | None:
        """When a worker (in this app or elsewhere) last said it was alive."""
        from storemon.worker import last_heartbeat

        return last_heartbeat(self.database)

    def watch_changes(
        self,
        on_change: Callable[[frozenset[str], frozenset[int]], None],
        stop: threading.Event,
        ready: threading.Event | None = None,
    ) -> threading.Thread:
        """Call ``on_change(kinds, store_ids)`` from a thread whenever any process commits a change
        (the change feed: ``storemon.db.changes``), until ``stop`` is set."""
        from storemon.db.changes import watch

        return watch(self.database.engine, on_change, stop, ready)

    def jobs_stale_at(self) -> datetime | None:
        """When the escalation jobs count as not running unless some process runs them again
        (None: they never ran here). The red banner compares it with the clock, no query needed."""
        from storemon.job_lease import STALE_AFTER, jobs_last_ran

        recent = [t for t in (jobs_last_ran(self.database), self.worker_heartbeat()) if t is not None]
        return max(recent) + STALE_AFTER if recent else None

    def jobs_stale(self, now: datetime) -> bool:
        """Whether nobody has run the escalation jobs for two minutes (the red banner)."""
        from storemon.job_lease import jobs_stale

        return jobs_stale(self.database, now, self.worker_heartbeat())


class Demo(Area):
    """The demo chain that fills an empty database."""

    fill = _fill_demo


class Services:
    """Every use case over one open database, by area: ``services.alerts.acknowledge(...)``."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.stores = Stores(database)
        self.staffing = Staffing(database)
        self.labour = Labour(database)
        self.region = Regions(database)
        self.alerts = Alerts(database)
        self.calls = Calls(database)
        self.kiosk = Kiosk(database)
        self.policies = Policies(database)
        self.settings = Settings(database)
        self.schedule = Schedule(database)
        self.incidents = Incidents(database)
        self.audit = Audit(database)
        self.auth = Auth(database)
        self.users = Users(database)
        self.imports = Imports(database)
        self.reports = Reports(database)
        self.rules = Rules(database)
        self.db = DatabaseArea(database)
        self.demo = Demo(database)
        self.phone_links = PhoneLinks(database)

    @property
    def description(self) -> str:
        return self.database.description
