"""Read side of the water duties that fall due with time: quarters due for publication
(the publication calendar) and explanations of exceedances due after publication.
``next_change(now)`` is the next moment one of these public marks flips by itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from portal.core import counties
from portal.core.extensions import db
from portal.water import calendar
from portal.water.models import WaterEvaluation, WaterExplanation, WaterPublication, WaterSample


@dataclass(frozen=True)
class Due:
    quarter: str
    due: dt.date  # the last day on which publishing is on time


@dataclass(frozen=True)
class CountyCalendar:
    county: str
    overdue: tuple[Due, ...]  # oldest first
    next: Due  # the next quarter to fall due


@dataclass(frozen=True)
class ExplanationTask:
    county: str
    quarter: str
    site_id: int
    site_code: str
    due: dt.date
    overdue: bool


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def due_days() -> int:
    return int(current_app.config.get("WATER_PUBLICATION_DUE_DAYS", 30))


def explanation_days() -> int:
    return int(current_app.config.get("WATER_EXPLANATION_DUE_DAYS", 10))


def calendar_start() -> str | None:
    """The calendar runs from the first quarter the region has any results for."""
    firsts = [
        db.session.scalar(sa.select(sa.func.min(WaterSample.quarter))),
        db.session.scalar(sa.select(sa.func.min(WaterPublication.quarter))),
    ]
    found = [q for q in firsts if q]
    return min(found) if found else None


def _published() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for county, quarter in db.session.execute(
        sa.select(WaterPublication.county, WaterPublication.quarter).where(
            WaterPublication.current.is_(True)
        )
    ):
        out.setdefault(county, set()).add(quarter)
    return out


def county_calendars(now: dt.datetime | None = None) -> dict[str, CountyCalendar]:
    """Every county's overdue quarters and the next one to fall due."""
    now = now or now_utc()
    days = due_days()
    start, published = calendar_start(), _published()
    nxt = calendar.next_due(now, days)
    return {
        c: CountyCalendar(
            c,
            tuple(
                Due(q, calendar.due_date(q, days))
                for q in calendar.overdue(start, published.get(c, ()), now, days)
            ),
            Due(nxt, calendar.due_date(nxt, days)),
        )
        for c in counties.codes()
    }


# --- explanations ----------------------------------------------------------------------


def first_published(county: str, quarter: str) -> dt.datetime | None:
    return db.session.scalar(
        sa.select(sa.func.min(WaterPublication.published_at)).where(
            WaterPublication.county == county, WaterPublication.quarter == quarter
        )
    )


def explanation_due(first: dt.datetime) -> dt.date:
    """The last day for the explanation: N days after the quarter was first published."""
    return calendar.china_today(first) + dt.timedelta(days=explanation_days())


def explanation_site(county: str, quarter: str, code: str) -> int | None:
    """The id of site ``code`` if it has samples in the county's quarter."""
    from portal.water.models import WaterSite

    return db.session.scalar(
        sa.select(WaterSite.id)
        .join(WaterSample, WaterSample.site_id == WaterSite.id)
        .where(WaterSite.code == code, WaterSample.county == county, WaterSample.quarter == quarter)
        .limit(1)
    )


def explanation(county: str, quarter: str, site_id: int) -> WaterExplanation | None:
    return db.session.scalar(
        sa.select(WaterExplanation).where(
            WaterExplanation.county == county,
            WaterExplanation.quarter == quarter,
            WaterExplanation.site_id == site_id,
            WaterExplanation.current.is_(True),
        )
    )


def explanation_tasks(
    scope: str | None = None, now: dt.datetime | None = None
) -> list[ExplanationTask]:
    """Failed or inconclusive sites of current publications still without an explanation
    (within ``scope``, a county; None: the region), oldest due first."""
    from portal.water.models import WaterSite

    now = now or now_utc()
    q = (
        sa.select(WaterPublication.county, WaterPublication.quarter, WaterSite.id, WaterSite.code)
        .join(WaterEvaluation, WaterEvaluation.publication_id == WaterPublication.id)
        .join(WaterSite, WaterSite.id == WaterEvaluation.site_id)
        .where(
            WaterPublication.current.is_(True),
            sa.or_(WaterEvaluation.compliant.is_(False), WaterEvaluation.compliant.is_(None)),
        )
        .distinct()
    )
    if scope is not None:
        q = q.where(WaterPublication.county == scope)
    written = set(
        db.session.execute(
            sa.select(
                WaterExplanation.county, WaterExplanation.quarter, WaterExplanation.site_id
            ).where(WaterExplanation.current.is_(True))
        ).all()
    )
    firsts = {
        (c, qu): at
        for c, qu, at in db.session.execute(
            sa.select(
                WaterPublication.county,
                WaterPublication.quarter,
                sa.func.min(WaterPublication.published_at),
            ).group_by(WaterPublication.county, WaterPublication.quarter)
        )
    }
    today = calendar.china_today(now)
    tasks = []
    for county, quarter, site_id, code in db.session.execute(q):
        if (county, quarter, site_id) in written:
            continue
        due = explanation_due(firsts[(county, quarter)])
        tasks.append(ExplanationTask(county, quarter, site_id, code, due, today > due))
    return sorted(tasks, key=lambda t: (t.due, t.county, t.site_code))


# --- the next time-driven change ---------------------------------------------------------


def _midnight_after(day: dt.date) -> dt.datetime:
    nxt = day + dt.timedelta(days=1)
    return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=calendar.CHINA).astimezone(dt.UTC)


def next_change(now: dt.datetime) -> dt.datetime:
    """The next moment (UTC) at which a public mark flips without any write: a quarter
    turning "not yet published" in some county, or an explanation turning overdue.  For
    the page cache: pages showing these marks are valid until then (or the next write)."""
    days = due_days()
    published = _published()
    quarter = calendar.next_due(now, days)
    # A county may publish early; the mark flips only where the quarter is still missing.
    while all(quarter in published.get(c, ()) for c in counties.codes()):
        quarter = calendar.next_quarter(quarter)
    moments = [calendar.overdue_from(quarter, days)]
    moments += [_midnight_after(t.due) for t in explanation_tasks(now=now) if not t.overdue]
    return min(m for m in moments if m > now)
