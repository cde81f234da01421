"""Public pages: the two-step report form, tracking, statistics and the event log."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.core import anchors
from portal.core.clock import CHINA
from portal.core.downloads import download
from portal.core.extensions import client_address, limiter
from portal.core.http import conditional
from portal.core.pagecache import cacheable
from portal.core.problems import Refusal
from portal.reports import integrity, links, mail, photos, queries, service
from portal.reports.forms import ReportForm
from portal.reports.messages import MESSAGES
from portal.reports.models import CATEGORY_LABELS
from portal.reports.workflow import china_date

bp = Blueprint("reports", __name__, url_prefix="/reports")

TOKEN_MAX_AGE = 24 * 3600
_SALT = "portal.reports.submission"


def _report_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


@bp.errorhandler(429)
def too_many(_exc: Exception) -> ResponseReturnValue:
    return render_template("reports/limited.html"), 429


# ---------------------------------------------------------------------------------------
# The submission token: a random submission_id and the time the form was first shown,
# signed so that neither can be forged. It is the idempotency key of the submission.
# ---------------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def new_token() -> str:
    return _serializer().dumps({"s": secrets.token_urlsafe(24), "t": int(time.time())})


def read_token(token: str | None) -> tuple[str, int] | None:
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), str):
        return None
    return data["s"], int(data.get("t", 0))


def submission_from(form: ReportForm) -> service.Submission:
    contact = form.anonymous.data == "no"
    observed = form.observed_at.data
    return service.Submission(
        category=form.category.data or "",
        county=form.county.data or "",
        place=form.place.data or "",
        description=form.description.data or "",
        lat=form.lat.data,
        lon=form.lon.data,
        # The form's local time is China time.
        observed_at=observed.replace(tzinfo=CHINA) if observed else None,
        anonymous=not contact,
        name=form.name.data if contact else None,
        phone=form.phone.data if contact else None,
        email=form.email.data if contact else None,
        updates=bool(contact and form.updates.data),
        language=str(get_locale()),
    )


def _photo_ids(form: ReportForm) -> list[str]:
    return [p for p in (form.photo_ids.data or "").split() if p][: photos.MAX_PHOTOS]


def _render_form(form: ReportForm, status: int = 200) -> ResponseReturnValue:
    if not form.token.data or read_token(form.token.data) is None:
        form.token.data = new_token()
    return render_template("reports/new.html", form=form, photo_count=len(_photo_ids(form))), status


@bp.before_request
def _forget_codes_in_old_sessions() -> None:
    # Sessions made before receipts existed carried the code itself: drop it on sight.
    session.pop("reports_received", None)


@bp.get("/new")
def new() -> ResponseReturnValue:
    form = ReportForm(formdata=None)
    return _render_form(form)


@bp.post("/new")
@limiter.limit(_report_limit)
def check() -> ResponseReturnValue:
    """Step 1: validate, clean the photos into quarantine, show the answers to confirm."""
    form = ReportForm()
    token = read_token(form.token.data)
    if form.website.data:
        abort(400)  # honeypot filled: a bot
    if token is None:
        return _expired(form)
    submission_id, minted = token
    valid = form.validate()
    ids = _photo_ids(form)
    upload_dir = current_app.config["UPLOAD_DIR"]
    files = [f for f in request.files.getlist(form.photos.name) if f and f.filename]
    if len(ids) + len(files) > photos.MAX_PHOTOS:
        refused = Refusal("too_many_photos", "photos", n=photos.MAX_PHOTOS)
        form.photos.errors = [MESSAGES.text(refused)]
        valid = False
    else:
        for upload in files:
            try:
                cleaned = photos.clean(upload.stream, upload.filename or "?")
            except photos.PhotoError as exc:
                form.photos.errors = [*form.photos.errors, MESSAGES.text(exc)]
                valid = False
                continue
            try:
                ids.append(
                    photos.quarantine(
                        upload_dir,
                        submission_id,
                        cleaned,
                        client=_client_key(),
                        bounds=quarantine_bounds(),
                    )
                )
            except photos.QuarantineFull as exc:
                form.photos.errors = [*form.photos.errors, MESSAGES.text(exc)]
                valid = False
                break
            except OSError as exc:  # upload folder unwritable or disk full
                current_app.logger.error("photo quarantine failed: %s", type(exc).__name__)
                outage = Refusal("photos_not_stored", "photos")
                form.photos.errors = [*form.photos.errors, MESSAGES.text(outage)]
                valid = False
                break
    form.photo_ids.data = " ".join(ids)
    if valid and _too_quick(form, minted):
        valid = False
    if not valid:
        return _render_form(form, 400)
    data = submission_from(form)
    return render_template(
        "reports/confirm.html",
        form=form,
        data=data,
        photo_count=len(ids),
        categories=CATEGORY_LABELS,
    )


def _expired(form: ReportForm) -> ResponseReturnValue:
    """The form's token is missing, forged or too old: show the answers again, refused."""
    form.token.data = ""
    form.validate()
    form.form_errors.append(MESSAGES.text(Refusal("form_expired")))
    return _render_form(form, 400)


def _too_quick(form: ReportForm, minted: int) -> bool:
    """A form sent sooner after it was first shown than a person can fill it in."""
    min_seconds = int(current_app.config["REPORT_MIN_SECONDS"])
    if min_seconds and time.time() - minted < min_seconds:
        form.form_errors.append(MESSAGES.text(Refusal("too_quick")))
        return True
    return False


def _client_key() -> str:
    """Who holds quarantined photos, without writing the address itself to the disk."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    address = client_address().encode()
    return hmac.new(key, b"quarantine\x00" + address, hashlib.sha256).hexdigest()[:32]


def quarantine_bounds() -> photos.Bounds:
    cfg = current_app.config
    return photos.Bounds(
        per_client=int(cfg["REPORT_QUARANTINE_CLIENT_MB"]) * 1024 * 1024,
        total=int(cfg["REPORT_QUARANTINE_TOTAL_MB"]) * 1024 * 1024,
        max_age=int(cfg["REPORT_QUARANTINE_HOURS"]) * 3600,
    )


@bp.post("/new/confirm")
@limiter.limit(_report_limit)
def confirm() -> ResponseReturnValue:
    """Step 2: store the report (or find it again on a resubmission) and show the code."""
    form = ReportForm()
    token = read_token(form.token.data)
    if form.website.data:
        abort(400)
    if token is None:
        return _expired(form)
    submission_id, minted = token
    existing = service.find_by_submission(submission_id)
    created = False
    if existing is None:
        if request.form.get("go") == "edit" or not form.validate():
            return _render_form(form, 200 if request.form.get("go") == "edit" else 400)
        # Checked here too: a script may post straight to this step.
        if _too_quick(form, minted):
            return _render_form(form, 400)
        data = submission_from(form)
        try:
            existing, created = service.submit(
                data, submission_id=submission_id, photo_ids=_photo_ids(form)
            )
        except OSError as exc:  # photos could not be put in place: nothing was stored
            current_app.logger.error("report not stored, photos: %s", type(exc).__name__)
            abort(503)
        if created and data.email:
            _mail_code(data.email, existing.code)
    # The cookie carries a one-time receipt, never the code (a session cookie is signed, not
    # encrypted, and outlives the visit on a shared browser).
    receipt = links.issue_receipt(existing, created=created)
    if receipt is None:
        return render_template("reports/received.html", code=None, status_link=None)
    session["reports_receipt"] = receipt
    return redirect(url_for("reports.received"), 303)


def _mail_code(address: str, code: str) -> None:
    # The report is committed: a mail problem must never keep the code from the reporter.
    try:
        mail.send(
            address,
            _("Your pollution report %(code)s", code=code),
            render_template("reports/mail_confirmation.html", code=code),
        )
    except Exception as exc:
        current_app.logger.warning("confirmation mail failed: %s", type(exc).__name__)


@bp.get("/")
@cacheable
def index() -> ResponseReturnValue:
    return redirect(url_for("reports.new"))


def private(response: Any, status: int = 200) -> Response:
    """A page that shows a code or a status link: never cached, never sent on as Referer."""
    response = make_response(response, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/new/received")
def received() -> ResponseReturnValue:
    """Shows the new report's code once: a reload, or the next user, gets the empty form."""
    report = links.redeem_receipt(session.pop("reports_receipt", None))
    if report is None:
        return redirect(url_for("reports.new"))
    return private(
        render_template(
            "reports/received.html", code=report.code, status_link=links.status_url(report)
        )
    )


# ---------------------------------------------------------------------------------------
# Statistics and the event log
# ---------------------------------------------------------------------------------------


@bp.get("/stats")
@cacheable
def stats() -> ResponseReturnValue:
    figures = queries.statistics(request.args)
    response = Response(render_template("reports/stats.html", **figures))
    return conditional(response, max_age=300)


@bp.get("/stats.<fmt>")
@cacheable
def stats_download(fmt: str) -> ResponseReturnValue:
    figures = queries.statistics(request.args)
    if figures["withheld"]:
        message = _(
            "The figures are withheld: the event log they are computed from failed verification."
        )
        return Response(message + "\n", status=503, mimetype="text/plain")
    response = download(fmt, figures["download_rows"], queries.STAT_COLUMNS, "report-statistics")
    if fmt == "csv" and not request.args:
        # The catalogued table is the unfiltered one; its CSVW description names this URL.
        from portal.data.registry import csvw_link_header

        response.headers["Link"] = csvw_link_header("report-statistics")
    return conditional(response, max_age=300)


@bp.get("/events.jsonl")
def events() -> ResponseReturnValue:
    service.flag_missed_deadlines()
    lines = service.event_lines()
    body = "".join(line + "\n" for line in lines)
    response = Response(body, mimetype="application/jsonl")
    response.headers["Content-Type"] = "application/jsonl; charset=utf-8"
    response.headers["X-Log-Head"] = service.event_head()
    return conditional(response, max_age=60)


@bp.get("/events.head")
@cacheable
def events_head() -> ResponseReturnValue:
    service.flag_missed_deadlines()
    lines = service.event_lines()
    response = Response(service.event_head() + "\n", mimetype="text/plain")
    response.headers["X-Log-Lines"] = str(len(lines))
    return conditional(response, max_age=60)


@bp.get("/events.anchors.jsonl")
def events_anchors() -> ResponseReturnValue:
    """The heads recorded outside the database, one JSON line each: mirror them, and a
    rewritten log can be told from the one you saw."""
    path = anchors.anchor_path(integrity.ANCHOR_NAME)
    body = path.read_text("utf-8") if path.exists() else ""
    response = Response(body, mimetype="application/jsonl")
    response.headers["Content-Type"] = "application/jsonl; charset=utf-8"
    return conditional(response, max_age=60)


@bp.get("/cases/<case>")
@cacheable
def case(case: str) -> ResponseReturnValue:
    summary = queries.published_summary(case)
    if summary is None:
        abort(404)
    response = Response(
        render_template("reports/case.html", summary=summary, report=summary.report)
    )
    return conditional(response, max_age=300)


@bp.get("/cases/")
@cacheable
def cases() -> ResponseReturnValue:
    page = queries.summaries_page()
    response = Response(render_template("reports/cases.html", page=page))
    return conditional(response, max_age=300)


def home_context() -> dict[str, Any]:
    return {"reports_home": queries.home_figures()}


__all__ = ["bp", "china_date", "home_context"]
