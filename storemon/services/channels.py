"""Notification channels as the Settings screen edits them: secrets masked, kept or replaced.

The channel list lives in the ``settings`` table; its passwords and tokens live in the secret
store (keyring or a 0600 file), never the database (``storemon.services.secrets``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.outbox import CANCELLED, DEAD, DELIVERED, PENDING
from storemon.db.models import Notification
from storemon.services import secrets, setting_keys
from storemon.services.access import HEAD_OFFICE, Actor
from storemon.services.door import use_case

CHANGE = "change chain-wide settings"


def masked_channel(channel: Mapping[str, Any]) -> dict[str, Any]:
    return {**channel, "settings": secrets.masked_settings(channel.get("settings", {}))}


def with_kept_secrets(old: Sequence[Mapping[str, Any]], channel: Mapping[str, Any]) -> dict[str, Any]:
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


def _stored(session: Session) -> list[dict[str, Any]]:
    return setting_keys.CHANNELS.load(session)


@use_case(signed_in=False)
def notification_channels(session: Session) -> list[dict[str, Any]]:
    """Every chain channel, enabled or not, with each stored secret shown as ``"***"``."""
    return [masked_channel(c) for c in _stored(session)]


@use_case(write=True, needs=HEAD_OFFICE, doing=CHANGE)
def replace_channels(
    session: Session, actor: Actor, channels: Sequence[Mapping[str, Any]], now: datetime | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Store ``channels`` (``"***"`` keeps a stored secret); returns (stored, the channels before)."""
    old = _stored(session)
    merged = [with_kept_secrets(old, channel) for channel in channels]
    return secrets.save_channels(session, actor, merged, now or datetime.now(UTC)), old


def forget_unused_secrets(old: Sequence[Mapping[str, Any]], stored: Sequence[Mapping[str, Any]]) -> None:
    """Delete from the secret store what only removed channels used (after the commit)."""
    still_used = {v[secrets.REF_KEY] for c in stored for v in c["settings"].values() if secrets.is_ref(v)}
    for channel in old:
        for value in channel.get("settings", {}).values():
            if secrets.is_ref(value) and value[secrets.REF_KEY] not in still_used:
                secrets.default_store().delete(value[secrets.REF_KEY])


@use_case(needs=HEAD_OFFICE, doing=CHANGE)
def channel_as_edited(session: Session, actor: Actor, channel: Mapping[str, Any]) -> dict[str, Any]:
    """The channel as edited, with ``"***"`` replaced by the stored secrets (for a test message)."""
    return with_kept_secrets(_stored(session), channel)


@dataclass(frozen=True)
class ChannelStatus:
    """How a channel's deliveries stand: what waits, what went out, what died and why."""

    name: str
    type: str
    enabled: bool
    levels: list[int]
    pending: int
    delivered: int
    dead: int
    cancelled: int
    last_error: str
    oldest_pending_minutes: float | None


@use_case(needs=HEAD_OFFICE, doing="see the notification channels' deliveries")
def channel_status(session: Session, actor: Actor, now: datetime) -> list[ChannelStatus]:
    """Per chain channel (and e-mail): counts by status, the newest error, the oldest pending age."""
    counts: dict[tuple[str, str], int] = {
        (channel, status): count
        for channel, status, count in session.execute(
            select(Notification.channel, Notification.status, func.count()).group_by(
                Notification.channel, Notification.status
            )
        )
    }
    oldest = dict(
        session.execute(
            select(Notification.channel, func.min(Notification.created_at))
            .where(Notification.status == PENDING)
            .group_by(Notification.channel)
        ).all()
    )
    found = []
    for channel in _stored(session):
        name = "email" if channel.get("type") == "email" else channel["name"]
        error = session.scalar(
            select(Notification.last_error)
            .where(Notification.channel == name, Notification.last_error != "")
            .order_by(Notification.id.desc())
            .limit(1)
        )
        since = oldest.get(name)
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        found.append(
            ChannelStatus(
                name=channel["name"],
                type=channel.get("type", ""),
                enabled=bool(channel.get("enabled", True)),
                levels=list(channel.get("levels", [1, 2, 3, 4, 5])),
                pending=counts.get((name, PENDING), 0),
                delivered=counts.get((name, DELIVERED), 0),
                dead=counts.get((name, DEAD), 0),
                cancelled=counts.get((name, CANCELLED), 0),
                last_error=error or "",
                oldest_pending_minutes=None
                if since is None
                else round((now - since).total_seconds() / 60, 1),
            )
        )
    return found
