"""The site search page, the sitemap (an index of per-source sitemaps) and robots.txt."""

from __future__ import annotations

import datetime as dt
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal.core import urls
from portal.core.http import conditional
from portal.core.pagecache import cacheable
from portal.search.registry import SITEMAP_MAX_URLS, search_all, sitemap_sources

bp = Blueprint("search", __name__)

MAX_QUERY = 100
MAX_HITS = 50
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


@bp.get("/search")
@cacheable
def search() -> ResponseReturnValue:
    query = " ".join((request.args.get("q") or "").split())[:MAX_QUERY]
    hits = search_all(query, MAX_HITS) if query else []
    response = Response(render_template("search/results.html", query=query, hits=hits))
    return conditional(response, max_age=60)


def _absolute(path: str) -> str:
    return urls.absolute(path)


def _lastmod(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"<lastmod>{value.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}</lastmod>"
    return f"<lastmod>{value.isoformat()}</lastmod>"


def _xml(body: str) -> Response:
    response = Response(XML_HEAD + body, mimetype="application/xml")
    return conditional(response, max_age=3600)


def _site_pages() -> list[tuple[str, dt.datetime | dt.date | None]]:
    """The home page, the content pages and the data catalog. Lists and records are in
    their feature's sitemap; a section's start page is listed by its final address there
    (the main menu's /pages/ and /reports/ are redirects, so they are not listed)."""
    from portal.pages import content
    from portal.search.registry import template_lastmod

    entries: list[tuple[str, dt.datetime | dt.date | None]] = [
        (url_for("pages.home"), _newest_of_all() or template_lastmod("pages/home.html"))
    ]
    for slug in content.slugs():
        entries.append((url_for("pages.page", slug=slug), content.last_modified(slug)))
    if "data.index" in current_app.view_functions:
        from portal.data import registry

        dates = [d.last_modified() for d in registry.all_datasets()]
        newest = max((_aware(d) for d in dates if d is not None), default=None)
        entries.append((url_for("data.index"), newest or template_lastmod("data/index.html")))
    return entries


def _aware(value: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _newest_of_all() -> dt.datetime | None:
    """The home page shows the newest of every feature: its date is the newest section's."""
    newest: dt.datetime | None = None
    for source in sitemap_sources().values():
        for path, lastmod in islice(source(), 12):
            if path.count("/") <= 2 and lastmod is not None:  # section and list pages
                value = _aware(lastmod)
                newest = value if newest is None else max(newest, value)
    return newest


@bp.get("/sitemap.xml")
@cacheable
def sitemap_index() -> ResponseReturnValue:
    names = ["pages", *sitemap_sources()]
    items = "".join(
        f"<sitemap><loc>{escape(_absolute(url_for('search.sitemap', name=name)))}</loc></sitemap>"
        for name in names
    )
    return _xml(f'<sitemapindex xmlns="{SITEMAP_NS}">{items}</sitemapindex>\n')


@bp.get("/sitemaps/<name>.xml")
@cacheable
def sitemap(name: str) -> ResponseReturnValue:
    if name == "pages":
        entries = _site_pages()
    elif name in sitemap_sources():
        entries = sitemap_sources()[name]()  # type: ignore[assignment]
    else:
        abort(404)
    items = "".join(_url(path, lastmod) for path, lastmod in islice(entries, SITEMAP_MAX_URLS))
    return _xml(f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">{items}</urlset>\n')


def _url(path: str, lastmod: dt.datetime | dt.date | None) -> str:
    """One page by its canonical (Chinese) address, with its languages as hreflang links:
    the same addresses the page's own <link rel=canonical/alternate> give."""
    loc = urls.absolute(path)
    langs = "".join(
        f'<xhtml:link rel="alternate" hreflang="{hreflang}" '
        f"href={quoteattr(urls.absolute(urls.localized_path(path, [], code)))}/>"
        for code, hreflang in urls.HREFLANG.items()
    )
    return f"<url><loc>{escape(loc)}</loc>{_lastmod(lastmod)}{langs}</url>"


@bp.get("/robots.txt")
@cacheable
def robots() -> ResponseReturnValue:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search",
        "Disallow: /reports/track",
        "Disallow: /api/",
        "Allow: /",
        f"Sitemap: {_absolute('/sitemap.xml')}",
        "",
    ]
    response = Response("\n".join(lines), mimetype="text/plain")
    return conditional(response, max_age=86400)
