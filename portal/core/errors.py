"""Friendly, translated error pages that never show a traceback."""

from __future__ import annotations

import contextlib
import types
from typing import Any

from flask import Flask, Response, current_app, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from portal.core.extensions import db

# What a handler answers: a rendered page, the fallback HTML or a JSON body, with its status.
Answer = tuple[Response | str | dict[str, Any], int]

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you entered and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or is not published.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than the portal accepts. Please send smaller files.")),
    429: (_l("Too many requests"), _l("You have sent too many requests in a short time. Please wait a while and try again, or call the 12369 hotline.")),
    500: (_l("Something went wrong"), _l("The portal could not complete your request. Nothing you sent has been lost; please try again later.")),
    503: (_l("Temporarily unavailable"), _l("The portal is temporarily unavailable. Please try again in a few minutes, or call the 12369 hotline.")),
}  # fmt: skip


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/open311/")) or (
        request.accept_mimetypes.best == "application/json"
    )


def render_error(code: int, detail: str | None = None) -> Answer:
    title, message = MESSAGES.get(code, MESSAGES[500])
    if wants_json():
        return {
            "error": {"status": code, "title": str(title), "message": detail or str(message)}
        }, code
    try:
        return render_template(
            "errors/error.html", code=code, title=title, message=message, detail=detail
        ), code
    except Exception:  # the error page itself failed: still never show a traceback
        current_app.logger.exception("error page %s failed to render", code)
        return FALLBACK.format(
            code=code, title=escape(str(title)), message=escape(str(message))
        ), code


FALLBACK = (
    '<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>{title}</title>'
    "<h1>{title}</h1><p>{message}</p><p>12369</p></html>"
)


def _http_error(exc: HTTPException) -> HTTPException | Answer:
    code = exc.code or 500
    if code not in MESSAGES:
        return exc  # redirects and other codes pass through
    # A message given to abort(code, message) says what exactly was wrong; show it.
    detail = exc.description if exc.description != type(exc).description else None
    body, status = render_error(code, detail)
    response = make_response(body, status)
    if code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return response, status


def _csrf_error(_exc: CSRFError) -> Answer:
    from flask_babel import gettext as _

    return render_error(
        400,
        _(
            "The form has expired or was sent from another site. Please go back, reload the page and try again."
        ),
    )


def _rollback() -> None:
    """Roll back what the failed request began. With the database gone the rollback itself
    can fail: the user must still get the translated page, never the server's bare 500."""
    try:
        db.session.rollback()
    except Exception:  # the connection is already dead; the pool discards it
        current_app.logger.warning("rollback failed after a database error")
        with contextlib.suppress(Exception):  # nothing more can be done for this session
            db.session.close()


def _database_down(_exc: Exception) -> Answer:
    _rollback()
    return render_error(503)


def _unexpected(exc: Exception) -> HTTPException | Answer:
    _rollback()
    if isinstance(getattr(exc, "original_exception", None), (OperationalError, InterfaceError)):
        return render_error(503)
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    return render_error(500)


def _close_session(_exc: BaseException | None) -> None:
    """Runs before Flask-SQLAlchemy's own teardown (teardowns run in reverse order). When the
    database died mid-request, closing the session raises; the answer (e.g. the 503 page) is
    already made, so the failure is logged instead of replacing it with the server's bare 500."""
    try:
        db.session.remove()
    except Exception:
        current_app.logger.warning("closing the database session failed after an outage")


def _log_exception(app: Flask, exc_info: Any) -> None:
    """Flask's own logging names the request's path; paths may hold a status link's token,
    so the log names the route pattern instead (e.g. /reports/status/<token>)."""
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    app.logger.error("Exception on %s [%s]", rule, request.method, exc_info=exc_info)


def init_app(app: Flask) -> None:
    app.log_exception = types.MethodType(_log_exception, app)  # type: ignore[method-assign]
    app.teardown_appcontext(_close_session)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(ServiceUnavailable, _database_down)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unexpected)
    app.register_error_handler(InterfaceError, _database_down)
