"""One pagination helper for every list page and API, and the one JSON page envelope every
API list answers: `{"items": […], "page", "per_page", "total"}` with an RFC 8288 Link header
(first/prev/next/last, absolute on PORTAL_BASE_URL)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Response, abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination

from portal.core.extensions import db

MAX_PER_PAGE = 100
# No list comes near a million pages; a larger number is past the last page (404) and is
# never handed to the database, whose OFFSET is a 64-bit integer (SQLite raises beyond it).
MAX_PAGE = 1_000_000


def page_args(default_per_page: int = 20) -> tuple[int, int]:
    """?page=&per_page= from the query string. A page that cannot exist is a 404 (as a page
    past the end is); a page size outside 1..MAX_PER_PAGE is refused with a 400."""
    raw_page = request.args.get("page", "1")
    raw_size = request.args.get("per_page", str(default_per_page))
    try:
        per_page = int(raw_size)
    except ValueError:
        abort(400, _("per_page must be a whole number from 1 to %(max)d.", max=MAX_PER_PAGE))
    if not 1 <= per_page <= MAX_PER_PAGE:
        abort(400, _("per_page must be a whole number from 1 to %(max)d.", max=MAX_PER_PAGE))
    try:
        page = int(raw_page)
    except ValueError:
        abort(404)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    return page, per_page


def paginate(
    query: sa.Select[Any], default_per_page: int = 20, total: Callable[[], int] | None = None
) -> Pagination:
    """`total`: the row count when the caller knows it more cheaply than a count query."""
    page, per_page = page_args(default_per_page)
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=total is None)
    if total is not None:
        result.total = total()
    if page > 1 and not result.items:
        abort(404)
    return result


def page_url(page: int, **extra: Any) -> str:
    external = bool(extra.pop("_external", False))
    args = {**(request.view_args or {}), **request.args.to_dict(), **extra, "page": page}
    return url_for(request.endpoint or "", **args, _external=external)


class PageLike(Protocol):
    @property
    def page(self) -> int: ...
    @property
    def per_page(self) -> int: ...
    @property
    def total(self) -> int | None: ...


@dataclass(frozen=True)
class Page:
    """A page of a list that is not one query (e.g. warnings in force, then lifted ones)."""

    items: Sequence[Any]
    page: int
    per_page: int
    total: int


def page_of(items: Sequence[Any], default_per_page: int = 20) -> Page:
    """Cut the requested page (?page=&per_page=) out of a list already in memory."""
    page, per_page = page_args(default_per_page)
    start = (page - 1) * per_page
    if page > 1 and start >= len(items):
        abort(404)
    return Page(items[start : start + per_page], page, per_page, len(items))


def link_header(pagination: PageLike) -> str:
    """RFC 8288 Link header for API clients."""
    total = pagination.total or 0
    pages = max(1, math.ceil(total / pagination.per_page))
    links = []
    if pagination.page > 1:
        links.append(f'<{page_url(1, _external=True)}>; rel="first"')
        links.append(f'<{page_url(pagination.page - 1, _external=True)}>; rel="prev"')
    if pagination.page < pages:
        links.append(f'<{page_url(pagination.page + 1, _external=True)}>; rel="next"')
        links.append(f'<{page_url(pages, _external=True)}>; rel="last"')
    return ", ".join(links)


def page_response(pagination: PageLike, items: list[Any]) -> Response:
    """The one JSON page envelope of every API list, with its Link header and open CORS
    (public read-only data). `items`: the page's records, already serialised."""
    response = jsonify(
        {
            "items": items,
            "page": pagination.page,
            "per_page": pagination.per_page,
            "total": pagination.total or 0,
        }
    )
    if links := link_header(pagination):
        response.headers["Link"] = links
    response.access_control_allow_origin = "*"
    return response
