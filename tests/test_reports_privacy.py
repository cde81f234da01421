"""A reporter's name, phone and e-mail appear nowhere public, and never in the log."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from portal.reports.models import Report
from tests.reports_support import fast_reports, submit_report  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_reports")

NAME = "欧阳测试名"
PHONE = "13912345678"
EMAIL = "unique.reporter.7731@example.org"


def _act(client, report, action, **data):
    form = {
        "action": action,
        f"{action}-public_note": "已处理",
        **{f"{action}-{k}": v for k, v in data.items()},
    }
    assert client.post(f"/admin/reports/{report.case}/act", data=form).status_code == 303


def test_reporter_identity_never_appears_in_public_output_or_logs(
    client, app, db, login_as, caplog
):
    caplog.set_level(logging.DEBUG)
    app.logger.setLevel(logging.DEBUG)
    code = submit_report(client, anonymous="no", name=NAME, phone=PHONE, email=EMAIL)
    report = db.session.scalars(sa.select(Report)).one()
    # Handle it to the end, reveal the contact once, publish a summary: every public
    # output now has something to say about this report.
    login_as("report_handler")
    client.post(f"/admin/reports/{report.case}/reveal")
    _act(client, report, "accept")
    _act(client, report, "assign", assignee="songling")
    _act(client, report, "start_investigation")
    _act(client, report, "finish", outcome="violation_found", action_taken="罚款")
    client.post(
        f"/admin/reports/{report.case}/summary", data={"title_zh": "案例", "summary_zh": "已处理"}
    )
    client.post("/admin/logout")

    public = [
        ("GET", "/"),
        ("GET", "/reports/new"),
        ("GET", "/reports/track"),
        ("GET", "/reports/stats"),
        ("GET", "/reports/stats.csv"),
        ("GET", "/reports/stats.json"),
        ("GET", "/reports/events.jsonl"),
        ("GET", "/reports/events.head"),
        ("GET", "/reports/cases/"),
        ("GET", f"/reports/cases/{report.case}"),
        ("GET", "/open311/v2/services.json"),
        ("GET", "/open311/v2/services.xml"),
        ("GET", "/open311/v2/requests.json"),
        ("GET", "/open311/v2/requests.xml"),
        ("GET", f"/open311/v2/requests/{code}.json"),
        ("GET", f"/open311/v2/requests/{code}.xml"),
        ("GET", f"/open311/v2/requests/{report.case}.json"),
    ]
    # Every other public GET route without arguments: notices, feeds, search, API...
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/admin"):
            public.append(("GET", rule.rule))
    for term in ("测试", "案例", "已处理", "松岭", "example.org", "139"):
        public += [
            ("GET", f"/search?q={term}"),
            ("GET", f"/notices/?q={term}"),
            ("GET", f"/api/v1/notices?q={term}"),
        ]
    public.append(("POST", "/reports/track"))
    seen = 0
    for method, url in public:
        response = (
            client.post(url, data={"code": code}, follow_redirects=True)
            if method == "POST"
            else client.get(url)
        )
        body = response.get_data(as_text=True)
        for secret in (NAME, PHONE, EMAIL):
            assert secret not in body, (url, secret)
            assert all(secret not in v for v in response.headers.values()), (url, secret)
        seen += response.status_code == 200
    assert seen >= 15
    for secret in (NAME, PHONE, EMAIL):
        assert secret not in caplog.text
    # The tracking page still shows the reporter that the bureau opened the details.
    page = client.post(
        "/reports/track",
        data={"code": code},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    assert "Contact details opened by the bureau on" in page.get_data(as_text=True)


def test_contact_details_live_apart_and_are_not_loaded_with_the_report(client, db):
    submit_report(client, anonymous="no", name=NAME, phone=PHONE, email=EMAIL)
    report = db.session.scalars(sa.select(Report)).one()
    assert NAME not in str(report.workflow) and PHONE not in report.description
    with pytest.raises(sa.exc.InvalidRequestError):
        report.contact  # noqa: B018 - lazy="raise": only the reveal service reads it


def test_choosing_anonymity_drops_contact_details_typed_before(client, db):
    submit_report(client, anonymous="yes", name=NAME, phone=PHONE)
    report = db.session.scalars(sa.select(Report)).one()
    from portal.reports.models import ReportContact

    assert report.anonymous and db.session.get(ReportContact, report.id) is None
