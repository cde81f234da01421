"""Enforcement workflows: registry import, card decisions, draws, inspections, cases.

Each public function is one transaction: it validates, writes, records the audit entry,
announces what became public, and commits once. Errors for users are returned as
translated messages, never raised.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core import audit, counties
from portal.core.models import utcnow
from portal.core.tabular import TableError, read_table
from portal.enforcement import credit_code
from portal.enforcement import draw as drawing
from portal.enforcement.history import add_years
from portal.enforcement.models import (
    ACTIVE,
    CASE_OPENED,
    CASE_STATUSES,
    COMMITTED,
    ESCALATED,
    LIFTED,
    NO_PROBLEM,
    OUTCOMES,
    PRODUCTION_MEASURES,
    RED,
    REVEALED,
    VIOLATION_TYPES,
    YELLOW,
    Card,
    Case,
    Correction,
    Draw,
    Enterprise,
    Inspection,
    Inspector,
)
from portal.extensions import db


class Problems(Exception):
    """Validation failed: `errors` maps a field name (or "" for the whole form) to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def today() -> dt.date:
    """Today in China, where every decision date is counted."""
    return (utcnow() + dt.timedelta(hours=8)).date()


def _actor() -> str:
    if has_request_context() and current_user and current_user.is_authenticated:
        return str(current_user.email)
    return "system"


def _announce(category: str, title: str, summary: str, link: str, **kw: Any) -> int | None:
    """Announce through the notices module (absent in a stripped-down install: skip)."""
    try:
        from portal.notices.announce import announce
    except ImportError:  # pragma: no cover - the notices feature is part of the portal
        return None
    return announce(category, title, summary, link, **kw).id


# --- publication periods -----------------------------------------------------------------


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
            Card.state == ACTIVE,
            sa.and_(Card.color == RED, Card.ended_on > serious),
            sa.and_(Card.color == YELLOW, Card.ended_on > ordinary),
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
        start = None if item.state == ACTIVE else item.ended_on
        serious = item.color == RED
    else:
        start, serious = item.reference_date, item.serious
    end = None if start is None else add_years(start, period_years(serious))
    if item.repaired_on is not None:
        end = item.repaired_on if end is None else min(end, item.repaired_on)
    return end


def is_public(item: Card | Case, on: dt.date | None = None) -> bool:
    end = public_until(item)
    return end is None or end > (on or today())


# --- enterprises -------------------------------------------------------------------------


def code_message(problem: credit_code.CodeProblem, raw: str) -> str:
    if problem.code == credit_code.PROBLEM_LENGTH:
        return _(
            "A unified social credit code has 18 characters; %(found)s has %(count)s.",
            found=raw.strip()[:40] or "—",
            count=len(credit_code.normalize(raw[:64])),
        )
    if problem.code == credit_code.PROBLEM_BAD_CHARACTER:
        if problem.position is not None and 3 <= problem.position <= 8:
            return _(
                "Position %(position)s should be a digit (the division code), not %(found)s.",
                position=problem.position,
                found=problem.found,
            )
        return _(
            "Position %(position)s: %(found)s is not used in credit codes "
            "(the letters I, O, S, V and Z never appear).",
            position=problem.position,
            found=problem.found,
        )
    return _(
        "Check character wrong: position 18 should be %(expected)s, not %(found)s. "
        "Please compare the code with the business licence.",
        expected=problem.expected,
        found=problem.found,
    )


def check_code(raw: str) -> tuple[str, str | None]:
    """(normalised code, translated problem or None)."""
    problem = credit_code.validate(raw)
    if problem is not None:
        return raw.strip(), code_message(problem, raw)
    return credit_code.normalize(raw), None


TRUE_WORDS = {"1", "true", "yes", "y", "是", "重点", "x", "✓"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否"}


def _enterprise_values(values: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    code, problem = check_code(values.get("code", ""))
    if problem:
        errors["code"] = problem
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = _("The name is missing.")
    elif len(name) > 200:
        errors["name"] = _("The name is longer than 200 characters.")
    county = (values.get("county") or "").strip()
    by_name = {c.name_zh: c.code for c in counties.all_counties()}
    county = by_name.get(county, county.lower())
    if county not in counties.codes():
        errors["county"] = _(
            "Unknown county %(county)s; use one of: %(codes)s.",
            county=values.get("county", "") or "—",
            codes=", ".join(counties.codes()),
        )
    industry = (values.get("industry") or "").strip()
    if not industry:
        errors["industry"] = _("The industry is missing.")
    elif len(industry) > 100:
        errors["industry"] = _("The industry is longer than 100 characters.")
    flag = (values.get("key_discharger") or "").strip().lower()
    if flag not in TRUE_WORDS | FALSE_WORDS:
        errors["key_discharger"] = _(
            "Key discharger must be yes or no (1/0, 是/否), not %(value)s.", value=flag
        )
    permit = (values.get("permit_number") or "").strip()
    if len(permit) > 64:
        errors["permit_number"] = _("The permit number is longer than 64 characters.")
    address = (values.get("address") or "").strip()[:500]
    return {
        "code": code,
        "name_zh": name,
        "name_en": (values.get("name_en") or "").strip() or None,
        "county": county,
        "industry": industry,
        "address": address,
        "permit_number": permit or None,
        "key_discharger": flag in TRUE_WORDS,
    }, errors


def _upsert_enterprise(data: dict[str, Any]) -> tuple[Enterprise, bool]:
    existing = db.session.scalar(sa.select(Enterprise).where(Enterprise.code == data["code"]))
    if existing is None:
        enterprise = Enterprise(**data)
        db.session.add(enterprise)
        return enterprise, True
    for key, value in data.items():
        setattr(existing, key, value)
    return existing, False


def save_enterprise(values: Mapping[str, str], *, county_allowed: Any = None) -> Enterprise:
    """Create or update one enterprise from a form. Raises Problems."""
    data, errors = _enterprise_values(values)
    if not errors and county_allowed is not None and not county_allowed(data["county"]):
        errors["county"] = _("You may record enterprises only in your own county.")
    if errors:
        raise Problems(errors)
    enterprise, created = _upsert_enterprise(data)
    db.session.flush()
    audit.record("create" if created else "update", "enterprise", enterprise.code, after=data)
    db.session.commit()
    return enterprise


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    errors: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


IMPORT_COLUMNS = ("code", "name", "county", "industry", "address")


def _table_error(code: str) -> str:
    messages = {
        "no_header": _("The file has no header row."),
        "too_many_columns": _("The file has too many columns."),
        "duplicate_columns": _("The header names a column twice."),
        "unreadable": _("The file could not be read."),
        "empty": _("The file is empty."),
        "not_xlsx": _("The file is not a real XLSX workbook."),
        "not_csv": _("The file looks like a workbook, not a CSV file."),
    }
    return messages.get(code, _("Only CSV and XLSX files can be imported."))


def import_enterprises(
    stream: IO[bytes], filename: str, *, county_allowed: Any = None
) -> ImportReport:
    """All or nothing: if any row has a problem, nothing is written and every problem is
    reported with its row number. Existing codes are updated; new ones added."""
    report = ImportReport()
    try:
        table = read_table(stream, filename)
        missing = [c for c in IMPORT_COLUMNS if c not in table.columns]
        if missing:
            report.errors.append(
                (1, _("Missing column(s): %(columns)s.", columns=", ".join(missing)))
            )
            return report
        rows: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for row in table:
            data, errors = _enterprise_values(row.values)
            if not errors and county_allowed is not None and not county_allowed(data["county"]):
                errors["county"] = _("You may import enterprises only in your own county.")
            if not errors and data["code"] in seen:
                errors["code"] = _(
                    "Code %(code)s already appears in row %(row)s.",
                    code=data["code"],
                    row=seen[data["code"]],
                )
            for name, message in errors.items():
                report.errors.append((row.number, f"{name}: {message}"))
            seen.setdefault(data["code"], row.number)
            rows.append(data)
    except TableError as exc:
        report.errors.append((None, _table_error(exc.code)))
        return report
    if not rows and not report.errors:
        report.errors.append((None, _("The file has no data rows.")))
    if report.errors:
        return report
    for data in rows:
        _enterprise, created = _upsert_enterprise(data)
        if created:
            report.added += 1
        else:
            report.updated += 1
    db.session.flush()
    audit.record(
        "import",
        "enterprise",
        None,
        after={"file": filename, "added": report.added, "updated": report.updated},
    )
    db.session.commit()
    return report


def save_inspector(code: str, name: str, county: str | None) -> Inspector:
    code, name = code.strip(), name.strip()
    errors: dict[str, str] = {}
    if drawing._code_problem(code) is not None:
        errors["code"] = _("A certificate number has no spaces or | and at most 64 characters.")
    if not name:
        errors["name"] = _("The name is missing.")
    if errors:
        raise Problems(errors)
    inspector = db.session.scalar(sa.select(Inspector).where(Inspector.code == code))
    if inspector is None:
        inspector = Inspector(code=code, name=name, county=county or None)
        db.session.add(inspector)
    else:
        inspector.name, inspector.county, inspector.active = name, county or None, True
    db.session.flush()
    audit.record("save", "inspector", code, after={"name": name, "county": county})
    db.session.commit()
    return inspector


# --- cards -------------------------------------------------------------------------------


def _card_link(card: Card) -> str:
    return url_for("enforcement.enterprise", code=card.enterprise.code) + f"#card-{card.id}"


def _card_snapshot(card: Card) -> dict[str, Any]:
    return {
        "number": card.number,
        "enterprise": card.enterprise.code if card.enterprise else card.enterprise_id,
        "color": card.color,
        "state": card.state,
        "decided_on": card.decided_on,
        "deadline": card.deadline,
        "ended_on": card.ended_on,
    }


def _require_text(errors: dict[str, str], name: str, value: str | None, label: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = _("%(field)s is missing.", field=label)
    return value


def decide_card(
    enterprise: Enterprise,
    *,
    color: str,
    number: str,
    decided_on: dt.date,
    authority: str,
    reasons: str,
    measures: str,
    deadline: dt.date | None = None,
    escalate: Card | None = None,
) -> Card:
    """Record a card decision; with `escalate`, a red card that replaces that yellow one."""
    errors: dict[str, str] = {}
    if color not in (YELLOW, RED):
        errors["color"] = _("Choose a yellow or a red card.")
    number = _require_text(errors, "number", number, _("Decision number"))
    authority = _require_text(errors, "authority", authority, _("Deciding authority"))
    reasons = _require_text(errors, "reasons", reasons, _("Reasons"))
    measures = _require_text(errors, "measures", measures, _("Measures"))
    if number and db.session.scalar(sa.select(Card.id).where(Card.number == number)):
        errors["number"] = _("A card with decision number %(number)s exists.", number=number)
    if decided_on > today():
        errors["decided_on"] = _("The decision date cannot be in the future.")
    if deadline is not None and deadline < decided_on:
        errors["deadline"] = _("The rectification deadline is before the decision.")
    if escalate is not None:
        if escalate.color != YELLOW or escalate.state != ACTIVE:
            errors[""] = _("Only a yellow card in force can be escalated to red.")
        if color != RED:
            errors["color"] = _("An escalation is a red card.")
        if decided_on < escalate.decided_on:
            errors["decided_on"] = _("The red card cannot precede the yellow card.")
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
        recorded_by=_actor(),
        escalated_from=escalate,
    )
    db.session.add(card)
    if escalate is not None:
        before = _card_snapshot(escalate)
        escalate.state, escalate.ended_on = ESCALATED, decided_on
        db.session.flush()
        audit.record(
            "escalate",
            "card",
            escalate.number,
            before=before,
            after=_card_snapshot(escalate),
            reason=reasons,
        )
    db.session.flush()
    audit.record("create", "card", card.number, after=_card_snapshot(card))
    color_zh = "红牌" if color == RED else "黄牌"
    card.decision_notice_id = _announce(
        "cards",
        f"{enterprise.name_zh}被处以{color_zh}（{number}）",
        f"{authority}于{decided_on.isoformat()}对{enterprise.name_zh}"
        f"（统一社会信用代码{enterprise.code}）作出{color_zh}决定。原因：{reasons}。措施：{measures}。",
        _card_link(card),
        county=enterprise.county,
        source=f"enforcement:card:{card.number}:decided",
        title_en=f"{'Red' if color == RED else 'Yellow'} card for "
        f"{enterprise.name_en or enterprise.name_zh} ({number})",
        summary_en=f"Decided on {decided_on.isoformat()} by {authority}.",
    )
    db.session.commit()
    return card


def lift_card(card: Card, *, lifted_on: dt.date, reason: str, evidence: str) -> Card:
    errors: dict[str, str] = {}
    if card.state != ACTIVE:
        errors[""] = _("This card is no longer in force.")
    reason = _require_text(errors, "reason", reason, _("Reason"))
    evidence = _require_text(errors, "evidence", evidence, _("Evidence"))
    if lifted_on < card.decided_on:
        errors["lifted_on"] = _("A card cannot be lifted before it was decided.")
    if lifted_on > today():
        errors["lifted_on"] = _("The lifting date cannot be in the future.")
    if errors:
        raise Problems(errors)
    before = _card_snapshot(card)
    card.state, card.ended_on = LIFTED, lifted_on
    card.lift_reason, card.lift_evidence = reason, evidence
    db.session.flush()
    audit.record(
        "lift", "card", card.number, before=before, after=_card_snapshot(card), reason=reason
    )
    enterprise = card.enterprise
    color_zh = "红牌" if card.color == RED else "黄牌"
    card.lift_notice_id = _announce(
        "cards",
        f"{enterprise.name_zh}{color_zh}解除（{card.number}）",
        f"{lifted_on.isoformat()}解除{enterprise.name_zh}的{color_zh}。理由：{reason}。依据：{evidence}。",
        _card_link(card),
        county=enterprise.county,
        source=f"enforcement:card:{card.number}:lifted",
        title_en=f"Card lifted: {enterprise.name_en or enterprise.name_zh} ({card.number})",
        summary_en=f"Lifted on {lifted_on.isoformat()}.",
    )
    db.session.commit()
    return card


def repair(item: Card | Case, *, repaired_on: dt.date, reason: str) -> None:
    """An approved credit repair ends publication early; the record and its reason stay."""
    errors: dict[str, str] = {}
    reason = _require_text(errors, "reason", reason, _("Reason"))
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
    kind = "card" if isinstance(item, Card) else "case"
    audit.record(
        "credit_repair", kind, item.number, after={"repaired_on": repaired_on}, reason=reason
    )
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


def correct(item: Card | Case | Inspection, name: str, raw: str, reason: str) -> Correction:
    """Change one field; the old value and the reason stay visible beside the record."""
    kind = {Card: "card", Case: "case", Inspection: "inspection"}[type(item)]
    errors: dict[str, str] = {}
    reason = _require_text(errors, "reason", reason, _("Reason"))
    value: Any = None
    if name not in CORRECTABLE[kind]:
        errors["field"] = _("This field cannot be corrected.")
    else:
        try:
            value = _parse_value(name, raw)
        except (ValueError, InvalidOperation):
            errors["value"] = _("The new value is not valid for this field.")
    if errors:
        raise Problems(errors)
    old = getattr(item, name)
    if old == value:
        raise Problems({"value": _("The new value is the same as the current one.")})
    setattr(item, name, value)
    correction = Correction(
        object_type=kind,
        object_id=item.id,
        field=name,
        old_value=None if old is None else str(old),
        new_value=None if value is None else str(value),
        reason=reason,
        corrected_at=utcnow(),
        corrected_by=_actor(),
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
    db.session.commit()
    return correction


# --- draws -------------------------------------------------------------------------------


def draw_error_message(error: drawing.DrawError) -> str:
    subject = error.subject or ""
    messages = {
        "bad_code": _("A code is malformed: %(subject)s.", subject=subject),
        "duplicate_code": _("%(subject)s is listed twice.", subject=subject),
        "select_count_not_positive": _("At least one enterprise must be selected."),
        "select_count_too_large": _("More enterprises to select than are in the pool."),
        "inspectors_per_entity_not_positive": _("At least one inspector per enterprise."),
        "conflict_unknown_entity": _(
            "Conflict names %(subject)s, which is not in the enterprise pool.", subject=subject
        ),
        "conflict_unknown_inspector": _(
            "Conflict names %(subject)s, which is not in the inspector pool.", subject=subject
        ),
        "insufficient_inspectors": _(
            "Not enough inspectors without a conflict for %(subject)s.", subject=subject
        ),
        "bad_entropy": _("The public entropy is not valid text."),
    }
    return messages.get(error.code, error.code)


def next_draw_number(year: int) -> str:
    numbers = db.session.scalars(sa.select(Draw.number).where(Draw.number.like(f"{year}-%"))).all()
    last = max(
        (int(n.split("-", 1)[1]) for n in numbers if n.split("-", 1)[1].isdigit()), default=0
    )
    return f"{year}-{last + 1:03d}"


def _setup(document: Mapping[str, Any]) -> drawing.DrawSetup:
    return drawing.prepare(
        document["entity_pool"],
        document["inspector_pool"],
        [(c["entity"], c["inspector"]) for c in document["conflicts"]],
        select_count=document["select_count"],
        inspectors_per_entity=document["inspectors_per_entity"],
    )


def parse_codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;，；、]+", text or "") if c]


def parse_conflicts(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in (text or "").splitlines():
        parts = parse_codes(line)
        if not parts:
            continue
        if len(parts) != 2:
            raise Problems({"conflicts": _("Each conflict line is: credit code, inspector code.")})
        pairs.append((credit_code.normalize(parts[0]), parts[1]))
    return pairs


def pool_by_filter(county: str | None, industry: str | None, key_only: bool) -> list[str]:
    query = sa.select(Enterprise.code)
    if county:
        query = query.where(Enterprise.county == county)
    if industry:
        query = query.where(Enterprise.industry == industry)
    if key_only:
        query = query.where(Enterprise.key_discharger.is_(True))
    return list(db.session.scalars(query))


def commit_draw(
    *,
    title: str,
    title_en: str | None,
    county: str | None,
    planned_on: dt.date,
    entropy_source: str,
    entity_codes: Iterable[str],
    inspector_codes: Iterable[str],
    conflicts: Iterable[tuple[str, str]],
    select_count: int,
    inspectors_per_entity: int,
) -> Draw:
    """Freeze the pools, generate the secret and publish the commitment."""
    errors: dict[str, str] = {}
    title = _require_text(errors, "title", title, _("Title"))
    entropy_source = _require_text(
        errors, "entropy_source", entropy_source, _("Source of the public entropy")
    )
    entities = [credit_code.normalize(c) for c in entity_codes]
    inspectors = list(inspector_codes)
    known = dict(
        db.session.execute(
            sa.select(Enterprise.code, Enterprise.county).where(Enterprise.code.in_(entities))
        ).all()
    )
    unknown = [c for c in entities if c not in known]
    if unknown:
        errors["entities"] = _(
            "Not in the enterprise registry: %(codes)s.", codes=", ".join(unknown[:10])
        )
    elif county and any(known[c] != county for c in entities):
        errors["entities"] = _("Every pooled enterprise must be in the draw's county.")
    elif not entities:
        errors["entities"] = _("The enterprise pool is empty.")
    active = set(
        db.session.scalars(
            sa.select(Inspector.code).where(
                Inspector.code.in_(inspectors), Inspector.active.is_(True)
            )
        )
    )
    missing = [i for i in inspectors if i not in active]
    if missing:
        errors["inspectors"] = _(
            "Not an active inspector: %(codes)s.", codes=", ".join(missing[:10])
        )
    elif not inspectors:
        errors["inspectors"] = _("The inspector pool is empty.")
    if errors:
        raise Problems(errors)
    try:
        setup = drawing.prepare(
            entities,
            inspectors,
            list(conflicts),
            select_count=select_count,
            inspectors_per_entity=inspectors_per_entity,
        )
    except drawing.DrawError as exc:
        raise Problems({"": draw_error_message(exc)}) from exc
    secret = drawing.new_secret()
    commitment = drawing.commitment(secret)
    now = utcnow()
    number = next_draw_number(today().year)
    document = drawing.to_document(number, setup, commitment)
    draw = Draw(
        number=number,
        title_zh=title,
        title_en=(title_en or "").strip() or None,
        county=county or None,
        planned_on=planned_on,
        entropy_source=entropy_source,
        status=COMMITTED,
        commitment=commitment,
        secret=secret,
        committed_at=now,
        committed_document=document,
        recorded_by=_actor(),
    )
    db.session.add(draw)
    db.session.flush()
    audit.record(
        "commit",
        "draw",
        number,
        after={
            "commitment": commitment,
            "entities": len(setup.entity_pool),
            "inspectors": len(setup.inspector_pool),
            "select_count": select_count,
        },
    )
    _announce(
        "inspections",
        f"双随机抽查承诺公示：{title}（{number}）",
        f"抽查承诺值 {commitment}，企业库 {len(setup.entity_pool)} 家，抽取 {select_count} 家；"
        f"公开随机数来源：{entropy_source}。",
        url_for("enforcement.draw", number=number),
        county=county or None,
        source=f"enforcement:draw:{number}:committed",
        title_en=f"Inspection draw committed: {title_en or title} ({number})",
        summary_en=f"Commitment {commitment}; "
        f"{select_count} of {len(setup.entity_pool)} enterprises.",
    )
    db.session.commit()
    return draw


def reveal_draw(draw: Draw, entropy: str) -> Draw:
    """Enter the public entropy, run the draw and publish the secret and the result."""
    if draw.status != COMMITTED:
        raise Problems({"": _("This draw has already been revealed.")})
    entropy = entropy.strip()
    if len(entropy) > 500:
        raise Problems({"entropy": _("The public entropy is longer than 500 characters.")})
    committed = draw.committed_document
    setup = _setup(committed)
    try:
        result = drawing.draw(setup, draw.secret, entropy)
    except drawing.DrawError as exc:
        raise Problems({"entropy": draw_error_message(exc)}) from exc
    document = drawing.to_document(
        draw.number, setup, draw.commitment, secret=draw.secret, entropy=entropy, result=result
    )
    draw.entropy, draw.status, draw.revealed_at = entropy, REVEALED, utcnow()
    draw.revealed_document = document
    db.session.flush()
    audit.record(
        "reveal",
        "draw",
        draw.number,
        after={"entropy": entropy, "seed": result.seed, "selected": document["selected"]},
    )
    names = dict(
        db.session.execute(
            sa.select(Enterprise.code, Enterprise.name_zh).where(
                Enterprise.code.in_([s.entity for s in result.selected])
            )
        ).all()
    )
    _announce(
        "inspections",
        f"双随机抽查结果公示：{draw.title_zh}（{draw.number}）",
        "抽中企业：" + "、".join(names.get(s.entity, s.entity) for s in result.selected) + "。",
        url_for("enforcement.draw", number=draw.number),
        county=draw.county,
        source=f"enforcement:draw:{draw.number}:revealed",
        title_en=f"Inspection draw revealed: {draw.title_en or draw.title_zh} ({draw.number})",
        summary_en=f"{len(result.selected)} enterprise(s) selected; anyone can verify the draw.",
    )
    db.session.commit()
    return draw


# --- inspections and cases ---------------------------------------------------------------


def record_inspection(
    enterprise: Enterprise,
    *,
    inspected_on: dt.date,
    inspectors: str,
    items_checked: str,
    findings: str,
    outcome: str,
    follow_up: str | None,
    draw: Draw | None = None,
    case: Case | None = None,
) -> Inspection:
    errors: dict[str, str] = {}
    items_checked = _require_text(errors, "items_checked", items_checked, _("Items checked"))
    findings = _require_text(errors, "findings", findings, _("Findings"))
    if outcome not in OUTCOMES:
        errors["outcome"] = _("Choose an outcome.")
    if outcome == CASE_OPENED and case is None:
        errors["case_number"] = _("Give the decision number of the case that was opened.")
    if case is not None and case.enterprise_id != enterprise.id:
        errors["case_number"] = _("That case concerns another enterprise.")
    if inspected_on > today():
        errors["inspected_on"] = _("The inspection date cannot be in the future.")
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
        inspectors=inspectors.strip()[:300],
        items_checked=items_checked,
        findings=findings,
        outcome=outcome,
        case=case if outcome == CASE_OPENED else None,
        follow_up=(follow_up or "").strip() or None,
        published_at=utcnow(),
        recorded_by=_actor(),
    )
    db.session.add(inspection)
    db.session.flush()
    audit.record(
        "publish",
        "inspection",
        inspection.id,
        after={"enterprise": enterprise.code, "on": inspected_on, "outcome": outcome},
    )
    outcome_zh = {NO_PROBLEM: "未发现问题", "rectify": "责令整改", CASE_OPENED: "立案查处"}[outcome]
    inspection.notice_id = _announce(
        "inspections",
        f"{enterprise.name_zh}检查结果：{outcome_zh}",
        f"{inspected_on.isoformat()}检查{enterprise.name_zh}。检查事项：{items_checked}。"
        f"发现问题：{findings}。处理结果：{outcome_zh}。",
        url_for("enforcement.enterprise", code=enterprise.code) + f"#inspection-{inspection.id}",
        county=enterprise.county,
        source=f"enforcement:inspection:{inspection.id}",
        title_en=f"Inspection result: {enterprise.name_en or enterprise.name_zh}",
        summary_en=f"Inspected on {inspected_on.isoformat()}: {OUTCOMES[outcome]}.",
    )
    db.session.commit()
    return inspection


def _slug(number: str) -> str:
    base = "-".join(re.findall(r"[A-Za-z0-9]+", number)).lower()[:80] or "case"
    slug, n = base, 1
    while db.session.scalar(sa.select(Case.id).where(Case.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def record_case(
    enterprise: Enterprise,
    *,
    number: str,
    filed_on: dt.date,
    decided_on: dt.date | None,
    violation_type: str,
    facts: str,
    legal_basis: str,
    fine_yuan: Decimal,
    daily_penalty_yuan: Decimal,
    seizure: bool,
    production_measure: str,
    police_transferred_on: dt.date | None,
    police_outcome: str | None,
    status: str,
    typical: bool,
    serious: bool,
) -> Case:
    errors: dict[str, str] = {}
    number = _require_text(errors, "number", number, _("Decision number"))
    facts = _require_text(errors, "facts", facts, _("Facts"))
    legal_basis = _require_text(errors, "legal_basis", legal_basis, _("Legal basis"))
    if number and db.session.scalar(sa.select(Case.id).where(Case.number == number)):
        errors["number"] = _("A case with decision number %(number)s exists.", number=number)
    if violation_type not in VIOLATION_TYPES:
        errors["violation_type"] = _("Choose a violation type.")
    if production_measure not in PRODUCTION_MEASURES:
        errors["production_measure"] = _("Choose a production measure.")
    if status not in CASE_STATUSES:
        errors["status"] = _("Choose a status.")
    if filed_on > today():
        errors["filed_on"] = _("The filing date cannot be in the future.")
    if decided_on is not None and decided_on < filed_on:
        errors["decided_on"] = _("The decision cannot precede the filing.")
    if police_transferred_on is not None and police_transferred_on < filed_on:
        errors["police_transferred_on"] = _("The transfer cannot precede the filing.")
    if fine_yuan < 0 or daily_penalty_yuan < 0:
        errors["fine_yuan"] = _("Amounts cannot be negative.")
    if errors:
        raise Problems(errors)
    case = Case(
        enterprise=enterprise,
        number=number,
        slug=_slug(number),
        filed_on=filed_on,
        decided_on=decided_on,
        violation_type=violation_type,
        facts=facts,
        legal_basis=legal_basis,
        fine_yuan=fine_yuan,
        daily_penalty_yuan=daily_penalty_yuan,
        seizure=seizure,
        production_measure=production_measure,
        police_transferred_on=police_transferred_on,
        police_outcome=(police_outcome or "").strip() or None,
        status=status,
        typical=typical,
        # A transfer to the police is serious by definition.
        serious=serious or police_transferred_on is not None,
        recorded_by=_actor(),
    )
    db.session.add(case)
    db.session.flush()
    audit.record(
        "publish",
        "case",
        number,
        after={
            "enterprise": enterprise.code,
            "type": violation_type,
            "fine_yuan": fine_yuan,
            "transferred": police_transferred_on,
        },
    )
    type_zh = {
        "exceeding": "超标排放",
        "bypass": "不正常运行防治污染设施（偷排）",
        "falsified": "篡改、伪造监测数据",
        "no_eia": "未批先建",
        "no_permit": "无证排污",
        "other": "其他环境违法行为",
    }[violation_type]
    summary = f"{enterprise.name_zh}{type_zh}案，罚款{fine_yuan:,.2f}元"
    if police_transferred_on:
        summary += f"，{police_transferred_on.isoformat()}移送公安机关"
    case.notice_id = _announce(
        "cases",
        f"环境违法案件：{enterprise.name_zh}{type_zh}（{number}）",
        summary + "。" + facts,
        url_for("enforcement.case", slug=case.slug),
        county=enterprise.county,
        source=f"enforcement:case:{number}",
        title_en=f"Violation case: {enterprise.name_en or enterprise.name_zh} ({number})",
        summary_en=f"{VIOLATION_TYPES[violation_type]}; fine {fine_yuan:,.2f} yuan.",
    )
    db.session.commit()
    return case


def corrections_for(kind: str, ids: Iterable[int]) -> dict[int, list[Correction]]:
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
