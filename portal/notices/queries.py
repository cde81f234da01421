"""Read-side queries shared by the public pages, feeds, API, search and sitemap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _

from portal.core import markdown
from portal.core.extensions import db
from portal.core.i18n import localized
from portal.core.models import utcnow
from portal.core.pagecache import per_version
from portal.notices.models import Category, Notice, NoticeStatus
from portal.search.registry import SITEMAP_MAX_URLS, SearchHit, like_pattern


def public_filter(now: dt.datetime | None = None) -> sa.ColumnElement[bool]:
    """Published or withdrawn (a withdrawn notice keeps its address), not scheduled, and not
    past the publication period of the record it announces (`public_until`)."""
    now = now or utcnow()
    return sa.and_(
        Notice.status.in_((NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN)),
        Notice.published_at <= now,
        sa.or_(Notice.public_until.is_(None), Notice.public_until > now),
    )


def next_expiry(now: dt.datetime | None = None) -> dt.datetime | None:
    """The next moment a public notice leaves public view by itself (its record's
    publication period ends), for caches that must not outlive it."""
    return db.session.scalar(
        sa.select(sa.func.min(Notice.public_until)).where(
            Notice.public_until > (now or utcnow()),
            Notice.status.in_((NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN)),
        )
    )


def public_notices(category: str | None = None, county: str | None = None) -> sa.Select[Any]:
    """Newest first; the list pages show only columns of the notice row itself (no N+1)."""
    query = sa.select(Notice).where(public_filter())
    if category:
        query = query.where(Notice.category == category)
    if county:
        query = query.where(Notice.county == county)
    return query.order_by(Notice.published_at.desc(), Notice.id.desc())


def next_change(now: dt.datetime) -> dt.datetime | None:
    """The page cache's next time-driven change: a scheduled notice going live or an EIA
    comment period closing (the notice page then drops its form)."""
    going_live = (
        sa.select(sa.func.min(Notice.published_at))
        .where(Notice.status == NoticeStatus.PUBLISHED, Notice.published_at > now)
        .scalar_subquery()
    )
    closing = (
        sa.select(sa.func.min(Notice.comments_close_at))
        .where(Notice.category == Category.EIA, Notice.comments_close_at > now)
        .scalar_subquery()
    )
    moments = db.session.execute(sa.select(going_live, closing)).one()
    found = [m if m.tzinfo else m.replace(tzinfo=dt.UTC) for m in moments if m is not None]
    return min(found) if found else None


@per_version
def public_count(category: str | None = None, county: str | None = None) -> int:
    """The lists' "N notices": a count over every public notice, once per publication."""
    query = sa.select(sa.func.count()).select_from(Notice).where(public_filter())
    if category:
        query = query.where(Notice.category == category)
    if county:
        query = query.where(Notice.county == county)
    return int(db.session.scalar(query) or 0)


def check_category(category: str | None) -> str | None:
    if category in (None, ""):
        return None
    if category not in frozenset(Category):
        abort(404)
    return category


def check_county(county: str | None) -> str | None:
    from portal.core import counties

    if county in (None, ""):
        return None
    if county not in counties.codes():
        abort(404)
    return county


def public_notice_or_404(notice_id: int, *options: Any) -> Notice:
    notice = db.session.scalar(
        sa.select(Notice).where(Notice.id == notice_id, public_filter()).options(*options)
    )
    if notice is None:
        abort(404)
    return notice


def latest(limit: int = 5) -> list[Notice]:
    return list(db.session.scalars(public_notices().limit(limit)))


def search_notices(query: str, limit: int) -> list[SearchHit]:
    """Substring match over title, summary and body in both languages (works for Chinese);
    withdrawn notices are found by title only, their body being no longer public."""
    pattern = like_pattern(query.strip().lower())
    live = sa.and_(
        Notice.status == NoticeStatus.PUBLISHED, Notice.search_text.like(pattern, escape="\\")
    )
    gone = sa.and_(
        Notice.status == NoticeStatus.WITHDRAWN,
        sa.or_(
            sa.func.lower(Notice.title_zh).like(pattern, escape="\\"),
            sa.func.lower(Notice.title_en).like(pattern, escape="\\"),
        ),
    )
    rows = db.session.scalars(
        sa.select(Notice)
        .where(public_filter(), sa.or_(live, gone))
        .order_by(Notice.published_at.desc(), Notice.id.desc())
        .limit(limit)
    )
    hits = []
    for notice in rows:
        title = localized(notice.title_zh, notice.title_en)
        if notice.is_withdrawn:
            title = _("[Withdrawn] %(title)s", title=title)
            summary = notice.withdrawn_reason or ""
        else:
            summary = markdown.plain(localized(notice.summary_zh, notice.summary_en), 160)
        hits.append(
            SearchHit(
                kind_label=_("Notice") + " · " + notice.category_label,
                title=title,
                url=f"/notices/{notice.id}",
                summary=summary,
                date=notice.published_at,
            )
        )
    return hits


def sitemap_entries() -> Iterator[tuple[str, dt.datetime | None]]:
    newest = db.session.execute(
        sa.select(Notice.published_at, Notice.revised_at)
        .where(public_filter())
        .order_by(Notice.published_at.desc())
        .limit(1)
    ).first()
    if newest is not None:
        yield "/notices/", max(v for v in newest if v is not None)
    else:
        from portal.search.registry import template_lastmod

        yield "/notices/", template_lastmod("notices/index.html")
    rows = db.session.execute(
        sa.select(Notice.id, Notice.published_at, Notice.revised_at)
        .where(public_filter())
        .order_by(Notice.published_at.desc(), Notice.id.desc())
        .limit(SITEMAP_MAX_URLS - 1)
    ).yield_per(2000)
    for notice_id, published_at, revised_at in rows:
        yield f"/notices/{notice_id}", revised_at or published_at
