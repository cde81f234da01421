"""Public JSON API under /api/v1/water (published data only) and its OpenAPI description."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, jsonify
from flask.typing import ResponseReturnValue

from portal.core import apiargs, counties, openapi, urls
from portal.core.clock import CHINA
from portal.core.extensions import db
from portal.core.http import conditional
from portal.core.pagecache import cacheable
from portal.core.pagination import page_response, paginate
from portal.water import calendar, overdue, queries
from portal.water.evaluate import Stage
from portal.water.limit_tables import list_parameter_limits
from portal.water.models import WaterEvaluation, WaterPublication
from portal.water.service import valid_quarter
from portal.water.snapshot import PublishedSite
from portal.water.standards import WaterClass

bp = Blueprint("water_api", __name__, url_prefix="/api/v1/water")
MAX_AGE = 300


def _num(text: str | None) -> int | float | None:
    """An exact decimal string as a JSON number (shortest form that reads back the same)."""
    if text is None:
        return None
    d = Decimal(text)
    return int(d) if d == d.to_integral_value() and "." not in text else float(d)


def sample_json(e: WaterEvaluation) -> dict[str, Any]:
    d = e.result
    return {
        "sample_id": d["sample_id"],
        "url": urls.absolute(f"/water/samples/{d['sample_id']}"),
        "site": d["site"],
        "stage": d["stage"],
        "sampled_at": d["sampled_at"],
        "lab": d["lab"],
        "method": d["method"],
        "standard": d["standard"],
        "class": d["class"],
        "held_to_class": d["held_to_class"],
        "compliant": d["compliant"],
        "quarter": e.quarter,
        "deciding_parameters": d["deciding_parameters"],
        "notes": d["notes"],
        "disinfection": d.get("disinfection"),
        "disinfection_inferred": d.get("disinfection_inferred", False),
        "explanation": explanation_json(e),
        "parameters": [
            {
                "parameter": p["parameter"],
                "value": _num(p["value"]),
                "qualifier": p["qualifier"] if p["qualifier"] != "text" else p["text"],
                "detection_limit": _num(p["detection_limit"]),
                "unit": p["unit"],
                "limit": p["limit"],
                "passed": p["passed"],
                "class": p["class"],
                "exceedance_multiple": _num(p["exceedance_multiple"]),
                "notes": p["notes"],
            }
            for p in d["parameters"]
        ],
    }


def explanation_json(e: WaterEvaluation) -> dict[str, Any] | None:
    """The water officer's explanation of a failed or inconclusive sample, or when it is
    due; None for a compliant sample."""
    if e.compliant is True:
        return None
    county = e.publication.county
    written = overdue.explanation(county, e.quarter, e.site_id)
    if written is not None:
        return {
            "cause": written.cause,
            "measures": written.measures,
            "advice": written.advice,
            "written_at": written.written_at.isoformat(),
            "version": written.version,
            "due": None,
            "overdue": False,
        }
    first = overdue.first_published(county, e.quarter)
    due = overdue.explanation_due(first) if first else None
    today = calendar.china_today(overdue.now_utc())
    return {
        "cause": None,
        "measures": None,
        "advice": None,
        "written_at": None,
        "version": None,
        "due": due.isoformat() if due else None,
        "overdue": bool(due and today > due),
    }


def site_json(
    s: PublishedSite, detail: bool = False, chain: queries.Chain | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": s.code,
        "url": urls.absolute(f"/water/sites/{s.code}"),
        "name_zh": s.name_zh,
        "name_en": s.name_en or None,
        "stage": s.stage,
        "county": s.county,
        "water_body": s.water_body,
        "centralized": s.centralized if s.stage == Stage.SOURCE else None,
        "target_class": s.target_class,
        "disinfection": list(s.disinfection) if s.disinfection else None,
        "latitude": _num(s.latitude),
        "longitude": _num(s.longitude),
    }
    up, down = chain if chain is not None else queries.chain(s)
    out["supplied_by"] = [u.code for u in up]
    out["supplies"] = [d.code for d in down]
    if detail:
        out["samples"] = [
            {
                "sample_id": e.sample_id,
                "url": urls.absolute(f"/api/v1/water/samples/{e.sample_id}"),
                "sampled_at": e.sampled_at.astimezone(CHINA).isoformat(),
                "quarter": e.quarter,
                "class": e.water_class,
                "compliant": e.compliant,
            }
            for e in db.session.scalars(queries.site_evaluations(s))
        ]
    return out


def quarter_json(pub: WaterPublication) -> dict[str, Any]:
    due = calendar.due_date(pub.quarter, overdue.due_days())
    first = overdue.first_published(pub.county, pub.quarter) or pub.published_at
    return {
        "county": pub.county,
        "quarter": pub.quarter,
        "due": due.isoformat(),
        "published_late": calendar.china_today(first) > due,
        "url": urls.absolute(f"/water/quarters/{pub.county}/{pub.quarter}"),
        "version": pub.version,
        "published_at": pub.published_at.isoformat(),
        "correction_reason": pub.reason,
        "stages": pub.summary["stages"],
        "centralized_sources": pub.summary["centralized_sources"],
        "exceedances": [
            {**x, "value": _num(x["value"]), "exceedance_multiple": _num(x["exceedance_multiple"])}
            for x in pub.summary["exceedances"]
        ],
        "sites": [
            {"site": s.code, "stage": s.stage, **sample_json(e)}
            for e, s in queries.latest_rows(pub, with_result=True)
        ],
    }


def _json(data: Any) -> ResponseReturnValue:
    return conditional(jsonify(data), max_age=MAX_AGE)


@bp.get("/parameters")
@cacheable
def parameters() -> ResponseReturnValue:
    return _json(
        {
            "parameters": [
                {
                    "code": p.code,
                    "name_zh": p.name_zh,
                    "name_en": p.name_en,
                    "unit": p.unit,
                    "derived": p.derived,
                    "limits": [
                        {
                            "standard": e.standard,
                            "applies_to": e.applies_to,
                            "class": e.level,
                            "comparison": e.limit.comparison,
                            "limit": str(e.limit) or None,
                            "value": _num(_s(e.limit.value)),
                            "low": _num(_s(e.limit.low)),
                            "high": _num(_s(e.limit.high)),
                        }
                        for e in p.limits
                    ],
                }
                for p in list_parameter_limits()
            ]
        }
    )


def _s(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


@bp.get("/sites")
@cacheable
def sites() -> ResponseReturnValue:
    county = apiargs.county()
    stage = apiargs.choice("stage", Stage)
    page = paginate(queries.public_sites(county, stage), default_per_page=50)
    published = queries.published_list(list(page.items))
    links = queries.chains([s.id for s in published])
    items = [site_json(s, chain=links[s.id]) for s in published]
    return conditional(page_response(page, items), max_age=MAX_AGE)


@bp.get("/sites/<code>")
@cacheable
def site(code: str) -> ResponseReturnValue:
    s = queries.public_site(code)
    if s is None:
        abort(404)
    return _json(site_json(s, detail=True))


@bp.get("/samples/<sample_id>")
@cacheable
def sample(sample_id: str) -> ResponseReturnValue:
    e = queries.sample(sample_id)
    if e is None:
        abort(404)
    return _json(sample_json(e))


@bp.get("/counties", endpoint="counties")
@cacheable
def counties_list() -> ResponseReturnValue:
    """Each county's latest published quarter with its dated verdicts, and the quarters
    past their due date that are not yet published (the publication calendar)."""
    pubs = queries.latest_publications()
    dates = queries.sampling_dates(list(pubs.values()))
    out = []
    for code, cal in overdue.county_calendars().items():
        pub = pubs.get(code)
        stages = {}
        if pub is not None:
            for stage, s in pub.summary["stages"].items():
                at = dates.get(pub.id, {}).get(stage)
                stages[stage] = {
                    **s,
                    "verdict": False
                    if s["failing"]
                    else (True if s["compliant"] == s["sites"] else None),
                    "quarter": pub.quarter,
                    "sampled_at": at.astimezone(CHINA).isoformat() if at else None,
                }
        out.append(
            {
                "county": code,
                "latest_quarter": pub.quarter if pub else None,
                "latest_url": urls.absolute(f"/api/v1/water/quarters/{code}/{pub.quarter}")
                if pub
                else None,
                "stages": stages,
                "overdue": [
                    {"quarter": d.quarter, "due": d.due.isoformat(), "status": "not yet published"}
                    for d in cal.overdue
                ],
                "next_due": {"quarter": cal.next.quarter, "due": cal.next.due.isoformat()},
            }
        )
    return _json({"due_days": overdue.due_days(), "counties": out})


@bp.get("/quarters/<county>/<quarter>")
@cacheable
def quarter(county: str, quarter: str) -> ResponseReturnValue:
    if counties.get(county) is None or not valid_quarter(quarter):
        abort(404)
    pub = queries.publication(county, quarter)
    if pub is None:
        abort(404)
    return _json(quarter_json(pub))


def _op(summary: str, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "tags": ["water"],
            "parameters": params or [],
            "responses": {"200": {"description": "OK"}, "404": {"description": "Not published"}},
        }
    }


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }


OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/water/parameters": _op("Water-quality parameters and their limits per standard"),
    "/api/v1/water/sites": _op(
        "Published monitoring sites with their supply chain",
        [
            openapi.county_param(),
            openapi.choice_param("stage", [s.value for s in Stage], "Stage of the supply chain"),
            *openapi.PAGE_PARAMS,
        ],
    ),
    "/api/v1/water/sites/{code}": _op(
        "One site, its supply chain and its published samples", [_path_param("code", "Site code")]
    ),
    "/api/v1/water/samples/{sample_id}": _op(
        "The published evaluation of one sample",
        [_path_param("sample_id", "Laboratory sample id")],
    ),
    "/api/v1/water/counties": _op(
        "Each county's latest published quarter (verdicts with quarter and sampling date) "
        "and its quarters past due and not yet published"
    ),
    "/api/v1/water/quarters/{county}/{quarter}": _op(
        "A county's published quarter",
        [_path_param("county", "County code"), _path_param("quarter", "e.g. 2026Q3")],
    ),
}
OPENAPI_PATHS["/api/v1/water/sites"]["get"]["responses"].update(openapi.LIST_ERRORS)
OPENAPI_PATHS["/api/v1/water/sites"]["get"]["responses"]["200"] = {
    "description": "A page of sites; RFC 8288 Link header for navigation",
    "content": {"application/json": {"schema": openapi.page_schema("WaterSite")}},
}
OPENAPI_PATHS["/api/v1/water/samples/{sample_id}"]["get"]["responses"]["200"] = {
    "description": "The evaluation",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WaterSample"}}},
}
_NSTR = {"type": ["string", "null"]}
_NNUM = {"type": ["number", "null"]}
_CODES = {"type": "array", "items": {"type": "string"}}
OPENAPI_COMPONENTS: dict[str, Any] = {
    "schemas": {
        "WaterSite": {
            "type": "object",
            "required": ["code", "url", "name_zh", "stage", "county", "supplied_by", "supplies"],
            "properties": {
                "code": {"type": "string"},
                "url": {"type": "string", "format": "uri"},
                "name_zh": {"type": "string"},
                "name_en": _NSTR,
                "stage": {"type": "string", "enum": [s.value for s in Stage]},
                "county": {"type": "string"},
                "water_body": _NSTR,
                "centralized": {"type": ["boolean", "null"]},
                "target_class": _NSTR,
                "disinfection": {"type": ["array", "null"], "items": {"type": "string"}},
                "latitude": _NNUM,
                "longitude": _NNUM,
                "supplied_by": _CODES,
                "supplies": _CODES,
            },
        },
        "WaterSample": {
            "type": "object",
            "properties": {
                "site": {"type": "string"},
                "stage": {"type": "string", "enum": [s.value for s in Stage]},
                "sampled_at": {"type": "string", "format": "date-time"},
                "standard": {"type": "string"},
                "class": {
                    "type": ["string", "null"],
                    "enum": [*(c.value for c in WaterClass), None],
                },
                "compliant": {"type": ["boolean", "null"]},
                "deciding_parameters": {"type": "array", "items": {"type": "string"}},
                "parameters": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "parameter": {"type": "string"},
                            "value": {"type": ["number", "null"]},
                            "qualifier": {"type": ["string", "null"]},
                            "detection_limit": {"type": ["number", "null"]},
                            "unit": {"type": "string"},
                            "limit": {"type": ["string", "null"]},
                            "passed": {"type": ["boolean", "null"]},
                            "class": {"type": ["string", "null"]},
                            "exceedance_multiple": {"type": ["number", "null"]},
                        },
                    },
                },
            },
        },
    }
}
