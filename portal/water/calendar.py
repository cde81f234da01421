"""The publication calendar (pure): when a quarter ends, when its results are due, and
which quarters of a county are overdue.  Dates are China dates; a quarter is overdue
from the day after its due date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from portal.core.clock import CHINA


def parse(quarter: str) -> tuple[int, int]:
    return int(quarter[:4]), int(quarter[-1])


def label(year: int, q: int) -> str:
    return f"{year}Q{q}"


def quarter_of(day: dt.date) -> str:
    return label(day.year, (day.month - 1) // 3 + 1)


def next_quarter(quarter: str) -> str:
    year, q = parse(quarter)
    return label(year + q // 4, q % 4 + 1)


def quarter_end(quarter: str) -> dt.date:
    year, q = parse(quarter)
    first_of_next = dt.date(year + q // 4, (q % 4) * 3 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def due_date(quarter: str, days: int) -> dt.date:
    """The last day on which publishing the quarter is on time."""
    return quarter_end(quarter) + dt.timedelta(days=days)


def overdue_from(quarter: str, days: int) -> dt.datetime:
    """The moment (UTC) the quarter turns overdue: midnight China time after its due date."""
    day = due_date(quarter, days) + dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(dt.UTC)


def china_today(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA).date()


def quarters_between(first: str, last: str) -> Iterator[str]:
    q = first
    while q <= last:
        yield q
        q = next_quarter(q)


def last_due(now: dt.datetime, days: int) -> str:
    """The newest quarter whose due date has passed at ``now``."""
    q = quarter_of(china_today(now))
    while overdue_from(q, days) > now:
        year, n = parse(q)
        q = label(year - 1, 4) if n == 1 else label(year, n - 1)
    return q


def overdue(first: str | None, published: Iterable[str], now: dt.datetime, days: int) -> list[str]:
    """Quarters from ``first`` (the calendar's start) through the last one due at ``now``
    that have no publication, oldest first."""
    if first is None:
        return []
    done = set(published)
    return [q for q in quarters_between(first, last_due(now, days)) if q not in done]


def next_due(now: dt.datetime, days: int) -> str:
    """The first quarter not yet due at ``now`` (the next one that can turn overdue)."""
    return next_quarter(last_due(now, days))
