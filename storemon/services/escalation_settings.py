"""The chain's escalation policy (who is paged, when), as head office edits it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.escalation import USER_PREFIX, EscalationPolicy
from storemon.db.models import User
from storemon.services import setting_keys
from storemon.services.access import HEAD_OFFICE, Actor
from storemon.services.door import use_case
from storemon.services.setting_values import ChainSettingsError, save_setting

# ------------------------------------------------------------------------------------ escalation


load_escalation_policy = setting_keys.ESCALATION_POLICY.load
"""The chain's escalation policy; the five-level default until someone edits it."""


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
    return save_setting(
        session, actor, setting_keys.ESCALATION_POLICY, policy, {"levels": len(policy.levels)}, now
    )
