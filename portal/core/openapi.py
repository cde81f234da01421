"""The portal's OpenAPI 3.1 document, assembled from what each feature registers.

Features call `register(app, paths, components)` from their init_app; the document is
served at GET /api/v1/openapi.json.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

from portal.core.http import conditional
from portal.core.pagecache import cacheable

bp = Blueprint("openapi", __name__)

KEY = "openapi_parts"


def _base(app: Flask) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Daxing'anling Water Disclosure Portal API",
            "version": "1",
            "description": (
                "Public, read-only data of the Daxing'anling water disclosure portal. "
                "Lists are paginated with ?page= and ?per_page= (at most 100) and carry "
                "RFC 8288 Link headers."
            ),
        },
        "servers": [{"url": app.config.get("BASE_URL", "")}],
        "paths": {},
        "components": {"schemas": {"ApiError": copy.deepcopy(API_ERROR)}},
    }


# --- Shared pieces every feature's operations use ---------------------------------------

API_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "title", "message"],
            "properties": {
                "status": {"type": "integer"},
                "title": {"type": "string"},
                "message": {"type": "string"},
            },
        }
    },
}


def error_response(description: str) -> dict[str, Any]:
    """A documented 4xx answer: the portal's JSON error object."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
    }


def choice_param(name: str, values: Any, description: str = "") -> dict[str, Any]:
    """?name= is one of `values`, or empty (a form's "all") for no filter (`apiargs.choice`)."""
    text = "; ".join(part for part in (description, "empty or absent: no filter") if part)
    return {
        "name": name,
        "in": "query",
        "description": text,
        "schema": {"type": "string", "enum": [*values, ""]},
    }


def county_param(description: str = "County code (content/counties.csv)") -> dict[str, Any]:
    """?county= is one of the region's county codes, or empty (what a form's "all counties"
    sends) for every county; anything else is refused with a 400."""
    from portal.core.counties import codes

    return {
        "name": "county",
        "in": "query",
        "description": f"{description}; empty or absent: every county",
        "schema": {"type": "string", "enum": [*codes(), ""]},
    }


PAGE_PARAMS: list[dict[str, Any]] = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        "description": "At most 100; a larger or non-numeric value is refused with a 400.",
    },
]


def page_schema(item: str) -> dict[str, Any]:
    """The one JSON page envelope (`portal.core.pagination.page_response`) of `item`s."""
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
        },
    }


LIST_ERRORS: dict[str, Any] = {
    "400": error_response("A filter or per_page outside its documented values"),
    "404": error_response("No such page (past the last one)"),
}


def register(app: Flask, paths: dict[str, Any], components: dict[str, Any] | None = None) -> None:
    """Merge path items and component schemas into the document.

    `paths` maps "/api/v1/…" to path items (operations are merged per method);
    `components` maps section ("schemas", "parameters", …) to named entries, or may be a
    plain {SchemaName: schema} mapping, taken as schemas. A name registered twice with a
    different value is a programming error and raises ValueError.
    """
    doc = app.extensions.setdefault(KEY, _base(app))
    for path, item in paths.items():
        target = doc["paths"].setdefault(path, {})
        for method, operation in item.items():
            if method in target and target[method] != operation:
                raise ValueError(f"OpenAPI {method.upper()} {path} registered twice")
            target[method] = copy.deepcopy(operation)
    if components:
        sections = {"schemas", "parameters", "responses", "headers", "securitySchemes"}
        if not set(components) <= sections:
            components = {"schemas": components}
        for section, entries in components.items():
            target = doc["components"].setdefault(section, {})
            for name, value in entries.items():
                if name in target and target[name] != value:
                    raise ValueError(f"OpenAPI component {section}/{name} registered twice")
                target[name] = copy.deepcopy(value)


def document(app: Flask) -> dict[str, Any]:
    return app.extensions.get(KEY) or _base(app)


@bp.get("/api/v1/openapi.json")
@cacheable
def openapi_json() -> Any:
    response = jsonify(document(current_app))
    response.access_control_allow_origin = "*"
    return conditional(response, max_age=300)


def init_app(app: Flask) -> None:
    """Serve the document (idempotent: safe to call from more than one feature)."""
    app.extensions.setdefault(KEY, _base(app))
    if "openapi" not in app.blueprints:
        app.register_blueprint(bp)
