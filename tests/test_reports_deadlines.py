"""Late reports in the public figures: deadline events in the log, overdue counts, on-time
rate over limits reached, the JSON sums and the officials' queue agreeing."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
import sqlalchemy as sa

from portal.reports import eventlog, service, stats
from portal.reports.models import Report, ReportEvent
from portal.reports.workflow import CHINA_TZ
from tests.reports_support import age_report, fast_reports, submit_report  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_reports")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=CHINA_TZ)


def received(day: str, county: str = "songling", category: str = "water") -> Report:
    data = service.Submission(category=category, county=county, place="河边", description="油膜")
    report, _ = service.submit(
        data, submission_id=secrets.token_hex(8), received_at=at(day), channel="phone"
    )
    return report


def step(report: Report, action: str, day: str, **data: object) -> None:
    service.act(report, action, public_note="", at=at(day), **data)


def finish(report: Report, accepted: str, finished: str) -> None:
    step(report, "accept", accepted)
    step(report, "assign", accepted, assignee=report.county)
    step(report, "start_investigation", accepted)
    step(report, "finish", finished, outcome="no_violation", action_taken="核查")


def region_months(rows: list[dict]) -> list[dict]:
    return [
        r
        for r in rows
        if r["month"] and r["category"] is None and r["county"] is None and r["channel"] is None
    ]


def row(rows: list[dict], month=None, category=None, county=None, channel=None) -> dict:
    key = (month, category, county, channel)
    (found,) = [r for r in rows if (r["month"], r["category"], r["county"], r["channel"]) == key]
    return found


@pytest.fixture
def late_and_on_time(db):
    on_time = received("2026-06-01")
    finish(on_time, "2026-06-02", "2026-06-20")  # within every limit
    unfinished = received("2026-08-01")
    step(unfinished, "accept", "2026-08-02")  # finishing limit 2026-10-01, never finished
    waiting = received("2026-10-20", county="mohe")  # acceptance limit 2026-11-04, waits
    late_accept = received("2026-07-01")
    finish(late_accept, "2026-07-20", "2026-07-25")  # accepted after the 2026-07-16 limit
    return {"on_time": on_time, "unfinished": unfinished, "waiting": waiting, "late": late_accept}


def test_report_unaccepted_past_15_days_counts_as_overdue_where_and_when_it_fell_due(
    client, late_and_on_time
):
    rows = client.get("/reports/stats.json").get_json()
    # Received in October in Mohe; its acceptance limit (4 November) fell due in November.
    november_mohe = row(rows, "2026-11", None, "mohe")
    assert november_mohe["overdue_accept_open"] == 1 and november_mohe["overdue_open"] == 1
    assert november_mohe["received"] == 0
    assert row(rows, "2026-10", None, "mohe")["overdue_open"] == 0
    assert row(rows, "2026-10", None, "mohe")["received"] == 1
    # The accepted, never finished report: its finishing limit fell due on 1 October.
    assert row(rows, "2026-10", None, "songling")["overdue_finish_open"] == 1


def test_on_time_rate_is_taken_over_every_report_whose_limit_has_come(client, late_and_on_time):
    rows = client.get("/reports/stats.json").get_json()
    total = row(rows)
    # Four reports reached a limit: one finished in time, one finished in time after a late
    # acceptance, two still open past a limit. Only the first kept every limit.
    assert (total["deadline_passed"], total["deadline_met"]) == (4, 1)
    assert total["on_time_rate"] == 0.25
    assert total["finished"] == 2 and total["finished_on_time"] == 2  # the old, rosy figure
    assert row(rows, "2026-06")["on_time_rate"] == 1.0
    assert row(rows, "2026-07")["deadline_passed"] == 1
    assert row(rows, "2026-07")["on_time_rate"] == 0.0  # the late acceptance, in July
    assert total["median_days_to_accept"] == 1.0  # days 1, 1, 19
    assert total["mean_days_to_accept"] == pytest.approx(21 / 3)


def test_json_sums_match_the_region_totals_and_the_officials_queue(
    client, db, late_and_on_time, login_as
):
    rows = client.get("/reports/stats.json").get_json()
    months = region_months(rows)
    total = row(rows)
    for name in ("received", "finished", "deadline_passed", "deadline_met", "overdue_open"):
        assert sum(r[name] for r in months) == total[name], name
    assert total["overdue_open"] == 2
    login_as("report_handler")
    queue = client.get("/admin/reports/?state=open&overdue=1").get_data(as_text=True)
    flagged = len(re.findall(r"verdict-bad", queue))
    assert flagged == total["overdue_open"]


def test_deadline_events_appear_without_a_worker_once_each_and_carry_nothing_personal(
    client, db, late_and_on_time
):
    def deadline_lines() -> list[dict]:
        body = client.get("/reports/events.jsonl").get_data(as_text=True)
        return [
            e for e in eventlog.events_from_lines(body.splitlines()) if "deadline" in e["event"]
        ]

    first = deadline_lines()
    client.get("/reports/stats")
    client.get("/")
    assert deadline_lines() == first  # reading again adds nothing
    assert sorted((e["event"], e["date"]) for e in first) == [
        ("accept_deadline_passed", "2026-07-16"),
        ("accept_deadline_passed", "2026-11-04"),
        ("finish_deadline_passed", "2026-10-01"),
    ]
    assert set(first[0]) == {"case", "event", "date", "category", "county", "channel"}
    keys = db.session.scalars(sa.select(ReportEvent.key).where(ReportEvent.key.is_not(None)))
    assert len(list(keys)) == 3


def test_late_step_records_the_missed_limit_before_itself(db):
    report = received("2026-07-01")
    step(report, "accept", "2026-07-20")
    events = eventlog.events_from_lines(service.event_lines())
    mine = [e["event"] for e in events if e["case"] == report.case]
    assert mine == ["received", "accept_deadline_passed", "accepted"]


def test_close_due_job_appends_the_deadline_events(runner, db):
    report = received("2026-10-20")
    assert not any("deadline" in line for line in service.event_lines())
    result = runner.invoke(args=["reports", "close-due"])
    assert result.exit_code == 0, result.output
    lines = service.event_lines()
    assert sum("accept_deadline_passed" in line for line in lines) == 1
    assert report.case in lines[-1]
    assert runner.invoke(args=["reports", "close-due"]).exit_code == 0
    assert service.event_lines() == lines


def test_month_on_month_and_year_on_year_changes(db):
    log = [
        {
            "case": f"{i:08x}",
            "event": "received",
            "date": day,
            "category": "water",
            "county": "mohe",
            "channel": "web",
        }
        for i, day in enumerate(
            ["2025-03-02", "2026-02-01", "2026-02-05", "2026-03-01", "2026-03-02", "2026-03-03"]
        )
    ]
    rows = stats.compute(log)
    march = next(r for r in rows if r.month == "2026-03" and r.county is None)
    assert march.received_mom == 0.5  # 3 against 2
    assert march.received_yoy == 2.0  # 3 against 1
    february = next(r for r in rows if r.month == "2026-02" and r.county is None)
    assert february.received_mom is None  # nothing in January to compare with


def test_statistics_page_and_home_label_the_late_figures(client, late_and_on_time):
    page = client.get("/reports/stats", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Open past the acceptance limit" in page and "On-time rate" in page
    assert "25.0%" in page and "1 of the 4 reports whose time limit has come" in page
    zh = client.get("/reports/stats").get_data(as_text=True)
    assert "按期办结率" in zh
    home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "On-time rate 25.0%" in home and "2 open past a time limit" in home
    header = client.get("/reports/stats.csv").get_data(as_text=True).splitlines()[0]
    for name in ("deadline_passed", "overdue_open", "on_time_rate", "received_yoy"):
        assert name in header


def test_the_owed_deadline_events_of_a_large_region_are_found_in_slices(client, db):
    """At a region's real volume every open report owes a deadline event; looking them all
    up at once overflowed the driver's bound-parameter limit (65,535 on PostgreSQL, 32,766
    on SQLite): the home page and the statistics answered 503 with 100,000 reports
    (`make bench`)."""
    from portal.reports import eventstore

    submit_report(client)
    age_report(db, 20)  # past the 15-day acceptance limit
    assert service.flag_missed_deadlines() == 1
    logged = db.session.scalars(sa.select(ReportEvent.key)).all()
    (key,) = [k for k in logged if k and k.startswith("accept_deadline_passed:")]
    event = eventlog.make_event(
        case="0" * 16, event="accept_deadline_passed", at=dt.date(2026, 1, 1),
        category="water", county="mohe", channel="web",
    )  # fmt: skip
    many = [(f"accept_deadline_passed:{n:016x}", event) for n in range(70_000)]
    todo = eventstore.owed([*many, (key, event)])
    assert len(todo) == 70_000 and key not in {k for k, _ in todo}


def test_a_read_after_the_deadline_events_are_logged_rechecks_no_report(client, db, monkeypatch):
    """Every statistics or log read looks for owed deadline events: once a report's is in
    the log, the database leaves that report out, so a read costs one query however many
    reports are overdue (at 100,000 the home page took longer than wrk's 10 s before)."""
    from portal.reports import eventstore

    submit_report(client)
    age_report(db, 20)
    checked = []
    real = eventstore.missed_deadline

    def counting(*args, **kwargs):
        checked.append(args[0].case)
        return real(*args, **kwargs)

    monkeypatch.setattr(eventstore, "missed_deadline", counting)
    assert service.flag_missed_deadlines() == 1 and len(checked) == 1
    assert service.flag_missed_deadlines() == 0 and len(checked) == 1
