"""Retry policy, a pure function: exponential backoff with a ceiling."""

from __future__ import annotations

import datetime as dt


def next_attempt(
    now: dt.datetime, attempts: int, base_seconds: int, max_seconds: int
) -> dt.datetime:
    """When to try again after `attempts` failed tries: base, 2·base, 4·base, … ≤ max."""
    delay = min(base_seconds * 2 ** max(attempts - 1, 0), max_seconds)
    return now + dt.timedelta(seconds=delay)
