"""The one way other modules publish a notice about a record they have just published.

Called inside the caller's transaction: it flushes but never commits, so the record and
its notice are committed (or rolled back) together.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.core import audit
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.notices import service
from portal.notices.models import Category, Language, Notice, NoticeStatus
from portal.notices.publication import publish_notice


def _find(source: str) -> Notice | None:
    return db.session.scalar(sa.select(Notice).where(Notice.source == source))


def announce(
    category: str,
    title: str,
    summary: str,
    link: str,
    *,
    county: str | None = None,
    source: str,
    title_en: str | None = None,
    summary_en: str | None = None,
    published_at: dt.datetime | None = None,
    reason: str | None = None,
    public_until: dt.datetime | None = None,
) -> Notice:
    """Publish (or, for a `source` announced before, correct) a notice linking to `link`.

    `title`/`summary` are the Chinese (official) text. A second call with the same `source`
    is a correction: the notice keeps its address, the old text is kept as a version and
    the public sees "updated on …: reason" (`reason`, else a generic note).
    `public_until` is the end of the record's publication period, if it has one: the notice
    leaves every public list, page, feed, search and API answer at that moment.
    """
    if category not in frozenset(Category):
        raise ValueError(f"unknown notice category {category!r}")
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError("link must be a site path such as /water/quarters/mohe/2026Q3")
    fields = {
        "category": category,
        "county": county,
        "title_zh": title.strip()[:200],
        "title_en": (title_en or "").strip()[:200] or None,
        "summary_zh": summary.strip(),
        "summary_en": (summary_en or "").strip() or None,
        "link": link,
    }
    existing = _find(source)
    if existing is None:
        author_id, author_name = service.current_author()
        notice = Notice(
            status=NoticeStatus.PUBLISHED,
            source=source,
            author_id=author_id,
            author_name=author_name,
            language=Language.ZH_HANS,
            body_zh="",
            published_at=published_at or utcnow(),
            public_until=public_until,
            **fields,
        )
        notice.refresh_search_text()
        db.session.add(notice)
        db.session.flush()
        audit.record("announce", "notice", notice.id, after={"source": source, **fields})
        publish_notice(notice)
        return notice

    notice = existing
    before = {"status": notice.status, "version": notice.version, "title_zh": notice.title_zh}
    service.revise(notice, fields, reason or "")
    if public_until is not None:
        notice.public_until = public_until
    if notice.status == NoticeStatus.WITHDRAWN:
        # Announcing a withdrawn record again publishes it again, as a new version.
        notice.status = NoticeStatus.PUBLISHED
        notice.withdrawn_at = None
        notice.withdrawn_reason = None
        notice.revised_at = utcnow()
    db.session.flush()
    audit.record(
        "announce_update",
        "notice",
        notice.id,
        before=before,
        after={"source": source, "version": notice.version, **fields},
        reason=reason,
    )
    publish_notice(notice)
    return notice


def withdraw_announcement(source: str, reason: str) -> Notice | None:
    """Withdraw the notice announced for `source` (e.g. a record was retracted); flush only."""
    notice = _find(source)
    if notice is None or notice.status == NoticeStatus.WITHDRAWN:
        return notice
    service._withdraw(notice, reason)
    db.session.flush()
    audit.record("withdraw", "notice", notice.id, after={"source": source}, reason=reason)
    return notice


def set_public_until(notice_id: int | None, until: dt.datetime | None) -> Notice | None:
    """The announced record's publication period now ends at `until` (None: open-ended);
    flush only. Audited when it changes."""
    notice = db.session.get(Notice, notice_id) if notice_id is not None else None
    if notice is None or notice.public_until == until:
        return notice
    before = {"public_until": notice.public_until}
    notice.public_until = until
    db.session.flush()
    audit.record("public_until", "notice", notice.id, before=before, after={"public_until": until})
    return notice


def withdraw_notice(notice_id: int | None, reason: str) -> Notice | None:
    """Withdraw an announcement by its id (its record left public view early); flush only."""
    notice = db.session.get(Notice, notice_id) if notice_id is not None else None
    if notice is None or notice.status == NoticeStatus.WITHDRAWN:
        return notice
    service._withdraw(notice, reason)
    db.session.flush()
    audit.record("withdraw", "notice", notice.id, after={"source": notice.source}, reason=reason)
    return notice
