"""Chain-wide business settings behind the Policies and Settings screens, and the database connection check.

Business settings live in the ``settings`` table as JSON so every PC of a chain sees them
(STYLE.md section 4), each read and written through its ``Key`` (``storemon.services.setting_keys``).
The keys and their shapes:

``staffing.surge``
    ``{"periods": [{"label", "start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "demand_factor",
    "alert_sensitivity", "yearly", "stores": null | ["STORE CODE", ...]}]}``
``alerts.escalation_policy``
    ``alerts.codec.dump_policy()``
``incidents.authority_limits``
    ``{"currency": "CNY", "limits": {"staff": "100.00", ..., "executive": "20000.00"}}``
    (amounts as strings: Decimal-safe)
``incidents.playbooks``
    ``[{"type": "slow_order", "label": "...", "responses": [{"text": "...", "compensation":
    "30.00" | null}, ...]}, ...]`` (at least three responses each, DOMAIN.md section 2)
``support.resources``
    ``{"hotline": {"number", "hours"}, "mutual_aid": [{"name", "phone", "note"}],
    "mental_health_sessions": "...", "stress_training": "..."}`` (DOMAIN.md section 4)
``staffing.targets`` and ``staffing.pressure``
    written by ``save_thresholds`` (the dataclass fields).

Every change needs a head-office role (``require_chain``) and leaves an audit entry.

The per-PC database URL is not a business setting: it lives in the TOML settings file
(``storemon.config``), and ``check_connection`` tests a URL without touching its schema.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.pool import NullPool

from alerts.escalation import USER_PREFIX, EscalationPolicy
from staffing.day import StaffingTargets
from staffing.policy import GAP, PolicyIssue, TierBand, TierPolicy, gap_for, staff_for, validate
from staffing.pressure import PressureConfig
from staffing.surge import SurgeCalendar
from storemon.config import ConfigError, Paths, app_paths, load_settings, save_settings
from storemon.db.engine import normalise_url
from storemon.db.models import Store, User
from storemon.db.models import TierBand as TierBandRow
from storemon.db.models import TierPolicy as TierPolicyRow
from storemon.errors import StoremonError
from storemon.services import audit as audit_log
from storemon.services import setting_keys
from storemon.services.access import AccessDenied, Actor
from storemon.services.policies import to_domain
from storemon.services.setting_keys import Codec, Key
from storemon.services.stores import average_daily_revenue

SURGE_CALENDAR = setting_keys.SURGE_CALENDAR.name
ESCALATION_POLICY = setting_keys.ESCALATION_POLICY.name
AUTHORITY_LIMITS = "incidents.authority_limits"
PLAYBOOKS = "incidents.playbooks"
SUPPORT_RESOURCES = "support.resources"

CURRENCY = "CNY"
CONNECT_TIMEOUT_SECONDS = 5


class ChainSettingsError(StoremonError, ValueError):
    """A chain setting that cannot be saved or read as given; the message says what to fix."""


def require_chain(actor: Actor) -> None:
    """Only head-office roles change chain-wide settings."""
    if not actor.sees_chain:
        raise AccessDenied(
            f"{actor.username} ({actor.role.value}) may not change chain-wide settings: "
            "only head-office roles (service director, executive, administrator) may."
        )


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def audit_change(
    session: Session, actor: Actor, action: str, subject: str, details: dict, now: datetime
) -> None:
    """Append to the hash-chained audit log (``storemon.services.audit``)."""
    audit_log.append(session, actor.username, action, subject, details, now)


# ------------------------------------------------------------------------------------ money


def parse_amount(value: object, what: str) -> Decimal:
    """A non-negative amount of money with at most two decimals, from a string or number."""
    if isinstance(value, bool):
        raise ChainSettingsError(f"{what}: {value!r} is not an amount")
    raw = str(value).strip().replace(",", "").replace(" ", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ChainSettingsError(f"{what}: {value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise ChainSettingsError(f"{what}: {value!r} must be zero or more")
    if amount != amount.quantize(Decimal("0.01")):
        raise ChainSettingsError(f"{what}: {value!r} has more than two decimals")
    return amount.quantize(Decimal("0.01"))


# ------------------------------------------------------------------------------------ tier policies


@dataclass(frozen=True)
class PolicySummary:
    """A tier policy as the Policies screen lists it."""

    id: int
    name: str
    description: str
    policy: TierPolicy
    store_count: int
    """Stores (that the actor may see) assigned to this policy."""
    issues: tuple[PolicyIssue, ...]


@dataclass(frozen=True)
class GapStore:
    """A store whose average daily revenue falls into a gap of the policy checked."""

    id: int
    code: str
    name: str
    avg_daily_revenue: float
    gap: PolicyIssue


@dataclass(frozen=True)
class PolicyCheck:
    """What ``validate`` says about a (draft) policy, and which of its stores would get no rule."""

    issues: tuple[PolicyIssue, ...]
    stores_in_gaps: tuple[GapStore, ...]
    stores_checked: int

    @property
    def gaps(self) -> tuple[PolicyIssue, ...]:
        return tuple(i for i in self.issues if i.kind == "gap")

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass(frozen=True)
class PolicyDraft:
    """A tier policy as edited: ``id`` None for a new one."""

    id: int | None
    name: str
    description: str
    bands: tuple[TierBand, ...]


@dataclass(frozen=True)
class PolicyStore:
    """A store in the "assign policy" list: where it stands now, and what a policy would give it."""

    id: int
    code: str
    name: str
    region: str
    policy_id: int | None
    policy_name: str
    avg_daily_revenue: float
    staff_under_policy: int | None
    """Staff per shift the policy asked about would give; None when its revenue falls into a gap."""


class UnconfirmedPolicyIssues(ChainSettingsError):
    """The policy has gaps or overlaps and the user has not confirmed keeping them."""

    def __init__(self, issues: Sequence[PolicyIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__(
            "the policy has gaps or overlaps: " + "; ".join(i.message for i in self.issues) + ". "
            "Confirm to save it anyway."
        )


def _policy_rows(session: Session) -> list[TierPolicyRow]:
    return list(
        session.scalars(
            select(TierPolicyRow).options(selectinload(TierPolicyRow.bands)).order_by(TierPolicyRow.name)
        )
    )


def tier_policy_summaries(session: Session, actor: Actor) -> list[PolicySummary]:
    """Every tier policy of the chain, with how many of the actor's stores use it."""
    counts = dict(
        session.execute(
            actor.scope_stores(select(Store.tier_policy_id, func.count(Store.id))).group_by(
                Store.tier_policy_id
            )
        ).all()
    )
    result = []
    for row in _policy_rows(session):
        domain = to_domain(row)
        result.append(
            PolicySummary(
                row.id, row.name, row.description, domain, int(counts.get(row.id, 0)), tuple(validate(domain))
            )
        )
    return result


def check_tier_policy(
    session: Session, actor: Actor, policy_id: int | None, bands: Sequence[TierBand]
) -> PolicyCheck:
    """Validate draft bands and list the stores of ``policy_id`` whose revenue they leave uncovered."""
    draft = TierPolicy.of("draft", bands)
    issues = tuple(validate(draft))
    if policy_id is None:
        return PolicyCheck(issues, (), 0)
    stores = session.scalars(
        actor.scope_stores(select(Store)).where(Store.tier_policy_id == policy_id).order_by(Store.code)
    ).all()
    revenue = average_daily_revenue(session, [s.id for s in stores]) if stores else {}
    in_gaps = []
    for store in stores:
        value = revenue.get(store.id, 0.0)
        if int(staff_for(draft, value)) == GAP:
            gap = gap_for(draft, value)
            if gap is not None:
                in_gaps.append(GapStore(store.id, store.code, store.name, round(value, 2), gap))
    return PolicyCheck(issues, tuple(in_gaps), len(stores))


def _clean_bands(bands: Sequence[TierBand]) -> tuple[TierBand, ...]:
    cleaned = []
    for number, band in enumerate(bands, start=1):
        daypart = (band.daypart or "").strip() or None
        if daypart is not None and len(daypart) > 32:
            raise ChainSettingsError(f"band {number}: the daypart name is longer than 32 characters")
        for value in (band.min_revenue, band.max_revenue):
            if value is not None and (not math.isfinite(value) or value < 0):
                raise ChainSettingsError(f"band {number}: revenue bounds must be zero or more")
        cleaned.append(replace(band, daypart=daypart))
    return tuple(cleaned)


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def save_tier_policy(
    session: Session,
    actor: Actor,
    draft: PolicyDraft,
    *,
    accept_issues: bool = False,
    now: datetime | None = None,
) -> int:
    """Create or update (in place, bands replaced) a tier policy; returns its id.

    Empty bands or bands with no staff are refused; gaps and overlaps need ``accept_issues``,
    so a chain can knowingly keep a gap but never silently.
    """
    require_chain(actor)
    name = draft.name.strip()
    if not name:
        raise ChainSettingsError("give the policy a name")
    if len(name) > 200:
        raise ChainSettingsError("the policy name is longer than 200 characters")
    if not draft.bands:
        raise ChainSettingsError(f"policy {name!r} needs at least one revenue band")
    bands = _clean_bands(draft.bands)
    issues = validate(TierPolicy.of(name, bands))
    invalid = [i for i in issues if i.kind == "invalid"]
    if invalid:
        raise ChainSettingsError("; ".join(i.message for i in invalid))
    if issues and not accept_issues:
        raise UnconfirmedPolicyIssues(issues)
    clash = session.scalars(select(TierPolicyRow).where(TierPolicyRow.name == name)).one_or_none()
    if clash is not None and clash.id != draft.id:
        raise ChainSettingsError(f"another policy is already called {name!r}; choose another name")
    if draft.id is None:
        row = TierPolicyRow(name=name, description=draft.description.strip())
        session.add(row)
    else:
        row = session.get(TierPolicyRow, draft.id)
        if row is None:
            raise ChainSettingsError(f"policy {draft.id} no longer exists; reload the list")
        row.name, row.description = name, draft.description.strip()
        row.bands.clear()
        session.flush()
    row.bands.extend(
        TierBandRow(
            position=i,
            min_revenue=_money(b.min_revenue),
            max_revenue=_money(b.max_revenue),
            staff_per_shift=b.staff_per_shift,
            daypart=b.daypart,
        )
        for i, b in enumerate(bands)
    )
    session.flush()
    audit_change(
        session,
        actor,
        "policy.save",
        f"tier policy {name}",
        {"bands": [b.label() for b in bands], "issues": [i.message for i in issues]},
        _now(now),
    )
    return row.id


def delete_tier_policy(session: Session, actor: Actor, policy_id: int, now: datetime | None = None) -> None:
    """Delete a policy no store uses (stores must be assigned another policy first)."""
    require_chain(actor)
    row = session.get(TierPolicyRow, policy_id)
    if row is None:
        raise ChainSettingsError(f"policy {policy_id} no longer exists; reload the list")
    used = session.scalar(select(func.count(Store.id)).where(Store.tier_policy_id == policy_id))
    if used:
        raise ChainSettingsError(
            f"policy {row.name!r} is used by {used} store(s); assign them another policy first"
        )
    audit_change(session, actor, "policy.delete", f"tier policy {row.name}", {}, _now(now))
    session.delete(row)


def policy_stores(session: Session, actor: Actor, policy_id: int | None = None) -> list[PolicyStore]:
    """The actor's stores with their current policy and revenue, and what ``policy_id`` would give them."""
    stores = session.scalars(
        actor.scope_stores(
            select(Store).options(selectinload(Store.region), selectinload(Store.tier_policy))
        ).order_by(Store.code)
    ).all()
    revenue = average_daily_revenue(session, [s.id for s in stores]) if stores else {}
    target = session.get(TierPolicyRow, policy_id) if policy_id is not None else None
    domain = to_domain(target) if target is not None else None
    result = []
    for store in stores:
        value = revenue.get(store.id, 0.0)
        staff = int(staff_for(domain, value)) if domain is not None else GAP
        result.append(
            PolicyStore(
                store.id,
                store.code,
                store.name,
                store.region.name if store.region else "",
                store.tier_policy_id,
                store.tier_policy.name if store.tier_policy else "",
                round(value, 2),
                None if staff == GAP else staff,
            )
        )
    return result


def assign_tier_policy(
    session: Session, actor: Actor, policy_id: int, store_ids: Iterable[int], now: datetime | None = None
) -> int:
    """Give these stores the policy; returns how many changed."""
    require_chain(actor)
    row = session.get(TierPolicyRow, policy_id)
    if row is None:
        raise ChainSettingsError(f"policy {policy_id} no longer exists; reload the list")
    ids = sorted(set(store_ids))
    stores = session.scalars(actor.scope_stores(select(Store)).where(Store.id.in_(ids))).all()
    if len(stores) != len(ids):
        raise ChainSettingsError("some of the chosen stores no longer exist; reload the list")
    changed = [s for s in stores if s.tier_policy_id != policy_id]
    for store in changed:
        store.tier_policy_id = policy_id
    if changed:
        audit_change(
            session,
            actor,
            "policy.assign",
            f"tier policy {row.name}",
            {"stores": [s.code for s in changed]},
            _now(now),
        )
    return len(changed)


# ------------------------------------------------------------------------------------ thresholds


@dataclass(frozen=True)
class Thresholds:
    """The chain's staffing targets and the pressure levels, as the Thresholds tab edits them."""

    targets: StaffingTargets
    amber_at: float
    red_at: float


DEFAULT_THRESHOLDS = Thresholds(StaffingTargets(), PressureConfig().amber_at, PressureConfig().red_at)


def load_thresholds(session: Session) -> Thresholds:
    config = setting_keys.pressure_config(session)
    return Thresholds(setting_keys.staffing_targets(session), config.amber_at, config.red_at)


def save_thresholds(
    session: Session,
    actor: Actor,
    targets: StaffingTargets,
    amber_at: float,
    red_at: float,
    now: datetime | None = None,
) -> Thresholds:
    """Save the targets (``staffing.targets``) and the amber/red levels of ``staffing.pressure``."""
    require_chain(actor)
    try:
        config = replace(
            setting_keys.pressure_config(session), amber_at=float(amber_at), red_at=float(red_at)
        )
    except ValueError as exc:
        raise ChainSettingsError(f"pressure levels: {exc}") from exc
    setting_keys.save_staffing_targets(session, targets)
    setting_keys.save_pressure_config(session, config)
    audit_change(
        session,
        actor,
        "settings.save",
        f"{setting_keys.STAFFING_TARGETS.name}, {setting_keys.PRESSURE_CONFIG.name}",
        {**asdict(targets), "amber_at": config.amber_at, "red_at": config.red_at},
        _now(now),
    )
    return Thresholds(targets, config.amber_at, config.red_at)


# ------------------------------------------------------------------------------------ surge calendar


def load_surge_calendar(session: Session) -> SurgeCalendar:
    """The chain's surge calendar; the built-in 3·15 season until someone edits it."""
    return setting_keys.SURGE_CALENDAR.load(session)


def save_surge_calendar(
    session: Session, actor: Actor, calendar: SurgeCalendar, now: datetime | None = None
) -> SurgeCalendar:
    require_chain(actor)
    labels = [p.label.strip() for p in calendar.periods]
    if any(not label for label in labels):
        raise ChainSettingsError("every surge period needs a label")
    if len(set(labels)) != len(labels):
        raise ChainSettingsError("two surge periods have the same label; labels must differ")
    codes = set(session.scalars(select(Store.code)))
    for period in calendar.periods:
        unknown = sorted((period.stores or frozenset()) - codes)
        if unknown:
            raise ChainSettingsError(
                f"surge period {period.label!r}: no store has the code(s) {', '.join(unknown)}"
            )
        if period.stores is not None and not period.stores:
            raise ChainSettingsError(
                f"surge period {period.label!r}: name at least one store or none for all"
            )
    saved = setting_keys.SURGE_CALENDAR.save(session, calendar)
    audit_change(session, actor, "settings.save", SURGE_CALENDAR, {"periods": labels}, _now(now))
    return saved


# ------------------------------------------------------------------------------------ escalation


def load_escalation_policy(session: Session) -> EscalationPolicy:
    """The chain's escalation policy; the five-level default until someone edits it."""
    return setting_keys.ESCALATION_POLICY.load(session)


def save_escalation_policy(
    session: Session, actor: Actor, policy: EscalationPolicy, now: datetime | None = None
) -> EscalationPolicy:
    """Store the policy (alerts already open keep the snapshot they fired with)."""
    require_chain(actor)
    named = {
        t[len(USER_PREFIX) :] for level in policy.levels for t in level.targets if t.startswith(USER_PREFIX)
    }
    if named:
        known = set(session.scalars(select(User.username).where(User.username.in_(named), User.active)))
        missing = sorted(named - known)
        if missing:
            raise ChainSettingsError(
                f"no active user is called {', '.join(missing)}; check the spelling of the user names"
            )
    saved = setting_keys.ESCALATION_POLICY.save(session, policy)
    audit_change(
        session, actor, "settings.save", ESCALATION_POLICY, {"levels": len(policy.levels)}, _now(now)
    )
    return saved


# ------------------------------------------------------------------------------------ authority limits

AUTHORITY_ROLES: tuple[str, ...] = (
    "staff",
    "shift_lead",
    "store_manager",
    "ops_supervisor",
    "service_director",
    "executive",
)
"""The chain of command from the counter up (DOMAIN.md section 1), lowest authority first."""


@dataclass(frozen=True)
class AuthorityLimits:
    """Per role, the largest compensation or waiver (CNY) it may grant alone (DOMAIN.md section 2).

    Authority must not shrink up the chain: escalating to someone who may grant less is no escalation.
    """

    limits: Mapping[str, Decimal]
    currency: str = CURRENCY

    def __post_init__(self) -> None:
        missing = [r for r in AUTHORITY_ROLES if r not in self.limits]
        unknown = sorted(set(self.limits) - set(AUTHORITY_ROLES))
        if missing or unknown:
            raise ChainSettingsError(
                f"authority limits need exactly the roles {', '.join(AUTHORITY_ROLES)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(unknown)}" if unknown else "")
            )
        clean = {r: parse_amount(self.limits[r], f"authority limit of {r}") for r in AUTHORITY_ROLES}
        object.__setattr__(self, "limits", clean)
        for lower, higher in zip(AUTHORITY_ROLES, AUTHORITY_ROLES[1:], strict=False):
            if clean[higher] < clean[lower]:
                raise ChainSettingsError(
                    f"the {higher} limit ({clean[higher]:,.2f}) is below the {lower} limit "
                    f"({clean[lower]:,.2f}): authority must not shrink up the chain"
                )

    def lowest_role_for(self, amount: Decimal) -> str | None:
        """The first role up the chain that may grant ``amount`` alone; None if nobody may."""
        return next((r for r in AUTHORITY_ROLES if self.limits[r] >= amount), None)

    def to_json(self) -> dict[str, Any]:
        return {"currency": self.currency, "limits": {r: str(self.limits[r]) for r in AUTHORITY_ROLES}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AuthorityLimits:
        if not isinstance(data, Mapping) or not isinstance(data.get("limits"), Mapping):
            raise ValueError('expected {"currency": "CNY", "limits": {ROLE: "AMOUNT"}}')
        return cls(dict(data["limits"]), str(data.get("currency", CURRENCY)))


DEFAULT_AUTHORITY_LIMITS = AuthorityLimits(
    {
        "staff": Decimal("100"),
        "shift_lead": Decimal("200"),
        "store_manager": Decimal("500"),
        "ops_supervisor": Decimal("2000"),
        "service_director": Decimal("5000"),
        "executive": Decimal("20000"),
    }
)
"""Enough at the counter to settle an ordinary complaint on the spot (seeds/001: coupons of 50
or 100 left staff unable to resolve even reasonable ones), with no personal liability."""


AUTHORITY_LIMITS_KEY: Key[AuthorityLimits] = Key(
    AUTHORITY_LIMITS,
    Codec(AuthorityLimits.from_json, AuthorityLimits.to_json),
    lambda: DEFAULT_AUTHORITY_LIMITS,
    "Policies > Incident rules",
)


def load_authority_limits(session: Session) -> AuthorityLimits:
    return AUTHORITY_LIMITS_KEY.load(session)


def save_authority_limits(
    session: Session, actor: Actor, limits: AuthorityLimits, now: datetime | None = None
) -> AuthorityLimits:
    require_chain(actor)
    playbooks = PLAYBOOKS_KEY.read(session)
    if playbooks is not None:
        check_playbooks(playbooks, limits)
    saved = AUTHORITY_LIMITS_KEY.save(session, limits)
    audit_change(session, actor, "settings.save", AUTHORITY_LIMITS, limits.to_json(), _now(now))
    return saved


# ------------------------------------------------------------------------------------ playbooks

MIN_RESPONSES = 3
"""seeds/002: prepare at least three solutions before calling a customer back."""

BUILTIN_INCIDENT_TYPES: tuple[str, ...] = (
    "slow_order",
    "queue_dispute",
    "prep_area_intrusion",
    "refund_demand",
    "complaint",
)
_TYPE_KEY = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class PlaybookResponse:
    """A pre-approved response; ``compensation`` the most it offers (None: no money involved)."""

    text: str
    compensation: Decimal | None = None


@dataclass(frozen=True)
class Playbook:
    """The pre-approved responses to one type of incident (应对预案)."""

    incident_type: str
    label: str
    responses: tuple[PlaybookResponse, ...]

    @property
    def builtin(self) -> bool:
        return self.incident_type in BUILTIN_INCIDENT_TYPES


def incident_type_key(label: str, taken: Iterable[str] = ()) -> str:
    """A stable key for a user-added incident type: the label in snake case, or custom_N."""
    taken = set(taken)
    base = re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")[:56] or "custom"
    key, n = base, 2
    while key in taken:
        key = f"{base}_{n}"
        n += 1
    return key


def playbooks_to_json(playbooks: Sequence[Playbook]) -> list[dict[str, Any]]:
    return [
        {
            "type": p.incident_type,
            "label": p.label,
            "responses": [
                {"text": r.text, "compensation": None if r.compensation is None else str(r.compensation)}
                for r in p.responses
            ],
        }
        for p in playbooks
    ]


def playbooks_from_json(data: Any) -> tuple[Playbook, ...]:
    if not isinstance(data, list):
        raise ChainSettingsError('playbooks: expected a list of {"type", "label", "responses"}')
    result = []
    for raw in data:
        try:
            responses = tuple(
                PlaybookResponse(
                    str(r["text"]),
                    None
                    if r.get("compensation") in (None, "")
                    else parse_amount(r["compensation"], "compensation"),
                )
                for r in raw["responses"]
            )
            result.append(Playbook(str(raw["type"]), str(raw.get("label") or raw["type"]), responses))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ChainSettingsError(f"playbooks: an entry lacks {exc}") from exc
    return tuple(result)


def check_playbooks(playbooks: Sequence[Playbook], limits: AuthorityLimits) -> None:
    """Refuse playbooks a store could not rely on: too few responses, or money nobody may grant."""
    seen: set[str] = set()
    for book in playbooks:
        label = book.label.strip()
        if not label:
            raise ChainSettingsError(f"incident type {book.incident_type!r} needs a name")
        if not _TYPE_KEY.match(book.incident_type):
            raise ChainSettingsError(
                f"incident type key {book.incident_type!r}: use lower-case letters, digits and _"
            )
        if book.incident_type in seen:
            raise ChainSettingsError(f"incident type {label!r} is listed twice")
        seen.add(book.incident_type)
        texts = [r.text.strip() for r in book.responses]
        if any(not t for t in texts):
            raise ChainSettingsError(f"playbook {label!r}: a response has no text; write it or remove it")
        if len(texts) < MIN_RESPONSES:
            raise ChainSettingsError(
                f"playbook {label!r} has {len(texts)} response(s); "
                f"a playbook needs at least {MIN_RESPONSES} pre-approved responses"
            )
        if len({t.casefold() for t in texts}) != len(texts):
            raise ChainSettingsError(f"playbook {label!r}: two responses say the same thing")
        top = limits.limits[AUTHORITY_ROLES[-1]]
        for response in book.responses:
            if response.compensation is not None and response.compensation > top:
                raise ChainSettingsError(
                    f"playbook {label!r}: {response.text.strip()!r} offers {response.compensation:,.2f} "
                    f"{limits.currency}, above even the executive's limit ({top:,.2f})"
                )
    missing = [t for t in BUILTIN_INCIDENT_TYPES if t not in seen]
    if missing:
        raise ChainSettingsError(f"the built-in incident types {', '.join(missing)} need a playbook")


def _r(text: str, compensation: str | None = None) -> PlaybookResponse:
    return PlaybookResponse(text, None if compensation is None else Decimal(compensation))


_DEFAULT_PLAYBOOKS: dict[str, dict[str, tuple[str, list[PlaybookResponse]]]] = {
    "en": {
        "slow_order": (
            "Slow order",
            [
                _r("Apologise, tell the customer honestly how many minutes are left and keep them updated"),
                _r("Offer to switch to a faster drink of the same price"),
                _r("Give a voucher for the next visit", "15"),
                _r("Refund the drink and still make it", "40"),
            ],
        ),
        "queue_dispute": (
            "Queue dispute",
            [
                _r(
                    "Explain calmly that orders are made in the order they were placed; show the order screen"
                ),
                _r("Call the shift lead to the counter to step in (应急补位) while you step back"),
                _r("Offer the waiting customer a free small drink while they wait", "20"),
            ],
        ),
        "prep_area_intrusion": (
            "Customer enters the preparation area",
            [
                _r("Ask politely but firmly to step back: the area is for food safety; do not touch them"),
                _r("Stop preparing, call the shift lead or store manager at once"),
                _r("If they refuse or threaten: press the alarm / call store security or 110"),
            ],
        ),
        "refund_demand": (
            "Refund demand",
            [
                _r("Refund the drink in full when it was wrong or late", "40"),
                _r("Remake the drink at once, free of charge"),
                _r("Offer a voucher instead of cash when the customer lost nothing", "20"),
                _r("Book a callback with the store manager at a time the customer chooses"),
            ],
        ),
        "complaint": (
            "Complaint",
            [
                _r("Listen without interrupting, acknowledge the feeling, write down what happened"),
                _r("Resolve on the spot within your authority, no personal liability"),
                _r("Promise a callback at a fixed time and record it as a commitment"),
                _r("If the customer mentions the consumer association or media: tell your superior now"),
            ],
        ),
    },
    "zh_CN": {
        "slow_order": (
            "出品慢",
            [
                _r("致歉，如实告知还需几分钟，并主动更新进度"),
                _r("建议改换出品更快的同价饮品"),
                _r("赠送下次可用的优惠券", "15"),
                _r("退还该杯费用，饮品照常制作", "40"),
            ],
        ),
        "queue_dispute": (
            "排队纠纷",
            [
                _r("平静说明按下单顺序制作，可展示出单屏"),
                _r("呼叫值班主管到柜台应急补位，本人暂时离开"),
                _r("为等待的顾客赠送一杯小杯饮品", "20"),
            ],
        ),
        "prep_area_intrusion": (
            "顾客进入操作区",
            [
                _r("礼貌而坚定地请顾客离开：操作区涉及食品安全；不要有肢体接触"),
                _r("停止制作，立即呼叫值班主管或店长"),
                _r("顾客拒绝或威胁时：按报警按钮或联系商场保安 / 拨打110"),
            ],
        ),
        "refund_demand": (
            "要求退款",
            [
                _r("饮品有误或明显超时：全额退款", "40"),
                _r("立即免费重做"),
                _r("顾客无实际损失时：以优惠券代替现金", "20"),
                _r("与店长预约回电，时间由顾客选择"),
            ],
        ),
        "complaint": (
            "投诉",
            [
                _r("耐心倾听不打断，先回应情绪，记录经过"),
                _r("在处理权限内当场解决，员工不承担个人责任"),
                _r("承诺在约定时间回电，并登记为承诺事项"),
                _r("顾客提到消协或媒体曝光时：立即上报上级"),
            ],
        ),
    },
}


def default_playbooks(language: str = "en") -> tuple[Playbook, ...]:
    """The shipped playbooks, in English or Simplified Chinese (data, so it is written once)."""
    books = _DEFAULT_PLAYBOOKS["zh_CN" if language.startswith("zh") else "en"]
    return tuple(Playbook(key, label, tuple(responses)) for key, (label, responses) in books.items())


PLAYBOOKS_KEY: Key[tuple[Playbook, ...]] = Key(
    PLAYBOOKS, Codec(playbooks_from_json, playbooks_to_json), default_playbooks, "Policies > Incident rules"
)


def load_playbooks(session: Session, language: str = "en") -> tuple[Playbook, ...]:
    """The chain's playbooks; the shipped ones (in ``language``) until someone saves their own."""
    stored = PLAYBOOKS_KEY.read(session)
    return default_playbooks(language) if stored is None else stored


def _clean_playbooks(playbooks: Sequence[Playbook]) -> tuple[Playbook, ...]:
    return tuple(
        Playbook(
            b.incident_type,
            b.label.strip(),
            tuple(PlaybookResponse(r.text.strip(), r.compensation) for r in b.responses),
        )
        for b in playbooks
    )


def save_playbooks(
    session: Session, actor: Actor, playbooks: Sequence[Playbook], now: datetime | None = None
) -> tuple[Playbook, ...]:
    require_chain(actor)
    cleaned = _clean_playbooks(playbooks)
    check_playbooks(cleaned, load_authority_limits(session))
    saved = PLAYBOOKS_KEY.save(session, cleaned)
    audit_change(
        session, actor, "settings.save", PLAYBOOKS, {"types": [b.incident_type for b in cleaned]}, _now(now)
    )
    return saved


def save_incident_rules(
    session: Session,
    actor: Actor,
    limits: AuthorityLimits,
    playbooks: Sequence[Playbook],
    now: datetime | None = None,
) -> tuple[AuthorityLimits, tuple[Playbook, ...]]:
    """Authority limits and playbooks together, checked against each other, in one transaction."""
    require_chain(actor)
    cleaned = _clean_playbooks(playbooks)
    check_playbooks(cleaned, limits)
    saved = AUTHORITY_LIMITS_KEY.save(session, limits), PLAYBOOKS_KEY.save(session, cleaned)
    audit_change(
        session,
        actor,
        "settings.save",
        f"{AUTHORITY_LIMITS}, {PLAYBOOKS}",
        {**limits.to_json(), "types": [b.incident_type for b in cleaned]},
        _now(now),
    )
    return saved


# ------------------------------------------------------------------------------------ support resources

_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{1,30}([ ]*(ext\.?|x|转)[ ]*[0-9]{1,6})?$", re.IGNORECASE)


@dataclass(frozen=True)
class AidContact:
    """A colleague staff may call for mutual aid (团队互助)."""

    name: str
    phone: str
    note: str = ""


@dataclass(frozen=True)
class SupportResources:
    """Where staff get support (DOMAIN.md section 4); the kiosk shows it on the staff screen."""

    hotline_number: str = ""
    hotline_hours: str = ""
    mutual_aid: tuple[AidContact, ...] = field(default_factory=tuple)
    mental_health_sessions: str = ""
    stress_training: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "hotline": {"number": self.hotline_number, "hours": self.hotline_hours},
            "mutual_aid": [{"name": c.name, "phone": c.phone, "note": c.note} for c in self.mutual_aid],
            "mental_health_sessions": self.mental_health_sessions,
            "stress_training": self.stress_training,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SupportResources:
        if not isinstance(data, Mapping):
            raise ValueError("expected an object")
        hotline = data.get("hotline") or {}
        return cls(
            hotline_number=str(hotline.get("number", "")),
            hotline_hours=str(hotline.get("hours", "")),
            mutual_aid=tuple(
                AidContact(str(c.get("name", "")), str(c.get("phone", "")), str(c.get("note", "")))
                for c in data.get("mutual_aid") or []
            ),
            mental_health_sessions=str(data.get("mental_health_sessions", "")),
            stress_training=str(data.get("stress_training", "")),
        )


def _check_phone(value: str, what: str) -> None:
    if not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 3:
        raise ChainSettingsError(
            f"{what}: {value!r} is not a phone number (digits, spaces, +, -, brackets; e.g. 400-820-1234)"
        )


def check_support_resources(resources: SupportResources) -> SupportResources:
    """Trimmed resources, or an error naming the field to fix."""
    cleaned = SupportResources(
        resources.hotline_number.strip(),
        resources.hotline_hours.strip(),
        tuple(AidContact(c.name.strip(), c.phone.strip(), c.note.strip()) for c in resources.mutual_aid),
        resources.mental_health_sessions.strip(),
        resources.stress_training.strip(),
    )
    if cleaned.hotline_number:
        _check_phone(cleaned.hotline_number, "support hotline")
    elif cleaned.hotline_hours:
        raise ChainSettingsError("support hotline: hours are given but no number")
    for number, contact in enumerate(cleaned.mutual_aid, start=1):
        if not contact.name:
            raise ChainSettingsError(f"mutual-aid contact {number}: give a name")
        if not contact.phone:
            raise ChainSettingsError(f"mutual-aid contact {contact.name}: give a phone number")
        _check_phone(contact.phone, f"mutual-aid contact {contact.name}")
    return cleaned


SUPPORT_RESOURCES_KEY: Key[SupportResources] = Key(
    SUPPORT_RESOURCES,
    Codec(SupportResources.from_json, SupportResources.to_json),
    SupportResources,
    "Policies > Support",
)


def load_support_resources(session: Session) -> SupportResources:
    return SUPPORT_RESOURCES_KEY.load(session)


def save_support_resources(
    session: Session, actor: Actor, resources: SupportResources, now: datetime | None = None
) -> SupportResources:
    require_chain(actor)
    cleaned = check_support_resources(resources)
    SUPPORT_RESOURCES_KEY.save(session, cleaned)
    audit_change(session, actor, "settings.save", SUPPORT_RESOURCES, {}, _now(now))
    return cleaned


# ------------------------------------------------------------------------------------ database connection


@dataclass(frozen=True)
class ConnectionReport:
    """What "Test connection" found: the server and whether it already holds a Storemon schema."""

    url: str
    """The URL tested, password masked."""
    backend: str
    server_version: str
    schema_revision: str | None
    """Alembic revision of a Storemon database there; None for an empty or new database."""
    note: str = ""


@dataclass(frozen=True)
class DatabaseLocation:
    """Which database this PC uses, and where that choice comes from."""

    in_use: str
    """The URL of the open database, password masked."""
    settings_file: Path
    configured: str | None
    """The URL in the settings file (masked), None when the file names none."""
    overridden_by: str | None
    """``STOREMON_DB_URL`` when that environment variable wins over the settings file."""
    default_url: str


def mask_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def url_from_input(value: str) -> str:
    """A database URL from what a user typed: a URL as is, or a file path as a SQLite URL."""
    value = value.strip()
    if not value:
        raise ConfigError("enter a SQLite file path or a PostgreSQL URL (postgresql://USER:PASSWORD@HOST/DB)")
    if "://" not in value:
        path = Path(value).expanduser()
        if path.is_dir():
            raise ConfigError(f"{path} is a folder; enter the path of a database file inside it")
        return f"sqlite:///{path.resolve()}"
    return normalise_url(value)


def _first_line(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(inner).__name__


def check_connection(value: str, timeout: float = CONNECT_TIMEOUT_SECONDS) -> ConnectionReport:
    """Connect, run ``SELECT 1`` and report the server version; never creates or upgrades anything.

    Raises ``ConfigError`` with a message a user can act on when the database cannot be reached.
    """
    url = url_from_input(value)
    parsed = make_url(url)
    masked = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        return _check_sqlite(parsed.database or "", masked, timeout)
    engine = create_engine(
        url,
        poolclass=NullPool,
        connect_args={
            "connect_timeout": max(1, int(timeout)),
            "options": f"-c statement_timeout={int(timeout * 1000)}",
        },
    )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            version = str(conn.execute(text("SHOW server_version")).scalar())
            revision = None
            if conn.execute(text("SELECT to_regclass('alembic_version')")).scalar() is not None:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        host = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
        raise ConfigError(
            f"cannot connect to {masked}: {_first_line(exc)}. Check that the server at {host} is running "
            "and reachable from this PC, and that the user name, password and database name are right."
        ) from exc
    finally:
        engine.dispose()
    return ConnectionReport(masked, "PostgreSQL", version, revision)


def _check_sqlite(database: str, masked: str, timeout: float) -> ConnectionReport:
    if not database or database == ":memory:":
        raise ConfigError("a SQLite URL needs a file path: sqlite:///PATH/TO/storemon.sqlite3")
    path = Path(database)
    if not path.exists():
        if not path.parent.exists():
            raise ConfigError(f"the folder {path.parent} does not exist; create it or choose another path")
        return ConnectionReport(
            masked,
            "SQLite",
            sqlite3.sqlite_version,
            None,
            "the file does not exist yet; Storemon will create an empty database there on the next start",
        )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
        try:
            conn.execute("SELECT 1")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
            elif tables:
                raise ConfigError(f"{path} is a SQLite database but not a Storemon one; choose another file")
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path} cannot be opened as a SQLite database: {exc}") from exc
    return ConnectionReport(masked, "SQLite", sqlite3.sqlite_version, revision)


def database_location(in_use: str, paths: Paths | None = None) -> DatabaseLocation:
    paths = paths or app_paths()
    try:
        configured = load_settings(paths.settings_file).database_url
    except ConfigError:
        configured = None
    env = os.environ.get("STOREMON_DB_URL")
    return DatabaseLocation(
        in_use=in_use,
        settings_file=paths.settings_file,
        configured=None if configured is None else mask_url(configured),
        overridden_by="STOREMON_DB_URL" if env else None,
        default_url=f"sqlite:///{paths.default_database}",
    )


def save_database_url(value: str | None, paths: Paths | None = None) -> Path:
    """Write ``database_url`` to this PC's settings file (None: back to the embedded SQLite file).

    Other settings in the file are kept; the file is readable by its user only, because a
    PostgreSQL URL may carry a password. Takes effect on the next start.
    """
    paths = paths or app_paths()
    current = load_settings(paths.settings_file)
    url = None if value is None else url_from_input(value)
    return save_settings(paths.settings_file, replace(current, database_url=url))
