"""A published notice as a core Publication, for e-mail subscribers (portal.core.publications).

Water-quality notices are the "water" topic, cards/inspections/cases "enforcement", the rest
"notices" with their category. Called inside the publishing transaction (never commits).
"""

from __future__ import annotations

from portal.core.models import utcnow
from portal.core.publications import Publication, publish
from portal.notices.models import Category, Notice

# Categories that are a publication topic of their own (core.publications.TOPICS).
TOPIC_OF_CATEGORY: dict[str, str] = {
    Category.WATER_QUALITY: "water",
    Category.CARDS: "enforcement",
    Category.INSPECTIONS: "enforcement",
    Category.CASES: "enforcement",
}


def publish_notice(notice: Notice) -> None:
    if notice.published_at is not None and notice.published_at > utcnow():
        return  # scheduled: not public yet (not mailed; see the subscriptions README note)
    publish(
        Publication(
            topic=TOPIC_OF_CATEGORY.get(notice.category, "notices"),
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
