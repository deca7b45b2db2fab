"""Who may do what: every role against every service operation, on SQLite and PostgreSQL.

``MATRIX`` below is the access policy, written out so a reader sees it whole (docs/security.md
has the same table). Each cell is one test: the demo user of that role runs the operation
through the same door the UI uses (``Services``, or the service function where the facade has
none yet) and the outcome must be the cell:

    ok        allowed
    denied    refused with AccessDenied, or NotFound (outside the scope looks like "no such thing")
    own       allowed, sees exactly their own store            (store SH001)
    region    allowed, sees exactly their region's stores      (SH001, SH004: East)
    chain     allowed, sees every store                        (SH001, SZ002, BJ003, SH004)
    self      allowed, but only their own person shows (pressure: its reasons carry check-in scores)
    self+notes  their own check-ins, their private notes included
    scores    everyone's check-in scores in scope; others' private notes hidden, shared ones shown
    all       allowed, with every person of the store (pressure on the Today screen)

"own store" is SH001 for everybody (the supervisor's region holds it; head office sees it),
"region" is SH004 (same region, another store), "other" is SZ002 (another region).

The chain is built once per engine (a 4-store, one-week demo with one order per 15 minutes: the
12-store ``demo_sessions`` chain costs seconds per build and ten seconds per chain-wide what-if,
and this file has hundreds of cells); every cell runs inside a transaction that is rolled back,
so writes do not leak between cells.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.escalation import Acknowledge
from staffing.day import StaffingTargets
from staffing.policy import TierBand, TierPolicy
from storemon.db.engine import make_engine
from storemon.db.migrate import upgrade
from storemon.db.models import CheckIn, Role, SalesBucket, StaffMember, Store, User
from storemon.db.models import TierPolicy as TierPolicyRow
from storemon.importers import ImportFailed
from storemon.services import actions
from storemon.services.access import SYSTEM, AccessDenied, Actor, NotFound, actor_for
from storemon.services.alert_service import act, raise_alert
from storemon.services.api import Services
from storemon.services.checkins import checkins_for
from storemon.services.database import Database
from storemon.services.demo import build_demo
from storemon.services.incidents import IncidentFilter
from storemon.services.schedule import NewShift
from storemon.services.secrets import SecretStore, save_channels
from storemon.services.stores import StoreChanges
from storemon.services.tier_policies import PolicyDraft

ANCHOR = date(2026, 3, 9)  # a Monday; the demo's sales run to Sunday 8 March
PAST_DAY = date(2026, 3, 5)
NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
OWN, NEIGHBOUR, OTHER = "SH001", "SH004", "SZ002"
REGION = {OWN, NEIGHBOUR}
CHAIN = {OWN, NEIGHBOUR, OTHER, "BJ003"}

USERS = {
    "staff": "staff-sh001",
    "shift_lead": "lead-sh001",
    "store_manager": "mgr-sh001",
    "ops_supervisor": "sup-east",
    "service_director": "director",
    "executive": "exec",
    "admin": "admin",
}

# fmt: off
MATRIX = """
operation                   staff       shift_lead  store_mgr   ops_super   director    executive   admin
# reading: stores, sales, staffing
stores                      own         own         own         region      chain       chain       chain
store_summaries             own         own         own         region      chain       chain       chain
sales_for_day(own)          ok          ok          ok          ok          ok          ok          ok
sales_for_day(region)       denied      denied      denied      ok          ok          ok          ok
sales_for_day(other)        denied      denied      denied      denied      ok          ok          ok
store_day(own)              self        all         all         all         all         all         all
store_day(other)            denied      denied      denied      denied      ok          ok          ok
store_days(own)             ok          ok          ok          ok          ok          ok          ok
today_picture(own)          ok          ok          ok          ok          ok          ok          ok
forecast(own)               ok          ok          ok          ok          ok          ok          ok
forecast(other)             denied      denied      denied      denied      ok          ok          ok
region_pressure             self        own         own         region      chain       chain       chain
incidents                   own         own         own         region      chain       chain       chain
week_roster(own)            ok          ok          ok          ok          ok          ok          ok
week_roster(other)          denied      denied      denied      denied      ok          ok          ok
checkins(own)               self+notes  scores      scores      scores      scores      scores      scores
checkins(other)             denied      denied      denied      denied      scores      scores      scores
# the kiosk (check-ins are personal; head-office accounts are nobody's staff record)
kiosk_people(own)           ok          ok          ok          ok          ok          ok          ok
kiosk_check_in              ok          ok          ok          denied      denied      denied      denied
kiosk_my_check_ins          self+notes  self        self        denied      denied      denied      denied
set_staff_pin(colleague)    denied      denied      ok          ok          ok          ok          ok
set_staff_pin(other)        denied      denied      denied      denied      ok          ok          ok
# what-ifs and recommendations
tier_whatif                 denied      denied      own         region      chain       chain       chain
region_tier_whatif          denied      denied      own         region      chain       chain       chain
roster_whatif(own)          denied      ok          ok          ok          ok          ok          ok
roster_whatif(other)        denied      denied      denied      denied      ok          ok          ok
recommend(own)              denied      ok          ok          ok          ok          ok          ok
today_recommendation(own)   denied      ok          ok          ok          ok          ok          ok
advise(own)                 denied      ok          ok          ok          ok          ok          ok
window_drafts(own)          denied      ok          ok          ok          ok          ok          ok
policy_drafts(own)          denied      ok          ok          ok          ok          ok          ok
# alerts and one-click actions
alerts                      own         own         own         region      chain       chain       chain
alert_detail(other)         denied      denied      denied      denied      ok          ok          ok
acknowledge(own)            ok          ok          ok          ok          ok          ok          ok
acknowledge(other)          denied      denied      denied      denied      ok          ok          ok
call_backup(own)            ok          ok          ok          ok          ok          ok          ok
call_backup(other)          denied      denied      denied      denied      ok          ok          ok
call_manager(own)           ok          ok          ok          ok          ok          ok          ok
call_manager(other)         denied      denied      denied      denied      ok          ok          ok
relief_request(own)         ok          ok          ok          ok          ok          ok          ok
relief_request(other)       denied      denied      denied      denied      ok          ok          ok
report_incident(own)        ok          ok          ok          ok          ok          ok          ok
report_incident(other)      denied      denied      denied      denied      ok          ok          ok
add_commitment(own)         ok          ok          ok          ok          ok          ok          ok
add_commitment(other)       denied      denied      denied      denied      ok          ok          ok
# rosters
add_shift(own)              denied      ok          ok          ok          ok          ok          ok
add_shift(other)            denied      denied      denied      denied      ok          ok          ok
# labour cost (a person's own wage: their store manager and above; a role's wage: head office)
day_labour(own)             ok          ok          ok          ok          ok          ok          ok
day_labour(other)           denied      denied      denied      denied      ok          ok          ok
role_wages                  ok          ok          ok          ok          ok          ok          ok
person_wages                denied      denied      own         region      chain       chain       chain
set_person_wage(own)        denied      denied      ok          ok          ok          ok          ok
set_person_wage(other)      denied      denied      denied      denied      ok          ok          ok
set_role_wage               denied      denied      denied      denied      ok          ok          ok
add_shifts(own)             denied      ok          ok          ok          ok          ok          ok
# store settings (head office; a region's supervisor: hours, service time, chores, patience of their stores)
store_settings              own         own         own         region      chain       chain       chain
edit_store_hours(own)       denied      denied      denied      ok          ok          ok          ok
edit_store_hours(other)     denied      denied      denied      denied      ok          ok          ok
edit_store_zone(own)        denied      denied      denied      denied      ok          ok          ok
# chain settings (head office)
save_staffing_targets       denied      denied      denied      denied      ok          ok          ok
save_thresholds             denied      denied      denied      denied      ok          ok          ok
save_tier_policy            denied      denied      denied      denied      ok          ok          ok
assign_tier_policy          denied      denied      denied      denied      ok          ok          ok
save_escalation_policy      denied      denied      denied      denied      ok          ok          ok
save_surge_calendar         denied      denied      denied      denied      ok          ok          ok
save_forecast_planning      denied      denied      denied      denied      ok          ok          ok
save_surges                 denied      denied      denied      denied      ok          ok          ok
save_authority_limits       denied      denied      denied      denied      ok          ok          ok
save_playbooks              denied      denied      denied      denied      ok          ok          ok
save_support_resources      denied      denied      denied      denied      ok          ok          ok
save_channels               denied      denied      denied      denied      ok          ok          ok
save_database_url           denied      denied      denied      denied      ok          ok          ok
# imports (store manager and above, only into stores they see; new stores: head office)
import_sales(own)           denied      denied      ok          ok          ok          ok          ok
import_roster(own)          denied      denied      ok          ok          ok          ok          ok
import_staff(own)           denied      denied      ok          ok          ok          ok          ok
import_sales(other)         denied      denied      denied      denied      ok          ok          ok
import_sales(new_store)     denied      denied      denied      denied      ok          ok          ok
"""
# fmt: on


def _parse(table: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    lines = [line.split() for line in table.strip().splitlines() if line.strip() and not line.startswith("#")]
    header, rows = lines[0], lines[1:]
    assert all(len(r) == len(header) for r in rows), "every row of MATRIX needs a cell per role"
    roles = list(USERS)
    return [r[0] for r in rows], {r[0]: dict(zip(roles, r[1:], strict=True)) for r in rows}


OPERATIONS, EXPECTED = _parse(MATRIX)


# ------------------------------------------------------------------------------------ the chain


@dataclass
class Chain:
    engine: Any
    store_ids: dict[str, int]
    alert_ids: dict[str, int]
    own_staff: dict[str, str]
    """username -> their staff member's code."""
    candidate_policy_id: int


PRIVATE_OWN = "my own private note: back pain"
PRIVATE_OTHER = "colleague's private note: trouble at home"
SHARED_OTHER = "colleague's shared note: need a second person at lunch"


def _savepoint_sqlite(engine) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself."""

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


def _seed(session: Session) -> tuple[dict[str, int], dict[str, int], dict[str, str], int]:
    build_demo(session, stores=4, weeks=1, seed=11, anchor=ANCHOR)
    # One order per 15 minutes: the queueing model then takes milliseconds per store-day instead of
    # a third of a second, and who may see what does not depend on how busy a store is.
    session.execute(update(SalesBucket).values(orders=1, items=1))
    session.flush()
    stores = {s.code: s.id for s in session.scalars(select(Store))}
    assert set(stores) == CHAIN
    users = {u.username: u for u in session.scalars(select(User))}
    assert set(USERS.values()) <= set(users), "the 4-store demo has every role at SH001"
    own_staff = {
        u.username: session.get(StaffMember, u.staff_member_id).code
        for u in users.values()
        if u.staff_member_id is not None
    }
    # An alert and an incident at every store, so lists show exactly the scope.
    alert_ids = {}
    for code, store_id in stores.items():
        alert = raise_alert(
            session,
            rule="matrix",
            store_id=store_id,
            dedup_key=f"matrix:{code}",
            title=f"Queue at {code}",
            now=NOW,
        )
        alert_ids[code] = alert.id
        actions.report_incident(
            session, SYSTEM, code, incident_type="slow_order", customer_type="irritable", triggers=[],
            description="seed", now=NOW - timedelta(days=2),
        )  # fmt: skip
    # Check-ins with notes at SH001: the staff user's own, and a colleague's (one private, one shared).
    me = users["staff-sh001"].staff_member_id
    with_accounts = {u.staff_member_id for u in users.values() if u.staff_member_id is not None}
    colleague = session.scalars(
        select(StaffMember.id).where(
            StaffMember.home_store_id == stores[OWN], StaffMember.id.not_in(with_accounts)
        )
    ).first()
    for staff_id, note, shared in (
        (me, PRIVATE_OWN, False),
        (colleague, PRIVATE_OTHER, False),
        (colleague, SHARED_OTHER, True),
    ):
        session.add(
            CheckIn(
                staff_id=staff_id, store_id=stores[OWN], score=4, note=note, note_shared=shared,
                created_at=NOW - timedelta(days=1),
            )
        )  # fmt: skip
    candidate = session.scalars(select(TierPolicyRow.id).where(TierPolicyRow.name.like("Closed%"))).one()
    return stores, alert_ids, own_staff, candidate


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def chain(request, tmp_path_factory) -> Iterator[Chain]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'matrix.sqlite3'}"
    else:
        from tests.conftest import _fresh_pg_database

        url = _fresh_pg_database(request.getfixturevalue("pg_server"))
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        _savepoint_sqlite(engine)
        upgrade(engine)
    with Session(engine) as session:
        seeded = _seed(session)
        session.commit()
    yield Chain(engine, *seeded)
    engine.dispose()


@pytest.fixture(autouse=True)
def cheap_pin_hashing(monkeypatch):
    """PINs are argon2id hashes; their cost is not what this file is about."""
    from argon2 import PasswordHasher

    from storemon.services import pins

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(pins, "_hasher", lambda: cheap)


@dataclass
class Cell:
    """What one cell's operation gets: the facade over a rolled-back transaction, and the actor."""

    services: Services
    sessions: sessionmaker
    actor: Actor
    chain: Chain
    tmp: Path

    def store(self, code: str) -> int:
        return self.chain.store_ids[code]


@pytest.fixture
def cell_for(chain, tmp_path) -> Iterator[Callable[[str], Cell]]:
    connection = chain.engine.connect()
    outer = connection.begin()
    sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    services = Services(Database(chain.engine, sessions, None))

    def make(username: str) -> Cell:
        with sessions() as session:
            actor = actor_for(session, username)
        return Cell(services, sessions, actor, chain, tmp_path)

    yield make
    outer.rollback()
    connection.close()


# ------------------------------------------------------------------------------------ outcomes


def _scope(codes: set[str], own: str = OWN) -> str:
    if codes == {own}:
        return "own"
    if codes == REGION:
        return "region"
    if codes == CHAIN:
        return "chain"
    return f"stores {sorted(codes)}"


def _people(c: Cell, codes: set[str], by_store: set[str]) -> str:
    """ "self" when only the actor's own person shows up, else the store scope."""
    mine = c.chain.own_staff.get(c.actor.username)
    if codes and codes <= {mine}:
        return "self"
    return _scope(by_store)


def _checkins(c: Cell, store: str) -> str:
    with c.sessions() as session:
        rows = checkins_for(session, c.actor, store)
    notes = {r.note for r in rows}
    if PRIVATE_OTHER in notes:
        return "private notes leak"
    if rows and all(r.own for r in rows):
        return "self+notes" if PRIVATE_OWN in notes else "self"
    others = [r for r in rows if not r.own]
    if others and all(r.note is None or r.note_shared for r in others):
        return "scores"
    return f"unexpected {len(rows)} rows"


GAP_POLICY = TierPolicy.of("All in the gap", [TierBand(10**9, None, 1)])
"""Every store falls in its gap, so the what-if models only the current roster (half the work)."""


def _csv(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def _import(c: Cell, kind: str, path: Path, **options) -> str:
    try:
        c.services.imports.import_file(c.actor, kind, path, **options)
    except ImportFailed as exc:
        if any("scope" in p.message or "head office" in p.message for p in exc.problems):
            raise AccessDenied(str(exc)) from exc
        raise
    return "ok"


def _sales_file(c: Cell, store_code: str) -> Path:
    rows = [[f"M{n}", "2026-03-09", f"09:{n:02d}:00", store_code, "1", "28.00"] for n in range(5)]
    return _csv(
        c.tmp / f"sales-{store_code}.csv",
        ["Receipt No", "Date", "Time", "Store ID", "Qty", "Unit Price"],
        rows,
    )


def _own_person(c: Cell) -> StaffMember:
    with c.sessions() as session:
        return session.scalars(
            select(StaffMember).where(StaffMember.home_store_id == c.store(OWN)).order_by(StaffMember.code)
        ).first()


def _colleague(c: Cell) -> StaffMember:
    """Someone at the actor's own store who is not the actor (and has no account)."""
    with c.sessions() as session:
        accounts = set(session.scalars(select(User.staff_member_id).where(User.staff_member_id.is_not(None))))
        return session.scalars(
            select(StaffMember)
            .where(StaffMember.home_store_id == c.store(OWN), StaffMember.id.not_in(accounts))
            .order_by(StaffMember.code)
        ).first()


def _own_checkins(c: Cell) -> str:
    rows = c.services.kiosk.my_check_ins(c.actor, NOW - timedelta(days=30))
    with c.sessions() as session:
        mine = session.scalar(select(User.staff_member_id).where(User.username == c.actor.username))
        codes = {session.get(StaffMember, mine).code} if mine else set()
    assert all(r.store_code for r in rows) and codes
    return "self+notes" if PRIVATE_OWN in {r.note for r in rows} else "self"


def _other_person(c: Cell) -> StaffMember:
    with c.sessions() as session:
        return session.scalars(
            select(StaffMember).where(StaffMember.home_store_id == c.store(OTHER)).order_by(StaffMember.code)
        ).first()


def _shift(c: Cell, store: str, person: StaffMember) -> str:
    start = datetime(2026, 4, 1, 9, 0)  # after the demo roster ends: no overlap
    c.services.schedule.add_shift(c.actor, store, person.id, start, start + timedelta(hours=6))
    return "ok"


def _shifts(c: Cell, store: str, person: StaffMember) -> str:
    start = datetime(2026, 4, 2, 9, 0)  # after the demo roster ends, and after NOW
    c.services.schedule.add_shifts(
        c.actor, store, [NewShift(person.id, start, start + timedelta(hours=4))], NOW
    )
    return "ok"


def _incident(c: Cell, store: str) -> str:
    with c.sessions.begin() as session:
        actions.report_incident(
            session, c.actor, store, incident_type="queue_dispute", customer_type="repetitive", triggers=[],
            description="matrix", now=NOW,
        )  # fmt: skip
    return "ok"


def _commitment(c: Cell, store: str) -> str:
    with c.sessions.begin() as session:
        actions.add_commitment(session, c.actor, store, "call back", NOW + timedelta(hours=2), NOW)
    return "ok"


def _ack(c: Cell, store: str) -> str:
    with c.sessions.begin() as session:
        act(session, c.actor, c.chain.alert_ids[store], Acknowledge(by=c.actor.username), NOW)
    return "ok"


def _ok(_result: object) -> str:
    return "ok"


OPS: dict[str, Callable[[Cell], str]] = {
    "stores": lambda c: _scope({s.code for s in c.services.stores.list(c.actor)}),
    "store_summaries": lambda c: _scope({s.code for s in c.services.stores.summaries(c.actor)}),
    "sales_for_day(own)": lambda c: _ok(c.services.stores.sales_for_day(c.actor, OWN, PAST_DAY)),
    "sales_for_day(region)": lambda c: _ok(c.services.stores.sales_for_day(c.actor, NEIGHBOUR, PAST_DAY)),
    "sales_for_day(other)": lambda c: _ok(c.services.stores.sales_for_day(c.actor, OTHER, PAST_DAY)),
    "store_day(other)": lambda c: _ok(c.services.staffing.store_day(c.actor, OTHER, PAST_DAY, NOW)),
    "store_days(own)": lambda c: _ok(c.services.staffing.store_days(c.actor, OWN, [PAST_DAY, ANCHOR], NOW)),
    "today_picture(own)": lambda c: _ok(c.services.staffing.today_picture(c.actor, OWN, ANCHOR, NOW)),
    "forecast(own)": lambda c: _ok(c.services.staffing.forecast(c.actor, OWN, ANCHOR, ANCHOR, now=NOW)),
    "forecast(other)": lambda c: _ok(c.services.staffing.forecast(c.actor, OTHER, ANCHOR, ANCHOR, now=NOW)),
    "store_day(own)": lambda c: (
        "all"
        if len({p.staff_code for p in c.services.staffing.store_day(c.actor, OWN, PAST_DAY, NOW).pressure})
        > 1
        else "self"
    ),
    "region_pressure": lambda c: (
        lambda rows: _people(c, {r.staff_code for r in rows}, {r.store_code for r in rows})
    )(c.services.region.pressure(c.actor, None, PAST_DAY, PAST_DAY)),
    "incidents": lambda c: _scope(
        {r.store_code for r in c.services.incidents.list(c.actor, IncidentFilter()).rows}
    ),
    "week_roster(own)": lambda c: _ok(c.services.schedule.week_roster(c.actor, OWN, PAST_DAY, 1)),
    "week_roster(other)": lambda c: _ok(c.services.schedule.week_roster(c.actor, OTHER, PAST_DAY, 1)),
    "checkins(own)": lambda c: _checkins(c, OWN),
    "checkins(other)": lambda c: _checkins(c, OTHER),
    "kiosk_people(own)": lambda c: _ok(c.services.kiosk.people(c.actor, c.store(OWN), NOW)),
    "kiosk_check_in": lambda c: _ok(c.services.kiosk.check_in(c.actor, 4, "long day", False, NOW)),
    "kiosk_my_check_ins": _own_checkins,
    "set_staff_pin(colleague)": lambda c: _ok(
        c.services.kiosk.set_staff_pin(c.actor, _colleague(c).id, "2468", NOW)
    ),
    "set_staff_pin(other)": lambda c: _ok(
        c.services.kiosk.set_staff_pin(c.actor, _other_person(c).id, "2468", NOW)
    ),
    "tier_whatif": lambda c: _scope({r.code for r in c.services.staffing.tier_whatif(c.actor, GAP_POLICY)}),
    "region_tier_whatif": lambda c: _scope(
        {r.code for r in c.services.region.tier_whatif(c.actor, GAP_POLICY).rows}
    ),
    "roster_whatif(own)": lambda c: _ok(
        c.services.region.roster_whatif(c.actor, c.store(OWN), 11 * 60, 14 * 60)
    ),
    "roster_whatif(other)": lambda c: _ok(
        c.services.region.roster_whatif(c.actor, c.store(OTHER), 11 * 60, 14 * 60)
    ),
    "recommend(own)": lambda c: _ok(c.services.staffing.recommend(c.actor, OWN, date(2026, 3, 8))),
    "today_recommendation(own)": lambda c: _ok(
        c.services.staffing.recommend(c.actor, OWN, date(2026, 3, 8), NOW)
    ),
    "advise(own)": lambda c: _ok(c.services.staffing.advise(c.actor, OWN, date(2026, 3, 8), NOW)),
    "window_drafts(own)": lambda c: _ok(
        c.services.staffing.window_drafts(c.actor, c.store(OWN), 11 * 60, 14 * 60, NOW)
    ),
    "policy_drafts(own)": lambda c: _ok(c.services.staffing.policy_drafts(c.actor, c.store(OWN), 2, NOW)),
    "alerts": lambda c: _scope({a.store_code for a in c.services.alerts.list(c.actor, status=None)}),
    "alert_detail(other)": lambda c: _ok(c.services.alerts.detail(c.actor, c.chain.alert_ids[OTHER])),
    "acknowledge(own)": lambda c: _ack(c, OWN),
    "acknowledge(other)": lambda c: _ack(c, OTHER),
    "call_backup(own)": lambda c: _ok(c.services.calls.call_backup(c.actor, c.store(OWN), NOW)),
    "call_backup(other)": lambda c: _ok(c.services.calls.call_backup(c.actor, c.store(OTHER), NOW)),
    "call_manager(own)": lambda c: _ok(c.services.calls.call_manager(c.actor, c.store(OWN), NOW)),
    "call_manager(other)": lambda c: _ok(c.services.calls.call_manager(c.actor, c.store(OTHER), NOW)),
    "relief_request(own)": lambda c: _ok(
        c.services.calls.relief_request(c.actor, c.store(OWN), "alone, long queue", NOW)
    ),
    "relief_request(other)": lambda c: _ok(
        c.services.calls.relief_request(c.actor, c.store(OTHER), "alone, long queue", NOW)
    ),
    "report_incident(own)": lambda c: _incident(c, OWN),
    "report_incident(other)": lambda c: _incident(c, OTHER),
    "add_commitment(own)": lambda c: _commitment(c, OWN),
    "add_commitment(other)": lambda c: _commitment(c, OTHER),
    "add_shift(own)": lambda c: _shift(c, OWN, _own_person(c)),
    "add_shift(other)": lambda c: _shift(c, OTHER, _other_person(c)),
    "day_labour(own)": lambda c: _ok(c.services.labour.day_labour(c.actor, OWN, PAST_DAY, NOW)),
    "day_labour(other)": lambda c: _ok(c.services.labour.day_labour(c.actor, OTHER, PAST_DAY, NOW)),
    "role_wages": lambda c: _ok(c.services.labour.role_wages(c.actor)),
    "person_wages": lambda c: _scope({p.store for p in c.services.labour.person_wages(c.actor)}),
    "set_person_wage(own)": lambda c: _ok(
        c.services.labour.set_person_wage(c.actor, _own_person(c).code, "35")
    ),
    "set_person_wage(other)": lambda c: _ok(
        c.services.labour.set_person_wage(c.actor, _other_person(c).code, "35")
    ),
    "set_role_wage": lambda c: _ok(c.services.labour.set_role_wage(c.actor, "staff", "33")),
    "add_shifts(own)": lambda c: _shifts(c, OWN, _own_person(c)),
    "store_settings": lambda c: _scope({s.code for s in c.services.stores.settings_list(c.actor)}),
    "edit_store_hours(own)": lambda c: _ok(
        c.services.stores.edit(c.actor, OWN, StoreChanges(hours={5: (time(8), time(18))}), NOW)
    ),
    "edit_store_hours(other)": lambda c: _ok(
        c.services.stores.edit(c.actor, OTHER, StoreChanges(patience_minutes=5.0), NOW)
    ),
    "edit_store_zone(own)": lambda c: _ok(
        c.services.stores.edit(c.actor, OWN, StoreChanges(timezone="Asia/Urumqi"), NOW)
    ),
    "save_staffing_targets": lambda c: _ok(
        c.services.settings.save_staffing_targets(c.actor, StaffingTargets())
    ),
    "save_thresholds": lambda c: _ok(
        c.services.policies.save_thresholds(c.actor, StaffingTargets(), 40.0, 70.0)
    ),
    "save_tier_policy": lambda c: _ok(
        c.services.policies.save_tier_policy(
            c.actor,
            PolicyDraft(None, "Matrix policy", "", (TierBand(None, 5000, 1), TierBand(5000, None, 2))),
            accept_issues=True,
        )
    ),
    "assign_tier_policy": lambda c: _ok(
        c.services.policies.assign_tier_policy(c.actor, c.chain.candidate_policy_id, [c.store(OWN)])
    ),
    "save_escalation_policy": lambda c: _ok(
        c.services.policies.save_escalation_policy(c.actor, c.services.policies.escalation_policy())
    ),
    "save_forecast_planning": lambda c: _ok(
        c.services.policies.save_forecast_planning(c.actor, c.services.policies.forecast_planning())
    ),
    "save_surges": lambda c: _ok(
        c.services.policies.save_surges(c.actor, c.services.policies.surge_calendar(), frozenset())
    ),
    "save_surge_calendar": lambda c: _ok(
        c.services.policies.save_surge_calendar(c.actor, c.services.policies.surge_calendar())
    ),
    "save_authority_limits": lambda c: _ok(
        c.services.policies.save_authority_limits(c.actor, c.services.policies.authority_limits())
    ),
    "save_playbooks": lambda c: _ok(
        c.services.policies.save_playbooks(c.actor, c.services.policies.playbooks())
    ),
    "save_support_resources": lambda c: _ok(
        c.services.policies.save_support_resources(c.actor, c.services.policies.support_resources())
    ),
    "save_channels": lambda c: _ok(_save_channels(c)),
    "save_database_url": lambda c: _ok(c.services.settings.save_database_url(c.actor, None)),
    "import_sales(own)": lambda c: _import(c, "sales", _sales_file(c, OWN)),
    "import_roster(own)": lambda c: _import(
        c,
        "roster",
        _csv(
            c.tmp / "roster.csv",
            ["工号", "门店编号", "日期", "上班时间", "下班时间"],
            [[_own_person(c).code, OWN, "2026-04-02", "09:00", "15:00"]],
        ),
    ),
    "import_staff(own)": lambda c: _import(
        c, "staff", _csv(c.tmp / "staff.csv", ["code", "name", "store id"], [["SH001-99", "新同事", OWN]])
    ),
    "import_sales(other)": lambda c: _import(c, "sales", _sales_file(c, OTHER)),
    "import_sales(new_store)": lambda c: _import(c, "sales", _sales_file(c, "NEW01"), create_stores=True),
}


def _save_channels(c: Cell) -> object:
    with c.sessions.begin() as session:
        return save_channels(
            session,
            c.actor,
            [{"name": "ops-hook", "type": "webhook", "settings": {"url": "https://hooks.example/T0KEN"}}],
            NOW,
            store=SecretStore(c.tmp / "secrets.json", backend=None),
        )


def test_every_operation_of_the_matrix_has_a_runner_and_every_runner_a_row():
    assert set(OPS) == set(OPERATIONS)


@pytest.mark.parametrize("role", list(USERS))
@pytest.mark.parametrize("operation", OPERATIONS)
def test_role_matrix(cell_for, operation, role):
    cell = cell_for(USERS[role])
    assert cell.actor.role == Role(role)
    try:
        outcome = OPS[operation](cell)
    except (AccessDenied, NotFound):
        outcome = "denied"
    assert outcome == EXPECTED[operation][role], f"{USERS[role]} ({role}): {operation}"
