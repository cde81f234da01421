"""Handlers' pages: the queue, a report's handling, contact reveal, phone entry, API keys.

Admin URLs name a report by its case pseudonym, not its tracking code, so that server logs
never hold the code that opens the reporter's tracking page.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal.core import counties
from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.pagination import paginate
from portal.core.permissions import Role, require_county, require_role
from portal.core.problems import Refusal
from portal.reports import photos, queries, service, views
from portal.reports.eventlog import Channel
from portal.reports.forms import (
    HANDLER_ACTIONS,
    ActionForm,
    ApiKeyForm,
    EmptyForm,
    PhoneReportForm,
    SummaryForm,
)
from portal.reports.messages import MESSAGES
from portal.reports.models import Report, ReportApiKey, ReportPhoto, ReportSummary
from portal.reports.workflow import Action, State, allowed_actions, china_date

bp = Blueprint("reports_admin", __name__, url_prefix="/admin/reports")

# Fields each handler action asks for (beyond the notes), in form order.
ACTION_FIELDS: dict[Action, tuple[str, ...]] = {
    Action.ACCEPT: (),
    Action.NOT_ACCEPT: ("reason", "refer_to"),
    Action.MARK_DUPLICATE: ("duplicate_of",),
    Action.ASSIGN: ("assignee",),
    Action.START_INVESTIGATION: (),
    Action.EXTEND: ("days", "reason"),
    Action.FINISH: ("outcome", "action_taken"),
    Action.START_REVIEW: (),
    Action.CONCLUDE_REVIEW: ("outcome", "action_taken"),
}


def _fields(report: Report, action: Action) -> tuple[str, ...]:
    """A report in the regional triage queue gets its county when it is accepted."""
    extra = ("county",) if action is Action.ACCEPT and report.county == counties.REGION else ()
    return extra + ACTION_FIELDS[action]


def _load(case: str) -> Report:
    report = db.session.scalar(sa.select(Report).where(Report.case == case))
    if report is None:
        abort(404)
    require_county(report.county)
    return report


@bp.get("/")
@require_role(Role.REPORT_HANDLER)
def queue() -> ResponseReturnValue:
    query = sa.select(Report)
    if current_user.county is not None:
        query = query.where(Report.county == current_user.county)
    state = request.args.get("state", "open")
    if state == "open":
        query = query.where(
            Report.state.not_in([State.CLOSED, State.NOT_ACCEPTED, State.DUPLICATE])
        )
    elif state in {s.value for s in State}:
        query = query.where(Report.state == state)
    county = request.args.get("county", "")
    if county:
        query = query.where(Report.county == county)
    if request.args.get("overdue") == "1":
        query = query.where(Report.due_on < china_date(utcnow()))
    query = query.order_by(Report.due_on.is_(None), Report.due_on, Report.received_at)
    page = paginate(query, 25)
    today = china_date(utcnow())
    return render_template(
        "reports/admin/queue.html",
        page=page,
        today=today,
        state=state,
        county=county,
        overdue=request.args.get("overdue") == "1",
        states=list(State),
    )


def _detail(
    report: Report,
    *,
    contact: object = None,
    action_form: ActionForm | None = None,
    active: str | None = None,
    summary_form: SummaryForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    service.close_if_due(report)
    snap = service.snapshot(report)
    allowed = [
        a
        for a in HANDLER_ACTIONS
        if a in allowed_actions(snap.state)
        and not (a is Action.EXTEND and snap.extension_days is not None)
    ]
    summary = db.session.scalar(
        sa.select(ReportSummary).where(ReportSummary.report_id == report.id)
    )
    if summary_form is None:
        summary_form = SummaryForm(formdata=None, obj=summary)
    return render_template(
        "reports/admin/detail.html",
        report=report,
        view=queries.tracking_view(report),
        allowed=allowed,
        action_fields={a: _fields(report, a) for a in ACTION_FIELDS},
        action_forms={
            a: action_form
            if (action_form is not None and a == active)
            else ActionForm(formdata=None, prefix=a.value)
            for a in allowed
        },
        action_form=action_form or ActionForm(formdata=None),
        contact=contact,
        has_contact=not report.anonymous,
        summary=summary,
        summary_form=summary_form,
        empty=EmptyForm(),
    ), status


@bp.get("/<case>")
@require_role(Role.REPORT_HANDLER)
def detail(case: str) -> ResponseReturnValue:
    return _detail(_load(case))


@bp.post("/<case>/act")
@require_role(Role.REPORT_HANDLER)
def act(case: str) -> ResponseReturnValue:
    report = _load(case)
    try:
        action = Action(request.form.get("action", ""))
    except ValueError:
        abort(400)
    if action not in HANDLER_ACTIONS:
        abort(400)
    form = ActionForm(prefix=action.value)
    if not form.validate():
        return _detail(report, action_form=form, active=action, status=400)
    data: dict[str, Any] = {}
    for name in _fields(report, action):
        value = getattr(form, name).data
        data[name] = value.strip() if isinstance(value, str) else value
        if data[name] in (None, ""):
            getattr(form, name).errors = [MESSAGES.text(Refusal("required_for_step", name))]
    if any(getattr(form, n).errors for n in _fields(report, action)):
        return _detail(report, action_form=form, active=action, status=400)
    try:
        service.act(
            report,
            action,
            public_note=form.public_note.data or "",
            internal_note=form.internal_note.data,
            actor_id=current_user.id,
            **data,
        )
    except Refusal as exc:
        target = getattr(form, exc.field) if exc.field and hasattr(form, exc.field) else None
        message = MESSAGES.text(exc)
        if target is not None:
            target.errors = [message]
        else:
            form.form_errors.append(message)
        report = db.session.get_one(Report, report.id)  # reload after the rollback
        return _detail(report, action_form=form, active=action, status=400)
    flash(_("The report has been updated."), "success")
    return redirect(url_for("reports_admin.detail", case=report.case), 303)


@bp.post("/<case>/reveal")
@require_role(Role.REPORT_HANDLER)
def reveal(case: str) -> ResponseReturnValue:
    report = _load(case)
    if not EmptyForm().validate():
        abort(400)
    contact = service.reveal_contact(report, current_user.id)
    return _detail(report, contact=contact or False)


@bp.get("/<case>/photos/<photo_id>")
@require_role(Role.REPORT_HANDLER)
def photo(case: str, photo_id: str) -> ResponseReturnValue:
    report = _load(case)
    found = db.session.scalar(
        sa.select(ReportPhoto).where(
            ReportPhoto.report_id == report.id, ReportPhoto.photo_id == photo_id
        )
    )
    if found is None:
        abort(404)
    path = photos.final_path(current_app.config["UPLOAD_DIR"], found.filename)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=found.content_type, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<case>/summary")
@require_role(Role.REPORT_HANDLER)
def summary(case: str) -> ResponseReturnValue:
    report = _load(case)
    form = SummaryForm()
    if not form.validate():
        return _detail(report, summary_form=form, status=400)
    try:
        service.publish_summary(
            report,
            title_zh=form.title_zh.data or "",
            summary_zh=form.summary_zh.data or "",
            title_en=form.title_en.data,
            summary_en=form.summary_en.data,
        )
    except Refusal as exc:
        form.form_errors.append(MESSAGES.text(exc))
        return _detail(report, summary_form=form, status=400)
    flash(_("The case summary has been published."), "success")
    return redirect(url_for("reports_admin.detail", case=report.case), 303)


@bp.route("/phone", methods=["GET", "POST"])
@require_role(Role.REPORT_HANDLER)
def phone() -> ResponseReturnValue:
    form = PhoneReportForm()
    if request.method == "GET":
        form.token.data = views.new_token()
        if current_user.county:
            form.county.data = current_user.county
        return render_template("reports/admin/phone.html", form=form)
    token = views.read_token(form.token.data)
    if token is None:
        form.token.data = views.new_token()
        form.form_errors.append(MESSAGES.text(Refusal("form_expired")))
        return render_template("reports/admin/phone.html", form=form), 400
    if not form.validate():
        return render_template("reports/admin/phone.html", form=form), 400
    require_county(form.county.data)
    report, created = service.submit(
        views.submission_from(form), submission_id=token[0], channel=Channel.PHONE, staff=True
    )
    if not created:
        # A replayed form finds the report stored under its token: check that one's county.
        require_county(report.county)
    # Shown on this answer, not flashed: a flash would keep the code in the session cookie.
    response = make_response(render_template("reports/admin/phone_recorded.html", report=report))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/api-keys", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def api_keys() -> ResponseReturnValue:
    form = ApiKeyForm()
    new_key = None
    status = 200
    if request.method == "POST":
        if form.validate():
            _key, new_key = service.create_api_key(form.name.data or "")
            form = ApiKeyForm(formdata=None)
        else:
            status = 400
    keys = db.session.scalars(
        sa.select(ReportApiKey).order_by(ReportApiKey.created_at.desc())
    ).all()
    return render_template(
        "reports/admin/api_keys.html", form=form, keys=keys, new_key=new_key, empty=EmptyForm()
    ), status


@bp.post("/api-keys/<int:key_id>/revoke")
@require_role(Role.ADMIN)
def revoke_key(key_id: int) -> ResponseReturnValue:
    key = db.get_or_404(ReportApiKey, key_id)
    if not EmptyForm().validate():
        abort(400)
    if key.revoked_at is None:
        service.revoke_api_key(key)
        flash(_("The key has been revoked."), "success")
    return redirect(url_for("reports_admin.api_keys"), 303)
