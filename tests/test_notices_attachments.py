"""Attachments: checked by content, size-limited, served as downloads with safe headers."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

import openpyxl
import pytest
from PIL import Image

from tests.notices_support import make_notice

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["站点", "铁"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (20, 10), "blue")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _upload(client, notice_id, data, name, **headers):
    return client.post(
        f"/admin/notices/{notice_id}/attachments",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_pdf_attachment_is_served_as_a_download_with_safe_headers(client, app, login_as, db):
    notice = make_notice()
    login_as("publisher")
    assert _upload(client, notice.id, PDF, "水质报告 2026.pdf").status_code == 302
    html = app.test_client().get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "水质报告 2026.pdf" in html
    [attachment] = db.session.get(type(notice), notice.id).attachments
    response = app.test_client().get(f"/notices/{notice.id}/files/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('水质报告 2026.pdf', safe='')}" in disposition


def test_stored_files_get_random_names_under_the_upload_dir(client, app, login_as, db):
    notice = make_notice()
    login_as("publisher")
    _upload(client, notice.id, PDF, "../../etc/passwd.pdf")
    [attachment] = db.session.get(type(notice), notice.id).attachments
    assert attachment.filename == "passwd.pdf"
    from pathlib import Path

    stored = Path(app.config["UPLOAD_DIR"]) / "notices" / attachment.stored_name
    assert stored.read_bytes() == PDF and "passwd" not in attachment.stored_name


def test_real_xlsx_is_accepted_but_a_renamed_zip_is_not(client, login_as, db):
    notice = make_notice()
    login_as("publisher")
    assert _upload(client, notice.id, _xlsx(), "data.xlsx").status_code == 302
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("evil.exe", b"MZ")
    response = _upload(client, notice.id, fake.getvalue(), "data.xlsx", **{"Accept-Language": "en"})
    assert response.status_code == 422
    assert "this file&#39;s content is none of these" in response.get_data(as_text=True)


def test_gb18030_csv_is_accepted_and_served_as_utf8(client, app, login_as, db):
    notice = make_notice()
    login_as("publisher")
    assert (
        _upload(client, notice.id, "站点,铁\n漠河,0.1\n".encode("gb18030"), "数据.csv").status_code
        == 302
    )
    [attachment] = db.session.get(type(notice), notice.id).attachments
    response = app.test_client().get(f"/notices/{notice.id}/files/{attachment.id}")
    assert response.data.decode("utf-8-sig") == "站点,铁\n漠河,0.1\n"
    assert response.headers["Content-Type"].startswith("text/csv")


def test_images_are_re_encoded_without_their_metadata(client, app, login_as, db):
    notice = make_notice()
    login_as("publisher")
    original = _jpeg_with_exif()
    assert b"SecretCam" in original
    assert _upload(client, notice.id, original, "photo.jpeg").status_code == 302
    [attachment] = db.session.get(type(notice), notice.id).attachments
    served = app.test_client().get(f"/notices/{notice.id}/files/{attachment.id}").data
    assert attachment.filename == "photo.jpg" and attachment.content_type == "image/jpeg"
    assert b"SecretCam" not in served
    assert Image.open(io.BytesIO(served)).size == (20, 10)


def test_a_jpeg_comment_segment_does_not_survive_the_upload(client, app, login_as, db):
    notice = make_notice()
    login_as("publisher")
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(out, "JPEG", comment=b"shot at 52.97N 122.53E by Li")
    original = out.getvalue()
    assert b"\xff\xfe" in original and b"122.53E" in original  # a COM segment
    assert _upload(client, notice.id, original, "site.jpg").status_code == 302
    [attachment] = db.session.get(type(notice), notice.id).attachments
    served = app.test_client().get(f"/notices/{notice.id}/files/{attachment.id}").data
    assert b"122.53E" not in served
    assert "comment" not in Image.open(io.BytesIO(served)).info


@pytest.mark.parametrize(
    "data, name",
    [
        (b"<html><script>alert(1)</script></html>", "report.pdf"),
        (b"MZ\x90\x00binary", "tool.csv"),
        (b"", "empty.pdf"),
    ],
)
def test_wrong_type_or_empty_files_are_refused_with_a_translated_message(
    client, login_as, db, data, name
):
    notice = make_notice()
    login_as("publisher")
    response = _upload(client, notice.id, data, name, **{"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert "error-message" in response.get_data(as_text=True)
    assert db.session.get(type(notice), notice.id).attachments == []


def test_oversize_files_are_refused(app_factory):
    from portal.accounts import service as accounts
    from tests.core_support import PASSWORD

    app = app_factory(NOTICE_ATTACHMENT_MAX_BYTES=100)
    with app.app_context():
        notice_id = make_notice().id
        accounts.create_user("big@dxal.example.gov.cn", "publisher", None, PASSWORD)
    client = app.test_client()
    client.post("/admin/login", data={"email": "big@dxal.example.gov.cn", "password": PASSWORD})
    response = _upload(client, notice_id, PDF + b"x" * 200, "big.pdf", **{"Accept-Language": "en"})
    assert response.status_code == 422
    assert "larger than" in response.get_data(as_text=True)


def test_a_drafts_attachment_is_hidden_from_the_public_but_not_from_officials(
    client, app, login_as, db
):
    notice = make_notice(status="draft", published_at=None)
    login_as("publisher")
    _upload(client, notice.id, PDF, "draft.pdf")
    [attachment] = db.session.get(type(notice), notice.id).attachments
    url = f"/notices/{notice.id}/files/{attachment.id}"
    assert client.get(url).status_code == 200
    assert app.test_client().get(url).status_code == 404
    assert (
        app.test_client().get(f"/notices/{notice.id + 1}/files/{attachment.id}").status_code == 404
    )


def test_removing_an_attachment_takes_it_off_the_page(client, app, login_as, db):
    notice = make_notice()
    login_as("publisher")
    _upload(client, notice.id, PDF, "old.pdf")
    [attachment] = db.session.get(type(notice), notice.id).attachments
    client.post(f"/admin/notices/{notice.id}/attachments/{attachment.id}/delete")
    assert "old.pdf" not in app.test_client().get(f"/notices/{notice.id}").get_data(as_text=True)
