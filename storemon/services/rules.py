"""The alert rules at work: load each store's day model, ask ``alerts.rules``, write the alerts.

Run every minute (and when data changes) by the scheduler. Every store's day is modelled in one
``store_days_many`` call (set-based reads, batched day model). What fires, with which parameters and
hysteresis, is decided by the pure ``alerts.rules``; this module loads the data, refreshes each
store's live picture, raises the alerts it returns and resolves the rest.

The worker's cycles pass a ``RuleMemory`` (``storemon.services.rule_memory``): only the stores
whose inputs changed or whose interval moved on are evaluated; the others, and their alerts, are
left as their last evaluation wrote them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.kinds import AlertKind
from alerts.rules import RULE_KINDS, Verdict, policy_rules, store_rules
from storemon.db.models import Store
from storemon.services.access import SYSTEM, Actor
from storemon.services.actions import refresh_live_pictures
from storemon.services.alert_service import raise_kind, resolve_rule_alerts
from storemon.services.rule_memory import Pending, RuleMemory, keep_pictures_fresh
from storemon.services.setting_keys import staffing_targets
from storemon.services.store_days import store_days_many
from storemon.services.stores import store_summaries
from storemon.services.surge_calendar import load_surge_calendar


@dataclass
class RuleRun:
    """What one evaluation did."""

    raised: dict[str, int] = field(default_factory=dict)
    resolved: int = 0
    stores: int = 0
    evaluated: list[int] = field(default_factory=list)
    """The stores evaluated (all of them without a ``RuleMemory``)."""
    skipped: list[int] = field(default_factory=list)
    """The stores left alone: nothing they depend on changed since their last evaluation."""
    pending: Pending | None = None
    """What to remember once the transaction commits (``RuleMemory.settle``)."""

    def count(self, rule: str) -> None:
        self.raised[rule] = self.raised.get(rule, 0) + 1


def run_rules(session: Session, actor: Actor, now: datetime) -> RuleRun:
    """The use case behind ``storemon rules run`` and the worker's job: head office or the
    worker's system identity only (it raises and resolves alerts in every store)."""
    return evaluate(session, now)


def evaluate(
    session: Session,
    now: datetime,
    store_ids: Collection[int] | None = None,
    memory: RuleMemory | None = None,
) -> RuleRun:
    """Evaluate every rule for every store (or ``store_ids``) at ``now``; raise and resolve alerts.

    With ``memory``, only the stores it says are due; alerts of the others are not touched."""
    run = RuleRun()
    stmt = select(Store).order_by(Store.code)
    if store_ids is not None:
        if not store_ids:
            return run
        stmt = stmt.where(Store.id.in_(list(store_ids)))
    stores = {store.id: store for store in session.scalars(stmt)}
    versions = None
    only = None if store_ids is None and memory is None else list(stores)
    policy_ids = only
    if memory is not None:
        due = memory.due(session, list(stores), now)
        versions = due.versions
        run.skipped = [i for i in stores if i not in versions]
        stores = {i: store for i, store in stores.items() if i in versions}
        if not stores:
            keep_pictures_fresh(session, run.skipped, now)
            return run
        # A policy verdict depends on sales and roster only: stores due because the clock moved
        # keep theirs (and its alert) as it is.
        only, policy_ids = list(stores), [i for i in stores if i in due.changed]
    targets = staffing_targets(session)
    calendar = load_surge_calendar(session)
    verdict = Verdict()
    today = {store.id: now.astimezone(ZoneInfo(store.timezone)) for store in stores.values()}
    if memory is not None and versions is not None:
        days = memory.days(session, {i: local.date() for i, local in today.items()}, versions, now)
    else:
        days = {
            i: d[0]
            for i, d in store_days_many(
                session, SYSTEM, {i: [t.date()] for i, t in today.items()}, now
            ).items()
        }
    # Everything is read and decided before anything is written: on SQLite the first write takes
    # the database's one write lock, and the escalation job must not wait for a batch's models.
    for store in stores.values():
        run.stores += 1
        run.evaluated.append(store.id)
        local = today[store.id]
        sensitivity = float(calendar.sensitivity_for([local.date()])[0])
        threshold = targets.target_wait_minutes / sensitivity
        lost_share = (1.0 - targets.target_service_level) / sensitivity
        day = days[store.id]
        verdict.extend(
            store_rules(store.id, day.day, day.intervals, day.pressure, threshold, local, lost_share)
        )
    if policy_ids is None or policy_ids:
        ids = None if policy_ids is None else set(policy_ids)
        verdict.extend(policy_rules(store_summaries(session, SYSTEM, store_ids=ids)))
    refresh_live_pictures(session, list(stores.values()), days, now)
    keep_pictures_fresh(session, run.skipped, now)
    for firing in verdict.firings:
        store = stores.get(firing.store_id) if firing.store_id is not None else None
        if store is None and firing.store_id is not None:
            store = session.get(Store, firing.store_id)
        raise_kind(
            session,
            firing.kind,
            firing.params,
            store=store,
            dedup_key=firing.dedup_key,
            now=now,
            extra=firing.extra,
            severity=firing.severity,
        )
        run.count(firing.kind.value)
    for kind in RULE_KINDS:
        ids = policy_ids if kind is AlertKind.BELOW_POLICY else only
        if ids is None or ids:  # an empty list would mean every store's alerts
            run.resolved += resolve_rule_alerts(session, kind.value, verdict.keep[kind], now, ids)
    if memory is not None and versions is not None:
        session.flush()
        run.pending = memory.record(session, versions, now)
    return run
