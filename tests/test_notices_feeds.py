"""RSS 2.0 and Atom 1.0 feeds, read with a real feed parser."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest

from portal.core.models import utcnow
from portal.notices import service
from portal.notices.models import Notice
from tests.notices_support import make_notice

BASE = "https://water.example.gov.cn"


def _parse(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response, feedparser.parse(response.data)


@pytest.mark.parametrize("fmt, version", [("rss", "rss20"), ("atom", "atom10")])
def test_all_notices_feed_is_valid_and_carries_every_required_field(client, db, fmt, version):
    notice = make_notice(
        title_zh="水质公告", summary_zh="各项指标达标。", category="water-quality", county="mohe"
    )
    response, feed = _parse(client, f"/feeds/notices.{fmt}", **{"Accept-Language": "zh-CN"})
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == version
    assert response.mimetype == f"application/{fmt}+xml"
    assert feed.feed.title and feed.feed.link == f"{BASE}/notices/"
    assert feed.feed.get("updated_parsed")
    [entry] = feed.entries
    assert entry.title == "水质公告"
    assert entry.link == f"{BASE}/notices/{notice.id}"
    assert entry.id == f"{BASE}/notices/{notice.id}"
    assert "各项指标达标" in entry.summary
    assert entry.author
    tag = entry.tags[0]
    assert tag.term == ("water-quality" if fmt == "atom" else "水质信息")
    assert tag.scheme == f"{BASE}/notices/"
    assert entry.published_parsed[:5] == notice.published_at.utctimetuple()[:5]
    assert entry.updated_parsed


def test_entry_ids_are_stable_across_updates(client, db):
    notice = make_notice()
    _, before = _parse(client, "/feeds/notices.atom")
    data = service.NoticeData(
        category=notice.category,
        county=None,
        language="zh_Hans",
        title_zh="改过的标题",
        title_en=None,
        summary_zh="摘要",
        summary_en=None,
        body_zh="正文",
        body_en=None,
    )
    service.update(db.session.get(Notice, notice.id), data, "更正标题")
    _, after = _parse(client, "/feeds/notices.atom")
    assert after.entries[0].id == before.entries[0].id
    assert after.entries[0].title == "改过的标题"
    assert after.entries[0].updated_parsed >= after.entries[0].published_parsed


def test_category_feed_holds_only_that_category(client, db):
    make_notice(title_zh="环评公示", category="eia")
    make_notice(title_zh="普通公告", category="announcements")
    _, feed = _parse(client, "/feeds/eia.rss")
    assert [e.title for e in feed.entries] == ["环评公示"]
    assert feed.feed.link == f"{BASE}/notices/?category=eia"


def test_feed_holds_the_fifty_newest_notices_newest_first(client, db):
    now = utcnow()
    for i in range(55):
        make_notice(title_zh=f"n{i:02d}", published_at=now - dt.timedelta(minutes=i + 1))
    _, feed = _parse(client, "/feeds/notices.rss")
    assert len(feed.entries) == 50
    assert feed.entries[0].title == "n00" and feed.entries[-1].title == "n49"


def test_withdrawn_notice_stays_in_the_feed_marked_withdrawn_without_its_text(client, db):
    notice = make_notice(title_zh="将被撤回", body_zh="秘密正文")
    service.withdraw(db.session.get(Notice, notice.id), "数据错误")
    response, feed = _parse(client, "/feeds/notices.atom", **{"Accept-Language": "zh-CN"})
    [entry] = feed.entries
    assert "将被撤回" in entry.title and "已撤回" in entry.title
    assert "数据错误" in entry.summary
    assert "秘密正文" not in response.get_data(as_text=True)


def test_drafts_and_scheduled_notices_stay_out_of_feeds(client, db):
    make_notice(title_zh="草稿", status="draft", published_at=None)
    make_notice(title_zh="定时", published_at=utcnow() + dt.timedelta(days=1))
    _, feed = _parse(client, "/feeds/notices.rss")
    assert feed.entries == []
    assert not feed.bozo


def test_feeds_answer_conditional_requests(client, db):
    make_notice()
    first = client.get("/feeds/notices.rss")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert "public" in first.headers["Cache-Control"]
    assert (
        client.get(
            "/feeds/notices.rss", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
    assert (
        client.get(
            "/feeds/notices.rss", headers={"If-Modified-Since": first.headers["Last-Modified"]}
        ).status_code
        == 304
    )


@pytest.mark.parametrize("url", ["/feeds/gossip.rss", "/feeds/notices.json", "/feeds/eia.xml"])
def test_unknown_feeds_are_404(client, url):
    assert client.get(url).status_code == 404


def test_markdown_in_feed_content_is_sanitized(client, db):
    make_notice(body_zh="<script>alert(1)</script>\n\n**粗体**")
    _, feed = _parse(client, "/feeds/notices.atom")
    assert "<script>" not in feed.entries[0].content[0].value
    assert "<strong>粗体</strong>" in feed.entries[0].content[0].value


def test_an_unchanged_feed_answers_304_to_its_etag_per_language(client, runner):
    runner.invoke(args=["demo", "load"])
    first = client.get("/feeds/notices.rss")
    etag = first.headers["ETag"]
    again = client.get("/feeds/notices.rss", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    english = client.get("/feeds/notices.rss?lang=en", headers={"If-None-Match": etag})
    assert english.status_code == 200  # another language is another representation


def test_withdrawing_a_notice_changes_the_feed_etag(client, runner, login_as, db):
    import sqlalchemy as sa

    from portal.notices import service
    from portal.notices.models import Notice

    runner.invoke(args=["demo", "load"])
    etag = client.get("/feeds/notices.rss").headers["ETag"]
    notice = db.session.scalars(
        sa.select(Notice).where(Notice.status == "published").order_by(Notice.published_at.desc())
    ).first()
    service.withdraw(notice, "published by mistake")
    response = client.get("/feeds/notices.rss", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "已撤回" in response.get_data(as_text=True)
