"""Drinking water from source to tap: sites, samples, evaluation, publication."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Register this feature's blueprints, CLI, demo data and registry entries."""
    from portal.core import demo as core_demo
    from portal.core import openapi
    from portal.core.nav import add_admin_link, add_admin_tasks, add_home_section, add_nav_item
    from portal.core.permissions import Role
    from portal.search.registry import register_provider, register_sitemap
    from portal.water import admin, api, cli, demo, models, overdue, queries, views  # noqa: F401

    add_nav_item(app, "water.index", _l("Drinking water"), "/water", 10)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.water_cli)
    openapi.register(app, api.OPENAPI_PATHS, api.OPENAPI_COMPONENTS)
    register_provider(app, "water", queries.search)
    register_sitemap(app, "water", queries.sitemap_entries)
    add_admin_link(app, "water_admin.index", _l("Drinking water"), Role.WATER_OFFICER)
    add_admin_tasks(app, admin.dashboard_tasks)
    add_home_section(app, "water/_home.html", views.home_context)
    core_demo.register(app, "water", demo.load)
    _register_datasets(app)
    from portal.core import pagecache

    pagecache.register_next_change(overdue.next_change)


def _register_datasets(app: Flask) -> None:
    """List the downloads in the open-data catalog."""
    from portal.data import registry
    from portal.water import datasets

    datasets.register(app, registry)
