"""The officials' read side: their dashboard lists, scoped to their county, and the
inspector list. Nothing here writes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from portal.core.extensions import db
from portal.enforcement.models import Card, Case, Draw, Enterprise, Inspector


def _scoped(query: sa.Select[Any], county_column: Any, county: str | None) -> sa.Select[Any]:
    return query.where(county_column == county) if county else query


def dashboard(county: str | None) -> dict[str, list[Any]]:
    """The newest cards, cases and draws an official of `county` (None: the region) sees."""
    cards = db.session.scalars(
        _scoped(sa.select(Card).join(Card.enterprise), Enterprise.county, county)
        .order_by(Card.state, Card.decided_on.desc())
        .limit(100)
    ).all()
    cases = db.session.scalars(
        _scoped(sa.select(Case).join(Case.enterprise), Enterprise.county, county)
        .order_by(Case.filed_on.desc())
        .limit(50)
    ).all()
    draws = db.session.scalars(
        _scoped(sa.select(Draw), Draw.county, county).order_by(Draw.committed_at.desc()).limit(30)
    ).all()
    return {"cards": list(cards), "cases": list(cases), "draws": list(draws)}


def inspectors() -> list[Inspector]:
    return list(db.session.scalars(sa.select(Inspector).order_by(Inspector.county, Inspector.code)))


def draw_by_number(number: str) -> Draw | None:
    return db.session.scalar(sa.select(Draw).where(Draw.number == number))
