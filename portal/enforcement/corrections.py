"""Changing what was published: a credit repair ends a card's or case's publication early;
a correction changes one field and keeps the old value and the reason beside the record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from portal.core import audit
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.enforcement import announcements, cards, cases
from portal.enforcement.models import ACTIVE, CASE_STATUSES, Card, Case, Correction, Inspection
from portal.enforcement.publication import is_public, public_until, today
from portal.enforcement.service import Problems, actor, require_county, require_text

KINDS: dict[type, str] = {Card: "card", Case: "case", Inspection: "inspection"}


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
    errors: dict[str, str] = {}
    reason = require_text(errors, "reason", data.reason, _("Reason"))
    if item.repaired_on is not None:
        errors[""] = _("A credit repair is already recorded.")
    if repaired_on > today():
        errors["repaired_on"] = _("The repair date cannot be in the future.")
    if isinstance(item, Card) and item.state == ACTIVE:
        errors[""] = _("A card in force cannot be repaired: lift it first.")
    if errors:
        raise Problems(errors)
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
    "card": ("number", "authority", "reasons", "measures", "deadline", "decided_on"),
    "case": (
        "number",
        "facts",
        "legal_basis",
        "fine_yuan",
        "daily_penalty_yuan",
        "police_outcome",
        "status",
        "decided_on",
    ),
    "inspection": ("items_checked", "findings", "follow_up", "inspected_on"),
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
    if name == "status" and raw not in CASE_STATUSES:
        raise ValueError(name)
    if not raw and name not in ("follow_up", "police_outcome"):
        raise ValueError(name)
    return raw or None


def _check(item: Card | Case | Inspection, name: str, value: Any) -> dict[str, str]:
    """Run the checks made when the record was created on its values after the correction."""

    def after(field: str) -> Any:
        return value if field == name else getattr(item, field)

    errors: dict[str, str] = {}
    if isinstance(item, Card):
        cards.check_card(
            errors,
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
            errors,
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
        cases.check_inspection(errors, inspected_on=after("inspected_on"))
    return errors


def correct(item: Card | Case | Inspection, data: CorrectionData) -> Correction:
    """Change one field; the old value and the reason stay visible beside the record."""
    require_county(item.enterprise.county)
    kind, name = KINDS[type(item)], data.field
    errors: dict[str, str] = {}
    reason = require_text(errors, "reason", data.reason, _("Reason"))
    value: Any = None
    if name not in CORRECTABLE[kind]:
        errors["field"] = _("This field cannot be corrected.")
    else:
        try:
            value = _parse_value(name, data.value or "")
        except (ValueError, InvalidOperation):
            errors["value"] = _("The new value is not valid for this field.")
    if errors:
        raise Problems(errors)
    old = getattr(item, name)
    if old == value:
        raise Problems({"value": _("The new value is the same as the current one.")})
    problems = _check(item, name, value)
    if problems:
        # The form has one value field: every problem of the corrected record is its problem.
        raise Problems({"value": " ".join(problems.values())})
    was_public = not isinstance(item, Inspection) and is_public(item)
    setattr(item, name, value)
    if was_public and not is_public(item):  # type: ignore[arg-type]
        setattr(item, name, old)
        raise Problems(
            {
                "value": _(
                    "With this value the publication period would already have ended "
                    "(on %(date)s): a correction cannot take a record off the public pages. "
                    "Publication ends at the end of its period or by a credit repair.",
                    date=public_until(item),  # type: ignore[arg-type]
                )
            }
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
