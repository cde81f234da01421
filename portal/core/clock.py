"""China time, the one way: timestamps are stored in UTC and every date the public or the
law counts (decision dates, deadlines, quarters, schedules) is a China-calendar date.

China has kept a fixed UTC+8 offset since 1991; a fixed offset needs no tz database.
"""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def china_now() -> dt.datetime:
    return utcnow().astimezone(CHINA)


def china_today() -> dt.date:
    """Today in China, where every decision date and deadline is counted."""
    return china_now().date()


def china_date(moment: dt.datetime) -> dt.date:
    """The China-calendar date of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("china_date needs an aware datetime")
    return moment.astimezone(CHINA).date()


def from_china_local(naive: dt.datetime) -> dt.datetime:
    """A wall-clock time typed in China (a form field, a lab sheet) → aware UTC."""
    if naive.tzinfo is not None:
        return naive.astimezone(dt.UTC)
    return naive.replace(tzinfo=CHINA).astimezone(dt.UTC)


def start_of_china_day(day: dt.date) -> dt.datetime:
    """The UTC instant at which the China-calendar `day` begins."""
    return dt.datetime.combine(day, dt.time(), tzinfo=CHINA).astimezone(dt.UTC)
