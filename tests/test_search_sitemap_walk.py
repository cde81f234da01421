"""The sitemap as a crawler reads it, on the demo portal: every public page type listed,
once, by its final address (fetched: 200, no redirect), each with a lastmod, and with the
same language addresses the page itself declares."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

from tests.demo_site import BASE_URL

pytestmark = pytest.mark.validator

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def _path(url: str) -> str:
    assert url.startswith(BASE_URL + "/"), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _read(client, url: str) -> ET.Element:
    response = client.get(_path(url))
    assert response.status_code == 200, url
    return ET.fromstring(response.data)  # noqa: S314 - our own document


def _entries(client) -> list[ET.Element]:
    index = _read(client, f"{BASE_URL}/sitemap.xml")
    urls: list[ET.Element] = []
    for loc in index.findall("s:sitemap/s:loc", NS):
        urls += _read(client, loc.text).findall("s:url", NS)
    return urls


def test_every_public_page_type_is_listed_once_by_its_final_address(demo_app):
    client = demo_app.test_client()
    entries = _entries(client)
    locs = [e.find("s:loc", NS).text for e in entries]
    assert len(locs) == len(set(locs)), [u for u in locs if locs.count(u) > 1]
    paths = [_path(u) for u in locs]
    for required in (
        "/",
        "/data/",
        "/notices/",
        "/water/",
        "/water/sections",
        "/enforcement/",
        "/enforcement/cards",
        "/enforcement/cases",
        "/enforcement/inspections",
        "/enforcement/draws",
        "/enforcement/enterprises",
        "/reports/new",
        "/reports/stats",
        "/pages/about",
        "/water/counties/mohe",
    ):
        assert required in paths, required
    for prefix in (
        "/notices/",
        "/water/sites/",
        "/water/quarters/",
        "/enforcement/enterprises/",
        "/enforcement/draws/",
        "/enforcement/cases/",
        "/reports/cases/",
    ):
        assert any(p.startswith(prefix) and p != prefix for p in paths), prefix
    assert "/pages/" not in paths and "/reports/" not in paths  # redirects
    for entry, path in zip(entries, paths, strict=True):
        assert entry.find("s:lastmod", NS) is not None, path
        response = client.get(path, headers={"Accept-Language": "zh-CN"})
        assert response.status_code == 200, path  # no redirect, nothing missing


def test_sitemap_languages_are_the_pages_own_canonical_addresses(demo_app):
    client = demo_app.test_client()
    for entry in _entries(client)[:40]:
        loc = entry.find("s:loc", NS).text
        listed = {a.get("hreflang"): a.get("href") for a in entry.findall("x:link", NS)}
        page = html.unescape(client.get(_path(loc)).get_data(as_text=True))
        declared = dict(
            re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', page)
        )
        assert re.search(rf'<link rel="canonical" href="{re.escape(loc)}"', page), loc
        assert listed == {k: v for k, v in declared.items() if k != "x-default"}, loc
