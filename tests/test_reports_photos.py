"""Photo uploads: metadata is stripped by re-encoding, bombs and non-images are refused."""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.reports import photos
from portal.reports.models import Report, ReportPhoto
from tests.core_support import count_rows
from tests.reports_support import (
    check_step,
    fast_reports,  # noqa: F401 - fixture
    photo_bytes,
    submit_report,
)

pytestmark = pytest.mark.usefixtures("fast_reports")


def _gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Secret Camera App"  # Software
    gps = {1: "N", 2: (50.0, 25.0, 12.0), 3: "E", 4: (124.0, 7.0, 30.0)}
    exif[0x8825] = gps  # GPSInfo
    return exif.tobytes()


def test_a_jpeg_with_gps_exif_goes_in_and_none_comes_out(client, app, db):
    original = photo_bytes(exif=_gps_exif())
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(0x8825)  # the test photo really carries GPS
    submit_report(client, files=[(original, "IMG_0001.jpg")])
    stored = db.session.scalars(sa.select(ReportPhoto)).one()
    path = Path(app.config["UPLOAD_DIR"]) / "reports" / "store" / stored.filename
    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert "exif" not in image.info and "icc_profile" not in image.info
    assert b"Secret Camera App" not in data and b"PhoneMaker" not in data
    assert stored.sha256_original == hashlib.sha256(original).hexdigest()
    assert data != original


def test_orientation_is_applied_before_the_metadata_is_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    cleaned = photos.clean(io.BytesIO(photo_bytes(size=(80, 40), exif=exif.tobytes())))
    assert (cleaned.width, cleaned.height) == (40, 80)


def test_png_and_webp_are_accepted_and_re_encoded():
    for fmt in ("PNG", "WEBP"):
        cleaned = photos.clean(io.BytesIO(photo_bytes(fmt)))
        assert cleaned.content_type in ("image/jpeg", "image/png")


def test_a_decompression_bomb_is_refused(client, db):
    # A tiny file that claims a huge canvas: 20000 x 20000 pixels.
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Image.new("1", (20000, 20000)).save(out, "PNG")
    with pytest.raises(photos.PhotoError) as caught:
        photos.clean(io.BytesIO(out.getvalue()))
    assert caught.value.code == "too_many_pixels"
    response = check_step(client, files=[(out.getvalue(), "bomb.png")])
    assert response.status_code == 400
    assert count_rows(Report) == 0


def test_a_file_that_is_not_an_image_is_refused_and_never_stored(client, app):
    response = check_step(client, files=[(b"%PDF-1.4 not a photo", "scan.jpg")])
    assert response.status_code == 400
    assert "scan.jpg" in response.get_data(as_text=True)
    quarantine = Path(app.config["UPLOAD_DIR"]) / "reports" / "quarantine"
    assert not quarantine.exists() or not any(quarantine.rglob("*.jpg"))


def test_a_gif_is_refused_even_though_pillow_can_read_it():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(photos.PhotoError):
        photos.clean(io.BytesIO(out.getvalue()))


def test_more_than_five_photos_are_refused(client):
    files = [(photo_bytes(), f"{i}.jpg") for i in range(6)]
    assert check_step(client, files=files).status_code == 400


def test_photos_are_served_to_officials_only(client, app, db, login_as):
    submit_report(client, files=[(photo_bytes(), "a.jpg")])
    report = db.session.scalars(sa.select(Report)).one()
    url = f"/admin/reports/{report.case}/photos/{report.photos[0].photo_id}"
    assert client.get(url).status_code == 302  # to the login page
    assert not (Path(app.static_folder) / "uploads").exists()
    login_as("report_handler")
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "no-store"


def test_when_photos_cannot_be_stored_the_reporter_is_told_and_nothing_is_saved(
    client, app, monkeypatch
):
    def disk_full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(photos, "quarantine", disk_full)
    response = check_step(client, files=[(photo_bytes(), "a.jpg")])
    assert response.status_code == 400
    assert "12369" in response.get_data(as_text=True)
    assert count_rows(Report) == 0


def test_when_photos_cannot_be_put_in_place_the_send_step_answers_503(client, monkeypatch):
    from tests.reports_support import hidden_fields

    checked = check_step(client, files=[(photo_bytes(), "a.jpg")])
    fields = {**hidden_fields(checked.get_data(as_text=True)), "go": "send"}

    def disk_full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(photos, "place", disk_full)
    assert client.post("/reports/new/confirm", data=fields).status_code == 503
    assert count_rows(Report) == 0 and count_rows(ReportPhoto) == 0
