"""What the public water pages show at the top: dated verdicts, late quarters and, for a
failed or inconclusive result, the reason, since when, the health note and the water
officer's explanation (or when it is due).  Read side only; views stay thin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import get_locale

from portal.core.extensions import db
from portal.water import calendar, explain, health, overdue, queries
from portal.water.models import WaterEvaluation, WaterExplanation, WaterPublication
from portal.water.snapshot import PublishedSite

HISTORY = 40  # samples looked back for "since when"


@dataclass
class Exceedance:
    evaluation: WaterEvaluation
    site: PublishedSite
    reasons: list[explain.Reason]
    since: dict[str, str | None]
    notes: dict[str, health.HealthNote | None]
    explanation: WaterExplanation | None
    due: dt.date | None
    overdue: bool
    parameters: list[str] = field(default_factory=list)


def _history(site_id: int) -> list[dict[str, Any]]:
    from sqlalchemy.orm import undefer

    return [
        e.result
        for e in db.session.scalars(
            sa.select(WaterEvaluation)
            .options(undefer(WaterEvaluation.result))
            .where(WaterEvaluation.site_id == site_id, WaterEvaluation.current.is_(True))
            .order_by(WaterEvaluation.sampled_at.desc())
            .limit(HISTORY)
        )
    ]


def exceedance(
    e: WaterEvaluation, site: PublishedSite, now: dt.datetime | None = None
) -> Exceedance | None:
    """The summary of a failed or inconclusive published sample; None when it complies."""
    if e.compliant is True:
        return None
    doc = e.result
    reasons = explain.reasons(doc)
    history = [d for d in _history(site.id) if d["sampled_at"] <= doc["sampled_at"]]
    locale = str(get_locale() or "zh_Hans")
    pub_county = e.publication.county
    written = overdue.explanation(pub_county, e.quarter, site.id)
    due, late = None, False
    if written is None:
        first = overdue.first_published(pub_county, e.quarter)
        if first is not None:
            due = overdue.explanation_due(first)
            late = calendar.china_today(now or overdue.now_utc()) > due
    return Exceedance(
        e,
        site,
        reasons,
        {r.parameter: explain.since(history, r.parameter) for r in reasons},
        {r.parameter: health.note(r.parameter, locale) for r in reasons},
        written,
        due,
        late,
        [r.parameter for r in reasons],
    )


def county_exceedances(rows: list[tuple[WaterEvaluation, PublishedSite]]) -> list[Exceedance]:
    out = []
    for e, site in rows:
        if e.compliant is not True:
            x = exceedance(e, site)
            if x is not None:
                out.append(x)
    return out


def regional_sources(
    sources: list[tuple[WaterEvaluation, PublishedSite]],
) -> dict[str, int]:
    """The regional figure, counted from the same verdicts shown beside each source."""
    total = len(sources)
    by_class = sum(1 for e, _ in sources if e.water_class in ("I", "II", "III"))
    meeting = sum(1 for e, _ in sources if e.compliant is True)
    return {
        "total": total,
        "class_iii_or_better": by_class,
        "meeting": meeting,
        "percent": round(100 * meeting / total) if total else 0,
        "class_percent": round(100 * by_class / total) if total else 0,
    }


def dated(pubs: dict[str, WaterPublication]) -> dict[str, dict[str, Any]]:
    """Per county: the stage sampling dates of its latest publication."""
    dates = queries.sampling_dates(list(pubs.values()))
    return {c: dates.get(p.id, {}) for c, p in pubs.items()}
