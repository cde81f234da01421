"""Home page and content pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from portal.core.pagecache import cacheable
from portal.pages import content

bp = Blueprint("pages", __name__)


@bp.get("/")
@cacheable
def home() -> ResponseReturnValue:
    sections = [
        (template, context())
        for template, context in current_app.extensions.get("home_sections", [])
    ]
    return render_template("pages/home.html", sections=sections)


@bp.get("/pages/")
def about() -> ResponseReturnValue:
    return redirect(url_for("pages.page", slug="about"))


@bp.get("/pages/<slug>")
@cacheable
def page(slug: str) -> ResponseReturnValue:
    found = content.load(slug, str(get_locale() or content.DEFAULT_LOCALE))
    if found is None:
        abort(404)
    return render_template("pages/page.html", page=found, others=content.slugs())
