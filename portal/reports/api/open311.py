"""Open311 GeoReport v2 at /open311/v2/, field for field, in JSON and XML.

* ``discovery``: the endpoint document GeoReport clients start from.
* ``services``: one service per report category (``service_code`` = category code), named
  in the requested language (``?locale=`` or Accept-Language), with an optional ``county``
  attribute for clients that render attributes.
* ``POST requests``: partners authenticated by ``api_key`` file reports. Without a county,
  the report goes to the regional bureau's triage queue (``counties.REGION``); the handler
  sets the county when accepting it. No boundary data with an open licence exists for the
  region's counties that the portal could ship, so the point is not mapped to a county.
  The answer's ``service_request_id`` is the case pseudonym; the tracking code (the
  reporter's credential) is given once in ``service_notice`` and never belongs in a URL.
* ``GET requests``: only published, redacted case summaries.
* ``GET requests/<id>``: by case pseudonym, the published summary or the bare status (no
  description, place or coordinates). A client that holds a tracking code POSTs it to
  ``requests/lookup`` (or sends it in the ``X-Tracking-Code`` header there).
* Every path under /open311/ answers errors as the GeoReport error array.

No answer ever contains the reporter's name, phone or e-mail.
"""

from __future__ import annotations

import datetime as dt
import secrets
import xml.etree.ElementTree as ET
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from portal.core import counties, urls
from portal.core.extensions import db, limiter
from portal.core.http import conditional
from portal.core.models import utcnow
from portal.core.text import clean
from portal.reports import codes, queries, service
from portal.reports.eventlog import Channel
from portal.reports.models import CATEGORY_LABELS, STATE_LABELS, Category, Report, ReportSummary
from portal.reports.workflow import CHINA_TZ, Open311Status, State, open311_status

bp = Blueprint("open311", __name__, url_prefix="/open311")
FORMATS = ("json", "xml")
AGENCY = "大兴安岭地区生态环境局"
MAX_RESULTS = 1000
DEFAULT_WINDOW = dt.timedelta(days=90)


class Open311Error(Exception):
    """A request GeoReport v2 refuses, answered in the protocol's own error format: the
    HTTP ``status`` as the error's ``code`` and an English ``description`` for developers.

    Deliberately not a :class:`~portal.core.problems.Refusal` with words in
    ``reports/messages.py``: GeoReport v2 defines this format (``code`` is the HTTP status,
    there is no other machine code, and the description is not translated), partners'
    software reads it, and the portal never shows it to a reporter itself."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        abort(404)
    return fmt


def _w3c(value: dt.datetime | None) -> str | None:
    return value.astimezone(CHINA_TZ).isoformat(timespec="seconds") if value else None


def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> str:
    top = ET.Element(root)
    for row in rows:
        top.append(_element(item, row))
    return '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode")


def _element(tag: str, value: Any) -> ET.Element:
    el = ET.Element(tag)
    if isinstance(value, dict):
        for k, v in value.items():
            el.append(_element(k, v))
    elif isinstance(value, list):
        child = tag[:-1] if tag.endswith("s") else "item"
        for v in value:
            el.append(_element(child, v))
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    elif value is not None:
        el.text = clean(str(value))  # a control character stored before would break the XML
    return el


def _answer(
    fmt: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200
) -> Response:
    if fmt == "xml":
        return Response(_xml(root, item, rows), status=status, mimetype="text/xml")
    response = jsonify(rows)
    response.status_code = status
    return response


def _error(fmt: str, status: int, description: str) -> Response:
    return _answer(fmt, "errors", "error", [{"code": status, "description": description}], status)


@bp.errorhandler(Open311Error)
def _open311_error(exc: Open311Error) -> ResponseReturnValue:
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return _error(fmt, exc.status, exc.description)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return _error(fmt, exc.code or 500, exc.name)


@bp.route("/", defaults={"_rest": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def unknown(_rest: str) -> ResponseReturnValue:
    """Any other address under /open311/ answers a GeoReport error array, not a web page."""
    raise Open311Error(404, "no such GeoReport endpoint (see /open311/discovery.json)")


# ---------------------------------------------------------------------------------------
# Discovery and language
# ---------------------------------------------------------------------------------------


def _locale() -> str:
    """?locale= (GeoReport's parameter) wins, then Accept-Language, then Chinese."""
    from portal.core.i18n import normalize_language, select_locale

    return normalize_language(request.args.get("locale")) or select_locale()


@bp.get("/discovery.<fmt>")
def discovery(fmt: str) -> ResponseReturnValue:
    fmt = _fmt(fmt)
    doc = {
        "changeset": "2026-12-01T00:00:00+08:00",
        "contact": "12369 环保举报热线 / 12369 environmental hotline",
        "key_service": urls.absolute("/admin/reports/api-keys") + " (keys issued by the bureau)",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": urls.absolute("/open311/v2"),
                "changeset": "2026-12-01T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    if fmt == "xml":
        root = _element("discovery", doc)
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="unicode")
        return conditional(Response(body, mimetype="text/xml"), max_age=3600)
    return conditional(jsonify(doc), max_age=3600)


# ---------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------


def _services() -> list[dict[str, Any]]:
    with force_locale(_locale()):
        return [
            {
                "service_code": code,
                "service_name": str(label),
                "description": str(label),
                "metadata": True,
                "type": "realtime",
                "keywords": "pollution,12369",
                "group": "pollution",
            }
            for code, label in CATEGORY_LABELS.items()
        ]


@bp.get("/v2/services.<fmt>")
def services(fmt: str) -> ResponseReturnValue:
    fmt = _fmt(fmt)
    response = _answer(fmt, "services", "service", _services())
    response.vary.add("Accept-Language")
    return conditional(response, max_age=3600)


def _definition(code: str) -> dict[str, Any]:
    english = _locale() == "en"
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "county",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "County code in the Daxing'anling region"
                if english
                else "大兴安岭地区的县（市、区）代码",
                "order": 1,
                "description": "County where it happened (if left out, the regional bureau "
                "sets it when accepting the report)"
                if english
                else "发生地所在县（市、区）（不填时由地区生态环境局受理时确定）",
                "values": [
                    {"key": c.code, "name": c.name_en if english else c.name_zh}
                    for c in counties.all_counties()
                ],
            }
        ],
    }


@bp.get("/v2/services/<code>.<fmt>")
def service_definition(code: str, fmt: str) -> ResponseReturnValue:
    fmt = _fmt(fmt)
    if code not in CATEGORY_LABELS:
        raise Open311Error(404, "service_code not found")
    definition = _definition(code)
    if fmt == "xml":
        root = _element("service_definition", definition)
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="unicode")
        return conditional(Response(body, mimetype="text/xml"), max_age=3600)
    return conditional(jsonify(definition), max_age=3600)


# ---------------------------------------------------------------------------------------
# Creating a request
# ---------------------------------------------------------------------------------------


def _api_key_limit_key() -> str:
    return "open311:" + (request.form.get("api_key") or request.remote_addr or "")[:80]


def _open311_limit() -> str:
    return current_app.config["OPEN311_RATE_LIMIT"]


def _float(name: str, low: float, high: float) -> float | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} is not a number") from None
    if not low <= value <= high:
        raise Open311Error(400, f"{name} is outside the Daxing'anling region")
    return value


@bp.post("/v2/requests.<fmt>")
@limiter.limit(_open311_limit, key_func=_api_key_limit_key)
def create_request(fmt: str) -> ResponseReturnValue:
    from portal.reports.forms import LAT_RANGE, LON_RANGE

    fmt = _fmt(fmt)
    key = service.find_api_key(request.form.get("api_key"))
    if key is None:
        raise Open311Error(403, "api_key missing or not valid")
    form = request.form
    code = form.get("service_code", "")
    if code not in CATEGORY_LABELS:
        raise Open311Error(400, "service_code not found")
    lat, lon = _float("lat", *LAT_RANGE), _float("long", *LON_RANGE)
    address = form.get("address_string", "").strip()[:500]
    if (lat is None or lon is None) and not address:
        raise Open311Error(400, "lat and long, or address_string, are required")
    county = form.get("attribute[county]", "").strip() or counties.REGION
    if county != counties.REGION and county not in counties.codes():
        raise Open311Error(400, "attribute[county] is not a county code of the region")
    description = form.get("description", "").strip()
    if not description:
        raise Open311Error(400, "description is required")
    name = " ".join(
        p for p in (form.get("last_name", "").strip(), form.get("first_name", "").strip()) if p
    )
    contact = {
        "name": name[:100] or None,
        "phone": form.get("phone", "").strip()[:40] or None,
        "email": form.get("email", "").strip()[:254] or None,
    }
    data = service.Submission(
        category=code,
        county=county,
        place=address or f"{lat:.5f}, {lon:.5f}",
        description=description[:5000],
        lat=lat,
        lon=lon,
        anonymous=not any(contact.values()),
        name=contact["name"],
        phone=contact["phone"],
        email=contact["email"],
    )
    report, _created = service.submit(
        data,
        submission_id="o311-" + secrets.token_urlsafe(24),
        channel=Channel.OPEN311,
        api_key_id=key.id,
    )
    with force_locale(_locale()):
        notice = _(
            "Report received. Your tracking code is %(code)s: keep it to follow the report "
            "and give feedback; it is shown only now.",
            code=report.code,
        )
    row = {"service_request_id": report.case, "service_notice": notice, "account_id": None}
    return _answer(fmt, "service_requests", "request", [row], 201)


# ---------------------------------------------------------------------------------------
# Reading requests
# ---------------------------------------------------------------------------------------


def _expected(report: Report) -> dt.datetime | None:
    d = service.deadlines(report)
    state = State(report.state)
    day = d.accept_by if state is State.SUBMITTED else d.effective_finish_by
    if state in (State.FINISHED, State.CLOSED, State.NOT_ACCEPTED, State.DUPLICATE) or day is None:
        return None
    return dt.datetime.combine(day, dt.time(23, 59, 59), CHINA_TZ)


def _status_notes(report: Report) -> str:
    """The latest public note the handlers wrote (what Open311 apps show the reporter),
    else the state's name."""
    notes = [n.public_note for n in report.notes if (n.public_note or "").strip()]
    if notes:
        return notes[-1]
    with force_locale(_locale()):
        return str(STATE_LABELS[State(report.state)])


def _service_name(report: Report) -> str:
    with force_locale(_locale()):
        return str(CATEGORY_LABELS[Category(report.category)])


def _summary_row(summary: ReportSummary) -> dict[str, Any]:
    report = summary.report
    english = _locale() == "en"
    return {
        "service_request_id": report.case,
        "status": open311_status(State(report.state)),
        "status_notes": _status_notes(report),
        "service_name": _service_name(report),
        "service_code": report.category,
        "description": (summary.summary_en if english else None) or summary.summary_zh,
        "agency_responsible": AGENCY,
        "service_notice": (summary.title_en if english else None) or summary.title_zh,
        "requested_datetime": _w3c(report.received_at),
        "updated_datetime": _w3c(max(report.updated_at, summary.updated_at)),
        "expected_datetime": _w3c(_expected(report)),
        "address": area.name_zh if (area := counties.get(report.county)) else None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _status_row(report: Report) -> dict[str, Any]:
    """Status only, by case pseudonym: no description, place or media."""
    return {
        "service_request_id": report.case,
        "status": open311_status(State(report.state)),
        "status_notes": _status_notes(report),
        "service_name": _service_name(report),
        "service_code": report.category,
        "description": None,
        "agency_responsible": AGENCY,
        "service_notice": None,
        "requested_datetime": _w3c(report.received_at),
        "updated_datetime": _w3c(report.updated_at),
        "expected_datetime": _w3c(_expected(report)),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _date_arg(name: str) -> dt.datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} is not a W3C datetime") from None
    return value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)


@bp.get("/v2/requests.<fmt>")
def list_requests(fmt: str) -> ResponseReturnValue:
    fmt = _fmt(fmt)
    query = sa.select(ReportSummary).join(Report).where(ReportSummary.published_at <= utcnow())
    ids = [i.strip() for i in request.args.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        query = query.where(Report.case.in_(ids[:MAX_RESULTS]))
    else:
        start, end = _date_arg("start_date"), _date_arg("end_date")
        if start is None and end is None:
            start = utcnow() - DEFAULT_WINDOW
        if start is not None:
            query = query.where(Report.received_at >= start)
        if end is not None:
            query = query.where(Report.received_at <= end)
        status = request.args.get("status", "").strip()
        if status:
            wanted = {s.strip() for s in status.split(",")}
            if not wanted <= set(Open311Status):
                raise Open311Error(400, "status must be open or closed")
            states = [s for s in State if open311_status(s) in wanted]
            query = query.where(Report.state.in_(states))
        code = request.args.get("service_code", "").strip()
        if code:
            query = query.where(Report.category.in_(code.split(",")))
    query = query.order_by(Report.received_at.desc()).limit(MAX_RESULTS)
    rows = [_summary_row(s) for s in db.session.scalars(query)]
    return conditional(_answer(fmt, "service_requests", "request", rows), max_age=300)


@bp.get("/v2/requests/<request_id>.<fmt>")
@limiter.limit(lambda: current_app.config["TRACK_RATE_LIMIT"])
def get_request(request_id: str, fmt: str) -> ResponseReturnValue:
    """By case pseudonym only: a tracking code is a credential and stays out of URLs."""
    fmt = _fmt(fmt)
    summary = queries.published_summary(request_id)
    if summary is not None:
        row = _summary_row(summary)
    else:
        report = db.session.scalar(sa.select(Report).where(Report.case == request_id[:64]))
        if report is None:
            raise Open311Error(404, "service_request_id not found (use the case id)")
        service.close_if_due(report)
        row = _status_row(report)
    response = _answer(fmt, "service_requests", "request", [row])
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/v2/requests/lookup.<fmt>")
@limiter.limit(lambda: current_app.config["TRACK_RATE_LIMIT"])
def lookup_request(fmt: str) -> ResponseReturnValue:
    """For clients holding a tracking code: sent in the body or the X-Tracking-Code header,
    never in the URL. Answers the status row, whose id is the case pseudonym."""
    fmt = _fmt(fmt)
    raw = request.headers.get("X-Tracking-Code") or request.form.get("tracking_code") or ""
    try:
        report = service.get_by_code(raw)
    except codes.CodeError:
        report = None
    if report is None:
        raise Open311Error(404, "tracking code not found")
    service.close_if_due(report)
    response = _answer(fmt, "service_requests", "request", [_status_row(report)])
    response.headers["Cache-Control"] = "no-store"
    return response


CSRF_EXEMPT = {"open311.create_request", "open311.lookup_request", "open311.unknown"}
