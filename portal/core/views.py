"""Site-wide endpoints: health check and language switch."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, request
from flask.typing import ResponseReturnValue

from portal.core.extensions import db, limiter
from portal.core.i18n import LANG_COOKIE, normalize_language
from portal.core.security import safe_next

bp = Blueprint("core", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        db.session.rollback()
        return {"status": "unavailable", "database": "down"}, 503, {"Cache-Control": "no-store"}
    return {"status": "ok", "database": "up"}, 200, {"Cache-Control": "no-store"}


@bp.get("/lang/<code>")
def switch_language(code: str) -> ResponseReturnValue:
    """A preference cookie, not server state: a plain link works without JavaScript."""
    chosen = normalize_language(code) or current_app.config["BABEL_DEFAULT_LOCALE"]
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        LANG_COOKIE,
        chosen,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["PRODUCTION"],
        httponly=True,
    )
    return response
