"""Public notice pages: the list, a notice, its earlier versions, attachments and comments."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
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

from portal.core import pagecache
from portal.core.extensions import db, limiter
from portal.core.http import conditional
from portal.core.pagination import paginate
from portal.core.permissions import Role
from portal.notices import attachments as files
from portal.notices import queries, service
from portal.notices.forms import CommentForm
from portal.notices.models import CATEGORY_LABELS, Notice, NoticeAttachment, NoticeVersion

bp = Blueprint("notices", __name__)


def cacheable(response: Response, max_age: int = 60, *, personal: bool = False) -> Response:
    """Shared caches may keep anonymous pages; an official's view, or a page carrying a
    form's CSRF token (`personal`), is for one browser only."""
    response = conditional(response, max_age=max_age)
    if personal or current_user.is_authenticated or response.headers.get("Set-Cookie"):
        response.cache_control.public = False
        response.cache_control.private = True
        response.cache_control.max_age = 0
    return response


def _is_official() -> bool:
    return current_user.is_authenticated and current_user.has_role(Role.PUBLISHER)


def home_context() -> dict[str, Any]:
    return {"latest_notices": queries.latest(5)}


@bp.get("/notices/")
@pagecache.cacheable
def index() -> ResponseReturnValue:
    category = queries.check_category(request.args.get("category"))
    county = queries.check_county(request.args.get("county"))
    page = paginate(
        queries.public_notices(category, county),
        total=lambda: queries.public_count(category, county),
    )
    response = make_response(
        render_template(
            "notices/index.html",
            page=page,
            category=category,
            county=county,
            categories=CATEGORY_LABELS,
        )
    )
    # No Last-Modified: a withdrawal further down the list changes the page without
    # changing its newest date; the content ETag catches every change.
    return cacheable(response, max_age=60)


@bp.get("/notices/<int:notice_id>")
@pagecache.cacheable
def detail(notice_id: int) -> ResponseReturnValue:
    notice = queries.public_notice_or_404(notice_id, *service.with_details())
    form = CommentForm() if notice.comments_open() else None
    return _render_detail(notice, form)


def _render_detail(notice: Notice, form: CommentForm | None, status: int = 200) -> Response:
    received = service.received_count(notice.id) if notice.comments_closed() else None
    response = make_response(
        render_template("notices/detail.html", notice=notice, form=form, received=received),
        status,
    )
    if status != 200:
        return response
    # A comment period changes the page by itself (it closes; counts move): ETag only.
    if notice.last_modified and not notice.has_comment_period:
        response.last_modified = notice.last_modified
    return cacheable(response, max_age=60, personal=form is not None)


@bp.get("/notices/<int:notice_id>/versions/<int:version>")
@pagecache.cacheable
def version(notice_id: int, version: int) -> ResponseReturnValue:
    notice = queries.public_notice_or_404(notice_id)
    if notice.is_withdrawn:
        abort(404)  # a withdrawn notice's text is no longer published, in any version
    old = db.session.scalar(
        sa.select(NoticeVersion).where(
            NoticeVersion.notice_id == notice.id, NoticeVersion.version == version
        )
    )
    if old is None:
        abort(404)
    response = make_response(render_template("notices/version.html", notice=notice, old=old))
    response.last_modified = old.replaced_at
    return cacheable(response, max_age=3600)


@bp.get("/notices/<int:notice_id>/files/<int:attachment_id>")
def attachment(notice_id: int, attachment_id: int) -> ResponseReturnValue:
    item = db.session.get(NoticeAttachment, attachment_id)
    if item is None or item.notice_id != notice_id:
        abort(404)
    notice = item.notice
    # Officials may fetch a draft's files to check them; the public only a live notice's.
    if not _is_official() and not (notice.is_public() and not notice.is_withdrawn):
        abort(404)
    path = files.directory() / item.stored_name
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=item.content_type, conditional=True, etag=item.sha256, max_age=3600
    )
    quoted = quote(item.filename, safe="")
    ascii_name = "attachment." + item.filename.rsplit(".", 1)[-1]
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not notice.is_public():
        response.cache_control.no_store = True
        response.cache_control.public = False
    return response


def _comment_limit() -> str:
    return current_app.config["NOTICE_COMMENT_RATE_LIMIT"]


@bp.post("/notices/<int:notice_id>/comments")
@limiter.limit(_comment_limit, methods=["POST"])
def comment(notice_id: int) -> ResponseReturnValue:
    notice = queries.public_notice_or_404(notice_id, *service.with_details())
    if not notice.comments_open():
        abort(404)
    form = CommentForm()
    if not form.validate_on_submit():
        response = _render_detail(notice, form, status=422)
        response.headers["Cache-Control"] = "no-store"
        return response
    service.submit_comment(notice, form.body.data, form.name.data, form.contact.data)
    flash(_("Thank you. Your comment has been received and will be considered."), "success")
    return redirect(url_for("notices.detail", notice_id=notice.id, _anchor="comments"))
