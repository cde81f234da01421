"""Inspection results and violation cases, each published and announced when recorded."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.core import audit
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.enforcement import announcements
from portal.enforcement.models import (
    CASE_OPENED,
    CASE_STATUSES,
    OUTCOMES,
    PRODUCTION_MEASURES,
    REVEALED,
    VIOLATION_TYPES,
    Case,
    Draw,
    Inspection,
)
from portal.enforcement.publication import today
from portal.enforcement.registry import find_enterprise
from portal.enforcement.service import Problems, actor, check_decision_number, require_text


@dataclass
class InspectionData:
    enterprise_code: str
    inspected_on: dt.date
    items_checked: str
    findings: str
    outcome: str
    inspectors: str = ""
    follow_up: str | None = None
    draw_number: str | None = None  # when the enterprise was drawn
    case_number: str | None = None  # when a case was opened


@dataclass
class CaseData:
    enterprise_code: str
    number: str
    filed_on: dt.date
    violation_type: str
    facts: str
    legal_basis: str
    decided_on: dt.date | None = None
    fine_yuan: Decimal | None = None
    daily_penalty_yuan: Decimal | None = None
    seizure: bool = False
    production_measure: str = ""
    police_transferred_on: dt.date | None = None
    police_outcome: str | None = None
    status: str = "decided"
    typical: bool = False
    serious: bool = False


def record_inspection(data: InspectionData) -> Inspection:
    enterprise = find_enterprise(data.enterprise_code)
    errors: dict[str, str] = {}
    draw = case = None
    if (data.draw_number or "").strip():
        draw = db.session.scalar(
            sa.select(Draw).where(Draw.number == (data.draw_number or "").strip())
        )
        if draw is None:
            errors["draw_number"] = _("No draw has this number.")
    if (data.case_number or "").strip():
        case = db.session.scalar(
            sa.select(Case).where(Case.number == (data.case_number or "").strip())
        )
        if case is None:
            errors["case_number"] = _("No case has this decision number.")
    if errors:
        raise Problems(errors)
    outcome, inspected_on = data.outcome, data.inspected_on
    items_checked = require_text(errors, "items_checked", data.items_checked, _("Items checked"))
    findings = require_text(errors, "findings", data.findings, _("Findings"))
    if outcome not in OUTCOMES:
        errors["outcome"] = _("Choose an outcome.")
    if outcome == CASE_OPENED and case is None:
        errors["case_number"] = _("Give the decision number of the case that was opened.")
    if case is not None and case.enterprise_id != enterprise.id:
        errors["case_number"] = _("That case concerns another enterprise.")
    check_inspection(errors, inspected_on=inspected_on)
    if draw is not None and draw.status == REVEALED:
        drawn = {s["entity"] for s in (draw.revealed_document or {}).get("selected", [])}
        if enterprise.code not in drawn:
            errors["draw_number"] = _("This enterprise was not selected in that draw.")
    elif draw is not None:
        errors["draw_number"] = _("That draw has not been revealed yet.")
    if errors:
        raise Problems(errors)
    inspection = Inspection(
        enterprise=enterprise,
        draw=draw,
        inspected_on=inspected_on,
        inspectors=(data.inspectors or "").strip()[:300],
        items_checked=items_checked,
        findings=findings,
        outcome=outcome,
        case=case if outcome == CASE_OPENED else None,
        follow_up=(data.follow_up or "").strip() or None,
        published_at=utcnow(),
        recorded_by=actor(),
    )
    db.session.add(inspection)
    db.session.flush()
    audit.record(
        "publish",
        "inspection",
        inspection.id,
        after={"enterprise": enterprise.code, "on": inspected_on, "outcome": outcome},
    )
    inspection.notice_id = announcements.inspection_published(inspection)
    db.session.commit()
    return inspection


def _slug(number: str) -> str:
    base = "-".join(re.findall(r"[A-Za-z0-9]+", number)).lower()[:80] or "case"
    slug, n = base, 1
    while db.session.scalar(sa.select(Case.id).where(Case.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


MAX_AMOUNT = Decimal("999999999999.99")  # what the Numeric(14, 2) columns hold


def check_case(
    errors: dict[str, str],
    *,
    number: str,
    status: str,
    filed_on: dt.date,
    decided_on: dt.date | None,
    police_transferred_on: dt.date | None,
    fine_yuan: Decimal,
    daily_penalty_yuan: Decimal,
    case_id: int | None = None,
) -> None:
    """The checks a case's values pass, at publication and at every correction."""
    check_decision_number(
        errors,
        Case,
        number,
        case_id,
        _("A case with decision number %(number)s exists.", number=number),
    )
    if status not in CASE_STATUSES:
        errors["status"] = _("Choose a status.")
    if filed_on > today():
        errors["filed_on"] = _("The filing date cannot be in the future.")
    if decided_on is not None and decided_on < filed_on:
        errors["decided_on"] = _("The decision cannot precede the filing.")
    elif decided_on is not None and decided_on > today():
        errors["decided_on"] = _("The decision date cannot be in the future.")
    if police_transferred_on is not None and police_transferred_on < filed_on:
        errors["police_transferred_on"] = _("The transfer cannot precede the filing.")
    if fine_yuan < 0 or daily_penalty_yuan < 0:
        errors["fine_yuan"] = _("Amounts cannot be negative.")
    elif fine_yuan > MAX_AMOUNT or daily_penalty_yuan > MAX_AMOUNT:
        errors["fine_yuan"] = _("The amount is too large.")


def check_inspection(errors: dict[str, str], *, inspected_on: dt.date) -> None:
    if inspected_on > today():
        errors["inspected_on"] = _("The inspection date cannot be in the future.")


def record_case(data: CaseData) -> Case:
    enterprise = find_enterprise(data.enterprise_code)
    filed_on, decided_on = data.filed_on, data.decided_on
    transferred = data.police_transferred_on
    fine = data.fine_yuan or Decimal(0)
    daily = data.daily_penalty_yuan or Decimal(0)
    errors: dict[str, str] = {}
    number = require_text(errors, "number", data.number, _("Decision number"))
    facts = require_text(errors, "facts", data.facts, _("Facts"))
    legal_basis = require_text(errors, "legal_basis", data.legal_basis, _("Legal basis"))
    if data.violation_type not in VIOLATION_TYPES:
        errors["violation_type"] = _("Choose a violation type.")
    if (data.production_measure or "") not in PRODUCTION_MEASURES:
        errors["production_measure"] = _("Choose a production measure.")
    check_case(
        errors,
        number=number,
        status=data.status,
        filed_on=filed_on,
        decided_on=decided_on,
        police_transferred_on=transferred,
        fine_yuan=fine,
        daily_penalty_yuan=daily,
    )
    if errors:
        raise Problems(errors)
    case = Case(
        enterprise=enterprise,
        number=number,
        slug=_slug(number),
        filed_on=filed_on,
        decided_on=decided_on,
        violation_type=data.violation_type,
        facts=facts,
        legal_basis=legal_basis,
        fine_yuan=fine,
        daily_penalty_yuan=daily,
        seizure=data.seizure,
        production_measure=data.production_measure or "",
        police_transferred_on=transferred,
        police_outcome=(data.police_outcome or "").strip() or None,
        status=data.status,
        typical=data.typical,
        # A transfer to the police is serious by definition.
        serious=data.serious or transferred is not None,
        recorded_by=actor(),
    )
    db.session.add(case)
    db.session.flush()
    audit.record(
        "publish",
        "case",
        number,
        after={
            "enterprise": enterprise.code,
            "type": data.violation_type,
            "fine_yuan": fine,
            "transferred": transferred,
        },
    )
    case.notice_id = announcements.case_published(case)
    announcements.period_changed(case)
    db.session.commit()
    return case
