"""Officials' notice workflow: draft, preview, publish or schedule, update, withdraw,
attachments, and moderation of EIA comments. Publishers and admins only."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.core.extensions import db
from portal.core.models import utcnow
from portal.core.pagination import paginate
from portal.core.permissions import Role, require_county, require_role
from portal.core.problems import Refusal
from portal.notices import attachments as files
from portal.notices import service
from portal.notices.forms import (
    ActionForm,
    AttachmentForm,
    NoticeForm,
    PublishForm,
    ResponseForm,
    WithdrawForm,
)
from portal.notices.messages import MESSAGES
from portal.notices.models import (
    Category,
    Notice,
    NoticeAttachment,
    NoticeComment,
    NoticeStatus,
)

bp = Blueprint("notices_admin", __name__, url_prefix="/admin/notices")

writers = require_role(Role.PUBLISHER)


@bp.errorhandler(Refusal)
def _refused(exc: Refusal) -> ResponseReturnValue:
    """A step the notice's status does not allow: back to its preview, saying why."""
    flash(MESSAGES.text(exc), "error")
    notice_id = (request.view_args or {}).get("notice_id")
    if notice_id is None:
        return redirect(url_for("notices_admin.index"))
    return redirect(url_for("notices_admin.preview", notice_id=notice_id))


def _notice_or_404(notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id, options=list(service.with_details()))
    if notice is None:
        abort(404)
    return notice


def _writable(notice_id: int) -> Notice:
    """A notice the official may change or whose commenters they may see: county-scoped
    publishers only their own county's (the service checks again on every write)."""
    notice = _notice_or_404(notice_id)
    require_county(notice.county)
    return notice


def _preview(notice: Notice, **forms: Any) -> str:
    context = {
        "publish_form": PublishForm(),
        "withdraw_form": WithdrawForm(),
        "attachment_form": AttachmentForm(),
        "action_form": ActionForm(),
        **forms,
    }
    return render_template(
        "notices/admin/preview.html",
        notice=notice,
        max_size=files.size_label(files.max_bytes()),
        **context,
    )


def _data(form: NoticeForm) -> service.NoticeData:
    def text(field: Any) -> str:
        return (field.data or "").strip()

    return service.NoticeData(
        category=form.category.data,
        county=form.county.data or None,
        language=form.language.data,
        title_zh=text(form.title_zh),
        title_en=text(form.title_en) or None,
        summary_zh=text(form.summary_zh),
        summary_en=text(form.summary_en) or None,
        body_zh=form.body_zh.data or "",
        body_en=(form.body_en.data or None),
        comments_close_at=form.comments_close_at.data
        if form.category.data == Category.EIA
        else None,
    )


@bp.get("/")
@writers
def index() -> ResponseReturnValue:
    status = request.args.get("status") or None
    if status is not None and status not in {*NoticeStatus, "scheduled"}:
        abort(404)
    query = sa.select(Notice).order_by(Notice.updated_at.desc(), Notice.id.desc())
    if status == "scheduled":
        query = query.where(Notice.status == NoticeStatus.PUBLISHED, Notice.published_at > utcnow())
    elif status:
        query = query.where(Notice.status == status)
    page = paginate(query, default_per_page=50)
    return render_template("notices/admin/index.html", page=page, status=status)


@bp.route("/new", methods=["GET", "POST"])
@writers
def new() -> ResponseReturnValue:
    form = NoticeForm()
    if form.validate_on_submit():
        notice = service.create_draft(_data(form))
        flash(_("Draft saved. Check the preview, then publish."), "success")
        return redirect(url_for("notices_admin.preview", notice_id=notice.id))
    return render_template("notices/admin/edit.html", form=form, notice=None)


@bp.get("/<int:notice_id>")
@writers
def preview(notice_id: int) -> ResponseReturnValue:
    return _preview(_notice_or_404(notice_id))


@bp.route("/<int:notice_id>/edit", methods=["GET", "POST"])
@writers
def edit(notice_id: int) -> ResponseReturnValue:
    # A withdrawn notice can be edited (its title repaired, say) but stays withdrawn: the
    # change is a public version with its reason, like any change to a notice once seen.
    notice = _writable(notice_id)
    live = service.is_live(notice)
    form = NoticeForm(obj=notice, live=live)
    if request.method == "GET":
        form.county.data = notice.county or ""
    if form.validate_on_submit():
        reason = (form.reason.data or "").strip() or None
        if service.update(notice, _data(form), reason):
            flash(_("Changes saved."), "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for("notices_admin.preview", notice_id=notice.id))
    return render_template("notices/admin/edit.html", form=form, notice=notice)


@bp.post("/<int:notice_id>/publish")
@writers
def publish(notice_id: int) -> ResponseReturnValue:
    notice = _writable(notice_id)
    if notice.status != NoticeStatus.DRAFT:
        raise Refusal("not_a_draft")
    form = PublishForm()
    if not form.validate_on_submit():
        return _preview(notice, publish_form=form), 422
    at = form.publish_at.data
    if at is not None and at <= utcnow():
        at = None  # a time already passed means "now"
    service.publish(notice, at)
    if at:
        flash(_("The notice is scheduled and will appear at the time given."), "success")
    else:
        flash(_("The notice is published."), "success")
    return redirect(url_for("notices_admin.preview", notice_id=notice.id))


@bp.post("/<int:notice_id>/unschedule")
@writers
def unschedule(notice_id: int) -> ResponseReturnValue:
    notice = _writable(notice_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not notice.is_scheduled:
        raise Refusal("not_scheduled")
    service.unschedule(notice)
    flash(_("Publication cancelled; the notice is a draft again."), "success")
    return redirect(url_for("notices_admin.preview", notice_id=notice.id))


@bp.post("/<int:notice_id>/withdraw")
@writers
def withdraw(notice_id: int) -> ResponseReturnValue:
    notice = _writable(notice_id)
    if notice.status != NoticeStatus.PUBLISHED or not notice.is_public():
        raise Refusal("not_published")
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _preview(notice, withdraw_form=form), 422
    service.withdraw(notice, form.reason.data)
    flash(_("The notice is withdrawn. Its address now shows the reason."), "success")
    return redirect(url_for("notices_admin.preview", notice_id=notice.id))


@bp.post("/<int:notice_id>/attachments")
@writers
def attach(notice_id: int) -> ResponseReturnValue:
    notice = _writable(notice_id)
    if notice.status == NoticeStatus.WITHDRAWN:
        raise Refusal("withdrawn_unchangeable")
    form = AttachmentForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(files.max_bytes() + 1)
        try:
            checked = files.check(upload.filename or "", data, files.max_bytes())
        except files.AttachmentError as exc:
            error = MESSAGES.text(exc)
        else:
            service.add_attachment(notice, checked)
            flash(_("Attachment added."), "success")
            return redirect(url_for("notices_admin.preview", notice_id=notice.id))
    else:
        error = " ".join(str(e) for e in form.file.errors)
    form.file.errors = [error] if error else []
    return _preview(notice, attachment_form=form), 422


@bp.post("/<int:notice_id>/attachments/<int:attachment_id>/delete")
@writers
def delete_attachment(notice_id: int, attachment_id: int) -> ResponseReturnValue:
    item = db.session.get(NoticeAttachment, attachment_id)
    if item is None or item.notice_id != notice_id:
        abort(404)
    require_county(item.notice.county)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.remove_attachment(item)
    flash(_("Attachment removed."), "success")
    return redirect(url_for("notices_admin.preview", notice_id=notice_id))


@bp.get("/<int:notice_id>/comments")
@writers
def comments(notice_id: int) -> ResponseReturnValue:
    notice = _writable(notice_id)
    if not notice.has_comment_period:
        abort(404)
    page = paginate(
        sa.select(NoticeComment)
        .where(NoticeComment.notice_id == notice.id)
        .order_by(NoticeComment.created_at.desc(), NoticeComment.id.desc()),
        default_per_page=50,
    )
    service.view_comment_contacts(notice)
    return render_template(
        "notices/admin/comments.html",
        notice=notice,
        page=page,
        counts=service.comment_counts(notice.id),
        action_form=ActionForm(),
        response_form=ResponseForm(obj=notice),
    )


@bp.post("/comments/<int:comment_id>/moderate")
@writers
def moderate(comment_id: int) -> ResponseReturnValue:
    comment = db.session.get(NoticeComment, comment_id)
    if comment is None:
        abort(404)
    _writable(comment.notice_id)
    decision = request.form.get("decision")
    if not ActionForm().validate_on_submit() or decision not in ("accept", "reject"):
        abort(400)
    service.moderate(comment, decision == "accept")
    flash(_("Comment moderated."), "success")
    return redirect(url_for("notices_admin.comments", notice_id=comment.notice_id))


@bp.post("/<int:notice_id>/response")
@writers
def response(notice_id: int) -> ResponseReturnValue:
    notice = _writable(notice_id)
    if not notice.has_comment_period:
        abort(404)
    form = ResponseForm()
    if not form.validate_on_submit():
        for error in form.response_zh.errors:
            flash(str(error), "error")
        return redirect(url_for("notices_admin.comments", notice_id=notice.id))
    service.publish_response(notice, form.response_zh.data, form.response_en.data)
    flash(
        _("Response summary saved. It appears on the notice once comments have closed."), "success"
    )
    return redirect(url_for("notices_admin.comments", notice_id=notice.id))
