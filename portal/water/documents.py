"""The evaluation of stored samples and the published record of each (the document a
publication keeps): read from the database, judged by the pure engine, no writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from portal.core.clock import CHINA
from portal.core.extensions import db
from portal.water.evaluate import Evaluation, Stage, evaluate_sample
from portal.water.limit_tables import load_standards
from portal.water.models import WaterMeasurement, WaterSample, WaterSite
from portal.water.standards import WaterClass
from portal.water.values import Measurement, Qualifier


def _text(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


def stored_measurements(sample_pks: Sequence[int]) -> dict[int, dict[str, Measurement]]:
    out: dict[int, dict[str, Measurement]] = {pk: {} for pk in sample_pks}
    for start in range(0, len(sample_pks), 500):
        for m in db.session.scalars(
            sa.select(WaterMeasurement).where(
                WaterMeasurement.sample_pk.in_(sample_pks[start : start + 500])
            )
        ):
            out[m.sample_pk][m.parameter] = Measurement(
                None if m.value is None else Decimal(m.value),
                None if m.qualifier is None else Qualifier(m.qualifier),
                None if m.detection_limit is None else Decimal(m.detection_limit),
                m.value_text,
            )
    return out


def evaluate(site: WaterSite, measurements: dict[str, Measurement]) -> Evaluation:
    return evaluate_sample(
        site.stage,
        measurements,
        water_body=site.water_body,
        centralized=site.centralized,
        target_class=site.target_class,
        disinfection=site.disinfection,
        small_supply=site.small_supply,
    )


def _multiple(d: Decimal | None) -> str | None:
    if d is None:
        return None
    if abs(d) >= Decimal("0.01"):
        return str(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return format(d, ".2g")


def document(sample: WaterSample, site: WaterSite, e: Evaluation) -> dict[str, Any]:
    """The published record of one sample (JSON-safe; decimals as exact strings)."""
    names = load_standards().parameters
    return {
        "sample_id": sample.sample_id,
        "site": site.code,
        "stage": site.stage,
        "sampled_at": sample.sampled_at.astimezone(CHINA).isoformat(),
        "lab": sample.lab,
        "method": sample.method,
        "standard": e.standard,
        "class": e.water_class,
        "held_to_class": e.held_to_class,
        "compliant": e.compliant,
        "deciding_parameters": list(e.deciding_parameters),
        "notes": list(e.notes),
        "disinfection": list(e.disinfection) if e.disinfection else None,
        "disinfection_inferred": e.disinfection_inferred,
        "parameters": [
            {
                "parameter": it.parameter,
                "name_zh": names[it.parameter].name_zh,
                "name_en": names[it.parameter].name_en,
                "value": _text(it.value),
                "qualifier": it.qualifier,
                "detection_limit": _text(it.detection_limit),
                "text": it.text,
                "unit": it.unit,
                "limit": str(it.limit) if it.limit is not None else None,
                "limit_value": _text(it.limit.value) if it.limit is not None else None,
                "comparison": it.comparison,
                "passed": it.passed,
                "class": it.item_class,
                "exceedance_multiple": _multiple(it.exceedance_multiple),
                "notes": list(it.notes),
                "used_for_class": it.used_for_class,
                "counts_for_verdict": it.counts_for_verdict,
            }
            for it in e.items
        ],
    }


@dataclass(frozen=True)
class Evaluated:
    sample: WaterSample
    site: WaterSite
    doc: dict[str, Any]
    latest: bool


def evaluate_quarter(county: str, quarter: str) -> list[Evaluated]:
    """Every sample of the county's quarter, evaluated from the stored data (for review
    and for publication), site stage order then newest first."""
    samples = list(
        db.session.scalars(
            sa.select(WaterSample)
            .where(WaterSample.county == county, WaterSample.quarter == quarter)
            .order_by(WaterSample.site_id, WaterSample.sampled_at.desc(), WaterSample.id)
        )
    )
    values = stored_measurements([s.id for s in samples])
    out, seen = [], set()
    for s in samples:
        out.append(
            Evaluated(
                s,
                s.site,
                document(s, s.site, evaluate(s.site, values[s.id])),
                s.site_id not in seen,
            )
        )
        seen.add(s.site_id)
    order: tuple[str, ...] = tuple(Stage)
    out.sort(key=lambda ev: (order.index(ev.site.stage), ev.site.code, ev.sample.sampled_at))
    return out


def summarize(evaluated: Iterable[Evaluated]) -> dict[str, Any]:
    """Per stage: sites, compliant, failing, inconclusive; and every exceedance."""
    stages: dict[str, dict[str, int]] = {}
    exceedances = []
    # "class III or better" counts the class alone; "meeting_standard" also needs every
    # supplementary item (the verdict shown beside each source).
    centralized = {"total": 0, "class_iii_or_better": 0, "meeting_standard": 0}
    for ev in evaluated:
        doc = ev.doc
        if ev.latest:
            s = stages.setdefault(
                ev.site.stage, {"sites": 0, "compliant": 0, "failing": 0, "inconclusive": 0}
            )
            s["sites"] += 1
            key = {True: "compliant", False: "failing", None: "inconclusive"}[doc["compliant"]]
            s[key] += 1
            if ev.site.stage == Stage.SOURCE and ev.site.centralized:
                centralized["total"] += 1
                if doc["class"] in (WaterClass.I, WaterClass.II, WaterClass.III):
                    centralized["class_iii_or_better"] += 1
                if doc["compliant"] is True:
                    centralized["meeting_standard"] += 1
        for p in doc["parameters"]:
            if p["passed"] is False and p["counts_for_verdict"]:
                exceedances.append(
                    {
                        "site": ev.site.code,
                        "sample_id": ev.sample.sample_id,
                        "sampled_at": doc["sampled_at"],
                        "parameter": p["parameter"],
                        "name_zh": p["name_zh"],
                        "name_en": p["name_en"],
                        "value": p["value"],
                        "text": p["text"],
                        "unit": p["unit"],
                        "limit": p["limit"],
                        "exceedance_multiple": p["exceedance_multiple"],
                    }
                )
    return {"stages": stages, "exceedances": exceedances, "centralized_sources": centralized}
