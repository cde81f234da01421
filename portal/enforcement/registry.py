"""The enterprise registry and the inspector list: one enterprise from a form, many from a
CSV/XLSX import (all or nothing), an inspector who may be drawn."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.core import audit, counties
from portal.core.extensions import db
from portal.core.tabular import TableError, read_table
from portal.enforcement import credit_code
from portal.enforcement import draw as drawing
from portal.enforcement.models import Enterprise, Inspector
from portal.enforcement.service import Problems, may_act_in, require_county


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


def _county_problem(data: dict[str, Any], stored: str | None, own: str) -> str | None:
    """Why the acting official may not write this enterprise, if so: the county it is
    registered in (as stored) and the county it would have afterwards are both checked."""
    if stored is not None and not may_act_in(stored):
        return _(
            "Enterprise %(code)s is registered in another county; only that county's or the "
            "region's officials may change it.",
            code=data["code"],
        )
    if not may_act_in(data["county"]):
        if stored is not None:
            return _("A county official cannot move an enterprise to another county.")
        return own
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
    data, errors = _enterprise_values(
        values.as_row() if isinstance(values, EnterpriseData) else values
    )
    if not errors:
        problem = _county_problem(
            data,
            _stored_counties([data["code"]]).get(data["code"]),
            _("You may record enterprises only in your own county."),
        )
        if problem:
            errors["county"] = problem
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


def import_enterprises(stream: IO[bytes], filename: str) -> ImportReport:
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
        parsed = [(row.number, *_enterprise_values(row.values)) for row in table]
        stored = _stored_counties([data["code"] for _n, data, errors in parsed if not errors])
        own = _("You may import enterprises only in your own county.")
        for number, data, errors in parsed:
            if not errors:
                problem = _county_problem(data, stored.get(data["code"]), own)
                if problem:
                    errors["county"] = problem
            if not errors and data["code"] in seen:
                errors["code"] = _(
                    "Code %(code)s already appears in row %(row)s.",
                    code=data["code"],
                    row=seen[data["code"]],
                )
            for name, message in errors.items():
                report.errors.append((number, f"{name}: {message}"))
            seen.setdefault(data["code"], number)
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


def save_inspector(data: InspectorData) -> Inspector:
    code, name, county = (data.code or "").strip(), (data.name or "").strip(), data.county
    require_county(county or None)
    errors: dict[str, str] = {}
    if drawing._code_problem(code) is not None:
        errors["code"] = _("A certificate number has no spaces or | and at most 64 characters.")
    if not name:
        errors["name"] = _("The name is missing.")
    if errors:
        raise Problems(errors)
    inspector = db.session.scalar(sa.select(Inspector).where(Inspector.code == code))
    if inspector is not None and not may_act_in(inspector.county):
        raise Problems(
            {
                "code": _(
                    "Certificate number %(code)s belongs to an inspector of another county; "
                    "only that county's or the region's officials may change it.",
                    code=code,
                )
            }
        )
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
    """The registered enterprise with credit code `raw`, for a form naming it; Problems on
    the field if the code is wrong or unknown, 403 if it is outside the official's county."""
    code, problem = check_code(raw or "")
    if problem:
        raise Problems({field_name: problem})
    found = db.session.scalar(sa.select(Enterprise).where(Enterprise.code == code))
    if found is None:
        raise Problems({field_name: _("No enterprise with this code is in the registry.")})
    require_county(found.county)
    return found
