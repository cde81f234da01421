"""China time: dates the law counts are China-calendar dates of UTC instants."""

import datetime as dt

import pytest

from portal.core import clock


def test_a_utc_evening_is_already_the_next_day_in_china():
    moment = dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC)
    assert clock.china_date(moment) == dt.date(2026, 4, 1)
    assert clock.china_date(moment - dt.timedelta(minutes=31)) == dt.date(2026, 3, 31)


def test_wall_clock_time_typed_in_china_becomes_utc():
    assert clock.from_china_local(dt.datetime(2026, 7, 1, 9, 0)) == dt.datetime(
        2026, 7, 1, 1, 0, tzinfo=dt.UTC
    )


def test_a_china_day_starts_at_16_00_utc_the_day_before():
    assert clock.start_of_china_day(dt.date(2026, 1, 1)) == dt.datetime(
        2025, 12, 31, 16, 0, tzinfo=dt.UTC
    )


def test_a_naive_datetime_is_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        clock.china_date(dt.datetime(2026, 1, 1))
