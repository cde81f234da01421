"""Markdown → safe HTML. Bodies are stored as written; only the rendering is sanitized."""

from __future__ import annotations

from functools import cache, lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set()}


@cache
def _parser() -> MarkdownIt:
    # Raw HTML is not interpreted at all; nh3 below is the second line of defence.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


# Pure functions of the text, and the same bodies are rendered again and again (feeds, lists,
# a notice's page): remember the last few thousand (a cache miss then costs no markdown work).
@lru_cache(maxsize=4096)
def render(text: str | None) -> Markup:
    html = _parser().render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above


@lru_cache(maxsize=8192)
def plain(text: str | None, limit: int = 200) -> str:
    """Text without markup, e.g. for summaries and meta descriptions."""
    stripped = nh3.clean(str(_parser().render(text or "")), tags=set()).strip()
    return stripped if len(stripped) <= limit else stripped[: limit - 1] + "…"
