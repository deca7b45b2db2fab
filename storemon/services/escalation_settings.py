"""The chain's escalation policy (who is paged, when), as head office edits it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.escalation import DEFAULT_POLICY, USER_PREFIX, EscalationPolicy
from storemon.db.models import User
from storemon.services.access import HEAD_OFFICE, Actor
from storemon.services.door import use_case
from storemon.services.setting_values import (
    ESCALATION_POLICY,
    ChainSettingsError,
    audit_change,
    bad_setting,
    now_or_utc,
    read_value,
    write_value,
)

# ------------------------------------------------------------------------------------ escalation


def load_escalation_policy(session: Session) -> EscalationPolicy:
    """The chain's escalation policy; the five-level default until someone edits it."""
    data = read_value(session, ESCALATION_POLICY)
    if data is None:
        return DEFAULT_POLICY
    try:
        return EscalationPolicy.from_dict(data)
    except ValueError as exc:
        raise bad_setting(ESCALATION_POLICY, exc) from exc


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def save_escalation_policy(
    session: Session, actor: Actor, policy: EscalationPolicy, now: datetime | None = None
) -> EscalationPolicy:
    """Store the policy (alerts already open keep the snapshot they fired with)."""
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
    data = policy.to_dict()
    write_value(session, ESCALATION_POLICY, data)
    audit_change(
        session, actor, "settings.save", ESCALATION_POLICY, {"levels": len(policy.levels)}, now_or_utc(now)
    )
    return EscalationPolicy.from_dict(data)
