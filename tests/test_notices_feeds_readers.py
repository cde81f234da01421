"""What feed readers and crawlers rely on: autodiscovery on every page, county feeds, one
address and id per language, and feeds that never fail on a character XML cannot hold."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from portal.core.text import clean
from portal.notices.models import Notice
from tests.notices_support import FORM, make_notice

BASE = "https://water.example.gov.cn"
ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def _feed_links(html: str) -> list[str]:
    return re.findall(
        r'<link rel="alternate" type="application/(?:rss|atom)\+xml"[^>]*href="([^"]+)"', html
    )


@pytest.mark.parametrize("path", ["/", "/water/", "/enforcement/", "/reports/new", "/pages/about"])
def test_every_page_offers_the_notices_feeds_for_autodiscovery(client, path):
    html = client.get(path, headers=ZH).get_data(as_text=True)
    assert "/feeds/notices.rss" in _feed_links(html) and "/feeds/notices.atom" in _feed_links(html)
    english = client.get(path, headers=EN).get_data(as_text=True)
    assert "/feeds/notices.rss?lang=en" in _feed_links(english)


def test_a_county_filter_is_kept_in_the_offered_feed_and_honoured_by_it(client, db):
    make_notice(title_zh="漠河水质", category="water-quality", county="mohe")
    make_notice(title_zh="塔河水质", category="water-quality", county="tahe")
    html = client.get("/notices/?county=mohe", headers=ZH).get_data(as_text=True)
    links = _feed_links(html)
    assert "/feeds/notices.atom?county=mohe" in links
    feed = feedparser.parse(client.get("/feeds/notices.atom?county=mohe", headers=ZH).data)
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["漠河水质"]
    assert feed.feed.id == f"{BASE}/feeds/notices.atom?county=mohe"
    assert client.get("/feeds/notices.rss?county=atlantis").status_code == 404


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_english_feeds_have_their_own_self_link_and_id(client, db, fmt):
    make_notice(title_zh="通知", title_en="Notice")
    zh = feedparser.parse(client.get(f"/feeds/notices.{fmt}", headers=ZH).data)
    en = feedparser.parse(client.get(f"/feeds/notices.{fmt}?lang=en").data)
    self_zh = [link.href for link in zh.feed.links if link.rel == "self"]
    self_en = [link.href for link in en.feed.links if link.rel == "self"]
    assert self_zh == [f"{BASE}/feeds/notices.{fmt}"]
    assert self_en == [f"{BASE}/feeds/notices.{fmt}?lang=en"]
    if fmt == "atom":
        assert zh.feed.id != en.feed.id
        assert en.feed.id == f"{BASE}/feeds/notices.atom?lang=en"
    assert en.entries[0].link.endswith("?lang=en") and en.entries[0].title == "Notice"


# --- #10: characters XML cannot hold -------------------------------------------------------


def test_a_stored_control_character_never_breaks_a_feed(client, db):
    make_notice(title_zh="水质\x01公告", summary_zh="摘要\x0b内容", body_zh="正文\x1f")
    for fmt in ("rss", "atom"):
        for headers in (ZH, EN):
            response = client.get(f"/feeds/notices.{fmt}", headers=headers)
            assert response.status_code == 200
            ET.fromstring(response.data)  # noqa: S314 - well-formed (our own output)
            assert "水质公告" in response.get_data(as_text=True)


def test_forms_remove_control_characters_before_anything_is_stored(client, login_as, db):
    login_as("publisher")
    response = client.post(
        "/admin/notices/new", data={**FORM, "title_zh": "关于\x08水源\x00的通知"}
    )
    assert response.status_code == 302
    notice = db.session.query(Notice).one()
    assert notice.title_zh == "关于水源的通知"


def test_a_withdrawn_notice_with_a_control_character_can_still_be_repaired(
    client, app, login_as, db
):
    notice = make_notice(title_zh="坏\x01标题", status="withdrawn", withdrawn_reason="有误")
    notice.withdrawn_at = notice.published_at
    db.session.commit()
    login_as("publisher")
    assert client.get(f"/admin/notices/{notice.id}/edit").status_code == 200
    response = client.post(
        f"/admin/notices/{notice.id}/edit",
        data={**FORM, "title_zh": "修好的标题", "reason": "标题有乱码"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Notice, notice.id)
    assert stored.title_zh == "修好的标题" and stored.status == "withdrawn"
    feed = app.test_client().get("/feeds/notices.atom", headers=ZH).get_data(as_text=True)
    assert "修好的标题" in feed


def test_the_cleaner_keeps_ordinary_whitespace_and_text():
    assert clean("第一行\n第二行\t制表\r") == "第一行\n第二行\t制表\r"
    assert clean("a\x00b\x1bc\x7fd\x85e\ufffe") == "abcde"
    assert clean(None) is None and clean(5) == 5


def test_an_imported_enterprise_name_loses_its_control_characters(runner, tmp_path, db):
    import sqlalchemy as sa

    from portal.enforcement.models import Enterprise
    from tests.enforcement_support import REGISTRY_CSV_HEADER
    from tests.enforcement_support import credit_code as code

    path = tmp_path / "registry.csv"
    path.write_text(
        REGISTRY_CSV_HEADER + f"{code(7)},漠河\x01测试\x1b金矿,mohe,采矿,,,否\n", encoding="utf-8"
    )
    result = runner.invoke(args=["enterprises", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Enterprise.name_zh)) == "漠河测试金矿"
