"""The outbox store on SQLite and PostgreSQL: free claims, counted sends, renewed leases, and
pages that die with the acknowledgement (the guarantees alerts/outbox.py documents)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from alerts.message import Message
from alerts.outbox import CANCELLED, DELIVERED, LOST, PENDING, SENDING
from storemon.db.models import Alert, Notification
from storemon.db.outbox import SqlOutboxStore, cancel_pages

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def _alert(session, status: str = "open") -> int:
    alert = Alert(
        rule="relief_request",
        store_id=None,
        dedup_key=f"test-{status}",
        status=status,
        severity="critical",
        title="Relief requested",
        details={},
        level=1,
        policy_snapshot={},
        state={},
        fired_at=T0,
        updated_at=T0,
    )
    session.add(alert)
    session.flush()
    return alert.id


def _row(session, key: str, alert_id: int | None, kind: str = "page", channel: str = "webhook") -> int:
    message = Message(
        idempotency_key=key,
        title="Relief requested",
        body="",
        severity="critical",
        alert_id=alert_id,
        store="SH001",
        level=1,
        kind=kind,
        created_at=T0,
    )
    row = Notification(
        alert_id=alert_id,
        channel=channel,
        recipient=channel,
        payload=message.to_dict(),
        idempotency_key=key,
        status=PENDING,
        attempts=0,
        next_attempt_at=T0,
        created_at=T0,
    )
    session.add(row)
    session.flush()
    return row.id


def _status(session_factory, row_id: int) -> tuple[str, int, str | None]:
    with session_factory() as session:
        row = session.get(Notification, row_id)
        return row.status, row.attempts, row.lease_owner


def test_a_claim_is_free_and_a_started_send_counts_and_renews_the_lease(session_factory):
    with session_factory.begin() as session:
        row_id = _row(session, "k1", None)
    store = SqlOutboxStore(session_factory)

    (claimed,) = store.claim_due(T0, 10, "worker-a", LEASE)
    assert claimed.attempts == 0 and _status(session_factory, row_id) == (PENDING, 0, "worker-a")
    later = T0 + timedelta(seconds=50)
    assert store.begin_send(row_id, "worker-a", later, LEASE) == SENDING
    assert _status(session_factory, row_id) == (PENDING, 1, "worker-a")
    # Past the first claim's lease but inside the renewed one: another worker gets nothing.
    assert store.claim_due(T0 + timedelta(seconds=70), 10, "worker-b", LEASE) == []
    assert store.begin_send(row_id, "worker-b", T0 + timedelta(seconds=70), LEASE) == LOST


def test_released_claims_cost_nothing_and_are_claimable_at_once(session_factory):
    with session_factory.begin() as session:
        ids = [_row(session, f"k{n}", None) for n in range(3)]
    store = SqlOutboxStore(session_factory)
    assert [r.id for r in store.claim_due(T0, 10, "worker-a", LEASE)] == ids
    store.release(ids[1:], "worker-a")
    assert [r.id for r in store.claim_due(T0, 10, "worker-b", LEASE)] == ids[1:]
    assert [_status(session_factory, i)[1] for i in ids] == [0, 0, 0]


def test_claims_can_be_limited_to_the_channels_a_worker_serves(session_factory):
    with session_factory.begin() as session:
        hook = _row(session, "hook", None, channel="webhook")
        mail = _row(session, "mail", None, channel="email")
    store = SqlOutboxStore(session_factory)
    assert [r.id for r in store.claim_due(T0, 10, "w", LEASE, channels=["email"])] == [mail]
    assert store.unserved_channels(T0 + timedelta(minutes=6), served=["email"]) == {"webhook": 1}
    assert store.unserved_channels(T0 + timedelta(minutes=6), served=["email", "webhook"]) == {}
    assert _status(session_factory, hook) == (PENDING, 0, None)


def test_a_page_of_an_alert_answered_after_the_claim_is_cancelled_not_sent(session_factory):
    with session_factory.begin() as session:
        alert_id = _alert(session)
        page = _row(session, "page", alert_id)
        resolved_note = _row(session, "note", alert_id, kind="resolved")
    store = SqlOutboxStore(session_factory)
    claimed = store.claim_due(T0, 10, "w", LEASE)
    assert {r.id for r in claimed} == {page, resolved_note}

    with session_factory.begin() as session:
        session.get(Alert, alert_id).status = "acknowledged"

    assert store.begin_send(page, "w", T0, LEASE) == CANCELLED
    assert store.begin_send(resolved_note, "w", T0, LEASE) == SENDING  # only pages die with the answer
    assert _status(session_factory, page) == (CANCELLED, 0, None)


def test_cancel_pages_in_the_answering_transaction_keeps_the_rows_for_the_record(session_factory):
    with session_factory.begin() as session:
        alert_id = _alert(session)
        pages = [_row(session, f"p{n}", alert_id) for n in range(2)]
        _row(session, "other-alert", None)
    with session_factory.begin() as session:
        assert cancel_pages(session, alert_id, T0) == 2
    store = SqlOutboxStore(session_factory)
    assert [r.idempotency_key for r in [c.message for c in store.claim_due(T0, 10, "w", LEASE)]] == [
        "other-alert"
    ]
    with session_factory() as session:
        statuses = session.scalars(select(Notification.status).where(Notification.id.in_(pages))).all()
    assert statuses == [CANCELLED, CANCELLED]


def test_a_send_under_way_when_its_page_was_cancelled_is_recorded_as_delivered(session_factory):
    with session_factory.begin() as session:
        alert_id = _alert(session)
        page = _row(session, "page", alert_id)
    store = SqlOutboxStore(session_factory)
    store.claim_due(T0, 10, "w", LEASE)
    assert store.begin_send(page, "w", T0, LEASE) == SENDING
    with session_factory.begin() as session:
        cancel_pages(session, alert_id, T0)
    store.mark_delivered(page, "w", T0 + timedelta(seconds=1))
    assert _status(session_factory, page)[0] == DELIVERED  # it did go out: the record says so
