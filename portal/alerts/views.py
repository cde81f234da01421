"""Public warning pages, their CAP documents and the JSON list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, jsonify, make_response, render_template
from flask.typing import ResponseReturnValue

from portal.alerts import documents, queries
from portal.alerts.models import Alert
from portal.core import urls
from portal.core.http import conditional
from portal.core.models import utcnow
from portal.core.pagecache import cacheable
from portal.core.pagination import page_of, page_response

bp = Blueprint("alerts", __name__)
api_bp = Blueprint("alerts_api", __name__, url_prefix="/api/v1/alerts")

CAP_TYPE = "application/cap+xml"


def fresh(response: Response) -> Response:
    """Warnings change without notice: caches must ask again every time (ETag makes that
    cheap), so no page shows a warning after its lift."""
    response = conditional(response, max_age=0)
    response.cache_control.no_cache = True
    return response


@bp.get("/alerts/")
@cacheable
def index() -> ResponseReturnValue:
    active, past = queries.public_list()
    return fresh(make_response(
        render_template("alerts/index.html", active=active, past=past, now=utcnow())
    ))  # fmt: skip


@bp.get("/alerts/<int:alert_id>")
@cacheable
def detail(alert_id: int) -> ResponseReturnValue:
    alert = queries.alert_or_404(alert_id)
    return fresh(make_response(render_template("alerts/detail.html", alert=alert, now=utcnow())))


def _cap(body: bytes, *, sent: bool = False) -> Response:
    response = Response(body, mimetype=CAP_TYPE)
    response.headers["Content-Type"] = f"{CAP_TYPE}; charset=utf-8"
    response.access_control_allow_origin = "*"
    # A message once sent never changes; "the latest message" changes at any time.
    return conditional(response, max_age=86400) if sent else fresh(response)


@bp.get("/alerts/<int:alert_id>.cap")
@cacheable
def cap_current(alert_id: int) -> ResponseReturnValue:
    """The latest message about the warning: Alert, then Update, then Cancel once lifted."""
    return _cap(documents.current_document(queries.alert_or_404(alert_id)))


@bp.get("/alerts/<int:alert_id>/v<int:version>.cap")
@cacheable
def cap_version(alert_id: int, version: int) -> ResponseReturnValue:
    """Each message stays readable: the <references> of later ones point at these."""
    message = queries.message_or_404(alert_id, version)
    return _cap(documents.message_document(message.alert, message), sent=True)


# --- JSON ---------------------------------------------------------------------------------


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
