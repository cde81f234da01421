"""Water workflows: import (sites, lab results), evaluation of stored samples, and the
publication of a county's quarter with its evaluation snapshot.  Web form, CLI and demo
loader all come through here; each public function commits once.  What is refused is a
:class:`~portal.core.problems.Refusal` (an import's in its report, a publication's a
:class:`PublishError`), worded in :data:`portal.water.messages.MESSAGES`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa

from portal.core import audit, counties
from portal.core.extensions import db
from portal.core.problems import Refusal
from portal.water import importer, snapshot
from portal.water.documents import (  # noqa: F401  (part of this module's interface)
    Evaluated,
    document,
    evaluate,
    evaluate_quarter,
    stored_measurements,
    summarize,
)
from portal.water.importer import MeasurementRow, Report, RowError
from portal.water.models import (
    WaterEvaluation,
    WaterMeasurement,
    WaterPublication,
    WaterSample,
    WaterSite,
    WaterSupplyLink,
)

QUARTER = re.compile(r"(\d{4})Q([1-4])")
BATCH = 2000


@dataclass
class ImportResult:
    ok: bool
    errors: list[RowError] = field(default_factory=list)
    truncated: bool = False
    error_count: int = 0
    rows: int = 0
    sites: int = 0
    samples: int = 0
    quarters: list[tuple[str, str]] = field(default_factory=list)  # (county, quarter)


def _failed(report: Report) -> ImportResult:
    return ImportResult(False, report.errors, report.truncated, report.count)


# --- import: sites -------------------------------------------------------------------------


def import_sites(stream: IO[bytes], filename: str, scope: str | None = None) -> ImportResult:
    """Create or update every site of the file, or none of them.

    ``scope``: the county of a county-scoped official (None: region-wide).  Each row is
    checked against the site as stored as well as the county it names, so a scoped
    official can neither write another county's site nor move a site between counties.
    """
    report = Report()
    table = importer.open_table(stream, filename, report)
    if table is None or not importer.check_columns(table, importer.SITE_COLUMNS, report):
        return _failed(report)
    stored = {
        code: (stage, county)
        for code, stage, county in db.session.execute(
            sa.select(WaterSite.code, WaterSite.stage, WaterSite.county)
        )
    }
    known = {code: stage for code, (stage, _) in stored.items()}
    rows = importer.validate_sites(table, known, report)
    importer.check_site_scope(rows, stored, scope, report)
    if report.count or not rows:
        if not rows and not report.count:
            report.add("empty_file")
        return _failed(report)
    by_code = {s.code: s for s in db.session.scalars(sa.select(WaterSite))}
    for r in rows:
        site = by_code.get(r.code) or WaterSite(code=r.code)
        for name in (
            "name_zh",
            "name_en",
            "stage",
            "county",
            "water_body",
            "centralized",
            "latitude",
            "longitude",
            "target_class",
            "disinfectant",
            "small_supply",
            "protection_zone",
        ):
            setattr(site, name, getattr(r, name))
        db.session.add(site)
        by_code[r.code] = site
    db.session.flush()
    ids = [by_code[r.code].id for r in rows]
    db.session.execute(sa.delete(WaterSupplyLink).where(WaterSupplyLink.site_id.in_(ids)))
    links = [
        {"site_id": by_code[r.code].id, "upstream_id": by_code[u].id}
        for r in rows
        for u in dict.fromkeys(r.supplied_by)
    ]
    if links:
        db.session.execute(sa.insert(WaterSupplyLink), links)
    audit.record(
        "import",
        "water_sites",
        None,
        after={"file": filename, "sites": len(rows), "scope": scope},
    )
    db.session.commit()
    return ImportResult(True, rows=len(rows), sites=len(rows))


# --- import: measurements ------------------------------------------------------------------


def import_measurements(stream: IO[bytes], filename: str, scope: str | None = None) -> ImportResult:
    """All-or-nothing, idempotent on (sample_id, parameter), streamed in two passes.

    Pass 1 validates every row (keeping only keys, not rows); pass 2 re-reads the file and
    writes in batches inside one transaction.  ``scope`` (a county-scoped official's county)
    refuses rows for a site, or a stored sample, of another county.
    """
    report = Report()
    table = importer.open_table(stream, filename, report)
    if table is None or not importer.check_columns(table, importer.MEASUREMENT_COLUMNS, report):
        return _failed(report)
    sites: dict[str, int] = {}
    site_counties: dict[str, str] = {}
    for code, pk, county in db.session.execute(
        sa.select(WaterSite.code, WaterSite.id, WaterSite.county)
    ):
        sites[code], site_counties[code] = pk, county
    seen: set[tuple[str, str]] = set()
    samples: dict[str, tuple[str, dt.datetime, int]] = {}  # sample → (site, time, first row)
    rows = 0
    for m in importer.measurement_rows(table, report):
        rows += 1
        if m.site_code not in sites:
            report.add("unknown_site", "site_code", row=m.row, value=m.site_code)
        elif scope is not None and site_counties[m.site_code] != scope:
            report.add("outside_county", "site_code", row=m.row, value=m.site_code)
        key = (m.sample_id, m.parameter)
        if key in seen:
            report.add("duplicate_measurement", "parameter", row=m.row, value=m.parameter)
        seen.add(key)
        first = samples.setdefault(m.sample_id, (m.site_code, m.sampled_at, m.row))
        if first[0] != m.site_code:
            report.add("sample_site_differs", "site_code", row=m.row, value=m.site_code)
        elif first[1] != m.sampled_at:
            when = m.sampled_at.isoformat()
            report.add("sample_time_differs", "sampled_at", row=m.row, value=when)
    del seen
    ids = list(samples)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for sample_id, site_id, stored_county in db.session.execute(
            sa.select(WaterSample.sample_id, WaterSample.site_id, WaterSample.county).where(
                WaterSample.sample_id.in_(chunk)
            )
        ):
            site_code, _, row = samples[sample_id]
            if sites.get(site_code) not in (None, site_id):
                report.add("sample_of_other_site", "sample_id", row=row, value=sample_id)
            elif scope is not None and stored_county != scope:
                # The sample as stored: a site moved since keeps its old samples' county.
                report.add("outside_county", "sample_id", row=row, value=sample_id)
    if report.count or not rows:
        if not report.count:
            report.add("empty_file")
        return _failed(report)

    stream.seek(0)
    table = importer.open_table(stream, filename, report)
    assert table is not None  # read once already
    quarters: set[tuple[str, str]] = set()
    batch: list[MeasurementRow] = []
    for m in importer.measurement_rows(table, report):
        batch.append(m)
        if len(batch) >= BATCH:
            quarters |= _write_batch(batch, sites)
            batch = []
    if batch:
        quarters |= _write_batch(batch, sites)
    audit.record(
        "import",
        "water_measurements",
        None,
        after={"file": filename, "rows": rows, "samples": len(samples), "scope": scope},
    )
    db.session.commit()
    return ImportResult(True, rows=rows, samples=len(samples), quarters=sorted(quarters))


def _text(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


def _write_batch(batch: list[MeasurementRow], sites: dict[str, int]) -> set[tuple[str, str]]:
    site_county = dict(
        db.session.execute(
            sa.select(WaterSite.id, WaterSite.county).where(
                WaterSite.id.in_({sites[m.site_code] for m in batch})
            )
        ).all()
    )
    heads: dict[str, dict[str, Any]] = {}
    for m in batch:
        site_id = sites[m.site_code]
        heads.setdefault(
            m.sample_id,
            {
                "sample_id": m.sample_id,
                "site_id": site_id,
                "county": site_county[site_id],
                "quarter": importer.china_quarter(m.sampled_at),
                "sampled_at": m.sampled_at,
                "lab": m.lab,
                "method": m.method,
            },
        )
    existing = dict(
        db.session.execute(
            sa.select(WaterSample.sample_id, WaterSample.id).where(
                WaterSample.sample_id.in_(list(heads))
            )
        ).all()
    )
    new = [h for sid, h in heads.items() if sid not in existing]
    if new:
        db.session.execute(sa.insert(WaterSample), new)
    if existing:
        db.session.execute(
            sa.update(WaterSample),
            [{"id": pk, **heads[sid]} for sid, pk in existing.items()],
        )
    pks = dict(
        db.session.execute(
            sa.select(WaterSample.sample_id, WaterSample.id).where(
                WaterSample.sample_id.in_(list(heads))
            )
        ).all()
    )
    if existing:
        pairs = [(pks[m.sample_id], m.parameter) for m in batch if m.sample_id in existing]
        for start in range(0, len(pairs), 400):
            db.session.execute(
                sa.delete(WaterMeasurement).where(
                    sa.tuple_(WaterMeasurement.sample_pk, WaterMeasurement.parameter).in_(
                        pairs[start : start + 400]
                    )
                )
            )
    db.session.execute(
        sa.insert(WaterMeasurement),
        [
            {
                "sample_pk": pks[m.sample_id],
                "parameter": m.parameter,
                "value_text": m.value_text,
                "unit_given": m.unit_given,
                "unit": m.unit,
                "value": _text(m.measurement.value),
                "qualifier": m.measurement.qualifier,
                "detection_limit": _text(m.measurement.detection_limit),
            }
            for m in batch
        ],
    )
    return {(h["county"], h["quarter"]) for h in heads.values()}


# Evaluation of stored samples lives in portal.water.documents (re-exported here).

# --- publication ---------------------------------------------------------------------------


class PublishError(Refusal):
    """Publication refused: ``unknown_county``, ``invalid_quarter``, ``no_samples``,
    ``reason_required`` (a correction needs its reason)."""


def valid_quarter(quarter: str) -> bool:
    return QUARTER.fullmatch(quarter) is not None


def current_publication(county: str, quarter: str) -> WaterPublication | None:
    return db.session.scalar(
        sa.select(WaterPublication).where(
            WaterPublication.county == county,
            WaterPublication.quarter == quarter,
            WaterPublication.current.is_(True),
        )
    )


def publish(county: str, quarter: str, reason: str | None = None) -> WaterPublication:
    """Publish (or, with a reason, correct) the county's quarter and announce it."""
    from portal.notices.announce import announce
    from portal.notices.service import current_author

    if counties.get(county) is None:
        raise PublishError("unknown_county")
    if not valid_quarter(quarter):
        raise PublishError("invalid_quarter")
    evaluated = evaluate_quarter(county, quarter)
    if not evaluated:
        raise PublishError("no_samples")
    previous = current_publication(county, quarter)
    reason = (reason or "").strip() or None
    if previous is not None and reason is None:
        raise PublishError("reason_required")
    summary = summarize(evaluated)
    if previous is not None:
        previous.current = False
        db.session.execute(
            sa.update(WaterEvaluation)
            .where(WaterEvaluation.publication_id == previous.id)
            .values(current=False)
        )
    _, author = current_author()
    pub = WaterPublication(
        county=county,
        quarter=quarter,
        version=previous.version + 1 if previous else 1,
        current=True,
        reason=reason if previous else None,
        published_by=author,
        summary=summary,
        sites={ev.site.code: snapshot.capture(ev.site) for ev in evaluated},
    )
    db.session.add(pub)
    db.session.flush()
    rows = [
        {
            "publication_id": pub.id,
            "current": True,
            "site_id": ev.site.id,
            "sample_id": ev.sample.sample_id,
            "quarter": quarter,
            "sampled_at": ev.sample.sampled_at,
            "latest_of_quarter": ev.latest,
            "standard": ev.doc["standard"],
            "water_class": ev.doc["class"],
            "held_to_class": ev.doc["held_to_class"],
            "compliant": ev.doc["compliant"],
            "deciding": ev.doc["deciding_parameters"],
            "result": ev.doc,
        }
        for ev in evaluated
    ]
    for start in range(0, len(rows), 1000):
        db.session.execute(sa.insert(WaterEvaluation), rows[start : start + 1000])
    c = counties.get(county)
    assert c is not None
    year, q = quarter[:4], quarter[-1]
    failing = sum(s["failing"] for s in summary["stages"].values())
    total = sum(s["sites"] for s in summary["stages"].values())
    announce(
        "water-quality",
        f"{c.name_zh}{year}年第{q}季度饮用水水质信息公开",
        f"{c.name_zh}{year}年第{q}季度共监测{total}个点位，其中{failing}个点位存在超标项目。"
        + (f"更正说明：{reason}" if previous and reason else ""),
        f"/water/quarters/{county}/{quarter}",
        county=county,
        source=f"water:quarter:{county}:{quarter}",
        title_en=f"{c.name_en}: drinking water quality, {year} Q{q}",
        summary_en=f"{total} monitoring sites in {c.name_en}; {failing} with an exceedance.",
        reason=reason if previous else None,
    )
    audit.record(
        "publish" if previous is None else "correct",
        "water_quarter",
        f"{county}:{quarter}",
        after={"version": pub.version, "samples": len(rows)},
        reason=reason,
    )
    db.session.commit()
    return pub


def quarters_overview() -> list[dict[str, Any]]:
    """Every county-quarter with samples and its publication, for officials (newest first)."""
    rows = db.session.execute(
        sa.select(WaterSample.county, WaterSample.quarter, sa.func.count())
        .group_by(WaterSample.county, WaterSample.quarter)
        .order_by(WaterSample.quarter.desc(), WaterSample.county)
    ).all()
    pubs = {
        (p.county, p.quarter): p
        for p in db.session.scalars(
            sa.select(WaterPublication).where(WaterPublication.current.is_(True))
        )
    }
    return [
        {"county": c, "quarter": q, "samples": n, "publication": pubs.get((c, q))}
        for c, q, n in rows
    ]


def changed_samples(county: str, quarter: str, live: list[Evaluated]) -> list[str]:
    """Sample ids whose evaluation today differs from the published one (or is new)."""
    pub = current_publication(county, quarter)
    if pub is None:
        return []
    published: dict[str, dict[str, Any]] = dict(
        db.session.execute(
            sa.select(WaterEvaluation.sample_id, WaterEvaluation.result).where(
                WaterEvaluation.publication_id == pub.id
            )
        ).all()
    )
    return [ev.sample.sample_id for ev in live if published.get(ev.sample.sample_id) != ev.doc]
