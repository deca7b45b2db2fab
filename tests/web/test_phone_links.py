"""Answering from the phone over HTTP: a real ``storemon web`` on 127.0.0.1, a phone-like client.

Each Done-when line of issue 17 that HTTP can show: the CLI prints a link, the page shows the
store and the reasons, Acknowledge makes ``alert show`` name the person with the audit intact,
forged, expired and reused links change nothing, and accepting a backup call shows the person
as coming where Today and the kiosk read it.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from alerts.kinds import render_stored
from storemon.services.access import SYSTEM, AccessDenied, NotFound
from storemon.services.audit_view import AuditFilter
from storemon.services.phone_links import LinkClaims, LinkSigner
from tests.web.conftest import Web, answer, csrf_of, free_port

REPO = Path(__file__).resolve().parents[2]
CALLER = "staff-sh001"
STORE = "SH001"


def _now() -> datetime:
    return datetime.now(UTC)


def _relief(services) -> int:
    return services.calls.relief_request(
        CALLER, STORE, "customer shouting", _now(), "high", ("queue", "alone")
    )


def _altered_claims(link: str) -> str:
    """The link with one character of its signed claims changed (the signature left as it was)."""
    claims, signature = link.rsplit(".", 1)
    middle = len(claims) - 20
    changed = "B" if claims[middle] != "B" else "C"
    return f"{claims[:middle]}{changed}{claims[middle + 1 :]}.{signature}"


def _state(services, alert_id: int) -> tuple:
    """What a forged or reused link must not change: the alert, its timeline, the audit log."""
    view, timeline = services.alerts.detail(SYSTEM, alert_id)
    audit = services.audit.entries(SYSTEM, AuditFilter()).rows
    return view.status, view.owner, view.details, len(timeline), len(audit)


def _cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "storemon.cli", "--db", url, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_storemon_web_serves_and_a_phone_acknowledges(demo_url, services):
    """The first Done-when line, with the real commands: web, alert link, alert show, audit verify."""
    alert_id = _relief(services)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen(
        [sys.executable, "-m", "storemon.cli", "--db", demo_url, "web", "--listen", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).text == "ok":
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "storemon web did not start"
            time.sleep(0.1)

        printed = _cli(demo_url, "alert", "link", str(alert_id), "--for", "sup-east", "--base-url", base)
        assert printed.returncode == 0, printed.stderr
        link = printed.stdout.strip()
        assert link.startswith(f"{base}/a/")

        with httpx.Client(timeout=10) as phone:
            page = phone.get(link)
            assert page.status_code == 200
            view, _ = services.alerts.detail(SYSTEM, alert_id)
            text = render_stored(view.rule, view.details, view.title, "en")
            assert STORE in page.text
            for _label, value in text.fields:
                assert html.escape(value) in page.text
            done = phone.post(link, data={"csrf": csrf_of(page.text), "answer": "ack"})
            assert done.status_code == 303

        shown = _cli(demo_url, "alert", "show", str(alert_id))
        assert shown.returncode == 0, shown.stderr
        alert = json.loads(shown.stdout)["alert"]
        assert alert["status"] == "acknowledged" and alert["owner"] == "sup-east"
        verified = _cli(demo_url, "audit", "verify")
        assert verified.returncode == 0 and "intact" in verified.stdout, verified.stdout + verified.stderr
        answers = services.audit.entries(SYSTEM, AuditFilter(action="alert.answer")).rows
        assert [(r.actor, r.details["via"], r.details["answer"]) for r in answers] == [
            ("sup-east", "phone link", "ack")
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_acknowledging_cancels_the_pages_still_waiting(web: Web):
    """As on the desktop: once someone has it, pages not yet sent never go out."""
    alert_id = _relief(web.services)
    with web.phone() as phone:
        assert answer(phone, web.link(alert_id, "sup-east"), "ack").status_code == 303
    statuses = {d.status for d in web.services.alerts.deliveries(SYSTEM, alert_id) if d.kind == "page"}
    assert "pending" not in statuses


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda link: link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"), id="signature"),
        pytest.param(lambda link: _altered_claims(link), id="claims"),
        pytest.param(lambda link: link[: len(link) // 2], id="cut-short"),
    ],
)
def test_a_forged_link_is_refused_and_nothing_changes(web: Web, spoil):
    alert_id = _relief(web.services)
    good = web.link(alert_id, "sup-east")
    before = _state(web.services, alert_id)
    with web.phone() as phone:
        csrf = csrf_of(phone.get(good).text)
        forged = spoil(good)
        page = phone.get(forged)
        assert page.status_code == 400
        assert "This link is not valid" in page.text and STORE not in page.text
        assert phone.post(forged, data={"csrf": csrf, "answer": "ack"}).status_code == 400
    assert _state(web.services, alert_id) == before


def test_a_link_signed_with_another_key_is_refused(web: Web):
    alert_id = _relief(web.services)
    claims = LinkClaims("sup-east", alert_id, False, ("ack",), _now() + timedelta(hours=1), "n0nce")
    stranger = LinkSigner(b"k" * 32).sign(claims)
    before = _state(web.services, alert_id)
    with web.phone() as phone:
        assert phone.get(f"{web.base_url}/a/{stranger}").status_code == 400
        assert phone.post(f"{web.base_url}/a/{stranger}", data={"answer": "ack"}).status_code == 400
    assert _state(web.services, alert_id) == before


def test_a_reused_link_changes_nothing_and_shows_the_state(web: Web):
    alert_id = _relief(web.services)
    link = web.link(alert_id, "sup-east")
    with web.phone() as phone:
        page = phone.get(link)
        csrf = csrf_of(page.text)
        assert phone.post(link, data={"csrf": csrf, "answer": "ack"}).status_code == 303
        before = _state(web.services, alert_id)
        again = phone.post(link, data={"csrf": csrf, "answer": "ack"})
        assert again.status_code == 409
        assert "already used" in again.text and "Acknowledged" in again.text
        other = phone.post(link, data={"csrf": csrf, "answer": "cant"})
        assert other.status_code == 409
        shown = phone.get(link)
        assert shown.status_code == 200 and "<form" not in shown.text
        assert "You answered with this link: Acknowledged" in shown.text
    assert _state(web.services, alert_id) == before


def test_an_expired_link_is_refused_and_nothing_changes(web: Web):
    alert_id = _relief(web.services)
    link = web.link(alert_id, "sup-east")
    before = _state(web.services, alert_id)
    with web.phone() as phone:
        csrf = csrf_of(phone.get(link).text)
        web.clock.offset = timedelta(hours=2, seconds=1).total_seconds()  # the default lifetime is 2 h
        page = phone.get(link)
        assert page.status_code == 410 and "This link has expired" in page.text
        assert phone.post(link, data={"csrf": csrf, "answer": "ack"}).status_code == 410
    assert _state(web.services, alert_id) == before


def test_a_post_without_the_pages_csrf_token_changes_nothing(web: Web):
    alert_id = _relief(web.services)
    link = web.link(alert_id, "sup-east")
    before = _state(web.services, alert_id)
    with web.phone() as phone:
        assert phone.post(link, data={"answer": "ack"}).status_code == 403
        csrf = csrf_of(phone.get(link).text)
    with web.phone() as other_browser:  # the token of another browser's page (no cookie here)
        assert other_browser.post(link, data={"csrf": csrf, "answer": "ack"}).status_code == 403
    assert _state(web.services, alert_id) == before


def test_accepting_a_backup_call_shows_the_person_coming_where_today_and_the_kiosk_read(web: Web):
    services = web.services
    alert_id = services.calls.call_backup(CALLER, STORE, _now(), "two buses arrived")
    offered = sorted(
        {n.username for n in services.alerts.notices(SYSTEM, alert_id) if n.kind == "cover_offer"}
    )
    assert len(offered) >= 2, "the demo store should have off-shift colleagues to ask"
    first, second = offered[0], offered[1]
    with web.phone() as phone:
        link = web.link(alert_id, first)
        page = phone.get(link)
        assert "Accept: I&#39;ll cover" in page.text and "Decline" in page.text
        pressed = time.monotonic()
        done = phone.post(link, data={"csrf": csrf_of(page.text), "answer": "accept", "minutes": "20"})
        assert done.status_code == 303
        # What the call buttons on Today and the kiosk poll (every second): covered, and when.
        view, _ = services.alerts.detail(CALLER, alert_id)
        assert time.monotonic() - pressed < 2
    assert view.details["covered_by"] == first and view.owner == first
    expected = datetime.fromisoformat(view.details["coming"][first])
    assert timedelta(minutes=19) < expected - _now() <= timedelta(minutes=20)
    assert services.alerts.my_cover_offers(first) == []
    with web.phone() as late:
        link = web.link(alert_id, second)
        page = late.get(link)
        assert "Someone else is covering" in page.text and "<form" not in page.text
    assert services.alerts.detail(CALLER, alert_id)[0].details["covered_by"] == first


def test_coming_to_a_relief_request_shows_on_the_kiosk(web: Web):
    services = web.services
    alert_id = _relief(services)
    paged = sorted({n.username for n in services.alerts.notices(SYSTEM, alert_id) if n.kind == "page"})
    manager = paged[0]
    with web.phone() as phone:
        link = web.link(alert_id, manager)
        assert answer(phone, link, "coming", minutes="10").status_code == 303
        assert "is coming, expected" in phone.get(link).text
    status = services.kiosk.relief_status(CALLER, alert_id)
    assert status.owner == manager and status.status == "acknowledged"
    _, timeline = services.alerts.detail(CALLER, alert_id)
    assert any("on the way, expected" in step.note and "phone link" in step.note for step in timeline)


def test_cant_come_and_decline_leave_the_call_open(web: Web):
    services = web.services
    relief = _relief(services)
    with web.phone() as phone:
        assert answer(phone, web.link(relief, "sup-east"), "cant").status_code == 303
    view, timeline = services.alerts.detail(SYSTEM, relief)
    assert view.status == "open" and any(s.note == "can't come (phone link)" for s in timeline)

    backup = services.calls.call_backup(CALLER, STORE, _now())
    person = next(n.username for n in services.alerts.notices(SYSTEM, backup) if n.kind == "cover_offer")
    with web.phone() as phone:
        assert answer(phone, web.link(backup, person), "decline").status_code == 303
    assert services.alerts.detail(SYSTEM, backup)[0].status == "open"
    assert all(o.alert_id != backup for o in services.alerts.my_cover_offers(person))


def test_nothing_but_the_links_alert_is_reachable(web: Web):
    with web.phone() as phone:
        for path in ("/", "/a/", "/alerts", "/a/../alerts", "/static/x"):
            assert phone.get(web.base_url + path).status_code == 404
        assert phone.get(web.base_url + "/healthz").text == "ok"
        other = _relief(web.services)
        backup = web.services.calls.call_backup(CALLER, STORE, _now())
        page = phone.get(web.link(other, "sup-east")).text
        assert f"#{backup}" not in page and "Backup" not in page


def test_answers_are_rate_limited_per_address(web: Web):
    alert_id = _relief(web.services)
    link = web.link(alert_id, "sup-east")
    with web.phone() as phone:
        codes = [phone.get(link + "x").status_code for _ in range(30)]
        assert set(codes) == {400}
        assert phone.get(link).status_code == 429


def test_the_page_speaks_the_links_language_or_the_phones(web: Web):
    alert_id = _relief(web.services)
    with web.phone(**{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}) as phone:
        page = phone.get(web.link(alert_id, "sup-east")).text
        assert "确认接单" in page and "我马上到" in page and 'lang="zh-CN"' in page
    with web.phone(**{"Accept-Language": "en-US"}) as phone:
        assert "确认接单" in phone.get(web.link(alert_id, "sup-east", "zh_CN")).text
        assert "Acknowledge" in phone.get(web.link(alert_id, "sup-east")).text


def test_only_an_administrator_makes_links_for_other_people(web: Web):
    alert_id = _relief(web.services)
    with pytest.raises(AccessDenied):
        web.services.phone_links.make_link("sup-east", alert_id, "sup-east", _now(), web.base_url)


def test_no_link_is_made_for_someone_who_cannot_see_the_alert(web: Web):
    alert_id = _relief(web.services)
    with pytest.raises(NotFound, match="cannot see alert"):
        web.link(alert_id, "sup-north")
