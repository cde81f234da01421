"""Login, logout and the users page for administrators."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts import service
from portal.accounts.forms import LoginForm, ReasonForm, UserForm
from portal.accounts.messages import MESSAGES
from portal.accounts.models import User
from portal.core.extensions import db
from portal.core.permissions import Role, require_role
from portal.core.problems import Refusal
from portal.core.ratelimit import login_limit
from portal.core.security import safe_next

bp = Blueprint("accounts", __name__, url_prefix="/admin")


@bp.route("/login", methods=["GET", "POST"])
@login_limit
def login() -> ResponseReturnValue:
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next"), url_for("admin.dashboard")))
    if form.validate_on_submit():
        user = service.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            service.log_in(user)
            return redirect(safe_next(form.next.data, url_for("admin.dashboard")))
        service.record_failed_login(form.email.data or "")
        form.password.errors.append(MESSAGES.text(Refusal("login_failed", "password")))
    return render_template("accounts/login.html", form=form), 200 if request.method == "GET" else (
        400 if form.errors else 200
    )


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    service.log_out(current_user._get_current_object())
    flash(_("You have been logged out."), "info")
    return redirect(url_for("pages.home"))


@bp.route("/users", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def users() -> ResponseReturnValue:
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        user, errors = service.create_user(
            form.email.data or "",
            form.role.data or "",
            form.county.data or None,
            form.password.data or "",
            form.name.data or "",
        )
        if user is not None:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
        for field, texts in MESSAGES.by_field(errors).items():
            getattr(form, field).errors.extend(texts)
    if form.errors:
        status = 400
    accounts = db.session.scalars(sa.select(User).order_by(User.email)).all()
    return render_template(
        "accounts/users.html", form=form, accounts=accounts, reason_form=ReasonForm()
    ), status


@bp.post("/users/<int:user_id>/active")
@require_role(Role.ADMIN)
def set_active(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return redirect(url_for("accounts.users"))
    activate = request.form.get("active") == "1"
    if user.id == current_user.id and not activate:
        flash(MESSAGES.text(Refusal("deactivate_self")), "error")
    else:
        service.set_active(user, activate, form.reason.data or None)
        flash(_("Account %(email)s updated.", email=user.email), "success")
    return redirect(url_for("accounts.users"))
