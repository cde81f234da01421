"""Reports and tracking security (issue 15 #3, #9, #12, #13, #14, #15): no credential in a
log or a cookie, a bounded photo quarantine, the fill-in time checked at every step, dates
the server cannot store refused, no half-written file left behind."""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.reports import photos
from portal.reports.models import Report, ReportContact
from tests.core_support import count_rows
from tests.reports_support import (
    FORM,
    check_step,
    fast_reports,  # noqa: F401 - fixture
    hidden_fields,
    photo_bytes,
    status_token,
    submit_report,
    token_of,
)

pytestmark = pytest.mark.usefixtures("fast_reports")


def _only(db) -> Report:
    return db.session.scalars(sa.select(Report)).one()


def _session_cookie(client) -> str:
    cookie = client.get_cookie("portal_session")
    return cookie.value if cookie else ""


def _decoded_session(app, client) -> dict:
    raw = _session_cookie(client)
    if not raw:
        return {}
    serializer = app.session_interface.get_signing_serializer(app)
    return dict(serializer.loads(raw))


# ----------------------------------------------------------------- #3 audit log


def test_the_audit_log_names_reports_by_pseudonym_never_by_tracking_code(
    client, db, login_as, caplog
):
    caplog.set_level(logging.DEBUG)
    code = submit_report(client, anonymous="no", phone="13900000000")
    report = _only(db)
    login_as("report_handler")
    assert client.post(f"/admin/reports/{report.case}/reveal").status_code == 200
    form = {"action": "accept", "accept-public_note": "已受理"}
    assert client.post(f"/admin/reports/{report.case}/act", data=form).status_code == 303
    # A phone report recorded by staff is audited at creation too.
    page = client.get("/admin/reports/phone").get_data(as_text=True)
    phoned = client.post(
        "/admin/reports/phone",
        data={**FORM, "token": token_of(page), "county": "songling", "anonymous": "yes"},
    )
    assert phoned.status_code in (200, 303)
    entries = db.session.scalars(sa.select(AuditEntry)).all()
    reports = db.session.scalars(sa.select(Report)).all()
    assert len(reports) == 2
    logged = json.dumps([e.payload() for e in entries], ensure_ascii=False)
    for r in reports:
        assert r.code not in logged
        assert r.code.replace("-", "") not in logged.replace("-", "")
    objects = {e.object_id for e in entries if e.object_type == "report"}
    assert objects == {r.case for r in reports}
    # Nor the public event log, nor the application's log.
    events = client.get("/reports/events.jsonl").get_data(as_text=True)
    assert events.count("\n") >= 3
    for r in reports:
        assert r.code not in events and r.code not in caplog.text
    assert code not in caplog.text


# ----------------------------------------------------------------- #13 code not in cookie


def test_the_code_is_never_in_the_session_cookie_and_is_shown_once(app, client, db):
    code = submit_report(client)
    # submit_report has already opened the confirmation page once.
    assert code not in json.dumps(_decoded_session(app, client))
    assert code not in _session_cookie(client)
    again = client.get("/reports/new/received")
    assert again.status_code == 302 and again.headers["Location"].endswith("/reports/new")
    assert code not in client.get("/reports/new").get_data(as_text=True)


def test_the_confirmation_page_links_straight_to_the_status_without_the_code(client, db):
    checked = check_step(client)
    fields = {**hidden_fields(checked.get_data(as_text=True)), "go": "send"}
    sent = client.post("/reports/new/confirm", data=fields)
    page = client.get(sent.headers["Location"], headers={"Accept-Language": "en"})
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    code = _only(db).code
    assert code in html
    link = re.search(r'href="(https://water\.example\.gov\.cn/reports/status/[^"]+)"', html)
    assert link, html
    assert code not in link.group(1) and code.replace("-", "") not in link.group(1)
    status = client.get(link.group(1).removeprefix("https://water.example.gov.cn"))
    assert status.status_code == 200 and "河面漂着油膜" in status.get_data(as_text=True)


def test_a_late_resubmission_of_the_same_form_no_longer_shows_the_code(client, db):
    checked = check_step(client)
    fields = {**hidden_fields(checked.get_data(as_text=True)), "go": "send"}
    client.post("/reports/new/confirm", data=fields)
    code = _only(db).code
    client.get("/reports/new/received")  # the reporter saw it
    report = _only(db)
    report.received_at = report.received_at.replace(year=report.received_at.year - 1)
    db.session.commit()
    # The next user of the browser replays the form from its history.
    replay = client.post("/reports/new/confirm", data=fields, follow_redirects=True)
    assert replay.status_code == 200 and code not in replay.get_data(as_text=True)
    assert count_rows(Report) == 1


# ----------------------------------------------------------------- #12 fill-in time


def test_posting_straight_to_the_final_step_is_too_quick_and_stores_nothing(app, client, db):
    app.config["REPORT_MIN_SECONDS"] = 3
    for _ in range(5):
        token = token_of(client.get("/reports/new").get_data(as_text=True))
        sent = client.post(
            "/reports/new/confirm",
            data={**FORM, "token": token, "go": "send"},
            headers={"Accept-Language": "en"},
        )
        assert sent.status_code == 400
        assert "That was very quick" in sent.get_data(as_text=True)
    assert count_rows(Report) == 0


# ----------------------------------------------------------------- #14 dates


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-05-01T10:00"])
def test_a_date_the_server_cannot_store_is_a_translated_error_at_both_steps(
    client, db, when, caplog
):
    checked = check_step(client, observed_at=when)
    assert checked.status_code == 400
    assert "2000" in checked.get_data(as_text=True)
    token = token_of(client.get("/reports/new").get_data(as_text=True))
    sent = client.post(
        "/reports/new/confirm",
        data={**FORM, "token": token, "observed_at": when, "go": "send"},
        headers={"Accept-Language": "en"},
    )
    assert sent.status_code == 400
    assert "Enter a date between 2000 and today." in sent.get_data(as_text=True)
    assert count_rows(Report) == 0
    assert "INSERT" not in caplog.text


def test_a_failed_statement_never_writes_its_parameters_to_the_log(app, db):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    with pytest.raises(sa.exc.DBAPIError) as failed:
        db.session.execute(
            sa.text("INSERT INTO no_such_table (x) VALUES (:secret)"), {"secret": "CANARY-13900"}
        )
    db.session.rollback()
    assert "CANARY-13900" not in str(failed.value)


def test_an_error_log_names_the_route_not_the_path_with_its_token(app, client, caplog):
    from portal.reports import tracking

    def broken(*_a, **_k):
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    original = tracking.links.find
    tracking.links.find = broken
    try:
        token = "A" * 43
        assert client.get(f"/reports/status/{token}").status_code == 500
    finally:
        tracking.links.find = original
    assert "/reports/status/<token>" in caplog.text and token not in caplog.text


# ----------------------------------------------------------------- #15 .part files


def test_a_failed_photo_write_leaves_no_part_file(tmp_path, monkeypatch):
    cleaned = photos.clean(__import__("io").BytesIO(photo_bytes()))

    def disk_full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(photos.os, "fsync", disk_full)
    with pytest.raises(OSError):
        photos.quarantine(str(tmp_path), "s" * 32, cleaned)
    left = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert not [n for n in left if n.endswith(".part")], left


# ----------------------------------------------------------------- #9 quarantine bounds


def _quarantine(app) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "reports" / "quarantine"


def _big_photo(seed: int) -> bytes:
    import io
    import random

    from PIL import Image

    rng = random.Random(seed)
    image = Image.frombytes("RGB", (1000, 800), rng.randbytes(1000 * 800 * 3))  # ~0.6 MB as JPEG
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_one_client_cannot_fill_the_quarantine(app, client, db):
    app.config.update(REPORT_QUARANTINE_CLIENT_MB=1, REPORT_QUARANTINE_TOTAL_MB=100)
    statuses = []
    for i in range(4):
        answer = check_step(client, files=[(_big_photo(i), "a.png")])
        statuses.append(answer.status_code)
    assert statuses[0] == 200 and statuses[-1] == 400
    held = sum(f.stat().st_size for f in _quarantine(app).rglob("*") if f.is_file())
    assert held <= 1024 * 1024
    refused = check_step(client, files=[(_big_photo(9), "b.png")])
    assert "photos" in refused.get_data(as_text=True)
    english = client.post(
        "/reports/new",
        data={**FORM, "token": token_of(client.get("/reports/new").get_data(as_text=True)),
              "photos": [(__import__("io").BytesIO(_big_photo(8)), "c.png")]},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert english.status_code == 400
    assert "You have attached many photos to forms that were not sent" in english.get_data(
        as_text=True
    )
    # Another client still can.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert check_step(other, files=[(photo_bytes(), "d.jpg")]).status_code == 200


def test_the_quarantine_has_a_total_bound_for_everybody(app, db):
    app.config.update(REPORT_QUARANTINE_CLIENT_MB=100, REPORT_QUARANTINE_TOTAL_MB=1)
    statuses = []
    for i in range(4):
        c = app.test_client()
        c.environ_base["REMOTE_ADDR"] = f"10.0.1.{i}"
        statuses.append(check_step(c, files=[(_big_photo(i), "a.png")]).status_code)
    assert statuses[0] == 200 and 400 in statuses
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = "10.0.2.1"
    refused = c.post(
        "/reports/new",
        data={**FORM, "token": token_of(c.get("/reports/new").get_data(as_text=True)),
              "photos": [(__import__("io").BytesIO(_big_photo(7)), "c.png")]},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert "The portal cannot take more photos right now" in refused.get_data(as_text=True)
    # The report itself can still be sent without photos.
    assert submit_report(c)


def test_abandoned_uploads_are_removed_on_the_next_upload_and_by_close_due(app, client, db, runner):
    assert check_step(client, files=[(photo_bytes(), "a.jpg")]).status_code == 200
    folders = list(_quarantine(app).iterdir())
    assert len(folders) == 1
    old = time.time() - 25 * 3600
    owner = folders[0] / ".owner"
    owner.write_text(json.dumps({**json.loads(owner.read_text()), "at": old}))
    result = runner.invoke(args=["reports", "close-due"])
    assert "1 abandoned photo upload(s) removed" in result.output
    assert not folders[0].exists()
    # The same happens, without the job, when someone next uploads a photo.
    assert check_step(client, files=[(photo_bytes(), "a.jpg")]).status_code == 200
    folder = next(_quarantine(app).iterdir())
    owner = folder / ".owner"
    owner.write_text(json.dumps({**json.loads(owner.read_text()), "at": old}))
    os.utime(folder, (old, old))
    assert check_step(client, files=[(photo_bytes(), "b.jpg")]).status_code == 200
    assert not folder.exists() and len(list(_quarantine(app).iterdir())) == 1


def test_a_report_sent_with_its_photos_frees_its_quarantine(app, client, db):
    submit_report(client, files=[(photo_bytes(), "a.jpg")])
    assert not any(_quarantine(app).iterdir())


# ----------------------------------------------------------------- status links


def test_the_status_link_reads_only_and_the_reporter_can_turn_it_off(app, client, db, caplog):
    caplog.set_level(logging.DEBUG)
    code = submit_report(client)
    token = status_token(client, code)
    from portal.reports.models import ReportStatusLink

    stored = db.session.scalars(sa.select(ReportStatusLink)).one()
    assert token not in (stored.token_hash, stored.salt)  # only its hash is kept
    stranger = app.test_client()
    page = stranger.get(f"/reports/status/{token}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert code not in page.get_data(as_text=True)
    assert stranger.get(f"/reports/status/{'B' * 43}").status_code == 404
    # Turned off by whoever holds it (the reporter, from the status page): gone for good.
    off = stranger.post(f"/reports/status/{token}/revoke")
    assert off.status_code == 200
    assert client.get(f"/reports/status/{token}").status_code == 404
    # The code gives a new link.
    fresh = status_token(client, code)
    assert fresh != token and client.get(f"/reports/status/{fresh}").status_code == 200
    assert token not in caplog.text and fresh not in caplog.text and code not in caplog.text


def test_rating_from_the_status_page_needs_the_code(client, db):
    from tests.reports_support import finish_report

    code = submit_report(client)
    finish_report(db, code)
    token = status_token(client, code)
    page = client.get(f"/reports/status/{token}").get_data(as_text=True)
    assert 'name="code"' in page and code not in page
    without = client.post(
        "/reports/track/feedback", data={"token": token, "rating": "satisfied", "go": "rate"}
    )
    other = submit_report(client, place="另一处")
    wrong = client.post(
        "/reports/track/feedback",
        data={"token": token, "code": other, "rating": "satisfied", "go": "rate"},
    )
    assert without.status_code == wrong.status_code == 400
    db.session.expire_all()
    assert db.session.scalars(sa.select(Report).where(Report.code == code)).one().state == (
        "finished"
    )
    done = client.post(
        "/reports/track/feedback",
        data={"token": token, "code": code, "rating": "satisfied", "go": "rate"},
    )
    assert done.status_code == 303 and done.headers["Location"].endswith(token)


def test_status_url_gives_the_working_link_for_mails(app, client, db):
    from portal.reports import links

    code = submit_report(client)
    report = _only(db)
    url = links.status_url(report)
    assert url.startswith("https://water.example.gov.cn/reports/status/")
    assert code not in url and links.status_url(report) == url
    assert client.get(url.removeprefix("https://water.example.gov.cn")).status_code == 200


# ----------------------------------------------------------------- NUL bytes (PostgreSQL)

NUL_CONTACT = {
    "name": "Canary\x00Name-7731",
    "phone": "139\x0000007731",
    "email": "nul\x00canary7731@example.org",
}


def _no_personal_data_in(text: str) -> None:
    for fragment in ("7731", "Canary", "canary"):
        assert fragment not in text, fragment


@pytest.mark.parametrize("field", sorted(NUL_CONTACT))
def test_a_nul_byte_in_contact_details_is_removed_at_input_and_logs_nothing_personal(
    app, client, db, caplog, field
):
    """Every form value loses the characters XML and PostgreSQL cannot hold before any
    validation (portal/core/http.py): the report is stored with the details as meant, and
    nothing personal reaches the log on the way."""
    caplog.set_level(logging.DEBUG)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    data = {"anonymous": "no", "phone": "13900000000", field: NUL_CONTACT[field]}
    assert check_step(client, **data).status_code == 200
    token = token_of(client.get("/reports/new").get_data(as_text=True))
    sent = client.post(
        "/reports/new/confirm",
        data={**FORM, **data, "token": token, "go": "send"},
        headers={"Accept-Language": "en"},
    )
    assert sent.status_code in (302, 303)
    assert count_rows(Report) == 1
    contact = db.session.scalar(sa.select(ReportContact))
    stored = getattr(contact, field)
    assert stored == NUL_CONTACT[field].replace("\x00", "") and "\x00" not in stored
    _no_personal_data_in(caplog.text)


def test_a_nul_byte_that_reaches_the_database_logs_nothing_personal(app, client, db, caplog):
    """Open311 (another input) hands the contact details to the same service: whatever the
    database says of a NUL byte (PostgreSQL refuses it), the log holds no personal data."""
    from portal.reports import service

    caplog.set_level(logging.DEBUG)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    _key, plain = service.create_api_key("测试伙伴")
    answer = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": plain,
            "service_code": "water",
            "lat": "52.33",
            "long": "124.71",
            "attribute[county]": "tahe",
            "description": "河水发黑，有异味。",
            "first_name": NUL_CONTACT["name"],
            "phone": NUL_CONTACT["phone"],
            "email": NUL_CONTACT["email"],
        },
    )
    assert answer.status_code in (201, 400, 500)
    _no_personal_data_in(caplog.text)
    _no_personal_data_in(answer.get_data(as_text=True))
