"""Public pages: the two-step report form, tracking, statistics and the event log."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.core.downloads import download
from portal.core.http import conditional
from portal.core.pagecache import cacheable
from portal.extensions import limiter
from portal.reports import codes, mail, photos, public, service
from portal.reports.forms import FeedbackForm, ReportForm, TrackForm
from portal.reports.models import CATEGORIES
from portal.reports.workflow import Action, IllegalTransition, china_date

bp = Blueprint("reports", __name__, url_prefix="/reports")

TOKEN_MAX_AGE = 24 * 3600
_SALT = "portal.reports.submission"


def _report_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


def _track_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


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
        observed_at=observed.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
        if observed
        else None,
        anonymous=not contact,
        name=form.name.data if contact else None,
        phone=form.phone.data if contact else None,
        email=form.email.data if contact else None,
    )


def _photo_ids(form: ReportForm) -> list[str]:
    return [p for p in (form.photo_ids.data or "").split() if p][: photos.MAX_PHOTOS]


def _render_form(form: ReportForm, status: int = 200) -> ResponseReturnValue:
    if not form.token.data or read_token(form.token.data) is None:
        form.token.data = new_token()
    return render_template("reports/new.html", form=form, photo_count=len(_photo_ids(form))), status


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
        form.token.data = ""
        form.validate()
        form.form_errors.append(
            _("The form has expired. Please check your answers and send it again.")
        )
        return _render_form(form, 400)
    submission_id, minted = token
    valid = form.validate()
    ids = _photo_ids(form)
    upload_dir = current_app.config["UPLOAD_DIR"]
    files = [f for f in request.files.getlist(form.photos.name) if f and f.filename]
    if len(ids) + len(files) > photos.MAX_PHOTOS:
        form.photos.errors = [_("You can attach at most %(n)s photos.", n=photos.MAX_PHOTOS)]
        valid = False
    else:
        for upload in files:
            try:
                cleaned = photos.clean(upload.stream)
            except photos.PhotoError as exc:
                form.photos.errors = [
                    *form.photos.errors,
                    _photo_message(exc.code, upload.filename),
                ]
                valid = False
                continue
            try:
                ids.append(photos.quarantine(upload_dir, submission_id, cleaned))
            except OSError as exc:  # upload folder unwritable or disk full
                current_app.logger.error("photo quarantine failed: %s", type(exc).__name__)
                form.photos.errors = [
                    *form.photos.errors,
                    _(
                        "Your photos cannot be stored right now. Please try again later, send "
                        "the report without photos, or call the 12369 hotline."
                    ),
                ]
                valid = False
                break
    form.photo_ids.data = " ".join(ids)
    min_seconds = int(current_app.config["REPORT_MIN_SECONDS"])
    if valid and min_seconds and time.time() - minted < min_seconds:
        form.form_errors.append(
            _("That was very quick. Please check your answers, then send the form again.")
        )
        valid = False
    if not valid:
        return _render_form(form, 400)
    data = submission_from(form)
    return render_template(
        "reports/confirm.html", form=form, data=data, photo_count=len(ids), categories=CATEGORIES
    )


def _photo_message(code: str, filename: str | None) -> str:
    name = filename or "?"
    if code == "too_large":
        return _("%(name)s is too large (at most 10 MB).", name=name)
    if code == "too_many_pixels":
        return _("%(name)s has too many pixels.", name=name)
    return _("%(name)s is not a JPEG, PNG or WebP photo.", name=name)


@bp.post("/new/confirm")
@limiter.limit(_report_limit)
def confirm() -> ResponseReturnValue:
    """Step 2: store the report (or find it again on a resubmission) and show the code."""
    form = ReportForm()
    token = read_token(form.token.data)
    if form.website.data:
        abort(400)
    if token is None:
        form.token.data = ""
        form.validate()
        form.form_errors.append(
            _("The form has expired. Please check your answers and send it again.")
        )
        return _render_form(form, 400)
    submission_id, _minted = token
    existing = service.find_by_submission(submission_id)
    if existing is None:
        if request.form.get("go") == "edit" or not form.validate():
            return _render_form(form, 200 if request.form.get("go") == "edit" else 400)
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
    session["reports_received"] = existing.code
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


@bp.get("/new/received")
def received() -> ResponseReturnValue:
    code = session.get("reports_received")
    if not code:
        return redirect(url_for("reports.new"))
    return render_template("reports/received.html", code=code)


# ---------------------------------------------------------------------------------------
# Tracking: the code travels in POST bodies only, never in URLs (history, logs, Referer).
# ---------------------------------------------------------------------------------------


@bp.get("/track")
def track() -> ResponseReturnValue:
    return render_template("reports/track.html", form=TrackForm(formdata=None))


@bp.post("/track")
@limiter.limit(_track_limit)
def track_lookup() -> ResponseReturnValue:
    form = TrackForm()
    if not form.validate():
        return render_template("reports/track.html", form=form), 400
    return _show(form.code.data or "", form)


def _show(
    raw: str, form: TrackForm, feedback: FeedbackForm | None = None, status: int = 200
) -> ResponseReturnValue:
    try:
        report = service.get_by_code(raw)
    except codes.BadCheckSymbol:
        form.code.errors = [
            _("This code has a typing mistake: its last character does not match. Please check it.")
        ]
        return render_template("reports/track.html", form=form), 400
    except codes.CodeError:
        form.code.errors = [_("This is not a tracking code. Codes look like DX-7KQ2-M9VX-3HTR-2.")]
        return render_template("reports/track.html", form=form), 400
    if report is None:
        return render_template("reports/track.html", form=form, unknown=True), 404
    service.close_if_due(report)
    view = public.tracking_view(report)
    feedback = feedback or FeedbackForm(formdata=None, code=report.code)
    return render_template(
        "reports/status.html", report=report, view=view, feedback=feedback
    ), status


@bp.post("/track/feedback")
@limiter.limit(_track_limit)
def track_feedback() -> ResponseReturnValue:
    form = FeedbackForm()
    raw = form.code.data or ""
    track_form = TrackForm(formdata=None, code=raw)
    if not form.validate():
        return _show(raw, track_form, form, 400)
    try:
        report = service.get_by_code(raw)
    except codes.CodeError:
        abort(400)
    if report is None:
        abort(404)
    action = Action.DISPUTE if request.form.get("go") == "dispute" else Action.RATE
    try:
        if action is Action.DISPUTE:
            service.feedback(report, action, reason=form.reason.data or "")
        else:
            service.feedback(report, action, rating=form.rating.data or "")
    except IllegalTransition as exc:
        target = form.reason if action is Action.DISPUTE else form.rating
        target.errors = [public.transition_message(exc)]
        return _show(raw, track_form, form, 400)
    return _show(raw, track_form)


# ---------------------------------------------------------------------------------------
# Statistics and the event log
# ---------------------------------------------------------------------------------------


@bp.get("/stats")
@cacheable
def stats() -> ResponseReturnValue:
    figures = public.statistics(request.args)
    response = Response(render_template("reports/stats.html", **figures))
    return conditional(response, max_age=300)


@bp.get("/stats.<fmt>")
@cacheable
def stats_download(fmt: str) -> ResponseReturnValue:
    figures = public.statistics(request.args)
    return conditional(
        download(fmt, figures["download_rows"], public.STAT_COLUMNS, "report-statistics"),
        max_age=300,
    )


@bp.get("/events.jsonl")
def events() -> ResponseReturnValue:
    lines = service.event_lines()
    body = "".join(line + "\n" for line in lines)
    response = Response(body, mimetype="application/jsonl")
    response.headers["Content-Type"] = "application/jsonl; charset=utf-8"
    response.headers["X-Log-Head"] = service.event_head()
    return conditional(response, max_age=60)


@bp.get("/events.head")
@cacheable
def events_head() -> ResponseReturnValue:
    lines = service.event_lines()
    response = Response(service.event_head() + "\n", mimetype="text/plain")
    response.headers["X-Log-Lines"] = str(len(lines))
    return conditional(response, max_age=60)


@bp.get("/cases/<case>")
@cacheable
def case(case: str) -> ResponseReturnValue:
    summary = public.published_summary(case)
    if summary is None:
        abort(404)
    response = Response(
        render_template("reports/case.html", summary=summary, report=summary.report)
    )
    return conditional(response, max_age=300)


@bp.get("/cases/")
@cacheable
def cases() -> ResponseReturnValue:
    page = public.summaries_page()
    response = Response(render_template("reports/cases.html", page=page))
    return conditional(response, max_age=300)


def home_context() -> dict[str, Any]:
    return {"reports_home": public.home_figures()}


__all__ = ["bp", "china_date", "home_context"]
