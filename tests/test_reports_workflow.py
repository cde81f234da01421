"""Tests for portal.reports.workflow: transitions, guards, deadlines and overdue checks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from portal.reports.codes import new_code
from portal.reports.workflow import (
    CLOSED_STATES,
    DEFAULT_LIMITS,
    OPEN_STATES,
    REQUIRED_DATA,
    TERMINAL_STATES,
    TRANSITIONS,
    Action,
    Deadlines,
    ErrorCode,
    IllegalTransition,
    Limits,
    Outcome,
    OverdueKind,
    Rating,
    Snapshot,
    State,
    allowed_actions,
    apply,
    auto_close_due,
    china_date,
    china_day_end,
    deadlines,
    finish_timing,
    is_overdue,
    new_report,
    open311_status,
    overdue_kind,
)

CST = timezone(timedelta(hours=8))
# 1 March 2024, 10:00 China time.
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=CST)
DUP = new_code()

VALID: dict[Action, dict[str, object]] = {
    Action.ACCEPT: {},
    Action.NOT_ACCEPT: {"reason": "不属于生态环境部门职责", "refer_to": "12345 政务服务热线"},
    Action.MARK_DUPLICATE: {"duplicate_of": "0f3a9c5e7b2d4a61"},
    Action.ASSIGN: {"assignee": "songling"},
    Action.START_INVESTIGATION: {},
    Action.EXTEND: {"days": 30, "reason": "需要第三方检测"},
    Action.FINISH: {"outcome": Outcome.VIOLATION_FOUND, "action_taken": "责令整改并罚款"},
    Action.RATE: {"rating": Rating.SATISFIED},
    Action.AUTO_CLOSE: {},
    Action.DISPUTE: {"reason": "问题仍然存在"},
    Action.START_REVIEW: {},
    Action.CONCLUDE_REVIEW: {"outcome": Outcome.NO_VIOLATION, "action_taken": "复核维持"},
}

# The path of legal actions leading to each state, from a fresh report at T0.
PATHS: dict[State, list[Action]] = {
    State.SUBMITTED: [],
    State.ACCEPTED: [Action.ACCEPT],
    State.NOT_ACCEPTED: [Action.NOT_ACCEPT],
    State.DUPLICATE: [Action.MARK_DUPLICATE],
    State.ASSIGNED: [Action.ACCEPT, Action.ASSIGN],
    State.INVESTIGATING: [Action.ACCEPT, Action.ASSIGN, Action.START_INVESTIGATION],
    State.FINISHED: [Action.ACCEPT, Action.ASSIGN, Action.START_INVESTIGATION, Action.FINISH],
    State.DISPUTED: [
        Action.ACCEPT,
        Action.ASSIGN,
        Action.START_INVESTIGATION,
        Action.FINISH,
        Action.DISPUTE,
    ],
    State.UNDER_REVIEW: [
        Action.ACCEPT,
        Action.ASSIGN,
        Action.START_INVESTIGATION,
        Action.FINISH,
        Action.DISPUTE,
        Action.START_REVIEW,
    ],
    State.CLOSED: [
        Action.ACCEPT,
        Action.ASSIGN,
        Action.START_INVESTIGATION,
        Action.FINISH,
        Action.RATE,
    ],
}


def reach(state: State) -> tuple[Snapshot, datetime]:
    """Snapshot in ``state`` plus the time of its last transition (one day per step)."""
    snap = new_report(T0)
    at = T0
    for action in PATHS[state]:
        at += timedelta(days=1)
        snap = apply(snap, action, at, **VALID[action])
    assert snap.state is state
    return snap, at


def when_for(action: Action, last: datetime) -> datetime:
    # Auto-close is only legal after the 15-day feedback window; everything else an hour on.
    if action is Action.AUTO_CLOSE:
        return last + timedelta(days=16)
    return last + timedelta(hours=1)


def test_paths_cover_every_state() -> None:
    assert set(PATHS) == set(State)
    assert set(VALID) == set(Action) == set(REQUIRED_DATA)
    for action, data in VALID.items():
        assert set(data) == set(REQUIRED_DATA[action])


@pytest.mark.parametrize(("state", "action"), sorted(TRANSITIONS), ids=lambda v: str(v))
def test_every_legal_transition(state: State, action: Action) -> None:
    snap, last = reach(state)
    at = when_for(action, last)
    new = apply(snap, action, at, **VALID[action])
    assert new.state is TRANSITIONS[(state, action)]
    assert new.updated_at == at.astimezone(UTC)
    assert new.received_at == snap.received_at
    assert snap.state is state  # the input snapshot is untouched


def test_every_illegal_pair_is_refused() -> None:
    refused = 0
    for state in State:
        snap, last = reach(state)
        for action in Action:
            if (state, action) in TRANSITIONS:
                continue
            # Even with perfectly good data the pair itself is refused first.
            with pytest.raises(IllegalTransition) as exc:
                apply(snap, action, when_for(action, last), **VALID[action])
            assert exc.value.code == ErrorCode.NOT_ALLOWED
            assert exc.value.state is state and exc.value.action is action
            refused += 1
    assert refused == len(State) * len(Action) - len(TRANSITIONS)


def test_terminal_states_allow_nothing() -> None:
    for state in TERMINAL_STATES:
        assert allowed_actions(state) == frozenset()
    assert allowed_actions(State.SUBMITTED) == {
        Action.ACCEPT,
        Action.NOT_ACCEPT,
        Action.MARK_DUPLICATE,
    }
    assert allowed_actions(State.FINISHED) == {Action.RATE, Action.AUTO_CLOSE, Action.DISPUTE}


def test_recorded_fields_along_the_happy_path() -> None:
    snap = new_report(T0)
    assert snap.state is State.SUBMITTED
    assert snap.received_at == T0.astimezone(UTC) and snap.received_at.tzinfo is UTC
    snap = apply(snap, "accept", T0 + timedelta(days=2))
    assert snap.accepted_at == T0 + timedelta(days=2)
    snap = apply(snap, Action.ASSIGN, T0 + timedelta(days=3), assignee=" songling ")
    assert snap.assignee == "songling" and snap.assigned_at == T0 + timedelta(days=3)
    snap = apply(snap, Action.START_INVESTIGATION, T0 + timedelta(days=4))
    assert snap.investigating_at == T0 + timedelta(days=4)
    snap = apply(snap, Action.EXTEND, T0 + timedelta(days=5), days=10, reason="采样")
    assert (snap.extension_days, snap.extension_reason) == (10, "采样")
    assert snap.state is State.INVESTIGATING
    snap = apply(
        snap, Action.FINISH, T0 + timedelta(days=6), outcome="no_violation", action_taken="x"
    )
    assert snap.outcome is Outcome.NO_VIOLATION and snap.action_taken == "x"
    assert snap.first_finished_at == snap.finished_at == T0 + timedelta(days=6)
    snap = apply(snap, Action.RATE, T0 + timedelta(days=7), rating="basically_satisfied")
    assert snap.rating is Rating.BASICALLY_SATISFIED
    assert snap.state is State.CLOSED and snap.closed_at == T0 + timedelta(days=7)


def test_not_accepted_records_reason_and_referral() -> None:
    snap = apply(new_report(T0), Action.NOT_ACCEPT, T0, **VALID[Action.NOT_ACCEPT])
    assert snap.not_accepted_reason == "不属于生态环境部门职责"
    assert snap.refer_to == "12345 政务服务热线"
    assert snap.closed_at == T0


def test_duplicate_stores_the_case_number_never_a_tracking_code() -> None:
    case = "0f3a9c5e7b2d4a61"
    snap = apply(new_report(T0), Action.MARK_DUPLICATE, T0, duplicate_of=f" {case.upper()} ")
    assert snap.duplicate_of == case
    for bad in (DUP, DUP.lower(), "nonsense", case[:-1], 42):
        with pytest.raises(IllegalTransition) as exc:
            apply(new_report(T0), Action.MARK_DUPLICATE, T0, duplicate_of=bad)
        assert exc.value.code == ErrorCode.INVALID_DATA
        assert exc.value.field == "duplicate_of"


def test_a_case_number_is_what_the_event_log_names_a_report() -> None:
    from portal.reports.eventlog import pseudonym
    from portal.reports.workflow import CASE

    assert CASE.fullmatch(pseudonym(b"k" * 32, new_code()))


@pytest.mark.parametrize("action", [a for a in Action if REQUIRED_DATA[a]])
def test_missing_data(action: Action) -> None:
    state = next(s for (s, a) in TRANSITIONS if a is action)
    snap, last = reach(state)
    for name in REQUIRED_DATA[action]:
        data = {k: v for k, v in VALID[action].items() if k != name}
        with pytest.raises(IllegalTransition) as exc:
            apply(snap, action, when_for(action, last), **data)
        assert exc.value.code == ErrorCode.MISSING_DATA
        assert exc.value.field == name


@pytest.mark.parametrize("action", list(Action))
def test_unexpected_data(action: Action) -> None:
    state = next(s for (s, a) in TRANSITIONS if a is action)
    snap, last = reach(state)
    with pytest.raises(IllegalTransition) as exc:
        apply(snap, action, when_for(action, last), **VALID[action], note="oops")
    assert exc.value.code == ErrorCode.UNEXPECTED_DATA
    assert exc.value.field == "note"


@pytest.mark.parametrize(
    ("action", "name", "value"),
    [
        (Action.NOT_ACCEPT, "reason", ""),
        (Action.NOT_ACCEPT, "refer_to", "   "),
        (Action.ASSIGN, "assignee", None),
        (Action.FINISH, "outcome", "maybe"),
        (Action.FINISH, "action_taken", ""),
        (Action.RATE, "rating", 5),
        (Action.DISPUTE, "reason", ""),
        (Action.CONCLUDE_REVIEW, "outcome", None),
        (Action.EXTEND, "days", 0),
        (Action.EXTEND, "days", -3),
        (Action.EXTEND, "days", 10.0),
        (Action.EXTEND, "days", True),
        (Action.EXTEND, "reason", ""),
    ],
)
def test_invalid_data(action: Action, name: str, value: object) -> None:
    state = next(s for (s, a) in TRANSITIONS if a is action)
    snap, last = reach(state)
    data = {**VALID[action], name: value}
    with pytest.raises(IllegalTransition) as exc:
        apply(snap, action, when_for(action, last), **data)
    assert exc.value.code == ErrorCode.INVALID_DATA
    assert exc.value.field == name
    assert "invalid_data" in str(exc.value)


def test_unknown_action() -> None:
    with pytest.raises(IllegalTransition) as exc:
        apply(new_report(T0), "approve", T0)
    assert exc.value.code == ErrorCode.UNKNOWN_ACTION


def test_time_rules() -> None:
    snap = new_report(T0)
    with pytest.raises(IllegalTransition) as exc:
        apply(snap, Action.ACCEPT, T0 - timedelta(seconds=1))
    assert exc.value.code == ErrorCode.TIME_BEFORE_PREVIOUS
    with pytest.raises(IllegalTransition) as exc:
        apply(snap, Action.ACCEPT, datetime(2024, 3, 2, 10, 0))  # naive
    assert exc.value.code == ErrorCode.NAIVE_DATETIME
    with pytest.raises(IllegalTransition):
        new_report(datetime(2024, 3, 1))
    assert apply(snap, Action.ACCEPT, T0).accepted_at == T0  # same instant is fine


def test_snapshot_is_frozen() -> None:
    snap = new_report(T0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.state = State.ACCEPTED  # type: ignore[misc]


# --- extension --------------------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(State))
def test_extend_only_while_being_handled(state: State) -> None:
    snap, last = reach(state)
    if state in (State.ACCEPTED, State.ASSIGNED, State.INVESTIGATING):
        new = apply(snap, Action.EXTEND, last, days=30, reason="复杂")
        assert new.state is state and new.extension_days == 30
    else:
        with pytest.raises(IllegalTransition) as exc:
            apply(snap, Action.EXTEND, last, days=30, reason="复杂")
        assert exc.value.code == ErrorCode.NOT_ALLOWED


def test_extend_once_only() -> None:
    snap, last = reach(State.ACCEPTED)
    snap = apply(snap, Action.EXTEND, last, days=1, reason="a")
    for state_action in (None, Action.ASSIGN):
        if state_action is not None:
            snap = apply(snap, state_action, last, **VALID[state_action])
        with pytest.raises(IllegalTransition) as exc:
            apply(snap, Action.EXTEND, last, days=1, reason="again")
        assert exc.value.code == ErrorCode.ALREADY_EXTENDED


def test_extension_limit() -> None:
    snap, last = reach(State.ASSIGNED)
    assert apply(snap, Action.EXTEND, last, days=30, reason="r").extension_days == 30
    with pytest.raises(IllegalTransition) as exc:
        apply(snap, Action.EXTEND, last, days=31, reason="r")
    assert exc.value.code == ErrorCode.EXTENSION_TOO_LONG
    short = Limits(max_extension_days=10)
    with pytest.raises(IllegalTransition) as exc:
        apply(snap, Action.EXTEND, last, limits=short, days=11, reason="r")
    assert exc.value.code == ErrorCode.EXTENSION_TOO_LONG


def test_extension_must_precede_the_deadline() -> None:
    accepted = apply(new_report(T0), Action.ACCEPT, T0)  # accepted 1 March -> due 30 April
    assert deadlines(accepted).finish_by == date(2024, 4, 30)
    last_day = datetime(2024, 4, 30, 23, 59, tzinfo=CST)
    assert apply(accepted, Action.EXTEND, last_day, days=5, reason="r").extension_days == 5
    with pytest.raises(IllegalTransition) as exc:
        apply(accepted, Action.EXTEND, last_day + timedelta(minutes=1), days=5, reason="r")
    assert exc.value.code == ErrorCode.DEADLINE_PASSED


# --- deadlines and overdue --------------------------------------------------------------


def test_acceptance_deadline_day_15_vs_16() -> None:
    snap = new_report(T0)  # received 1 March (China)
    d = deadlines(snap)
    assert d == Deadlines(accept_by=date(2024, 3, 16), finish_by=None, extended_to=None)
    day15_end = datetime(2024, 3, 16, 23, 59, 59, tzinfo=CST)
    day16_start = datetime(2024, 3, 17, 0, 0, tzinfo=CST)
    assert not is_overdue(snap, day15_end)
    assert overdue_kind(snap, day15_end) is None
    assert is_overdue(snap, day16_start)
    assert overdue_kind(snap, day16_start) is OverdueKind.ACCEPTANCE
    # The same instants expressed in UTC give the same answers.
    assert not is_overdue(snap, day15_end.astimezone(UTC))
    assert is_overdue(snap, datetime(2024, 3, 16, 16, 0, tzinfo=UTC))
    assert china_day_end(d.accept_by) == datetime(2024, 3, 16, 16, 0, tzinfo=UTC)


def test_calendar_day_is_china_day() -> None:
    # 16:30 UTC on 1 March is already 2 March in China, so the clock starts a day later.
    snap = new_report(datetime(2024, 3, 1, 16, 30, tzinfo=UTC))
    assert china_date(snap.received_at) == date(2024, 3, 2)
    assert deadlines(snap).accept_by == date(2024, 3, 17)


def test_deciding_stops_the_acceptance_clock() -> None:
    late = datetime(2024, 3, 20, tzinfo=CST)
    for action in (Action.NOT_ACCEPT, Action.MARK_DUPLICATE):
        snap = apply(new_report(T0), action, T0, **VALID[action])
        assert not is_overdue(snap, late)


def test_finish_deadline_and_extension() -> None:
    snap = apply(new_report(T0), Action.ACCEPT, datetime(2024, 3, 5, 9, tzinfo=CST))
    d = deadlines(snap)
    assert d.finish_by == date(2024, 5, 4)  # 5 March + 60 days
    assert d.extended_to is None and d.effective_finish_by == date(2024, 5, 4)
    day60 = datetime(2024, 5, 4, 23, 59, tzinfo=CST)
    day61 = datetime(2024, 5, 5, 0, 0, tzinfo=CST)
    assert not is_overdue(snap, day60)
    assert overdue_kind(snap, day61) is OverdueKind.FINISH

    ext = apply(snap, Action.EXTEND, day60, days=30, reason="r")
    d = deadlines(ext)
    assert d.finish_by == date(2024, 5, 4)
    assert d.extended_to == d.effective_finish_by == date(2024, 6, 3)
    assert not is_overdue(ext, day61)
    assert not is_overdue(ext, datetime(2024, 6, 3, 23, 59, tzinfo=CST))
    assert overdue_kind(ext, datetime(2024, 6, 4, tzinfo=CST)) is OverdueKind.FINISH


def test_overdue_applies_while_assigned_and_investigating_only() -> None:
    late = datetime(2024, 12, 31, tzinfo=CST)
    for state in (State.ACCEPTED, State.ASSIGNED, State.INVESTIGATING):
        assert overdue_kind(reach(state)[0], late) is OverdueKind.FINISH
    for state in (State.FINISHED, State.DISPUTED, State.UNDER_REVIEW, State.CLOSED):
        assert overdue_kind(reach(state)[0], late) is None


def test_custom_limits() -> None:
    limits = Limits(accept_days=7, finish_days=30)
    snap = new_report(T0)
    assert deadlines(snap, limits).accept_by == date(2024, 3, 8)
    assert is_overdue(snap, datetime(2024, 3, 9, tzinfo=CST), limits)
    assert not is_overdue(snap, datetime(2024, 3, 9, tzinfo=CST))


@pytest.mark.parametrize(
    "kwargs",
    [{"accept_days": 0}, {"finish_days": -1}, {"max_extension_days": True}, {"max_disputes": -1}],
)
def test_limits_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises((TypeError, ValueError)):
        Limits(**kwargs)  # type: ignore[arg-type]


def test_default_limits_follow_12369_rules() -> None:
    assert Limits(15, 60, 30, 15, 1) == DEFAULT_LIMITS


# --- finishing, feedback window, disputes -----------------------------------------------


def _finished(accept_on: datetime, finish_on: datetime, ext: int | None = None) -> Snapshot:
    snap = apply(new_report(T0), Action.ACCEPT, accept_on)
    snap = apply(snap, Action.ASSIGN, accept_on, assignee="a")
    snap = apply(snap, Action.START_INVESTIGATION, accept_on)
    if ext:
        snap = apply(snap, Action.EXTEND, accept_on, days=ext, reason="r")
    return apply(snap, Action.FINISH, finish_on, **VALID[Action.FINISH])


def test_finish_timing() -> None:
    accepted = datetime(2024, 3, 5, 9, tzinfo=CST)
    on_day_60 = _finished(accepted, datetime(2024, 5, 4, 23, tzinfo=CST))
    assert finish_timing(on_day_60) is not None
    assert finish_timing(on_day_60) == finish_timing(on_day_60)
    t = finish_timing(on_day_60)
    assert t is not None and t.on_time and t.days_to_finish == 60
    t = finish_timing(_finished(accepted, datetime(2024, 5, 5, 0, 1, tzinfo=CST)))
    assert t is not None and not t.on_time and t.days_to_finish == 61
    t = finish_timing(_finished(accepted, datetime(2024, 5, 5, tzinfo=CST), ext=1))
    assert t is not None and t.on_time
    assert finish_timing(reach(State.INVESTIGATING)[0]) is None


def test_feedback_window_and_auto_close() -> None:
    finished_on = datetime(2024, 4, 1, 15, tzinfo=CST)
    snap = _finished(datetime(2024, 3, 5, tzinfo=CST), finished_on)
    assert deadlines(snap).feedback_until == date(2024, 4, 16)
    day15 = datetime(2024, 4, 16, 23, 59, tzinfo=CST)
    day16 = datetime(2024, 4, 17, 0, 0, tzinfo=CST)

    assert not auto_close_due(snap, day15)
    with pytest.raises(IllegalTransition) as exc:
        apply(snap, Action.AUTO_CLOSE, day15)
    assert exc.value.code == ErrorCode.TOO_EARLY
    assert auto_close_due(snap, day16)
    closed = apply(snap, Action.AUTO_CLOSE, day16)
    assert closed.state is State.CLOSED and closed.rating is None
    assert not auto_close_due(closed, day16)

    assert apply(snap, Action.RATE, day15, rating="dissatisfied").state is State.CLOSED
    assert apply(snap, Action.DISPUTE, day15, reason="r").state is State.DISPUTED
    for action in (Action.RATE, Action.DISPUTE):
        with pytest.raises(IllegalTransition) as exc:
            apply(snap, action, day16, **VALID[action])
        assert exc.value.code == ErrorCode.FEEDBACK_WINDOW_CLOSED


def test_dispute_review_cycle() -> None:
    snap, last = reach(State.FINISHED)
    first_finish = snap.finished_at
    snap = apply(snap, Action.DISPUTE, last, reason="还在排污")
    assert snap.state is State.DISPUTED and snap.dispute_count == 1
    assert snap.dispute_reason == "还在排污"
    snap = apply(snap, Action.START_REVIEW, last + timedelta(days=1))
    refinish = last + timedelta(days=10)
    snap = apply(snap, Action.CONCLUDE_REVIEW, refinish, **VALID[Action.CONCLUDE_REVIEW])
    assert snap.state is State.FINISHED
    assert snap.outcome is Outcome.NO_VIOLATION
    assert snap.first_finished_at == first_finish and snap.finished_at == refinish
    # The feedback window restarts from the latest finish.
    assert deadlines(snap).feedback_until == china_date(refinish) + timedelta(days=15)
    # Only one dispute by default ...
    with pytest.raises(IllegalTransition) as exc:
        apply(snap, Action.DISPUTE, refinish, reason="again")
    assert exc.value.code == ErrorCode.DISPUTE_LIMIT
    # ... configurable.
    two = Limits(max_disputes=2)
    assert apply(snap, Action.DISPUTE, refinish, limits=two, reason="x").dispute_count == 2
    assert apply(snap, Action.RATE, refinish, rating="satisfied").state is State.CLOSED


# --- Open311 ----------------------------------------------------------------------------


def test_open311_status() -> None:
    expected = {
        State.SUBMITTED: "open",
        State.ACCEPTED: "open",
        State.ASSIGNED: "open",
        State.INVESTIGATING: "open",
        State.DISPUTED: "open",
        State.UNDER_REVIEW: "open",
        State.FINISHED: "closed",
        State.CLOSED: "closed",
        State.NOT_ACCEPTED: "closed",
        State.DUPLICATE: "closed",
    }
    assert {s: open311_status(s) for s in State} == expected
    assert set(State) == OPEN_STATES | CLOSED_STATES
    assert not OPEN_STATES & CLOSED_STATES
    assert open311_status("finished") == "closed"  # type: ignore[arg-type]
