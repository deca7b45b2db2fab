"""Escalation: walk an alert up the crisis-response chain until someone acknowledges it.

DOMAIN.md section 1 asks for at least five levels of crisis response (frontline staff ->
shift lead -> operations supervisor -> service director -> executive) with a fast,
unobstructed channel, because in the incidents it describes nobody stepped in (应急补位)
in time. Section 3 adds that a sensitive trigger (an escalated complaint, the consumer
association, media) must reach a superior at once, so it skips the first level.

The engine is a pure state machine, ``step(state, event, now) -> (new_state, actions)``:
no clock, no I/O. The caller (``storemon``) stores the state, writes the actions to the
timeline and the outbox in the same transaction, and asks the scheduler to send
``Timeout()`` at ``state.deadline``. Decisions worth knowing:

- **Deadline in the state, no SetDeadline action.** ``state.deadline`` is the next moment
  something must happen (ack timeout, reminder, end of a snooze); ``None`` once resolved
  or once escalation is exhausted. The scheduler scans alerts by it.
- **Timeouts are idempotent.** ``Timeout()`` before ``state.deadline`` is a no-op, so
  early or duplicate timer firings are harmless. A late one moves one step (one level,
  one reminder) and counts the next deadline from ``now``, so every level gets its full
  time to answer even after the scheduler was down.
- **After the last level** the chain restarts at the alert's start level, at most
  ``policy.max_repeats`` times; after that the alert stays open at the last level with
  no deadline and an "exhausted" timeline entry (``state.exhausted``), for people and
  dashboards to see; nobody is paged automatically any more.
- **Acknowledged alerts never escalate**; the owner gets a reminder every
  ``policy.reminder_interval`` until the alert is resolved.
- **Handing off never silences escalation.** ``Reassign`` on an open alert names the
  owner and pages them, but the ack clock keeps running until someone acknowledges.
- **Snooze** is allowed on open and acknowledged alerts, clamped to ``policy.max_snooze``;
  when it ends the alert returns to its previous status and the current level (or the
  owner) is notified again.
- **Resolved is final.** Every event except ``Comment`` is a no-op on a resolved alert
  (same state, no actions); a rule that fires again opens a new alert.
- **A repeated Fire** on an unresolved alert is a no-op unless it is sensitive for the
  first time or starts above the current level; then the alert escalates at once.
- **An alert follows its policy snapshot.** ``AlertState.policy`` is the policy as it was
  when the alert fired and is stored with it; editing the policy later changes nothing
  for alerts already open.
- A state change always emits at least one ``Timeline`` action and bumps
  ``state.version`` (usable for optimistic locking and outbox idempotency keys); a no-op
  returns the very same state and no actions.

Targets are role names (``ROLES``) or explicit people ``"user:NAME"``; the wiring layer
resolves roles to the people of the store's region. Actors (``by``) are plain names.
All datetimes must be timezone-aware; they are normalised to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias

# The policy (and its checks) lives in alerts.escalation_policy, its JSON form in alerts.codec;
# the names callers need with the machine are re-exported here.
from alerts.escalation_policy import DEFAULT_POLICY as DEFAULT_POLICY
from alerts.escalation_policy import ROLES as ROLES
from alerts.escalation_policy import USER_PREFIX as USER_PREFIX
from alerts.escalation_policy import EscalationLevel as EscalationLevel
from alerts.escalation_policy import EscalationPolicy, person

SYSTEM = "system"
"""The actor of entries the engine writes by itself (fired, timeout, escalated, reminder...)."""

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
SNOOZED = "snoozed"
RESOLVED = "resolved"
STATUSES: tuple[str, ...] = (OPEN, ACKNOWLEDGED, SNOOZED, RESOLVED)

NOTIFY_KINDS: tuple[str, ...] = ("page", "inform", "reminder", "acknowledged", "resolved", "reassigned")
TIMELINE_KINDS: tuple[str, ...] = (
    "fired",
    "retriggered",
    "timeout",
    "escalated",
    "repeat",
    "exhausted",
    "acknowledged",
    "reminder",
    "resolved",
    "reassigned",
    "comment",
    "snoozed",
    "snooze_ended",
)


# --------------------------------------------------------------------------- helpers


def _require_name(value: object, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must name someone, got {value!r}")


def _utc(value: object, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{what} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (UTC), got the naive {value.isoformat()}")
    return value.astimezone(UTC)


def _fmt(value: timedelta) -> str:
    """A duration for notes: "5 min", "90 s", "2.5 min"."""
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:g} s"
    minutes = seconds / 60
    return f"{minutes:g} min" if minutes == int(minutes) else f"{minutes:.1f} min"


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Fire:
    """Open an alert (with ``fire``), or trigger an open one again (with ``step``).

    ``sensitive``: the customer mentioned an escalated complaint, the consumer association
    or media; the alert starts at level 2 or above and the level above is informed at once.
    """

    sensitive: bool = False
    start_level: int = 1

    def __post_init__(self) -> None:
        if (
            isinstance(self.start_level, bool)
            or not isinstance(self.start_level, int)
            or self.start_level < 1
        ):
            raise ValueError(f"start_level must be a whole number >= 1, got {self.start_level!r}")


@dataclass(frozen=True)
class Acknowledge:
    """``by`` takes the alert: escalation stops, reminders start."""

    by: str

    def __post_init__(self) -> None:
        _require_name(self.by, "Acknowledge.by")


@dataclass(frozen=True)
class Resolve:
    """``by`` closes the alert; everyone told so far hears so."""

    by: str
    note: str = ""

    def __post_init__(self) -> None:
        _require_name(self.by, "Resolve.by")


@dataclass(frozen=True)
class Timeout:
    """The scheduler says ``state.deadline`` has passed; a no-op if it has not."""


@dataclass(frozen=True)
class Reassign:
    """``by`` hands the alert to ``to`` (someone steps in); ``to`` is paged."""

    to: str
    by: str

    def __post_init__(self) -> None:
        _require_name(self.to, "Reassign.to")
        _require_name(self.by, "Reassign.by")


@dataclass(frozen=True)
class Comment:
    """A note on the alert's timeline; changes nothing else."""

    by: str
    text: str

    def __post_init__(self) -> None:
        _require_name(self.by, "Comment.by")
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError("Comment.text must not be empty")


@dataclass(frozen=True)
class Snooze:
    """Hold escalation or reminders until ``until`` (at most ``policy.max_snooze`` from now)."""

    by: str
    until: datetime

    def __post_init__(self) -> None:
        _require_name(self.by, "Snooze.by")
        object.__setattr__(self, "until", _utc(self.until, "Snooze.until"))


Event: TypeAlias = Fire | Acknowledge | Resolve | Timeout | Reassign | Comment | Snooze


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Notify:
    """Tell ``targets`` (roles of ``level``, or ``user:NAME``) something; goes to the outbox.

    ``kind`` is one of ``NOTIFY_KINDS``: "page" (you must act), "inform" (FYI: earlier
    levels kept informed, or the next level told at once on a sensitive trigger),
    "reminder" (to the owner of an acknowledged, unresolved alert), "acknowledged"
    (someone has it), "resolved" (it is over), "reassigned" (to the previous owner).
    Role targets include the actor; the wiring may leave the actor out when it resolves them.
    """

    level: int
    targets: tuple[str, ...]
    kind: str
    note: str


@dataclass(frozen=True)
class Timeline:
    """An entry for the alert's timeline and audit trail; ``kind`` is one of ``TIMELINE_KINDS``."""

    kind: str
    level: int
    actor: str
    note: str


Action: TypeAlias = Notify | Timeline


# --------------------------------------------------------------------------- state


@dataclass(frozen=True, kw_only=True)
class AlertState:
    """Where an alert stands in its escalation; stored as JSON (``alerts.codec``) with the alert.

    ``level``: current level; ``start_level``: where the chain (re)starts; ``repeat``: how
    many times the chain restarted after the last level; ``deadline``: next moment
    something must happen (None when resolved or exhausted); ``owner``: who acknowledged or
    was handed the alert; ``informed``: levels notified so far (kept informed);
    ``people``: named people told so far (owners, reassignees); ``snoozed_from``: the
    status a snooze returns to; ``exhausted``: the chain ran out with nobody acknowledging
    (cleared by an acknowledgement);
    ``version``: bumped on every change; ``policy``: the snapshot the alert follows.
    """

    policy: EscalationPolicy
    status: str
    level: int
    fired_at: datetime
    updated_at: datetime
    deadline: datetime | None
    start_level: int = 1
    repeat: int = 0
    owner: str | None = None
    informed: tuple[int, ...] = ()
    people: tuple[str, ...] = ()
    sensitive: bool = False
    snoozed_until: datetime | None = None
    snoozed_from: str | None = None
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    exhausted: bool = False
    version: int = 1

    def __post_init__(self) -> None:
        top = self.policy.top
        if self.status not in STATUSES:
            raise ValueError(f"alert status must be one of {', '.join(STATUSES)}, got {self.status!r}")
        for label, value in (("level", self.level), ("start_level", self.start_level)):
            if not 1 <= value <= top:
                raise ValueError(f"alert {label} {value} outside the policy's levels 1..{top}")
        if not 0 <= self.repeat <= self.policy.max_repeats:
            raise ValueError(f"alert repeat {self.repeat} outside 0..{self.policy.max_repeats}")
        informed = tuple(sorted(set(self.informed)))
        if any(not 1 <= k <= top for k in informed):
            raise ValueError(f"alert informed levels {informed} outside 1..{top}")
        object.__setattr__(self, "informed", informed)
        object.__setattr__(self, "people", tuple(dict.fromkeys(self.people)))
        for label in (
            "fired_at",
            "updated_at",
            "deadline",
            "snoozed_until",
            "acknowledged_at",
            "resolved_at",
        ):
            value = getattr(self, label)
            if value is not None:
                object.__setattr__(self, label, _utc(value, f"AlertState.{label}"))
        if self.status == RESOLVED:
            if self.deadline is not None:
                raise ValueError("a resolved alert has no deadline")
        elif self.deadline is None and not (self.status == OPEN and self.exhausted):
            raise ValueError(f"an {self.status} alert needs a deadline unless its escalation is exhausted")
        if self.status == ACKNOWLEDGED and not self.owner:
            raise ValueError("an acknowledged alert needs an owner")
        if self.status == SNOOZED:
            if self.snoozed_until is None or self.snoozed_from not in (OPEN, ACKNOWLEDGED):
                raise ValueError(
                    "a snoozed alert needs snoozed_until and snoozed_from (open or acknowledged)"
                )
            if self.snoozed_from == ACKNOWLEDGED and not self.owner:
                raise ValueError("an alert snoozed while acknowledged needs an owner")
        elif self.snoozed_until is not None or self.snoozed_from is not None:
            raise ValueError("only a snoozed alert has snoozed_until / snoozed_from")

    @property
    def underlying_status(self) -> str:
        """The status without the snooze: what the alert is once the snooze ends."""
        return self.snoozed_from if self.status == SNOOZED and self.snoozed_from else self.status


# --------------------------------------------------------------------------- the machine

_Result: TypeAlias = tuple[AlertState, list[Action]]


def fire(
    policy: EscalationPolicy,
    now: datetime,
    sensitive: bool = False,
    start_level: int = 1,
    by: str = SYSTEM,
) -> tuple[AlertState, tuple[Action, ...]]:
    """Open a new alert under ``policy``: page the start level, deadline = its ack timeout.

    A sensitive trigger starts at level 2 (or ``start_level`` if higher) and informs the
    level above at once. A start level above the policy's top is clamped (and the timeline
    says so) rather than refused, so an alert is never lost to an edited policy.
    """
    now = _utc(now, "now")
    _require_name(by, "fire(by=...)")
    event = Fire(sensitive=sensitive, start_level=start_level)
    start, why = _start_level(policy, event)
    level = policy.level(start)
    notes = [f"fired at level {start} ({level.name})", *why]
    actions: list[Action] = [
        Timeline("fired", start, by, "; ".join(notes)),
        Notify(
            start, level.targets, "page", f"new alert: please acknowledge within {_fmt(level.ack_timeout)}"
        ),
    ]
    informed = [start]
    if sensitive and start < policy.top:
        above = policy.level(start + 1)
        actions.append(
            Notify(
                above.number,
                above.targets,
                "inform",
                f"sensitive trigger: level {start} ({level.name}) is handling it",
            )
        )
        informed.append(above.number)
    state = AlertState(
        policy=policy,
        status=OPEN,
        level=start,
        start_level=start,
        fired_at=now,
        updated_at=now,
        deadline=now + level.ack_timeout,
        informed=tuple(informed),
        sensitive=sensitive,
    )
    return state, tuple(actions)


def step(state: AlertState, event: Event, now: datetime) -> tuple[AlertState, tuple[Action, ...]]:
    """Apply ``event`` at time ``now``: the new state and what to record and send.

    A no-op (early timeout, duplicate acknowledge, anything but a comment on a resolved
    alert...) returns ``state`` itself and no actions. Otherwise the new state has
    ``updated_at = now`` and ``version + 1``, and the actions hold at least one Timeline.
    """
    now = _utc(now, "now")
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise TypeError(f"not an escalation event: {event!r}")
    if state.status == RESOLVED and not isinstance(event, Comment):
        return state, ()
    new, actions = handler(state, event, now)
    if not actions:
        return state, ()
    return replace(new, updated_at=now, version=state.version + 1), tuple(actions)


def _on_fire(state: AlertState, event: Fire, now: datetime) -> _Result:
    policy = state.policy
    start, why = _start_level(policy, event)
    becomes_sensitive = event.sensitive and not state.sensitive
    higher = start > state.level
    if not (becomes_sensitive or higher):
        return state, []  # the same trigger again: deduplicated
    level = max(start, state.level)
    reasons = [*why, "now sensitive" if becomes_sensitive else f"triggered again at level {start}"]
    actions: list[Action] = [Timeline("retriggered", level, SYSTEM, "; ".join(reasons))]
    new = replace(
        state, sensitive=state.sensitive or event.sensitive, start_level=max(state.start_level, start)
    )
    if higher:
        actions += _escalation_notices(state, level, "triggered again at a higher level")
        new = replace(
            new,
            status=OPEN,
            level=level,
            deadline=now + policy.level(level).ack_timeout,
            informed=(*state.informed, level),
            snoozed_until=None,
            snoozed_from=None,
            exhausted=False,
        )
    if becomes_sensitive and level < policy.top:
        above = policy.level(level + 1)
        actions.append(
            Notify(above.number, above.targets, "inform", f"sensitive trigger: level {level} is handling it")
        )
        new = replace(new, informed=(*new.informed, above.number))
    return new, actions


def _on_timeout(state: AlertState, event: Timeout, now: datetime) -> _Result:
    if state.deadline is None or now < state.deadline:
        return state, []
    if state.status == SNOOZED:
        return _snooze_ends(state, now)
    if state.status == ACKNOWLEDGED:
        return _remind(state, now, "still acknowledged and unresolved")
    policy = state.policy
    current = policy.level(state.level)
    waited = f"level {current.number} ({current.name}) did not acknowledge within {_fmt(current.ack_timeout)}"
    actions: list[Action] = [Timeline("timeout", current.number, SYSTEM, waited)]
    if state.level < policy.top:
        nxt = policy.level(state.level + 1)
        actions.append(
            Timeline("escalated", nxt.number, SYSTEM, f"escalated to level {nxt.number} ({nxt.name})")
        )
        actions += _escalation_notices(state, nxt.number, waited)
        new = replace(
            state, level=nxt.number, deadline=now + nxt.ack_timeout, informed=(*state.informed, nxt.number)
        )
        return new, actions
    if state.repeat < policy.max_repeats:
        restart = policy.level(state.start_level)
        repeat = state.repeat + 1
        note = (
            f"nobody acknowledged up to the last level; chain restarted at level {restart.number} "
            f"({restart.name}), repeat {repeat} of {policy.max_repeats}"
        )
        actions.append(Timeline("repeat", restart.number, SYSTEM, note))
        actions += _escalation_notices(state, restart.number, note)
        new = replace(
            state,
            level=restart.number,
            repeat=repeat,
            deadline=now + restart.ack_timeout,
            informed=(*state.informed, restart.number),
        )
        return new, actions
    note = (
        f"nobody acknowledged after {policy.max_repeats + 1} walks up the chain; "
        f"no further automatic escalation, the alert stays open at level {current.number}"
    )
    actions.append(Timeline("exhausted", current.number, SYSTEM, note))
    return replace(state, deadline=None, exhausted=True), actions


def _on_acknowledge(state: AlertState, event: Acknowledge, now: datetime) -> _Result:
    if state.underlying_status == ACKNOWLEDGED:
        return state, []  # the first acknowledgement wins; taking over is a Reassign
    level = state.policy.level(state.level)
    actions: list[Action] = [
        Timeline(
            "acknowledged",
            level.number,
            event.by,
            f"{event.by} acknowledged at level {level.number} ({level.name})",
        )
    ]
    actions += _tell_everyone(state, "acknowledged", f"{event.by} has it", exclude=event.by)
    new = replace(
        state,
        status=ACKNOWLEDGED,
        owner=event.by,
        people=(*state.people, event.by),
        acknowledged_at=now,
        deadline=now + state.policy.reminder_interval,
        snoozed_until=None,
        snoozed_from=None,
        exhausted=False,
    )
    return new, actions


def _on_resolve(state: AlertState, event: Resolve, now: datetime) -> _Result:
    note = event.note.strip()
    text = f"resolved by {event.by}" + (f": {note}" if note else "")
    actions: list[Action] = [Timeline("resolved", state.level, event.by, note or text)]
    actions += _tell_everyone(state, "resolved", text, exclude=event.by)
    new = replace(
        state, status=RESOLVED, deadline=None, resolved_at=now, snoozed_until=None, snoozed_from=None
    )
    return new, actions


def _on_reassign(state: AlertState, event: Reassign, now: datetime) -> _Result:
    if event.to == state.owner:
        return state, []
    previous = state.owner
    actions: list[Action] = [
        Timeline(
            "reassigned",
            state.level,
            event.by,
            f"{event.by} handed the alert from {previous or 'nobody'} to {event.to}",
        ),
        Notify(state.level, (person(event.to),), "page", f"{event.by} handed this alert to you"),
    ]
    if previous:
        actions.append(
            Notify(state.level, (person(previous),), "reassigned", f"{event.by} handed it to {event.to}")
        )
    new = replace(state, owner=event.to, people=(*state.people, event.to))
    if state.status == ACKNOWLEDGED:
        new = replace(new, deadline=now + state.policy.reminder_interval)  # the new owner's reminder clock
    return new, actions


def _on_comment(state: AlertState, event: Comment, now: datetime) -> _Result:
    return state, [Timeline("comment", state.level, event.by, event.text.strip())]


def _on_snooze(state: AlertState, event: Snooze, now: datetime) -> _Result:
    if event.until <= now:
        return state, []
    limit = now + state.policy.max_snooze
    until = min(event.until, limit)
    note = f"{event.by} snoozed for {_fmt(until - now)}"
    if event.until > limit:
        note += f" (asked for {_fmt(event.until - now)}; clamped to the policy's maximum {_fmt(state.policy.max_snooze)})"
    new = replace(
        state, status=SNOOZED, snoozed_from=state.underlying_status, snoozed_until=until, deadline=until
    )
    return new, [Timeline("snoozed", state.level, event.by, note)]


def _snooze_ends(state: AlertState, now: datetime) -> _Result:
    back = state.underlying_status
    actions: list[Action] = [Timeline("snooze_ended", state.level, SYSTEM, f"snooze ended; back to {back}")]
    base = replace(state, status=back, snoozed_until=None, snoozed_from=None)
    if back == ACKNOWLEDGED:
        assert state.owner is not None  # guaranteed by AlertState for alerts snoozed while acknowledged
        actions.append(
            Notify(state.level, (person(state.owner),), "reminder", "snooze ended; still unresolved")
        )
        return replace(base, deadline=now + state.policy.reminder_interval), actions
    level = state.policy.level(state.level)
    actions.append(Notify(level.number, level.targets, "page", "snooze ended; still not acknowledged"))
    deadline = None if state.exhausted else now + level.ack_timeout
    return replace(base, deadline=deadline), actions


def _remind(state: AlertState, now: datetime, why: str) -> _Result:
    assert state.owner is not None  # guaranteed by AlertState for acknowledged alerts
    actions: list[Action] = [
        Timeline("reminder", state.level, SYSTEM, f"reminded {state.owner}: {why}"),
        Notify(state.level, (person(state.owner),), "reminder", f"reminder: {why}"),
    ]
    return replace(state, deadline=now + state.policy.reminder_interval), actions


def _escalation_notices(state: AlertState, to_level: int, why: str) -> list[Action]:
    """Page ``to_level`` and keep every level told so far informed."""
    target = state.policy.level(to_level)
    actions: list[Action] = [Notify(target.number, target.targets, "page", f"escalated to you: {why}")]
    for number in state.informed:
        if number != to_level:
            level = state.policy.level(number)
            actions.append(
                Notify(
                    number,
                    level.targets,
                    "inform",
                    f"escalated to level {target.number} ({target.name}): {why}",
                )
            )
    return actions


def _tell_everyone(state: AlertState, kind: str, note: str, exclude: str) -> list[Action]:
    """One Notify per level told so far, plus one to the named people told (except ``exclude``)."""
    actions: list[Action] = [
        Notify(number, state.policy.level(number).targets, kind, note) for number in state.informed
    ]
    people = tuple(person(name) for name in state.people if name != exclude)
    if people:
        actions.append(Notify(state.level, people, kind, note))
    return actions


def _start_level(policy: EscalationPolicy, event: Fire) -> tuple[int, list[str]]:
    """Where a trigger enters the chain, and why if that is not where it asked."""
    start, why = event.start_level, []
    if start > policy.top:
        why.append(f"start level {start} clamped to the policy's top level {policy.top}")
        start = policy.top
    if event.sensitive and start < 2 <= policy.top:
        why.append("sensitive trigger: level 1 skipped")
        start = 2
    return start, why


_HANDLERS: dict[type, Any] = {
    Fire: _on_fire,
    Acknowledge: _on_acknowledge,
    Resolve: _on_resolve,
    Timeout: _on_timeout,
    Reassign: _on_reassign,
    Comment: _on_comment,
    Snooze: _on_snooze,
}
