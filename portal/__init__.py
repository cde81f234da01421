"""Daxing'anling water disclosure portal: the application factory."""

from __future__ import annotations

import importlib
import logging
from typing import Any

import sqlalchemy as sa
from flask import Flask
from jinja2 import StrictUndefined
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config
from portal.config import ROOT

# Each feature is a package with init_app(app); order is the order of demo loading.
FEATURES = (
    "portal.accounts",
    "portal.pages",
    "portal.notices",
    "portal.search",
    "portal.water",
    "portal.data",
    "portal.enforcement",
    "portal.reports",
    "portal.alerts",
    "portal.delivery",
    "portal.subscriptions",
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers and the writer work together; FULL makes an answered submission
    # durable across a power cut; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the portal. `overrides` (tests) win over PORTAL_* environment settings."""
    from portal.core.urls import PortalFlask

    app = PortalFlask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=False,
    )
    app.config.update(config.load(overrides))
    from portal.core.http import BoundedInt, CleanRequest

    app.url_map.converters["int"] = BoundedInt
    app.request_class = CleanRequest
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "")

    from portal.core import admin, errors, http, i18n, pagecache, security, urls, views
    from portal.core.counties import all_counties, county_name
    from portal.core.demo import demo_cli
    from portal.core.extensions import babel, csrf, db, limiter, login_manager, migrate
    from portal.core.nav import has_endpoint, main_nav
    from portal.core.pagination import page_url

    app.config["BABEL_TRANSLATION_DIRECTORIES"] = i18n.translation_directories(ROOT)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    import portal.core.ratelimit  # registers the sqlite:// storage of rate limits

    limiter.init_app(app)

    import portal.core.audit  # noqa: F401 - registers the audit table

    i18n.init_app(app)
    urls.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.cli.add_command(admin.audit_cli)
    app.cli.add_command(demo_cli)
    app.jinja_env.globals.update(
        main_nav=main_nav,
        has_endpoint=has_endpoint,
        page_url=page_url,
        county_name=county_name,
        counties=all_counties,
    )
    if not app.config["PRODUCTION"]:
        # A misspelt template variable fails loudly in development and tests.
        app.jinja_env.undefined = StrictUndefined
    app.jinja_env.globals["site_config"] = {"hotline": "12369"}

    for name in FEATURES:
        importlib.import_module(name).init_app(app)

    pagecache.init_app(app)
    http.init_static(app, ROOT / "static")
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    if app.config["PRODUCTION"]:
        logging.getLogger("portal").setLevel(logging.INFO)
    return app
