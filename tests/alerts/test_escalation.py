"""The escalation state machine, driven by an injected clock: no sleeping, no real timers."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts.codec import dump_policy, dump_state, load_policy, load_state
from alerts.escalation import (
    ACKNOWLEDGED,
    DEFAULT_POLICY,
    NOTIFY_KINDS,
    OPEN,
    RESOLVED,
    ROLES,
    SNOOZED,
    STATUSES,
    TIMELINE_KINDS,
    Acknowledge,
    Action,
    AlertState,
    Comment,
    EscalationLevel,
    EscalationPolicy,
    Fire,
    Notify,
    Reassign,
    Resolve,
    Snooze,
    Timeline,
    Timeout,
    fire,
    step,
)

T0 = datetime(2025, 3, 15, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)
LEVELS = [1, 2, 3, 4, 5]
TIMEOUTS = {1: 2 * MIN, 2: 5 * MIN, 3: 10 * MIN, 4: 15 * MIN, 5: 30 * MIN}


def notices(actions: tuple[Action, ...], kind: str | None = None) -> list[Notify]:
    return [a for a in actions if isinstance(a, Notify) and (kind is None or a.kind == kind)]


def entries(actions: tuple[Action, ...]) -> list[Timeline]:
    return [a for a in actions if isinstance(a, Timeline)]


def targets_of(level: int) -> tuple[str, ...]:
    return DEFAULT_POLICY.level(level).targets


def at_level(level: int, policy: EscalationPolicy = DEFAULT_POLICY) -> AlertState:
    """An open, unacknowledged alert that escalated (by timeouts) up to ``level``."""
    state, _ = fire(policy, T0)
    while state.level < level:
        assert state.deadline is not None
        state, _ = step(state, Timeout(), state.deadline)
    return state


def small_policy(max_repeats: int = 2, levels: int = 3) -> EscalationPolicy:
    return EscalationPolicy(
        "small",
        tuple(EscalationLevel(n, f"L{n}", (ROLES[n - 1],), n * MIN) for n in range(1, levels + 1)),
        max_repeats=max_repeats,
    )


# --------------------------------------------------------------------------- policy


def test_default_policy_is_the_five_level_crisis_chain():
    policy = DEFAULT_POLICY
    assert [level.targets for level in policy.levels] == [
        ("staff",),
        ("shift_lead", "store_manager"),
        ("ops_supervisor",),
        ("service_director",),
        ("executive",),
    ]
    assert [level.ack_timeout for level in policy.levels] == [TIMEOUTS[n] for n in LEVELS]
    assert (policy.max_repeats, policy.reminder_interval, policy.max_snooze) == (2, 15 * MIN, 60 * MIN)


def _level(
    n: int = 1, targets: object = ("staff",), timeout: timedelta = MIN, name: str = "L"
) -> EscalationLevel:
    return EscalationLevel(n, name, targets, timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: EscalationPolicy("p", ()), "at least one level"),
        (lambda: EscalationPolicy("p", (_level(1), _level(3))), "numbered 1..2"),
        (lambda: EscalationPolicy("", (_level(1),)), "name"),
        (lambda: EscalationPolicy("p", (_level(1),), max_repeats=-1), "max_repeats"),
        (lambda: EscalationPolicy("p", (_level(1),), reminder_interval=timedelta(0)), "reminder_interval"),
        (lambda: EscalationPolicy("p", (_level(1),), max_snooze=-MIN), "max_snooze"),
        (lambda: _level(timeout=timedelta(0)), "ack_timeout must be positive"),
        (lambda: _level(timeout=-SEC), "ack_timeout must be positive"),
        (lambda: _level(targets=()), "at least one target"),
        (lambda: _level(targets="staff"), "list of names"),
        (lambda: _level(targets=("ops_supervsor",)), "unknown target 'ops_supervsor'"),
        (lambda: _level(targets=("user:",)), "unknown target"),
        (lambda: _level(targets=("staff", "staff")), "twice"),
        (lambda: _level(n=0), ">= 1"),
        (lambda: _level(name=" "), "name"),
    ],
)
def test_invalid_policies_are_refused_with_a_reason(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize(
    "policy",
    [
        DEFAULT_POLICY,
        EscalationPolicy(
            "custom",
            (EscalationLevel(1, "Duty phone", ("user:li.na", "shift_lead"), timedelta(seconds=90.5)),),
            max_repeats=0,
            reminder_interval=timedelta(minutes=7, microseconds=250),
            max_snooze=timedelta(hours=2),
        ),
    ],
)
def test_policy_round_trips_through_json(policy):
    data = json.loads(json.dumps(dump_policy(policy)))
    assert load_policy(data) == policy
    assert data["levels"][0]["ack_timeout_seconds"] == policy.levels[0].ack_timeout.total_seconds()


def test_malformed_policy_json_names_the_problem():
    data = dump_policy(DEFAULT_POLICY)
    del data["levels"][1]["ack_timeout_seconds"]
    with pytest.raises(ValueError, match="missing field.*ack_timeout_seconds"):
        load_policy(data)
    data = dump_policy(DEFAULT_POLICY)
    data["max_snooze_seconds"] = "an hour"
    with pytest.raises(ValueError, match="max_snooze_seconds must be a number"):
        load_policy(data)


# --------------------------------------------------------------------------- fire and timeouts


def test_fire_pages_level_one_and_sets_its_deadline():
    state, actions = fire(DEFAULT_POLICY, T0)
    assert (state.status, state.level, state.repeat, state.informed) == (OPEN, 1, 0, (1,))
    assert state.deadline == T0 + 2 * MIN
    assert state.fired_at == state.updated_at == T0
    assert notices(actions) == [Notify(1, ("staff",), "page", notices(actions)[0].note)]
    assert [e.kind for e in entries(actions)] == ["fired"]


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_timeout_escalates_one_level_at_exactly_the_deadline(level):
    state = at_level(level)
    deadline = state.deadline
    assert deadline is not None

    early, actions = step(state, Timeout(), deadline - SEC)
    assert early is state and actions == ()

    new, actions = step(state, Timeout(), deadline)
    assert new.level == level + 1 and new.status == OPEN
    assert new.deadline == deadline + TIMEOUTS[level + 1]
    assert [(n.level, n.targets) for n in notices(actions, "page")] == [(level + 1, targets_of(level + 1))]
    assert [n.level for n in notices(actions, "inform")] == list(range(1, level + 1))
    assert new.informed == tuple(range(1, level + 2))
    assert [(e.kind, e.level) for e in entries(actions)] == [("timeout", level), ("escalated", level + 1)]


def test_unanswered_alert_reaches_the_executive_after_32_minutes():
    state, _ = fire(DEFAULT_POLICY, T0)
    reached = []
    for minutes in (2, 7, 17, 32):
        state, actions = step(state, Timeout(), T0 + minutes * MIN)
        reached.append((minutes, state.level, notices(actions, "page")[0].targets))
    assert reached == [
        (2, 2, ("shift_lead", "store_manager")),
        (7, 3, ("ops_supervisor",)),
        (17, 4, ("service_director",)),
        (32, 5, ("executive",)),
    ]
    assert state.deadline == T0 + 62 * MIN


def test_duplicate_and_late_timeouts_are_harmless():
    state, _ = fire(DEFAULT_POLICY, T0)
    once, _ = step(state, Timeout(), T0 + 2 * MIN)
    twice, actions = step(once, Timeout(), T0 + 2 * MIN)
    assert twice is once and actions == ()
    # The scheduler was down for 20 minutes: one level per delivery, the next level gets its full time.
    late, _ = step(state, Timeout(), T0 + 22 * MIN)
    assert late.level == 2 and late.deadline == T0 + 27 * MIN


# --------------------------------------------------------------------------- the end of the chain


def test_after_the_last_level_the_chain_repeats_then_stops_with_no_deadline():
    state = at_level(5)
    kinds_per_round = []
    for repeat in (1, 2):
        state, actions = step(state, Timeout(), state.deadline)
        assert (state.level, state.repeat, state.status) == (1, repeat, OPEN)
        assert notices(actions, "page") == [Notify(1, ("staff",), "page", notices(actions, "page")[0].note)]
        assert [n.level for n in notices(actions, "inform")] == [2, 3, 4, 5]
        kinds_per_round.append([e.kind for e in entries(actions)])
        state = at_level_from(state, 5)
    assert kinds_per_round == [["timeout", "repeat"]] * 2

    state, actions = step(state, Timeout(), state.deadline)
    assert (state.level, state.repeat, state.status, state.deadline) == (5, 2, OPEN, None)
    assert state.exhausted
    assert [e.kind for e in entries(actions)] == ["timeout", "exhausted"]
    assert notices(actions) == []
    assert step(state, Timeout(), T0 + timedelta(days=1)) == (state, ())


def at_level_from(state: AlertState, level: int) -> AlertState:
    while state.level < level:
        state, _ = step(state, Timeout(), state.deadline)
    return state


def test_max_repeats_zero_stops_at_the_last_level():
    state = at_level(3, small_policy(max_repeats=0))
    state, actions = step(state, Timeout(), state.deadline)
    assert state.exhausted and state.deadline is None and state.level == 3
    assert [e.kind for e in entries(actions)] == ["timeout", "exhausted"]


def test_an_exhausted_alert_can_still_be_acknowledged_and_resolved():
    state = at_level(3, small_policy(max_repeats=0))
    state, _ = step(state, Timeout(), state.deadline)
    now = T0 + timedelta(hours=2)
    state, _ = step(state, Acknowledge("wang"), now)
    assert (state.status, state.exhausted, state.deadline) == (ACKNOWLEDGED, False, now + 15 * MIN)
    state, _ = step(state, Resolve("wang"), now + MIN)
    assert state.status == RESOLVED


# --------------------------------------------------------------------------- sensitive triggers


def test_sensitive_trigger_starts_at_level_two_and_informs_level_three_at_once():
    state, actions = fire(DEFAULT_POLICY, T0, sensitive=True)
    assert (state.level, state.start_level, state.sensitive) == (2, 2, True)
    assert state.deadline == T0 + 5 * MIN
    assert [(n.kind, n.level, n.targets) for n in notices(actions)] == [
        ("page", 2, ("shift_lead", "store_manager")),
        ("inform", 3, ("ops_supervisor",)),
    ]
    assert "level 1 skipped" in entries(actions)[0].note
    assert state.informed == (2, 3)


def test_sensitive_alert_never_pages_the_frontline_even_when_the_chain_repeats():
    state, _ = fire(small_policy(max_repeats=1), T0, sensitive=True)
    state, actions = step(state, Timeout(), state.deadline)  # 2 -> 3
    assert [n.level for n in notices(actions, "inform")] == [2]
    state, actions = step(state, Timeout(), state.deadline)  # repeat
    assert (state.level, state.repeat) == (2, 1)
    assert 1 not in state.informed


def test_sensitive_trigger_on_a_one_level_policy_stays_at_level_one():
    policy = EscalationPolicy("solo", (EscalationLevel(1, "Manager", ("store_manager",), MIN),))
    state, actions = fire(policy, T0, sensitive=True)
    assert state.level == 1 and [n.kind for n in notices(actions)] == ["page"]


def test_start_level_above_the_policy_is_clamped_not_lost():
    state, actions = fire(small_policy(), T0, start_level=9)
    assert state.level == 3 and "clamped" in entries(actions)[0].note


def test_the_same_trigger_again_is_deduplicated():
    state, _ = fire(DEFAULT_POLICY, T0)
    assert step(state, Fire(), T0 + MIN) == (state, ())


def test_a_customer_mentioning_media_later_escalates_the_open_alert_at_once():
    state, _ = fire(DEFAULT_POLICY, T0)
    now = T0 + MIN
    state, actions = step(state, Fire(sensitive=True), now)
    assert (state.level, state.sensitive, state.status, state.deadline) == (2, True, OPEN, now + 5 * MIN)
    assert [(n.kind, n.level) for n in notices(actions)] == [("page", 2), ("inform", 1), ("inform", 3)]
    assert [e.kind for e in entries(actions)] == ["retriggered"]


def test_a_sensitive_trigger_reopens_an_alert_the_frontline_acknowledged():
    state, _ = fire(DEFAULT_POLICY, T0)
    state, _ = step(state, Acknowledge("xiao.li"), T0 + MIN)
    state, actions = step(state, Fire(sensitive=True), T0 + 3 * MIN)
    assert (state.status, state.level, state.owner) == (OPEN, 2, "xiao.li")
    assert [n.level for n in notices(actions, "page")] == [2]


# --------------------------------------------------------------------------- acknowledge and reminders


@pytest.mark.parametrize("level", LEVELS)
def test_acknowledge_stops_escalation_and_starts_reminders(level):
    state = at_level(level)
    now = state.deadline - 30 * SEC
    state, actions = step(state, Acknowledge("zhang.wei"), now)
    assert (state.status, state.owner, state.acknowledged_at) == (ACKNOWLEDGED, "zhang.wei", now)
    assert state.deadline == now + 15 * MIN
    assert [n.level for n in notices(actions, "acknowledged")] == list(range(1, level + 1))
    assert [e.kind for e in entries(actions)] == ["acknowledged"]

    state, actions = step(state, Timeout(), state.deadline)
    assert state.level == level and state.status == ACKNOWLEDGED
    assert notices(actions) == [Notify(level, ("user:zhang.wei",), "reminder", notices(actions)[0].note)]
    assert [e.kind for e in entries(actions)] == ["reminder"]


def test_reminders_repeat_at_the_interval_until_resolved():
    state, _ = fire(DEFAULT_POLICY, T0)
    state, _ = step(state, Acknowledge("zhang.wei"), T0)
    sent = []
    for n in range(1, 5):
        due = T0 + n * 15 * MIN
        assert step(state, Timeout(), due - SEC) == (state, ())
        state, actions = step(state, Timeout(), due)
        sent.append((due, [a.kind for a in notices(actions)]))
    assert sent == [(T0 + n * 15 * MIN, ["reminder"]) for n in range(1, 5)]
    state, _ = step(state, Resolve("zhang.wei"), T0 + 61 * MIN)
    assert state.deadline is None


def test_a_second_acknowledgement_does_not_steal_the_alert():
    state, _ = fire(DEFAULT_POLICY, T0)
    state, _ = step(state, Acknowledge("first"), T0 + SEC)
    assert step(state, Acknowledge("second"), T0 + 2 * SEC) == (state, ())


# --------------------------------------------------------------------------- resolve


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("acknowledged", [False, True])
def test_resolve_tells_everyone_who_was_told(level, acknowledged):
    state = at_level(level)
    now = state.deadline - SEC
    if acknowledged:
        state, _ = step(state, Acknowledge("owner"), now)
    state, actions = step(state, Resolve("owner", note="refunded the drink"), now + SEC)
    assert (state.status, state.deadline, state.resolved_at) == (RESOLVED, None, now + SEC)
    assert [n.level for n in notices(actions, "resolved")] == list(range(1, level + 1))
    assert {n.kind for n in notices(actions)} == {"resolved"}
    assert entries(actions) == [Timeline("resolved", level, "owner", "refunded the drink")]


def test_resolve_also_tells_people_it_was_handed_to():
    state, _ = fire(DEFAULT_POLICY, T0)
    state, _ = step(state, Reassign(to="chen", by="manager"), T0 + MIN)
    state, actions = step(state, Resolve("manager"), T0 + 2 * MIN)
    assert [(n.level, n.targets) for n in notices(actions, "resolved")] == [
        (1, ("staff",)),
        (1, ("user:chen",)),
    ]


_EVENTS_AFTER_RESOLVE = [
    Fire(),
    Fire(sensitive=True, start_level=3),
    Acknowledge("late"),
    Resolve("again"),
    Timeout(),
    Reassign(to="x", by="y"),
    Snooze("z", T0 + 10 * MIN),
]


@pytest.mark.parametrize("event", _EVENTS_AFTER_RESOLVE, ids=lambda e: type(e).__name__)
def test_events_on_a_resolved_alert_change_nothing(event):
    state, _ = fire(DEFAULT_POLICY, T0)
    state, _ = step(state, Resolve("someone"), T0 + MIN)
    assert step(state, event, T0 + 5 * MIN) == (state, ())


def test_a_comment_on_a_resolved_alert_is_still_recorded():
    state, _ = fire(DEFAULT_POLICY, T0)
    state, _ = step(state, Resolve("someone"), T0 + MIN)
    new, actions = step(state, Comment("manager", "called the customer back"), T0 + 2 * MIN)
    assert actions == (Timeline("comment", 1, "manager", "called the customer back"),)
    assert new.status == RESOLVED and new.updated_at == T0 + 2 * MIN


# --------------------------------------------------------------------------- reassign and comment


@pytest.mark.parametrize("level", LEVELS)
def test_reassigning_an_open_alert_pages_the_new_owner_but_keeps_escalating(level):
    state = at_level(level)
    deadline = state.deadline
    state, actions = step(state, Reassign(to="chen", by="manager"), deadline - MIN)
    assert (state.owner, state.status, state.deadline) == ("chen", OPEN, deadline)
    assert notices(actions) == [Notify(level, ("user:chen",), "page", "manager handed this alert to you")]
    assert [e.kind for e in entries(actions)] == ["reassigned"]


@pytest.mark.parametrize("level", LEVELS)
def test_reassigning_an_acknowledged_alert_moves_the_reminders(level):
    state = at_level(level)
    now = state.deadline - MIN
    state, _ = step(state, Acknowledge("wang"), now)
    state, actions = step(state, Reassign(to="chen", by="wang"), now + 5 * MIN)
    assert (state.owner, state.status, state.deadline) == ("chen", ACKNOWLEDGED, now + 20 * MIN)
    assert [(n.kind, n.targets) for n in notices(actions)] == [
        ("page", ("user:chen",)),
        ("reassigned", ("user:wang",)),
    ]
    state, actions = step(state, Timeout(), state.deadline)
    assert notices(actions)[0].targets == ("user:chen",)
    assert step(state, Reassign(to="chen", by="wang"), now + 30 * MIN) == (state, ())


@pytest.mark.parametrize("level", LEVELS)
def test_a_comment_only_adds_to_the_timeline(level):
    state = at_level(level)
    new, actions = step(state, Comment("li", "customer calmer now"), state.deadline - SEC)
    assert actions == (Timeline("comment", level, "li", "customer calmer now"),)
    assert replace(new, updated_at=state.updated_at, version=state.version) == state


# --------------------------------------------------------------------------- snooze


@pytest.mark.parametrize("level", LEVELS)
def test_snooze_holds_escalation_then_pages_the_current_level_again(level):
    state = at_level(level)
    now = state.deadline - SEC
    state, actions = step(state, Snooze("lead", now + 20 * MIN), now)
    assert (state.status, state.snoozed_until, state.deadline) == (SNOOZED, now + 20 * MIN, now + 20 * MIN)
    assert notices(actions) == [] and [e.kind for e in entries(actions)] == ["snoozed"]
    assert step(state, Timeout(), now + 20 * MIN - SEC) == (state, ())

    state, actions = step(state, Timeout(), now + 20 * MIN)
    assert (state.status, state.level, state.snoozed_until) == (OPEN, level, None)
    assert state.deadline == now + 20 * MIN + TIMEOUTS[level]
    assert [(n.kind, n.level) for n in notices(actions)] == [("page", level)]


def test_snooze_is_clamped_to_the_policy_maximum_and_says_so():
    state, _ = fire(DEFAULT_POLICY, T0)
    state, actions = step(state, Snooze("lead", T0 + timedelta(hours=8)), T0)
    assert state.snoozed_until == state.deadline == T0 + 60 * MIN
    assert "clamped" in entries(actions)[0].note and "480 min" in entries(actions)[0].note


def test_snooze_of_an_acknowledged_alert_ends_with_a_reminder_to_the_owner():
    state, _ = fire(DEFAULT_POLICY, T0)
    state, _ = step(state, Acknowledge("wang"), T0)
    state, _ = step(state, Snooze("wang", T0 + 45 * MIN), T0 + MIN)
    assert state.underlying_status == ACKNOWLEDGED
    state, actions = step(state, Timeout(), T0 + 45 * MIN)
    assert (state.status, state.owner, state.deadline) == (ACKNOWLEDGED, "wang", T0 + 60 * MIN)
    assert [(n.kind, n.targets) for n in notices(actions)] == [("reminder", ("user:wang",))]


def test_snooze_in_the_past_does_nothing_and_acknowledge_ends_a_snooze():
    state, _ = fire(DEFAULT_POLICY, T0)
    assert step(state, Snooze("lead", T0), T0) == (state, ())
    state, _ = step(state, Snooze("lead", T0 + 10 * MIN), T0)
    state, _ = step(state, Acknowledge("lead"), T0 + MIN)
    assert (state.status, state.snoozed_until, state.deadline) == (ACKNOWLEDGED, None, T0 + 16 * MIN)


def test_snooze_of_an_exhausted_alert_pages_the_last_level_again_and_stays_exhausted():
    state = at_level(3, small_policy(max_repeats=0))
    state, _ = step(state, Timeout(), state.deadline)
    now = T0 + timedelta(hours=1)
    state, _ = step(state, Snooze("ops", now + 30 * MIN), now)
    state, actions = step(state, Timeout(), now + 30 * MIN)
    assert (state.status, state.deadline, state.exhausted) == (OPEN, None, True)
    assert [(n.kind, n.level) for n in notices(actions)] == [("page", 3)]


# --------------------------------------------------------------------------- snapshot, storage, clock


def test_an_alert_keeps_the_policy_it_fired_with():
    state, _ = fire(DEFAULT_POLICY, T0)
    stored = json.loads(json.dumps(dump_state(state)))
    edited = replace(
        DEFAULT_POLICY, levels=tuple(replace(level, ack_timeout=MIN) for level in DEFAULT_POLICY.levels)
    )
    assert edited != DEFAULT_POLICY  # somebody edits the policy in the settings screen
    state = load_state(stored)
    assert step(state, Timeout(), T0 + MIN) == (state, ())  # the edited 1-minute timeout does not apply
    state, _ = step(state, Timeout(), T0 + 2 * MIN)
    assert state.deadline == T0 + 7 * MIN and state.policy == DEFAULT_POLICY


def test_state_round_trips_through_json_in_every_status():
    state, _ = fire(DEFAULT_POLICY, T0, sensitive=True)
    seen = [state]
    for event, now in [
        (Reassign(to="chen", by="lead"), T0 + MIN),
        (Snooze("lead", T0 + 10 * MIN), T0 + MIN),
        (Acknowledge("chen"), T0 + 2 * MIN),
        (Snooze("chen", T0 + 20 * MIN), T0 + 3 * MIN),
        (Resolve("chen", "apologised, free drink"), T0 + 4 * MIN),
    ]:
        state, _ = step(state, event, now)
        seen.append(state)
    assert {s.status for s in seen} == set(STATUSES)
    for s in seen:
        assert load_state(json.loads(json.dumps(dump_state(s)))) == s


def test_malformed_stored_state_is_refused():
    data = dump_state(fire(DEFAULT_POLICY, T0)[0])
    with pytest.raises(ValueError, match="outside the policy's levels"):
        load_state({**data, "level": 6})
    with pytest.raises(ValueError, match="naive"):
        load_state({**data, "deadline": "2025-03-15T08:02:00"})
    with pytest.raises(ValueError, match="resolved alert has no deadline"):
        load_state({**data, "status": RESOLVED})


def test_naive_times_are_refused_and_other_zones_normalised_to_utc():
    state, _ = fire(DEFAULT_POLICY, T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        step(state, Timeout(), datetime(2025, 3, 15, 9, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        fire(DEFAULT_POLICY, datetime(2025, 3, 15, 9, 0))
    shanghai = timezone(timedelta(hours=8))
    new, _ = step(state, Timeout(), datetime(2025, 3, 15, 16, 2, tzinfo=shanghai))
    assert new.level == 2 and new.updated_at.tzinfo is UTC


@pytest.mark.parametrize(
    "build",
    [
        lambda: Acknowledge(""),
        lambda: Resolve(" "),
        lambda: Reassign(to="", by="x"),
        lambda: Comment("x", "  "),
        lambda: Snooze("x", datetime(2025, 3, 15, 9, 0)),
        lambda: Fire(start_level=0),
    ],
)
def test_malformed_events_cannot_be_built(build):
    with pytest.raises(ValueError):
        build()


# --------------------------------------------------------------------------- properties

_NAMES = st.sampled_from(["li", "wang", "chen", "zhang"])


@st.composite
def policies(draw: st.DrawFn) -> EscalationPolicy:
    n = draw(st.integers(1, 6))
    levels = tuple(
        EscalationLevel(
            k,
            f"L{k}",
            tuple(draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True))),
            timedelta(seconds=draw(st.integers(1, 3600))),
        )
        for k in range(1, n + 1)
    )
    return EscalationPolicy(
        "random",
        levels,
        max_repeats=draw(st.integers(0, 3)),
        reminder_interval=timedelta(seconds=draw(st.integers(1, 3600))),
        max_snooze=timedelta(seconds=draw(st.integers(1, 7200))),
    )


# ("deadline",) jumps the clock to the state's deadline and sends Timeout, so escalation really runs.
_moves = st.one_of(
    st.just(("deadline",)),
    st.tuples(st.just("event"), st.integers(0, 4000), st.integers(-600, 10_000), st.data()),
)


def _event(draw: st.DataObject, now: datetime, snooze_offset: int):
    return draw.draw(
        st.one_of(
            st.builds(Fire, sensitive=st.booleans(), start_level=st.integers(1, 8)),
            st.builds(Acknowledge, by=_NAMES),
            st.builds(Resolve, by=_NAMES, note=st.text(max_size=5)),
            st.just(Timeout()),
            st.builds(Reassign, to=_NAMES, by=_NAMES),
            st.builds(Comment, by=_NAMES, text=st.sampled_from(["ok", "customer left"])),
            st.builds(Snooze, by=_NAMES, until=st.just(now + timedelta(seconds=snooze_offset))),
        )
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    policy=policies(),
    sensitive=st.booleans(),
    moves=st.lists(_moves, max_size=40),
)
def test_random_event_sequences_keep_the_invariants(policy, sensitive, moves):
    now = T0
    state, actions = fire(policy, now, sensitive=sensitive)
    timeline: list[Timeline] = entries(actions)
    for move in moves:
        if move[0] == "deadline":
            now = max(now, state.deadline or now)
            event = Timeout()
        else:
            _, advance, snooze_offset, data = move
            now += timedelta(seconds=advance)
            event = _event(data, now, snooze_offset)
        before = list(timeline)
        new, actions = step(state, event, now)

        assert 1 <= new.level <= policy.top and new.policy is state.policy
        assert (new.deadline is None) == (new.status == RESOLVED or new.exhausted and new.status == OPEN)
        if new.deadline is not None and new.deadline != state.deadline:
            assert new.deadline > now
        if new is state:
            assert actions == ()
        else:
            assert entries(actions), "every change leaves a timeline entry"
            assert new.version == state.version + 1
        if state.status == RESOLVED:
            assert new.status == RESOLVED
        for action in actions:
            if isinstance(action, Notify):
                assert action.kind in NOTIFY_KINDS and action.targets and 1 <= action.level <= policy.top
            else:
                assert action.kind in TIMELINE_KINDS
        timeline += entries(actions)
        assert timeline[: len(before)] == before  # append-only
        assert load_state(json.loads(json.dumps(dump_state(new)))) == new
        if isinstance(event, Timeout):
            assert step(new, Timeout(), now) == (new, ())  # a duplicate delivery does nothing
        state = new
