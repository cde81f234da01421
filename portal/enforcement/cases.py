"""Inspection results and violation cases, each published and announced when recorded."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.core import audit
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.problems import Problems
from portal.enforcement import announcements
from portal.enforcement.models import (
    Case,
    CaseStatus,
    Draw,
    DrawStatus,
    Inspection,
    Outcome,
    ProductionMeasure,
    ViolationType,
)
from portal.enforcement.publication import today
from portal.enforcement.registry import find_enterprise
from portal.enforcement.service import actor, check_decision_number, require_text


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
    production_measure: str = ProductionMeasure.NONE
    police_transferred_on: dt.date | None = None
    police_outcome: str | None = None
    status: str = CaseStatus.DECIDED
    typical: bool = False
    serious: bool = False


def record_inspection(data: InspectionData) -> Inspection:
    enterprise = find_enterprise(data.enterprise_code)
    problems = Problems()
    draw = case = None
    if (data.draw_number or "").strip():
        draw = db.session.scalar(
            sa.select(Draw).where(Draw.number == (data.draw_number or "").strip())
        )
        if draw is None:
            problems.add("draw_unknown", "draw_number")
    if (data.case_number or "").strip():
        case = db.session.scalar(
            sa.select(Case).where(Case.number == (data.case_number or "").strip())
        )
        if case is None:
            problems.add("case_unknown", "case_number")
    problems.check()
    outcome, inspected_on = data.outcome, data.inspected_on
    items_checked = require_text(problems, "items_checked", data.items_checked, _l("Items checked"))
    findings = require_text(problems, "findings", data.findings, _l("Findings"))
    if outcome not in tuple(Outcome):
        problems.add("outcome_invalid", "outcome")
    if outcome == Outcome.CASE_OPENED and case is None:
        problems.add("case_number_needed", "case_number")
    if case is not None and case.enterprise_id != enterprise.id:
        problems.add("case_of_other_enterprise", "case_number")
    check_inspection(problems, inspected_on=inspected_on)
    if draw is not None and draw.status == DrawStatus.REVEALED:
        drawn = {s["entity"] for s in (draw.revealed_document or {}).get("selected", [])}
        if enterprise.code not in drawn:
            problems.add("enterprise_not_drawn", "draw_number")
    elif draw is not None:
        problems.add("draw_not_revealed", "draw_number")
    problems.check()
    inspection = Inspection(
        enterprise=enterprise,
        draw=draw,
        inspected_on=inspected_on,
        inspectors=(data.inspectors or "").strip()[:300],
        items_checked=items_checked,
        findings=findings,
        outcome=outcome,
        case=case if outcome == Outcome.CASE_OPENED else None,
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
    problems: Problems,
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
    check_decision_number(problems, Case, number, case_id, "case_number_taken")
    if status not in tuple(CaseStatus):
        problems.add("case_status_invalid", "status")
    if filed_on > today():
        problems.add("filed_in_future", "filed_on")
    if decided_on is not None and decided_on < filed_on:
        problems.add("decided_before_filing", "decided_on")
    elif decided_on is not None and decided_on > today():
        problems.add("decided_in_future", "decided_on")
    if police_transferred_on is not None and police_transferred_on < filed_on:
        problems.add("transfer_before_filing", "police_transferred_on")
    if fine_yuan < 0 or daily_penalty_yuan < 0:
        problems.add("amount_negative", "fine_yuan")
    elif fine_yuan > MAX_AMOUNT or daily_penalty_yuan > MAX_AMOUNT:
        problems.add("amount_too_large", "fine_yuan")


def check_inspection(problems: Problems, *, inspected_on: dt.date) -> None:
    if inspected_on > today():
        problems.add("inspected_in_future", "inspected_on")


def record_case(data: CaseData) -> Case:
    enterprise = find_enterprise(data.enterprise_code)
    filed_on, decided_on = data.filed_on, data.decided_on
    transferred = data.police_transferred_on
    fine = data.fine_yuan or Decimal(0)
    daily = data.daily_penalty_yuan or Decimal(0)
    problems = Problems()
    number = require_text(problems, "number", data.number, _l("Decision number"))
    facts = require_text(problems, "facts", data.facts, _l("Facts"))
    legal_basis = require_text(problems, "legal_basis", data.legal_basis, _l("Legal basis"))
    if data.violation_type not in tuple(ViolationType):
        problems.add("violation_type_invalid", "violation_type")
    if (data.production_measure or "") not in tuple(ProductionMeasure):
        problems.add("production_measure_invalid", "production_measure")
    check_case(
        problems,
        number=number,
        status=data.status,
        filed_on=filed_on,
        decided_on=decided_on,
        police_transferred_on=transferred,
        fine_yuan=fine,
        daily_penalty_yuan=daily,
    )
    problems.check()
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
        production_measure=data.production_measure or ProductionMeasure.NONE,
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
