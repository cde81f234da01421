"""Public JSON API: /api/v1/enforcement/… (read-only, paginated, in the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from portal.core import apiargs, openapi
from portal.core.http import conditional
from portal.core.pagecache import cacheable
from portal.core.pagination import page_response, paginate
from portal.enforcement import credit_code, queries, timeline
from portal.enforcement import draw as draw_rules
from portal.enforcement.models import (
    CardColor,
    CardState,
    CaseStatus,
    Draw,
    DrawStatus,
    Enterprise,
    Outcome,
    ProductionMeasure,
    ViolationType,
)

bp = Blueprint("enforcement_api", __name__, url_prefix="/api/v1/enforcement")


def _native(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_native(v) for v in value]
    return value


def _json(data: Any, max_age: int = 300) -> Response:
    response = jsonify(_native(data))
    response.access_control_allow_origin = "*"
    return conditional(response, max_age=max_age)


def _paged(page: Any, items: list[Any]) -> Response:
    return conditional(page_response(page, _native(items)), max_age=300)


def _filters() -> None:
    """The documented filters' values are checked (400) before any query runs."""
    apiargs.county()


def _page(query: sa.Select[Any], serialise: Any) -> Response:
    page = paginate(query, 20)
    return _paged(page, [serialise(item) for item in page.items])


def _enterprise(e: Enterprise) -> dict[str, Any]:
    return {**e.as_dict(), "url": url_for("enforcement.enterprise", code=e.code, _external=True)}


@bp.get("/enterprises")
@cacheable
def enterprises() -> ResponseReturnValue:
    _filters()
    return _page(queries.enterprises_query(request.args), _enterprise)


@bp.get("/enterprises/<code>")
@cacheable
def enterprise(code: str) -> ResponseReturnValue:
    found = sa.select(Enterprise).where(Enterprise.code == credit_code.normalize(code[:64]))
    from portal.core.extensions import db

    item = db.session.scalar(found)
    if item is None:
        abort(404)
    data = timeline.enterprise_history(item, officials=False)
    visible = queries.public_case_ids([i.case_id for i in data["inspections"] if i.case_id])
    current = data["current_card"]
    return _json(
        {
            **_enterprise(item),
            "current_card": current.color if current else None,
            "quarters": [{"quarter": m.quarter.label, "status": m.status} for m in data["strip"]],
            "cards": [queries.card_row(c) for c in data["cards"]],
            "inspections": [queries.inspection_row(i, visible) for i in data["inspections"]],
            "cases": [queries.case_row(c) for c in data["cases"]],
        }
    )


@bp.get("/cards")
@cacheable
def cards() -> ResponseReturnValue:
    _filters()
    state = apiargs.choice("state", ("current", "lifted"), "current")
    apiargs.choice("card", tuple(CardColor))
    return _page(queries.cards_query(request.args, lifted=state == "lifted"), queries.card_row)


def _draw_summary(draw: Draw) -> dict[str, Any]:
    return {
        "id": draw.number,
        "status": draw.status,
        "title": draw.title_zh,
        "title_en": draw.title_en,
        "county": draw.county,
        "planned_on": draw.planned_on,
        "commitment": draw.commitment,
        "committed_at": draw.committed_at,
        "revealed_at": draw.revealed_at,
        "url": url_for("enforcement_api.draw", number=draw.number, _external=True),
    }


@bp.get("/draws")
@cacheable
def draws() -> ResponseReturnValue:
    return _page(queries.draws_query(), _draw_summary)


def _find_draw(number: str) -> Draw:
    from portal.core.extensions import db

    found = db.session.scalar(sa.select(Draw).where(Draw.number == number))
    if found is None:
        abort(404)
    return found


@bp.get("/draws/<number>")
@cacheable
def draw(number: str) -> ResponseReturnValue:
    """The draw's public document: before the reveal the commitment and pools only."""
    return _json(_find_draw(number).public_document, max_age=60)


@bp.get("/draws/<number>/committed")
@cacheable
def draw_committed(number: str) -> ResponseReturnValue:
    """The document as published at commit time; it never changes."""
    return _json(_find_draw(number).committed_document, max_age=3600)


@bp.get("/inspections")
@cacheable
def inspections() -> ResponseReturnValue:
    _filters()
    apiargs.choice("outcome", tuple(Outcome))
    query = queries.inspections_query(request.args)
    page = paginate(query, 20)
    visible = queries.public_case_ids([i.case_id for i in page.items if i.case_id])
    return _paged(page, [queries.inspection_row(i, visible) for i in page.items])


@bp.get("/cases")
@cacheable
def cases() -> ResponseReturnValue:
    _filters()
    return _page(queries.cases_query(request.args), queries.case_row)


@bp.get("/cases/summary")
@cacheable
def cases_summary() -> ResponseReturnValue:
    years, quarters = queries.case_summary()

    def rows(items: list[Any]) -> list[dict[str, Any]]:
        return [
            {"period": r.period, "cases": r.cases, "fines_yuan": r.fines, "transfers": r.transfers}
            for r in items
        ]

    return _json({"years": rows(years), "quarters": rows(quarters)})


# --- OpenAPI -----------------------------------------------------------------------------

_PAGING = openapi.PAGE_PARAMS


def _q(name: str, description: str, enum: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if enum:
        schema["enum"] = enum
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _list(summary: str, item: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "tags": ["enforcement"],
            "summary": summary,
            "parameters": params + _PAGING,
            "responses": {
                "200": {
                    "description": "A page of results; RFC 8288 Link header for navigation.",
                    "content": {"application/json": {"schema": openapi.page_schema(item)}},
                },
                **openapi.LIST_ERRORS,
            },
        }
    }


def _one(summary: str, schema: str, param: str, description: str) -> dict[str, Any]:
    return {
        "get": {
            "tags": ["enforcement"],
            "summary": summary,
            "parameters": [
                {
                    "name": param,
                    "in": "path",
                    "required": True,
                    "description": description,
                    "schema": {"type": "string"},
                }
            ],
            "responses": {
                "200": {
                    "description": "Found.",
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                    },
                },
                "404": {"description": "No such record, or not public."},
            },
        }
    }


def _values(codes: type[StrEnum]) -> list[str]:
    """A closed set's codes as plain strings, in its order (the document's `enum`)."""
    return [member.value for member in codes]


_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_DATE = {"type": "string", "format": "date"}
_NDATE = {"type": ["string", "null"], "format": "date"}
_CODES = {"type": "array", "items": _STR}

SCHEMAS: dict[str, Any] = {
    "EnforcementEnterprise": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": "Unified social credit code (GB 32100-2015)"},
            "name": _STR,
            "name_en": _NSTR,
            "county": _STR,
            "industry": _STR,
            "address": _STR,
            "permit_number": _NSTR,
            "key_discharger": {"type": "boolean"},
            "url": _STR,
        },
    },
    "EnforcementCard": {
        "type": "object",
        "properties": {
            "decision_number": _STR,
            "card": {"enum": _values(CardColor)},
            "state": {"enum": _values(CardState)},
            "enterprise_code": _STR,
            "enterprise_name": _STR,
            "county": _STR,
            "industry": _STR,
            "decided_on": _DATE,
            "authority": _STR,
            "reasons": _STR,
            "measures": _STR,
            "rectification_deadline": _NDATE,
            "ended_on": _NDATE,
            "lift_reason": _NSTR,
            "lift_evidence": _NSTR,
            "escalated_from": _NSTR,
            "url": _STR,
        },
    },
    "EnforcementInspection": {
        "type": "object",
        "properties": {
            "enterprise_code": _STR,
            "enterprise_name": _STR,
            "county": _STR,
            "industry": _STR,
            "inspected_on": _DATE,
            "draw": _NSTR,
            "inspectors": _STR,
            "items_checked": _STR,
            "findings": _STR,
            "outcome": {"enum": _values(Outcome)},
            "case_number": _NSTR,
            "follow_up": _NSTR,
            "published_at": {"type": "string", "format": "date-time"},
        },
    },
    "EnforcementCase": {
        "type": "object",
        "properties": {
            "decision_number": _STR,
            "enterprise_code": _STR,
            "enterprise_name": _STR,
            "county": _STR,
            "industry": _STR,
            "filed_on": _DATE,
            "decided_on": _NDATE,
            "violation_type": {"enum": _values(ViolationType)},
            "facts": _STR,
            "legal_basis": _STR,
            "fine_yuan": {"type": "number"},
            "daily_penalty_yuan": {"type": "number"},
            "seizure": {"type": "boolean"},
            # No measure is published as null, not "".
            "production_measure": {"enum": [*(v for v in _values(ProductionMeasure) if v), None]},
            "police_transferred_on": _NDATE,
            "police_outcome": _NSTR,
            "status": {"enum": _values(CaseStatus)},
            "typical": {"type": "boolean"},
            "url": _STR,
        },
    },
    "EnforcementDrawSummary": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "Public draw number, e.g. 2026-007"},
            "status": {"enum": _values(DrawStatus)},
            "title": _STR,
            "title_en": _NSTR,
            "county": _NSTR,
            "planned_on": _DATE,
            "commitment": _STR,
            "committed_at": {"type": "string", "format": "date-time"},
            "revealed_at": {"type": ["string", "null"], "format": "date-time"},
            "url": _STR,
        },
    },
    "EnforcementDraw": {
        "type": "object",
        "description": (
            "The verifiable draw document. commitment = sha256(secret); seed = "
            "sha256(secret + '|' + entropy); enterprise score = "
            "HMAC-SHA256(seed, 'entity|' + code); "
            "inspector score = HMAC-SHA256(seed, 'inspector|' + code + '|' + inspector). "
            "Before the reveal secret, entropy, seed and selected are null. The commitment "
            "names the entropy's source and the moment it is taken (entropy_source, after "
            "committed_at); the entropy is the value that source published, in canonical "
            "form. Verify with `flask --app portal inspections verify URL --entropy VALUE`, "
            "VALUE read at the source."
        ),
        "required": list(draw_rules.DOCUMENT_FIELDS),
        "properties": {
            "id": _STR,
            "status": {"enum": _values(DrawStatus)},
            "commitment": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "secret": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
            "entropy": _NSTR,
            "seed": _NSTR,
            "entity_pool": _CODES,
            "inspector_pool": _CODES,
            "conflicts": {
                "type": "array",
                "items": {"type": "object", "properties": {"entity": _STR, "inspector": _STR}},
            },
            "select_count": {"type": "integer"},
            "inspectors_per_entity": {"type": "integer"},
            "selected": {
                "type": ["array", "null"],
                "items": {"type": "object", "properties": {"entity": _STR, "inspectors": _CODES}},
            },
            "committed_at": {"type": ["string", "null"], "format": "date-time"},
            "entropy_source": {
                "type": ["object", "null"],
                "properties": {
                    "name": _STR,
                    "at": {"type": "string", "format": "date-time"},
                    "pattern": _NSTR,
                },
            },
            "revealed_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}

_FILTERS = [
    openapi.county_param("County code, e.g. mohe"),
    _q("industry", "Industry, exactly as listed"),
]

PATHS: dict[str, Any] = {
    "/api/v1/enforcement/enterprises": _list(
        "Enterprise registry",
        "EnforcementEnterprise",
        [_q("q", "Name or credit code contains"), *_FILTERS],
    ),
    "/api/v1/enforcement/enterprises/{code}": _one(
        "One enterprise's public compliance history", "EnforcementEnterprise", "code", "Credit code"
    ),
    "/api/v1/enforcement/cards": _list(
        "Red and yellow cards in force, or lifted ones",
        "EnforcementCard",
        [
            _q("state", "current (default) or lifted", ["current", "lifted"]),
            _q("card", "Colour", _values(CardColor)),
            *_FILTERS,
        ],
    ),
    "/api/v1/enforcement/draws": _list("Inspection draws", "EnforcementDrawSummary", []),
    "/api/v1/enforcement/draws/{id}": _one(
        "One draw's verifiable document",
        "EnforcementDraw",
        "id",
        "Public draw number, e.g. 2026-007",
    ),
    "/api/v1/enforcement/draws/{id}/committed": _one(
        "The draw's document as published at commit time (never changes)",
        "EnforcementDraw",
        "id",
        "Public draw number",
    ),
    "/api/v1/enforcement/inspections": _list(
        "Published inspection results",
        "EnforcementInspection",
        [
            _q("outcome", "Outcome", _values(Outcome)),
            _q("year", "Inspection year"),
            *_FILTERS,
        ],
    ),
    "/api/v1/enforcement/cases": _list(
        "Violation cases",
        "EnforcementCase",
        [
            _q("type", "Violation type"),
            _q("year", "Filing year"),
            _q("typical", "1: typical cases only"),
            _q("transferred", "1: transferred to the police only"),
            _q("q", "Decision number, enterprise or facts contain"),
            *_FILTERS,
        ],
    ),
    "/api/v1/enforcement/cases/summary": {
        "get": {
            "tags": ["enforcement"],
            "summary": "Cases, fines (yuan) and transfers to the police per year and quarter",
            "responses": {"200": {"description": "Summary rows."}},
        }
    },
}
