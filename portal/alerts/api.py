"""The warnings' JSON API (/api/v1/alerts) and their part of the OpenAPI document: the list,
CAP documents and feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from portal.alerts import documents, queries
from portal.alerts.models import Alert, AlertStatus, Kind, Level
from portal.alerts.views import fresh
from portal.core import openapi, urls
from portal.core.pagecache import cacheable
from portal.core.pagination import page_of, page_response

_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_TEXT = {
    "type": "object",
    "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
    "required": ["zh", "en"],
}
_TIME = {"type": ["string", "null"], "format": "date-time"}


def _get(summary: str, content: dict[str, Any], params: list[Any] | None = None) -> dict:
    operation: dict[str, Any] = {
        "summary": summary,
        "tags": ["warnings"],
        "responses": {"200": {"description": summary, "content": content}},
    }
    if params:
        operation["parameters"] = params
        operation["responses"]["404"] = {"description": "No such warning"}
    return {"get": operation}


_JSON_ONE = {"application/json": {"schema": {"$ref": "#/components/schemas/Warning"}}}
_JSON_LIST = {"application/json": {"schema": openapi.page_schema("Warning")}}
_CAP = {"application/cap+xml": {"schema": {"type": "string"}}}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/alerts": _get("Warnings in force (most severe first), then lifted ones", _JSON_LIST),
    "/api/v1/alerts/{id}": _get("One warning, in force or lifted", _JSON_ONE, [_ID]),
    "/alerts/{id}.cap": _get(
        "The warning's latest message as OASIS CAP 1.2 (msgType Alert, Update or Cancel)",
        _CAP,
        [_ID],
    ),
    "/alerts/{id}/v{version}.cap": _get(
        "One message of the warning as OASIS CAP 1.2",
        _CAP,
        [_ID, {"name": "version", "in": "path", "required": True, "schema": {"type": "integer"}}],
    ),
    "/feeds/alerts.atom": _get(
        "Atom feed of warnings; entries link their CAP documents",
        {"application/atom+xml": {"schema": {"type": "string"}}},
    ),
    "/feeds/alerts.rss": _get(
        "RSS 2.0 feed of warnings; enclosures are their CAP documents",
        {"application/rss+xml": {"schema": {"type": "string"}}},
    ),
}
_LIST = OPENAPI_PATHS["/api/v1/alerts"]["get"]
_LIST["parameters"] = openapi.PAGE_PARAMS
_LIST["responses"].update(openapi.LIST_ERRORS)

OPENAPI_COMPONENTS: dict[str, Any] = {
    "schemas": {
        "Warning": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string", "enum": [s.value for s in AlertStatus]},
                "version": {"type": "integer"},
                "level": {"type": "string", "enum": [v.value for v in Level]},
                "kind": {"type": "string", "enum": [k.value for k in Kind]},
                "counties": {"type": "array", "items": {"type": "string"}},
                "sites": {"type": "array", "items": {"type": "string"}},
                "headline": _TEXT,
                "instruction": _TEXT,
                "description": _TEXT,
                "effective_from": _TIME,
                "expected_end": _TIME,
                "published_at": _TIME,
                "revised_at": _TIME,
                "lifted_at": _TIME,
                "lift_reason": {"oneOf": [_TEXT, {"type": "null"}]},
                "url": {"type": "string", "format": "uri"},
                "cap": {"type": "string", "format": "uri"},
            },
            "required": ["id", "status", "version", "level", "kind", "counties", "headline"],
        }
    }
}


# --- The endpoints -------------------------------------------------------------------------

api_bp = Blueprint("alerts_api", __name__, url_prefix="/api/v1/alerts")


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def alert_json(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "status": alert.status,
        "version": alert.version,
        "level": alert.level,
        "kind": alert.kind,
        "counties": list(alert.county_codes),
        "sites": list(alert.site_codes),
        "headline": {"zh": alert.headline_zh, "en": alert.headline_en},
        "instruction": {"zh": alert.instruction_zh, "en": alert.instruction_en},
        "description": {"zh": alert.description_zh, "en": alert.description_en},
        "effective_from": _iso(alert.effective_from),
        "expected_end": _iso(alert.expected_end),
        "published_at": _iso(alert.published_at),
        "revised_at": _iso(alert.revised_at),
        "lifted_at": _iso(alert.lifted_at),
        "lift_reason": (
            {"zh": alert.lift_reason_zh, "en": alert.lift_reason_en} if alert.is_lifted else None
        ),
        "url": urls.absolute(f"/alerts/{alert.id}"),
        "cap": urls.absolute(documents.cap_path(alert.id)),
    }


@api_bp.get("")
@cacheable
def api_index() -> ResponseReturnValue:
    active, past = queries.public_list(limit=None)
    page = page_of([*active, *past], default_per_page=50)
    return fresh(page_response(page, [alert_json(a) for a in page.items]))


@api_bp.get("/<int:alert_id>")
@cacheable
def api_detail(alert_id: int) -> ResponseReturnValue:
    response = jsonify(alert_json(queries.alert_or_404(alert_id)))
    response.access_control_allow_origin = "*"
    return fresh(response)
