"""Public statistics, recomputed by anyone from the published, hash-chained event log."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from portal.reports import eventlog, stats
from portal.reports.models import Report
from tests.reports_support import fast_reports, submit_report  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_reports")


def _handle(client, login_as, db):
    report = db.session.scalars(sa.select(Report).where(Report.category == "water")).one()
    login_as("report_handler")
    for action, data in [
        ("accept", {}),
        ("assign", {"assignee": "songling"}),
        ("start_investigation", {}),
        ("finish", {"outcome": "violation_found", "action_taken": "罚款"}),
    ]:
        form = {
            "action": action,
            f"{action}-public_note": "说明",
            **{f"{action}-{k}": v for k, v in data.items()},
        }
        assert client.post(f"/admin/reports/{report.case}/act", data=form).status_code == 303
    client.post("/admin/logout")
    return report


def test_published_figures_are_recomputed_from_the_event_log_alone(client, db, login_as):
    submit_report(client)
    submit_report(client, category="air", county="mohe")
    _handle(client, login_as, db)
    log = client.get("/reports/events.jsonl")
    assert log.status_code == 200 and log.mimetype == "application/jsonl"
    lines = log.get_data(as_text=True).splitlines()
    head = client.get("/reports/events.head").get_data(as_text=True).strip()
    assert eventlog.verify_chain(lines, expected_head=head) is None
    assert eventlog.verify_chain(lines[:-1], expected_head=head) is not None  # truncation shows
    recomputed = [r.as_dict() for r in stats.compute(eventlog.events_from_lines(lines))]
    published = client.get("/reports/stats.json").get_json()
    assert published == recomputed
    total = next(
        r
        for r in published
        if r["month"] is None
        and r["category"] is None
        and r["county"] is None
        and r["channel"] is None
    )
    assert total["received"] == 2 and total["finished"] == 1 and total["finished_on_time"] == 1
    page = client.get("/reports/stats").get_data(as_text=True)
    assert head in page and "<svg" in page and "<table" in page and 'style="' not in page


def test_event_log_holds_no_tracking_codes_or_free_text(client, db, login_as):
    code = submit_report(client)
    report = _handle(client, login_as, db)
    body = client.get("/reports/events.jsonl").get_data(as_text=True)
    assert code not in body and "罚款" not in body and "说明" not in body
    assert report.case in body


def test_statistics_download_as_csv(client):
    submit_report(client)
    response = client.get("/reports/stats.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) > 1
    assert client.get("/reports/stats.exe").status_code == 404


def test_stats_page_is_cacheable_and_answers_304(client):
    submit_report(client)
    first = client.get("/reports/stats")
    assert first.headers["ETag"] and "public" in first.headers["Cache-Control"]
    again = client.get("/reports/stats", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_home_page_invites_reports_and_summarises_handling(client):
    submit_report(client)
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "/reports/new" in html and "1 reports received" in html
