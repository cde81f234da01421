"""JSON API: /api/v1/notices and /api/v1/notices/<id>."""

from __future__ import annotations

import datetime as dt

from portal.core.models import utcnow
from portal.notices import service
from portal.notices.models import Notice
from tests.notices_support import make_notice


def test_list_returns_published_notices_newest_first_with_totals(client, db):
    make_notice(title_zh="旧", published_at=utcnow() - dt.timedelta(days=2))
    make_notice(title_zh="新")
    make_notice(title_zh="草稿", status="draft", published_at=None)
    response = client.get("/api/v1/notices")
    data = response.get_json()
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert [n["title_zh"] for n in data["items"]] == ["新", "旧"]
    assert data["total"] == 2 and data["page"] == 1
    item = data["items"][0]
    assert item["url"] == f"https://water.example.gov.cn/notices/{item['id']}"
    assert item["published_at"].endswith("Z") and item["status"] == "published"


def test_list_filters_by_category_and_county(client, db):
    make_notice(title_zh="漠河", category="water-quality", county="mohe")
    make_notice(title_zh="塔河", category="water-quality", county="tahe")
    make_notice(title_zh="公告")
    data = client.get("/api/v1/notices?category=water-quality&county=mohe").get_json()
    assert [n["title_zh"] for n in data["items"]] == ["漠河"]


def test_bad_filters_are_a_json_400(client, db):
    response = client.get("/api/v1/notices?category=gossip")
    assert response.status_code == 400 and response.get_json()["error"]["status"] == 400


def test_pages_carry_link_headers(client, db):
    for i in range(5):
        make_notice(title_zh=f"第{i}", published_at=utcnow() - dt.timedelta(minutes=i))
    first = client.get("/api/v1/notices?per_page=2")
    assert 'rel="next"' in first.headers["Link"] and 'rel="last"' in first.headers["Link"]
    assert "page=3" in first.headers["Link"]
    last = client.get("/api/v1/notices?per_page=2&page=3")
    assert len(last.get_json()["items"]) == 1 and 'rel="prev"' in last.headers["Link"]
    assert client.get("/api/v1/notices?per_page=2&page=4").status_code == 404


def test_detail_has_body_updates_and_attachments(client, db):
    notice = make_notice(body_zh="## 正文")
    data = service.NoticeData(
        category="announcements",
        county=None,
        language="zh_Hans",
        title_zh="通知",
        title_en="Notice",
        summary_zh="摘要",
        summary_en=None,
        body_zh="## 新正文",
        body_en=None,
    )
    service.update(db.session.get(Notice, notice.id), data, "补充英文标题")
    body = client.get(f"/api/v1/notices/{notice.id}").get_json()
    assert body["body_zh"] == "## 新正文" and body["title_en"] == "Notice"
    assert body["version"] == 2
    assert body["updates"] == [{"version": 2, "at": body["updated_at"], "reason": "补充英文标题"}]
    assert body["attachments"] == [] and body["comment_period"] is None


def test_withdrawn_notice_in_the_api_has_the_reason_but_no_text(client, db):
    notice = make_notice(body_zh="撤回前的正文")
    service.withdraw(db.session.get(Notice, notice.id), "重复发布")
    body = client.get(f"/api/v1/notices/{notice.id}").get_json()
    assert body["status"] == "withdrawn" and body["withdrawn"]["reason"] == "重复发布"
    assert body["body_zh"] is None and body["summary_zh"] is None


def test_drafts_and_scheduled_notices_are_404_in_the_api(client, db):
    draft = make_notice(status="draft", published_at=None)
    later = make_notice(published_at=utcnow() + dt.timedelta(hours=1))
    for notice in (draft, later):
        response = client.get(f"/api/v1/notices/{notice.id}")
        assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_api_answers_conditional_requests(client, db):
    notice = make_notice()
    first = client.get(f"/api/v1/notices/{notice.id}")
    again = client.get(
        f"/api/v1/notices/{notice.id}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert first.headers["Access-Control-Allow-Origin"] == "*"
