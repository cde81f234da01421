"""The home page and the content pages written in content/pages/."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.core.nav import add_nav_item
    from portal.pages import views

    add_nav_item(app, "pages.about", _l("About"), "/pages", 90)

    app.register_blueprint(views.bp)
