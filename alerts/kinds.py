"""Alert kinds: one enum member per kind of alert, typed parameters, and one renderer (en, zh_CN).

A stored alert keeps ``rule`` = the kind's value and ``details`` = its parameters as JSON (plus a
few bookkeeping keys such as ``covered_by``), never English prose meant to be parsed. Every front
end (the UI, the CLI, the notifiers, the reports) calls ``render_alert`` or ``render_stored`` in
its reader's language, so the same row reads in Chinese and in English. The ``title`` column keeps
the English headline for old readers and search only; nobody parses it. Rows written before the
kinds existed have no parameters: ``render_stored`` shows their stored title and fields as they are.

Like ``staffing/pressure.py`` reasons, the text is a template per language plus the parameters.
Pure: no Qt, no SQLAlchemy, nothing of ``storemon``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, ClassVar

EN = "en"
ZH_CN = "zh_CN"
LANGUAGES = (EN, ZH_CN)


def language_of(value: str | None) -> str:
    """``zh``, ``zh_CN``, ``zh-Hans``... -> ``zh_CN``; anything else (or nothing) -> ``en``."""
    return ZH_CN if value and value.replace("-", "_").lower().startswith("zh") else EN


class AlertKind(StrEnum):
    """Every kind of alert Storemon raises; the value is what the ``rule`` column stores."""

    EARLY_WARNING = "early_warning"
    WAIT_NOW = "wait_now"
    SOLO_RUSH = "solo_rush"
    BELOW_POLICY = "below_policy"
    BACKUP_CALL = "backup_call"
    MANAGER_CALL = "manager_call"
    RELIEF_REQUEST = "relief_request"
    INCIDENT = "incident"
    COMPENSATION_APPROVAL = "compensation_approval"
    MISSED_COMMITMENT = "missed_commitment"
    CHANNEL_FAILING = "channel_failing"


# ------------------------------------------------------------------------------------ parameters


@dataclass(frozen=True)
class PersonReason:
    """One pressure reason of a person on shift (``staffing.pressure.Reason`` as the day model keeps it)."""

    person: str
    template: str
    params: dict[str, Any]
    explanation: str
    """The English text, shown when the template is unknown or lost a placeholder."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PersonReason:
        return cls(
            str(data.get("person", "")),
            str(data.get("template", "")),
            dict(data.get("params") or {}),
            str(data.get("explanation", "")),
        )


@dataclass(frozen=True)
class AlertParams:
    """Base of the typed parameters; ``to_json``/``from_json`` are what the ``details`` column holds."""

    kinds: ClassVar[tuple[AlertKind, ...]] = ()

    def to_json(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AlertParams:
        """The parameters from stored details; ``KeyError`` when one is missing (an old row)."""
        values = {}
        for f in dataclasses.fields(cls):
            if f.name in data:
                values[f.name] = data[f.name]
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise KeyError(f.name)
        return cls(**values)


def _plain(value: Any) -> Any:
    if isinstance(value, PersonReason):
        return dataclasses.asdict(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class EarlyWarning(AlertParams):
    """Waits over target or customers walking away ahead (local ``start``-``end``, "HH:MM"), worst
    ``peak_wait_minutes``, ``walked_away`` customers expected to leave unserved in that window."""

    kinds: ClassVar = (AlertKind.EARLY_WARNING,)
    start: str
    end: str
    peak_wait_minutes: float
    alone: bool
    reasons: tuple[PersonReason, ...] = ()
    walked_away: float = 0.0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EarlyWarning:
        return cls(
            str(data["start"]),
            str(data["end"]),
            float(data["peak_wait_minutes"]),
            bool(data["alone"]),
            tuple(PersonReason.from_json(r) for r in data.get("reasons") or () if isinstance(r, Mapping)),
            float(data.get("walked_away") or 0.0),
        )


@dataclass(frozen=True)
class WaitNow(AlertParams):
    """Customers wait too long, or walk away, in the current 15 minutes."""

    kinds: ClassVar = (AlertKind.WAIT_NOW,)
    wait_minutes: float
    backlog: float
    staff_on_shift: int
    walked_away: float = 0.0


@dataclass(frozen=True)
class SoloRush(AlertParams):
    """One person alone at a utilisation of a rush."""

    kinds: ClassVar = (AlertKind.SOLO_RUSH,)
    utilisation: float | None
    """None where orders arrive and nobody serves them (an unbounded load)."""
    reasons: tuple[PersonReason, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SoloRush:
        return cls(
            None if data["utilisation"] is None else float(data["utilisation"]),
            tuple(PersonReason.from_json(r) for r in data.get("reasons") or () if isinstance(r, Mapping)),
        )


@dataclass(frozen=True)
class BelowPolicy(AlertParams):
    """The roster is outside the tier policy: below what it asks (``below_policy``) or in a ``gap``."""

    kinds: ClassVar = (AlertKind.BELOW_POLICY,)
    policy_status: str
    rostered_per_shift: float
    policy_staff: int | None
    revenue: float


@dataclass(frozen=True)
class HelpCall(AlertParams):
    """A backup call or a manager call, with the store's live picture and the caller's note."""

    kinds: ClassVar = (AlertKind.BACKUP_CALL, AlertKind.MANAGER_CALL)
    wait_minutes: float
    backlog: float
    staff_on_shift: int
    alone: str
    """The name of the person alone on shift, or ""."""
    note: str = ""


@dataclass(frozen=True)
class ReliefRequest(AlertParams):
    """Staff ask to be relieved: preset reasons (``RELIEF_REASONS`` codes), their own words, urgency."""

    kinds: ClassVar = (AlertKind.RELIEF_REQUEST,)
    reason: str
    """What the person typed (free text, shown as typed)."""
    urgency: str
    reason_codes: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReliefRequest:
        return cls(str(data["reason"]), str(data["urgency"]), tuple(data.get("reason_codes") or ()))


@dataclass(frozen=True)
class Incident(AlertParams):
    """A sensitive incident: the triggers the customer mentioned and their type."""

    kinds: ClassVar = (AlertKind.INCIDENT,)
    incident: int
    customer_type: str
    triggers: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Incident:
        return cls(int(data["incident"]), str(data["customer_type"]), tuple(data["triggers"]))


@dataclass(frozen=True)
class CompensationApproval(AlertParams):
    """An amount above the asker's authority limit waits for someone who may grant it."""

    kinds: ClassVar = (AlertKind.COMPENSATION_APPROVAL,)
    incident: int
    amount: str
    """A decimal, as text (JSON has no decimals)."""
    currency: str
    limit: str
    asked_by: str
    lowest_role: str | None


@dataclass(frozen=True)
class MissedCommitment(AlertParams):
    """A promise to a customer passed its deadline and grace."""

    kinds: ClassVar = (AlertKind.MISSED_COMMITMENT,)
    commitment: int
    description: str
    owner: str


@dataclass(frozen=True)
class ChannelFailing(AlertParams):
    """A notification channel keeps failing (``error`` is the delivery error as the channel said it)."""

    kinds: ClassVar = (AlertKind.CHANNEL_FAILING,)
    channel: str
    error: str


PARAMS: dict[AlertKind, type[AlertParams]] = {
    kind: cls
    for cls in (
        EarlyWarning,
        WaitNow,
        SoloRush,
        BelowPolicy,
        HelpCall,
        ReliefRequest,
        Incident,
        CompensationApproval,
        MissedCommitment,
        ChannelFailing,
    )
    for kind in cls.kinds
}
"""Each kind's parameter type."""

RELIEF_REASONS = ("queue", "alone", "customer", "break", "unwell", "unsafe", "equipment")
"""The kiosk's preset relief reasons, stored as these codes."""
URGENCIES = ("low", "normal", "high")


# ------------------------------------------------------------------------------------ texts

_TEXTS: dict[str, dict[str, str]] = {
    EN: {
        "early_warning.title": "Rush ahead: waits up to {peak:.0f} min at {start}-{end}",
        "early_warning.headline": "Rush ahead at {store}: waits up to {peak:.0f} min from {start}",
        "early_warning.title_lost": "Rush ahead: about {lost:.0f} customers may walk away at {start}-{end}",
        "early_warning.headline_lost": "Rush ahead at {store}: about {lost:.0f} customers may walk away from {start}",
        "early_warning.title_alone": ", one person alone",
        "early_warning.headline_alone": " with one person alone",
        "wait_now.title": "Customers waiting {wait:.0f} min",
        "wait_now.headline": "Customers waiting {wait:.0f} min at {store}",
        "wait_now.title_lost": "Customers walking away: about {lost:.0f} in these 15 min",
        "wait_now.headline_lost": "Customers walking away at {store}: about {lost:.0f} in these 15 min",
        "solo_rush.title": "One person alone in a rush",
        "solo_rush.headline": "One person alone in a rush at {store}",
        "below_policy.title": "Roster outside the tier policy",
        "below_policy.headline": "{store}: roster outside the tier policy",
        "below_policy.gap": "daily revenue {revenue:,.0f} falls in a gap of the tier policy",
        "below_policy.below": "rostered {rostered:.2f} on average, policy asks for {staff}",
        "backup_call.title": "Backup needed now",
        "backup_call.headline": "Backup needed at {store}",
        "manager_call.title": "Manager needed now",
        "manager_call.headline": "Manager needed at {store}",
        "relief_request.title": "Relief requested",
        "relief_request.title_reason": "Relief requested: {reason}",
        "relief_request.headline": "Relief requested at {store}",
        "incident.title": "Sensitive incident: {triggers}",
        "incident.headline": "Sensitive incident at {store}: {triggers}",
        "compensation_approval.title": "Approval needed: compensation of {amount}",
        "compensation_approval.headline": "Approval needed at {store}: compensation of {amount}",
        "compensation_approval.may_grant": "{person} may grant up to {limit} alone",
        "compensation_approval.lowest": "the lowest role that may grant {amount} is {role}",
        "missed_commitment.title": "Missed promise: {description}",
        "missed_commitment.headline": "Missed promise at {store}: {description}",
        "channel_failing.title": "Notification channel '{channel}' is failing",
        "channel_failing.headline": "Notification channel '{channel}' is failing",
        "label.when": "When",
        "label.peak_wait": "Peak wait (min)",
        "label.walked_away": "Customers walking away",
        "nobody_serving": "nobody free to serve",
        "label.alone": "Alone",
        "label.why": "Why",
        "label.wait": "Wait (min)",
        "label.modelled_wait": "Modelled wait (min)",
        "label.backlog": "Orders in the store",
        "label.staff_on_shift": "Staff on shift",
        "label.utilisation": "Utilisation",
        "label.policy": "Policy",
        "label.rostered": "Rostered per shift",
        "label.reason": "Reason",
        "label.urgency": "Urgency",
        "label.customer": "Customer",
        "label.mentioned": "Mentioned",
        "label.compensation": "Compensation",
        "label.authority_limit": "Authority limit",
        "label.asked_by": "Asked by",
        "label.promise": "Promise",
        "label.owner": "Owner",
        "label.channel": "Channel",
        "label.error": "Error",
        "yes": "yes",
        "no": "no",
        "nobody": "nobody",
        "list_separator": ", ",
        "reason_separator": "; ",
        "person_reason": "{person}: {reason}",
    },
    ZH_CN: {
        "early_warning.title": "即将高峰：{start}-{end} 等待最长 {peak:.0f} 分钟",
        "early_warning.headline": "{store} 即将高峰：{start} 起等待最长 {peak:.0f} 分钟",
        "early_warning.title_lost": "即将高峰：{start}-{end} 约 {lost:.0f} 位顾客可能离开",
        "early_warning.headline_lost": "{store} 即将高峰：{start} 起约 {lost:.0f} 位顾客可能离开",
        "early_warning.title_alone": "，单人在岗",
        "early_warning.headline_alone": "，单人在岗",
        "wait_now.title": "顾客已等待 {wait:.0f} 分钟",
        "wait_now.headline": "{store}：顾客已等待 {wait:.0f} 分钟",
        "wait_now.title_lost": "顾客正在离开：这 15 分钟约 {lost:.0f} 位",
        "wait_now.headline_lost": "{store}：顾客正在离开，这 15 分钟约 {lost:.0f} 位",
        "solo_rush.title": "高峰时段单人在岗",
        "solo_rush.headline": "{store}：高峰时段单人在岗",
        "below_policy.title": "排班不符合营业额档位政策",
        "below_policy.headline": "{store}：排班不符合营业额档位政策",
        "below_policy.gap": "日均营业额 {revenue:,.0f} 落在档位政策的空档中",
        "below_policy.below": "平均每班排班 {rostered:.2f} 人，政策要求 {staff} 人",
        "backup_call.title": "急需支援",
        "backup_call.headline": "{store}：呼叫支援，急需补位",
        "manager_call.title": "需要上级介入",
        "manager_call.headline": "{store}：需要上级介入",
        "relief_request.title": "请求换岗/支援",
        "relief_request.title_reason": "请求换岗/支援：{reason}",
        "relief_request.headline": "{store}：换岗/支援请求",
        "incident.title": "敏感事件：{triggers}",
        "incident.headline": "{store} 发生敏感事件：{triggers}",
        "compensation_approval.title": "待审批：补偿 {amount}",
        "compensation_approval.headline": "{store} 待审批：补偿 {amount}",
        "compensation_approval.may_grant": "{person} 可独自批准的上限为 {limit}",
        "compensation_approval.lowest": "可批准 {amount} 的最低角色：{role}",
        "missed_commitment.title": "承诺逾期：{description}",
        "missed_commitment.headline": "{store} 承诺逾期：{description}",
        "channel_failing.title": "通知通道“{channel}”发送失败",
        "channel_failing.headline": "通知通道“{channel}”发送失败",
        "label.when": "时间",
        "label.peak_wait": "峰值排队等待时长（分钟）",
        "label.walked_away": "离开的顾客",
        "nobody_serving": "无人可接待",
        "label.alone": "单人在岗",
        "label.why": "原因",
        "label.wait": "排队等待时长（分钟）",
        "label.modelled_wait": "测算排队等待时长（分钟）",
        "label.backlog": "店内订单",
        "label.staff_on_shift": "在班人数",
        "label.utilisation": "利用率",
        "label.policy": "政策",
        "label.rostered": "每班排班人数",
        "label.reason": "原因",
        "label.urgency": "紧急程度",
        "label.customer": "顾客",
        "label.mentioned": "提及",
        "label.compensation": "补偿",
        "label.authority_limit": "处理权限",
        "label.asked_by": "发起人",
        "label.promise": "承诺",
        "label.owner": "负责人",
        "label.channel": "通道",
        "label.error": "错误",
        "yes": "是",
        "no": "否",
        "nobody": "无人",
        "list_separator": "、",
        "reason_separator": "；",
        "person_reason": "{person}：{reason}",
    },
}

_VALUES: dict[str, dict[str, str]] = {
    EN: {
        "urgency.low": "When someone can",
        "urgency.normal": "Soon",
        "urgency.high": "Right now",
        "reason.queue": "The queue is too long",
        "reason.alone": "I am alone at the counter",
        "reason.customer": "A difficult customer",
        "reason.break": "I need a break",
        "reason.unwell": "I feel unwell",
        "reason.unsafe": "I feel unsafe",
        "reason.equipment": "Equipment is broken",
        "customer.irritable": "irritable",
        "customer.repetitive": "repetitive",
        "customer.rational_demanding": "rational but demanding",
        "customer.opportunistic": "opportunistic",
        "trigger.escalated_complaint": "escalated complaint",
        "trigger.consumer_association": "consumer association",
        "trigger.media": "media exposure",
        "role.staff": "frontline staff",
        "role.shift_lead": "shift lead",
        "role.store_manager": "store manager",
        "role.ops_supervisor": "operations supervisor",
        "role.service_director": "service director",
        "role.executive": "executive",
        "role.admin": "administrator",
        "severity.critical": "Critical",
        "severity.warning": "Warning",
        "severity.info": "Info",
        "status.open": "Open",
        "status.acknowledged": "Acknowledged",
        "status.snoozed": "Snoozed",
        "status.resolved": "Resolved",
        "level.Frontline staff": "Frontline staff",
        "level.Shift lead / store manager": "Shift lead / store manager",
        "level.Operations supervisor": "Operations supervisor",
        "level.Service director": "Service director",
        "level.Executive": "Executive",
        "kind.early_warning": "Rush ahead",
        "kind.wait_now": "Long wait now",
        "kind.solo_rush": "Alone in a rush",
        "kind.below_policy": "Roster below policy",
        "kind.backup_call": "Backup call",
        "kind.manager_call": "Manager intervention",
        "kind.relief_request": "Relief request",
        "kind.incident": "Sensitive incident",
        "kind.compensation_approval": "Compensation approval",
        "kind.missed_commitment": "Missed promise",
        "kind.channel_failing": "Notification channel failing",
    },
    ZH_CN: {
        "urgency.low": "有空时",
        "urgency.normal": "尽快",
        "urgency.high": "立即",
        "reason.queue": "排队太长",
        "reason.alone": "柜台只有我一个人",
        "reason.customer": "遇到难缠的顾客",
        "reason.break": "我需要休息一下",
        "reason.unwell": "我身体不舒服",
        "reason.unsafe": "我感到不安全",
        "reason.equipment": "设备故障",
        "customer.irritable": "易怒型",
        "customer.repetitive": "反复型",
        "customer.rational_demanding": "理性苛求型",
        "customer.opportunistic": "趁机索赔型",
        "trigger.escalated_complaint": "升级投诉",
        "trigger.consumer_association": "消费者协会",
        "trigger.media": "媒体曝光",
        "role.staff": "一线员工",
        "role.shift_lead": "值班主管",
        "role.store_manager": "店长",
        "role.ops_supervisor": "运营督导",
        "role.service_director": "服务总监",
        "role.executive": "高管",
        "role.admin": "管理员",
        "severity.critical": "紧急",
        "severity.warning": "警告",
        "severity.info": "提示",
        "status.open": "待接单",
        "status.acknowledged": "已接单",
        "status.snoozed": "已暂停",
        "status.resolved": "已解决",
        "level.Frontline staff": "一线员工",
        "level.Shift lead / store manager": "值班主管 / 店长",
        "level.Operations supervisor": "运营督导",
        "level.Service director": "服务总监",
        "level.Executive": "高管",
        "kind.early_warning": "即将高峰",
        "kind.wait_now": "当前等待过长",
        "kind.solo_rush": "高峰单人在岗",
        "kind.below_policy": "排班低于档位要求",
        "kind.backup_call": "呼叫支援",
        "kind.manager_call": "上级介入",
        "kind.relief_request": "换岗/支援请求",
        "kind.incident": "敏感事件",
        "kind.compensation_approval": "补偿审批",
        "kind.missed_commitment": "承诺逾期",
        "kind.channel_failing": "通知通道故障",
    },
}

# The pressure engine's English templates (staffing.pressure.TEMPLATES) in Chinese, so the reasons an
# early warning carries read in the alert's language; an unknown template shows its English text.
PRESSURE_TEMPLATES_ZH: dict[str, str] = {
    "alone {periods} ({alone_min:.0f} min with nobody to step in)": (
        "单人在岗 {periods}（{alone_min:.0f} 分钟无人可补位）"
    ),
    "{start}-{end} with {orders_per_hour:.0f} orders/h: utilisation {utilisation:.2f}": (
        "{start}-{end} {orders_per_hour:.0f} 单/小时：利用率 {utilisation:.2f}"
    ),
    "modelled wait {wait_min:.1f} min for the slowest {slowest_pct:.0f}% of orders "
    "(target {target_min:.0f} min); longest at {worst_start}-{worst_end}: {worst_min:.1f} min": (
        "最慢的 {slowest_pct:.0f}% 订单测算等待 {wait_min:.1f} 分钟（目标 {target_min:.0f} 分钟）；"
        "最长在 {worst_start}-{worst_end}：{worst_min:.1f} 分钟"
    ),
    "modelled wait {wait_min:.1f} min for the slowest {slowest_pct:.0f}% of orders "
    "(target {target_min:.0f} min); at {worst_start}-{worst_end} the queue grows without limit": (
        "最慢的 {slowest_pct:.0f}% 订单测算等待 {wait_min:.1f} 分钟（目标 {target_min:.0f} 分钟）；"
        "{worst_start}-{worst_end} 队伍会无限变长"
    ),
    "mean utilisation {utilisation:.2f} over the shift ({calm:.2f} is calm, {flat_out:.2f} flat out)": (
        "整个班次平均利用率 {utilisation:.2f}（{calm:.2f} 为平稳，{flat_out:.2f} 为满负荷）"
    ),
    "{busy_min:.0f} min at utilisation {threshold:.2f} or more": (
        "利用率达到 {threshold:.2f} 及以上共 {busy_min:.0f} 分钟"
    ),
    "longest rush {start}-{end}: {rush_min:.0f} min straight at utilisation {threshold:.2f} or more": (
        "最长高峰 {start}-{end}：利用率连续 {rush_min:.0f} 分钟达到 {threshold:.2f} 及以上"
    ),
    "{hours:.1f} h without a break ({start}-{end})": "连续 {hours:.1f} 小时没有休息（{start}-{end}）",
    "incidents during the shift: {incidents}": "班次内事件：{incidents}",
    "incidents during the shift: {incidents}, with a sensitive trigger "
    "(escalated complaint, consumer association or media)": (
        "班次内事件：{incidents}，涉及敏感话题（升级投诉、消费者协会或媒体）"
    ),
    'end-of-shift check-in: {score}/5 for "how hard was this shift"': "班后自评：“这个班有多辛苦”{score}/5",
    "about {customers:.0f} customers walked away {start}-{end}": "{start}-{end} 约 {customers:.0f} 位顾客离开",
    "breaks not recorded": "未记录休息",
    "nobody rostered {start}-{end}: all {customers:.0f} customers lost": (
        "{start}-{end} 无人排班：{customers:.0f} 位顾客全部流失"
    ),
}
ALONE_PERIOD = "{start}-{end} with {orders_per_hour:.0f} orders/h: utilisation {utilisation:.2f}"


# ------------------------------------------------------------------------------------ rendering


@dataclass(frozen=True)
class RenderedAlert:
    """An alert in one language: what lists, detail panes, messages and the CLI show."""

    kind: str
    language: str
    title: str
    """Without the store (lists show the store in a column of its own)."""
    headline: str
    """With the store: notifications, the CLI, the stored English ``title`` column."""
    fields: tuple[tuple[str, str], ...] = ()
    """(label, value) in display order, values already human ("Right now", not "high")."""
    reasons: tuple[str, ...] = ()
    note: str = ""
    """What the person who raised it wrote (free text, shown as written)."""

    @property
    def summary(self) -> str:
        """One line: the headline and the fields."""
        parts = [f"{label}: {value}" for label, value in self.fields if value]
        return self.headline + (" — " + "; ".join(parts) if parts else "")


def _text(language: str, key: str) -> str:
    return _TEXTS[language_of(language)][key]


def term(group: str, code: str, language: str) -> str:
    """A code's human name (``term("urgency", "high", "zh_CN")`` -> "立即"); the code when unknown."""
    return _VALUES[language_of(language)].get(f"{group}.{code}", code)


def kind_name(kind: str, language: str) -> str:
    """What a kind of alert is called ("Backup call", "呼叫支援")."""
    return term("kind", kind, language)


def severity_name(severity: str, language: str) -> str:
    return term("severity", severity, language)


def status_name(status: str, language: str) -> str:
    return term("status", status, language)


def level_name(name: str, language: str) -> str:
    """A default escalation level's name in ``language``; a chain's own names stay as they wrote them."""
    return term("level", name, language)


def pressure_reason(reason: PersonReason, language: str) -> str:
    """ "Name: reason" with the pressure template in ``language``; the English text if that fails."""
    text = reason.explanation
    if language_of(language) == ZH_CN and reason.template in PRESSURE_TEMPLATES_ZH:
        params = dict(reason.params)
        try:
            if "period_list" in params:
                params["periods"] = "；".join(
                    PRESSURE_TEMPLATES_ZH[ALONE_PERIOD].format(**p) for p in params["period_list"]
                )
            text = PRESSURE_TEMPLATES_ZH[reason.template].format(**params)
        except (KeyError, IndexError, ValueError, TypeError):
            text = reason.explanation
    return _text(language, "person_reason").format(person=reason.person, reason=text)


def money(amount: str, currency: str) -> str:
    """A decimal amount as "1,234.50 CNY"; the text as it is when it is not a number."""
    try:
        return f"{Decimal(amount):,.2f} {currency}".strip()
    except (InvalidOperation, ValueError):
        return f"{amount} {currency}".strip()


def _join(language: str, group: str, codes: Sequence[str]) -> str:
    return _text(language, "list_separator").join(term(group, c, language) for c in codes)


def render_alert(kind: AlertKind | str, params: AlertParams, language: str, store: str = "") -> RenderedAlert:
    """The alert of ``kind`` with ``params`` in ``language`` (en or zh_CN); ``store`` is "CODE Name"."""
    kind = AlertKind(kind)
    lang = language_of(language)
    t = _TEXTS[lang]
    fields: list[tuple[str, str]] = []
    reasons: tuple[str, ...] = ()
    note = ""
    values: dict[str, Any] = {"store": store}
    suffix = ("", "")
    match params:
        case EarlyWarning():
            values |= {
                "peak": params.peak_wait_minutes,
                "start": params.start,
                "end": params.end,
                "lost": params.walked_away,
            }
            reasons = tuple(pressure_reason(r, lang) for r in params.reasons)
            if params.alone:
                suffix = (t["early_warning.title_alone"], t["early_warning.headline_alone"])
            fields = [
                (t["label.when"], f"{params.start}-{params.end}"),
                (t["label.peak_wait"], f"{params.peak_wait_minutes:.1f}"),
                (t["label.walked_away"], f"{params.walked_away:.0f}"),
                (t["label.alone"], t["yes"] if params.alone else t["no"]),
                (t["label.why"], t["reason_separator"].join(reasons[:2])),
            ]
        case WaitNow():
            values |= {"wait": params.wait_minutes, "lost": params.walked_away}
            fields = [
                (t["label.wait"], f"{params.wait_minutes:.1f}"),
                (t["label.walked_away"], f"{params.walked_away:.0f}"),
                (t["label.backlog"], f"{params.backlog:.0f}"),
                (t["label.staff_on_shift"], str(params.staff_on_shift)),
            ]
        case SoloRush():
            reasons = tuple(pressure_reason(r, lang) for r in params.reasons)
            utilisation = t["nobody_serving"] if params.utilisation is None else f"{params.utilisation:.2f}"
            fields = [(t["label.utilisation"], utilisation)]
        case BelowPolicy():
            policy = (
                t["below_policy.gap"].format(revenue=params.revenue)
                if params.policy_status == "gap"
                else t["below_policy.below"].format(
                    rostered=params.rostered_per_shift, staff=params.policy_staff
                )
            )
            reasons = (policy,)
            fields = [
                (t["label.policy"], policy),
                (t["label.rostered"], f"{params.rostered_per_shift:.2f}"),
            ]
        case HelpCall():
            note = params.note.strip()
            fields = [
                (t["label.modelled_wait"], f"{params.wait_minutes:.1f}"),
                (t["label.backlog"], f"{params.backlog:.0f}"),
                (t["label.staff_on_shift"], str(params.staff_on_shift)),
                (t["label.alone"], params.alone or "-"),
            ]
        case ReliefRequest():
            said = [term("reason", c, lang) for c in params.reason_codes]
            said += [params.reason.strip()] if params.reason.strip() else []
            values["reason"] = t["reason_separator"].join(said)
            fields = [
                (t["label.reason"], values["reason"]),
                (t["label.urgency"], term("urgency", params.urgency, lang)),
            ]
        case Incident():
            values["triggers"] = _join(lang, "trigger", params.triggers)
            fields = [
                (t["label.customer"], term("customer", params.customer_type, lang)),
                (t["label.mentioned"], values["triggers"]),
            ]
        case CompensationApproval():
            values["amount"] = money(params.amount, params.currency)
            limit = money(params.limit, params.currency)
            role = term("role", params.lowest_role, lang) if params.lowest_role else t["nobody"]
            reasons = (
                t["compensation_approval.may_grant"].format(person=params.asked_by, limit=limit),
                t["compensation_approval.lowest"].format(amount=values["amount"], role=role),
            )
            fields = [
                (t["label.compensation"], values["amount"]),
                (t["label.authority_limit"], limit),
                (t["label.asked_by"], params.asked_by),
            ]
        case MissedCommitment():
            values["description"] = params.description
            fields = [(t["label.promise"], params.description), (t["label.owner"], params.owner)]
        case ChannelFailing():
            values["channel"] = params.channel
            fields = [(t["label.channel"], params.channel), (t["label.error"], params.error[:300])]
    title_key, headline_key = f"{kind.value}.title", f"{kind.value}.headline"
    if kind is AlertKind.RELIEF_REQUEST and values.get("reason"):
        title_key = "relief_request.title_reason"
    if isinstance(params, EarlyWarning | WaitNow) and round(params.walked_away) >= 1:
        title_key, headline_key = f"{kind.value}.title_lost", f"{kind.value}.headline_lost"
    title = t[title_key].format(**values) + suffix[0]
    headline = t[headline_key].format(**values) + suffix[1]
    return RenderedAlert(kind.value, lang, title, headline, tuple(fields), reasons, note)


def params_from_details(kind: str, details: Mapping[str, Any] | None) -> AlertParams | None:
    """The typed parameters kept in an alert's details; None for an unknown kind or an old row."""
    try:
        cls = PARAMS[AlertKind(kind)]
        return cls.from_json(details or {})
    except (ValueError, KeyError, TypeError):
        return None


def render_stored(
    kind: str, details: Mapping[str, Any] | None, title: str, language: str, store: str = ""
) -> RenderedAlert:
    """A stored alert in ``language``; a row without parameters shows its stored title and fields."""
    params = params_from_details(kind, details)
    if params is not None:
        return render_alert(kind, params, language, store)
    details = details or {}
    legacy = details.get("fields")
    fields = tuple((str(k), str(v)) for k, v in legacy.items()) if isinstance(legacy, Mapping) else ()
    reasons = tuple(str(r) for r in details.get("reasons") or () if isinstance(r, str))
    return RenderedAlert(
        kind, language_of(language), title, title, fields, reasons, str(details.get("note") or "").strip()
    )


def details_for(params: AlertParams, **extra: Any) -> dict[str, Any]:
    """What the ``details`` column holds: the parameters plus bookkeeping (``covered_by``...)."""
    return {**extra, **params.to_json()}
