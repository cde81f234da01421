"""Site search (Chinese and English, all providers, by recency), sitemap and robots.txt."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # parses only the portal's own output

import pytest

from portal.core.models import utcnow
from portal.notices import service
from portal.notices.models import Notice
from portal.search.registry import SearchHit, like_pattern, register_provider
from tests.notices_support import make_notice

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _titles(client, q, lang="zh-CN"):
    html = client.get("/search", query_string={"q": q}, headers={"Accept-Language": lang})
    assert html.status_code == 200
    return html.get_data(as_text=True)


def test_chinese_text_is_found_by_any_substring(client, db):
    make_notice(title_zh="漠河市饮用水水源地水质监测结果", body_zh="铁和锰的浓度均达标")
    make_notice(title_zh="无关的公告", body_zh="别的内容")
    html = _titles(client, "水源地水质")
    assert "漠河市饮用水水源地水质监测结果" in html and "无关的公告" not in html
    assert "漠河市饮用水水源地水质监测结果" in _titles(client, "锰的浓度")  # body match


def test_english_search_ignores_case_and_covers_the_english_text(client, db):
    make_notice(title_zh="塔河水质", title_en="Tahe Drinking Water", summary_en="Iron exceeded")
    html = _titles(client, "drinking WATER", lang="en")
    assert "Tahe Drinking Water" in html
    assert "Tahe Drinking Water" in _titles(client, "iron exceeded", lang="en")


def test_wildcards_in_the_query_are_taken_literally(client, db):
    make_notice(title_zh="达标率100%")
    make_notice(title_zh="其他公告")
    assert "其他公告" not in _titles(client, "%")
    assert "达标率100%" in _titles(client, "100%")
    assert "其他公告" not in _titles(client, "_")
    assert like_pattern("a%b_c\\") == "%a\\%b\\_c\\\\%"


def test_drafts_scheduled_and_withdrawn_texts_are_not_searchable(client, db):
    make_notice(title_zh="草稿秘密", status="draft", published_at=None)
    make_notice(title_zh="定时秘密", published_at=utcnow() + dt.timedelta(days=1))
    gone = make_notice(title_zh="撤回的公告", body_zh="撤回前的正文秘密")
    service.withdraw(db.session.get(Notice, gone.id), "重复")
    html = _titles(client, "秘密")
    assert "草稿秘密" not in html and "定时秘密" not in html and "撤回的公告" not in html
    assert "撤回的公告" in _titles(client, "撤回的公告")  # found by its title, marked withdrawn
    assert "【已撤回】" in _titles(client, "撤回的公告")


def test_hits_from_every_provider_are_merged_newest_first(app, client, db):
    make_notice(title_zh="公告甲", published_at=utcnow() - dt.timedelta(days=2))

    def sites(query, limit):
        return [
            SearchHit("水质监测点", "甲站点", "/water/sites/x", "", dt.date.today()),
            SearchHit("水质监测点", "甲旧站点", "/water/sites/y", "", None),
        ]

    register_provider(app, "test-sites", sites)
    html = _titles(client, "甲")
    assert html.index("甲站点") < html.index("公告甲") < html.index("甲旧站点")


def test_empty_query_shows_just_the_form(client):
    html = _titles(client, "   ")
    assert 'name="q"' in html and "search-hits" not in html


def test_sitemap_index_lists_the_sources_and_each_sitemap_lists_public_pages(client, db):
    public = make_notice(title_zh="公开")
    make_notice(title_zh="草稿", status="draft", published_at=None)
    index = ET.fromstring(client.get("/sitemap.xml").data)  # noqa: S314
    locs = [e.text for e in index.findall("s:sitemap/s:loc", NS)]
    assert "https://water.example.gov.cn/sitemaps/notices.xml" in locs
    assert "https://water.example.gov.cn/sitemaps/pages.xml" in locs
    notices = ET.fromstring(client.get("/sitemaps/notices.xml").data)  # noqa: S314
    urls = [e.text for e in notices.findall("s:url/s:loc", NS)]
    assert f"https://water.example.gov.cn/notices/{public.id}" in urls
    assert len([u for u in urls if u.rsplit("/", 1)[-1].isdigit()]) == 1
    assert notices.find("s:url/s:lastmod", NS) is not None
    pages = ET.fromstring(client.get("/sitemaps/pages.xml").data)  # noqa: S314
    assert "https://water.example.gov.cn/" in [e.text for e in pages.findall("s:url/s:loc", NS)]
    assert client.get("/sitemaps/nothing.xml").status_code == 404


def test_robots_txt_keeps_crawlers_out_of_the_officials_area_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert "Disallow: /admin/" in text
    assert "Sitemap: https://water.example.gov.cn/sitemap.xml" in text


@pytest.mark.parametrize("url", ["/sitemap.xml", "/robots.txt"])
def test_sitemap_and_robots_are_cacheable(client, url):
    first = client.get(url)
    assert "public" in first.headers["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
