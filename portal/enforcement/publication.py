"""Publication periods: which cards and cases the public sees today, until when, and the
corrections shown beside a record. Read side only: nothing here writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app

from portal.core.clock import CHINA, china_date, china_today
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.enforcement.history import add_years
from portal.enforcement.models import Card, CardColor, CardState, Case, Correction, RecordKind


def today() -> dt.date:
    """Today in China, where every decision date is counted."""
    return china_today()


def period_years(serious: bool) -> int:
    key = "SERIOUS" if serious else "ORDINARY"
    return int(current_app.config[f"ENFORCEMENT_PUBLICATION_YEARS_{key}"])


def cutoffs(on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(ordinary, serious): items whose period started on or before these dates have ended."""
    on = on or today()
    return add_years(on, -period_years(False)), add_years(on, -period_years(True))


def card_public_clause(on: dt.date | None = None) -> sa.ColumnElement[bool]:
    """Cards in force are always public; ended ones for the period after their end."""
    on = on or today()
    ordinary, serious = cutoffs(on)
    return sa.and_(
        sa.or_(Card.repaired_on.is_(None), Card.repaired_on > on),
        sa.or_(
            Card.state == CardState.ACTIVE,
            sa.and_(Card.color == CardColor.RED, Card.ended_on > serious),
            sa.and_(Card.color == CardColor.YELLOW, Card.ended_on > ordinary),
        ),
    )


def case_public_clause(on: dt.date | None = None) -> sa.ColumnElement[bool]:
    on = on or today()
    ordinary, serious = cutoffs(on)
    start = sa.func.coalesce(Case.decided_on, Case.filed_on)
    return sa.and_(
        sa.or_(Case.repaired_on.is_(None), Case.repaired_on > on),
        sa.or_(
            sa.and_(Case.serious.is_(True), start > serious),
            sa.and_(Case.serious.is_(False), start > ordinary),
        ),
    )


def public_until(item: Card | Case) -> dt.date | None:
    """First day the item is no longer public (None while a card is in force)."""
    if isinstance(item, Card):
        start = None if item.state == CardState.ACTIVE else item.ended_on
        serious = item.color == CardColor.RED
    else:
        start, serious = item.reference_date, item.serious
    end = None if start is None else add_years(start, period_years(serious))
    if item.repaired_on is not None:
        end = item.repaired_on if end is None else min(end, item.repaired_on)
    return end


def is_public(item: Card | Case, on: dt.date | None = None) -> bool:
    end = public_until(item)
    return end is None or end > (on or today())


def corrections_for(kind: RecordKind, ids: Iterable[int]) -> dict[int, list[Correction]]:
    ids = list(ids)
    found: dict[int, list[Correction]] = {}
    if not ids:
        return found
    for c in db.session.scalars(
        sa.select(Correction)
        .where(Correction.object_type == kind, Correction.object_id.in_(ids))
        .order_by(Correction.corrected_at)
    ):
        found.setdefault(c.object_id, []).append(c)
    return found


def next_change(now: dt.datetime | None = None) -> dt.datetime | None:
    """The next moment (UTC) a card or case leaves public view by itself, i.e. its
    publication period ends; None if no public item has an end. A page cache keyed on the
    publication version must not serve enforcement pages (or the notices announcing these
    items, whose `public_until` is the same moment) past this time."""
    now = now or utcnow()
    on = china_date(now)
    ends: list[dt.date] = []
    for card in db.session.scalars(
        sa.select(Card).where(Card.state != CardState.ACTIVE, card_public_clause(on))
    ):
        end = public_until(card)
        if end is not None:
            ends.append(end)
    for case in db.session.scalars(sa.select(Case).where(case_public_clause(on))):
        end = public_until(case)
        if end is not None:
            ends.append(end)
    if not ends:
        return None
    china = CHINA
    return dt.datetime.combine(min(ends), dt.time(0), china).astimezone(dt.UTC)
