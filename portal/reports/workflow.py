"""Handling workflow for public pollution reports, as data plus pure functions.

The life of a report (``state --action--> state``; the table is :data:`TRANSITIONS`)::

    submitted     --accept-------------> accepted
    submitted     --not_accept---------> not_accepted   (reason + where to turn instead)
    submitted     --mark_duplicate-----> duplicate      (case of the report merged into)
    accepted      --assign-------------> assigned       (to a county bureau)
    assigned      --start_investigation> investigating
    investigating --finish-------------> finished       (outcome + action taken)
    finished      --rate---------------> closed         (reporter's rating)
    finished      --auto_close---------> closed         (after the feedback window)
    finished      --dispute------------> disputed       (reporter's reason)
    disputed      --start_review-------> under_review
    under_review  --conclude_review----> finished       (outcome + action taken, again)
    accepted/assigned/investigating --extend--> same state   (once, <= 30 days, reason)

Everything here is pure: :func:`apply` takes a frozen :class:`Snapshot` and returns a new
one, or raises :class:`IllegalTransition`, a :class:`~portal.core.problems.Refusal` whose
machine ``code`` is an :class:`ErrorCode` (the words for each are in
:mod:`portal.reports.messages`).  Persistence, audit history, notes and permissions are the
caller's business.

Time rules (defaults from the national 12369 hotline rules, configurable via
:class:`Limits`): the acceptance decision is due within 15 days of receipt, the case must
be finished within 60 days of acceptance, that may be extended once by at most 30 days,
and a finished case closes automatically 15 days after finishing unless the reporter rated
or disputed it first.

Days are *calendar days in China time* (UTC+8), counted the way Chinese law counts
periods: the starting day is not counted, so "within 15 days" of a report received on
1 March means by the end of 16 March (China time).  Deadlines are therefore returned as
:class:`datetime.date` values: the last allowed China-calendar day, inclusive.  All
datetimes passed in must be timezone-aware; they are stored normalised to UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final, TypeVar

from portal.core.clock import CHINA
from portal.core.problems import Refusal

# A case number: the report's public pseudonym (`eventlog.pseudonym`, 16 hex digits).
CASE: Final = re.compile(r"[0-9a-f]{16}")

__all__ = [
    "CHINA_TZ",
    "CLOSED_STATES",
    "DEFAULT_LIMITS",
    "EXTENDABLE_STATES",
    "OPEN_STATES",
    "REQUIRED_DATA",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "Action",
    "Deadlines",
    "ErrorCode",
    "FinishTiming",
    "IllegalTransition",
    "Limits",
    "Open311Status",
    "Outcome",
    "OverdueKind",
    "Rating",
    "Snapshot",
    "State",
    "allowed_actions",
    "apply",
    "auto_close_due",
    "china_date",
    "china_day_end",
    "deadlines",
    "finish_timing",
    "is_overdue",
    "new_report",
    "open311_status",
    "overdue_kind",
]

# China has used a fixed UTC+8 offset since 1991; a fixed offset avoids depending on the
# tzdata package being installed on the server.
CHINA_TZ: Final = CHINA


class State(StrEnum):
    """Handling states (values are stable identifiers, safe to store)."""

    SUBMITTED = "submitted"  # 待受理
    ACCEPTED = "accepted"  # 已受理
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    DUPLICATE = "duplicate"  # 重复举报，已合并
    ASSIGNED = "assigned"  # 已转办
    INVESTIGATING = "investigating"  # 调查处理中
    FINISHED = "finished"  # 已办结
    DISPUTED = "disputed"  # 举报人有异议
    UNDER_REVIEW = "under_review"  # 复核中
    CLOSED = "closed"  # 已关闭


class Action(StrEnum):
    """Things that can happen to a report."""

    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    MARK_DUPLICATE = "mark_duplicate"
    ASSIGN = "assign"
    START_INVESTIGATION = "start_investigation"
    EXTEND = "extend"
    FINISH = "finish"
    RATE = "rate"
    AUTO_CLOSE = "auto_close"
    DISPUTE = "dispute"
    START_REVIEW = "start_review"
    CONCLUDE_REVIEW = "conclude_review"


class Outcome(StrEnum):
    """Result of the investigation, published with the finished case."""

    VIOLATION_FOUND = "violation_found"  # 查实存在违法行为
    NO_VIOLATION = "no_violation"  # 未发现违法行为
    NOT_SUBSTANTIATED = "not_substantiated"  # 举报情况不属实


class Rating(StrEnum):
    """Reporter's satisfaction rating (the usual three-level government scale)."""

    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class OverdueKind(StrEnum):
    """Which deadline a case is currently past."""

    ACCEPTANCE = "acceptance"
    FINISH = "finish"


class ErrorCode(StrEnum):
    """Machine codes carried by :class:`IllegalTransition` (StrEnum: compares to str)."""

    UNKNOWN_ACTION = "unknown_action"  # action is not an Action value
    NOT_ALLOWED = "not_allowed"  # (state, action) not in TRANSITIONS
    MISSING_DATA = "missing_data"  # a required keyword is absent; see .field
    UNEXPECTED_DATA = "unexpected_data"  # a keyword the action does not take; see .field
    INVALID_DATA = "invalid_data"  # wrong type / empty / out of range; see .field
    NAIVE_DATETIME = "naive_datetime"  # `at` has no tzinfo
    TIME_BEFORE_PREVIOUS = "time_before_previous"  # `at` earlier than the last transition
    ALREADY_EXTENDED = "already_extended"  # only one extension per case
    EXTENSION_TOO_LONG = "extension_too_long"  # days > Limits.max_extension_days
    DEADLINE_PASSED = "deadline_passed"  # extending after the finish deadline
    DISPUTE_LIMIT = "dispute_limit"  # more disputes than Limits.max_disputes
    FEEDBACK_WINDOW_CLOSED = "feedback_window_closed"  # rate/dispute after the window
    TOO_EARLY = "too_early"  # auto_close before the feedback window ended


class IllegalTransition(Refusal):
    """Raised by :func:`apply` for anything the workflow does not allow: a refusal whose
    ``code`` is the :class:`ErrorCode` member and ``field`` the data keyword concerned ("" for
    the step as a whole); ``state`` and ``action`` are context for logs."""

    code: ErrorCode

    def __init__(
        self,
        code: ErrorCode,
        *,
        field: str = "",
        state: State | None = None,
        action: Action | None = None,
    ) -> None:
        super().__init__(code, field)
        self.code = code  # the member itself (Refusal keeps the plain string)
        self.state = state
        self.action = action

    def __str__(self) -> str:
        # Built on demand: apply() fills in state/action after a handler raised.
        parts = (("field", self.field or None), ("state", self.state), ("action", self.action))
        detail = ", ".join(f"{k}={v}" for k, v in parts if v is not None)
        return f"{self.code} ({detail})" if detail else str(self.code)


@dataclass(frozen=True, slots=True)
class Limits:
    """Time limits in calendar days; defaults follow the national 12369 rules."""

    accept_days: int = 15  # decide whether to accept, counted from receipt
    finish_days: int = 60  # finish handling, counted from acceptance
    max_extension_days: int = 30  # one extension, at most this long
    auto_close_days: int = 15  # reporter may rate/dispute this long after finishing
    max_disputes: int = 1  # disputes per case; stops endless finish/dispute loops

    def __post_init__(self) -> None:
        minimum = {"max_disputes": 0}  # every other limit must be at least one day
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"Limits.{name} must be an int")
            if value < minimum.get(name, 1):
                raise ValueError(f"Limits.{name} must be >= {minimum.get(name, 1)}")


DEFAULT_LIMITS: Final = Limits()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the rules need to know about one report at one moment.

    Datetimes are aware and in UTC.  ``finished_at`` is the latest finish (a review
    finishes the case again); ``first_finished_at`` is kept because punctuality and
    days-to-finish are judged on the first finish.
    """

    state: State
    received_at: datetime
    updated_at: datetime  # time of the last transition; later ones may not predate it
    accepted_at: datetime | None = None
    not_accepted_reason: str | None = None
    refer_to: str | None = None  # where the reporter should turn instead (不予受理时告知)
    # Case number (public pseudonym) of the surviving report, never its tracking code: a
    # snapshot is shown to handlers and kept in the audit trail, a code is a credential.
    duplicate_of: str | None = None
    assigned_at: datetime | None = None
    assignee: str | None = None  # county bureau identifier
    investigating_at: datetime | None = None
    extension_days: int | None = None
    extension_reason: str | None = None
    extended_at: datetime | None = None
    first_finished_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: Outcome | None = None
    action_taken: str | None = None
    dispute_count: int = 0
    dispute_reason: str | None = None
    disputed_at: datetime | None = None
    review_started_at: datetime | None = None
    rating: Rating | None = None
    closed_at: datetime | None = None  # when it reached closed/not_accepted/duplicate


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Deadlines as the last allowed China-calendar day (inclusive); None = not yet running.

    ``finish_by`` is the original 60-day deadline; ``extended_to`` the extended one if an
    extension was granted.  ``feedback_until`` is the last day the reporter may rate or
    dispute; the case is auto-closed from the next day on.
    """

    accept_by: date
    finish_by: date | None
    extended_to: date | None
    feedback_until: date | None = None

    @property
    def effective_finish_by(self) -> date | None:
        """The finish deadline that actually applies (extended if extended)."""
        return self.extended_to if self.extended_to is not None else self.finish_by


@dataclass(frozen=True, slots=True)
class FinishTiming:
    """Punctuality of the first finish, as published in the event log."""

    on_time: bool
    days_to_finish: int  # China-calendar days from acceptance to first finish


# ---------------------------------------------------------------------------------------
# The transition table.  Self-loops (extend) keep the state.
# ---------------------------------------------------------------------------------------

EXTENDABLE_STATES: Final = frozenset({State.ACCEPTED, State.ASSIGNED, State.INVESTIGATING})

TRANSITIONS: Final[Mapping[tuple[State, Action], State]] = MappingProxyType(
    {
        (State.SUBMITTED, Action.ACCEPT): State.ACCEPTED,
        (State.SUBMITTED, Action.NOT_ACCEPT): State.NOT_ACCEPTED,
        (State.SUBMITTED, Action.MARK_DUPLICATE): State.DUPLICATE,
        (State.ACCEPTED, Action.ASSIGN): State.ASSIGNED,
        (State.ASSIGNED, Action.START_INVESTIGATION): State.INVESTIGATING,
        (State.INVESTIGATING, Action.FINISH): State.FINISHED,
        (State.FINISHED, Action.RATE): State.CLOSED,
        (State.FINISHED, Action.AUTO_CLOSE): State.CLOSED,
        (State.FINISHED, Action.DISPUTE): State.DISPUTED,
        (State.DISPUTED, Action.START_REVIEW): State.UNDER_REVIEW,
        (State.UNDER_REVIEW, Action.CONCLUDE_REVIEW): State.FINISHED,
        **{(s, Action.EXTEND): s for s in EXTENDABLE_STATES},
    }
)

# Keyword data each action requires; every listed key is mandatory and no other is taken,
# so a typo in a caller's keyword fails loudly instead of being silently dropped.
REQUIRED_DATA: Final[Mapping[Action, tuple[str, ...]]] = MappingProxyType(
    {
        Action.ACCEPT: (),
        Action.NOT_ACCEPT: ("reason", "refer_to"),
        Action.MARK_DUPLICATE: ("duplicate_of",),
        Action.ASSIGN: ("assignee",),
        Action.START_INVESTIGATION: (),
        Action.EXTEND: ("days", "reason"),
        Action.FINISH: ("outcome", "action_taken"),
        Action.RATE: ("rating",),
        Action.AUTO_CLOSE: (),
        Action.DISPUTE: ("reason",),
        Action.START_REVIEW: (),
        Action.CONCLUDE_REVIEW: ("outcome", "action_taken"),
    }
)

TERMINAL_STATES: Final = frozenset({State.NOT_ACCEPTED, State.DUPLICATE, State.CLOSED})
# Open311 "status": a finished case is closed for Open311 even though the reporter may
# still dispute it; a dispute re-opens it.
CLOSED_STATES: Final = frozenset(
    {State.FINISHED, State.CLOSED, State.NOT_ACCEPTED, State.DUPLICATE}
)
OPEN_STATES: Final = frozenset(State) - CLOSED_STATES


class Open311Status(StrEnum):
    """GeoReport v2's two ``status`` values."""

    OPEN = "open"
    CLOSED = "closed"


def open311_status(state: State) -> Open311Status:
    """Return the Open311 GeoReport v2 ``status`` of a handling state."""
    return Open311Status.CLOSED if State(state) in CLOSED_STATES else Open311Status.OPEN


def allowed_actions(state: State) -> frozenset[Action]:
    """Actions the table allows from ``state`` (guards in :func:`apply` may still refuse)."""
    return frozenset(a for (s, a) in TRANSITIONS if s == state)


# ---------------------------------------------------------------------------------------
# Time helpers
# ---------------------------------------------------------------------------------------


def _aware_utc(at: datetime) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise IllegalTransition(ErrorCode.NAIVE_DATETIME)
    return at.astimezone(UTC)


def china_date(at: datetime) -> date:
    """The China-calendar date of an aware datetime."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("aware datetime required")
    return at.astimezone(CHINA_TZ).date()


def china_day_end(day: date) -> datetime:
    """First instant (UTC) *after* the China-calendar ``day``; handy for DB range queries.

    A deadline ``d`` is met by anything strictly before ``china_day_end(d)``.
    """
    return datetime.combine(day + timedelta(days=1), time(), CHINA_TZ).astimezone(UTC)


def new_report(received_at: datetime) -> Snapshot:
    """Snapshot of a freshly received report."""
    at = _aware_utc(received_at)
    return Snapshot(state=State.SUBMITTED, received_at=at, updated_at=at)


def deadlines(snapshot: Snapshot, limits: Limits = DEFAULT_LIMITS) -> Deadlines:
    """Compute the deadlines that apply to ``snapshot`` (see :class:`Deadlines`)."""
    accept_by = china_date(snapshot.received_at) + timedelta(days=limits.accept_days)
    finish_by = extended_to = feedback_until = None
    if snapshot.accepted_at is not None:
        finish_by = china_date(snapshot.accepted_at) + timedelta(days=limits.finish_days)
        if snapshot.extension_days is not None:
            extended_to = finish_by + timedelta(days=snapshot.extension_days)
    if snapshot.finished_at is not None:
        feedback_until = china_date(snapshot.finished_at) + timedelta(days=limits.auto_close_days)
    return Deadlines(accept_by, finish_by, extended_to, feedback_until)


def overdue_kind(
    snapshot: Snapshot, now: datetime, limits: Limits = DEFAULT_LIMITS
) -> OverdueKind | None:
    """Which deadline ``snapshot`` is past at ``now``, or None.

    Only deadlines the agency still has to meet count: a submitted case past ``accept_by``
    is overdue for acceptance; an accepted/assigned/investigating case past its effective
    finish deadline is overdue for finishing.  A decision that was taken late is history,
    not "overdue" (see :func:`finish_timing` for that).
    """
    today = china_date(now)
    d = deadlines(snapshot, limits)
    if snapshot.state is State.SUBMITTED and today > d.accept_by:
        return OverdueKind.ACCEPTANCE
    effective = d.effective_finish_by
    if snapshot.state in EXTENDABLE_STATES and effective is not None and today > effective:
        return OverdueKind.FINISH
    return None


def is_overdue(snapshot: Snapshot, now: datetime, limits: Limits = DEFAULT_LIMITS) -> bool:
    """True if any deadline the agency still has to meet has passed at ``now``."""
    return overdue_kind(snapshot, now, limits) is not None


def auto_close_due(snapshot: Snapshot, now: datetime, limits: Limits = DEFAULT_LIMITS) -> bool:
    """True if a scheduled job may apply ``Action.AUTO_CLOSE`` to ``snapshot`` at ``now``."""
    until = deadlines(snapshot, limits).feedback_until
    return snapshot.state is State.FINISHED and until is not None and china_date(now) > until


def finish_timing(snapshot: Snapshot, limits: Limits = DEFAULT_LIMITS) -> FinishTiming | None:
    """Punctuality of the *first* finish against the (possibly extended) deadline.

    None until the case has been finished once.  Days are China-calendar days from the
    acceptance date to the first finishing date.
    """
    if snapshot.first_finished_at is None or snapshot.accepted_at is None:
        return None
    finished_on = china_date(snapshot.first_finished_at)
    effective = deadlines(snapshot, limits).effective_finish_by
    assert effective is not None  # accepted_at is set, so finish_by is too
    days = (finished_on - china_date(snapshot.accepted_at)).days
    return FinishTiming(on_time=finished_on <= effective, days_to_finish=days)


# ---------------------------------------------------------------------------------------
# apply()
# ---------------------------------------------------------------------------------------


_E = TypeVar("_E", bound=StrEnum)


def _text(data: Mapping[str, object], name: str) -> str:
    value = data[name]
    if not isinstance(value, str) or not value.strip():
        raise IllegalTransition(ErrorCode.INVALID_DATA, field=name)
    return value.strip()


def _enum(data: Mapping[str, object], name: str, enum: type[_E]) -> _E:
    value = data[name]
    if not isinstance(value, str):  # what enum() would refuse too
        raise IllegalTransition(ErrorCode.INVALID_DATA, field=name)
    try:
        return enum(value)
    except ValueError:
        raise IllegalTransition(ErrorCode.INVALID_DATA, field=name) from None


@dataclass(frozen=True, slots=True)
class _Ctx:
    snap: Snapshot
    at: datetime
    data: Mapping[str, object]
    limits: Limits


def _accept(c: _Ctx) -> dict[str, object]:
    return {"accepted_at": c.at}


def _not_accept(c: _Ctx) -> dict[str, object]:
    return {
        "not_accepted_reason": _text(c.data, "reason"),
        "refer_to": _text(c.data, "refer_to"),
        "closed_at": c.at,
    }


def _mark_duplicate(c: _Ctx) -> dict[str, object]:
    raw = c.data["duplicate_of"]
    case = raw.strip().lower() if isinstance(raw, str) else ""
    if CASE.fullmatch(case) is None:
        raise IllegalTransition(ErrorCode.INVALID_DATA, field="duplicate_of")
    return {"duplicate_of": case, "closed_at": c.at}


def _assign(c: _Ctx) -> dict[str, object]:
    return {"assigned_at": c.at, "assignee": _text(c.data, "assignee")}


def _start_investigation(c: _Ctx) -> dict[str, object]:
    return {"investigating_at": c.at}


def _extend(c: _Ctx) -> dict[str, object]:
    if c.snap.extension_days is not None:
        raise IllegalTransition(ErrorCode.ALREADY_EXTENDED)
    days = c.data["days"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise IllegalTransition(ErrorCode.INVALID_DATA, field="days")
    if days > c.limits.max_extension_days:
        raise IllegalTransition(ErrorCode.EXTENSION_TOO_LONG, field="days")
    reason = _text(c.data, "reason")
    # An extension must be approved before the deadline runs out; granting one afterwards
    # would retroactively turn an overdue case into a punctual one in the statistics.
    finish_by = deadlines(c.snap, c.limits).finish_by
    if finish_by is not None and china_date(c.at) > finish_by:
        raise IllegalTransition(ErrorCode.DEADLINE_PASSED)
    return {"extension_days": days, "extension_reason": reason, "extended_at": c.at}


def _finish(c: _Ctx) -> dict[str, object]:
    changes: dict[str, object] = {
        "outcome": _enum(c.data, "outcome", Outcome),
        "action_taken": _text(c.data, "action_taken"),
        "finished_at": c.at,
    }
    if c.snap.first_finished_at is None:
        changes["first_finished_at"] = c.at
    return changes


def _check_feedback_window(c: _Ctx) -> None:
    until = deadlines(c.snap, c.limits).feedback_until
    if until is not None and china_date(c.at) > until:
        raise IllegalTransition(ErrorCode.FEEDBACK_WINDOW_CLOSED)


def _rate(c: _Ctx) -> dict[str, object]:
    rating = _enum(c.data, "rating", Rating)
    _check_feedback_window(c)
    return {"rating": rating, "closed_at": c.at}


def _auto_close(c: _Ctx) -> dict[str, object]:
    if not auto_close_due(c.snap, c.at, c.limits):
        raise IllegalTransition(ErrorCode.TOO_EARLY)
    return {"closed_at": c.at}


def _dispute(c: _Ctx) -> dict[str, object]:
    reason = _text(c.data, "reason")
    if c.snap.dispute_count >= c.limits.max_disputes:
        raise IllegalTransition(ErrorCode.DISPUTE_LIMIT)
    _check_feedback_window(c)
    return {
        "dispute_count": c.snap.dispute_count + 1,
        "dispute_reason": reason,
        "disputed_at": c.at,
    }


def _start_review(c: _Ctx) -> dict[str, object]:
    return {"review_started_at": c.at}


_HANDLERS: Final[Mapping[Action, Callable[[_Ctx], dict[str, object]]]] = MappingProxyType(
    {
        Action.ACCEPT: _accept,
        Action.NOT_ACCEPT: _not_accept,
        Action.MARK_DUPLICATE: _mark_duplicate,
        Action.ASSIGN: _assign,
        Action.START_INVESTIGATION: _start_investigation,
        Action.EXTEND: _extend,
        Action.FINISH: _finish,
        Action.RATE: _rate,
        Action.AUTO_CLOSE: _auto_close,
        Action.DISPUTE: _dispute,
        Action.START_REVIEW: _start_review,
        Action.CONCLUDE_REVIEW: _finish,  # a concluded review finishes the case again
    }
)


def apply(
    snapshot: Snapshot,
    action: Action | str,
    at: datetime,
    *,
    limits: Limits = DEFAULT_LIMITS,
    **data: object,
) -> Snapshot:
    """Apply ``action`` at time ``at`` and return the new snapshot.

    Keyword data per action is listed in :data:`REQUIRED_DATA` (all mandatory, no extras):
    ``not_accept(reason, refer_to)``, ``mark_duplicate(duplicate_of)`` (a tracking code,
    stored canonical), ``assign(assignee)``, ``extend(days, reason)``,
    ``finish/conclude_review(outcome, action_taken)``, ``rate(rating)``,
    ``dispute(reason)``.  Enum-valued data may be given as the enum or its string value.

    Checks, in order: the action exists, the (state, action) pair is in
    :data:`TRANSITIONS`, the data keys match, ``at`` is aware and not earlier than the
    previous transition, then the action's own guards.  Raises :class:`IllegalTransition`.
    """
    try:
        act = Action(action)
    except ValueError:
        raise IllegalTransition(ErrorCode.UNKNOWN_ACTION, state=snapshot.state) from None
    target = TRANSITIONS.get((snapshot.state, act))
    if target is None:
        raise IllegalTransition(ErrorCode.NOT_ALLOWED, state=snapshot.state, action=act)
    required = REQUIRED_DATA[act]
    for name in required:
        if name not in data:
            raise IllegalTransition(
                ErrorCode.MISSING_DATA, field=name, state=snapshot.state, action=act
            )
    for name in data:
        if name not in required:
            raise IllegalTransition(
                ErrorCode.UNEXPECTED_DATA, field=name, state=snapshot.state, action=act
            )
    when = _aware_utc(at)
    if when < snapshot.updated_at:
        raise IllegalTransition(ErrorCode.TIME_BEFORE_PREVIOUS, state=snapshot.state, action=act)
    try:
        changes = _HANDLERS[act](_Ctx(snapshot, when, data, limits))
    except IllegalTransition as exc:
        # Handlers raise with just code/field; add context for logs.
        exc.state, exc.action = snapshot.state, act
        raise
    return replace(snapshot, state=target, updated_at=when, **changes)  # type: ignore[arg-type]
