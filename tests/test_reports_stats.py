"""Tests for portal.reports.stats: figures recomputed from the event log by hand."""

from __future__ import annotations

import json

import pytest

from portal.reports.eventlog import EventError, chain, events_from_lines
from portal.reports.stats import DIMENSIONS, FIELDS, Row, compute


def ev(case: str, event: str, day: str, **kw: object) -> dict[str, object]:
    out: dict[str, object] = {
        "case": case,
        "event": event,
        "date": day,
        "category": "water",
        "county": "songling",
        "channel": "web",
    }
    out.update(kw)
    return out


def fin(case: str, day: str, days: int, on_time: bool = True, **kw: object) -> dict[str, object]:
    return ev(case, "finished", day, on_time=on_time, days_to_finish=days, **kw)


C1, C2, C3, C4, C5, C6, C7 = (f"{i:08x}" for i in range(1, 8))
XL = {"county": "xinlin"}
AIR_PHONE = {"category": "air", "channel": "phone"}
O311 = {"channel": "open311"}

# A small log, in publication order.
LOG = [
    ev(C6, "received", "2024-01-01"),
    ev(C6, "accepted", "2024-01-02"),
    ev(C1, "received", "2024-03-01"),
    ev(C1, "received", "2024-03-01"),  # accidentally published twice: counted once
    ev(C1, "accepted", "2024-03-02"),
    ev(C2, "received", "2024-03-03"),
    ev(C2, "accepted", "2024-03-04"),
    ev(C3, "received", "2024-03-05", **AIR_PHONE),
    ev(C3, "not_accepted", "2024-03-06", **AIR_PHONE),
    ev(C4, "received", "2024-03-10"),
    ev(C4, "duplicate", "2024-03-11"),
    fin(C6, "2024-03-10", 68, on_time=False),
    ev(C5, "received", "2024-03-15", **XL),
    ev(C5, "accepted", "2024-03-16", **XL),
    ev(C1, "assigned", "2024-03-03"),
    fin(C1, "2024-03-20", 18),
    ev(C7, "received", "2024-03-20", **O311),
    ev(C7, "accepted", "2024-03-21", **O311),
    ev(C1, "disputed", "2024-03-25"),
    ev(C1, "under_review", "2024-03-26"),
    fin(C2, "2024-03-31", 27),
    fin(C5, "2024-04-02", 17, **XL),
    ev(C1, "review_finished", "2024-04-05"),  # re-finish after review: not a new finish
    fin(C2, "2024-04-06", 99),  # a second "finished" for C2: ignored
    fin(C7, "2024-04-10", 20, **O311),
    ev(C7, "disputed", "2024-04-15", **O311),
    ev(C2, "closed", "2024-04-20"),
]


def find(rows: list[Row], *key: str | None) -> Row:
    matches = [r for r in rows if (r.month, r.category, r.county, r.channel) == key]
    assert len(matches) == 1, key
    return matches[0]


def figures(row: Row) -> tuple[object, ...]:
    return (
        row.received,
        row.accepted,
        row.not_accepted,
        row.duplicate,
        row.finished,
        row.finished_on_time,
        row.median_days_to_finish,
        row.disputed_share,
    )


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return compute(LOG)


# Hand-computed: (received, accepted, not_accepted, duplicate, finished, on_time, median, share)
EXPECTED = {
    # March, water/songling/web: received C1 C2 C4; accepted C1 C2; duplicate C4;
    # finished C6 (68, late), C1 (18), C2 (27) -> median 27; C1 disputed -> 1/3.
    ("2024-03", "water", "songling", "web"): (3, 2, 0, 1, 3, 2, 27.0, 1 / 3),
    ("2024-03", "air", "songling", "phone"): (1, 0, 1, 0, 0, 0, None, None),
    ("2024-03", "water", "xinlin", "web"): (1, 1, 0, 0, 0, 0, None, None),
    ("2024-03", "water", "songling", "open311"): (1, 1, 0, 0, 0, 0, None, None),
    ("2024-01", "water", "songling", "web"): (1, 1, 0, 0, 0, 0, None, None),
    ("2024-04", "water", "xinlin", "web"): (0, 0, 0, 0, 1, 1, 17.0, 0.0),
    ("2024-04", "water", "songling", "open311"): (0, 0, 0, 0, 1, 1, 20.0, 1.0),
    # April total: C5 (17) and C7 (20): even count -> (17 + 20) / 2; C7 disputed.
    ("2024-04", None, None, None): (0, 0, 0, 0, 2, 2, 18.5, 0.5),
    # March total: C1 C2 C3 C4 C5 C7 received; C1 C2 C5 C7 accepted.
    ("2024-03", None, None, None): (6, 4, 1, 1, 3, 2, 27.0, 1 / 3),
    # Web channel, all months: finished 17, 18, 27, 68 -> median (18 + 27) / 2.
    # (received C6 C1 C2 C4 C5; accepted C6 C1 C2 C5.)
    (None, "water", None, "web"): (5, 4, 0, 1, 4, 3, 22.5, 0.25),
    # Songling, everything: finished 18, 20, 27, 68 -> 23.5; disputed C1, C7 -> 2/4.
    (None, None, "songling", None): (6, 4, 1, 1, 4, 3, 23.5, 0.5),
    # Grand total: finished 17, 18, 20, 27, 68 -> 20; disputed C1, C7 -> 2/5.
    (None, None, None, None): (7, 5, 1, 1, 5, 4, 20.0, 0.4),
    (None, "air", None, None): (1, 0, 1, 0, 0, 0, None, None),
}


@pytest.mark.parametrize(("key", "expected"), list(EXPECTED.items()), ids=str)
def test_hand_computed_figures(
    rows: list[Row], key: tuple[str | None, ...], expected: tuple[object, ...]
) -> None:
    got = figures(find(rows, *key))
    assert got[:7] == expected[:7]
    if expected[7] is None:
        assert got[7] is None
    else:
        assert got[7] == pytest.approx(expected[7])


def test_median_even_and_odd_counts() -> None:
    base = [fin(f"{i:08x}", "2024-05-01", d) for i, d in enumerate([10, 2, 7, 4], start=100)]
    assert find(compute(base), None, None, None, None).median_days_to_finish == 5.5
    assert find(compute(base[:3]), None, None, None, None).median_days_to_finish == 7.0
    one = find(compute(base[:1]), None, None, None, None)
    assert one.median_days_to_finish == 10.0
    assert isinstance(one.median_days_to_finish, float)


def test_every_rollup_of_a_record_is_present(rows: list[Row]) -> None:
    # Month, category, county, channel each kept or rolled up: 16 rows include C3's record.
    c3 = [r for r in rows if r.not_accepted == 1]
    assert len(c3) == 16
    assert {(r.month, r.category, r.county, r.channel) for r in c3} == {
        (m, c, k, ch)
        for m in ("2024-03", None)
        for c in ("air", None)
        for k in ("songling", None)
        for ch in ("phone", None)
    }


def test_totals_are_consistent(rows: list[Row]) -> None:
    # Counts of detailed rows add up to the grand total (medians and shares cannot).
    detailed = [r for r in rows if None not in (r.month, r.category, r.county, r.channel)]
    total = find(rows, None, None, None, None)
    for name in ("received", "accepted", "not_accepted", "duplicate", "finished"):
        assert sum(getattr(r, name) for r in detailed) == getattr(total, name)


def test_order_and_shape(rows: list[Row]) -> None:
    assert FIELDS[:4] == DIMENSIONS
    assert rows[-1] == find(rows, None, None, None, None)
    assert rows[0].month == "2024-01"
    months = [r.month for r in rows]
    assert months == sorted(months, key=lambda m: (m is None, m or ""))
    assert list(rows[0].as_dict()) == list(FIELDS)
    json.dumps([r.as_dict() for r in rows])  # serialisable as published


def test_recomputable_from_published_lines() -> None:
    lines = chain(LOG)
    assert compute(events_from_lines(lines)) == compute(LOG)
    # Records straight from the lines, prev included, are accepted too.
    assert compute(json.loads(line) for line in lines) == compute(LOG)


def test_empty_and_uncounted_logs() -> None:
    assert compute([]) == []
    assert compute([ev(C1, "assigned", "2024-03-03"), ev(C1, "closed", "2024-03-09")]) == []


def test_dispute_without_finish_in_group_has_no_share() -> None:
    rows = compute([ev(C1, "received", "2024-06-01"), ev(C1, "disputed", "2024-06-09")])
    assert find(rows, "2024-06", "water", "songling", "web").disputed_share is None


def test_rejects_malformed_records() -> None:
    with pytest.raises(EventError):
        compute([{**LOG[0], "reporter": "张三"}])
    with pytest.raises(EventError):
        compute([ev(C1, "finished", "2024-03-01")])  # finished without its fields


# Deadlines, from the log alone. D1 finished within its limits; D2 accepted late, then
# finished in time; D3 still awaits acceptance; D4 past its finishing limit, finished late;
# D5 past its finishing limit and still open.
D1, D2, D3, D4, D5 = (f"{i:08x}" for i in range(11, 16))
MOHE = {"county": "mohe"}
DEADLINE_LOG = [
    ev(D1, "received", "2024-01-02"),
    ev(D1, "accepted", "2024-01-04"),
    fin(D1, "2024-02-10", 37),
    ev(D2, "received", "2024-01-10"),
    ev(D2, "accept_deadline_passed", "2024-01-25"),
    ev(D2, "accepted", "2024-01-30"),
    fin(D2, "2024-02-20", 21),
    ev(D3, "received", "2024-01-20", **MOHE),
    ev(D3, "accept_deadline_passed", "2024-02-04", **MOHE),
    ev(D4, "received", "2024-01-01"),
    ev(D4, "accepted", "2024-01-02"),
    ev(D4, "finish_deadline_passed", "2024-03-02"),
    fin(D4, "2024-03-09", 67, on_time=False),
    ev(D5, "received", "2024-01-03"),
    ev(D5, "accepted", "2024-01-05"),
    ev(D5, "finish_deadline_passed", "2024-03-05"),
]


def test_deadline_figures_from_the_log_alone() -> None:
    rows = compute(DEADLINE_LOG)
    total = find(rows, None, None, None, None)
    assert (total.deadline_passed, total.deadline_met) == (5, 1)
    assert total.on_time_rate == 0.2
    assert (total.overdue_accept_open, total.overdue_finish_open, total.overdue_open) == (1, 1, 2)
    # D3 is overdue in February (its limit's month) and in Mohe, not in January.
    assert find(rows, "2024-02", None, "mohe", None).overdue_accept_open == 1
    assert find(rows, "2024-01", None, "mohe", None).overdue_open == 0
    # D2 counts against January, the month of the limit it missed; D1 for February.
    january = find(rows, "2024-01", None, None, None)
    assert (january.deadline_passed, january.deadline_met) == (1, 0)
    february = find(rows, "2024-02", None, None, None)
    assert (february.deadline_passed, february.deadline_met, february.on_time_rate) == (2, 1, 0.5)
    # D4 was finished after its limit: no longer open, still a missed limit in March.
    march = find(rows, "2024-03", None, None, None)
    assert (march.deadline_passed, march.overdue_finish_open) == (2, 1)
    # Days to accept: D1 2, D2 20, D4 1, D5 2 -> median 2, mean 25 / 4.
    assert total.median_days_to_accept == 2.0 and total.mean_days_to_accept == 6.25
    assert total.mean_days_to_finish == pytest.approx((37 + 21 + 67) / 3)
    months = [r for r in rows if r.month and r.category is None and r.county is None]
    months = [r for r in months if r.channel is None]
    for name in ("deadline_passed", "deadline_met", "overdue_open", "received"):
        assert sum(getattr(r, name) for r in months) == getattr(total, name)
