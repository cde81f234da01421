"""Public tracking pages: look-up by code, the bookmarkable status link, rating, disputes.

The code travels in POST bodies only, never in URLs (history, logs, Referer); the status
page's address holds a revocable read-only link token instead (portal.reports.links).
"""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from portal.core import urls
from portal.core.extensions import db
from portal.core.problems import Refusal
from portal.core.ratelimit import tracking_limit
from portal.reports import codes, links, queries, service
from portal.reports.forms import EmptyForm, FeedbackForm, TrackForm
from portal.reports.messages import MESSAGES
from portal.reports.models import Report
from portal.reports.views import bp, private
from portal.reports.workflow import Action

# ---------------------------------------------------------------------------------------
# Tracking: the code travels in POST bodies only, never in URLs (history, logs, Referer).
# ---------------------------------------------------------------------------------------


@bp.get("/track")
def track() -> ResponseReturnValue:
    return render_template("reports/track.html", form=TrackForm(formdata=None))


@bp.post("/track")
@tracking_limit
def track_lookup() -> ResponseReturnValue:
    """The code, by POST, leads to the report's status link (Post/Redirect/Get)."""
    form = TrackForm()
    if not form.validate():
        return render_template("reports/track.html", form=form), 400
    report, error = _by_code(form.code.data or "")
    if report is None:
        form.code.errors = [error] if error else []
        return render_template("reports/track.html", form=form, unknown=not error), (
            400 if error else 404
        )
    return _to_status(report)


def _by_code(raw: str) -> tuple[Report | None, str | None]:
    """The report a code opens, or (None, message); (None, None) for a well-formed unknown."""
    try:
        return service.get_by_code(raw), None
    except codes.CodeError as exc:
        return None, MESSAGES.text(exc)


def _to_status(report: Report) -> ResponseReturnValue:
    token = links.ensure_token(report)
    db.session.commit()
    return redirect(url_for("reports.status", token=token), 303)


def _status_page(
    report: Report, token: str, feedback: FeedbackForm | None = None, status: int = 200
) -> Response:
    service.close_if_due(report)
    view = queries.tracking_view(report)
    feedback = feedback or FeedbackForm(formdata=None, token=token)
    return private(
        render_template(
            "reports/status.html",
            report=report,
            view=view,
            feedback=feedback,
            token=token,
            status_link=urls.absolute(links.status_path(token)),
            updates=links.wants_updates(report),
        ),
        status,
    )


@bp.get("/status/<token>")
@tracking_limit
def status(token: str) -> ResponseReturnValue:
    """The bookmarkable, read-only status page: its address holds no tracking code."""
    link = links.find(token)
    if link is None:
        return private(render_template("reports/link_gone.html"), 404)
    return _status_page(link.report, token)


@bp.post("/status/<token>/revoke")
@tracking_limit
def revoke(token: str) -> ResponseReturnValue:
    form = EmptyForm()
    link = links.find(token)
    if link is None or not form.validate():
        return private(render_template("reports/link_gone.html"), 404 if link is None else 400)
    links.revoke(link)
    return private(render_template("reports/link_gone.html", revoked=True))


@bp.post("/status/<token>/updates")
@tracking_limit
def stop_updates(token: str) -> ResponseReturnValue:
    form = EmptyForm()
    link = links.find(token)
    if link is None or not form.validate():
        return private(render_template("reports/link_gone.html"), 404 if link is None else 400)
    links.stop_updates(link.report)
    return redirect(url_for("reports.status", token=token), 303)


@bp.post("/track/feedback")
@tracking_limit
def track_feedback() -> ResponseReturnValue:
    """Rating or disputing needs the code itself, sent by POST; the link only reads."""
    form = FeedbackForm()
    link = links.find(form.token.data or "")
    if link is None:
        return private(render_template("reports/link_gone.html"), 404)
    if not form.validate():
        return _status_page(link.report, link_token(form), form, 400)
    report, error = _by_code(form.code.data or "")
    if report is None or report.id != link.report_id:
        form.code.errors = [error or MESSAGES.text(Refusal("not_this_report", "code"))]
        return _status_page(link.report, link_token(form), form, 400)
    action = Action.DISPUTE if request.form.get("go") == "dispute" else Action.RATE
    try:
        if action is Action.DISPUTE:
            service.feedback(report, action, reason=form.reason.data or "")
        else:
            service.feedback(report, action, rating=form.rating.data or "")
    except Refusal as exc:
        target = form.reason if action is Action.DISPUTE else form.rating
        target.errors = [MESSAGES.text(exc)]
        return _status_page(report, link_token(form), form, 400)
    return redirect(url_for("reports.status", token=link_token(form)), 303)


def link_token(form: FeedbackForm) -> str:
    return form.token.data or ""
