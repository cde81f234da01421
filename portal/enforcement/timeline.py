"""An enterprise's public record, as its page and the API show it: the timeline of cards,
lifts, escalations, repairs, inspections, cases and transfers, with the 12-quarter strip
(read side; the pure strip calculation is `history`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.core.extensions import db
from portal.enforcement import history, publication
from portal.enforcement.models import (
    Card,
    CardState,
    Case,
    Enterprise,
    Inspection,
    Outcome,
    RecordKind,
)


class EventKind(StrEnum):
    """What a line of an enterprise's timeline records (its template compares these)."""

    CARD = "card"
    LIFT = "lift"
    ESCALATE = "escalate"
    REPAIR = "repair"
    INSPECTION = "inspection"
    CASE = "case"
    TRANSFER = "transfer"


@dataclass(frozen=True)
class Event:
    """One line of an enterprise's timeline."""

    day: dt.date
    kind: EventKind
    anchor: str
    title: str
    item: Any
    public: bool


def enterprise_history(enterprise: Enterprise, *, officials: bool) -> dict[str, Any]:
    """Everything the enterprise page shows. Officials also see items whose publication
    period has ended (marked as such)."""
    on = publication.today()
    cards = list(
        db.session.scalars(
            sa.select(Card).where(Card.enterprise_id == enterprise.id).order_by(Card.decided_on)
        )
    )
    cases = list(
        db.session.scalars(
            sa.select(Case).where(Case.enterprise_id == enterprise.id).order_by(Case.filed_on)
        )
    )
    inspections = list(
        db.session.scalars(
            sa.select(Inspection)
            .where(Inspection.enterprise_id == enterprise.id)
            .order_by(Inspection.inspected_on)
        )
    )
    public_cards = {c.id: publication.is_public(c, on) for c in cards}
    public_cases = {c.id: publication.is_public(c, on) for c in cases}
    if not officials:
        cards = [c for c in cards if public_cards[c.id]]
        cases = [c for c in cases if public_cases[c.id]]
    events: list[Event] = []
    for card in cards:
        public = public_cards[card.id]
        events.append(
            Event(
                card.decided_on, EventKind.CARD, f"card-{card.id}", card.color_label, card, public
            )
        )
        if card.state != CardState.ACTIVE and card.ended_on:
            kind = EventKind.LIFT if card.lift_reason else EventKind.ESCALATE
            label = _("Card lifted") if kind == EventKind.LIFT else _("Escalated to a red card")
            events.append(Event(card.ended_on, kind, f"card-{card.id}-end", label, card, public))
        if card.repaired_on:
            events.append(
                Event(
                    card.repaired_on,
                    EventKind.REPAIR,
                    f"card-{card.id}-repair",
                    _("Credit repair approved"),
                    card,
                    public,
                )
            )
    for case in cases:
        public = public_cases[case.id]
        events.append(
            Event(case.filed_on, EventKind.CASE, f"case-{case.id}", case.type_label, case, public)
        )
        if case.police_transferred_on:
            events.append(
                Event(
                    case.police_transferred_on,
                    EventKind.TRANSFER,
                    f"case-{case.id}-transfer",
                    _("Transferred to the police"),
                    case,
                    public,
                )
            )
    for inspection in inspections:
        events.append(
            Event(
                inspection.inspected_on,
                EventKind.INSPECTION,
                f"inspection-{inspection.id}",
                inspection.outcome_label,
                inspection,
                True,
            )
        )
    events.sort(key=lambda e: (e.day, e.anchor), reverse=True)
    strip = history.quarter_strip(
        on,
        [history.CardSpan(c.decided_on, c.ended_on) for c in cards],
        [(i.inspected_on, i.outcome != Outcome.NO_PROBLEM) for i in inspections],
        [c.filed_on for c in cases],
    )
    current = next((c for c in cards if c.state == CardState.ACTIVE), None)
    corrections = {
        RecordKind.CARD: publication.corrections_for(RecordKind.CARD, [c.id for c in cards]),
        RecordKind.CASE: publication.corrections_for(RecordKind.CASE, [c.id for c in cases]),
        RecordKind.INSPECTION: publication.corrections_for(
            RecordKind.INSPECTION, [i.id for i in inspections]
        ),
    }
    return {
        "events": events,
        "strip": strip,
        "current_card": current,
        "cards": cards,
        "cases": cases,
        "inspections": inspections,
        "public_cards": public_cards,
        "public_cases": public_cases,
        "corrections": corrections,
    }
