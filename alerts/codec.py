"""JSON forms of the escalation policy and an alert's state, with cattrs.

cattrs turns the frozen dataclasses into plain JSON and back without the classes knowing, so
their own checks (``__post_init__``) stay the one place that decides what is valid. The
converter here is strict (a string is not a number, a number is not a name) and renames the
durations to the stored ``*_seconds`` keys. Every problem comes out as one ``ValueError``
naming where it is (``levels[1]: missing field ack_timeout_seconds``).

``strict_converter`` and ``structure`` serve ``storemon``'s settings too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from alerts.escalation import AlertState
from alerts.escalation_policy import EscalationLevel, EscalationPolicy

T = TypeVar("T")


def _strict(kind: type, name: str) -> Any:
    def structure(value: Any, _: type) -> Any:
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            raise ValueError(f"must be {name}, got {value!r}")
        return value

    return structure


def _number(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"must be a number, got {value!r}")
    return float(value)


def _seconds(value: timedelta) -> int | float:
    """Whole seconds as an int (exact), otherwise a float."""
    if value.microseconds == 0:
        return value.days * 86_400 + value.seconds
    return value.total_seconds()


def _timedelta(value: Any, _: type) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"must be a number of seconds, got {value!r}")
    return timedelta(seconds=value)


def _datetime(value: Any, _: type) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO 8601 string, got {value!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"must be timezone-aware (UTC), got the naive {value}")
    return parsed.astimezone(UTC)


def strict_converter() -> cattrs.Converter:
    """A converter that refuses unknown keys and never coerces: "3" is no int, 1 is no name."""
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(str, _strict(str, "text"))
    converter.register_structure_hook(int, _strict(int, "a whole number"))
    converter.register_structure_hook(bool, _strict(bool, "true or false"))
    converter.register_structure_hook(float, _number)
    converter.register_structure_hook(timedelta, _timedelta)
    converter.register_unstructure_hook(timedelta, _seconds)
    converter.register_structure_hook(datetime, _datetime)
    converter.register_unstructure_hook(datetime, lambda value: value.isoformat())
    return converter


def _problems(exc: BaseException, path: str, renames: Mapping[str, str]) -> list[str]:
    """One line per leaf error: ``where: what``."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        found = []
        for inner in exc.exceptions:
            note = next(
                (n for n in getattr(inner, "__notes__", ()) if hasattr(n, "name") or hasattr(n, "index")),
                None,
            )
            name = getattr(note, "name", getattr(note, "index", None))
            if isinstance(name, int):
                step = f"{path}[{name}]"
            else:
                step = f"{path}.{renames.get(name, name)}" if path else renames.get(name, name)
            if isinstance(inner, KeyError):
                found.append(f"{path or 'top level'}: missing field {renames.get(name, name)}")
            else:
                found += _problems(inner, step, renames)
        return found
    if isinstance(exc, ForbiddenExtraKeysError):
        return [f"{path or 'top level'}: unknown field(s) {', '.join(sorted(exc.extra_fields))}"]
    message = str(exc) if isinstance(exc, ValueError) else f"has the wrong shape ({exc})"
    return [f"{path} {message}" if path else message]


def structure(
    converter: cattrs.Converter, data: Any, cls: type[T], renames: Mapping[str, str] | None = None
) -> T:
    """``data`` as a ``cls``; one ``ValueError`` naming every problem and where it is otherwise.

    ``renames`` maps attribute names to the stored keys, so messages name what the JSON says.
    """
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        raise ValueError("; ".join(_problems(exc, "", renames or {}))) from None
    except (TypeError, AttributeError) as exc:
        raise ValueError(f"expected an object with the fields of {cls.__name__}: {exc}") from None


# --------------------------------------------------------------------------- escalation

_RENAMES = {
    "ack_timeout": "ack_timeout_seconds",
    "reminder_interval": "reminder_interval_seconds",
    "max_snooze": "max_snooze_seconds",
}
_converter = strict_converter()
for _cls in (EscalationLevel, EscalationPolicy):
    _overrides = {f: override(rename=_RENAMES[f]) for f in _RENAMES if f in _cls.__dataclass_fields__}
    _converter.register_structure_hook(_cls, make_dict_structure_fn(_cls, _converter, **_overrides))
    _converter.register_unstructure_hook(_cls, make_dict_unstructure_fn(_cls, _converter, **_overrides))


def dump_policy(policy: EscalationPolicy) -> dict[str, Any]:
    """JSON-safe form (durations in seconds), stored in settings and with every alert as its snapshot."""
    return _converter.unstructure(policy)


def load_policy(data: Any) -> EscalationPolicy:
    """Inverse of ``dump_policy``; a ``ValueError`` naming what is wrong."""
    return structure(_converter, data, EscalationPolicy, _RENAMES)


def dump_state(state: AlertState) -> dict[str, Any]:
    """JSON-safe form: datetimes as ISO 8601 UTC strings, the policy snapshot inline."""
    return _converter.unstructure(state)


def load_state(data: Any) -> AlertState:
    """Inverse of ``dump_state``; optional fields may be missing. A ``ValueError`` if malformed."""
    return structure(_converter, data, AlertState, _RENAMES)
