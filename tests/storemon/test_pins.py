"""Kiosk PINs: argon2id hashes, 4-6 digits, and a lockout shared by every PC through the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from storemon.db.models import Lockout, Role, StaffMember, Store, User
from storemon.services import kiosk, pins
from storemon.services.access import SYSTEM, AccessDenied, actor_for

T0 = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)


def _staff_with_login(session, store: Store, code: str, name: str, role: Role, username: str) -> StaffMember:
    """A person on the roster and the kiosk user who signs in as them."""
    person = StaffMember(code=code, name=name, home_store_id=store.id, role=role)
    session.add(person)
    session.flush()
    session.add(
        User(username=username, display_name=name, role=role, store_id=store.id, staff_member_id=person.id)
    )
    return person


@pytest.fixture
def staff_id(session_factory) -> int:
    with session_factory.begin() as session:
        store = Store(code="K001", name="Kiosk store", timezone="Asia/Shanghai")
        session.add(store)
        session.flush()
        person = _staff_with_login(session, store, "K001-01", "Li Na", Role.STAFF, "li")
        _staff_with_login(session, store, "K001-02", "Wang Fang", Role.STORE_MANAGER, "wang")
        return person.id


def test_a_pin_is_stored_as_an_argon2id_hash_never_in_clear(session_factory, staff_id):
    with session_factory.begin() as session:
        pins.set_pin(session, staff_id, "4821")
    with session_factory() as session:
        stored = session.get(StaffMember, staff_id).pin_hash
    assert stored.startswith("$argon2id$") and "4821" not in stored
    assert pins.hash_pin("4821") != pins.hash_pin("4821"), "salted"


@pytest.mark.parametrize("pin", ["123", "1234567", "12a4", "", " 1234", "١٢٣٤"])
def test_a_pin_has_four_to_six_plain_digits(pin):
    with pytest.raises(pins.PinError, match="4 to 6 digits"):
        pins.hash_pin(pin)


def test_five_wrong_pins_lock_for_five_minutes_on_every_pc(session_factory, staff_id):
    with session_factory.begin() as session:
        pins.set_pin(session, staff_id, "4821")
    remaining = []
    for k in range(4):
        with session_factory.begin() as session:
            result = pins.verify_pin(session, staff_id, "0000", T0 + timedelta(seconds=k))
        assert not result.ok and result.reason == pins.WRONG
        remaining.append(result.remaining_tries)
    assert remaining == [4, 3, 2, 1]
    with session_factory.begin() as session:
        locked = pins.verify_pin(session, staff_id, "0000", T0 + timedelta(seconds=5))
    assert locked.reason == pins.LOCKED and locked.locked_until == T0 + timedelta(seconds=5, minutes=5)
    # The state is in the shared lockouts table, so another PC (a new session) sees the lockout,
    # and even the right PIN is not accepted during it.
    with session_factory.begin() as session:
        value = session.get(Lockout, ("pin", str(staff_id)))
        assert value.failures == 5
        during = pins.verify_pin(session, staff_id, "4821", T0 + timedelta(minutes=4))
    assert not during.ok and during.reason == pins.LOCKED
    with session_factory.begin() as session:
        after = pins.verify_pin(session, staff_id, "4821", locked.locked_until)
    assert after.ok and after.remaining_tries == pins.MAX_FAILURES
    with session_factory() as session:
        assert session.get(Lockout, ("pin", str(staff_id))) is None, "a right PIN clears the count"


def test_a_new_pin_lifts_a_lockout(session_factory, staff_id):
    with session_factory.begin() as session:
        pins.set_pin(session, staff_id, "4821")
        for k in range(5):
            pins.verify_pin(session, staff_id, "1111", T0 + timedelta(seconds=k))
        assert pins.lockout_state(session, staff_id, T0 + timedelta(minutes=1)).locked_until is not None
        pins.set_pin(session, staff_id, "7302")
        assert pins.verify_pin(session, staff_id, "7302", T0 + timedelta(minutes=1)).ok


def test_no_pin_yet_is_not_a_wrong_pin(session_factory, staff_id):
    with session_factory.begin() as session:
        result = pins.verify_pin(session, staff_id, "1234", T0)
    assert result.reason == pins.NO_PIN and result.remaining_tries == pins.MAX_FAILURES


def test_kiosk_sign_in_gives_the_linked_users_actor_and_the_terminal_acts_as_nobody(
    session_factory, staff_id
):
    with session_factory.begin() as session:
        pins.set_pin(session, staff_id, "4821")
        terminal = kiosk.terminal(session, SYSTEM, "K001")
        assert terminal.actor.username == "kiosk:K001"
        names = [p.name for p in kiosk.people(session, terminal.actor, terminal.store.id, T0)]
        assert names == ["Li Na", "Wang Fang"]
        with pytest.raises(AccessDenied):
            kiosk.profile(session, terminal.actor)
        wrong = kiosk.sign_in(session, terminal.actor, terminal.store.id, staff_id, "1111", T0)
        assert wrong.actor is None and wrong.result.remaining_tries == 4
        signed = kiosk.sign_in(session, terminal.actor, terminal.store.id, staff_id, "4821", T0)
    assert signed.actor is not None and signed.actor.username == "li" and signed.actor.role == Role.STAFF


def test_only_managers_set_other_peoples_pins(session_factory, staff_id):
    with session_factory.begin() as session:
        boss_id = session.scalars(select(User.staff_member_id).where(User.username == "wang")).one()
        with pytest.raises(AccessDenied):
            kiosk.set_staff_pin(session, actor_for(session, "li"), boss_id, "1234", T0)
        kiosk.set_staff_pin(session, actor_for(session, "li"), staff_id, "2468", T0)
        kiosk.set_staff_pin(session, actor_for(session, "wang"), staff_id, "1357", T0)
        assert pins.verify_pin(session, staff_id, "1357", T0).ok


def test_a_compensation_approval_is_a_one_time_grant_kept_by_the_service(session_factory, staff_id):
    with session_factory.begin() as session:
        boss_id = session.scalars(select(User.staff_member_id).where(User.username == "wang")).one()
        pins.set_pin(session, boss_id, "1357")
        li = actor_for(session, "li")
        wrong, none = kiosk.check_approver(session, li, boss_id, "0000", Decimal("150"), T0)
        assert not wrong.ok and none is None
        ok, token = kiosk.check_approver(session, li, boss_id, "1357", Decimal("150"), T0)
        assert ok.ok and token
    incident = {
        "incident_type": "refund_demand",
        "customer_type": "opportunistic",
        "triggers": [],
        "description": "",
        "now": T0 + timedelta(minutes=1),
    }
    with session_factory.begin() as session, pytest.raises(kiosk.KioskError, match="approval"):
        kiosk.record_incident(
            session, li, compensation=Decimal("150"), approval_token="forged-by-a-client", **incident
        )
    with session_factory.begin() as session, pytest.raises(kiosk.KioskError, match="approval"):
        kiosk.record_incident(session, li, compensation=Decimal("300"), approval_token=token, **incident)
    with session_factory.begin() as session:
        receipt = kiosk.record_incident(
            session, li, compensation=Decimal("150"), approval_token=token, **incident
        )
    assert receipt.approved_by == "wang" and receipt.approval_alert_id is None
    with session_factory.begin() as session, pytest.raises(kiosk.KioskError, match="approval"):
        kiosk.record_incident(session, li, compensation=Decimal("150"), approval_token=token, **incident)
