"""The open-data catalog: every published download, for people and machines."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's blueprints, CLI, demo data and registry entries."""
    from portal.data import views

    app.extensions.setdefault("datasets", {})
    app.register_blueprint(views.bp)
