"""The escalation policy: who is paged at each level, how long they have, and what follows the last.

A policy is checked when it is built (``__post_init__``), so an ``EscalationPolicy`` that exists
is one the state machine (``alerts.escalation``) can follow. Its JSON form lives in
``alerts.codec``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

ROLES: tuple[str, ...] = (
    "staff",
    "shift_lead",
    "store_manager",
    "ops_supervisor",
    "service_director",
    "executive",
)
"""Role names a level may target; the wiring resolves them to people of the store's region."""

USER_PREFIX = "user:"


def person(name: str) -> str:
    """The notification target for one named person, ``"user:NAME"``."""
    return name if name.startswith(USER_PREFIX) else USER_PREFIX + name


def _is_target(target: object) -> bool:
    return isinstance(target, str) and (
        target in ROLES or (target.startswith(USER_PREFIX) and bool(target[len(USER_PREFIX) :].strip()))
    )


# --------------------------------------------------------------------------- policy


@dataclass(frozen=True)
class EscalationLevel:
    """One rung of the chain: who is paged and how long they have to acknowledge."""

    number: int
    name: str
    targets: tuple[str, ...]
    ack_timeout: timedelta

    def __post_init__(self) -> None:
        if isinstance(self.number, bool) or not isinstance(self.number, int) or self.number < 1:
            raise ValueError(f"escalation level number must be a whole number >= 1, got {self.number!r}")
        where = f"escalation level {self.number}"
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"{where}: the name must not be empty")
        if isinstance(self.targets, str):
            raise ValueError(f"{where}: targets must be a list of names, got the string {self.targets!r}")
        targets = tuple(self.targets)
        object.__setattr__(self, "targets", targets)
        if not targets:
            raise ValueError(f"{where} ({self.name}): needs at least one target")
        for target in targets:
            if not _is_target(target):
                raise ValueError(
                    f"{where} ({self.name}): unknown target {target!r}; "
                    f"use one of {', '.join(ROLES)} or 'user:NAME'"
                )
        if len(set(targets)) != len(targets):
            raise ValueError(f"{where} ({self.name}): a target is listed twice")
        if not isinstance(self.ack_timeout, timedelta) or self.ack_timeout <= timedelta(0):
            raise ValueError(f"{where} ({self.name}): ack_timeout must be positive, got {self.ack_timeout!r}")


@dataclass(frozen=True)
class EscalationPolicy:
    """An ordered chain of levels plus what happens after the last one and once acknowledged.

    ``max_repeats``: how many times the chain restarts when nobody acknowledged at the last
    level. ``reminder_interval``: how often the owner of an acknowledged, unresolved alert
    is reminded. ``max_snooze``: the longest a snooze may last.
    """

    name: str
    levels: tuple[EscalationLevel, ...]
    max_repeats: int = 2
    reminder_interval: timedelta = timedelta(minutes=15)
    max_snooze: timedelta = timedelta(minutes=60)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("escalation policy: the name must not be empty")
        where = f"escalation policy {self.name!r}"
        levels = tuple(self.levels)
        object.__setattr__(self, "levels", levels)
        if not levels:
            raise ValueError(f"{where}: needs at least one level")
        for expected, level in enumerate(levels, start=1):
            if not isinstance(level, EscalationLevel):
                raise ValueError(f"{where}: level {expected} is not an EscalationLevel: {level!r}")
            if level.number != expected:
                raise ValueError(
                    f"{where}: levels must be numbered 1..{len(levels)} in order; "
                    f"position {expected} holds level {level.number}"
                )
        if (
            isinstance(self.max_repeats, bool)
            or not isinstance(self.max_repeats, int)
            or self.max_repeats < 0
        ):
            raise ValueError(f"{where}: max_repeats must be a whole number >= 0, got {self.max_repeats!r}")
        for label, value in (("reminder_interval", self.reminder_interval), ("max_snooze", self.max_snooze)):
            if not isinstance(value, timedelta) or value <= timedelta(0):
                raise ValueError(f"{where}: {label} must be positive, got {value!r}")

    @property
    def top(self) -> int:
        """The number of the last (highest) level."""
        return len(self.levels)

    def level(self, number: int) -> EscalationLevel:
        """Level ``number`` (1-based)."""
        if not 1 <= number <= self.top:
            raise ValueError(f"escalation policy {self.name!r} has levels 1..{self.top}, not {number}")
        return self.levels[number - 1]


DEFAULT_POLICY = EscalationPolicy(
    name="Five-level crisis response",
    levels=(
        EscalationLevel(1, "Frontline staff", ("staff",), timedelta(minutes=2)),
        EscalationLevel(
            2, "Shift lead / store manager", ("shift_lead", "store_manager"), timedelta(minutes=5)
        ),
        EscalationLevel(3, "Operations supervisor", ("ops_supervisor",), timedelta(minutes=10)),
        EscalationLevel(4, "Service director", ("service_director",), timedelta(minutes=15)),
        EscalationLevel(5, "Executive", ("executive",), timedelta(minutes=30)),
    ),
)
"""DOMAIN.md section 1: staff -> shift lead -> operations supervisor -> service director -> executive."""
