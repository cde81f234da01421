"""Red and yellow cards: a decision (or an escalation from yellow to red) and its lifting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.core import audit
from portal.core.extensions import db
from portal.core.problems import Problems, Refusal
from portal.enforcement import announcements
from portal.enforcement.models import Card, CardColor, CardState
from portal.enforcement.publication import today
from portal.enforcement.registry import find_enterprise
from portal.enforcement.service import (
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
    problems: Problems,
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
    check_decision_number(problems, Card, number, card_id, "card_number_taken")
    if len(authority) > 200:
        problems.add("authority_too_long", "authority")
    # The decision date gets one refusal: the order of the dates when it is wrong, else
    # the future. Listed first if the date is in the future, else after the deadline's.
    order: str | None = None
    if escalated_from is not None and decided_on < escalated_from.decided_on:
        order = "red_before_yellow"
    elif ended_on is not None and ended_on < decided_on:
        order = "lifted_before_decision"
    future = decided_on > today()
    if future:
        problems.add(order or "decided_in_future", "decided_on")
    if deadline is not None and deadline < decided_on:
        problems.add("deadline_before_decision", "deadline")
    if order and not future:
        problems.add(order, "decided_on")


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
            raise Refusal("escalated_card_unknown", "escalate_number")
    color, decided_on, deadline = data.color, data.decided_on, data.deadline
    problems = Problems()
    escalation_not_red = escalate is not None and color != CardColor.RED
    color_known = color in tuple(CardColor)
    if not color_known:
        # An escalation to anything but a red card is refused as such (here, not below).
        problems.add("escalation_not_red" if escalation_not_red else "card_color_invalid", "color")
    number = require_text(problems, "number", data.number, _l("Decision number"))
    authority = require_text(problems, "authority", data.authority, _l("Deciding authority"))
    reasons = require_text(problems, "reasons", data.reasons, _l("Reasons"))
    measures = require_text(problems, "measures", data.measures, _l("Measures"))
    check_card(
        problems,
        number=number,
        authority=authority,
        decided_on=decided_on,
        deadline=deadline,
        escalated_from=escalate,
    )
    if escalate is not None:
        if escalate.color != CardColor.YELLOW or escalate.state != CardState.ACTIVE:
            problems.add("escalated_card_not_yellow_in_force")
        if escalation_not_red and color_known:
            problems.add("escalation_not_red", "color")
    elif color and db.session.scalar(
        sa.select(Card.id).where(
            Card.enterprise_id == enterprise.id, Card.state == CardState.ACTIVE
        )
    ):
        problems.add("card_in_force_exists")
    problems.check()
    card = Card(
        enterprise=enterprise,
        color=color,
        number=number,
        decided_on=decided_on,
        authority=authority,
        reasons=reasons,
        measures=measures,
        deadline=deadline,
        state=CardState.ACTIVE,
        recorded_by=actor(),
        escalated_from=escalate,
    )
    db.session.add(card)
    if escalate is not None:
        before = snapshot(escalate)
        escalate.state, escalate.ended_on = CardState.ESCALATED, decided_on
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
    problems = Problems()
    if card.state != CardState.ACTIVE:
        problems.add("card_not_in_force")
    reason = require_text(problems, "reason", data.reason, _l("Reason"))
    evidence = require_text(problems, "evidence", data.evidence, _l("Evidence"))
    if lifted_on > today():
        problems.add("lifted_in_future", "lifted_on")
    elif lifted_on < card.decided_on:
        problems.add("lifted_before_decision", "lifted_on")
    problems.check()
    before = snapshot(card)
    card.state, card.ended_on = CardState.LIFTED, lifted_on
    card.lift_reason, card.lift_evidence = reason, evidence
    db.session.flush()
    audit.record("lift", "card", card.number, before=before, after=snapshot(card), reason=reason)
    card.lift_notice_id = announcements.card_lifted(card)
    announcements.period_changed(card)
    db.session.commit()
    return card
