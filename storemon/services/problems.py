"""Problems a service refuses with, as a code plus parameters, so each front end says them in its language.

A refusal the kiosk or the Alerts screen shows (``ActionRefused``, ``KioskError``) is raised as
``SomeError(Problem.X, **params)``: ``str(exc)`` is the English text (logs, the CLI), and
``problem_text(exc, language)`` renders it for a viewer, the way ``alerts.kinds`` renders alerts.
An error raised with plain text still works: it is shown as written. Pure: no Qt, no SQLAlchemy.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from alerts.kinds import ZH_CN, language_of
from storemon.errors import StoremonError


class Problem(StrEnum):
    """Every coded refusal; the value is stable (logs and tests may name it)."""

    BAD_URGENCY = "bad_urgency"
    UNKNOWN_RELIEF_REASON = "unknown_relief_reason"
    RELIEF_NEEDS_REASON = "relief_needs_reason"
    ALREADY_COVERED = "already_covered"
    BAD_CUSTOMER_TYPE = "bad_customer_type"
    UNKNOWN_TRIGGERS = "unknown_triggers"
    PROMISE_IN_PAST = "promise_in_past"
    NEGATIVE_COMPENSATION = "negative_compensation"
    TEXT_TOO_LONG = "text_too_long"
    UNKNOWN_INCIDENT_TYPE = "unknown_incident_type"
    APPROVAL_NOT_VALID = "approval_not_valid"
    APPROVER_LIMIT = "approver_limit"
    APPROVER_NO_ACCOUNT = "approver_no_account"
    CHECKIN_SCORE = "checkin_score"
    BAD_WINDOW = "bad_window"


_TEXTS: dict[str, dict[Problem, str]] = {
    "en": {
        Problem.BAD_URGENCY: "urgency must be one of {choices}",
        Problem.UNKNOWN_RELIEF_REASON: "unknown relief reasons: {codes}",
        Problem.RELIEF_NEEDS_REASON: "say briefly why you need relief",
        Problem.ALREADY_COVERED: "already covered by {person}; thank you",
        Problem.BAD_CUSTOMER_TYPE: "customer type must be one of {choices}",
        Problem.UNKNOWN_TRIGGERS: "unknown sensitive triggers {triggers}",
        Problem.PROMISE_IN_PAST: "the promised time must be in the future",
        Problem.NEGATIVE_COMPENSATION: "compensation cannot be negative",
        Problem.TEXT_TOO_LONG: "keep the {what} under {limit} characters",
        Problem.UNKNOWN_INCIDENT_TYPE: "unknown incident type {incident_type!r}; pick one from the list",
        Problem.APPROVAL_NOT_VALID: "the approval does not cover this (or it expired); ask your colleague again",
        Problem.APPROVER_LIMIT: "this colleague may not approve that amount here",
        Problem.APPROVER_NO_ACCOUNT: "this colleague has no Storemon account at your store",
        Problem.CHECKIN_SCORE: "choose how hard the shift was, from 1 (easy) to 5 (very hard)",
        Problem.BAD_WINDOW: "the cover must end after it starts ({start} to {end}); pick a later end",
    },
    ZH_CN: {
        Problem.BAD_URGENCY: "紧急程度只能是以下之一：{choices}",
        Problem.UNKNOWN_RELIEF_REASON: "未知的换岗/支援原因：{codes}",
        Problem.RELIEF_NEEDS_REASON: "请简单说明为什么需要换岗/支援",
        Problem.ALREADY_COVERED: "{person} 已经补位，谢谢你",
        Problem.BAD_CUSTOMER_TYPE: "顾客类型只能是以下之一：{choices}",
        Problem.UNKNOWN_TRIGGERS: "未知的敏感话题：{triggers}",
        Problem.PROMISE_IN_PAST: "承诺的时间必须在将来",
        Problem.NEGATIVE_COMPENSATION: "补偿金额不能为负数",
        Problem.TEXT_TOO_LONG: "{what_zh}请控制在 {limit} 个字以内",
        Problem.UNKNOWN_INCIDENT_TYPE: "未知的事件类型“{incident_type}”；请从列表中选择",
        Problem.APPROVAL_NOT_VALID: "该批准不涵盖此金额（或已过期）；请再请同事确认一次",
        Problem.APPROVER_LIMIT: "这位同事无权在此批准该金额",
        Problem.APPROVER_NO_ACCOUNT: "这位同事在你的门店没有 Storemon 账号",
        Problem.CHECKIN_SCORE: "请选择这个班的辛苦程度，从 1（轻松）到 5（非常辛苦）",
        Problem.BAD_WINDOW: "补位的结束时间必须晚于开始时间（{start} 至 {end}）；请选一个更晚的结束时间",
    },
}
_WHAT_ZH = {"description": "描述", "note": "备注"}


def render_problem(code: Problem | str, params: dict[str, Any], language: str) -> str:
    """The problem's text in ``language`` (en or zh_CN)."""
    values = dict(params)
    values.setdefault("what_zh", _WHAT_ZH.get(str(values.get("what", "")), ""))
    return _TEXTS["en" if language_of(language) != ZH_CN else ZH_CN][Problem(code)].format(**values)


class CodedError(StoremonError):
    """An error that carries a ``Problem`` code and its parameters (or, for old call sites, text)."""

    def __init__(self, problem: Problem | str, **params: Any) -> None:
        self.problem = problem if isinstance(problem, Problem) else None
        self.params = params
        super().__init__(render_problem(problem, params, "en") if self.problem else str(problem))


def problem_text(exc: BaseException, language: str) -> str:
    """What to show a viewer for ``exc``: a coded problem in their language, anything else as it says."""
    if isinstance(exc, CodedError) and exc.problem is not None:
        return render_problem(exc.problem, exc.params, language)
    return str(exc)
