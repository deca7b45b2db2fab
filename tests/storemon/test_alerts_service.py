"""Alerts wired to the database: escalation with people, one-click actions, commitments, rules,
restarts and failing channels, on SQLite and PostgreSQL. The clock is injected; nothing sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from alerts.escalation import Acknowledge, Comment, Resolve
from alerts.kinds import RenderedAlert, render_stored
from storemon.db.models import Alert, AuditEntry, CoverOffer, EscalationStep, Notification, Setting
from storemon.services.access import SYSTEM, NotFound, actor_for
from storemon.services.actions import (
    ActionRefused,
    accept_cover,
    add_commitment,
    call_backup,
    call_manager,
    commitment_done,
    process_commitments,
    relief_request,
    report_incident,
)
from storemon.services.alert_service import (
    act,
    alert_detail,
    list_alerts,
    process_due,
    raise_alert,
    unread_count,
)
from storemon.services.rules import evaluate
from tests.alerts.servers import HttpServer, Reply


def _english(alert) -> RenderedAlert:
    """The alert as an English reader sees it (its fields and reasons, rendered from its parameters)."""
    return render_stored(alert.rule, alert.details, alert.title, "en")


T0 = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _store_id(session, code="SH001") -> int:
    from storemon.db.models import Store

    return session.scalars(select(Store.id).where(Store.code == code)).one()


def _inbox(session, username: str) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification).where(Notification.username == username).order_by(Notification.id)
        )
    )


def test_an_unacknowledged_alert_walks_up_the_chain_and_pages_real_people(demo_sessions):
    with demo_sessions.begin() as session:
        store = _store_id(session)
        alert = raise_alert(session, rule="test", store_id=store, dedup_key="t:1", title="Queue", now=T0)
        alert_id = alert.id
        assert [
            n.kind for n in session.scalars(select(EscalationStep).where(EscalationStep.alert_id == alert_id))
        ] == ["fired"]
        assert _inbox(session, "staff-sh001"), "level 1 pages the store's frontline staff"
        assert not _inbox(session, "mgr-sh001")
    with demo_sessions.begin() as session:
        assert process_due(session, T0 + timedelta(minutes=1)) == 0, "not due yet"
        assert process_due(session, T0 + timedelta(minutes=2)) == 1
        assert session.get(Alert, alert_id).level == 2
        assert [n.payload["kind"] for n in _inbox(session, "mgr-sh001")] == ["page"]
        informed = [n.payload["kind"] for n in _inbox(session, "staff-sh001")]
        assert informed == ["page", "inform"], "level 1 stays informed"
    with demo_sessions.begin() as session:
        sup = actor_for(session, "sup-east")
        process_due(session, T0 + timedelta(minutes=7))  # level 2 timed out after 5 more minutes
        assert session.get(Alert, alert_id).level == 3
        assert [n.payload["kind"] for n in _inbox(session, "sup-east")] == ["page"]
        assert not _inbox(session, "sup-south"), "only the store's own region is paged"
        act(session, sup, alert_id, Acknowledge(by="sup-east"), T0 + timedelta(minutes=8))
    with demo_sessions() as session:
        view, timeline = alert_detail(session, SYSTEM, alert_id)
        assert view.status == "acknowledged" and view.owner == "sup-east"
        assert [e.kind for e in timeline][:4] == ["fired", "timeout", "escalated", "timeout"]
        assert session.scalar(select(func.count()).select_from(AuditEntry)) >= len(timeline)


def test_overdue_escalations_fire_exactly_once_after_a_restart(demo_sessions):
    with demo_sessions.begin() as session:
        alert_id = raise_alert(
            session, rule="test", store_id=_store_id(session), dedup_key="t:2", title="Queue", now=T0
        ).id
    # Nothing ran for 20 minutes (the PC was off); on start the due job runs, maybe twice.
    restart = T0 + timedelta(minutes=20)
    with demo_sessions.begin() as session:
        assert process_due(session, restart) == 1
        assert process_due(session, restart) == 0
    with demo_sessions() as session:
        alert = session.get(Alert, alert_id)
        assert alert.level == 2, "one step per restart, the next deadline counts from now"
        assert alert.next_deadline == restart + timedelta(minutes=5)
        pages = [n for n in _inbox(session, "mgr-sh001") if n.payload["kind"] == "page"]
        assert len(pages) == 1


def test_a_rule_firing_again_updates_the_open_alert(demo_sessions):
    with demo_sessions.begin() as session:
        first = raise_alert(
            session, rule="r", store_id=_store_id(session), dedup_key="same", title="A", now=T0
        )
        again = raise_alert(
            session,
            rule="r",
            store_id=_store_id(session),
            dedup_key="same",
            title="B",
            now=T0 + timedelta(seconds=30),
        )
        assert first.id == again.id and again.title == "B"
        assert session.scalar(select(func.count()).select_from(Alert)) == 1


def test_people_act_only_on_alerts_in_their_scope(demo_sessions):
    with demo_sessions.begin() as session:
        alert_id = raise_alert(
            session, rule="r", store_id=_store_id(session), dedup_key="s", title="A", now=T0
        ).id
        with pytest.raises(NotFound):
            act(session, actor_for(session, "sup-south"), alert_id, Acknowledge(by="sup-south"), T0)
        assert [a.id for a in list_alerts(session, actor_for(session, "sup-south"))] == []
        assert [a.id for a in list_alerts(session, actor_for(session, "mgr-sh001"))] == [alert_id]
        act(session, actor_for(session, "exec"), alert_id, Comment(by="exec", text="on my radar"), T0)


def test_call_backup_offers_cover_and_the_first_to_accept_covers(demo_sessions):
    with demo_sessions.begin() as session:
        manager = actor_for(session, "mgr-sh001")
        alert_id = call_backup(session, manager, "SH001", T0, "queue to the door")
        offers = session.scalars(select(CoverOffer).where(CoverOffer.alert_id == alert_id)).all()
        assert len(offers) >= 2
        names = [o.username for o in offers]
        assert all(_inbox(session, n)[-1].payload["kind"] == "cover_offer" for n in names)
    with demo_sessions.begin() as session:
        first, second = names[0], names[1]
        accept_cover(session, actor_for(session, first), alert_id, T0 + timedelta(minutes=1))
        with pytest.raises(ActionRefused, match=f"already covered by {first}"):
            accept_cover(session, actor_for(session, second), alert_id, T0 + timedelta(minutes=2))
    with demo_sessions() as session:
        alert = session.get(Alert, alert_id)
        assert alert.status == "acknowledged" and alert.details["covered_by"] == first
        assert _inbox(session, second)[-1].payload["kind"] == "covered"
        assert {
            o.status
            for o in session.scalars(
                select(CoverOffer).where(CoverOffer.username != first, CoverOffer.alert_id == alert_id)
            )
        } == {"withdrawn"}


def test_manager_call_and_relief_page_level_two_at_once(demo_sessions):
    with demo_sessions.begin() as session:
        manager_alert = call_manager(session, actor_for(session, "staff-sh001"), "SH001", T0)
        relief = relief_request(
            session, actor_for(session, "staff-sh001"), "SH001", "alone, 20 in the queue", T0, "high"
        )
        for alert_id in (manager_alert, relief):
            assert session.get(Alert, alert_id).level == 2
        assert session.get(Alert, relief).severity == "critical"
        assert "Staff on shift" in dict(_english(session.get(Alert, manager_alert)).fields)
        kinds = [n.payload["kind"] for n in _inbox(session, "mgr-sh001")]
        assert kinds.count("page") == 2
        with pytest.raises(ActionRefused):
            relief_request(session, actor_for(session, "staff-sh001"), "SH001", "  ", T0)


def test_a_sensitive_trigger_skips_the_first_level_and_informs_the_third(demo_sessions):
    with demo_sessions.begin() as session:
        _, alert_id = report_incident(
            session,
            actor_for(session, "staff-sh001"),
            "SH001",
            incident_type="complaint",
            customer_type="opportunistic",
            triggers=["media"],
            description="will post it online",
            now=T0,
        )
        assert session.get(Alert, alert_id).level == 2
        assert [n.payload["kind"] for n in _inbox(session, "sup-east")] == ["inform"]
        assert not [n for n in _inbox(session, "staff-sh001") if n.alert_id == alert_id]
        _, none = report_incident(
            session,
            SYSTEM,
            "SH001",
            incident_type="slow_order",
            customer_type="irritable",
            triggers=[],
            description="",
            now=T0,
        )
        assert none is None


def test_a_missed_promise_escalates_and_a_kept_one_is_reminded_only(demo_sessions):
    with demo_sessions.begin() as session:
        lead = actor_for(session, "mgr-sh001")
        kept = add_commitment(
            session, lead, "SH001", "call back Ms Li about the refund", T0 + timedelta(hours=1), T0
        )
        missed = add_commitment(session, lead, "SH001", "call back Mr Wang", T0 + timedelta(hours=1), T0)
        assert process_commitments(session, T0 + timedelta(minutes=30)) == (0, 0)
        assert process_commitments(session, T0 + timedelta(minutes=46)) == (2, 0)
        assert [n.payload["kind"] for n in _inbox(session, "mgr-sh001")] == ["reminder", "reminder"]
        commitment_done(session, lead, kept, T0 + timedelta(minutes=55))
        assert process_commitments(session, T0 + timedelta(minutes=71)) == (0, 1)
        alert = session.scalars(select(Alert).where(Alert.rule == "missed_commitment")).one()
        assert "Mr Wang" in alert.title and alert.details["commitment"] == missed
        commitment_done(session, lead, missed, T0 + timedelta(minutes=80))
        assert session.get(Alert, alert.id).status == "resolved"


def test_rules_warn_solo_stores_before_their_morning_rush_with_pressure_reasons(demo_sessions):
    six_am = datetime(2026, 3, 8, 22, 0, tzinfo=UTC)  # 06:00 on the 9th in Shanghai
    with demo_sessions.begin() as session:
        run = evaluate(session, six_am)
        assert run.raised.get("early_warning", 0) >= 1
        warnings = list_alerts(session, SYSTEM, rule="early_warning")
        solo = [w for w in warnings if "alone" in w.title]
        assert solo, "solo stores are warned"
        for warning in solo:
            assert _english(warning).reasons, "each warning carries the pressure reasons"
            assert any("alone" in reason for reason in _english(warning).reasons)
            assert warning.details["from"] > six_am.isoformat()
    # An hour before midnight nothing is ahead: the warnings resolve on their own.
    with demo_sessions.begin() as session:
        run = evaluate(session, datetime(2026, 3, 9, 15, 0, tzinfo=UTC))
        assert run.resolved >= len(solo)
        assert not list_alerts(session, SYSTEM, status="active", rule="early_warning")


def test_in_app_unread_count_follows_new_pages(demo_sessions):
    with demo_sessions.begin() as session:
        manager = actor_for(session, "mgr-sh001")
        before = unread_count(session, manager)
        call_manager(session, actor_for(session, "staff-sh001"), "SH001", T0)
        assert unread_count(session, manager) == before + 1


def test_a_failing_webhook_is_retried_raises_a_channel_alert_and_loses_nothing(demo_sessions, monkeypatch):
    from storemon.services.database import Database
    from storemon.worker import Jobs

    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = HttpServer(default=Reply(500, b"down")).start()
    try:
        with demo_sessions.begin() as session:
            session.add(
                Setting(
                    key="alerts.channels",
                    value=[
                        {
                            "name": "ops-hook",
                            "type": "webhook",
                            "settings": {"url": server.url(), "timeout": 2},
                            "levels": [2],
                        }
                    ],
                )
            )
            call_manager(session, actor_for(session, "staff-sh001"), "SH001", T0)
        clock = {"now": T0}
        engine = demo_sessions.kw["bind"]
        jobs = Jobs(Database(engine, demo_sessions, None), clock=lambda: clock["now"], worker_id="t")
        retries = []
        for _ in range(4):
            jobs.dispatch()
            with demo_sessions() as session:
                row = session.scalars(select(Notification).where(Notification.channel == "ops-hook")).one()
                assert row.status == "pending", "a failing channel never drops a notification"
                retries.append(row.next_attempt_at)
            clock["now"] = row.next_attempt_at
        assert retries == sorted(retries) and len(set(retries)) == 4, "each retry is later (backoff)"
        with demo_sessions() as session:
            failing = session.scalars(select(Alert).where(Alert.rule == "channel_failing")).one()
            assert "ops-hook" in failing.title and "500" in dict(_english(failing).fields)["Error"]
        server.default = Reply(200, b"ok")
        jobs.dispatch()
        with demo_sessions() as session:
            row = session.scalars(select(Notification).where(Notification.channel == "ops-hook")).one()
            assert row.status == "delivered"
        assert len(server.deliveries) == 1
    finally:
        server.stop()


def test_resolving_tells_everyone_and_stops_the_clock(demo_sessions):
    with demo_sessions.begin() as session:
        alert_id = raise_alert(
            session, rule="r", store_id=_store_id(session), dedup_key="z", title="A", now=T0
        ).id
        process_due(session, T0 + timedelta(minutes=2))
        act(session, SYSTEM, alert_id, Resolve(by="admin", note="sorted"), T0 + timedelta(minutes=3))
        assert session.get(Alert, alert_id).next_deadline is None
        assert process_due(session, T0 + timedelta(hours=1)) == 0
        assert _inbox(session, "staff-sh001")[-1].payload["kind"] == "resolved"


def test_a_manager_call_pages_with_the_live_picture_the_rules_job_keeps_fresh(demo_sessions):
    from storemon.db.models import LivePicture

    with demo_sessions.begin() as session:
        store = _store_id(session)
        evaluate(session, T0, store_ids=[store])
        cached = session.get(LivePicture, store).payload
        alert_id = call_manager(
            session, actor_for(session, "staff-sh001"), "SH001", T0 + timedelta(minutes=1)
        )
        fields = dict(_english(session.get(Alert, alert_id)).fields)
        assert fields["Modelled wait (min)"] == f"{cached['wait_minutes']:.1f}"
        assert fields["Staff on shift"] == str(cached["staff_on_shift"])
