"""Search providers: each feature registers a function that finds its public records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app


@dataclass(frozen=True)
class SearchHit:
    kind_label: str  # e.g. "Notice", "Enterprise" (translated)
    title: str
    url: str  # a site path
    summary: str
    date: dt.datetime | dt.date | None


Provider = Callable[[str, int], list[SearchHit]]
KEY = "search_providers"


def register_provider(app: Flask, name: str, fn: Provider) -> None:
    """`fn(query, limit)` returns at most `limit` public hits, newest first."""
    providers: dict[str, Provider] = app.extensions.setdefault(KEY, {})
    providers[name] = fn


def providers() -> dict[str, Provider]:
    return current_app.extensions.get(KEY, {})


def _sort_key(hit: SearchHit) -> dt.datetime:
    value = hit.date
    if value is None:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def search_all(query: str, limit: int) -> list[SearchHit]:
    """Every provider's hits merged, most recent first (undated last)."""
    hits: list[SearchHit] = []
    for fn in providers().values():
        hits.extend(fn(query, limit))
    hits.sort(key=_sort_key, reverse=True)
    return hits[:limit]


def like_pattern(query: str) -> str:
    """A LIKE pattern matching `query` anywhere, its own % _ and \\ taken literally
    (use with escape="\\"). Substring match works for Chinese, which has no word breaks."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- sitemap ------------------------------------------------------------------------------

SitemapEntry = tuple[str, dt.datetime | dt.date | None]  # (site path, last modified)
SitemapSource = Callable[[], Iterable[SitemapEntry]]
SITEMAP_KEY = "sitemap_sources"
SITEMAP_MAX_URLS = 50_000  # the sitemaps.org limit per file


def register_sitemap(app: Flask, name: str, fn: SitemapSource) -> None:
    """`fn()` yields (path, lastmod) for public pages, at most SITEMAP_MAX_URLS, newest first."""
    if not name.replace("-", "").isalnum():
        raise ValueError("sitemap source names are letters, digits and hyphens")
    app.extensions.setdefault(SITEMAP_KEY, {})[name] = fn


def sitemap_sources() -> dict[str, SitemapSource]:
    return current_app.extensions.get(SITEMAP_KEY, {})


def template_lastmod(name: str) -> dt.datetime:
    """For a page that shows no records (a form, a static text): when its file last changed."""
    from pathlib import Path

    from portal.config import ROOT

    path = Path(ROOT, "templates", name)
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(microsecond=0)
