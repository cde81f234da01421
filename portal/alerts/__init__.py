"""Water-incident warnings (预警): publish, update, lift; the banner on every page; CAP 1.2
documents, Atom/RSS feeds and a JSON list for aggregators."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this feature's blueprints, banner, demo data and registry entries."""
    from portal.alerts import admin, api, demo, feeds, models, queries, views  # noqa: F401
    from portal.core import demo as core_demo
    from portal.core import openapi, pagecache
    from portal.core.models import utcnow
    from portal.core.nav import add_admin_link
    from portal.core.permissions import Role
    from portal.search.registry import register_provider, register_sitemap

    # CAP <sender>, part of every message identifier: set it once and never change it.
    app.config.setdefault("ALERTS_CAP_SENDER", os.environ.get("PORTAL_ALERTS_CAP_SENDER"))
    app.register_blueprint(views.bp)
    app.register_blueprint(api.api_bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(admin.bp)
    openapi.init_app(app)
    openapi.register(app, api.OPENAPI_PATHS, api.OPENAPI_COMPONENTS)
    register_provider(app, "alerts", queries.search)
    register_sitemap(app, "alerts", queries.sitemap_entries)
    add_admin_link(app, "alerts_admin.index", _l("Warnings"), Role.PUBLISHER, Role.WATER_OFFICER)
    core_demo.register(app, "alerts", demo.load)
    # A warning's future effective time or expected end changes its pages by time alone.
    pagecache.register_next_change(queries.next_change)
    # The banner and the place notes read the warnings in force once per request, lazily:
    # a template that never asks costs no query.
    app.jinja_env.globals.update(
        alerts_in_force=queries.banner_alerts, alerts_for_place=queries.for_place, utcnow=utcnow
    )

    @app.context_processor
    def _alert_labels() -> dict[str, Any]:
        return {"alert_fields": FIELD_LABELS}


FIELD_LABELS = {
    "level": _l("level"),
    "kind": _l("kind"),
    "counties": _l("affected counties"),
    "sites": _l("affected sites"),
    "headline_zh": _l("headline (Chinese)"),
    "headline_en": _l("headline (English)"),
    "instruction_zh": _l("what to do (Chinese)"),
    "instruction_en": _l("what to do (English)"),
    "description_zh": _l("description (Chinese)"),
    "description_en": _l("description (English)"),
    "effective_from": _l("effective time"),
    "expected_end": _l("expected end"),
}
