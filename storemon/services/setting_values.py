"""Chain-wide settings stored as JSON in the ``settings`` table: reading, writing and auditing one value.

Business settings live in the database so every PC of a chain sees them (STYLE.md section 4),
each read and written through its ``Key`` (``storemon.services.setting_keys``).
The subjects each have a module: ``tier_policies`` (and the staffing thresholds), ``surge_calendar``,
``escalation_settings``, ``incident_rules`` (authority limits and playbooks) and
``support_resources``. Every change needs a head-office role (``access.HEAD_OFFICE``, checked by
the use-case door) and leaves an audit entry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from sqlalchemy.orm import Session

from storemon.errors import StoremonError
from storemon.services import audit as audit_log
from storemon.services import setting_keys
from storemon.services.access import Actor

SURGE_CALENDAR = setting_keys.SURGE_CALENDAR.name
ESCALATION_POLICY = setting_keys.ESCALATION_POLICY.name
AUTHORITY_LIMITS = "incidents.authority_limits"
PLAYBOOKS = "incidents.playbooks"
SUPPORT_RESOURCES = "support.resources"

CURRENCY = "CNY"
CONNECT_TIMEOUT_SECONDS = 5


class ChainSettingsError(StoremonError, ValueError):
    """A chain setting that cannot be saved or read as given; the message says what to fix."""


def now_or_utc(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def audit_change(
    session: Session, actor: Actor, action: str, subject: str, details: dict, now: datetime
) -> None:
    """Append to the hash-chained audit log (``storemon.services.audit``)."""
    audit_log.append(session, actor.username, action, subject, details, now)


T = TypeVar("T")


def save_setting(
    session: Session, actor: Actor, key: setting_keys.Key[T], value: T, details: dict, now: datetime | None
) -> T:
    """Store one setting through its key and leave the audit entry every head-office change leaves."""
    saved = key.save(session, value)
    audit_change(session, actor, "settings.save", key.name, details, now_or_utc(now))
    return saved


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
