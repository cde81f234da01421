"""Every public page type, as a citizen reaches it: fixed addresses, plus detail pages found
by following the first matching link on their list page (natural keys change with the demo
data; following links also proves the list links somewhere real)."""

from __future__ import annotations

import re
import urllib.request
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser


@dataclass(frozen=True)
class PageType:
    name: str
    path: str  # fixed address, or the list page to find the link on ("@name": that type's page)
    link: str | None = None  # regex of the href to follow from `path`


PAGE_TYPES = [
    PageType("home", "/"),
    PageType("content-page", "/pages/privacy"),
    PageType("login", "/admin/login"),
    PageType("search", "/search?q=%E6%B0%B4"),
    PageType("not-found", "/no-such-page"),
    PageType("notice-list", "/notices/"),
    PageType("notice-detail", "/notices/", r"^/notices/\d+$"),
    PageType("water-index", "/water/"),
    PageType("water-county", "/water/", r"^/water/counties/[a-z]+$"),
    PageType("water-site", "/water/counties/jiagedaqi", r"^/water/sites/[^/?#.]+$"),
    PageType("water-sample", "@water-site", r"^/water/samples/[^/?#.]+$"),
    PageType("water-quarter", "/water/", r"^/water/quarters/[a-z]+/\d{4}Q\d$"),
    PageType("water-sections", "/water/sections"),
    PageType("enforcement-index", "/enforcement/"),
    PageType("enforcement-enterprises", "/enforcement/enterprises"),
    PageType("enforcement-enterprise", "/enforcement/enterprises", r"^/enforcement/enterprises/[^/?#.]+$"),  # noqa: E501
    PageType("enforcement-cards", "/enforcement/cards"),
    PageType("enforcement-draws", "/enforcement/draws"),
    PageType("enforcement-draw", "/enforcement/draws", r"^/enforcement/draws/[^/?#]+$"),
    PageType("enforcement-inspections", "/enforcement/inspections"),
    PageType("enforcement-cases", "/enforcement/cases"),
    PageType("enforcement-case", "/enforcement/cases", r"^/enforcement/cases/[^/?#.]+$"),
    PageType("report-form", "/reports/new"),
    PageType("report-track", "/reports/track"),
    PageType("report-stats", "/reports/stats"),
    PageType("report-cases", "/reports/cases/"),
]  # fmt: skip


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


@cache
def resolve(base_url: str, page_type: PageType) -> str:
    """The address of one page of this type on the running portal."""
    if page_type.link is None:
        return page_type.path
    start = page_type.path
    if start.startswith("@"):
        start = resolve(base_url, next(p for p in PAGE_TYPES if p.name == start[1:]))
    with urllib.request.urlopen(base_url + start, timeout=20) as resp:  # noqa: S310
        parser = _Links()
        parser.feed(resp.read().decode("utf-8"))
    pattern = re.compile(page_type.link)
    for href in parser.hrefs:
        path = href.removeprefix(base_url)
        if pattern.match(path):
            return path
    raise AssertionError(f"{start} links to no {page_type.name} page ({page_type.link})")
