"""Read-side queries shared by the public pages, the API, downloads, search and the home page.

Everything public goes through these, so the publication-period rule is applied in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import url_for

from portal.core.extensions import db
from portal.enforcement import history, publication
from portal.enforcement.models import (
    Card,
    CardColor,
    CardState,
    Case,
    Correction,
    Draw,
    DrawStatus,
    Enterprise,
    Inspection,
    Outcome,
    RecordKind,
)
from portal.search.registry import like_pattern


def _clean(args: Mapping[str, str], name: str) -> str:
    return (args.get(name) or "").strip()[:100]


def enterprises_query(args: Mapping[str, str]) -> sa.Select[Any]:
    query = sa.select(Enterprise).order_by(Enterprise.county, Enterprise.code)
    q = _clean(args, "q")
    if q:
        pattern = like_pattern(q)
        query = query.where(
            sa.or_(
                Enterprise.name_zh.like(pattern, escape="\\"),
                Enterprise.name_en.like(pattern, escape="\\"),
                Enterprise.code.like(like_pattern(q.upper()), escape="\\"),
            )
        )
    if _clean(args, "county"):
        query = query.where(Enterprise.county == _clean(args, "county"))
    if _clean(args, "industry"):
        query = query.where(Enterprise.industry == _clean(args, "industry"))
    return query


def industries() -> list[str]:
    return list(
        db.session.scalars(sa.select(Enterprise.industry).distinct().order_by(Enterprise.industry))
    )


def cards_query(
    args: Mapping[str, str], *, lifted: bool, officials: bool = False
) -> sa.Select[Any]:
    query = sa.select(Card).join(Card.enterprise)
    if lifted:
        query = query.where(Card.state != CardState.ACTIVE).order_by(
            Card.ended_on.desc(), Card.id.desc()
        )
    else:
        query = query.where(Card.state == CardState.ACTIVE).order_by(
            sa.case((Card.color == CardColor.RED, 0), else_=1),
            Card.decided_on.desc(),
        )
    if not officials:
        query = query.where(publication.card_public_clause())
    if _clean(args, "county"):
        query = query.where(Enterprise.county == _clean(args, "county"))
    if _clean(args, "industry"):
        query = query.where(Enterprise.industry == _clean(args, "industry"))
    if _clean(args, "card") in tuple(CardColor):
        query = query.where(Card.color == _clean(args, "card"))
    return query


def card_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Card.color, sa.func.count())
        .where(Card.state == CardState.ACTIVE)
        .group_by(Card.color)
    ).all()
    counts = {CardColor.RED.value: 0, CardColor.YELLOW.value: 0}
    counts.update(dict(rows))
    return counts


def _year(args: Mapping[str, str]) -> int | None:
    raw = _clean(args, "year")
    return int(raw) if raw.isdigit() and 1990 < int(raw) < 2200 else None


def inspections_query(args: Mapping[str, str]) -> sa.Select[Any]:
    query = (
        sa.select(Inspection)
        .join(Inspection.enterprise)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
    )
    if _clean(args, "county"):
        query = query.where(Enterprise.county == _clean(args, "county"))
    if _clean(args, "industry"):
        query = query.where(Enterprise.industry == _clean(args, "industry"))
    if _clean(args, "outcome"):
        query = query.where(Inspection.outcome == _clean(args, "outcome"))
    year = _year(args)
    if year:
        query = query.where(
            Inspection.inspected_on >= dt.date(year, 1, 1),
            Inspection.inspected_on < dt.date(year + 1, 1, 1),
        )
    return query


def cases_query(args: Mapping[str, str], *, officials: bool = False) -> sa.Select[Any]:
    query = sa.select(Case).join(Case.enterprise).order_by(Case.filed_on.desc(), Case.id.desc())
    if not officials:
        query = query.where(publication.case_public_clause())
    if _clean(args, "county"):
        query = query.where(Enterprise.county == _clean(args, "county"))
    if _clean(args, "industry"):
        query = query.where(Enterprise.industry == _clean(args, "industry"))
    if _clean(args, "type"):
        query = query.where(Case.violation_type == _clean(args, "type"))
    if _clean(args, "typical") in ("1", "true", "yes"):
        query = query.where(Case.typical.is_(True))
    if _clean(args, "transferred") in ("1", "true", "yes"):
        query = query.where(Case.police_transferred_on.is_not(None))
    year = _year(args)
    if year:
        query = query.where(
            Case.filed_on >= dt.date(year, 1, 1), Case.filed_on < dt.date(year + 1, 1, 1)
        )
    q = _clean(args, "q")
    if q:
        pattern = like_pattern(q)
        query = query.where(
            sa.or_(
                Case.number.like(pattern, escape="\\"),
                Enterprise.name_zh.like(pattern, escape="\\"),
                Case.facts.like(pattern, escape="\\"),
            )
        )
    return query


def case_summary(
    officials: bool = False,
) -> tuple[list[history.SummaryRow], list[history.SummaryRow]]:
    """Cases, fines and transfers per year and quarter, counting **every** case.

    Records leave the public lists when their publication period ends (or after a credit
    repair), but a year's total must not shrink with them: the figures count each case in
    the period of its decision (or of filing while undecided), listed or not.  Nothing but
    counts and sums is published for cases no longer listed.  ``officials`` is accepted for
    the callers' sake; public and officials' totals are the same.
    """
    query = sa.select(Case.decided_on, Case.filed_on, Case.fine_yuan, Case.police_transferred_on)
    facts = [
        history.CaseFact(decided or filed, Decimal(fine or 0), transferred is not None)
        for decided, filed, fine, transferred in db.session.execute(query)
    ]
    return history.summarize(facts)


@dataclass
class Totals:
    """Everything decided in one year (``period``), or overall (``period`` None)."""

    period: str | None
    red_cards: int = 0
    yellow_cards: int = 0
    cases: int = 0
    fines: Decimal = Decimal(0)
    transfers: int = 0
    inspections: int = 0


def enforcement_totals() -> tuple[list[Totals], Totals]:
    """Per year (oldest first) and overall: cards by decision date, cases by decision date
    (filing while undecided), fines and police transfers with their case, inspections by
    inspection date.  Every record counts, whether or not it is still listed."""
    years: dict[int, Totals] = {}
    overall = Totals(None)

    def add(day: dt.date, **counts: Any) -> None:
        for row in (years.setdefault(day.year, Totals(str(day.year))), overall):
            for name, value in counts.items():
                setattr(row, name, getattr(row, name) + value)

    for day, color in db.session.execute(sa.select(Card.decided_on, Card.color)):
        add(
            day,
            red_cards=int(color == CardColor.RED),
            yellow_cards=int(color == CardColor.YELLOW),
        )
    for decided, filed, fine, transferred in db.session.execute(
        sa.select(Case.decided_on, Case.filed_on, Case.fine_yuan, Case.police_transferred_on)
    ):
        add(
            decided or filed,
            cases=1,
            fines=Decimal(fine or 0),
            transfers=int(transferred is not None),
        )
    for (day,) in db.session.execute(sa.select(Inspection.inspected_on)):
        add(day, inspections=1)
    return [years[y] for y in sorted(years)], overall


def public_case_ids(ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Case.id).where(Case.id.in_(ids), publication.case_public_clause())
        )
    )


def draws_query() -> sa.Select[Any]:
    return sa.select(Draw).order_by(Draw.committed_at.desc(), Draw.id.desc())


def draw_names(draw: Draw) -> tuple[dict[str, Enterprise], dict[str, str]]:
    from portal.enforcement.models import Inspector

    doc = draw.committed_document
    enterprises = {
        e.code: e
        for e in db.session.scalars(
            sa.select(Enterprise).where(Enterprise.code.in_(doc["entity_pool"]))
        )
    }
    inspectors = dict(
        db.session.execute(
            sa.select(Inspector.code, Inspector.name).where(
                Inspector.code.in_(doc["inspector_pool"])
            )
        ).all()
    )
    return enterprises, inspectors


def drawn_inspections(draw: Draw) -> list[Inspection]:
    return list(
        db.session.scalars(
            sa.select(Inspection)
            .where(Inspection.draw_id == draw.id)
            .order_by(Inspection.inspected_on)
        )
    )


# --- serialisation for the API and downloads ---------------------------------------------


def card_row(card: Card) -> dict[str, Any]:
    e = card.enterprise
    return {
        "decision_number": card.number,
        "card": card.color,
        "state": card.state,
        "enterprise_code": e.code,
        "enterprise_name": e.name_zh,
        "county": e.county,
        "industry": e.industry,
        "decided_on": card.decided_on,
        "authority": card.authority,
        "reasons": card.reasons,
        "measures": card.measures,
        "rectification_deadline": card.deadline,
        "ended_on": card.ended_on,
        "lift_reason": card.lift_reason,
        "lift_evidence": card.lift_evidence,
        "escalated_from": card.escalated_from.number if card.escalated_from else None,
        "url": url_for("enforcement.enterprise", code=e.code, _external=True) + f"#card-{card.id}",
    }


def inspection_row(inspection: Inspection, visible_cases: set[int] | None = None) -> dict[str, Any]:
    e = inspection.enterprise
    case = inspection.case
    show_case = case is not None and (visible_cases is None or case.id in visible_cases)
    return {
        "enterprise_code": e.code,
        "enterprise_name": e.name_zh,
        "county": e.county,
        "industry": e.industry,
        "inspected_on": inspection.inspected_on,
        "draw": inspection.draw.number if inspection.draw else None,
        "inspectors": inspection.inspectors,
        "items_checked": inspection.items_checked,
        "findings": inspection.findings,
        "outcome": inspection.outcome,
        "case_number": case.number if show_case and case else None,
        "follow_up": inspection.follow_up,
        "published_at": inspection.published_at,
    }


def case_row(case: Case) -> dict[str, Any]:
    e = case.enterprise
    return {
        "decision_number": case.number,
        "enterprise_code": e.code,
        "enterprise_name": e.name_zh,
        "county": e.county,
        "industry": e.industry,
        "filed_on": case.filed_on,
        "decided_on": case.decided_on,
        "violation_type": case.violation_type,
        "facts": case.facts,
        "legal_basis": case.legal_basis,
        "fine_yuan": case.fine_yuan,
        "daily_penalty_yuan": case.daily_penalty_yuan,
        "seizure": case.seizure,
        "production_measure": case.production_measure or None,
        "police_transferred_on": case.police_transferred_on,
        "police_outcome": case.police_outcome,
        "status": case.status,
        "typical": case.typical,
        "url": url_for("enforcement.case", slug=case.slug, _external=True),
    }


def is_problem(outcome: str) -> bool:
    return outcome != Outcome.NO_PROBLEM


def case_opened(outcome: str) -> bool:
    return outcome == Outcome.CASE_OPENED


def revealed(draw: Draw) -> bool:
    return draw.status == DrawStatus.REVEALED


def correction_list(kind: RecordKind, item_id: int) -> list[Correction]:
    return publication.corrections_for(kind, [item_id]).get(item_id, [])


def sitemap_entries() -> list[tuple[str, Any]]:
    """The enforcement pages for the sitemap: lists (dated by their newest record), every
    enterprise, draw and public case page."""
    newest = sa.func.max
    enterprises = db.session.execute(
        sa.select(Enterprise.code, Enterprise.updated_at).order_by(Enterprise.code)
    ).all()
    cards = db.session.scalar(sa.select(newest(Card.updated_at)))
    draws = db.session.execute(
        sa.select(Draw.number, Draw.updated_at).order_by(Draw.committed_at.desc())
    ).all()
    inspections = db.session.scalar(sa.select(newest(Inspection.published_at)))
    cases = db.session.execute(
        sa.select(Case.slug, Case.updated_at)
        .where(publication.case_public_clause())
        .order_by(Case.filed_on.desc())
    ).all()

    def latest(*values: Any) -> Any:
        present = [v for v in values if v is not None]
        return max(present) if present else None

    last_case = latest(*(at for _s, at in cases))
    last_draw = latest(*(at for _n, at in draws))
    last_enterprise = latest(*(at for _c, at in enterprises))
    out: list[tuple[str, Any]] = [
        ("/enforcement/", latest(cards, last_case, inspections, last_draw)),
        ("/enforcement/enterprises", last_enterprise),
        ("/enforcement/cards", cards),
        ("/enforcement/draws", last_draw),
        ("/enforcement/inspections", inspections),
        ("/enforcement/cases", last_case),
    ]
    out += [(f"/enforcement/enterprises/{code}", at) for code, at in enterprises]
    out += [(f"/enforcement/draws/{number}", at) for number, at in draws]
    out += [(f"/enforcement/cases/{slug}", at) for slug, at in cases]
    return out
