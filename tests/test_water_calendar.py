"""The publication calendar: each county's quarter is due N days after it ends; a quarter
past due and unpublished is marked on the county page, /water/, the home page, the water
officer's pages and the API, and the mark disappears when the quarter is published."""

from __future__ import annotations

import datetime as dt
import io

from portal.water import calendar, queries, service
from tests.water_support import HEADER, SITES, page_text, rows

UTC = dt.UTC


def test_a_quarter_is_due_n_days_after_it_ends_in_china_time():
    assert calendar.quarter_end("2026Q3") == dt.date(2026, 9, 30)
    assert calendar.quarter_end("2026Q4") == dt.date(2026, 12, 31)
    assert calendar.due_date("2026Q3", 30) == dt.date(2026, 10, 30)
    # Overdue from midnight China time after the due date.
    assert calendar.overdue_from("2026Q3", 30) == dt.datetime(2026, 10, 30, 16, tzinfo=UTC)
    just_before = dt.datetime(2026, 10, 30, 15, 59, tzinfo=UTC)
    assert calendar.overdue("2026Q2", ["2026Q2"], just_before, 30) == []
    at = dt.datetime(2026, 10, 30, 16, 0, tzinfo=UTC)
    assert calendar.overdue("2026Q2", ["2026Q2"], at, 30) == ["2026Q3"]
    assert calendar.overdue("2026Q1", ["2026Q2"], at, 30) == ["2026Q1", "2026Q3"]
    assert calendar.next_due(at, 30) == "2026Q4"
    assert calendar.overdue(None, [], at, 30) == []


def mohe_row(html: str) -> str:
    return page_text(next(r for r in html.split("<tr") if "/water/counties/mohe" in r))


def mohe_item(html: str) -> str:
    return page_text(next(r for r in html.split("<li") if "/water/counties/mohe" in r))


def _quarters(now: dt.datetime) -> tuple[str, str]:
    """The newest quarter already due at ``now`` and the one before it."""
    last = calendar.last_due(now, 30)
    year, q = calendar.parse(last)
    prev = calendar.label(year - 1, 4) if q == 1 else calendar.label(year, q - 1)
    return prev, last


def _middle(quarter: str) -> str:
    end = calendar.quarter_end(quarter)
    return f"{end.year}-{end.month - 1:02d}-15T09:30"


def _load_two_quarters() -> tuple[str, str]:
    prev, last = _quarters(dt.datetime.now(UTC))
    assert service.import_sites(io.BytesIO(SITES.encode()), "sites.csv").ok
    data = HEADER
    for quarter in (prev, last):
        data += rows(f"T1-{quarter}", "MH-T1", _middle(quarter), turbidity="0.4|NTU")
        data += rows(f"P1-{quarter}", "MH-P1", _middle(quarter), turbidity="0.3|NTU")
    assert service.import_measurements(io.BytesIO(data.encode()), "r.csv").ok
    service.publish("mohe", prev)
    return prev, last


def _label(quarter: str) -> str:
    return f"{quarter[:4]} Q{quarter[-1]}"


def test_a_quarter_past_due_is_marked_late_and_the_mark_disappears_when_published(
    client, db, login_as
):
    prev, last = _load_two_quarters()
    due = calendar.due_date(last, 30).isoformat()
    mark = f"{_label(last)}: not yet published, due {due}"
    county = page_text(client.get("/water/counties/mohe?lang=en").get_data(as_text=True))
    assert mark in county
    # The verdict shown is named by its quarter and sampling date.
    assert f"{_label(prev)}, sampled {_middle(prev)[:10]}" in county
    overview = client.get("/water/?lang=en").get_data(as_text=True)
    assert mark in mohe_row(overview)
    home = mohe_item(client.get("/?lang=en").get_data(as_text=True))
    assert mark in home and f"{_label(prev)}, sampled" in home
    zh = page_text(client.get("/water/counties/mohe?lang=zh_Hans").get_data(as_text=True))
    assert "逾期未公开" in zh
    api = client.get("/api/v1/water/counties").get_json()
    mohe = next(c for c in api["counties"] if c["county"] == "mohe")
    assert {"quarter": last, "due": due, "status": "not yet published"} in mohe["overdue"]
    assert mohe["latest_quarter"] == prev
    assert mohe["stages"]["tap"]["quarter"] == prev
    assert mohe["stages"]["tap"]["sampled_at"].startswith(_middle(prev)[:10])
    login_as("water_officer", "mohe")
    admin = page_text(client.get("/admin/water/?lang=en").get_data(as_text=True))
    assert mark in admin
    dashboard = page_text(client.get("/admin/?lang=en").get_data(as_text=True))
    assert f"{last}: not yet published (due {due})" in dashboard

    service.publish("mohe", last)
    county = page_text(client.get("/water/counties/mohe?lang=en").get_data(as_text=True))
    assert "not yet published" not in county
    assert f"{_label(last)}, sampled {_middle(last)[:10]}" in county
    overview = client.get("/water/?lang=en").get_data(as_text=True)
    assert "not yet published" not in mohe_row(overview)
    assert "not yet published" in overview  # the counties that never published still are
    assert "not yet published" not in mohe_item(client.get("/?lang=en").get_data(as_text=True))
    api = client.get("/api/v1/water/counties").get_json()
    mohe = next(c for c in api["counties"] if c["county"] == "mohe")
    assert mohe["overdue"] == [] and mohe["latest_quarter"] == last
    # Published after its due date: the quarter says so, in the page and the API.
    quarter = page_text(client.get(f"/water/quarters/mohe/{last}?lang=en").get_data(as_text=True))
    assert f"due by {due}" in quarter and "(published late)" in quarter
    assert client.get(f"/api/v1/water/quarters/mohe/{last}").get_json()["published_late"] is True
    assert f"{last}: not yet published" not in page_text(
        client.get("/admin/?lang=en").get_data(as_text=True)
    )


def test_the_setting_moves_the_due_date(app_factory):
    app = app_factory(WATER_PUBLICATION_DUE_DAYS=45)
    with app.app_context():
        from portal.water import overdue

        assert overdue.due_days() == 45
        cal = overdue.county_calendars(dt.datetime(2026, 11, 1, tzinfo=UTC))["mohe"]
        assert cal.next.due == calendar.due_date(cal.next.quarter, 45)


def test_next_change_is_when_the_next_mark_flips(db):
    _, last = _load_two_quarters()
    service.publish("mohe", last)
    now = dt.datetime.now(UTC)
    upcoming = calendar.next_due(now, 30)
    # Every county lacks the upcoming quarter: it flips at its overdue moment, unless an
    # explanation falls due first (none here: every sample complies).
    assert queries.next_change(now) == calendar.overdue_from(upcoming, 30)
    assert queries.next_change(now) > now
