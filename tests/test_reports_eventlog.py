"""Tests for portal.reports.eventlog: event schema, pseudonyms and the hash chain."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from portal.reports.codes import new_code
from portal.reports.eventlog import (
    EVENT_FOR_ACTION,
    GENESIS,
    Channel,
    EventError,
    EventType,
    chain,
    events_from_lines,
    head,
    line_hash,
    make_event,
    pseudonym,
    validate_event,
    verify_chain,
)
from portal.reports.workflow import Action

KEY = b"k" * 32


def ev(case: str, event: str, day: str, **extra: object) -> dict[str, object]:
    out: dict[str, object] = {
        "case": case,
        "event": event,
        "date": day,
        "category": "水污染",
        "county": "songling",
        "channel": "web",
    }
    out.update(extra)
    return out


EVENTS = [
    ev("a1b2c3d4", "received", "2024-03-01"),
    ev("a1b2c3d4", "accepted", "2024-03-02"),
    ev("0000ffff", "received", "2024-03-02", channel="phone"),
    ev("0000ffff", "not_accepted", "2024-03-05", channel="phone"),
    ev("a1b2c3d4", "assigned", "2024-03-03"),
    ev("a1b2c3d4", "finished", "2024-03-20", on_time=True, days_to_finish=18),
    ev("a1b2c3d4", "closed", "2024-03-21"),
]


# --- pseudonym --------------------------------------------------------------------------


def test_pseudonym_is_keyed_short_hex_and_stable() -> None:
    code = new_code()
    p = pseudonym(KEY, code)
    assert p == pseudonym(KEY, code)
    assert len(p) == 16 and all(c in "0123456789abcdef" for c in p)
    assert p != pseudonym(b"j" * 32, code)
    assert p != pseudonym(KEY, new_code())
    # Known answer for the documented construction (domain-separated HMAC-SHA256).
    expected = hmac.new(KEY, b"portal.reports.pseudonym.v1\x00" + code.encode(), "sha256")
    assert p == expected.hexdigest()[:16]
    # Not simply a hash of the id: without the key it cannot be recomputed.
    assert p not in hashlib.sha256(code.encode()).hexdigest()


def test_pseudonym_refuses_weak_keys() -> None:
    with pytest.raises(ValueError):
        pseudonym(b"short", "x")
    with pytest.raises(ValueError):
        pseudonym("k" * 32, "x")  # type: ignore[arg-type]


def test_pseudonyms_do_not_collide_in_practice() -> None:
    ids = [f"report-{i}" for i in range(20000)]
    assert len({pseudonym(KEY, i) for i in ids}) == len(ids)


# --- schema -----------------------------------------------------------------------------


def test_make_event_uses_china_date() -> None:
    # 17:00 UTC on 31 March is 1 April in China.
    e = make_event(
        case="a1b2c3d4",
        event=EventType.RECEIVED,
        at=datetime(2024, 3, 31, 17, 0, tzinfo=UTC),
        category="air",
        county="xinlin",
        channel=Channel.OPEN311,
    )
    assert e == {
        "case": "a1b2c3d4",
        "event": "received",
        "date": "2024-04-01",
        "category": "air",
        "county": "xinlin",
        "channel": "open311",
    }
    assert type(e["event"]) is str and type(e["channel"]) is str


def test_make_event_finished_fields() -> None:
    at = datetime(2024, 3, 31, tzinfo=UTC)
    base = {"case": "a1b2c3d4", "at": at, "category": "c", "county": "x", "channel": "web"}
    e = make_event(event="finished", on_time=False, days_to_finish=61, **base)  # type: ignore[arg-type]
    assert e["on_time"] is False and e["days_to_finish"] == 61
    with pytest.raises(EventError) as exc:
        make_event(event="finished", **base)  # type: ignore[arg-type]
    assert exc.value.code == "missing_field"
    with pytest.raises(EventError) as exc:
        make_event(event="accepted", on_time=True, days_to_finish=1, **base)  # type: ignore[arg-type]
    assert exc.value.code == "unexpected_field"


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"case": new_code()}, "invalid_field", "case"),  # a tracking code must never leak
        ({"case": "ABCDEF12"}, "invalid_field", "case"),
        ({"case": "abc"}, "invalid_field", "case"),
        ({"event": "deleted"}, "invalid_field", "event"),
        ({"date": "2024-02-30"}, "invalid_field", "date"),
        ({"date": "2024-3-1"}, "invalid_field", "date"),
        ({"category": ""}, "invalid_field", "category"),
        ({"category": " air"}, "invalid_field", "category"),
        ({"county": "a\nb"}, "invalid_field", "county"),
        ({"county": "a\u2028b"}, "invalid_field", "county"),
        ({"channel": "email"}, "invalid_field", "channel"),
        ({"reporter": "张三"}, "unexpected_field", "reporter"),
        ({"prev": GENESIS}, "unexpected_field", "prev"),
    ],
)
def test_schema_rejections(change: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(EventError) as exc:
        validate_event({**EVENTS[0], **change})
    assert (exc.value.code, exc.value.field) == (code, field)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"on_time": 1}, "on_time"),
        ({"days_to_finish": -1}, "days_to_finish"),
        ({"days_to_finish": 3.0}, "days_to_finish"),
        ({"days_to_finish": False}, "days_to_finish"),
    ],
)
def test_finished_field_types(change: dict[str, object], field: str) -> None:
    with pytest.raises(EventError) as exc:
        validate_event({**EVENTS[5], **change})
    assert exc.value.field == field


def test_missing_fields() -> None:
    for name in ("case", "event", "date", "category", "county", "channel"):
        with pytest.raises(EventError) as exc:
            validate_event({k: v for k, v in EVENTS[0].items() if k != name})
        assert (exc.value.code, exc.value.field) == ("missing_field", name)


def test_event_for_every_action() -> None:
    assert set(EVENT_FOR_ACTION) == set(Action)
    assert EVENT_FOR_ACTION[Action.CONCLUDE_REVIEW] is EventType.REVIEW_FINISHED
    assert EVENT_FOR_ACTION[Action.AUTO_CLOSE] is EVENT_FOR_ACTION[Action.RATE]


# --- serialisation and chain ------------------------------------------------------------


def test_chain_format() -> None:
    lines = chain(EVENTS)
    assert len(lines) == len(EVENTS)
    prev = "0" * 64
    for line, event in zip(lines, EVENTS, strict=True):
        expected = json.dumps(
            {**event, "prev": prev}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        assert line == expected
        assert "\n" not in line
        prev = hashlib.sha256(line.encode("utf-8")).hexdigest()
    assert lines[0].startswith('{"case":"a1b2c3d4","category":"水污染","channel":"web",')
    assert lines[0].endswith(f',"prev":"{GENESIS}"}}')
    assert head(lines) == prev == line_hash(lines[-1])
    assert head([]) == GENESIS


def test_chain_is_deterministic_and_validates() -> None:
    assert chain(EVENTS) == chain([dict(reversed(list(e.items()))) for e in EVENTS])
    with pytest.raises(EventError):
        chain([*EVENTS, {**EVENTS[0], "note": "x"}])
    assert chain([]) == []


def test_verify_good_log() -> None:
    lines = chain(EVENTS)
    assert verify_chain(lines) is None
    assert verify_chain(lines, expected_head=head(lines)) is None
    assert verify_chain([]) is None
    assert verify_chain([], expected_head=GENESIS) is None
    # As read back from a file: bytes, with terminators, optionally CRLF.
    data = ("\n".join(lines) + "\n").encode("utf-8")
    assert verify_chain(data.split(b"\n")) is None
    assert verify_chain(data.decode().splitlines(keepends=True)) is None
    assert verify_chain([line + "\r\n" for line in lines]) is None


def _tamper(line: str) -> str:
    obj = json.loads(line)
    obj["county"] = "huzhong" if obj["county"] != "huzhong" else "xinlin"
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_tampering_any_line_is_detected() -> None:
    lines = chain(EVENTS)
    anchor = head(lines)
    for i in range(len(lines)):
        bad = [*lines]
        bad[i] = _tamper(bad[i])
        assert verify_chain(bad) == (i + 1 if i + 1 < len(lines) else None)
        # With the published head even the last line is covered.
        assert verify_chain(bad, expected_head=anchor) == min(i + 1, len(lines) - 1)


def test_tampering_prev_or_format_is_detected() -> None:
    lines = chain(EVENTS)
    for i, bad_line in [
        (0, lines[0].replace(GENESIS, "1" + GENESIS[1:])),
        (2, lines[2].replace(",", ", ", 1)),  # same data, not canonical
        (3, lines[3][:-1]),  # broken JSON
        (4, "[]"),
        (1, ""),  # blank line in the middle
    ]:
        bad = [*lines]
        bad[i] = bad_line
        assert verify_chain(bad) == i
    assert verify_chain([*lines[:3], b"\xff\xfe", *lines[4:]]) == 3


def test_deletion_is_detected() -> None:
    lines = chain(EVENTS)
    anchor = head(lines)
    for i in range(len(lines) - 1):
        assert verify_chain(lines[:i] + lines[i + 1 :]) == i
    # Cutting off the end is invisible to the chain itself, but not to the head.
    assert verify_chain(lines[:-1]) is None
    assert verify_chain(lines[:-1], expected_head=anchor) == len(lines) - 2
    assert verify_chain([], expected_head=anchor) == 0


def test_reordering_and_duplication_are_detected() -> None:
    lines = chain(EVENTS)
    for i in range(len(lines) - 1):
        swapped = [*lines]
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        assert verify_chain(swapped) == i
    assert verify_chain([*lines[:3], lines[2], *lines[3:]]) == 3
    assert verify_chain(list(reversed(lines))) == 0


def test_rewritten_history_needs_the_head() -> None:
    # Someone rewriting an event and re-chaining everything after it produces a
    # self-consistent log; only the previously published head exposes it.
    lines = chain(EVENTS)
    forged_events = [dict(e) for e in EVENTS]
    forged_events[3]["event"] = "accepted"
    forged = chain(forged_events)
    assert verify_chain(forged) is None
    assert verify_chain(forged, expected_head=head(lines)) == len(lines) - 1


def test_append_continues_the_chain() -> None:
    first = chain(EVENTS[:3])
    rest = chain(EVENTS[3:], prev=head(first))
    assert first + rest == chain(EVENTS)
    assert verify_chain(first + rest, expected_head=head(rest)) is None
    assert verify_chain(rest, prev=head(first)) is None
    assert verify_chain(rest) == 0


def test_events_round_trip() -> None:
    lines = chain(EVENTS)
    assert events_from_lines(lines) == EVENTS
    assert events_from_lines(("\n".join(lines) + "\n").encode().split(b"\n")) == EVENTS
    with pytest.raises(EventError):
        events_from_lines(["[1]"])
