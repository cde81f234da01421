"""Helpers shared by the reports tests: drive the real two-step form, make photos, age and
finish a report."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.reports.models import Report

FORM = {
    "category": "water",
    "county": "songling",
    "place": "松岭区甘河大桥下游",
    "description": "河面漂着油膜，有刺鼻气味，持续两天。",
    "anonymous": "yes",
    "consent": "y",
}


def token_of(html: str) -> str:
    match = re.search(r'name="token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="token"', html
    )
    assert match, "no submission token on the page"
    return match.group(1)


def hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = _unescape(value.group(1) if value else "")
    return fields


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def check_step(client: Any, files: list[tuple[bytes, str]] | None = None, **overrides: Any) -> Any:
    page = client.get("/reports/new")
    data: dict[str, Any] = {**FORM, "token": token_of(page.get_data(as_text=True)), **overrides}
    if files:
        data["photos"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post("/reports/new", data=data, content_type="multipart/form-data")


def submit_report(
    client: Any, files: list[tuple[bytes, str]] | None = None, **overrides: Any
) -> str:
    """Fill in, check and send a report; return the tracking code shown."""
    checked = check_step(client, files, **overrides)
    assert checked.status_code == 200, checked.get_data(as_text=True)
    fields = hidden_fields(checked.get_data(as_text=True))
    fields["go"] = "send"
    sent = client.post("/reports/new/confirm", data=fields)
    assert sent.status_code == 303, sent.get_data(as_text=True)
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    return re.search(r'class="rp-code"[^>]*>([^<]+)<', page).group(1).strip()


def photo_bytes(
    fmt: str = "JPEG", size: tuple[int, int] = (64, 48), exif: bytes | None = None
) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (30, 120, 200))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


@pytest.fixture
def fast_reports(app: Any) -> Any:
    """No too-fast check and generous limits, unless a test tightens them."""
    app.config.update(
        REPORT_MIN_SECONDS=0, REPORT_RATE_LIMIT="1000 per hour", TRACK_RATE_LIMIT="1000 per hour"
    )
    return app


def status_token(client: Any, code: str) -> str:
    """Enter the code on the tracking form; return the status link's token it leads to."""
    sent = client.post("/reports/track", data={"code": code})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    return sent.headers["Location"].rsplit("/", 1)[1]


def track(client: Any, code: str, **kwargs: Any) -> Any:
    """The status page the tracking form leads to (following the redirect)."""
    return client.post("/reports/track", data={"code": code}, follow_redirects=True, **kwargs)


def age_report(db: Any, days: int) -> dt.datetime:
    """Move the (only) report's receipt into the past."""
    from portal.reports import service

    report = db.session.scalars(sa.select(Report)).one()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    report.received_at = past
    report.workflow = {
        **report.workflow,
        "received_at": past.isoformat(),
        "updated_at": past.isoformat(),
    }
    service._store(report, service.snapshot(report))  # keeps the queue's due date in step
    db.session.commit()
    return past


def finish_report(db: Any, code: str, days_ago: int = 1) -> Any:
    """Take the (only) report, received `days_ago` days ago, through to finished."""
    from portal.reports import service

    start = age_report(db, days_ago) + dt.timedelta(hours=1)
    report = service.get_by_code(code)
    for i, (action, data) in enumerate(
        [
            ("accept", {}),
            ("assign", {"assignee": "songling"}),
            ("start_investigation", {}),
            ("finish", {"outcome": "violation_found", "action_taken": "责令停产整改"}),
        ]
    ):
        service.act(
            report, action, public_note=f"步骤{i}", at=start + dt.timedelta(minutes=i), **data
        )
    return report
