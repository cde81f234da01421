"""Test support for search and the sitemap: read the sitemap index and its sitemaps as a
crawler does, on the demo portal."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlsplit

from tests.demo_site import BASE_URL

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def site_path(url: str) -> str:
    """The path and query of one of the demo portal's absolute addresses."""
    assert url.startswith(BASE_URL + "/"), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _read_xml(client: Any, url: str) -> ET.Element:
    response = client.get(site_path(url))
    assert response.status_code == 200, url
    return ET.fromstring(response.data)  # noqa: S314 - our own document


def sitemap_entries(client: Any) -> list[ET.Element]:
    """Every <url> entry of every sitemap the sitemap index lists."""
    index = _read_xml(client, f"{BASE_URL}/sitemap.xml")
    urls: list[ET.Element] = []
    for loc in index.findall("s:sitemap/s:loc", SITEMAP_NS):
        urls += _read_xml(client, loc.text).findall("s:url", SITEMAP_NS)
    return urls
