"""Site search across features, the sitemap and robots.txt."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's blueprints, CLI, demo data and registry entries."""
    from portal.search import views

    app.register_blueprint(views.bp)
