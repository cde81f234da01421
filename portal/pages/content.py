"""Content pages: Markdown files with front matter, one per page and language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import frontmatter
from markupsafe import Markup
from werkzeug.security import safe_join

from portal.core.markdown import render

PAGES = Path(__file__).resolve().parents[2] / "content" / "pages"
DEFAULT_LOCALE = "zh_Hans"


@dataclass(frozen=True)
class Page:
    slug: str
    locale: str
    title: str
    summary: str
    date: dt.date | None
    body: Markup


def load(slug: str, locale: str, root: Path = PAGES) -> Page | None:
    """The page in `locale`, or in Chinese when no translation exists; None if neither does."""
    for candidate in dict.fromkeys((locale, DEFAULT_LOCALE)):
        path = safe_join(str(root), f"{slug}.{candidate}.md")
        if path is None or not Path(path).is_file():
            continue
        post = frontmatter.load(path)
        date = post.get("date")
        if isinstance(date, str):
            date = dt.date.fromisoformat(date)
        return Page(
            slug,
            candidate,
            str(post.get("title", slug)),
            str(post.get("summary", "")),
            cast("dt.date | None", date),  # YAML reads an unquoted date as a date
            render(post.content),
        )
    return None


def slugs(root: Path = PAGES) -> list[str]:
    return sorted({p.name.split(".")[0] for p in root.glob("*.md")})


def last_modified(slug: str, root: Path = PAGES) -> dt.date | dt.datetime | None:
    """The page's declared date, else when its newest language file last changed."""
    files = sorted(root.glob(f"{slug}.*.md"))
    if not files:
        return None
    page = load(slug, DEFAULT_LOCALE, root)
    if page is not None and page.date is not None:
        return page.date
    newest = max(f.stat().st_mtime for f in files)
    return dt.datetime.fromtimestamp(newest, dt.UTC).replace(microsecond=0)
