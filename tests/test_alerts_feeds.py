"""Feeds of warnings (read by feedparser), their autodiscovery on every page, the JSON list,
the OpenAPI document, search and sitemap."""

from __future__ import annotations

import feedparser
import sqlalchemy as sa

from portal.alerts.models import Alert
from tests.alerts_support import publish

BASE = "https://water.example.gov.cn"


def _two_warnings(client, login_as, db) -> tuple[int, int]:
    login_as("publisher")
    publish(client, headline_zh="旧预警", headline_en="Old warning", level="blue")
    old = db.session.scalar(sa.select(Alert.id))
    client.post(f"/admin/alerts/{old}/lift", data={"reason_zh": "已恢复。", "reason_en": "Over."})
    publish(client)
    new = db.session.scalar(sa.select(sa.func.max(Alert.id)))
    return old, new


def test_atom_and_rss_feeds_list_warnings_with_links_to_their_cap_documents(client, login_as, db):
    old, new = _two_warnings(client, login_as, db)
    atom = client.get("/feeds/alerts.atom")
    assert atom.status_code == 200 and atom.mimetype == "application/atom+xml"
    feed = feedparser.parse(atom.data)
    assert not feed.bozo, feed.bozo_exception
    assert [e.link for e in feed.entries] == [f"{BASE}/alerts/{new}", f"{BASE}/alerts/{old}"]
    first = feed.entries[0]
    caps = [link.href for link in first.links if link.get("type") == "application/cap+xml"]
    assert caps == [f"{BASE}/alerts/{new}.cap"]
    assert first.title.startswith("红色预警")
    assert feed.entries[1].title.startswith("【已解除】")

    rss = client.get("/feeds/alerts.rss?lang=en")
    parsed = feedparser.parse(rss.data)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.entries[0].title == "Red warning: Mohe town: do not drink tap water"
    assert parsed.entries[0].enclosures[0].href == f"{BASE}/alerts/{new}.cap"
    assert parsed.entries[0].enclosures[0].type == "application/cap+xml"
    assert parsed.entries[1].title == "[Lifted] Old warning"


def test_every_page_advertises_the_warning_feeds(client):
    for path in ("/", "/notices/", "/water/", "/alerts/", "/reports/new", "/admin/login"):
        html = client.get(path).get_data(as_text=True)
        assert 'type="application/atom+xml"' in html and 'href="/feeds/alerts.atom"' in html
        assert 'href="/feeds/alerts.rss"' in html, path


def test_json_list_and_openapi_document(client, login_as, db):
    old, new = _two_warnings(client, login_as, db)
    items = client.get("/api/v1/alerts").get_json()["items"]
    assert [(i["id"], i["status"]) for i in items] == [(new, "active"), (old, "lifted")]
    assert items[0]["headline"] == {
        "zh": "漠河市城区自来水暂停饮用",
        "en": "Mohe town: do not drink tap water",
    }
    assert items[0]["cap"] == f"{BASE}/alerts/{new}.cap"
    assert items[1]["lift_reason"] == {"zh": "已恢复。", "en": "Over."}
    assert client.get(f"/api/v1/alerts/{old}").get_json()["lifted_at"]
    assert client.get("/api/v1/alerts/999").status_code == 404
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/alerts", "/alerts/{id}.cap", "/feeds/alerts.atom"} <= set(doc["paths"])
    assert "Warning" in doc["components"]["schemas"]


def test_search_and_sitemap_find_warnings(client, login_as, db):
    old, new = _two_warnings(client, login_as, db)
    page = client.get("/search?q=暂停饮用").get_data(as_text=True)
    assert f'href="/alerts/{new}"' in page
    assert f"{BASE}/sitemaps/alerts.xml" in client.get("/sitemap.xml").get_data(as_text=True)
    sitemap = client.get("/sitemaps/alerts.xml").get_data(as_text=True)
    assert f"<loc>{BASE}/alerts/{old}</loc>" in sitemap and f"<loc>{BASE}/alerts/</loc>" in sitemap
