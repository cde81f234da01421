"""Public pollution reports (12369-style): submission, tracking, handling, statistics.

Time limits and abuse limits come from the environment (PORTAL_REPORT_*), with the
national 12369 defaults. Finished reports close automatically after the feedback period:
run `flask --app portal reports close-due` daily; a report that is viewed before the job
runs is closed on the spot. The same job appends the deadline events of reports past a
limit (also done whenever the statistics or the log are read), verifies and anchors the
event log, and drafts the monthly bulletin.
"""

from __future__ import annotations

import os

from flask import Flask

SETTINGS = {
    "REPORT_RATE_LIMIT": "10 per hour",
    "REPORT_MIN_SECONDS": "3",
    "TRACK_RATE_LIMIT": "30 per hour",
    "OPEN311_RATE_LIMIT": "600 per hour",
    "REPORT_ACCEPT_DAYS": "15",
    "REPORT_FINISH_DAYS": "60",
    "REPORT_MAX_EXTENSION_DAYS": "30",
    "REPORT_AUTO_CLOSE_DAYS": "15",
    # Photos of forms not sent yet: per client address, in all, and for how long.
    "REPORT_QUARANTINE_CLIENT_MB": "50",
    "REPORT_QUARANTINE_TOTAL_MB": "1000",
    "REPORT_QUARANTINE_HOURS": "24",
    # Key of the event log's seals; empty: derived from SECRET_KEY (see integrity.py).
    "REPORT_LOG_KEY": "",
}
_INTEGER = {k for k in SETTINGS if k.endswith(("_DAYS", "_SECONDS", "_MB", "_HOURS"))}


def _settings(app: Flask) -> None:
    for name, default in SETTINGS.items():
        raw = os.environ.get(f"PORTAL_{name}") or default
        app.config.setdefault(name, int(raw) if name in _INTEGER else raw)


def init_app(app: Flask) -> None:
    """Register this feature's blueprints, CLI, demo data and registry entries."""
    from flask_babel import lazy_gettext as _l

    from portal.core import demo as demo_registry
    from portal.core.extensions import csrf
    from portal.core.nav import add_admin_link, add_home_section, add_nav_item
    from portal.core.permissions import Role
    from portal.core.ratelimit import tracking_limit
    from portal.reports import (
        admin,
        cli,
        demo,
        models,
        tracking,  # noqa: F401 - its routes join views.bp
        views,
    )
    from portal.reports.api import open311

    add_nav_item(app, "reports.new", _l("Report pollution"), "/reports", 30)

    _settings(app)
    app.jinja_env.globals["report_labels"] = {
        "state": models.STATE_LABELS,
        "category": models.CATEGORY_LABELS,
        "outcome": models.OUTCOME_LABELS,
        "rating": models.RATING_LABELS,
        "channel": models.CHANNEL_LABELS,
        "action": models.ACTION_LABELS,
        "button": models.ACTION_BUTTONS,
    }
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(open311.bp)
    # A look-up by tracking code counts in the one "tracking" scope, whichever endpoint it
    # uses (the route keeps its own limit too). Registering the shared limit on the view
    # function is enough: its existing limiter wrapper checks every limit under its name.
    tracking_limit(open311.get_request)  # the Open311 look-up by code (developer interop)
    csrf.exempt(open311.create_request)
    csrf.exempt(open311.lookup_request)
    csrf.exempt(open311.unknown)
    exempt = app.config.setdefault("CSRF_EXEMPT_ENDPOINTS", set())
    exempt.update(open311.CSRF_EXEMPT)
    app.cli.add_command(cli.reports_cli)
    app.cli.add_command(cli.open311_cli)
    add_admin_link(app, "reports_admin.queue", _l("Pollution reports"), Role.REPORT_HANDLER)
    add_admin_link(app, "reports_admin.phone", _l("Record a phone report"), Role.REPORT_HANDLER)
    add_admin_link(app, "reports_admin.api_keys", _l("Open311 API keys"), Role.ADMIN)
    add_home_section(app, "reports/_home.html", views.home_context)
    from portal.core import pagecache
    from portal.reports import queries

    pagecache.register_next_change(queries.next_change)
    demo_registry.register(app, "reports", demo.load)
    from portal.reports import queries
    from portal.search.registry import register_sitemap

    register_sitemap(app, "reports", queries.sitemap_entries)
    if "data" in app.blueprints:
        from portal.reports import datasets

        datasets.register(app)

    from portal.core import pagecache

    # Never shown publicly: writing them leaves every cached page valid.
    pagecache.register_private_table("report_status_links")
