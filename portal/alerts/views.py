"""Public warning pages and their CAP documents (the JSON API is `alerts.api`)."""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template
from flask.typing import ResponseReturnValue

from portal.alerts import documents, queries
from portal.core.http import conditional
from portal.core.models import utcnow
from portal.core.pagecache import cacheable

bp = Blueprint("alerts", __name__)

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
