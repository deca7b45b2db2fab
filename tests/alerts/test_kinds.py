"""Every alert kind renders in English and Chinese from the same stored parameters."""

from __future__ import annotations

import json
import re

import pytest

from alerts.kinds import (
    PARAMS,
    RELIEF_REASONS,
    URGENCIES,
    AlertKind,
    BelowPolicy,
    ChannelFailing,
    CompensationApproval,
    EarlyWarning,
    HelpCall,
    Incident,
    MissedCommitment,
    PersonReason,
    ReliefRequest,
    SoloRush,
    WaitNow,
    details_for,
    kind_name,
    level_name,
    params_from_details,
    render_alert,
    render_stored,
    term,
)
from staffing.pressure import TEMPLATES

STORE = "SH001 静安寺店"
ALONE = PersonReason(
    "王芳",
    TEMPLATES["alone"],
    {
        "alone_min": 90.0,
        "periods": "07:00-08:30 with 40 orders/h: utilisation 0.97",
        "period_list": [{"start": "07:00", "end": "08:30", "orders_per_hour": 40.0, "utilisation": 0.97}],
    },
    "alone 07:00-08:30 with 40 orders/h: utilisation 0.97 (90 min with nobody to step in)",
)
BREAK = PersonReason(
    "王芳",
    TEMPLATES["no_break"],
    {"hours": 5.5, "start": "07:00", "end": "12:30"},
    "5.5 h without a break (07:00-12:30)",
)
EXAMPLES = {
    AlertKind.EARLY_WARNING: EarlyWarning("07:15", "08:30", 9.46, True, (ALONE, BREAK)),
    AlertKind.WAIT_NOW: WaitNow(11.2, 14.0, 1),
    AlertKind.SOLO_RUSH: SoloRush(0.93, (ALONE,)),
    AlertKind.BELOW_POLICY: BelowPolicy("below_policy", 1.2, 2, 6400.0),
    AlertKind.BACKUP_CALL: HelpCall(8.5, 9.0, 1, "王芳", "咖啡机坏了"),
    AlertKind.MANAGER_CALL: HelpCall(8.5, 9.0, 2, "", ""),
    AlertKind.RELIEF_REQUEST: ReliefRequest("排了十二个人", "high", ("queue", "unsafe")),
    AlertKind.INCIDENT: Incident(7, "opportunistic", ("media", "consumer_association")),
    AlertKind.COMPENSATION_APPROVAL: CompensationApproval(7, "120", "CNY", "50", "王芳", "store_manager"),
    AlertKind.MISSED_COMMITMENT: MissedCommitment(3, "15:00 给李先生回电", "王芳"),
    AlertKind.CHANNEL_FAILING: ChannelFailing("运营群", "HTTP 500"),
}
ALLOWED_LATIN = {"SH001", "CNY", "HTTP"}
"""Codes and units a Chinese rendering may keep: the store code, the currency, the protocol."""


def _latin_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", text) if w not in ALLOWED_LATIN}


def _all_text(rendered) -> str:
    parts = [rendered.title, rendered.headline, rendered.note, *rendered.reasons]
    for label, value in rendered.fields:
        parts += [label, value]
    return "\n".join(parts)


def test_every_kind_has_an_example_and_a_parameter_type():
    assert set(EXAMPLES) == set(AlertKind) == set(PARAMS)


@pytest.mark.parametrize("kind", list(AlertKind))
def test_chinese_rendering_has_no_english_left(kind):
    rendered = render_alert(kind, EXAMPLES[kind], "zh_CN", STORE)
    assert rendered.title and rendered.headline and rendered.fields
    assert _latin_words(_all_text(rendered)) == set(), _all_text(rendered)
    assert _latin_words(kind_name(kind, "zh_CN")) == set()


@pytest.mark.parametrize("kind", list(AlertKind))
def test_english_rendering_is_english_and_differs_from_chinese(kind):
    english = render_alert(kind, EXAMPLES[kind], "en", STORE)
    chinese = render_alert(kind, EXAMPLES[kind], "zh_CN", STORE)
    assert english.title != chinese.title
    assert [label for label, _v in english.fields] != [label for label, _v in chinese.fields]
    assert re.search(r"[A-Za-z]{3,}", english.title)


@pytest.mark.parametrize("kind", list(AlertKind))
def test_stored_details_round_trip_through_json_to_the_same_rendering(kind):
    params = EXAMPLES[kind]
    stored = json.loads(json.dumps(details_for(params, requested_by="staff-sh001", covered_by=None)))
    assert params_from_details(kind, stored) == params
    for language in ("en", "zh_CN"):
        assert render_stored(kind, stored, "ignored", language, STORE) == render_alert(
            kind, params, language, STORE
        )


def test_english_headlines_keep_the_wording_readers_and_tests_know():
    def headline(kind):
        return render_alert(kind, EXAMPLES[kind], "en", STORE).headline

    assert headline(AlertKind.WAIT_NOW) == f"Customers waiting 11 min at {STORE}"
    assert headline(AlertKind.BACKUP_CALL) == f"Backup needed at {STORE}"
    assert headline(AlertKind.EARLY_WARNING) == (
        f"Rush ahead at {STORE}: waits up to 9 min from 07:15 with one person alone"
    )
    assert headline(AlertKind.CHANNEL_FAILING) == "Notification channel '运营群' is failing"
    relief = render_alert(AlertKind.RELIEF_REQUEST, EXAMPLES[AlertKind.RELIEF_REQUEST], "en", STORE)
    assert relief.title == "Relief requested: The queue is too long; I feel unsafe; 排了十二个人"


def test_values_are_human_not_codes():
    relief = EXAMPLES[AlertKind.RELIEF_REQUEST]
    assert dict(render_alert(AlertKind.RELIEF_REQUEST, relief, "en").fields)["Urgency"] == "Right now"
    assert dict(render_alert(AlertKind.RELIEF_REQUEST, relief, "zh_CN").fields)["紧急程度"] == "立即"
    approval = render_alert(AlertKind.COMPENSATION_APPROVAL, EXAMPLES[AlertKind.COMPENSATION_APPROVAL], "en")
    assert dict(approval.fields)["Compensation"] == "120.00 CNY"
    assert approval.reasons[1] == "the lowest role that may grant 120.00 CNY is store manager"
    for code in RELIEF_REASONS:
        assert term("reason", code, "zh_CN") != code and term("reason", code, "en") != code
    for code in URGENCIES:
        assert term("urgency", code, "zh_CN") != code


def test_pressure_reasons_read_in_the_alert_language():
    warning = render_alert(AlertKind.EARLY_WARNING, EXAMPLES[AlertKind.EARLY_WARNING], "zh_CN")
    assert warning.reasons[0].startswith("王芳：单人在岗 07:00-08:30 40 单/小时")
    english = render_alert(AlertKind.EARLY_WARNING, EXAMPLES[AlertKind.EARLY_WARNING], "en")
    assert english.reasons[0] == f"王芳: {ALONE.explanation}"


def test_a_reason_whose_template_is_unknown_shows_its_english_text():
    odd = PersonReason("王芳", "a template from a newer version {x}", {"x": 1}, "the English text")
    rendered = render_alert(AlertKind.SOLO_RUSH, SoloRush(None, (odd,)), "zh_CN")
    assert rendered.reasons == ("王芳：the English text",)
    assert dict(rendered.fields)["利用率"] == "无人可接待", "nobody free to serve, never ∞"


def test_an_old_row_without_parameters_shows_its_stored_title_and_fields():
    old = {"fields": {"Wait (min)": "9.5"}, "reasons": ["王芳: alone"], "note": "hi"}
    rendered = render_stored("wait_now", old, "Customers waiting 9 min at SH001", "zh_CN")
    assert rendered.title == rendered.headline == "Customers waiting 9 min at SH001"
    assert rendered.fields == (("Wait (min)", "9.5"),) and rendered.reasons == ("王芳: alone",)
    assert render_stored("some_future_rule", {}, "Queue", "en").title == "Queue"


def test_default_level_names_translate_and_a_chain_s_own_names_stay():
    assert level_name("Shift lead / store manager", "zh_CN") == "值班主管 / 店长"
    assert level_name("区域经理", "zh_CN") == "区域经理"
