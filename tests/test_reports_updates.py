"""Reporter updates (issue 10 part 5): a reporter who asked for them gets each public status
change by e-mail, through a real SMTP server: the public note and the status link, never the
internal note nor the tracking code; the address never reaches a log."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal.delivery import worker
from portal.reports.models import Report, ReportContact
from tests.reports_support import (
    fast_reports,  # noqa: F401 - fixture
    status_token,
    submit_report,
)

pytestmark = pytest.mark.usefixtures("fast_reports")
ADDRESS = "updates-canary@example.org"


class Inbox:
    """What reached the test's SMTP server. Mails leave through the delivery worker: reading
    the inbox first lets the worker (in the app's own context) send everything queued."""

    def __init__(self, app) -> None:
        self.app = app
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    @property
    def messages(self) -> list[tuple[list[str], email.message.EmailMessage]]:
        with self.app.app_context():
            worker.drain()
        return self.received

    async def handle_DATA(self, _server, _session, envelope):  # type: ignore[no-untyped-def]
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def bodies(self) -> list[str]:
        return [m.get_content() for _to, m in self.messages]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox(app) -> Iterator[Inbox]:
    box = Inbox(app)
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        yield box
    finally:
        controller.stop()


def _act(client, report, action, note, internal="", **data):
    form = {
        "action": action,
        f"{action}-public_note": note,
        f"{action}-internal_note": internal,
        **{f"{action}-{k}": v for k, v in data.items()},
    }
    return client.post(f"/admin/reports/{report.case}/act", data=form)


def test_each_public_status_change_is_mailed_with_the_public_note_and_the_status_link(
    client, db, login_as, inbox, caplog
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="mail.log")  # the test's SMTP server's own log
    code = submit_report(client, anonymous="no", email=ADDRESS, updates="y")
    assert len(inbox.messages) == 1  # the confirmation
    report = db.session.scalars(sa.select(Report)).one()
    assert db.session.get(ReportContact, report.id).updates is True
    login_as("report_handler")
    assert (
        _act(client, report, "accept", "已受理，将派人核查", internal="内部：疑似某厂").status_code
        == 303
    )
    assert _act(client, report, "assign", "已交松岭区分局", assignee="songling").status_code == 303
    assert len(inbox.messages) == 3
    (to, first), (_to2, second) = inbox.messages[1], inbox.messages[2]
    assert to == [ADDRESS]
    body = first.get_content()
    assert "已受理，将派人核查" in body and "已受理" in first["Subject"]
    assert "内部：疑似某厂" not in body and code not in body and code not in first["Subject"]
    link = next(line for line in body.splitlines() if "/reports/status/" in line)
    url = link[link.index("https://") :].split()[0]
    assert url.startswith("https://water.example.gov.cn/reports/status/")
    assert "已交松岭区分局" in second.get_content()
    client.post("/admin/logout")
    status = client.get(url.removeprefix("https://water.example.gov.cn"))
    assert status.status_code == 200 and "已交松岭区分局" in status.get_data(as_text=True)
    assert ADDRESS not in caplog.text and code not in caplog.text


def test_no_updates_unless_asked_and_they_stop_when_the_reporter_says_so(
    client, db, login_as, inbox
):
    submit_report(client, anonymous="no", email=ADDRESS)  # not ticked
    asked = submit_report(client, anonymous="no", email=ADDRESS, updates="y", place="另一处")
    quiet, wanted = db.session.scalars(sa.select(Report).order_by(Report.id)).all()
    token = status_token(client, asked)
    page = client.get(f"/reports/status/{token}", headers={"Accept-Language": "en"})
    assert "Stop e-mail updates" in page.get_data(as_text=True)
    login_as("report_handler")
    _act(client, quiet, "accept", "受理一")
    assert len(inbox.messages) == 2  # the two confirmations only
    reporter = client.application.test_client()
    assert reporter.post(f"/reports/status/{token}/updates").status_code == 303
    _act(client, wanted, "accept", "受理二")
    assert len(inbox.messages) == 2
    db.session.expire_all()
    assert db.session.get(ReportContact, wanted.id).updates is False


def test_updates_need_an_email_address(client, db):
    answer = client.post(
        "/reports/new",
        data={**_form(client), "anonymous": "no", "phone": "13900000000", "updates": "y"},
        headers={"Accept-Language": "en"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert "To get updates by e-mail" in answer.get_data(as_text=True)


def _form(client) -> dict:
    from tests.reports_support import FORM, token_of

    return {**FORM, "token": token_of(client.get("/reports/new").get_data(as_text=True))}


def test_a_mail_failure_never_undoes_the_handlers_step(client, db, login_as, app):
    submit_report(client, anonymous="no", email=ADDRESS, updates="y")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())  # nobody listening
    report = db.session.scalars(sa.select(Report)).one()
    login_as("report_handler")
    assert _act(client, report, "accept", "已受理").status_code == 303
    db.session.expire_all()
    assert db.session.scalars(sa.select(Report)).one().state == "accepted"


def test_the_automatic_close_is_mailed_too_from_the_daily_job(client, db, app, runner):
    """Without MAIL_SERVER the mail lands in the development mail folder, as the
    confirmation does; the daily job runs without a request."""
    from pathlib import Path

    from tests.reports_support import finish_report

    code = submit_report(client, anonymous="no", email=ADDRESS, updates="y")
    finish_report(db, code, days_ago=40)
    folder = Path(app.config["MAIL_DIR"])
    worker.drain()
    before = len(list(folder.glob("*.eml")))
    assert before == 5  # the confirmation and the four handling steps
    result = runner.invoke(args=["reports", "close-due"])
    assert "1 report(s) closed" in result.output
    assert len(list(folder.glob("*.eml"))) == before  # queued by the job, sent by the worker
    worker.drain()
    mails = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime)
    assert len(mails) == before + 1
    last = email.message_from_bytes(mails[-1].read_bytes(), policy=email.policy.default)
    assert "/reports/status/" in last.get_content() and code not in last.get_content()
