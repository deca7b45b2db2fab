"""Tier policies (staff per revenue band) and the staffing thresholds, as head office edits them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from staffing.day import StaffingTargets
from staffing.forecast import PlanningSettings
from staffing.policy import GAP, PolicyIssue, TierBand, TierPolicy, gap_for, staff_for, validate
from staffing.pressure import PressureConfig
from storemon.db.models import Store
from storemon.db.models import TierBand as TierBandRow
from storemon.db.models import TierPolicy as TierPolicyRow
from storemon.services import setting_keys
from storemon.services.access import HEAD_OFFICE, Actor
from storemon.services.door import use_case
from storemon.services.policies import to_domain
from storemon.services.setting_values import (
    ChainSettingsError,
    audit_change,
    now_or_utc,
)
from storemon.services.stores import average_daily_revenue

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


@use_case()
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


@use_case()
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


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
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
        now_or_utc(now),
    )
    return row.id


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def delete_tier_policy(session: Session, actor: Actor, policy_id: int, now: datetime | None = None) -> None:
    """Delete a policy no store uses (stores must be assigned another policy first)."""
    row = session.get(TierPolicyRow, policy_id)
    if row is None:
        raise ChainSettingsError(f"policy {policy_id} no longer exists; reload the list")
    used = session.scalar(select(func.count(Store.id)).where(Store.tier_policy_id == policy_id))
    if used:
        raise ChainSettingsError(
            f"policy {row.name!r} is used by {used} store(s); assign them another policy first"
        )
    audit_change(session, actor, "policy.delete", f"tier policy {row.name}", {}, now_or_utc(now))
    session.delete(row)


@use_case()
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


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def assign_tier_policy(
    session: Session, actor: Actor, policy_id: int, store_ids: Iterable[int], now: datetime | None = None
) -> int:
    """Give these stores the policy; returns how many changed."""
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
            now_or_utc(now),
        )
    return len(changed)


@dataclass(frozen=True)
class PolicyRef:
    """A tier policy as pickers show it."""

    id: int
    name: str
    description: str
    policy: TierPolicy


@use_case(signed_in=False)
def tier_policy_refs(session: Session) -> list[PolicyRef]:
    """Every tier policy by name, for pickers (reading policies is open to every signed-in user)."""
    rows = session.scalars(select(TierPolicyRow).order_by(TierPolicyRow.name)).all()
    return [PolicyRef(p.id, p.name, p.description, to_domain(p)) for p in rows]


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def save_tier_policy_summary(
    session: Session, actor: Actor, draft: PolicyDraft, accept_issues: bool = False
) -> PolicySummary:
    """Create or update a policy in one transaction; gaps need ``accept_issues`` (never silent)."""
    policy_id = save_tier_policy(session, actor, draft, accept_issues=accept_issues)
    session.flush()
    return next(p for p in tier_policy_summaries(session, actor) if p.id == policy_id)


# ------------------------------------------------------------------------------------ thresholds


@dataclass(frozen=True)
class Thresholds:
    """The chain's staffing targets and the pressure levels, as the Thresholds tab edits them."""

    targets: StaffingTargets
    amber_at: float
    red_at: float
    plan: PlanningSettings = PlanningSettings()
    """What staffing is planned for from the forecast (``staffing.forecast``)."""


DEFAULT_THRESHOLDS = Thresholds(StaffingTargets(), PressureConfig().amber_at, PressureConfig().red_at)


def load_thresholds(session: Session) -> Thresholds:
    config = setting_keys.pressure_config(session)
    plan = setting_keys.FORECAST_PLANNING.load(session)
    return Thresholds(setting_keys.staffing_targets(session), config.amber_at, config.red_at, plan)


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def save_thresholds(
    session: Session,
    actor: Actor,
    targets: StaffingTargets,
    amber_at: float,
    red_at: float,
    now: datetime | None = None,
    plan: PlanningSettings | None = None,
) -> Thresholds:
    """Save the targets (``staffing.targets``) and the amber/red levels of ``staffing.pressure``,
    and, when given, what staffing is planned for from the forecast (``staffing.forecast``)."""
    try:
        config = replace(
            setting_keys.pressure_config(session), amber_at=float(amber_at), red_at=float(red_at)
        )
    except ValueError as exc:
        raise ChainSettingsError(f"pressure levels: {exc}") from exc
    plan = plan or setting_keys.FORECAST_PLANNING.load(session)
    setting_keys.save_staffing_targets(session, targets)
    setting_keys.save_pressure_config(session, config)
    setting_keys.FORECAST_PLANNING.save(session, plan)
    audit_change(
        session,
        actor,
        "settings.save",
        f"{setting_keys.STAFFING_TARGETS.name}, {setting_keys.PRESSURE_CONFIG.name}, "
        f"{setting_keys.FORECAST_PLANNING.name}",
        {**asdict(targets), "amber_at": config.amber_at, "red_at": config.red_at, "plan": plan.plan_label},
        now_or_utc(now),
    )
    return Thresholds(targets, config.amber_at, config.red_at, plan)
