"""Officials' warning pages: publish, update, lift. Publishers and water officers; a
county-scoped officer only for warnings wholly within their county (checked by the service
against the warning as stored)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal.alerts import queries, service
from portal.alerts.forms import AlertForm, LiftForm
from portal.alerts.messages import MESSAGES
from portal.alerts.models import Alert
from portal.core.extensions import db
from portal.core.permissions import require_role
from portal.core.problems import Problems, Refusal

bp = Blueprint("alerts_admin", __name__, url_prefix="/admin/alerts")
writers = require_role(*service.WRITERS)


@bp.get("/")
@writers
def index() -> ResponseReturnValue:
    alerts = list(db.session.scalars(sa.select(Alert).order_by(Alert.id.desc()).limit(200)))
    return render_template("alerts/admin/index.html", alerts=alerts)


def _edit_page(form: AlertForm, alert: Alert | None, general: list[Any], status: int = 200):
    lift_form = LiftForm() if alert is not None and alert.is_active else None
    return render_template(
        "alerts/admin/edit.html", form=form, alert=alert, general=general, lift_form=lift_form
    ), status


@bp.route("/new", methods=["GET", "POST"])
@writers
def new() -> ResponseReturnValue:
    form = AlertForm()
    if request.method == "GET" and current_user.county:
        form.counties.data = [current_user.county]
    if not form.validate_on_submit():
        return _edit_page(form, None, [], 422 if request.method == "POST" else 200)
    try:
        alert = service.create(form.data_for_service(), current_user)
    except (Refusal, Problems) as refused:
        return _edit_page(form, None, form.add_errors(MESSAGES.by_field(refused)), 422)
    flash(_("The warning is published. Every page now shows it."), "success")
    return redirect(url_for("alerts_admin.edit", alert_id=alert.id))


@bp.route("/<int:alert_id>", methods=["GET", "POST"])
@writers
def edit(alert_id: int) -> ResponseReturnValue:
    alert = queries.alert_or_404(alert_id)
    if not service.may_write(current_user, alert.county_codes):
        abort(403)
    if request.method == "GET":
        form = AlertForm(obj=alert)
        form.counties.data = list(alert.county_codes)
        form.sites.data = list(alert.site_codes)
        form.version.data = str(alert.version)
        return _edit_page(form, alert, [])
    form = AlertForm()
    if not form.validate_on_submit():
        return _edit_page(form, alert, [], 422)
    seen = int(form.version.data) if (form.version.data or "").isdigit() else None
    try:
        service.update(
            alert_id,
            form.data_for_service(),
            form.note_zh.data or "",
            form.note_en.data or "",
            current_user,
            seen_version=seen,
        )
    except (Refusal, Problems) as refused:
        alert = queries.alert_or_404(alert_id)
        return _edit_page(form, alert, form.add_errors(MESSAGES.by_field(refused)), 422)
    flash(_("The warning is updated. Every page shows the new version."), "success")
    return redirect(url_for("alerts_admin.edit", alert_id=alert_id))


@bp.post("/<int:alert_id>/lift")
@writers
def lift(alert_id: int) -> ResponseReturnValue:
    alert = queries.alert_or_404(alert_id)
    lift_form = LiftForm()
    if not lift_form.validate_on_submit():
        abort(400)
    try:
        service.lift(
            alert_id, lift_form.reason_zh.data or "", lift_form.reason_en.data or "", current_user
        )
    except (Refusal, Problems) as refused:
        form = AlertForm(formdata=None, obj=alert)  # the update form shows the stored warning
        form.counties.data = list(alert.county_codes)
        form.sites.data = list(alert.site_codes)
        form.version.data = str(alert.version)
        general = []
        for name, messages in MESSAGES.by_field(refused).items():
            if name in lift_form._fields:
                lift_form[name].errors = [*lift_form[name].errors, *messages]
            else:
                general.extend(messages)
        page = render_template(
            "alerts/admin/edit.html", form=form, alert=alert, general=general, lift_form=lift_form
        )
        return page, 422
    flash(_("The warning is lifted. The banner is gone; its page says why."), "success")
    return redirect(url_for("alerts_admin.edit", alert_id=alert_id))
