"""Names and notes people type are stored verbatim and stay inert wherever they are shown or sent.

Stores, staff and notes named with quotes, SQL, markup, right-to-left text with an override
character, chat mentions and 300-character texts go in through the importers and services, come
back unchanged through the services and the CLI's JSON, and leave as valid, escaped webhook JSON,
Slack blocks and e-mail. Names are limited to 200 characters by the schema (longer ones are
cut by the importers); notes, descriptions and reasons are unlimited text and keep 300 characters.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from sqlalchemy import select

from alerts.message import Message
from alerts.notifiers import SlackNotifier, SmtpNotifier, WebhookNotifier
from alerts.notifiers._text import clean_text, one_line
from storemon.cli import main
from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import CheckIn, Notification, Role, StaffMember, Store, User
from storemon.importers import import_staff
from storemon.services import actions
from storemon.services.access import SYSTEM, actor_for
from storemon.services.alert_service import list_alerts
from storemon.services.checkins import checkins_for
from storemon.services.incidents import IncidentFilter, list_incidents
from storemon.services.schedule import add_shift, week_roster
from storemon.services.stores import store_summaries
from tests.alerts.servers import HttpServer, SmtpServer

NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
RLO, PDF = "\u202e", "\u202c"  # right-to-left override, pop directional formatting

HOSTILE = {
    "quotes": "O'Brien's \"best\" `café`",
    "sql": "'; DROP TABLE stores; --",
    "markup": "<b>x</b><script>alert('x')</script> &amp; & <@U0001> <!channel>",
    "rtl": "עברית / العربية txt.exe",
    "long": ("长名字ab" * 60)[:200],
    "emoji": "☕ 咖啡\u200b店 \U0001f600",
}
CODES = {"quotes": "Q'1\"", "sql": "X'; DROP TABLE stores; --", "markup": "<b>S</b>", "rtl": "R1"}
TROJAN = f"{RLO}txt.exe{PDF}"
"""A direction override: refused by imports (below), dropped by every notifier when typed in the app."""
LONG_NOTE = ("<i>很长的备注</i> '; DELETE FROM check_ins; -- " * 10)[:300]


def _staff_file(path) -> None:
    """Staff with hostile names in stores with hostile names and codes, created by the import."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "store id", "store", "role"])
        for k, (key, name) in enumerate(HOSTILE.items()):
            writer.writerow([f"P{k}", name, CODES.get(key, f"C{k}"), name, "店长" if k == 0 else "店员"])


def _stores(session) -> dict[str, Store]:
    by_name = {s.name: s for s in session.scalars(select(Store))}
    return {key: by_name[name] for key, name in HOSTILE.items()}


@pytest.fixture
def hostile_chain(session_factory, tmp_path):
    path = tmp_path / "staff.csv"
    _staff_file(path)
    result = import_staff(session_factory, path, create_stores=True)
    assert result.created == len(HOSTILE)
    with session_factory.begin() as session:
        stores = _stores(session)
        quotes = stores["quotes"]
        boss = session.scalars(select(StaffMember).where(StaffMember.code == "P0")).one()
        session.add(
            User(
                username="mgr'; --",
                display_name=HOSTILE["markup"],
                role=Role.STORE_MANAGER,
                store_id=quotes.id,
                staff_member_id=boss.id,
            )
        )
        session.add_all(
            CheckIn(
                staff_id=boss.id, store_id=quotes.id, score=5, note=note, note_shared=shared, created_at=NOW
            )
            for note, shared in ((LONG_NOTE, False), (HOSTILE["rtl"], True))
        )
    return session_factory


def test_hostile_text_is_stored_and_read_back_verbatim(hostile_chain):
    sessions = hostile_chain
    with sessions.begin() as session:
        stores = _stores(session)
        for key, store in stores.items():
            assert store.name == HOSTILE[key]
            assert store.code == CODES.get(key, store.code)
        target = stores["sql"]
        person = session.scalars(select(StaffMember).where(StaffMember.home_store_id == target.id)).one()
        actions.report_incident(
            session, SYSTEM, target.code, incident_type="complaint", customer_type="irritable",
            triggers=["media"], description=LONG_NOTE, now=NOW, staff_id=person.id,
        )  # fmt: skip
        actions.relief_request(session, SYSTEM, target.code, HOSTILE["markup"], NOW)
        actions.add_commitment(session, SYSTEM, target.code, HOSTILE["rtl"], NOW + timedelta(hours=1), NOW)
        start = datetime(2026, 3, 10, 9, 0)
        add_shift(session, SYSTEM, target.code, person.id, start, start + timedelta(hours=4))
    with sessions() as session:
        names = {s.name for s in store_summaries(session, SYSTEM)}
        assert names == set(HOSTILE.values())
        incident = list_incidents(session, SYSTEM, IncidentFilter()).rows[0]
        assert (incident.description, incident.staff_name, incident.store_name) == (
            LONG_NOTE,
            HOSTILE["sql"],
            HOSTILE["sql"],
        )
        alerts = {a.rule: a for a in list_alerts(session, SYSTEM)}
        assert HOSTILE["sql"] in alerts["relief_request"].title
        assert alerts["relief_request"].details["reason"] == HOSTILE["markup"]
        roster = week_roster(session, SYSTEM, target.code, date(2026, 3, 10), 1)
        assert [s.staff_name for s in roster.shifts] == [HOSTILE["sql"]]
        assert roster.store_name == HOSTILE["sql"]
        manager = actor_for(session, "mgr'; --")
        notes = {c.note for c in checkins_for(session, manager, CODES["quotes"])}
        assert notes == {LONG_NOTE, HOSTILE["rtl"]}, "their own notes, 300 characters and RTL, verbatim"


def test_hostile_text_comes_back_verbatim_in_the_cli_json(hostile_chain, db_url, capsys):
    assert main(["--db", db_url, "report", "stores", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows} == set(HOSTILE.values())
    assert {r["code"] for r in rows} >= set(CODES.values())
    assert main(["--db", db_url, "--as", "mgr'; --", "report", "stores", "--format", "json"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == [HOSTILE["quotes"]]
    assert main(["--db", db_url, "relief", "--store", CODES["sql"], "--reason", HOSTILE["rtl"]]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "alert", "list", "--format", "json"]) == 0
    (alert,) = json.loads(capsys.readouterr().out)
    assert alert["details"]["reason"] == HOSTILE["rtl"] and HOSTILE["sql"] in alert["title"]


def test_the_database_tables_survive_their_would_be_injections(hostile_chain):
    with hostile_chain() as session:
        assert session.scalar(select(Store.id).limit(1)) is not None, "stores still exists"
        assert len(session.scalars(select(CheckIn)).all()) == 2, "check_ins untouched"


# ------------------------------------------------------------------------------------ leaving Storemon


@pytest.fixture
def relief_message(sqlite_url) -> Message:
    """The outbox message the alert service writes for a relief request at a hostile store."""
    engine = make_engine(sqlite_url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        store = Store(code=CODES["markup"], name=HOSTILE["markup"] + " " + HOSTILE["rtl"] + TROJAN)
        session.add(store)
        session.flush()
        session.add(User(username="lead", display_name="Lead", role=Role.SHIFT_LEAD, store_id=store.id))
        actions.relief_request(
            session, SYSTEM, store.id, HOSTILE["sql"] + "\n" + HOSTILE["markup"], NOW, "high"
        )
    with sessions() as session:
        payload = session.scalars(select(Notification.payload).where(Notification.username == "lead")).first()
    engine.dispose()
    return Message.from_dict(payload)


def test_webhook_json_is_valid_and_carries_the_text_verbatim(relief_message, monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = HttpServer().start()
    try:
        WebhookNotifier(server.url("/hook"), "whsec-test").send("", relief_message)
    finally:
        server.stop()
    (request,) = server.requests
    assert request.body.isascii(), "\\u escapes: valid JSON whatever the text"
    body = request.json()
    assert body["store"] == f"{CODES['markup']} {HOSTILE['markup']} {HOSTILE['rtl']}{TROJAN}"
    assert body["fields"]["Reason"] == HOSTILE["sql"] + "\n" + HOSTILE["markup"]


def _mrkdwn_texts(blocks: list[dict]) -> list[str]:
    found = []
    for block in blocks:
        for part in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(part, dict) and part.get("type") == "mrkdwn":
                found.append(part["text"])
    return found


def test_slack_escapes_ampersands_and_angle_brackets(relief_message, monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = HttpServer().start()
    try:
        SlackNotifier(server.url("/services/T/B/x")).send("", relief_message)
    finally:
        server.stop()
    payload = server.requests[0].json()
    texts = [payload["text"], *_mrkdwn_texts(payload["blocks"])]
    joined = "\n".join(texts)
    assert "<" not in joined and ">" not in joined, "no raw < or >: no <!channel> or <@U…> mention, no link"
    assert not re.search(r"&(?!amp;|lt;|gt;)", joined), "every & is an entity"
    assert "&lt;script&gt;" in joined and "&lt;!channel&gt;" in joined and "&amp;amp;" in joined
    assert RLO not in json.dumps(payload, ensure_ascii=False), "bidi overrides are dropped (Trojan Source)"
    assert "עברית / العربية" in joined, "real right-to-left text is kept"


def test_email_html_is_escaped_and_the_text_part_is_plain(relief_message):
    server = SmtpServer().start()
    try:
        SmtpNotifier("127.0.0.1", server.port, "none", sender="alerts@chain.example").send(
            "lead@store.example", relief_message
        )
    finally:
        server.stop()
    mail = message_from_bytes(server.received[0].raw, policy=default_policy)
    html = mail.get_body(("html",)).get_content()
    plain = mail.get_body(("plain",)).get_content()
    assert "<script>" not in html and "<b>x</b>" not in html and "<!channel>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "&amp;amp;" in html
    assert one_line(HOSTILE["markup"]) in plain, "the plain part shows the text as typed"
    assert clean_text(HOSTILE["rtl"]) in plain and RLO not in plain and RLO not in html
    assert RLO not in str(mail["Subject"]) and "עברית" in str(mail["Subject"])


@pytest.mark.parametrize("name", [f"Li{RLO}gnp.exe", "Wang\x1b[2J", "Zhao\u2066Qian"])
def test_an_import_refuses_names_with_control_or_direction_characters_and_writes_nothing(
    session_factory, tmp_path, name
):
    from storemon.importers import ImportFailed

    path = tmp_path / "staff.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "store id", "store", "role"])
        writer.writerow(["P1", "Chen", "S1", "Store one", "店员"])
        writer.writerow(["P2", name, "S1", "Store one", "店员"])
    with pytest.raises(ImportFailed) as failed:
        import_staff(session_factory, path, create_stores=True)
    assert "staff.csv:3" in str(failed.value) and "invisible character U+" in str(failed.value)
    with session_factory() as session:
        assert session.scalars(select(StaffMember)).all() == []
