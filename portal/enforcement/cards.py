"""Red and yellow cards: a decision (or an escalation from yellow to red) and its lifting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.core import audit
from portal.core.extensions import db
from portal.enforcement import announcements
from portal.enforcement.models import ACTIVE, ESCALATED, LIFTED, RED, YELLOW, Card
from portal.enforcement.publication import today
from portal.enforcement.registry import find_enterprise
from portal.enforcement.service import (
    Problems,
    actor,
    check_decision_number,
    require_county,
    require_text,
)


@dataclass
class CardDecision:
    enterprise_code: str
    color: str
    number: str
    decided_on: dt.date
    authority: str
    reasons: str
    measures: str
    deadline: dt.date | None = None
    # The decision number of the yellow card in force that this red card replaces.
    escalate_number: str | None = None


@dataclass
class Lifting:
    lifted_on: dt.date
    reason: str
    evidence: str


def snapshot(card: Card) -> dict[str, Any]:
    return {
        "number": card.number,
        "enterprise": card.enterprise.code if card.enterprise else card.enterprise_id,
        "color": card.color,
        "state": card.state,
        "decided_on": card.decided_on,
        "deadline": card.deadline,
        "ended_on": card.ended_on,
    }


def check_card(
    errors: dict[str, str],
    *,
    number: str,
    authority: str,
    decided_on: dt.date,
    deadline: dt.date | None,
    ended_on: dt.date | None = None,
    escalated_from: Card | None = None,
    card_id: int | None = None,
) -> None:
    """The checks a card's values pass, at the decision and at every correction."""
    check_decision_number(
        errors,
        Card,
        number,
        card_id,
        _("A card with decision number %(number)s exists.", number=number),
    )
    if len(authority) > 200:
        errors["authority"] = _("The deciding authority is longer than 200 characters.")
    if decided_on > today():
        errors["decided_on"] = _("The decision date cannot be in the future.")
    if deadline is not None and deadline < decided_on:
        errors["deadline"] = _("The rectification deadline is before the decision.")
    if ended_on is not None and ended_on < decided_on:
        errors["decided_on"] = _("A card cannot be lifted before it was decided.")
    if escalated_from is not None and decided_on < escalated_from.decided_on:
        errors["decided_on"] = _("The red card cannot precede the yellow card.")


def decide_card(data: CardDecision) -> Card:
    """Record a card decision; with `escalate_number`, a red card that replaces that
    yellow one."""
    enterprise = find_enterprise(data.enterprise_code)
    escalate = None
    if (data.escalate_number or "").strip():
        escalate = db.session.scalar(
            sa.select(Card).where(
                Card.number == (data.escalate_number or "").strip(),
                Card.enterprise_id == enterprise.id,
            )
        )
        if escalate is None:
            raise Problems({"escalate_number": _("No card of this enterprise has this number.")})
    color, decided_on, deadline = data.color, data.decided_on, data.deadline
    errors: dict[str, str] = {}
    if color not in (YELLOW, RED):
        errors["color"] = _("Choose a yellow or a red card.")
    number = require_text(errors, "number", data.number, _("Decision number"))
    authority = require_text(errors, "authority", data.authority, _("Deciding authority"))
    reasons = require_text(errors, "reasons", data.reasons, _("Reasons"))
    measures = require_text(errors, "measures", data.measures, _("Measures"))
    check_card(
        errors,
        number=number,
        authority=authority,
        decided_on=decided_on,
        deadline=deadline,
        escalated_from=escalate,
    )
    if escalate is not None:
        if escalate.color != YELLOW or escalate.state != ACTIVE:
            errors[""] = _("Only a yellow card in force can be escalated to red.")
        if color != RED:
            errors["color"] = _("An escalation is a red card.")
    elif color and db.session.scalar(
        sa.select(Card.id).where(Card.enterprise_id == enterprise.id, Card.state == ACTIVE)
    ):
        errors[""] = _(
            "This enterprise already has a card in force: lift it, or escalate a yellow card."
        )
    if errors:
        raise Problems(errors)
    card = Card(
        enterprise=enterprise,
        color=color,
        number=number,
        decided_on=decided_on,
        authority=authority,
        reasons=reasons,
        measures=measures,
        deadline=deadline,
        state=ACTIVE,
        recorded_by=actor(),
        escalated_from=escalate,
    )
    db.session.add(card)
    if escalate is not None:
        before = snapshot(escalate)
        escalate.state, escalate.ended_on = ESCALATED, decided_on
        db.session.flush()
        audit.record(
            "escalate",
            "card",
            escalate.number,
            before=before,
            after=snapshot(escalate),
            reason=reasons,
        )
    db.session.flush()
    audit.record("create", "card", card.number, after=snapshot(card))
    card.decision_notice_id = announcements.card_decided(card)
    if escalate is not None:
        announcements.period_changed(escalate)
    db.session.commit()
    return card


def lift_card(card: Card, data: Lifting) -> Card:
    require_county(card.enterprise.county)
    lifted_on = data.lifted_on
    errors: dict[str, str] = {}
    if card.state != ACTIVE:
        errors[""] = _("This card is no longer in force.")
    reason = require_text(errors, "reason", data.reason, _("Reason"))
    evidence = require_text(errors, "evidence", data.evidence, _("Evidence"))
    if lifted_on < card.decided_on:
        errors["lifted_on"] = _("A card cannot be lifted before it was decided.")
    if lifted_on > today():
        errors["lifted_on"] = _("The lifting date cannot be in the future.")
    if errors:
        raise Problems(errors)
    before = snapshot(card)
    card.state, card.ended_on = LIFTED, lifted_on
    card.lift_reason, card.lift_evidence = reason, evidence
    db.session.flush()
    audit.record("lift", "card", card.number, before=before, after=snapshot(card), reason=reason)
    card.lift_notice_id = announcements.card_lifted(card)
    announcements.period_changed(card)
    db.session.commit()
    return card
