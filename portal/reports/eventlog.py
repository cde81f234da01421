"""The published, anonymised event log of public pollution reports.

Each event is a flat dict::

    {"case": "3f9a0c1d2e4b5a69",   # pseudonym (see pseudonym()), never the tracking code
     "event": "finished",           # an EventType value
     "date": "2024-03-16",          # China-calendar date of the event
     "category": "water",           # caller-defined category code
     "county": "songling",          # caller-defined county code
     "channel": "web",              # a Channel value
     "on_time": true,               # finished only: first finish met the deadline
     "days_to_finish": 14}          # finished only: days from acceptance to first finish

Deadline events (``accept_deadline_passed``, ``finish_deadline_passed``) are appended by
the portal itself for a report still open when a time limit has passed; their ``date`` is
the limit's last allowed day.  They carry the same six fields and nothing else.

Nothing else is allowed in an event: the schema is closed so that a caller cannot
accidentally publish a reporter's name, a free-text note or a tracking code.

Serialisation is JSON Lines: one JSON object per line, keys sorted, separators ``,`` and
``:``, non-ASCII kept as UTF-8.  Every line carries ``prev``: the SHA-256 hex digest of
the previous line's exact UTF-8 bytes (without the line terminator); the first line's
``prev`` is 64 zeros.  Editing, deleting or reordering any line breaks the chain at the
next line.  Editing the *last* line or cutting lines off the end can only be detected
against a separately published head hash (:func:`head`), so publish it alongside the log
(the portal anchors heads outside its database: :mod:`portal.reports.integrity`).

Records never contain line-breaking characters, so a published file can be split with
``bytes.split(b"\n")`` or ``str.splitlines()``; either way, verify with :func:`verify_chain`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final, NotRequired, TypedDict, cast

from portal.reports.workflow import Action, china_date

__all__ = [
    "EVENT_FOR_ACTION",
    "GENESIS",
    "Channel",
    "Event",
    "EventError",
    "EventType",
    "chain",
    "events_from_lines",
    "head",
    "line_hash",
    "make_event",
    "pseudonym",
    "validate_event",
    "verify_chain",
]

GENESIS: Final = "0" * 64
PSEUDONYM_HEX_CHARS: Final = 16  # 64 bits: collisions negligible at any realistic volume
# Domain separation, so the same secret used for something else never yields these values.
_PSEUDONYM_CONTEXT: Final = b"portal.reports.pseudonym.v1\x00"
_MIN_KEY_BYTES: Final = 16


class EventType(StrEnum):
    """Published event types."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    DUPLICATE = "duplicate"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    EXTENDED = "extended"
    FINISHED = "finished"  # first finish only; counts towards punctuality
    DISPUTED = "disputed"
    UNDER_REVIEW = "under_review"
    REVIEW_FINISHED = "review_finished"  # finished again after a review
    CLOSED = "closed"
    # Appended by the portal itself (no official acts): a report still awaiting acceptance
    # once its acceptance limit has passed, or still unfinished once its (extended)
    # finishing limit has passed.  ``date`` is the limit's last allowed day, so the miss is
    # counted in the month the limit fell due.
    ACCEPT_DEADLINE_PASSED = "accept_deadline_passed"
    FINISH_DEADLINE_PASSED = "finish_deadline_passed"


class Channel(StrEnum):
    """How the report reached the agency."""

    WEB = "web"
    PHONE = "phone"
    OPEN311 = "open311"


# Which event to publish for each workflow action ("received" is the creation event).
# Re-finishing after a review is a separate event type so the stats count each case's
# finish once.
EVENT_FOR_ACTION: Final[Mapping[Action, EventType]] = MappingProxyType(
    {
        Action.ACCEPT: EventType.ACCEPTED,
        Action.NOT_ACCEPT: EventType.NOT_ACCEPTED,
        Action.MARK_DUPLICATE: EventType.DUPLICATE,
        Action.ASSIGN: EventType.ASSIGNED,
        Action.START_INVESTIGATION: EventType.INVESTIGATING,
        Action.EXTEND: EventType.EXTENDED,
        Action.FINISH: EventType.FINISHED,
        Action.RATE: EventType.CLOSED,
        Action.AUTO_CLOSE: EventType.CLOSED,
        Action.DISPUTE: EventType.DISPUTED,
        Action.START_REVIEW: EventType.UNDER_REVIEW,
        Action.CONCLUDE_REVIEW: EventType.REVIEW_FINISHED,
    }
)


class Event(TypedDict):
    """Shape of one published event (see the module docstring)."""

    case: str
    event: str
    date: str
    category: str
    county: str
    channel: str
    on_time: NotRequired[bool]
    days_to_finish: NotRequired[int]


class EventError(ValueError):
    """An event does not fit the published schema; ``code`` and ``field`` are machine ids."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(f"{code}: {field}" if field else code)
        self.code = code
        self.field = field


_BASE_KEYS: Final = frozenset({"case", "event", "date", "category", "county", "channel"})
_FINISH_KEYS: Final = frozenset({"on_time", "days_to_finish"})
# Lower-case hex only: this rejects tracking codes (DX-…) and other identifiers that a
# caller might pass by mistake.
_CASE_RE: Final = re.compile(r"[0-9a-f]{8,64}")
_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EVENT_TYPES: Final = frozenset(e.value for e in EventType)
_CHANNELS: Final = frozenset(c.value for c in Channel)


def pseudonym(secret_key: bytes, report_id: str) -> str:
    """Stable, short, non-reversible case identifier: truncated HMAC-SHA256 as hex.

    Anyone can link events of the same case in the published log, but without the key no
    one can tell which report (or tracking code) a pseudonym belongs to, nor test guesses.
    """
    if not isinstance(secret_key, bytes) or len(secret_key) < _MIN_KEY_BYTES:
        raise ValueError(f"secret_key must be at least {_MIN_KEY_BYTES} bytes")
    mac = hmac.new(secret_key, _PSEUDONYM_CONTEXT + report_id.encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()[:PSEUDONYM_HEX_CHARS]


def validate_event(event: Mapping[str, object], *, allow_prev: bool = False) -> None:
    """Raise :class:`EventError` unless ``event`` fits the published schema exactly.

    ``allow_prev`` admits the ``prev`` key of a serialised line (its value is not checked
    here; :func:`verify_chain` does that).
    """
    if not isinstance(event, Mapping):
        raise EventError("not_an_object")
    keys = set(event)
    if allow_prev:
        keys.discard("prev")
    if "event" not in keys:
        raise EventError("missing_field", "event")
    kind = event["event"]
    if not isinstance(kind, str) or kind not in _EVENT_TYPES:
        raise EventError("invalid_field", "event")
    allowed = _BASE_KEYS | (_FINISH_KEYS if kind == EventType.FINISHED else frozenset())
    if missing := sorted(allowed - keys):
        raise EventError("missing_field", missing[0])
    if extra := sorted(keys - allowed, key=str):
        raise EventError("unexpected_field", str(extra[0]))
    case = event["case"]
    if not isinstance(case, str) or not _CASE_RE.fullmatch(case):
        raise EventError("invalid_field", "case")
    day = event["date"]
    if not isinstance(day, str) or not _DATE_RE.fullmatch(day):
        raise EventError("invalid_field", "date")
    try:
        date.fromisoformat(day)
    except ValueError:
        raise EventError("invalid_field", "date") from None
    for name in ("category", "county"):
        value = event[name]
        # isprintable() rejects control and line/paragraph separators (U+2028, U+0085…),
        # which json.dumps leaves unescaped and str.splitlines() would split a record on.
        if (
            not isinstance(value, str)
            or not value
            or value != value.strip()
            or not value.isprintable()
        ):
            raise EventError("invalid_field", name)
    channel = event["channel"]
    if not isinstance(channel, str) or channel not in _CHANNELS:
        raise EventError("invalid_field", "channel")
    if kind == EventType.FINISHED:
        if not isinstance(event["on_time"], bool):
            raise EventError("invalid_field", "on_time")
        days = event["days_to_finish"]
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise EventError("invalid_field", "days_to_finish")


def make_event(
    *,
    case: str,
    event: EventType | str,
    at: datetime | date,
    category: str,
    county: str,
    channel: Channel | str,
    on_time: bool | None = None,
    days_to_finish: int | None = None,
) -> Event:
    """Build and validate one event; ``at`` (aware) becomes its China-calendar date.

    A plain :class:`datetime.date` is taken as the China-calendar date itself (deadline
    events are dated by the limit's last day).

    ``on_time`` and ``days_to_finish`` are required for ``finished`` and refused
    otherwise; take them from :func:`portal.reports.workflow.finish_timing`.
    """
    out: dict[str, object] = {
        "case": case,
        "event": str(event),
        "date": (china_date(at) if isinstance(at, datetime) else at).isoformat(),
        "category": category,
        "county": county,
        "channel": str(channel),
    }
    if on_time is not None:
        out["on_time"] = on_time
    if days_to_finish is not None:
        out["days_to_finish"] = days_to_finish
    validate_event(out)
    return out  # type: ignore[return-value]


def _dumps(obj: Mapping[str, object]) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def line_hash(line: str) -> str:
    """SHA-256 hex of a line's UTF-8 bytes (the line without its terminator)."""
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def chain(events: Iterable[Mapping[str, object]], *, prev: str = GENESIS) -> list[str]:
    """Serialise ``events`` in order as hash-chained JSON lines (no line terminators).

    To append to an existing log, pass ``prev=head(existing_lines)``.  Every event is
    validated first; a ``prev`` key in the input is refused rather than overwritten.
    """
    lines: list[str] = []
    for event in events:
        validate_event(event)
        line = _dumps({**event, "prev": prev})
        lines.append(line)
        prev = line_hash(line)
    return lines


def head(lines: Iterable[str], *, prev: str = GENESIS) -> str:
    """Hash of the last line (the value to publish as the log's anchor); ``prev`` if empty."""
    for line in lines:
        prev = line_hash(_strip_terminator(line))
    return prev


def _strip_terminator(line: str) -> str:
    # Lines read from a file keep their "\n" (or "\r\n"); the hash covers the line only.
    if line.endswith("\n"):
        line = line[:-1].removesuffix("\r")
    return line


def _without_final_blank(lines: Iterable[str | bytes]) -> list[str | bytes]:
    # data.split("\n") on a file ending in a newline yields one empty final item; that is
    # the terminator of the last record, not a record.  Blank lines elsewhere stay bad.
    items = list(lines)
    if items and items[-1] in ("", b""):
        items.pop()
    return items


def verify_chain(
    lines: Iterable[str | bytes],
    *,
    expected_head: str | None = None,
    prev: str = GENESIS,
) -> int | None:
    """Return the index of the first bad line, or None if the whole log checks out.

    A line is bad if it is not UTF-8, not a JSON object in canonical form (sorted keys,
    compact separators), does not fit the event schema, or its ``prev`` is not the hash of
    the line before (``prev``, 64 zeros by default, for the first line).  If
    ``expected_head`` is given and the last line's hash differs, the last line (index 0 for
    an empty log) is reported: the log was cut short or its last line altered.
    """
    items = _without_final_blank(lines)
    for index, raw in enumerate(items):
        try:
            line = _strip_terminator(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
            obj = json.loads(line)
        except (UnicodeDecodeError, ValueError):
            return index
        if not isinstance(obj, dict) or obj.get("prev") != prev or _dumps(obj) != line:
            return index
        try:
            validate_event(obj, allow_prev=True)
        except EventError:
            return index
        prev = line_hash(line)
    if expected_head is not None and prev != expected_head:
        return max(len(items) - 1, 0)
    return None


def events_from_lines(lines: Iterable[str | bytes]) -> list[Event]:
    """Parse log lines back into events (``prev`` dropped).

    Validates each record's schema but not the chain; call :func:`verify_chain` for that.
    """
    out: list[Event] = []
    for raw in _without_final_blank(lines):
        line = _strip_terminator(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
        obj = json.loads(line)
        if not isinstance(obj, dict):
            raise EventError("not_an_object")
        validate_event(obj, allow_prev=True)
        obj.pop("prev", None)
        out.append(cast(Event, obj))  # validate_event checked its shape
    return out
