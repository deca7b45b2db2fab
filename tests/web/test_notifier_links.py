"""Answer links in what each channel sends: the platform's documented link or button element.

First the notifiers alone (the payload each builds for a message with links), then the whole
way: a page queued with web.base_url set, delivered by the worker's jobs, carries a link that
opens the page on the running ``storemon web``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from alerts.message import Link, Message
from alerts.notifiers import (
    DingTalkNotifier,
    FeishuNotifier,
    SlackNotifier,
    SmtpNotifier,
    WebhookNotifier,
    WeComNotifier,
)
from storemon.db.models import User
from storemon.services import setting_keys
from storemon.services.access import SYSTEM
from storemon.worker import Jobs
from tests.web.conftest import Web, answer

URL = "https://storemon.example.com/a/eyJwIjoic3VwIn0.c2lnbmF0dXJl"
HOSTILE = "Answer](javascript:alert(1)) <b>*now*</b>"


def _message(*links: Link) -> Message:
    return Message(
        idempotency_key="a7-v1-page-L3-sup-east",
        title="Relief needed at SH001",
        body="",
        severity="critical",
        alert_id=7,
        store="SH001 人民广场店",
        level=3,
        kind="page",
        fields={"Reason": "Queue too long"},
        created_at=datetime(2026, 3, 9, 8, 0, tzinfo=UTC),
        links=links,
    )


def test_email_shows_each_link_as_a_button_and_as_text():
    email = SmtpNotifier("smtp.example.com", sender="storemon@example.com").build_email(
        "sup@example.com", _message(Link("Answer from your phone", URL))
    )
    text = email.get_body(("plain",)).get_content()
    page = email.get_body(("html",)).get_content()
    assert f"Answer from your phone:\n{URL}" in text
    assert f'<a href="{URL}" style="display:inline-block' in page and ">Answer from your phone</a>" in page


def test_email_escapes_a_hostile_label():
    page = SmtpNotifier("smtp.example.com").build_email("x@example.com", _message(Link(HOSTILE, URL)))
    html = page.get_body(("html",)).get_content()
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_wecom_markdown_carries_a_markdown_link():
    content = WeComNotifier("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k").payload(
        _message(Link("在手机上回复", URL), Link(HOSTILE, URL))
    )["markdown"]["content"]
    assert f"[在手机上回复]({URL})" in content
    # The hostile label cannot close the link early or start markup: its brackets are inert.
    assert "javascript:alert(1))" not in content.replace("（", "(") or "］" in content
    assert "](javascript" not in content and "<b>" not in content


def test_dingtalk_sends_an_action_card_with_one_button_per_link():
    payload = DingTalkNotifier("https://oapi.dingtalk.com/robot/send?access_token=t").payload(
        _message(Link("以 华东督导 身份回复", URL), Link("以 王店长 身份回复", URL + "2"))
    )
    assert payload["msgtype"] == "actionCard"
    card = payload["actionCard"]
    assert card["btns"] == [
        {"title": "以 华东督导 身份回复", "actionURL": URL},
        {"title": "以 王店长 身份回复", "actionURL": URL + "2"},
    ]
    assert card["title"].endswith("Relief needed at SH001") and "SH001" in card["text"]
    assert "Storemon" in card["text"]  # a keyword-secured robot still accepts it


def test_dingtalk_without_links_stays_markdown():
    payload = DingTalkNotifier("https://oapi.dingtalk.com/robot/send?access_token=t").payload(_message())
    assert payload["msgtype"] == "markdown"


def test_feishu_sends_a_card_whose_buttons_open_the_links():
    notifier = FeishuNotifier("https://open.feishu.cn/open-apis/bot/v2/hook/t", "secret")
    payload = notifier.payload(_message(Link("在手机上回复", URL)))
    assert payload["msg_type"] == "interactive"
    elements = payload["card"]["elements"]
    assert elements[0]["text"]["tag"] == "plain_text" and "SH001" in elements[0]["text"]["content"]
    assert elements[1] == {
        "tag": "action",
        "actions": [
            {
                "tag": "button",
                "text": {"tag": "plain_text", "content": "在手机上回复"},
                "type": "primary",
                "url": URL,
            }
        ],
    }
    _url, body, _headers = notifier.build_request(_message(Link("x", URL)), datetime.now(UTC))
    signed = json.loads(body)
    assert {"timestamp", "sign", "msg_type", "card"} <= set(signed)  # signing works for cards too


def test_slack_adds_an_actions_block_of_url_buttons():
    blocks = SlackNotifier("https://hooks.slack.com/services/T/B/x").payload(
        _message(Link("Answer from your phone", URL))
    )["blocks"]
    actions = [b for b in blocks if b["type"] == "actions"]
    assert actions == [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Answer from your phone", "emoji": False},
                    "url": URL,
                    "action_id": "storemon-answer-0",
                }
            ],
        }
    ]


def test_the_generic_webhook_passes_the_links_on():
    body, _headers = WebhookNotifier("https://hooks.example.com/storemon").build_request(
        _message(Link("Answer", URL)), datetime.now(UTC)
    )
    assert json.loads(body)["links"] == [{"label": "Answer", "url": URL}]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "https://x.example/a b"])
def test_a_link_is_only_ever_a_web_address(url):
    with pytest.raises(ValueError):
        Link("Answer", url)


class Capture:
    """A channel that records what it was asked to send (the notifier under test is the linking one)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Message]] = []

    def send(self, recipient: str, message: Message) -> None:
        self.sent.append((recipient, message))

    def send_test(self) -> None:
        raise AssertionError("not used")


def _subscribe(web: Web, *channels: dict) -> None:
    with web.services.database.sessions.begin() as session:
        setting_keys.CHANNELS.save(session, list(channels))
        setting_keys.WEB_BASE_URL.save(session, web.base_url)
        session.execute(update(User).values(email=User.username + "@example.com"))


def test_a_delivered_page_carries_a_link_that_answers_it(web: Web):
    _subscribe(
        web,
        {
            "name": "mail",
            "type": "email",
            "settings": {"host": "smtp.example.com", "sender": "s@example.com"},
        },
        {"name": "group", "type": "wecom", "settings": {"url": "https://qyapi.weixin.qq.com/x?key=k"}},
    )
    alert_id = web.services.calls.relief_request(
        "staff-sh001", "SH001", "", datetime.now(UTC), "high", ("queue",)
    )
    person = min(n.username for n in web.services.alerts.notices(SYSTEM, alert_id) if n.kind == "page")
    mail, group = Capture(), Capture()
    jobs = Jobs(web.services.database, worker_id="t", notifier_overrides={"email": mail, "group": group})
    jobs.dispatch()
    pages = [m for r, m in mail.sent if r == f"{person}@example.com" and m.kind == "page"]
    assert pages and [link.label for link in pages[0].links] == ["Answer from your phone"]
    assert group.sent and all(not m.links for _r, m in group.sent), (
        "a group hears no one's link unless allowed"
    )
    with web.phone() as phone:
        assert answer(phone, pages[0].links[0].url, "ack").status_code == 303
    assert web.services.alerts.detail(SYSTEM, alert_id)[0].owner == person


def test_a_group_allowed_to_see_links_gets_one_per_paged_person(web: Web):
    _subscribe(
        web,
        {
            "name": "group",
            "type": "dingtalk",
            "settings": {"url": "https://oapi.dingtalk.com/robot/send?access_token=t"},
            "person_links": True,
            "language": "zh_CN",
        },
    )
    alert_id = web.services.calls.relief_request(
        "staff-sh001", "SH001", "", datetime.now(UTC), "high", ("queue",)
    )
    group = Capture()
    Jobs(web.services.database, worker_id="t", notifier_overrides={"group": group}).dispatch()
    paged = {n.username for n in web.services.alerts.notices(SYSTEM, alert_id) if n.kind == "page"}
    names = web.services.alerts.display_names(SYSTEM)
    (message,) = [m for _r, m in group.sent if m.kind == "page"]
    assert sorted(link.label for link in message.links) == sorted(f"以 {names[u]} 身份回复" for u in paged)
    payload = DingTalkNotifier("https://oapi.dingtalk.com/robot/send?access_token=t").payload(message)
    assert [b["actionURL"] for b in payload["actionCard"]["btns"]] == [link.url for link in message.links]
    with web.phone() as phone:
        assert "确认接单" in phone.get(message.links[0].url).text


def test_notify_add_person_links_lets_a_group_carry_links(demo_url, services, monkeypatch, capsys):
    from storemon.cli.main import main

    monkeypatch.setenv("GROUP_URL", "https://oapi.dingtalk.com/robot/send?access_token=t")
    args = ["--db", demo_url, "notify", "add", "grp", "--type", "dingtalk", "--url-env", "GROUP_URL"]
    assert main([*args, "--person-links"]) == 0
    (channel,) = services.settings.notification_channels()
    assert channel["person_links"] is True


def test_alert_link_without_a_key_says_how_to_get_one(demo_url, services, capsys):
    from storemon.cli.main import main

    alert_id = services.calls.call_manager("staff-sh001", "SH001", datetime.now(UTC))
    code = main(
        ["--db", demo_url, "alert", "link", str(alert_id), "--for", "sup-east", "--base-url", "http://x"]
    )
    assert code == 2
    assert "no phone link key on this computer: start `storemon web` here once" in capsys.readouterr().err
