"""Changing what was published: a credit repair ends a card's or case's publication early;
a correction changes one field and keeps the old value and the reason beside the record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.core import audit
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.problems import Problems, Refusal
from portal.enforcement import announcements, cards, cases
from portal.enforcement.models import (
    Card,
    CardState,
    Case,
    CaseStatus,
    Correction,
    Inspection,
    RecordKind,
)
from portal.enforcement.publication import is_public, public_until, today
from portal.enforcement.service import actor, require_county, require_text

KINDS: dict[type, RecordKind] = {
    Card: RecordKind.CARD,
    Case: RecordKind.CASE,
    Inspection: RecordKind.INSPECTION,
}


@dataclass
class Repair:
    repaired_on: dt.date
    reason: str


@dataclass
class CorrectionData:
    field: str
    value: str
    reason: str


def repair(item: Card | Case, data: Repair) -> None:
    """An approved credit repair ends publication early; the record and its reason stay."""
    require_county(item.enterprise.county)
    repaired_on = data.repaired_on
    problems = Problems()
    reason = require_text(problems, "reason", data.reason, _l("Reason"))
    # One refusal for the whole form: a card in force is the first thing to change.
    if isinstance(item, Card) and item.state == CardState.ACTIVE:
        problems.add("repair_of_card_in_force")
    elif item.repaired_on is not None:
        problems.add("repair_already_recorded")
    if repaired_on > today():
        problems.add("repaired_in_future", "repaired_on")
    problems.check()
    item.repaired_on, item.repair_reason = repaired_on, reason
    db.session.flush()
    audit.record(
        "credit_repair",
        KINDS[type(item)],
        item.number,
        after={"repaired_on": repaired_on},
        reason=reason,
    )
    announcements.repaired(item)
    db.session.commit()


CORRECTABLE = {
    RecordKind.CARD: ("number", "authority", "reasons", "measures", "deadline", "decided_on"),
    RecordKind.CASE: (
        "number",
        "facts",
        "legal_basis",
        "fine_yuan",
        "daily_penalty_yuan",
        "police_outcome",
        "status",
        "decided_on",
    ),
    RecordKind.INSPECTION: ("items_checked", "findings", "follow_up", "inspected_on"),
}


def _parse_value(name: str, raw: str) -> Any:
    raw = raw.strip()
    if name in ("deadline", "decided_on", "inspected_on"):
        if not raw and name == "deadline":
            return None
        return dt.date.fromisoformat(raw)
    if name in ("fine_yuan", "daily_penalty_yuan"):
        value = Decimal(raw.replace(",", ""))
        if value < 0 or not value.is_finite():
            raise ValueError(name)
        return value.quantize(Decimal("0.01"))
    if name == "status" and raw not in tuple(CaseStatus):
        raise ValueError(name)
    if not raw and name not in ("follow_up", "police_outcome"):
        raise ValueError(name)
    return raw or None


def _check(item: Card | Case | Inspection, name: str, value: Any) -> Problems:
    """Run the checks made when the record was created on its values after the correction."""

    def after(field: str) -> Any:
        return value if field == name else getattr(item, field)

    problems = Problems()
    if isinstance(item, Card):
        cards.check_card(
            problems,
            number=after("number"),
            authority=after("authority"),
            decided_on=after("decided_on"),
            deadline=after("deadline"),
            ended_on=item.ended_on,
            escalated_from=item.escalated_from,
            card_id=item.id,
        )
    elif isinstance(item, Case):
        cases.check_case(
            problems,
            number=after("number"),
            status=after("status"),
            filed_on=item.filed_on,
            decided_on=after("decided_on"),
            police_transferred_on=item.police_transferred_on,
            fine_yuan=after("fine_yuan"),
            daily_penalty_yuan=after("daily_penalty_yuan"),
            case_id=item.id,
        )
    else:
        cases.check_inspection(problems, inspected_on=after("inspected_on"))
    return problems


def correct(item: Card | Case | Inspection, data: CorrectionData) -> Correction:
    """Change one field; the old value and the reason stay visible beside the record."""
    require_county(item.enterprise.county)
    kind, name = KINDS[type(item)], data.field
    problems = Problems()
    reason = require_text(problems, "reason", data.reason, _l("Reason"))
    value: Any = None
    if name not in CORRECTABLE[kind]:
        problems.add("field_not_correctable", "field")
    else:
        try:
            value = _parse_value(name, data.value or "")
        except (ValueError, InvalidOperation):
            problems.add("value_invalid", "value")
    problems.check()
    old = getattr(item, name)
    if old == value:
        raise Refusal("value_unchanged", "value")
    # The form has one value field: every refusal of the corrected record is its refusal.
    Problems(
        r.on("value") for r in _check(item, name, value)
    ).check()
    was_public = not isinstance(item, Inspection) and is_public(item)
    setattr(item, name, value)
    if was_public and not is_public(item):  # type: ignore[arg-type]
        setattr(item, name, old)
        raise Refusal(
            "correction_ends_publication",
            "value",
            date=public_until(item),  # type: ignore[arg-type]
        )
    correction = Correction(
        object_type=kind,
        object_id=item.id,
        field=name,
        old_value=None if old is None else str(old),
        new_value=None if value is None else str(value),
        reason=reason,
        corrected_at=utcnow(),
        corrected_by=actor(),
    )
    db.session.add(correction)
    db.session.flush()
    audit.record(
        "correct",
        kind,
        item.id,
        before={name: old},
        after={name: value},
        reason=reason,
    )
    if not isinstance(item, Inspection):
        announcements.period_changed(item)
    db.session.commit()
    return correction
