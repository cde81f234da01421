"""Notices and announcements, their feeds and public comment periods."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this feature's blueprints, CLI, demo data and registry entries."""
    from portal.core import demo as core_demo
    from portal.core import openapi
    from portal.core.nav import add_admin_link, add_home_section, add_nav_item
    from portal.core.permissions import Role
    from portal.notices import admin, api, demo, feeds, models, queries, views  # noqa: F401
    from portal.search.registry import register_provider, register_sitemap

    add_nav_item(app, "notices.index", _l("Notices"), "/notices", 40)

    app.config.setdefault("NOTICE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
    app.config.setdefault("NOTICE_COMMENT_RATE_LIMIT", "5 per hour;20 per day")
    from portal.core.markdown import render

    app.jinja_env.globals.setdefault("render_markdown", render)
    app.jinja_env.globals["notice_feed_url"] = feeds.feed_url
    app.register_blueprint(views.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    openapi.init_app(app)
    openapi.register(app, api.OPENAPI_PATHS, api.OPENAPI_COMPONENTS)
    from portal.core import pagecache

    pagecache.register_next_change(queries.next_change)
    pagecache.register_next_change(queries.next_expiry)  # announcements ending with records
    register_provider(app, "notices", queries.search_notices)
    register_sitemap(app, "notices", queries.sitemap_entries)
    add_admin_link(app, "notices_admin.index", _l("Notices"), Role.PUBLISHER)
    add_home_section(app, "notices/_home.html", views.home_context)
    core_demo.register(app, "notices", demo.load)
    from portal.core.publications import register_due
    from portal.notices.publication import announce_due

    register_due(app, announce_due)
