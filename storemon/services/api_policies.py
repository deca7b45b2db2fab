"""Use cases of the Policies and Settings screens (tier and escalation policies, thresholds, chain settings).

Reading is open to every signed-in user (a store manager may see the rules they work under);
changing a chain-wide setting needs a head-office role (``AccessDenied`` otherwise). Each
change is one transaction with an audit entry. The logic lives in ``chain_settings``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alerts.escalation import DEFAULT_POLICY, EscalationPolicy
from staffing.day import StaffingTargets
from staffing.policy import TierBand
from staffing.surge import SurgeCalendar
from storemon.services import chain_settings as cs
from storemon.services import secrets, setting_keys
from storemon.services.access import Actor
from storemon.services.api_base import ApiBase


class PoliciesApi(ApiBase):
    """Use cases of the Policies and Settings screens."""

    # -- tier policies --------------------------------------------------------------------------
    def tier_policy_summaries(self, actor: Actor) -> list[cs.PolicySummary]:
        """Every tier policy with its validation issues and how many of the actor's stores use it."""
        with self.session() as session:
            return cs.tier_policy_summaries(session, actor)

    def check_tier_policy(
        self, actor: Actor, policy_id: int | None, bands: Sequence[TierBand]
    ) -> cs.PolicyCheck:
        """Live validation of draft bands: gaps, overlaps, and the policy's stores left in a gap."""
        with self.session() as session:
            return cs.check_tier_policy(session, actor, policy_id, bands)

    def save_tier_policy(
        self, actor: Actor, draft: cs.PolicyDraft, accept_issues: bool = False
    ) -> cs.PolicySummary:
        """Create or update a policy in one transaction; gaps need ``accept_issues`` (never silent)."""
        with self.session() as session:
            policy_id = cs.save_tier_policy(session, actor, draft, accept_issues=accept_issues)
            session.commit()
            return next(p for p in cs.tier_policy_summaries(session, actor) if p.id == policy_id)

    def delete_tier_policy(self, actor: Actor, policy_id: int) -> None:
        with self.session() as session:
            cs.delete_tier_policy(session, actor, policy_id)
            session.commit()

    def policy_stores(self, actor: Actor, policy_id: int | None = None) -> list[cs.PolicyStore]:
        """The actor's stores with their current policy, and the staff ``policy_id`` would give them."""
        with self.session() as session:
            return cs.policy_stores(session, actor, policy_id)

    def assign_tier_policy(self, actor: Actor, policy_id: int, store_ids: Sequence[int]) -> int:
        """Give the stores this policy; returns how many changed."""
        with self.session() as session:
            changed = cs.assign_tier_policy(session, actor, policy_id, store_ids)
            session.commit()
            return changed

    # -- escalation -----------------------------------------------------------------------------
    def load_escalation_policy(self, actor: Actor) -> EscalationPolicy:
        with self.session() as session:
            return cs.load_escalation_policy(session)

    def save_escalation_policy(self, actor: Actor, policy: EscalationPolicy) -> EscalationPolicy:
        """Store the policy under ``alerts.escalation_policy``; returns it as read back."""
        with self.session() as session:
            saved = cs.save_escalation_policy(session, actor, policy)
            session.commit()
            return saved

    def reset_escalation_policy(self, actor: Actor) -> EscalationPolicy:
        return self.save_escalation_policy(actor, DEFAULT_POLICY)

    # -- surge calendar -------------------------------------------------------------------------
    def load_surge_calendar(self, actor: Actor) -> SurgeCalendar:
        with self.session() as session:
            return cs.load_surge_calendar(session)

    def save_surge_calendar(self, actor: Actor, calendar: SurgeCalendar) -> SurgeCalendar:
        with self.session() as session:
            saved = cs.save_surge_calendar(session, actor, calendar)
            session.commit()
            return saved

    # -- thresholds -----------------------------------------------------------------------------
    def load_thresholds(self, actor: Actor) -> cs.Thresholds:
        with self.session() as session:
            return cs.load_thresholds(session)

    def save_thresholds(
        self, actor: Actor, targets: StaffingTargets, amber_at: float, red_at: float
    ) -> cs.Thresholds:
        """Staffing targets and pressure levels in one transaction (other pressure weights are kept)."""
        with self.session() as session:
            saved = cs.save_thresholds(session, actor, targets, amber_at, red_at)
            session.commit()
            return saved

    def default_thresholds(self, actor: Actor) -> cs.Thresholds:
        """The shipped targets and levels, for "Restore defaults" (nothing is saved)."""
        return cs.DEFAULT_THRESHOLDS

    # -- authority limits and playbooks ---------------------------------------------------------
    def authority_limits(self, actor: Actor) -> cs.AuthorityLimits:
        """Per role, the largest compensation (CNY) it may grant alone."""
        with self.session() as session:
            return cs.load_authority_limits(session)

    def save_authority_limits(self, actor: Actor, limits: cs.AuthorityLimits) -> cs.AuthorityLimits:
        with self.session() as session:
            saved = cs.save_authority_limits(session, actor, limits)
            session.commit()
            return saved

    def playbooks(self, actor: Actor, language: str = "en") -> tuple[cs.Playbook, ...]:
        """Per incident type, its pre-approved responses; the shipped ones in ``language`` until saved."""
        with self.session() as session:
            return cs.load_playbooks(session, language)

    def save_playbooks(self, actor: Actor, playbooks: Sequence[cs.Playbook]) -> tuple[cs.Playbook, ...]:
        """Refused when a playbook has fewer than three responses or offers money nobody may grant."""
        with self.session() as session:
            saved = cs.save_playbooks(session, actor, playbooks)
            session.commit()
            return saved

    def save_incident_rules(
        self, actor: Actor, limits: cs.AuthorityLimits, playbooks: Sequence[cs.Playbook]
    ) -> tuple[cs.AuthorityLimits, tuple[cs.Playbook, ...]]:
        """Authority limits and playbooks in one transaction, each checked against the other."""
        with self.session() as session:
            saved = cs.save_incident_rules(session, actor, limits, playbooks)
            session.commit()
            return saved

    # -- support resources ----------------------------------------------------------------------
    def support_resources(self, actor: Actor) -> cs.SupportResources:
        """Hotline, mutual-aid contacts and mental-health sessions, for the staff screen."""
        with self.session() as session:
            return cs.load_support_resources(session)

    def save_support_resources(self, actor: Actor, resources: cs.SupportResources) -> cs.SupportResources:
        with self.session() as session:
            saved = cs.save_support_resources(session, actor, resources)
            session.commit()
            return saved

    # -- this PC's database connection (settings file, not the database) ------------------------
    def database_location(self, actor: Actor) -> cs.DatabaseLocation:
        return cs.database_location(self.description)

    def check_database_connection(self, actor: Actor, value: str) -> cs.ConnectionReport:
        """Connect to a path or URL, ``SELECT 1`` with a 5 s timeout; no schema change (ConfigError if not)."""
        cs.require_chain(actor)  # probing servers from a counter PC is not a frontline task
        return cs.check_connection(value)

    def save_database_url(self, actor: Actor, value: str | None) -> Path:
        """Write the URL (None: the embedded SQLite file) to this PC's settings file; used on the next start."""
        cs.require_chain(actor)  # pointing a PC at another database is head office's decision
        return cs.save_database_url(value)

    # -- notification channels (secrets in the keyring or a 0600 file, never the database) -------
    def notification_channels(self, actor: Actor) -> list[dict[str, Any]]:
        """Every chain channel, enabled or not, with each stored secret shown as ``"***"``."""
        with self.session() as session:
            return [self._masked_channel(c) for c in setting_keys.CHANNELS.load(session)]

    def secret_storage_warning(self, actor: Actor) -> str | None:
        """Why secrets on this PC sit in a file (no system keyring); None when a keyring keeps them."""
        return secrets.storage_warning()

    def save_notification_channels(
        self, actor: Actor, channels: Sequence[Mapping[str, Any]], now: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Replace the chain's channels (head office only); returns them as ``notification_channels``.

        A secret setting given as ``"***"`` keeps the value stored for the channel's
        ``previous_name`` (or its name); a new value goes to the secret store. Secrets of removed
        channels are forgotten.
        """
        cs.require_chain(actor)
        with self.session() as session:
            old = setting_keys.CHANNELS.load(session)
            merged = [self._with_kept_secrets(old, channel) for channel in channels]
            stored = secrets.save_channels(session, actor, merged, now or datetime.now(UTC))
            session.commit()
        still_used = {v[secrets.REF_KEY] for c in stored for v in c["settings"].values() if secrets.is_ref(v)}
        for channel in old:
            for value in channel.get("settings", {}).values():
                if secrets.is_ref(value) and value[secrets.REF_KEY] not in still_used:
                    secrets.default_store().delete(value[secrets.REF_KEY])
        return [self._masked_channel(c) for c in stored]

    def send_channel_test(
        self, actor: Actor, channel: Mapping[str, Any], recipient: str | None = None
    ) -> None:
        """Send the test message over ``channel`` as edited (saved or not; ``"***"`` keeps a stored secret).

        Head office only. A wrong setting or a failed delivery raises ``ChainSettingsError`` with
        a message that names the setting or the server, never a secret.
        """
        from alerts.notifiers import DeliveryError, SettingsError

        cs.require_chain(actor)
        with self.session() as session:
            merged = self._with_kept_secrets(setting_keys.CHANNELS.load(session), channel)
        try:
            notifier = secrets.notifier_for(merged)
            if merged.get("type") in ("email", "smtp") and recipient:
                notifier.send_test(recipient)
            else:
                notifier.send_test()
        except (SettingsError, DeliveryError) as exc:
            raise cs.ChainSettingsError(str(exc)) from None

    @staticmethod
    def _masked_channel(channel: Mapping[str, Any]) -> dict[str, Any]:
        return {**channel, "settings": secrets.masked_settings(channel.get("settings", {}))}

    @staticmethod
    def _with_kept_secrets(old: Sequence[Mapping[str, Any]], channel: Mapping[str, Any]) -> dict[str, Any]:
        """``channel`` without ``previous_name``, each ``"***"`` replaced by the value stored before."""
        previous = str(channel.get("previous_name") or channel.get("name") or "")
        before = next((c.get("settings", {}) for c in old if c.get("name") == previous), {})
        settings = {}
        for key, value in channel.get("settings", {}).items():
            if value == secrets.MASK and key in secrets.SECRET_SETTINGS:
                if before.get(key) not in (None, ""):
                    settings[key] = before[key]
            else:
                settings[key] = value
        kept = {k: v for k, v in channel.items() if k not in ("settings", "previous_name")}
        return {**kept, "settings": settings}
