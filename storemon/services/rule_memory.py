"""What the rules job remembers between cycles, so it models only the stores whose inputs changed.

A store's evaluation depends on (1) its data: sales, roster, staff, check-ins, incidents, store
and chain settings; (2) the open alerts of the rule kinds (one resolved by hand is raised again);
(3) the clock, but only in steps: the local 15-minute interval (the live picture's interval, the
"now" rules and the early-warning window, whose end ``now + 2 h`` takes in the next interval just
after each interval starts), the local date, and the start or end of a shift (who is on the
floor in the live picture). So a store is evaluated again when:

- the change feed (``storemon.db.changes``, the same one every screen listens to) reports a change
  of one of ``INPUT_KINDS`` for it, or for any store: its *version* moved;
- its open rule alerts are not those its last evaluation left (``open_rule_alerts``; the feed
  cannot tell the job's own alert writes from a person's, this digest can);
- ``now`` reached the end of its *validity*: the next interval boundary (UTC quarter hours are
  every timezone's quarter hours) or the next shift start or end, whichever comes first.

Otherwise nothing it would write can differ, and it is skipped; its live picture is marked fresh.
Day models are kept per store and local date under the version they were computed at; a new
version drops them.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alerts.rules import RULE_KINDS
from storemon.db.changes import INCIDENTS, ROSTER, SALES, SETTINGS
from storemon.db.models import Alert, RosterShift
from storemon.db.models import LivePicture as LivePictureRow
from storemon.services.access import SYSTEM
from storemon.services.store_days import StoreDay, store_days_many

INPUT_KINDS = frozenset({SALES, ROSTER, SETTINGS, INCIDENTS})
"""Kinds of change that can alter a store's day model, live picture or policy verdict."""
QUARTER = timedelta(minutes=15)
Version = tuple[int, int]
AlertDigest = tuple[int, int, int]


def next_quarter(now: datetime) -> datetime:
    """The next UTC quarter hour after ``now``; ``now`` itself sooner when it is one exactly (the
    early-warning window takes in one more interval a moment after its interval starts)."""
    floor = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    return floor + QUARTER if now > floor else now + timedelta(microseconds=1)


def open_rule_alerts(session: Session, store_ids: Collection[int]) -> dict[int, AlertDigest]:
    """Per store, a digest of its unresolved alerts of the rule kinds (count, max id, sum of ids)."""
    rows = session.execute(
        select(Alert.store_id, func.count(), func.max(Alert.id), func.sum(Alert.id))
        .where(
            Alert.rule.in_([k.value for k in RULE_KINDS]),
            Alert.status != "resolved",
            Alert.store_id.in_(list(store_ids)),
        )
        .group_by(Alert.store_id)
    )
    return {store: (int(n), int(top), int(total)) for store, n, top, total in rows}


def next_shift_edges(session: Session, store_ids: Collection[int], now: datetime) -> dict[int, datetime]:
    """Per store, the next moment after ``now`` a shift starts or ends (who is on the floor changes)."""
    ids = list(store_ids)
    edges: dict[int, datetime] = {}
    for column in (RosterShift.starts_at, RosterShift.ends_at):
        rows = session.execute(
            select(RosterShift.store_id, func.min(column))
            .where(RosterShift.store_id.in_(ids), column > now)
            .group_by(RosterShift.store_id)
        )
        for store, at in rows:
            edges[store] = min(at, edges.get(store, at))
    return edges


@dataclass(frozen=True)
class _Seen:
    """A store's last evaluation: the version it read, the alerts it left, until when it holds."""

    version: Version
    alerts: AlertDigest | None
    valid_until: datetime


@dataclass
class Due:
    """The stores a cycle evaluates: all of them with their versions; ``changed``, those whose data
    or alerts changed (not only the clock), the ones whose policy verdict can differ."""

    versions: dict[int, Version] = field(default_factory=dict)
    changed: set[int] = field(default_factory=set)


@dataclass
class Pending:
    """An evaluation's record, kept by ``RuleMemory.settle`` only once its transaction committed."""

    seen: dict[int, _Seen] = field(default_factory=dict)


class RuleMemory:
    """Per-store versions fed by the change feed, the last evaluations and the cached day models.

    ``changed`` is called from the change feed's thread; the rest from the rules job.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._everything = 0
        self._versions: dict[int, int] = {}
        self._seen: dict[int, _Seen] = {}
        self._days: dict[int, tuple[date, Version, StoreDay]] = {}

    def changed(self, kinds: Iterable[str], store_ids: Iterable[int]) -> None:
        """The change feed's callback: a change of ``kinds`` in ``store_ids`` (empty: any store)."""
        if not INPUT_KINDS & set(kinds):
            return
        stores = list(store_ids)
        with self._lock:
            if not stores:
                self._everything += 1
            for store in stores:
                self._versions[store] = self._versions.get(store, 0) + 1

    def forget(self) -> None:
        """Evaluate every store again at the next cycle (the feed may have missed changes)."""
        with self._lock:
            self._everything += 1

    def versions(self, store_ids: Iterable[int]) -> dict[int, Version]:
        with self._lock:
            return {s: (self._everything, self._versions.get(s, 0)) for s in store_ids}

    def due(self, session: Session, store_ids: Collection[int], now: datetime) -> Due:
        """The stores to evaluate at ``now`` with the versions to record (read before their data)."""
        versions = self.versions(store_ids)
        alerts = open_rule_alerts(session, store_ids)
        due = Due()
        for store, version in versions.items():
            seen = self._seen.get(store)
            if seen is None or seen.version != version or seen.alerts != alerts.get(store):
                due.versions[store] = version
                due.changed.add(store)
            elif now >= seen.valid_until:
                due.versions[store] = version
        return due

    def days(
        self, session: Session, wanted: dict[int, date], versions: dict[int, Version], now: datetime
    ) -> dict[int, StoreDay]:
        """Each store's day model for its local date: from memory when its version is unchanged."""
        found: dict[int, StoreDay] = {}
        missing: dict[int, list[date]] = {}
        for store, day in wanted.items():
            cached = self._days.get(store)
            if cached is not None and cached[0] == day and cached[1] == versions[store]:
                found[store] = cached[2]
            else:
                missing[store] = [day]
        for store, models in store_days_many(session, SYSTEM, missing, now).items():
            found[store] = models[0]
            self._days[store] = (wanted[store], versions[store], models[0])
        return found

    def record(self, session: Session, versions: dict[int, Version], now: datetime) -> Pending:
        """After the evaluation's writes (same transaction): what each evaluated store now holds."""
        alerts = open_rule_alerts(session, versions)
        edges = next_shift_edges(session, versions, now)
        quarter = next_quarter(now)
        pending = Pending()
        for store, version in versions.items():
            until = min(quarter, edges.get(store, quarter))
            pending.seen[store] = _Seen(version, alerts.get(store), until)
        return pending

    def settle(self, pending: Pending) -> None:
        """The evaluation committed: remember it."""
        self._seen.update(pending.seen)


def keep_pictures_fresh(session: Session, store_ids: Collection[int], now: datetime) -> None:
    """The skipped stores' live pictures still hold (nothing they show changed): say so, so a call
    for help reads them instead of modelling the day again."""
    if store_ids:
        session.execute(
            update(LivePictureRow)
            .where(LivePictureRow.store_id.in_(list(store_ids)))
            .values(computed_at=now)
            .execution_options(synchronize_session=False)
        )
