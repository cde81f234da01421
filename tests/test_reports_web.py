"""The public report form, its confirmation step, resubmissions, abuse limits and tracking."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.reports import codes
from portal.reports.models import Report, ReportPhoto
from tests.core_support import count_rows
from tests.reports_support import (
    FORM,
    age_report,
    check_step,
    fast_reports,  # noqa: F401 - fixture
    finish_report,
    hidden_fields,
    photo_bytes,
    status_token,
    submit_report,
    token_of,
    track,
)

pytestmark = pytest.mark.usefixtures("fast_reports")


def test_form_works_without_javascript_and_water_comes_first(client):
    page = client.get("/reports/new", headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert 'enctype="multipart/form-data"' in html and "<script" not in html
    assert html.index('value="water"') < html.index('value="air"')
    assert "/pages/privacy" in html


def test_sending_a_report_shows_a_valid_tracking_code_after_a_check_step(client, db):
    checked = check_step(client)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "松岭区甘河大桥下游" in html and count_rows(Report) == 0  # nothing stored yet
    code = submit_report(client)
    assert codes.parse(code) == code
    report = db.session.scalars(sa.select(Report)).one()
    assert report.code == code and report.channel == "web" and report.state == "submitted"
    assert report.anonymous


def test_resubmitting_the_same_form_returns_the_same_code_and_stores_one_report(client, db):
    checked = check_step(client, files=[(photo_bytes(), "a.jpg")])
    fields = {**hidden_fields(checked.get_data(as_text=True)), "go": "send"}
    first = client.post("/reports/new/confirm", data=fields)
    second = client.post("/reports/new/confirm", data=fields)  # double click / back + resend
    assert first.status_code == second.status_code == 303
    code = client.get("/reports/new/received").get_data(as_text=True)
    assert count_rows(Report) == 1 and count_rows(ReportPhoto) == 1
    stored = db.session.scalars(sa.select(Report)).one()
    assert stored.code in code


def test_changing_answers_keeps_attached_photos_and_stores_nothing(client, db):
    checked = check_step(client, files=[(photo_bytes(), "a.jpg")])
    fields = {**hidden_fields(checked.get_data(as_text=True)), "go": "edit"}
    back = client.post("/reports/new/confirm", data=fields)
    assert back.status_code == 200 and count_rows(Report) == 0
    html = back.get_data(as_text=True)
    assert "1" in html and 'name="photos"' in html
    again = {**hidden_fields(html), **FORM, "place": "新地点"}
    rechecked = client.post("/reports/new", data=again, content_type="multipart/form-data")
    final = {**hidden_fields(rechecked.get_data(as_text=True)), "go": "send"}
    assert client.post("/reports/new/confirm", data=final).status_code == 303
    report = db.session.scalars(sa.select(Report)).one()
    assert report.place == "新地点" and len(report.photos) == 1


def test_missing_answers_are_explained_next_to_their_fields(client):
    response = check_step(client, description="", county="", consent="")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in html and 'aria-invalid="true"' in html


def test_wanting_contact_without_phone_or_email_is_refused(client):
    response = check_step(client, anonymous="no", name="某某")
    assert response.status_code == 400


def test_a_point_outside_the_region_is_refused(client):
    assert check_step(client, lat="39.9", lon="116.4").status_code == 400
    assert check_step(client, lat="50.4").status_code == 400  # longitude missing
    assert check_step(client, lat="50.4", lon="124.1").status_code == 200


def test_filled_honeypot_is_refused_and_nothing_is_stored(client):
    assert check_step(client, website="http://spam.example").status_code == 400
    assert count_rows(Report) == 0


def test_a_form_sent_faster_than_a_person_could_is_asked_to_be_resent(client, app):
    app.config["REPORT_MIN_SECONDS"] = 3600
    response = check_step(client)
    assert response.status_code == 400
    assert count_rows(Report) == 0


def test_a_forged_or_missing_token_is_refused(client):
    response = client.post("/reports/new/confirm", data={**FORM, "token": "forged", "go": "send"})
    assert response.status_code == 400 and count_rows(Report) == 0


def test_too_many_reports_get_a_translated_429_with_the_hotline(client, app):
    app.config["REPORT_RATE_LIMIT"] = "2 per hour"
    token = token_of(client.get("/reports/new").get_data(as_text=True))
    statuses = [
        client.post(
            "/reports/new", data={**FORM, "token": token}, headers={"Accept-Language": "zh-CN"}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    html = client.post(
        "/reports/new", data={**FORM, "token": token}, headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)
    assert "12369" in html and "举报" in html


def test_tracking_lookups_are_rate_limited(client, app):
    app.config["TRACK_RATE_LIMIT"] = "2 per hour"
    statuses = [
        client.post("/reports/track", data={"code": codes.new_code()}).status_code for _ in range(3)
    ]
    assert statuses == [404, 404, 429]


def test_a_failed_commit_stores_neither_report_nor_photos(client, app, monkeypatch):
    from portal.reports import service

    checked = check_step(client, files=[(photo_bytes(), "a.jpg")])
    fields = {**hidden_fields(checked.get_data(as_text=True)), "go": "send"}

    def broken(*_a, **_k):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "_append", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.post("/reports/new/confirm", data=fields).status_code == 500
    store = Path(app.config["UPLOAD_DIR"]) / "reports" / "store"
    assert count_rows(Report) == 0
    assert not store.exists() or not any(store.glob("*"))
    monkeypatch.undo()
    # The quarantined photo is still there, so the retry succeeds with it.
    assert client.post("/reports/new/confirm", data=fields).status_code == 303
    assert count_rows(Report) == 1 and count_rows(ReportPhoto) == 1
    assert len(list(store.glob("*"))) == 1


def test_confirmation_mail_is_written_to_the_mail_folder_not_the_log(client, app, db, caplog):
    from portal.delivery import worker
    from portal.delivery.models import Delivery

    code = submit_report(client, anonymous="no", email="reporter@example.org")
    folder = Path(app.config["MAIL_DIR"])
    # The request only queues the mail; the delivery worker sends it.
    assert not folder.exists() or not any(folder.iterdir())
    assert worker.drain()["sent"] == 1
    mails = list(folder.glob("*.eml"))
    assert len(mails) == 1
    assert code in mails[0].read_text() and "reporter@example.org" in mails[0].read_text()
    assert "reporter@example.org" not in caplog.text
    # Once sent, the outbox keeps neither the address nor the text with the code.
    assert db.session.scalar(sa.select(Delivery.address)) is None


# ------------------------------------------------------------------ tracking


def test_tracking_shows_status_deadlines_and_description_without_caching(client):
    code = submit_report(client)
    response = track(client, code.lower().replace("-", " "))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "河面漂着油膜" in html
    assert code not in html  # the page's address is a read-only link: no credential on it


def test_well_formed_unknown_code_is_404_and_typo_is_told(client):
    unknown = client.post("/reports/track", data={"code": codes.new_code()})
    assert unknown.status_code == 404
    code = codes.new_code()
    wrong_check = code[:-1] + ("0" if code[-1] != "0" else "1")
    typo = client.post(
        "/reports/track", data={"code": wrong_check}, headers={"Accept-Language": "en"}
    )
    assert typo.status_code == 400 and "typing mistake" in typo.get_data(as_text=True)
    garbage = client.post(
        "/reports/track", data={"code": "hello"}, headers={"Accept-Language": "en"}
    )
    assert garbage.status_code == 400 and "not a tracking code" in garbage.get_data(as_text=True)


def test_reporter_can_rate_a_finished_report_which_closes_it(client, db):
    code = submit_report(client)
    finish_report(db, code)
    token = status_token(client, code)
    response = client.post(
        "/reports/track/feedback",
        data={"code": code, "token": token, "rating": "satisfied", "go": "rate"},
    )
    assert response.status_code == 303
    assert db.session.scalars(sa.select(Report)).one().state == "closed"


def test_reporter_can_dispute_once_which_reopens_the_report(client, db):
    code = submit_report(client)
    finish_report(db, code)
    token = status_token(client, code)
    first = client.post(
        "/reports/track/feedback",
        data={"code": code, "token": token, "reason": "问题依旧", "go": "dispute"},
    )
    assert first.status_code == 303
    db.session.expire_all()
    assert db.session.scalars(sa.select(Report)).one().state == "disputed"
    again = client.post(
        "/reports/track/feedback",
        data={"code": code, "token": token, "reason": "再次", "go": "dispute"},
    )
    assert again.status_code == 400


def test_finished_report_closes_itself_when_viewed_after_the_feedback_period(client, db):
    code = submit_report(client)
    finish_report(db, code, days_ago=40)
    html = track(client, code, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Closed after the feedback period" in html
    db.session.expire_all()
    assert db.session.scalars(sa.select(Report)).one().state == "closed"


def test_close_due_command_closes_finished_reports_past_the_feedback_period(client, db, runner):
    code = submit_report(client)
    finish_report(db, code, days_ago=40)
    result = runner.invoke(args=["reports", "close-due"])
    assert "1 report(s) closed" in result.output


def test_overdue_acceptance_is_marked_for_the_reporter_and_in_the_queue(client, db, login_as):
    code = submit_report(client)
    age_report(db, 20)
    page = track(client, code, headers={"Accept-Language": "en"})
    assert "Acceptance decision overdue" in page.get_data(as_text=True)
    login_as("report_handler")
    overdue = client.get("/admin/reports/?overdue=1", headers={"Accept-Language": "en"})
    assert "Overdue" in overdue.get_data(as_text=True) and "tbody" in overdue.get_data(as_text=True)
    assert db.session.scalars(sa.select(Report)).one().case in overdue.get_data(as_text=True)


def test_with_an_smtp_server_configured_the_mail_goes_by_smtp(app_factory):
    from portal.delivery import worker
    from tests.delivery_support import SMTPServer

    smtp = SMTPServer()
    smtp.start()
    try:
        app = app_factory(**smtp.config, REPORT_MIN_SECONDS=0, REPORT_RATE_LIMIT="1000 per hour")
        code = submit_report(app.test_client(), anonymous="no", email="reporter@example.org")
        with app.app_context():
            worker.drain()
        mails = smtp.inbox.to("reporter@example.org")
        assert len(mails) == 1 and code in mails[0].get_content()
        assert not Path(app.config["MAIL_DIR"]).exists() or not any(
            Path(app.config["MAIL_DIR"]).iterdir()
        )
    finally:
        smtp.stop()
