"""The enterprise registry and the inspector list: one enterprise from a form, many from a
CSV/XLSX import (all or nothing), an inspector who may be drawn."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import sqlalchemy as sa

from portal.core import audit, counties
from portal.core.extensions import db
from portal.core.problems import Problems, Refusal
from portal.core.tabular import TableError, read_table
from portal.enforcement import credit_code
from portal.enforcement import draw as drawing
from portal.enforcement.messages import MESSAGES
from portal.enforcement.models import Enterprise, Inspector
from portal.enforcement.service import may_act_in, require_county


@dataclass
class EnterpriseData:
    """The enterprise form, as text the way an import row has it."""

    code: str
    name: str
    county: str
    industry: str
    name_en: str = ""
    address: str = ""
    permit_number: str = ""
    key_discharger: bool = False

    def as_row(self) -> dict[str, str]:
        row = {k: getattr(self, k) or "" for k in ("code", "name", "name_en", "county")}
        row.update(industry=self.industry or "", address=self.address or "")
        row.update(permit_number=self.permit_number or "")
        row["key_discharger"] = "1" if self.key_discharger else "0"
        return row


@dataclass
class InspectorData:
    code: str
    name: str
    county: str | None = None


def code_refusal(problem: credit_code.CodeProblem, raw: str, field_name: str) -> Refusal:
    """The refusal of credit code `raw` on field `field_name`, for its first `problem`."""
    if problem.code == credit_code.PROBLEM_LENGTH:
        return Refusal(
            "credit_code_length",
            field_name,
            found=raw.strip()[:40] or "—",
            count=len(credit_code.normalize(raw[:64])),
        )
    if problem.code == credit_code.PROBLEM_BAD_CHARACTER:
        division = problem.position is not None and 3 <= problem.position <= 8
        return Refusal(
            "credit_code_division_digit" if division else "credit_code_bad_character",
            field_name,
            position=problem.position,
            found=problem.found,
        )
    return Refusal(
        "credit_code_check_character",
        field_name,
        expected=problem.expected,
        found=problem.found,
    )


def check_code(raw: str, field_name: str = "code") -> tuple[str, Refusal | None]:
    """(normalised code, its refusal on `field_name` or None)."""
    problem = credit_code.validate(raw)
    if problem is not None:
        return raw.strip(), code_refusal(problem, raw, field_name)
    return credit_code.normalize(raw), None


TRUE_WORDS = {"1", "true", "yes", "y", "是", "重点", "x", "✓"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否"}


def _enterprise_values(values: Mapping[str, str]) -> tuple[dict[str, Any], Problems]:
    problems = Problems()
    code, refusal = check_code(values.get("code", ""))
    if refusal:
        problems.append(refusal)
    name = (values.get("name") or "").strip()
    if not name:
        problems.add("name_missing", "name")
    elif len(name) > 200:
        problems.add("name_too_long", "name")
    county = (values.get("county") or "").strip()
    by_name = {c.name_zh: c.code for c in counties.all_counties()}
    county = by_name.get(county, county.lower())
    if county not in counties.codes():
        problems.add(
            "county_unknown",
            "county",
            county=values.get("county", "") or "—",
            codes=", ".join(counties.codes()),
        )
    industry = (values.get("industry") or "").strip()
    if not industry:
        problems.add("industry_missing", "industry")
    elif len(industry) > 100:
        problems.add("industry_too_long", "industry")
    flag = (values.get("key_discharger") or "").strip().lower()
    if flag not in TRUE_WORDS | FALSE_WORDS:
        problems.add("key_discharger_invalid", "key_discharger", value=flag)
    permit = (values.get("permit_number") or "").strip()
    if len(permit) > 64:
        problems.add("permit_number_too_long", "permit_number")
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
    }, problems


def _upsert_enterprise(data: dict[str, Any]) -> tuple[Enterprise, bool]:
    existing = db.session.scalar(sa.select(Enterprise).where(Enterprise.code == data["code"]))
    if existing is None:
        enterprise = Enterprise(**data)
        db.session.add(enterprise)
        return enterprise, True
    for key, value in data.items():
        setattr(existing, key, value)
    return existing, False


def _county_refusal(data: dict[str, Any], stored: str | None, own: str) -> Refusal | None:
    """Why the acting official may not write this enterprise, if so (on the county field):
    the county it is registered in (as stored) and the county it would have afterwards are
    both checked. `own`: the code for a new enterprise outside the official's county."""
    if stored is not None and not may_act_in(stored):
        return Refusal("enterprise_of_other_county", "county", code=data["code"])
    if not may_act_in(data["county"]):
        if stored is not None:
            return Refusal("enterprise_moved_to_other_county", "county")
        return Refusal(own, "county")
    return None


def _stored_counties(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(
        db.session.execute(
            sa.select(Enterprise.code, Enterprise.county).where(Enterprise.code.in_(codes))
        ).all()
    )


def save_enterprise(values: EnterpriseData | Mapping[str, str]) -> Enterprise:
    """Create or update one enterprise from a form. Raises Problems."""
    data, problems = _enterprise_values(
        values.as_row() if isinstance(values, EnterpriseData) else values
    )
    if not problems:
        refusal = _county_refusal(
            data,
            _stored_counties([data["code"]]).get(data["code"]),
            "enterprise_outside_own_county",
        )
        if refusal:
            problems.append(refusal)
    problems.check()
    enterprise, created = _upsert_enterprise(data)
    db.session.flush()
    audit.record("create" if created else "update", "enterprise", enterprise.code, after=data)
    db.session.commit()
    return enterprise


@dataclass
class ImportReport:
    """What an import did: counts, or every refusal (each with its `row`, the header being
    row 1; none for the file as a whole) when nothing was written."""

    added: int = 0
    updated: int = 0
    problems: Problems = field(default_factory=Problems)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[tuple[int | None, str]]:
        """(row, translated text) per refusal, a cell's text after its column's name."""
        return [
            (r.row, f"{r.field}: {MESSAGES.text(r)}" if r.field else MESSAGES.text(r))
            for r in self.problems
        ]


IMPORT_COLUMNS = ("code", "name", "county", "industry", "address")


def import_enterprises(stream: IO[bytes], filename: str) -> ImportReport:
    """All or nothing: if any row has a problem, nothing is written and every problem is
    reported with its row number. Existing codes are updated; new ones added."""
    report = ImportReport()
    problems = report.problems
    try:
        table = read_table(stream, filename)
        missing = [c for c in IMPORT_COLUMNS if c not in table.columns]
        if missing:
            problems.add("import_columns_missing", row=1, columns=", ".join(missing))
            return report
        rows: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        parsed = [(row.number, *_enterprise_values(row.values)) for row in table]
        stored = _stored_counties([data["code"] for _n, data, found in parsed if not found])
        for number, data, found in parsed:
            if not found:
                refusal = _county_refusal(
                    data, stored.get(data["code"]), "import_outside_own_county"
                )
                if refusal:
                    found.append(refusal)
            if not found and data["code"] in seen:
                found.add(
                    "import_code_repeated", "code", code=data["code"], row_=seen[data["code"]]
                )
            for refusal in found:  # each refusal of the row names it
                refusal.row = number
            problems.extend(found)
            seen.setdefault(data["code"], number)
            rows.append(data)
    except TableError as exc:
        # Core's refusal, with core's words (MESSAGES falls back to them).
        problems.append(exc)
        return report
    if not rows and not problems:
        problems.add("import_no_rows")
    if problems:
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


def save_inspector(data: InspectorData) -> Inspector:
    code, name, county = (data.code or "").strip(), (data.name or "").strip(), data.county
    require_county(county or None)
    problems = Problems()
    if drawing._code_problem(code) is not None:
        problems.add("certificate_number_invalid", "code")
    if not name:
        problems.add("name_missing", "name")
    problems.check()
    inspector = db.session.scalar(sa.select(Inspector).where(Inspector.code == code))
    if inspector is not None and not may_act_in(inspector.county):
        raise Refusal("inspector_of_other_county", "code", code=code)
    if inspector is None:
        inspector = Inspector(code=code, name=name, county=county or None)
        db.session.add(inspector)
    else:
        inspector.name, inspector.county, inspector.active = name, county or None, True
    db.session.flush()
    audit.record("save", "inspector", code, after={"name": name, "county": county})
    db.session.commit()
    return inspector


def find_enterprise(raw: str, field_name: str = "enterprise_code") -> Enterprise:
    """The registered enterprise with credit code `raw`, for a form naming it; a Refusal on
    the field if the code is wrong or unknown, 403 if it is outside the official's county."""
    code, refusal = check_code(raw or "", field_name)
    if refusal:
        raise refusal
    found = db.session.scalar(sa.select(Enterprise).where(Enterprise.code == code))
    if found is None:
        raise Refusal("enterprise_unknown", field_name)
    require_county(found.county)
    return found
