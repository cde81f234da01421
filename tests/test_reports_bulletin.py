"""The monthly 12369 bulletin: drafted on the first day of a month from the verified log,
once per month, waiting for a publisher."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
import sqlalchemy as sa

from portal.core.models import utcnow
from portal.notices.models import Notice, NoticeStatus
from portal.reports import bulletin, service
from portal.reports.workflow import CHINA_TZ, china_date
from tests.reports_support import fast_reports  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_reports")


def received(when: dt.datetime, channel: str, county: str = "mohe", category: str = "water"):
    data = service.Submission(category=category, county=county, place="河边", description="油膜")
    report, _ = service.submit(
        data, submission_id=secrets.token_hex(8), received_at=when, channel=channel
    )
    return report


def test_first_day_of_a_month_drafts_last_months_bulletin_once(db, client):
    october = dt.datetime(2026, 10, 10, 9, tzinfo=CHINA_TZ)
    received(october, "web")
    received(october, "phone", county="tahe", category="air")
    received(dt.datetime(2026, 9, 3, 9, tzinfo=CHINA_TZ), "web")
    # 31 October 23:30 in China is still October: nothing for October yet.
    early = bulletin.draft_due(dt.datetime(2026, 10, 31, 15, 30, tzinfo=dt.UTC))
    assert early is not None and early.source == "reports:bulletin:2026-09"
    draft = bulletin.draft_due(dt.datetime(2026, 11, 1, 9, tzinfo=CHINA_TZ))
    assert (
        draft is not None
        and draft.status == NoticeStatus.DRAFT
        and draft.category == "report-handling"
    )
    assert draft.source == "reports:bulletin:2026-10" and "2026年10月" in draft.title_zh
    body = draft.body_zh
    assert "全区共接到生态环境举报 2 件" in body and "环比上升 100.0%" in body
    assert "网站：1 件" in body and "电话：1 件" in body
    assert "漠河市：1 件" in body and "塔河县：1 件" in body and "大气污染：1 件" in body
    assert "按期办结率" in body and "逾期未受理" in body
    assert "2 environmental reports" in draft.body_en and "Mohe City: 1" in draft.body_en
    # Idempotent: the daily job runs again, or twice at once, and still one draft.
    assert bulletin.draft_due(dt.datetime(2026, 11, 1, 20, tzinfo=CHINA_TZ)) is None
    assert bulletin.draft_due(dt.datetime(2026, 11, 9, 20, tzinfo=CHINA_TZ)) is None
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Notice).where(Notice.source.like("reports:%"))
    )
    assert count == 2  # September's and October's, one each
    assert client.get(f"/notices/{draft.id}").status_code == 404  # waits for a publisher


def test_bulletin_shows_the_typical_cases_published_that_month(db):
    now = utcnow()
    report = received(now - dt.timedelta(minutes=10), "web")
    for action, data in [
        ("accept", {}),
        ("assign", {"assignee": "mohe"}),
        ("start_investigation", {}),
        ("finish", {"outcome": "violation_found", "action_taken": "责令整改"}),
    ]:
        service.act(report, action, public_note="", at=now - dt.timedelta(minutes=5), **data)
    service.publish_summary(
        report, title_zh="某洗车店污水直排案", summary_zh="经查属实，已责令整改。"
    )
    month = f"{china_date(utcnow()):%Y-%m}"
    draft = bulletin.draft_for(month)
    assert "### 某洗车店污水直排案" in draft.body_zh and "经查属实" in draft.body_zh
    assert "按期办结率 100.0%" in draft.body_zh


def test_bulletin_command_drafts_a_named_month(runner, db):
    result = runner.invoke(args=["reports", "bulletin", "--month", "2026-08"])
    assert result.exit_code == 0 and "waits for review" in result.output
    again = runner.invoke(args=["reports", "bulletin", "--month", "2026-08"])
    assert "already exists" in again.output
