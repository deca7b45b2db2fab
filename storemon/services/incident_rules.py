"""Incident rules: per role, the compensation it may grant alone, and per incident type, its playbook.

The shipped playbooks (English and Simplified Chinese) are data: ``data/playbooks.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from alerts.escalation_policy import ROLES
from storemon.services.access import HEAD_OFFICE, Actor
from storemon.services.door import use_case
from storemon.services.setting_keys import Codec, Key
from storemon.services.setting_values import (
    AUTHORITY_LIMITS,
    CURRENCY,
    PLAYBOOKS,
    ChainSettingsError,
    audit_change,
    now_or_utc,
    parse_amount,
    save_setting,
)

# ------------------------------------------------------------------------------------ authority limits

AUTHORITY_ROLES: tuple[str, ...] = ROLES
"""The chain of command from the counter up (DOMAIN.md section 1), lowest authority first: the
same roles, in the same order, as escalation levels target."""


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


load_authority_limits = AUTHORITY_LIMITS_KEY.load
"""Per role, what it may grant alone; the shipped limits until head office edits them."""


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def save_authority_limits(
    session: Session, actor: Actor, limits: AuthorityLimits, now: datetime | None = None
) -> AuthorityLimits:
    playbooks = PLAYBOOKS_KEY.read(session)
    if playbooks is not None:
        check_playbooks(playbooks, limits)
    return save_setting(session, actor, AUTHORITY_LIMITS_KEY, limits, limits.to_json(), now)


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


def default_playbooks(language: str = "en") -> tuple[Playbook, ...]:
    """The shipped playbooks, in English or Simplified Chinese (``data/playbooks.json``)."""
    shipped = json.loads(
        resources.files("storemon.services").joinpath("data/playbooks.json").read_text("utf-8")
    )
    return playbooks_from_json(shipped["zh_CN" if language.startswith("zh") else "en"])


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


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def save_playbooks(
    session: Session, actor: Actor, playbooks: Sequence[Playbook], now: datetime | None = None
) -> tuple[Playbook, ...]:
    cleaned = _clean_playbooks(playbooks)
    check_playbooks(cleaned, load_authority_limits(session))
    return save_setting(
        session, actor, PLAYBOOKS_KEY, cleaned, {"types": [b.incident_type for b in cleaned]}, now
    )


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def save_incident_rules(
    session: Session,
    actor: Actor,
    limits: AuthorityLimits,
    playbooks: Sequence[Playbook],
    now: datetime | None = None,
) -> tuple[AuthorityLimits, tuple[Playbook, ...]]:
    """Authority limits and playbooks together, checked against each other, in one transaction."""
    cleaned = _clean_playbooks(playbooks)
    check_playbooks(cleaned, limits)
    saved = AUTHORITY_LIMITS_KEY.save(session, limits), PLAYBOOKS_KEY.save(session, cleaned)
    audit_change(
        session,
        actor,
        "settings.save",
        f"{AUTHORITY_LIMITS}, {PLAYBOOKS}",
        {**limits.to_json(), "types": [b.incident_type for b in cleaned]},
        now_or_utc(now),
    )
    return saved
