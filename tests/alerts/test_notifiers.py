"""Notifiers against real local servers: what arrives, in which format, and how failures read."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import urllib.parse
from datetime import UTC, datetime, timedelta, timezone

import pytest

from alerts.message import Message
from alerts.notifiers import (
    DeliveryError,
    DingTalkNotifier,
    FeishuNotifier,
    Notifier,
    SettingsError,
    SlackNotifier,
    SmtpNotifier,
    WebhookNotifier,
    WeComNotifier,
    notifier_from_settings,
    verify_signature,
)
from alerts.notifiers.smtp import message_id_for
from tests.alerts.conftest import SMTP_PASSWORD, SMTP_USER
from tests.alerts.servers import LOCALHOST, Reply, free_port

NOW = datetime(2024, 5, 17, 3, 4, 5, tzinfo=UTC)
SECRET = "SECdeadbeef-very-secret-value"
TOKEN = "tok3n-abcdef0123456789"
HOSTILE = 'Li "Lei" <script>alert(1)</script> & <!channel> <@all> [x](http://evil) *b* \u202eevil\u202c'
SENDER = "alerts@storemon.example"


def clock() -> datetime:
    return NOW


def make_message(**overrides) -> Message:
    values = dict(
        idempotency_key="alert-42-level-2-u7",
        title="门店人手不足：需要支援",
        body="前台只有 1 人，排队 14 人。\nQueue is 14 long with one person on the counter.",
        severity="critical",
        alert_id=42,
        store="人民广场店",
        level=2,
        kind="relief_request",
        fields={"在岗 On shift": "1"},
        created_at=NOW,
    )
    values.update(overrides)
    return Message(**values)


# -- email ---------------------------------------------------------------------------------------


def test_email_arrives_with_utf8_chinese_subject_and_idempotency_headers(smtp_server):
    server = smtp_server(mode="none")
    notifier = SmtpNotifier(LOCALHOST, server.port, "none", sender=SENDER, clock=clock)
    message = make_message()

    notifier.send("manager@store.example", message)

    (mail,) = server.received
    assert mail.rcpt_tos == ["manager@store.example"]
    email = mail.message
    assert email["Subject"] == "【紧急】门店人手不足：需要支援"
    assert b"=?utf-8?" in mail.raw.split(b"\r\n\r\n")[0].lower()  # RFC 2047 encoded on the wire
    assert email["X-Storemon-Idempotency-Key"] == "alert-42-level-2-u7"
    assert email["Message-ID"].strip() == message_id_for("alert-42-level-2-u7", SENDER)
    text = email.get_body(("plain",)).get_content()
    assert "排队 14 人" in text and "人民广场店" in text
    assert email.get_body(("html",)).get_content().count("<p>") == 2


def test_email_over_starttls_with_auth(smtp_server, certificate):
    server = smtp_server(mode="starttls", certificate=certificate, users={SMTP_USER: SMTP_PASSWORD})
    notifier = SmtpNotifier(
        LOCALHOST, server.port, "starttls", SMTP_USER, SMTP_PASSWORD, SENDER,
        ssl_context=certificate.client_context(), clock=clock,
    )  # fmt: skip

    notifier.send("staff@store.example", make_message())

    (mail,) = server.received
    assert mail.authenticated_as == SMTP_USER
    assert mail.over_tls
    assert mail.message["Subject"] == "【紧急】门店人手不足：需要支援"


def test_email_over_implicit_tls(smtp_server, certificate):
    server = smtp_server(mode="ssl", certificate=certificate)
    notifier = SmtpNotifier(
        LOCALHOST, server.port, "ssl", sender=SENDER, ssl_context=certificate.client_context(), clock=clock
    )

    notifier.send("staff@store.example", make_message())

    assert len(server.received) == 1 and server.received[0].over_tls


def test_email_wrong_password_is_permanent_and_names_user_not_password(smtp_server, certificate, caplog):
    caplog.set_level(logging.DEBUG)
    server = smtp_server(mode="starttls", certificate=certificate, users={SMTP_USER: "the-right-one"})
    notifier = SmtpNotifier(
        LOCALHOST, server.port, "starttls", SMTP_USER, SMTP_PASSWORD, SENDER,
        ssl_context=certificate.client_context(), clock=clock,
    )  # fmt: skip

    with pytest.raises(DeliveryError) as caught:
        notifier.send("staff@store.example", make_message())

    error = caught.value
    assert not error.retryable
    assert str(error) == (
        f"SMTP login failed for user {SMTP_USER} at {LOCALHOST}:{server.port}; check the password in Settings"
    )
    for text in (str(error), repr(error), repr(notifier), caplog.text):
        assert SMTP_PASSWORD not in text
    assert error.__cause__ is None and server.received == []


def test_email_refuses_an_untrusted_certificate(smtp_server, certificate):
    server = smtp_server(mode="starttls", certificate=certificate)
    notifier = SmtpNotifier(LOCALHOST, server.port, "starttls", sender=SENDER, clock=clock)  # system CAs only

    with pytest.raises(DeliveryError, match="certificate could not be verified") as caught:
        notifier.send("staff@store.example", make_message())
    assert not caught.value.retryable and server.received == []


def test_email_starttls_required_but_not_offered_is_permanent(smtp_server):
    server = smtp_server(mode="none")
    notifier = SmtpNotifier(LOCALHOST, server.port, "starttls", sender=SENDER, clock=clock)

    with pytest.raises(DeliveryError, match="does not offer STARTTLS") as caught:
        notifier.send("staff@store.example", make_message())
    assert not caught.value.retryable and server.received == []


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [("550 5.1.1 No such user here", False), ("451 4.3.0 Mailbox busy, try later", True)],
)
def test_email_refused_recipient_5xx_is_permanent_4xx_retryable(smtp_server, reply, retryable):
    server = smtp_server(mode="none")
    server.handler.refuse["gone@store.example"] = reply
    notifier = SmtpNotifier(LOCALHOST, server.port, "none", sender=SENDER, clock=clock)

    with pytest.raises(DeliveryError, match="refused recipient gone@store.example") as caught:
        notifier.send("gone@store.example", make_message())
    assert caught.value.retryable is retryable


def test_email_connection_refused_is_retryable():
    notifier = SmtpNotifier(LOCALHOST, free_port(), "none", sender=SENDER, clock=clock, timeout=2)

    with pytest.raises(DeliveryError, match="connection refused") as caught:
        notifier.send("staff@store.example", make_message())
    assert caught.value.retryable


def test_email_bad_recipient_address_is_permanent_before_connecting():
    notifier = SmtpNotifier(LOCALHOST, free_port(), "none", sender=SENDER, clock=clock)
    with pytest.raises(DeliveryError, match="not an email address") as caught:
        notifier.send("staff@store.example\r\nBcc: all@evil.example", make_message())
    assert not caught.value.retryable


def test_email_escapes_hostile_names_in_html_and_keeps_headers_single_line(smtp_server):
    server = smtp_server(mode="none")
    notifier = SmtpNotifier(LOCALHOST, server.port, "none", sender=SENDER, clock=clock)

    notifier.send(
        "staff@store.example", make_message(store=HOSTILE, title="求助\r\nBcc: x@evil.example", body=HOSTILE)
    )

    email = server.received[0].message
    assert email["Bcc"] is None and "\n" not in email["Subject"]
    html = email.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\u202e" not in html and "\u202e" not in email.get_body(("plain",)).get_content()


# -- generic webhook -----------------------------------------------------------------------------


def test_webhook_posts_the_message_as_signed_json(http_server):
    notifier = WebhookNotifier(http_server.url(f"/in/{TOKEN}"), secret=SECRET, clock=clock)
    message = make_message(store=HOSTILE)

    notifier.send("", message)

    (request,) = http_server.requests
    assert request.path == f"/in/{TOKEN}"
    assert request.header("Content-Type") == "application/json"
    assert request.header("Idempotency-Key") == message.idempotency_key
    assert request.header("X-Storemon-Timestamp") == str(int(NOW.timestamp()))
    assert request.json() == {
        "idempotency_key": "alert-42-level-2-u7",
        "title": "门店人手不足：需要支援",
        "body": message.body,
        "severity": "critical",
        "alert_id": 42,
        "store": HOSTILE,
        "level": 2,
        "kind": "relief_request",
        "fields": {"在岗 On shift": "1"},
        "created_at": "2024-05-17T03:04:05+00:00",
    }
    timestamp, signature = request.header("X-Storemon-Timestamp"), request.header("X-Storemon-Signature")
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    assert verify_signature(SECRET, timestamp, request.body, signature, now=NOW)
    assert verify_signature(SECRET, timestamp, request.body, signature, now=NOW + timedelta(minutes=1))
    # Without `now`, the current time: a request signed long ago is a replay.
    assert not verify_signature(SECRET, timestamp, request.body, signature)
    assert not verify_signature(SECRET, timestamp, request.body.replace(b"42", b"43"), signature, now=NOW)
    assert not verify_signature("another-secret", timestamp, request.body, signature, now=NOW)
    assert not verify_signature(SECRET, str(int(timestamp) + 1), request.body, signature, now=NOW)
    assert not verify_signature(SECRET, timestamp, request.body, signature, now=NOW + timedelta(hours=1))
    assert not verify_signature(SECRET, timestamp, request.body, None, now=NOW)
    hostile = ["", "9" * 40, "²³", "١٢٣٤٥", "-5", " 12", "sha256=é", "\x00", 17]
    for value in hostile:  # malformed timestamps or signatures are False, never an exception
        assert not verify_signature(SECRET, value, request.body, signature, now=NOW)
        assert not verify_signature(SECRET, timestamp, request.body, value, now=NOW)


def test_webhook_without_secret_sends_no_signature(http_server):
    WebhookNotifier(http_server.url(), clock=clock).send("", make_message())
    assert http_server.requests[0].header("X-Storemon-Signature") is None


@pytest.mark.parametrize(
    ("reply", "retryable", "retry_after"),
    [
        (Reply(500, b"boom"), True, None),
        (Reply(503, headers={"Retry-After": "120"}), True, 120.0),
        (Reply(429, headers={"Retry-After": "7"}), True, 7.0),
        (Reply(429, headers={"Retry-After": "Fri, 17 May 2024 03:05:05 GMT"}), True, 60.0),
        (Reply(408), True, None),
        (Reply(400, b"bad payload"), False, None),
        (Reply(401), False, None),
        (Reply(404), False, None),
        (Reply(410), False, None),
        (Reply(301, headers={"Location": "http://127.0.0.1:1/elsewhere"}), False, None),
    ],
)
def test_webhook_statuses_are_sorted_into_retry_or_give_up(http_server, reply, retryable, retry_after):
    http_server.script(reply)
    notifier = WebhookNotifier(http_server.url(f"/in/{TOKEN}"), secret=SECRET, clock=clock)

    with pytest.raises(DeliveryError) as caught:
        notifier.send("", make_message())

    assert caught.value.retryable is retryable
    assert caught.value.retry_after == retry_after
    assert f"HTTP {reply.status}" in str(caught.value)
    assert TOKEN not in str(caught.value) and SECRET not in str(caught.value)
    assert len(http_server.requests) == 1  # a redirect is not followed


def test_webhook_timeout_is_retryable(http_server):
    http_server.script(Reply(hang=True))
    notifier = WebhookNotifier(http_server.url(), timeout=0.2, clock=clock)

    with pytest.raises(DeliveryError, match="timed out") as caught:
        notifier.send("", make_message())
    assert caught.value.retryable


def test_webhook_connection_refused_is_retryable_and_hides_the_token():
    notifier = WebhookNotifier(f"http://{LOCALHOST}:{free_port()}/in/{TOKEN}?key={TOKEN}", clock=clock)

    with pytest.raises(DeliveryError, match="connection refused") as caught:
        notifier.send("", make_message())
    assert caught.value.retryable and TOKEN not in str(caught.value)


# -- chat platforms ------------------------------------------------------------------------------


def test_wecom_posts_documented_markdown(http_server):
    http_server.default = Reply(200, b'{"errcode":0,"errmsg":"ok"}')
    notifier = WeComNotifier(http_server.url(f"/cgi-bin/webhook/send?key={TOKEN}"), clock=clock)

    notifier.send("", make_message())

    (request,) = http_server.requests
    assert request.path == f"/cgi-bin/webhook/send?key={TOKEN}"
    payload = request.json()
    assert list(payload) == ["msgtype", "markdown"] and list(payload["markdown"]) == ["content"]
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["content"] == (
        '<font color="warning">【紧急】</font>**门店人手不足：需要支援**\n'
        "前台只有 1 人，排队 14 人。\nQueue is 14 long with one person on the counter.\n"
        '> 门店 Store: <font color="comment">人民广场店</font>\n'
        '> 级别 Level: <font color="comment">2</font>\n'
        '> 在岗 On shift: <font color="comment">1</font>\n'
        '> 告警 Alert: <font color="comment">#42</font>\n'
        "— Storemon"
    )


def test_wecom_neutralises_hostile_text_and_respects_the_byte_limit(http_server):
    http_server.default = Reply(200, b'{"errcode":0,"errmsg":"ok"}')
    notifier = WeComNotifier(http_server.url(), clock=clock)

    notifier.send("", make_message(store=HOSTILE, body=HOSTILE * 200))

    content = http_server.requests[0].json()["markdown"]["content"]
    assert "<script>" not in content and "<@all>" not in content and "[x](" not in content
    assert "\u202e" not in content and "＜script＞" in content
    assert len(content.encode("utf-8")) <= 4096


@pytest.mark.parametrize(("errcode", "retryable"), [(45009, True), (-1, True), (93000, False)])
def test_wecom_nonzero_errcode_is_a_failure(http_server, errcode, retryable):
    http_server.default = Reply(200, json.dumps({"errcode": errcode, "errmsg": f"boom key={TOKEN}"}).encode())
    notifier = WeComNotifier(http_server.url(f"/send?key={TOKEN}"), clock=clock)

    with pytest.raises(DeliveryError, match=f"error {errcode}") as caught:
        notifier.send("", make_message())
    assert caught.value.retryable is retryable and TOKEN not in str(caught.value)


def test_chat_robot_answering_something_else_is_a_permanent_failure(http_server):
    http_server.default = Reply(200, b"<html>captive portal</html>")
    with pytest.raises(DeliveryError, match="not the WeCom API") as caught:
        WeComNotifier(http_server.url(), clock=clock).send("", make_message())
    assert not caught.value.retryable


def test_dingtalk_posts_documented_markdown_with_a_verifiable_signature(http_server):
    http_server.default = Reply(200, b'{"errcode":0,"errmsg":"ok"}')
    notifier = DingTalkNotifier(
        http_server.url(f"/robot/send?access_token={TOKEN}"), secret=SECRET, clock=clock
    )

    notifier.send("", make_message())

    (request,) = http_server.requests
    path, _, query = request.path.partition("?")
    assert path == "/robot/send"
    params = urllib.parse.parse_qs(query)
    assert params["access_token"] == [TOKEN]
    timestamp = params["timestamp"][0]
    assert timestamp == str(int(NOW.timestamp() * 1000))
    # The documented algorithm, computed independently: HmacSHA256(key=secret, "ts\nsecret"), Base64.
    digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    assert params["sign"] == [expected]
    assert f"sign={urllib.parse.quote_plus(expected)}" in query  # URL-encoded on the wire
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {
            "title": "【紧急】门店人手不足：需要支援",
            "text": "#### 【紧急】门店人手不足：需要支援\n\n"
            "前台只有 1 人，排队 14 人。\n\nQueue is 14 long with one person on the counter.\n\n"
            "> 门店 Store: 人民广场店\n\n> 级别 Level: 2\n\n> 在岗 On shift: 1\n\n> 告警 Alert: #42\n\n— Storemon",
        },
    }


def test_dingtalk_without_secret_does_not_sign(http_server):
    http_server.default = Reply(200, b'{"errcode":0,"errmsg":"ok"}')
    DingTalkNotifier(http_server.url(f"/robot/send?access_token={TOKEN}"), clock=clock).send(
        "", make_message()
    )
    assert http_server.requests[0].path == f"/robot/send?access_token={TOKEN}"


@pytest.mark.parametrize(("errcode", "retryable"), [(130101, True), (310000, False)])
def test_dingtalk_nonzero_errcode_is_a_failure(http_server, errcode, retryable):
    http_server.default = Reply(200, json.dumps({"errcode": errcode, "errmsg": "sign not match"}).encode())
    with pytest.raises(DeliveryError, match=f"error {errcode}") as caught:
        DingTalkNotifier(http_server.url(), secret=SECRET, clock=clock).send("", make_message())
    assert caught.value.retryable is retryable and SECRET not in str(caught.value)


def test_feishu_posts_documented_rich_text_with_a_verifiable_signature(http_server):
    http_server.default = Reply(200, b'{"code":0,"msg":"success","data":{}}')
    notifier = FeishuNotifier(http_server.url(f"/open-apis/bot/v2/hook/{TOKEN}"), secret=SECRET, clock=clock)

    notifier.send("", make_message())

    payload = http_server.requests[0].json()
    timestamp = str(int(NOW.timestamp()))
    # The documented algorithm, computed independently: HmacSHA256(key="ts\nsecret", msg=""), Base64.
    expected = base64.b64encode(
        hmac.new(f"{timestamp}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    lines = [
        "前台只有 1 人，排队 14 人。",
        "Queue is 14 long with one person on the counter.",
        "门店 Store: 人民广场店",
        "级别 Level: 2",
        "在岗 On shift: 1",
        "告警 Alert: #42",
        "— Storemon",
    ]
    assert payload == {
        "timestamp": timestamp,
        "sign": expected,
        "msg_type": "post",
        "content": {
            "post": {
                "zh_cn": {
                    "title": "【紧急】门店人手不足：需要支援",
                    "content": [[{"tag": "text", "text": line}] for line in lines],
                }
            }
        },
    }


@pytest.mark.parametrize(
    ("answer", "error", "retryable"),
    [
        (b'{"StatusCode":0,"StatusMessage":"success"}', None, None),
        (b'{"code":11232,"msg":"frequency limited"}', "error 11232", True),
        (b'{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}', "error 19021", False),
    ],
)  # fmt: skip
def test_feishu_answers(http_server, answer, error, retryable):
    http_server.default = Reply(200, answer)
    notifier = FeishuNotifier(http_server.url(), secret=SECRET, clock=clock)
    if error is None:
        notifier.send("", make_message())
        return
    with pytest.raises(DeliveryError, match=error) as caught:
        notifier.send("", make_message())
    assert caught.value.retryable is retryable


def test_slack_posts_documented_blocks_with_escaped_text(http_server):
    http_server.default = Reply(200, b"ok")
    notifier = SlackNotifier(http_server.url(f"/services/T000/B000/{TOKEN}"), clock=clock)

    notifier.send("", make_message(store="A&B <Store>", body="Need help <!channel> & now"))

    payload = http_server.requests[0].json()
    assert payload == {
        "text": "[Critical] 门店人手不足：需要支援 — A&amp;B &lt;Store&gt;",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Critical: 门店人手不足：需要支援", "emoji": True}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "Need help &lt;!channel&gt; &amp; now"}},
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Severity*\n:rotating_light: Critical"},
                    {"type": "mrkdwn", "text": "*门店 Store*\nA&amp;B &lt;Store&gt;"},
                    {"type": "mrkdwn", "text": "*级别 Level*\n2"},
                    {"type": "mrkdwn", "text": "*在岗 On shift*\n1"},
                ],
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Storemon · alert #42 · ref alert-42-level-2-u7"}]},
        ],
    }  # fmt: skip


def test_slack_hostile_and_huge_text_stays_valid_and_within_limits(http_server):
    http_server.default = Reply(200, b"ok")
    SlackNotifier(http_server.url(), clock=clock).send("", make_message(title=HOSTILE * 20, body="&" * 5000))

    payload = json.loads(http_server.requests[0].body)  # valid JSON
    # Slack parses `text` and mrkdwn objects; plain_text (the header) is shown as typed.
    mrkdwn = [payload["text"], payload["blocks"][1]["text"]["text"]]
    mrkdwn += [f["text"] for f in payload["blocks"][2]["fields"]]
    assert all("<" not in text for text in mrkdwn)
    assert payload["blocks"][0]["text"]["type"] == "plain_text"
    assert len(payload["blocks"][0]["text"]["text"]) <= 150
    section = payload["blocks"][1]["text"]["text"]
    assert len(section) <= 3000 and section.endswith(("&amp;", "…"))
    assert "&amp;&amp" in section and "&am…" not in section


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [(Reply(200, b"not ok"), False), (Reply(404, b"no_service"), False), (Reply(429, headers={"Retry-After": "30"}), True)],
)  # fmt: skip
def test_slack_failures(http_server, reply, retryable):
    http_server.script(reply)
    with pytest.raises(DeliveryError) as caught:
        SlackNotifier(http_server.url(f"/services/{TOKEN}"), clock=clock).send("", make_message())
    assert caught.value.retryable is retryable and TOKEN not in str(caught.value)


def test_hostile_text_keeps_every_platform_payload_valid_json(http_server):
    http_server.default = Reply(200, b'{"errcode":0,"code":0}')
    hostile = make_message(store=HOSTILE + "\ud800", body=HOSTILE * 50, fields={HOSTILE: HOSTILE})
    for notifier in (
        WeComNotifier(http_server.url(), clock=clock),
        DingTalkNotifier(http_server.url(), secret=SECRET, clock=clock),
        FeishuNotifier(http_server.url(), secret=SECRET, clock=clock),
        WebhookNotifier(http_server.url(), secret=SECRET, clock=clock),
    ):
        notifier.send("", hostile)
    for request in http_server.requests:
        document = json.loads(request.body)
        assert document
        if "store" not in document:  # platform formats: no bidi override survives
            assert "\u202e" not in request.body.decode("utf-8")


# -- send test, repr, settings -------------------------------------------------------------------


def all_http_notifiers(url: str) -> list[Notifier]:
    return [
        WebhookNotifier(url, secret=SECRET, clock=clock),
        WeComNotifier(url, clock=clock),
        DingTalkNotifier(url, secret=SECRET, clock=clock),
        FeishuNotifier(url, secret=SECRET, clock=clock),
        SlackNotifier(url, clock=clock),
    ]


def test_send_test_posts_a_labelled_test_message_on_every_webhook_channel(http_server):
    http_server.default = Reply(200, b"ok")
    answers = {
        "webhook": b"ok",
        "wecom": b'{"errcode":0}',
        "dingtalk": b'{"errcode":0}',
        "feishu": b'{"code":0}',
    }
    for notifier in all_http_notifiers(http_server.url()):
        http_server.script(Reply(200, answers.get(notifier.channel, b"ok")))
        notifier.send_test()
    assert len(http_server.requests) == 5
    for request in http_server.requests:
        text = json.dumps(request.json(), ensure_ascii=False)
        assert "测试消息" in text and "test message" in text
    assert http_server.requests[0].json()["kind"] == "test"


def test_send_test_emails_a_labelled_test_message(smtp_server):
    server = smtp_server(mode="none")
    SmtpNotifier(LOCALHOST, server.port, "none", sender=SENDER, clock=clock).send_test()
    (mail,) = server.received
    assert mail.rcpt_tos == [SENDER]
    assert "测试消息" in mail.message["Subject"] and "test message" in mail.message["Subject"]


def test_repr_never_shows_a_secret_password_or_url_token():
    url = f"https://hooks.example.com/services/{TOKEN}?key={TOKEN}"
    notifiers: list[Notifier] = [
        *all_http_notifiers(url),
        SmtpNotifier("smtp.example.com", 587, "starttls", SMTP_USER, SMTP_PASSWORD, SENDER),
    ]
    for notifier in notifiers:
        assert isinstance(notifier, Notifier)
        shown = repr(notifier)
        assert SECRET not in shown and TOKEN not in shown and SMTP_PASSWORD not in shown
        assert "hooks.example.com" in shown or "smtp.example.com" in shown


def test_notifier_from_settings_builds_each_channel():
    url = "https://example.com/hook"
    built = {
        "email": notifier_from_settings(
            "smtp", {"host": "smtp.example.com", "port": "465", "security": "ssl", "sender": SENDER}
        ),
        "webhook": notifier_from_settings("webhook", {"url": url, "secret": SECRET, "timeout": "3"}),
        "wecom": notifier_from_settings("wecom", {"url": url}),
        "dingtalk": notifier_from_settings("dingtalk", {"url": url, "secret": SECRET}),
        "feishu": notifier_from_settings("lark", {"url": url}),
        "slack": notifier_from_settings("slack", {"url": url}),
    }
    for channel, notifier in built.items():
        assert notifier.channel == channel
    assert built["email"].port == 465 and built["webhook"].timeout == 3.0


@pytest.mark.parametrize(
    ("channel", "settings", "setting", "words"),
    [
        ("email", {"sender": SENDER}, "host", "is required"),
        ("email", {"host": "smtp.example.com", "sender": SENDER, "port": "abc"}, "port", "number from 1 to 65535"),
        ("email", {"host": "smtp.example.com", "sender": SENDER, "port": 70000}, "port", "number from 1 to 65535"),
        ("email", {"host": "smtp.example.com", "sender": SENDER, "security": "tls"}, "security", "none, starttls, ssl"),
        ("email", {"host": "smtp.example.com", "sender": "not-an-address"}, "sender", "email address"),
        ("email", {"host": "smtp.example.com", "sender": SENDER, "pasword": "x"}, "pasword", "not a setting"),
        ("email", {"host": "smtp.example.com", "sender": SENDER, "password": SMTP_PASSWORD}, "username", "required"),
        ("email", {"host": "smtp.example.com", "sender": SENDER, "ca_file": "/nonexistent.pem"}, "ca_file", "cannot be read"),
        ("webhook", {}, "url", "is required"),
        ("webhook", {"url": f"ftp://example.com/{TOKEN}"}, "url", "http:// or https://"),
        ("webhook", {"url": "https://example.com", "timeout": "-1"}, "timeout", "number from"),
        ("wecom", {"url": "https://example.com", "secret": SECRET}, "secret", "not a setting"),
        ("slack", {"url": "https://example.com", "html": "maybe"}, "html", "not a setting"),
    ],
)  # fmt: skip
def test_notifier_from_settings_says_which_setting_is_wrong(channel, settings, setting, words):
    with pytest.raises(SettingsError) as caught:
        notifier_from_settings(channel, settings)
    assert caught.value.setting == setting
    assert f"'{setting}'" in str(caught.value) and words in str(caught.value)
    assert SMTP_PASSWORD not in str(caught.value) and TOKEN not in str(caught.value)


def test_notifier_from_settings_rejects_an_unknown_channel():
    with pytest.raises(SettingsError, match="unknown channel"):
        notifier_from_settings("pager", {})


# -- message -------------------------------------------------------------------------------------


def test_message_round_trips_through_json_data_and_rejects_bad_values():
    message = make_message(created_at=datetime(2024, 5, 17, 11, 4, 5, tzinfo=timezone(timedelta(hours=8))))
    assert message.created_at == NOW and message.created_at.tzinfo == UTC
    assert Message.from_dict(json.loads(json.dumps(message.to_dict()))) == message
    with pytest.raises(ValueError, match="severity"):
        make_message(severity="urgent")
    with pytest.raises(ValueError, match="aware"):
        make_message(created_at=datetime(2024, 5, 17, 3, 4, 5))
    with pytest.raises(ValueError, match="idempotency_key"):
        make_message(idempotency_key="key with spaces\r\nX-Injected: 1")
