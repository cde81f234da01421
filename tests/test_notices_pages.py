"""Public notice pages: filters, pagination, sanitizing, caching, no N+1, demo data, home."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.core.models import utcnow
from portal.notices.models import Notice
from tests.notices_support import make_notice


def test_list_is_newest_first_and_filters_by_category_and_county(client, db):
    make_notice(title_zh="旧的公告", published_at=utcnow() - dt.timedelta(days=3))
    make_notice(title_zh="漠河水质", category="water-quality", county="mohe")
    make_notice(title_zh="塔河水质", category="water-quality", county="tahe")
    html = client.get("/notices/").get_data(as_text=True)
    assert html.index("塔河水质") < html.index("旧的公告")
    water = client.get("/notices/?category=water-quality").get_data(as_text=True)
    assert "漠河水质" in water and "塔河水质" in water and "旧的公告" not in water
    mohe = client.get("/notices/?category=water-quality&county=mohe").get_data(as_text=True)
    assert "漠河水质" in mohe and "塔河水质" not in mohe


@pytest.mark.parametrize(
    "url",
    [
        "/notices/?category=gossip",
        "/notices/?county=atlantis",
        "/notices/?page=9",
        "/notices/?page=x",
        "/notices/999",
    ],
)
def test_unknown_category_county_or_page_is_a_404_page(client, db, url):
    make_notice()
    response = client.get(url)
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)


def test_list_paginates(client, db):
    for i in range(25):
        make_notice(title_zh=f"第{i:02d}号", published_at=utcnow() - dt.timedelta(minutes=i))
    first = client.get("/notices/").get_data(as_text=True)
    second = client.get("/notices/?page=2").get_data(as_text=True)
    assert "第00号" in first and "第24号" not in first
    assert "第24号" in second and 'rel="prev"' in second


def test_list_and_notice_pages_link_their_feeds(client, db):
    notice = make_notice(category="eia")
    for url in ("/notices/", "/notices/?category=eia", f"/notices/{notice.id}"):
        html = client.get(url).get_data(as_text=True)
        assert '<link rel="alternate" type="application/rss+xml"' in html
        assert 'href="/feeds/notices.atom"' in html
    assert 'href="/feeds/eia.rss"' in client.get(f"/notices/{notice.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "body, forbidden",
    [
        ("<script>alert(1)</script>", ("<script",)),
        ('<img src=x onerror="alert(1)">', ("<img src=x", '<img src="x"')),
        ("[click](javascript:alert(1))", ('href="javascript:', "javascript:alert(1)</a>")),
        ('<a href="#" onclick="steal()">x</a>', ('<a href="#"',)),
        ("<iframe src=https://evil.example></iframe>", ("<iframe",)),
    ],
)
def test_markdown_bodies_are_stored_as_written_and_rendered_safe(client, db, body, forbidden):
    notice = make_notice(body_zh=f"前言\n\n{body}")
    assert db.session.get(Notice, notice.id).body_zh.endswith(body)
    html = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert not [f for f in forbidden if f in html]
    assert "前言" in html


def test_markdown_formatting_survives_sanitizing(client, db):
    notice = make_notice(body_zh="## 小标题\n\n- 第一项\n\n[链接](https://example.gov.cn/)")
    html = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "<h2>小标题</h2>" in html and "<li>第一项</li>" in html
    assert 'href="https://example.gov.cn/"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_notice_page_answers_conditional_requests(client, db):
    notice = make_notice()
    first = client.get(f"/notices/{notice.id}")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert (
        "public" in first.headers["Cache-Control"] and "max-age" in first.headers["Cache-Control"]
    )
    again = client.get(f"/notices/{notice.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    since = client.get(
        f"/notices/{notice.id}", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304


def test_officials_view_of_a_notice_is_not_shared_with_caches(client, db, login_as):
    notice = make_notice()
    login_as("publisher")
    response = client.get(f"/notices/{notice.id}")
    assert "private" in response.headers["Cache-Control"]


def test_list_page_query_count_does_not_grow_with_the_number_of_notices(client, db):
    statements: list[str] = []

    def count(*args, **kwargs):
        statements.append(args[2])

    for i in range(3):
        make_notice(title_zh=f"少{i}")
    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/notices/")
        few = len(statements)
        for i in range(30):
            make_notice(title_zh=f"多{i}")
        statements.clear()
        client.get("/notices/?per_page=30")
        many = len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert many == few


def test_english_page_shows_the_english_text_or_says_it_is_chinese_only(client, db):
    both = make_notice(title_zh="双语", title_en="Bilingual", summary_en="In English")
    only = make_notice(title_zh="仅中文")
    html = client.get(f"/notices/{both.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Bilingual" in html and "In English" in html
    html = client.get(f"/notices/{only.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "仅中文" in html and "published in Chinese only" in html and 'lang="zh-Hans"' in html


def test_home_page_shows_the_latest_notices(app, db):
    make_notice(title_zh="首页上的通知")
    from portal.notices.views import home_context

    with app.test_request_context("/"):
        assert [n.title_zh for n in home_context()["latest_notices"]] == ["首页上的通知"]
        from flask import render_template_string

        html = render_template_string(
            "{% for template, context in sections %}"
            "{% include template with context %}{% endfor %}",
            sections=[("notices/_home.html", home_context())],
        )
    assert "首页上的通知" in html


def test_demo_notices_load_once_with_an_open_eia_consultation_and_a_withdrawn_notice(app, db):
    from portal.notices import demo

    assert demo.load() >= 12
    assert demo.load() == 0
    notices = db.session.scalars(sa.select(Notice)).all()
    assert any(n.category == "eia" and n.comments_open() for n in notices)
    assert any(n.status == "withdrawn" and n.withdrawn_reason for n in notices)
    assert len({n.category for n in notices}) >= 5
    assert all(n.title_en for n in notices)
