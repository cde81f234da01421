"""A published notice as a core Publication, for e-mail subscribers (portal.core.publications).

Water-quality notices are the "water" topic, cards/inspections/cases "enforcement", the rest
"notices" with their category. Called inside the publishing transaction (never commits).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.publications import Publication, Topic, publish
from portal.notices.models import Category, Notice, NoticeStatus

# Categories that are a publication topic of their own (core.publications.Topic).
TOPIC_OF_CATEGORY: dict[str, Topic] = {
    Category.WATER_QUALITY: Topic.WATER,
    Category.CARDS: Topic.ENFORCEMENT,
    Category.INSPECTIONS: Topic.ENFORCEMENT,
    Category.CASES: Topic.ENFORCEMENT,
}


def publish_notice(notice: Notice) -> None:
    """Tell subscribers, in the caller's transaction; a notice scheduled for later is told
    when its time comes (`announce_due`, run by the delivery worker's sweep)."""
    if notice.published_at is not None and notice.published_at > utcnow():
        notice.announcement_due = True
        return
    notice.announcement_due = False
    publish(
        Publication(
            topic=TOPIC_OF_CATEGORY.get(notice.category, Topic.NOTICES),
            source=f"notice:{notice.id}:v{notice.version}",
            path=notice.link or f"/notices/{notice.id}",
            title_zh=notice.title_zh,
            summary_zh=notice.summary_zh or "",
            title_en=notice.title_en,
            summary_en=notice.summary_en,
            counties=(notice.county,) if notice.county else (),
            category=notice.category,
        )
    )


def announce_due(now: dt.datetime | None = None) -> int:
    """Send the publication of every scheduled notice whose time has come (once: the flag is
    cleared in the same transaction as the outbox row is written). Returns how many."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Notice)
        .where(
            Notice.announcement_due.is_(True),
            Notice.status == NoticeStatus.PUBLISHED,
            Notice.published_at <= now,
        )
        .order_by(Notice.published_at, Notice.id)
        .with_for_update(skip_locked=True)
    ).all()
    for notice in due:
        publish_notice(notice)
    db.session.commit()
    return len(due)
