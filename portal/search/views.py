"""The site search page, the sitemap (an index of per-source sitemaps) and robots.txt."""

from __future__ import annotations

import datetime as dt
from itertools import islice
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal.core.http import conditional
from portal.core.pagecache import cacheable
from portal.search.registry import SITEMAP_MAX_URLS, search_all, sitemap_sources

bp = Blueprint("search", __name__)

MAX_QUERY = 100
MAX_HITS = 50
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@bp.get("/search")
@cacheable
def search() -> ResponseReturnValue:
    query = " ".join((request.args.get("q") or "").split())[:MAX_QUERY]
    hits = search_all(query, MAX_HITS) if query else []
    response = Response(render_template("search/results.html", query=query, hits=hits))
    return conditional(response, max_age=60)


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"] + path


def _lastmod(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"<lastmod>{value.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}</lastmod>"
    return f"<lastmod>{value.isoformat()}</lastmod>"


def _xml(body: str) -> Response:
    response = Response(XML_HEAD + body, mimetype="application/xml")
    return conditional(response, max_age=3600)


def _site_pages() -> list[tuple[str, None]]:
    from portal.core.nav import main_nav
    from portal.pages import content

    paths = [url_for("pages.home")]
    paths += [url_for(item.endpoint) for item in main_nav()]
    paths += [url_for("pages.page", slug=slug) for slug in content.slugs()]
    return [(p, None) for p in dict.fromkeys(paths)]


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
    urls = "".join(
        f"<url><loc>{escape(_absolute(path))}</loc>{_lastmod(lastmod)}</url>"
        for path, lastmod in islice(entries, SITEMAP_MAX_URLS)
    )
    return _xml(f'<urlset xmlns="{SITEMAP_NS}">{urls}</urlset>\n')


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
