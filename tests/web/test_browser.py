"""The phone page in a real browser: Debian's headless Chromium, driven by Playwright, at 390×844.

Open a link, acknowledge, see the state; accept a backup call with an arrival time; forged,
expired and reused links; in English and Chinese. Chromium comes from the system (``apt-get
install chromium``; ``dev.py`` and ``.ci/run`` install it), never from ``playwright install``.
Where it is missing these tests skip and say so, except in CI (``STOREMON_REQUIRE_BROWSER=1``),
where they fail. ``STOREMON_SCREENSHOT_DIR=docs/screenshots`` keeps the phone screenshots.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storemon.services.access import SYSTEM
from tests.web.conftest import Web

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("demo_url", ["sqlite"], indirect=True)]

PHONE = {"width": 390, "height": 844}
LANGUAGES = {"en": "en-US", "zh_CN": "zh-CN"}
WORDS = {
    "en": {"ack": "Acknowledge", "acked": "Acknowledged", "forged": "This link is not valid",
           "expired": "This link has expired", "used": "This link was already used",
           "accept": "Accept: I'll cover", "coming": "is coming, expected", "min": "30 min"},
    "zh_CN": {"ack": "确认接单", "acked": "已接单", "forged": "此链接无效", "expired": "此链接已过期",
              "used": "此链接已经用过", "accept": "接受：我来补位", "coming": "正在赶来，预计", "min": "30 分钟"},
}  # fmt: skip
REQUIRED = os.environ.get("STOREMON_REQUIRE_BROWSER") == "1"


def _chromium() -> str | None:
    for name in (os.environ.get("STOREMON_CHROMIUM", ""), "chromium", "chromium-browser"):
        if name and (found := shutil.which(name)):
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator:
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if executable is None or sync_playwright is None:
        missing = "chromium (apt-get install chromium)" if executable is None else "playwright (pip)"
        message = f"browser tests need {missing}; `python3 dev.py test` and .ci/run install it"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=args)
        yield launched
        launched.close()


@pytest.fixture(params=list(LANGUAGES))
def phone(request, browser):
    """A fresh phone-sized browser page speaking the parametrised language; its screenshots."""
    language = request.param
    context = browser.new_context(
        viewport=PHONE, locale=LANGUAGES[language], device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.language = language
    yield page
    context.close()


def _shot(page, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("STOREMON_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"phone-{name}-{page.language}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _relief(web: Web) -> int:
    return web.services.calls.relief_request(
        "staff-sh001", "SH001", "", datetime.now(UTC), "high", ("queue", "alone")
    )


def test_open_a_link_acknowledge_and_see_the_state(web: Web, phone, tmp_path):
    words = WORDS[phone.language]
    alert_id = _relief(web)
    opened = phone.goto(web.link(alert_id, "sup-east"))
    assert opened.status == 200
    assert "SH001" in phone.inner_text(".store")
    assert phone.inner_text("#reasons" if phone.locator("#reasons").count() else "dl")
    assert _shot(phone, tmp_path, "page").stat().st_size > 10_000
    phone.get_by_role("button", name=words["ack"]).click()
    phone.wait_for_selector("#answered")
    assert phone.inner_text("#state") == words["acked"]
    _shot(phone, tmp_path, "acknowledged")
    assert web.services.alerts.detail(SYSTEM, alert_id)[0].owner == "sup-east"


def test_accept_a_backup_call_with_an_arrival_time(web: Web, phone, tmp_path):
    words = WORDS[phone.language]
    alert_id = web.services.calls.call_backup("staff-sh001", "SH001", datetime.now(UTC))
    person = min(n.username for n in web.services.alerts.notices(SYSTEM, alert_id) if n.kind == "cover_offer")
    phone.goto(web.link(alert_id, person))
    _shot(phone, tmp_path, "offer")
    phone.get_by_text(words["min"]).click()
    phone.get_by_role("button", name=words["accept"]).click()
    phone.wait_for_selector("#answered")
    assert words["coming"] in phone.inner_text("#people")
    _shot(phone, tmp_path, "coming")
    view = web.services.alerts.detail("staff-sh001", alert_id)[0]
    expected = datetime.fromisoformat(view.details["coming"][person])
    assert timedelta(minutes=29) < expected - datetime.now(UTC) <= timedelta(minutes=30)


def test_a_forged_link_shows_a_clear_page(web: Web, phone, tmp_path):
    link = web.link(_relief(web), "sup-east")
    response = phone.goto(link[:-4] + "AAAA")
    assert response.status == 400
    assert WORDS[phone.language]["forged"] in phone.inner_text("[role=alert]")
    assert "SH001" not in phone.content()
    _shot(phone, tmp_path, "forged")


def test_an_expired_link_shows_a_clear_page(web: Web, phone, tmp_path):
    link = web.link(_relief(web), "sup-east")
    web.clock.offset = timedelta(hours=3).total_seconds()
    response = phone.goto(link)
    assert response.status == 410
    assert WORDS[phone.language]["expired"] in phone.inner_text("[role=alert]")
    _shot(phone, tmp_path, "expired")


def test_a_reused_link_changes_nothing_and_shows_the_state(web: Web, phone, tmp_path):
    words = WORDS[phone.language]
    alert_id = _relief(web)
    link = web.link(alert_id, "sup-east")
    stale = phone.context.new_page()  # the same link left open in another tab
    stale.goto(link)
    phone.goto(link)
    phone.get_by_role("button", name=words["ack"]).click()
    phone.wait_for_selector("#answered")
    timeline = len(web.services.alerts.detail(SYSTEM, alert_id)[1])
    stale.language, phone = phone.language, stale
    with phone.expect_response(lambda r: r.request.method == "POST") as posted:
        phone.get_by_role("button", name=words["ack"]).click()
    assert posted.value.status == 409
    phone.wait_for_selector("[role=alert]")
    assert words["used"] in phone.inner_text("[role=alert]")
    assert phone.inner_text("#state") == words["acked"]
    _shot(phone, tmp_path, "reused")
    assert len(web.services.alerts.detail(SYSTEM, alert_id)[1]) == timeline
