"""Write side of exceedance explanations: the cause, the measures taken and the advice to
residents for a failed or inconclusive site in a county's quarter, written by the water
officer on the review screen or given to ``water publish --explanations FILE``.

Publication never waits for them.  Each write is a new version; the newest is public.
Checks run against the records as stored: the site must have samples in that county's
quarter, and a county-scoped official may write only for their county.  A refusal is an
:class:`ExplanationError`, worded in :data:`portal.water.messages.MESSAGES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

import sqlalchemy as sa

from portal.core import audit, counties
from portal.core.extensions import db
from portal.core.problems import Refusal
from portal.water import importer
from portal.water.importer import Report
from portal.water.models import WaterExplanation, WaterSample, WaterSite

COLUMNS = ("site_code", "cause", "measures", "advice")
MAX_TEXT = 2000


class ExplanationError(Refusal):
    """An explanation refused: the scope (``unknown_county``, ``invalid_quarter``,
    ``outside_county``), the site (``site_not_in_quarter``) or a field (``cause_required``,
    ``advice_too_long``, …; ``field`` names it)."""


@dataclass(frozen=True)
class Text:
    site_code: str
    cause: str
    measures: str
    advice: str


def _sites_of_quarter(county: str, quarter: str) -> dict[str, int]:
    """Site code → id for the sites with samples in the county's quarter (as stored)."""
    return dict(
        db.session.execute(
            sa.select(WaterSite.code, WaterSite.id)
            .join(WaterSample, WaterSample.site_id == WaterSite.id)
            .where(WaterSample.county == county, WaterSample.quarter == quarter)
            .distinct()
        ).all()
    )


def _check_scope(county: str, quarter: str, scope: str | None) -> None:
    from portal.water.service import valid_quarter

    if counties.get(county) is None:
        raise ExplanationError("unknown_county")
    if not valid_quarter(quarter):
        raise ExplanationError("invalid_quarter")
    if scope is not None and scope != county:
        raise ExplanationError("outside_county")


def field_errors(text: Text) -> list[ExplanationError]:
    """The empty or too long fields, in form order."""
    errors = []
    cause, measures, advice = text.cause.strip(), text.measures.strip(), text.advice.strip()
    if not cause:
        errors.append(ExplanationError("cause_required", "cause"))
    elif len(cause) > MAX_TEXT:
        errors.append(ExplanationError("cause_too_long", "cause"))
    if not measures:
        errors.append(ExplanationError("measures_required", "measures"))
    elif len(measures) > MAX_TEXT:
        errors.append(ExplanationError("measures_too_long", "measures"))
    if not advice:
        errors.append(ExplanationError("advice_required", "advice"))
    elif len(advice) > MAX_TEXT:
        errors.append(ExplanationError("advice_too_long", "advice"))
    return errors


def _write(county: str, quarter: str, site_id: int, text: Text, author: str) -> WaterExplanation:
    previous = db.session.scalar(
        sa.select(WaterExplanation).where(
            WaterExplanation.county == county,
            WaterExplanation.quarter == quarter,
            WaterExplanation.site_id == site_id,
            WaterExplanation.current.is_(True),
        )
    )
    if previous is not None:
        previous.current = False
        db.session.flush()
    row = WaterExplanation(
        county=county,
        quarter=quarter,
        site_id=site_id,
        version=previous.version + 1 if previous else 1,
        current=True,
        cause=text.cause.strip(),
        measures=text.measures.strip(),
        advice=text.advice.strip(),
        written_by=author,
    )
    db.session.add(row)
    audit.record(
        "explain" if previous is None else "update",
        "water_explanation",
        f"{county}:{quarter}:{text.site_code}",
        after={"version": row.version},
    )
    return row


def write(county: str, quarter: str, text: Text, scope: str | None) -> WaterExplanation:
    """Write (or rewrite, as a new version) one site's explanation; commits."""
    from portal.notices.service import current_author

    _check_scope(county, quarter, scope)
    site_id = _sites_of_quarter(county, quarter).get(text.site_code)
    if site_id is None:
        raise ExplanationError("site_not_in_quarter")
    if errors := field_errors(text):
        raise errors[0]
    row = _write(county, quarter, site_id, text, current_author()[1])
    db.session.commit()
    return row


def read_file(
    stream: IO[bytes], filename: str, county: str, quarter: str, scope: str | None
) -> tuple[list[Text], Report]:
    """Every row of an explanations file checked (nothing written): errors as values."""
    report = Report()
    try:
        _check_scope(county, quarter, scope)
    except ExplanationError as exc:
        report.add(exc.code)
        return [], report
    table = importer.open_table(stream, filename, report)
    if table is None or not importer.check_columns(table, COLUMNS, report):
        return [], report
    known = _sites_of_quarter(county, quarter)
    texts, seen = [], set()
    for raw in importer.rows_of(table, report):
        v = {k: (raw.values.get(k) or "").strip() for k in COLUMNS}
        text = Text(v["site_code"], v["cause"], v["measures"], v["advice"])
        if text.site_code not in known:
            report.add("site_not_in_quarter", "site_code", row=raw.number, value=text.site_code)
        elif text.site_code in seen:
            report.add("duplicate_site", "site_code", row=raw.number, value=text.site_code)
        seen.add(text.site_code)
        for error in field_errors(text):
            report.add(error.code, error.field, row=raw.number)
        texts.append(text)
    if not texts and not report.count:
        report.add("empty_file")
    return texts, report


def write_all(county: str, quarter: str, texts: list[Text], scope: str | None) -> int:
    """Write checked texts (from :func:`read_file`) in one transaction."""
    from portal.notices.service import current_author

    _check_scope(county, quarter, scope)
    known = _sites_of_quarter(county, quarter)
    author = current_author()[1]
    for text in texts:
        _write(county, quarter, known[text.site_code], text, author)
    db.session.commit()
    return len(texts)
