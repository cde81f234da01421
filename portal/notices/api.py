"""JSON API: GET /api/v1/notices and /api/v1/notices/<id>, with their OpenAPI description."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue

from portal.core import counties, openapi, urls
from portal.core.http import conditional
from portal.core.pagecache import cacheable
from portal.core.pagination import page_response, paginate
from portal.notices import queries, service
from portal.notices.models import Category, Language, Notice, NoticeStatus

bp = Blueprint("notices_api", __name__, url_prefix="/api/v1/notices")


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def _absolute(path: str) -> str:
    return urls.absolute(path)


def summary_json(notice: Notice) -> dict[str, Any]:
    withdrawn = notice.is_withdrawn
    return {
        "id": notice.id,
        "url": _absolute(f"/notices/{notice.id}"),
        "category": notice.category,
        "county": notice.county,
        "language": notice.language,
        "status": notice.status,
        "title_zh": notice.title_zh,
        "title_en": notice.title_en,
        "summary_zh": None if withdrawn else notice.summary_zh,
        "summary_en": None if withdrawn else notice.summary_en,
        "record_url": _absolute(notice.link) if notice.link else None,
        "published_at": _iso(notice.published_at),
        "updated_at": _iso(notice.revised_at),
        "version": notice.version,
        "withdrawn": (
            {"at": _iso(notice.withdrawn_at), "reason": notice.withdrawn_reason}
            if withdrawn
            else None
        ),
    }


def detail_json(notice: Notice) -> dict[str, Any]:
    data = summary_json(notice)
    withdrawn = notice.is_withdrawn
    data["body_zh"] = None if withdrawn else notice.body_zh
    data["body_en"] = None if withdrawn else notice.body_en
    data["attachments"] = (
        []
        if withdrawn
        else [
            {
                "filename": a.filename,
                "url": _absolute(f"/notices/{notice.id}/files/{a.id}"),
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in notice.attachments
        ]
    )
    data["updates"] = [
        {"version": v.version + 1, "at": _iso(v.replaced_at), "reason": v.reason}
        for v in notice.versions
    ]
    period = None
    if notice.has_comment_period:
        closed = notice.comments_closed()
        period = {
            "closes_at": _iso(notice.comments_close_at),
            "open": notice.comments_open(),
            "comments_received": service.received_count(notice.id) if closed else None,
            "response_zh": notice.response_zh if closed else None,
            "response_en": notice.response_en if closed else None,
        }
    data["comment_period"] = period
    return data


def _bad_filter(name: str) -> None:
    response = jsonify(
        {"error": {"status": 400, "title": "Bad request", "message": f"unknown {name}"}}
    )
    response.status_code = 400
    abort(response)


@bp.get("")
@cacheable
def index() -> ResponseReturnValue:
    category = request.args.get("category") or None
    county = request.args.get("county") or None
    if category is not None and category not in frozenset(Category):
        _bad_filter("category")
    if county is not None and county not in counties.codes():
        _bad_filter("county")
    page = paginate(
        queries.public_notices(category, county),
        total=lambda: queries.public_count(category, county),
    )
    return conditional(page_response(page, [summary_json(n) for n in page.items]), max_age=60)


@bp.get("/<int:notice_id>")
@cacheable
def detail(notice_id: int) -> ResponseReturnValue:
    notice = queries.public_notice_or_404(notice_id, *service.with_details())
    response = jsonify(detail_json(notice))
    if notice.last_modified and not notice.has_comment_period:
        response.last_modified = notice.last_modified
    response.access_control_allow_origin = "*"
    return conditional(response, max_age=60)


_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_TIME = {"type": ["string", "null"], "format": "date-time"}

OPENAPI_COMPONENTS: dict[str, Any] = {
    "schemas": {
        "NoticeSummary": {
            "type": "object",
            "required": ["id", "url", "category", "status", "title_zh", "published_at"],
            "properties": {
                "id": {"type": "integer"},
                "url": {**_STR, "format": "uri"},
                "category": {"type": "string", "enum": [c.value for c in Category]},
                "county": {**_NSTR, "description": "County code; null for the whole region"},
                "language": {"type": "string", "enum": [lang.value for lang in Language]},
                "status": {
                    "type": "string",
                    "enum": [NoticeStatus.PUBLISHED.value, NoticeStatus.WITHDRAWN.value],
                },
                "title_zh": _STR,
                "title_en": _NSTR,
                "summary_zh": _NSTR,
                "summary_en": _NSTR,
                "record_url": {
                    **_NSTR,
                    "format": "uri",
                    "description": "The published record this notice announces, if any",
                },
                "published_at": {**_STR, "format": "date-time"},
                "updated_at": _TIME,
                "version": {"type": "integer", "minimum": 1},
                "withdrawn": {
                    "type": ["object", "null"],
                    "properties": {"at": _TIME, "reason": _STR},
                },
            },
        },
        "Notice": {
            "allOf": [
                {"$ref": "#/components/schemas/NoticeSummary"},
                {
                    "type": "object",
                    "properties": {
                        "body_zh": {**_NSTR, "description": "Markdown"},
                        "body_en": {**_NSTR, "description": "Markdown"},
                        "attachments": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "filename": _STR,
                                    "url": {**_STR, "format": "uri"},
                                    "content_type": _STR,
                                    "size": {"type": "integer"},
                                    "sha256": _STR,
                                },
                            },
                        },
                        "updates": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "version": {"type": "integer"},
                                    "at": _TIME,
                                    "reason": _STR,
                                },
                            },
                        },
                        "comment_period": {
                            "type": ["object", "null"],
                            "properties": {
                                "closes_at": _TIME,
                                "open": {"type": "boolean"},
                                "comments_received": {"type": ["integer", "null"]},
                                "response_zh": _NSTR,
                                "response_en": _NSTR,
                            },
                        },
                    },
                },
            ]
        },
        "NoticeList": openapi.page_schema("NoticeSummary"),
    }
}


OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/notices": {
        "get": {
            "operationId": "listNotices",
            "summary": "Published notices, newest first",
            "tags": ["notices"],
            "parameters": [
                {
                    "name": "category",
                    "in": "query",
                    "schema": {"type": "string", "enum": [c.value for c in Category]},
                },
                openapi.county_param(),
                *openapi.PAGE_PARAMS,
            ],
            "responses": {
                "200": {
                    "description": "A page of notices; see the Link header for other pages",
                    "headers": {"Link": {"schema": {"type": "string"}}},
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NoticeList"}}
                    },
                },
                "400": openapi.error_response("Unknown category or county, or per_page > 100"),
                "404": openapi.error_response("No such page"),
            },
        }
    },
    "/api/v1/notices/{id}": {
        "get": {
            "operationId": "getNotice",
            "summary": "One published (or withdrawn) notice",
            "tags": ["notices"],
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "responses": {
                "200": {
                    "description": "The notice",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Notice"}}
                    },
                },
                "404": openapi.error_response("No such published notice"),
            },
        }
    },
}
