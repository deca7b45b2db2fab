"""The same stored alerts read in Chinese and in English: ``storemon alert list --language``."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from storemon.cli import main
from storemon.services.access import actor_for
from storemon.services.actions import call_backup, relief_request
from storemon.services.rules import evaluate

SIX = datetime(2026, 3, 8, 22, 0, tzinfo=UTC)  # 06:00 on the 9th in Shanghai


def _fill(demo_sessions) -> None:
    with demo_sessions.begin() as session:
        evaluate(session, SIX)
        staff = actor_for(session, "staff-sh001")
        call_backup(session, staff, "SH001", SIX, note="")
        relief_request(session, staff, "SH001", "", SIX, "high", reason_codes=("queue", "alone"))


def test_alert_list_in_chinese_shows_no_english_title(demo_url, demo_sessions, capsys):
    _fill(demo_sessions)
    assert main(["--db", demo_url, "alert", "list", "--format", "json", "--language", "zh_CN"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"early_warning", "backup_call", "relief_request"} <= {r["rule"] for r in rows}
    for row in rows:
        title = row["title"].replace(row["store_code"], "").replace(row["store_name"], "")
        assert not re.search(r"[A-Za-z]{2,}", title), row["title"]
        assert re.search(r"[\u4e00-\u9fff]", title), row["title"]
    relief = next(r for r in rows if r["rule"] == "relief_request")
    assert dict(relief["fields"]) == {"原因": "排队太长；柜台只有我一个人", "紧急程度": "立即"}

    assert main(["--db", demo_url, "alert", "list", "--language", "zh_CN"]) == 0
    text = capsys.readouterr().out
    assert "呼叫支援" in text and "换岗/支援请求" in text
    assert "Backup needed" not in text and "Relief requested" not in text
    assert "待接单" in text or "已接单" in text


def test_the_same_alerts_read_in_english(demo_url, demo_sessions, capsys):
    _fill(demo_sessions)
    assert main(["--db", demo_url, "alert", "list", "--rule", "backup_call"]) == 0
    text = capsys.readouterr().out
    assert "Backup needed at SH001" in text and " open " in text
    assert main(["--db", demo_url, "alert", "list", "--format", "json", "--rule", "relief_request"]) == 0
    (relief,) = json.loads(capsys.readouterr().out)
    assert relief["title"].startswith("Relief requested at SH001")
    assert dict(relief["fields"]) == {
        "Reason": "The queue is too long; I am alone at the counter",
        "Urgency": "Right now",
    }
    assert relief["details"]["reason_codes"] == ["queue", "alone"] and relief["details"]["urgency"] == "high"
    assert main(["--db", demo_url, "alert", "show", str(relief["id"]), "--language", "zh_CN"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["alert"]["fields"] == [["原因", "排队太长；柜台只有我一个人"], ["紧急程度", "立即"]]


def test_each_channel_gets_the_alert_in_its_own_language(demo_sessions):
    from sqlalchemy import select

    from storemon.db.models import Notification, Setting
    from storemon.services.alert_service import CHANNELS_KEY, LANGUAGE_KEY

    def channel(name: str, language: str | None) -> dict:
        found = {"name": name, "type": "webhook", "settings": {"url": "http://127.0.0.1:9/"}}
        return found | ({"language": language} if language else {})

    with demo_sessions.begin() as session:
        channels = [channel("ops-zh", "zh_CN"), channel("ops-en", "en"), channel("ops-chain", None)]
        session.merge(Setting(key=CHANNELS_KEY, value=channels))
        session.merge(Setting(key=LANGUAGE_KEY, value="zh_CN"))
    with demo_sessions.begin() as session:
        call_backup(session, actor_for(session, "staff-sh001"), "SH001", SIX, note="")
    with demo_sessions() as session:
        rows = session.scalars(select(Notification).where(Notification.channel.like("ops-%"))).all()
        titles = {row.channel: row.payload["title"] for row in rows}
        fields = {row.channel: row.payload["fields"] for row in rows}
    assert titles["ops-en"].startswith("Backup needed at SH001")
    assert "呼叫支援" in titles["ops-zh"] and titles["ops-chain"] == titles["ops-zh"]
    assert "在班人数" in fields["ops-zh"] and "Staff on shift" in fields["ops-en"]
