"""The registry of business settings: every key the ``settings`` table may hold, with its type.

Business settings are shared by every PC of a chain, so they live in the database as JSON
(STYLE.md section 4). Each is a ``Key[T](name, codec, default)``: the one place that reads and
writes it, turning the stored JSON into a ``T`` and back. A stored value that cannot be used
raises ``SettingError`` naming the key, the field and what to do, never a raw ``ValueError``.
Runtime state (heartbeats, lockouts, live pictures, approval tokens) has its own tables.

Keys whose type lives beside its service (authority limits and playbooks in ``incident_rules``,
support resources in ``support_resources``) are declared there; a ``Key`` registers itself in ``KEYS`` when created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar, get_args, get_origin

from sqlalchemy.orm import Session

from alerts import codec as alert_codec
from alerts.escalation_policy import DEFAULT_POLICY, EscalationPolicy
from staffing.day import StaffingTargets, chore_minutes_from_solo_share
from staffing.forecast import PlanningSettings
from staffing.pressure import PressureConfig
from staffing.surge import SurgeCalendar
from storemon.db.models import Setting
from storemon.errors import StoremonError

T = TypeVar("T")


class SettingError(StoremonError, ValueError):
    """A stored setting cannot be used; the message names the key, the field and what to do."""


@dataclass(frozen=True)
class Codec(Generic[T]):
    """Stored JSON -> ``T`` (``load`` raises ``ValueError`` naming the field) and back."""

    load: Callable[[Any], T]
    dump: Callable[[T], Any]


KEYS: dict[str, Key[Any]] = {}
"""Every registered setting, by name: nothing else belongs in the ``settings`` table."""


def registered() -> dict[str, Key[Any]]:
    """``KEYS``, after importing the modules that declare keys beside their types."""
    from storemon.services import incident_rules, support_resources, wages  # noqa: F401  (declare their keys)

    return dict(KEYS)


@dataclass(frozen=True)
class Key(Generic[T]):
    """One business setting: its name in the ``settings`` table, its codec and its default."""

    name: str
    codec: Codec[T]
    default: Callable[[], T]
    screen: str = "Settings"
    """Where a user fixes it, for error messages."""

    def __post_init__(self) -> None:
        if self.name in KEYS:
            raise ValueError(f"setting {self.name!r} is registered twice")
        KEYS[self.name] = self

    def _error(self, problem: object) -> SettingError:
        return SettingError(
            f"setting {self.name!r}: {problem}. Fix it in {self.screen} or reset it to the defaults."
        )

    def read(self, session: Session) -> T | None:
        """The stored value, or None when none is stored."""
        row = session.get(Setting, self.name)
        if row is None:
            return None
        try:
            return self.codec.load(row.value)
        except (TypeError, ValueError, AttributeError) as exc:
            raise self._error(exc) from exc

    def load(self, session: Session) -> T:
        """The stored value, or the default."""
        value = self.read(session)
        return self.default() if value is None else value

    def save(self, session: Session, value: T) -> T:
        """Store ``value``; returns it as read back (what every other PC will see)."""
        data = self.codec.dump(value)
        row = session.get(Setting, self.name)
        if row is None:
            session.add(Setting(key=self.name, value=data))
        else:
            row.value = data
        try:
            return self.codec.load(data)
        except (TypeError, ValueError, AttributeError) as exc:
            raise self._error(exc) from exc


# ------------------------------------------------------------------------------------ codecs

_converter = alert_codec.strict_converter()
_converter.register_structure_hook(date, lambda value, _: date.fromisoformat(_text(value)))
_converter.register_unstructure_hook(date, date.isoformat)


def _is_set(t: Any) -> bool:
    return (
        t is frozenset or get_origin(t) is frozenset or any(get_origin(a) is frozenset for a in get_args(t))
    )


def _sorted(value: frozenset[str] | None) -> list[str] | None:
    """Sets (the stores of a surge period) as sorted lists: JSON has no set, and order is stable."""
    return None if value is None else sorted(value)


_converter.register_unstructure_hook_func(_is_set, _sorted)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a date as YYYY-MM-DD, got {value!r}")
    return value


def dataclass_codec(cls: type[T]) -> Codec[T]:
    """The dataclass's fields as a JSON object (cattrs, strict, unknown fields refused)."""
    return Codec(
        lambda data: alert_codec.structure(_converter, data, cls),
        _converter.unstructure,
    )


def _channels(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(c, dict) for c in data):
        raise ValueError('expected a list of {"name", "type", "settings", "levels", "enabled"}')
    return data


def _targets_codec() -> Codec[StaffingTargets]:
    """``StaffingTargets``, reading targets saved before issue 14: their ``solo_service_share``
    (the share of a solo worker's time left for the queue) becomes the same chore load."""
    plain = dataclass_codec(StaffingTargets)

    def load(data: Any) -> StaffingTargets:
        if isinstance(data, dict) and "solo_service_share" in data:
            data = dict(data)
            share = data.pop("solo_service_share")
            if not isinstance(share, int | float) or not 0 < share <= 1:
                raise ValueError(f"solo_service_share must be a number in (0, 1], got {share!r}")
            data.setdefault("chore_minutes_per_hour", round(chore_minutes_from_solo_share(share), 6))
        return plain.load(data)

    return Codec(load, plain.dump)


# ------------------------------------------------------------------------------------ the keys

STAFFING_TARGETS: Key[StaffingTargets] = Key(
    "staffing.targets", _targets_codec(), StaffingTargets, "Policies > Thresholds"
)
"""Service time, chore load, patience and wait targets for the chain (a store's own values win)."""
PRESSURE_CONFIG: Key[PressureConfig] = Key(
    "staffing.pressure", dataclass_codec(PressureConfig), PressureConfig, "Policies > Thresholds"
)
"""Weights and thresholds of the pressure index."""
SURGE_CALENDAR: Key[SurgeCalendar] = Key(
    "staffing.surge", dataclass_codec(SurgeCalendar), SurgeCalendar.default, "Policies > Surge calendar"
)
"""Holidays and promotions; the built-in 3·15 season until someone edits it."""
FORECAST_PLANNING: Key[PlanningSettings] = Key(
    "staffing.forecast", dataclass_codec(PlanningSettings), PlanningSettings, "Policies > Thresholds"
)
"""Which quantile of the forecast staffing is planned for (default: the mean) and which surge
periods apply where the sales history cannot estimate them."""
ESCALATION_POLICY: Key[EscalationPolicy] = Key(
    "alerts.escalation_policy",
    Codec(alert_codec.load_policy, alert_codec.dump_policy),
    lambda: DEFAULT_POLICY,
    "Policies > Escalation",
)
"""The chain's escalation chain; alerts already open keep the snapshot they fired with."""
CHANNELS: Key[list[dict[str, Any]]] = Key(
    "alerts.channels", Codec(_channels, list), list, "Settings > Notification channels"
)
"""Chain-wide channels (``storemon.services.secrets``); secrets are references, never values."""


def _language(data: Any) -> str:
    if data not in ("en", "zh_CN"):
        raise ValueError(f"must be 'en' or 'zh_CN', got {data!r}")
    return data


ALERTS_LANGUAGE: Key[str] = Key(
    "alerts.language", Codec(_language, str), lambda: "en", "Settings > Notification channels"
)
"""The language chain-wide channels speak unless a channel names its own (``alerts.kinds``)."""


def staffing_targets(session: Session) -> StaffingTargets:
    """Service time, chore load, patience and wait targets for the chain."""
    return STAFFING_TARGETS.load(session)


def save_staffing_targets(session: Session, targets: StaffingTargets) -> None:
    STAFFING_TARGETS.save(session, targets)


def pressure_config(session: Session) -> PressureConfig:
    """Weights and thresholds of the pressure index."""
    return PRESSURE_CONFIG.load(session)


def save_pressure_config(session: Session, config: PressureConfig) -> None:
    PRESSURE_CONFIG.save(session, config)


# ------------------------------------------------------------------------------------ phone links


def _web_url(data: Any) -> str:
    if not isinstance(data, str) or (data and not data.startswith(("http://", "https://"))):
        raise ValueError(f"must be an http:// or https:// address, got {data!r}")
    return data.rstrip("/")


def _listen(data: Any) -> str:
    host, sep, port = str(data).rpartition(":")
    if data and (not isinstance(data, str) or not sep or not host or not port.isdigit() or int(port) > 65535):
        raise ValueError(f"must be HOST:PORT, e.g. 127.0.0.1:8470, got {data!r}")
    return data


def _link_hours(data: Any) -> float:
    if isinstance(data, bool) or not isinstance(data, int | float) or not 0 < data <= 72:
        raise ValueError(f"must be a number of hours above 0 and at most 72, got {data!r}")
    return float(data)


WEB_BASE_URL: Key[str] = Key("web.base_url", Codec(_web_url, str), str, "storemon web --save --base-url")
"""The public address of ``storemon web`` (behind the reverse proxy) that links in pages start with;
empty: pages go out without a link."""
WEB_LISTEN: Key[str] = Key("web.listen", Codec(_listen, str), str, "storemon web --save --listen")
"""HOST:PORT the worker serves phone links on in chain mode; empty: the worker serves none."""
WEB_LINK_HOURS: Key[float] = Key(
    "web.link_hours", Codec(_link_hours, float), lambda: 2.0, "storemon web --save --link-hours"
)
"""How long a phone link stays usable after it was sent (default 2 h)."""
