"""The sitemap as a crawler reads it, on the demo portal: every public page type listed,
once, by its final address (fetched: 200, no redirect), each with a lastmod, and with the
same language addresses the page itself declares."""

from __future__ import annotations

import html
import re

import pytest

from tests.search_support import SITEMAP_NS, site_path, sitemap_entries

pytestmark = pytest.mark.validator


def test_every_public_page_type_is_listed_once_by_its_final_address(demo_app):
    client = demo_app.test_client()
    entries = sitemap_entries(client)
    locs = [e.find("s:loc", SITEMAP_NS).text for e in entries]
    assert len(locs) == len(set(locs)), [u for u in locs if locs.count(u) > 1]
    paths = [site_path(u) for u in locs]
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
        assert entry.find("s:lastmod", SITEMAP_NS) is not None, path
        response = client.get(path, headers={"Accept-Language": "zh-CN"})
        assert response.status_code == 200, path  # no redirect, nothing missing


def test_sitemap_languages_are_the_pages_own_canonical_addresses(demo_app):
    client = demo_app.test_client()
    for entry in sitemap_entries(client)[:40]:
        loc = entry.find("s:loc", SITEMAP_NS).text
        listed = {a.get("hreflang"): a.get("href") for a in entry.findall("x:link", SITEMAP_NS)}
        page = html.unescape(client.get(site_path(loc)).get_data(as_text=True))
        declared = dict(
            re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', page)
        )
        assert re.search(rf'<link rel="canonical" href="{re.escape(loc)}"', page), loc
        assert listed == {k: v for k, v in declared.items() if k != "x-default"}, loc
