"""The home page and the content pages written in content/pages/."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.pages import views

    app.register_blueprint(views.bp)
