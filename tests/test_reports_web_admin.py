"""Handlers' pages: county scoping, transitions, reveal audit, phone reports, summaries."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.reports.models import Report, ReportSummary
from tests.reports_support import fast_reports, submit_report  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_reports")


def _report(db):
    return db.session.scalars(sa.select(Report)).one()


def _act(client, report, action, **data):
    form = {
        "action": action,
        f"{action}-public_note": "公开说明",
        **{f"{action}-{k}": v for k, v in data.items()},
    }
    return client.post(f"/admin/reports/{report.case}/act", data=form)


def test_queue_lists_reports_by_deadline_and_flags_overdue(client, db, login_as):
    submit_report(client)
    login_as("report_handler")
    page = client.get("/admin/reports/")
    assert page.status_code == 200 and "松岭区" in page.get_data(as_text=True)


def test_county_handler_sees_and_acts_only_in_their_county(client, db, login_as):
    submit_report(client, county="mohe")
    report = _report(db)
    login_as("report_handler", county="songling")
    assert "漠河市" not in client.get("/admin/reports/").get_data(as_text=True)
    assert client.get(f"/admin/reports/{report.case}").status_code == 403
    assert _act(client, report, "accept").status_code == 403
    assert client.post(f"/admin/reports/{report.case}/reveal").status_code == 403
    db.session.expire_all()
    assert _report(db).state == "submitted"


def test_handler_walks_a_report_to_finished_and_the_reporter_sees_each_public_note(
    client, db, login_as
):
    code = submit_report(client)
    report = _report(db)
    login_as("report_handler", county="songling")
    assert _act(client, report, "accept").status_code == 303
    assert _act(client, report, "assign", assignee="songling").status_code == 303
    assert _act(client, report, "start_investigation").status_code == 303
    assert _act(client, report, "extend", days="20", reason="需要检测").status_code == 303
    finished = _act(client, report, "finish", outcome="violation_found", action_taken="罚款两万元")
    assert finished.status_code == 303
    db.session.expire_all()
    assert _report(db).state == "finished"
    page = client.post("/reports/track", data={"code": code}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "罚款两万元" in page and "公开说明" in page and "需要检测" in page


def test_illegal_transition_is_refused_and_changes_nothing(client, db, login_as):
    submit_report(client)
    report = _report(db)
    login_as("report_handler")
    response = _act(client, report, "finish", outcome="violation_found", action_taken="x")
    assert response.status_code == 400
    assert _act(client, report, "extend", days="45", reason="太长").status_code == 400
    db.session.expire_all()
    assert _report(db).state == "submitted" and len(_report(db).notes) == 1


def test_internal_notes_never_reach_the_reporter(client, db, login_as):
    code = submit_report(client)
    report = _report(db)
    login_as("report_handler")
    _act(client, report, "accept", internal_note="内部：疑似某厂")
    assert "内部：疑似某厂" in client.get(f"/admin/reports/{report.case}").get_data(as_text=True)
    assert "内部：疑似某厂" not in client.post(
        "/reports/track", data={"code": code}, follow_redirects=True
    ).get_data(as_text=True)


def test_a_duplicate_is_merged_by_the_case_number_handlers_see_never_by_a_tracking_code(
    client, db, login_as
):
    first_code = submit_report(client)
    submit_report(client, place="另一处")
    first = db.session.scalars(sa.select(Report).where(Report.code == first_code)).one()
    second = db.session.scalars(sa.select(Report).where(Report.code != first_code)).one()
    login_as("report_handler")
    en = {"Accept-Language": "en"}
    # The handler reads the other report's case number off its page; its tracking code,
    # the reporter's credential, is shown nowhere to them and is not accepted.
    first_page = client.get(f"/admin/reports/{first.case}", headers=en).get_data(as_text=True)
    assert f"Report {first.case}" in first_page and first_code not in first_page
    for wrong in (second.case, first_code, "0123456789abcdef", ""):
        refused = _act(client, second, "mark_duplicate", duplicate_of=wrong)
        assert refused.status_code == 400, wrong
    db.session.refresh(second)
    assert second.state == "submitted"
    assert (
        _act(client, second, "mark_duplicate", duplicate_of=f" {first.case.upper()} ").status_code
        == 303
    )
    db.session.refresh(second)
    assert second.state == "duplicate" and second.workflow["duplicate_of"] == first.case
    page = client.get(f"/admin/reports/{second.case}", headers=en).get_data(as_text=True)
    assert f'href="/admin/reports/{first.case}"' in page
    audit = " ".join(str(e.__dict__) for e in db.session.scalars(sa.select(AuditEntry)))
    assert first_code not in str(second.workflow) + page + audit


def test_a_refused_duplicate_says_what_to_enter(client, db, login_as):
    first_code = submit_report(client)
    report = db.session.scalars(sa.select(Report).where(Report.code == first_code)).one()
    login_as("report_handler")
    page = _act(client, report, "mark_duplicate", duplicate_of=first_code)
    assert page.status_code == 400
    assert "请填写另一件已有举报的案件编号。" in page.get_data(as_text=True)


def test_revealing_contact_details_is_audited_and_its_date_shown_to_the_reporter(
    client, db, login_as
):
    code = submit_report(client, anonymous="no", name="测试举报人", phone="13900000000")
    report = _report(db)
    user = login_as("report_handler")
    detail = client.get(f"/admin/reports/{report.case}").get_data(as_text=True)
    assert "13900000000" not in detail  # hidden until revealed
    assert client.get(f"/admin/reports/{report.case}/reveal").status_code == 405
    shown = client.post(f"/admin/reports/{report.case}/reveal")
    assert shown.status_code == 200 and "13900000000" in shown.get_data(as_text=True)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "view_personal_data")
    ).one()
    assert entry.actor == user.email and entry.object_id == report.case
    assert "13900000000" not in str(entry.payload())
    client.post("/admin/logout")
    page = client.post(
        "/reports/track",
        data={"code": code},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Contact details opened by the bureau on" in page
    assert "13900000000" not in page


def test_staff_record_a_phone_report_with_channel_phone(client, db, login_as):
    login_as("report_handler", county="huma")
    form = client.get("/admin/reports/phone").get_data(as_text=True)
    import re

    token = re.search(r'name="token"[^>]*value="([^"]+)"', form).group(1)
    data = {
        "token": token,
        "category": "air",
        "county": "huma",
        "place": "呼玛镇",
        "description": "来电反映锅炉冒黑烟",
        "anonymous": "yes",
    }
    response = client.post("/admin/reports/phone", data=data)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    again = client.post("/admin/reports/phone", data=data)  # resubmission
    assert again.status_code == 200
    report = _report(db)
    assert report.channel == "phone" and report.county == "huma"
    # The code to tell the caller is on the answer, never in the official's session cookie.
    assert report.code in response.get_data(as_text=True)
    cookie = client.get_cookie("portal_session")
    serializer = client.application.session_interface.get_signing_serializer(client.application)
    assert report.code not in str(serializer.loads(cookie.value))
    other = {**data, "token": token[:-2] + "zz"}
    assert client.post("/admin/reports/phone", data=other).status_code == 400
    data_elsewhere = {**data, "county": "mohe"}
    data_elsewhere["token"] = re.search(
        r'name="token"[^>]*value="([^"]+)"',
        client.get("/admin/reports/phone").get_data(as_text=True),
    ).group(1)
    assert client.post("/admin/reports/phone", data=data_elsewhere).status_code == 403


def test_a_handled_report_can_be_published_as_a_redacted_summary(client, db, login_as):
    submit_report(client)
    report = _report(db)
    login_as("report_handler")
    summary = {"title_zh": "松岭区某企业偷排案办理情况", "summary_zh": "经查属实，已责令整改。"}
    assert client.post(f"/admin/reports/{report.case}/summary", data=summary).status_code == 400
    for action, data in [
        ("accept", {}),
        ("assign", {"assignee": "songling"}),
        ("start_investigation", {}),
        ("finish", {"outcome": "violation_found", "action_taken": "罚款"}),
    ]:
        assert _act(client, report, action, **data).status_code == 303
    assert client.post(f"/admin/reports/{report.case}/summary", data=summary).status_code == 303
    assert db.session.scalars(sa.select(ReportSummary)).one().title_zh == summary["title_zh"]
    page = client.get(f"/reports/cases/{report.case}")
    assert page.status_code == 200 and "经查属实" in page.get_data(as_text=True)
    assert "松岭区某企业偷排案" in client.get("/reports/cases/").get_data(as_text=True)


def test_admins_issue_and_revoke_open311_keys_and_handlers_cannot(client, db, login_as):
    login_as("report_handler")
    assert client.get("/admin/reports/api-keys").status_code == 403
    client.post("/admin/logout")
    login_as("admin")
    issued = client.post("/admin/reports/api-keys", data={"name": "环保随手拍 App"})
    assert issued.status_code == 200 and "dxk_" in issued.get_data(as_text=True)
    from portal.reports.models import ReportApiKey

    key = db.session.scalars(sa.select(ReportApiKey)).one()
    assert client.post(f"/admin/reports/api-keys/{key.id}/revoke").status_code == 303
    db.session.expire_all()
    assert db.session.get(ReportApiKey, key.id).revoked_at is not None
