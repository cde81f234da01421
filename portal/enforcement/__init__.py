"""Enforcement disclosure: enterprises, red/yellow cards, random inspections, cases."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def _years(name: str, default: int) -> int:
    raw = os.environ.get(f"PORTAL_{name}", "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError as exc:
        from portal.config import ConfigError

        raise ConfigError(f"PORTAL_{name} must be a whole number, not {raw!r}") from exc


def _home_context() -> dict[str, Any]:
    from portal.core.extensions import db
    from portal.enforcement import queries

    return {
        "enforcement_counts": queries.card_counts(),
        "enforcement_typical": db.session.scalars(
            queries.cases_query({"typical": "1"}).limit(3)
        ).all(),
    }


def _search(query: str, limit: int) -> list[Any]:
    from flask import url_for
    from flask_babel import gettext as _

    from portal.core.extensions import db
    from portal.enforcement import queries
    from portal.search.registry import SearchHit

    hits = [
        SearchHit(
            _("Enterprise"),
            e.name_zh,
            url_for("enforcement.enterprise", code=e.code),
            f"{e.code} · {e.industry}",
            None,
        )
        for e in db.session.scalars(queries.enterprises_query({"q": query}).limit(limit))
    ]
    hits += [
        SearchHit(
            _("Violation case"),
            f"{c.enterprise.name_zh}: {c.type_label}",
            url_for("enforcement.case", slug=c.slug),
            c.number,
            c.decided_on or c.filed_on,
        )
        for c in db.session.scalars(queries.cases_query({"q": query}).limit(limit))
    ]
    return hits[:limit]


def init_app(app: Flask) -> None:
    """Register this feature's blueprints, CLI, demo data and registry entries."""
    from flask_babel import lazy_gettext as _l

    from portal.core import demo as demo_registry
    from portal.core.nav import add_admin_link, add_home_section, add_nav_item
    from portal.core.permissions import Role
    from portal.enforcement import admin, api, cli, demo, views

    add_nav_item(app, "enforcement.index", _l("Enforcement"), "/enforcement", 20)

    app.config.setdefault(
        "ENFORCEMENT_PUBLICATION_YEARS_ORDINARY",
        _years("ENFORCEMENT_PUBLICATION_YEARS_ORDINARY", 1),
    )
    app.config.setdefault(
        "ENFORCEMENT_PUBLICATION_YEARS_SERIOUS", _years("ENFORCEMENT_PUBLICATION_YEARS_SERIOUS", 3)
    )
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.enterprises_cli)
    app.cli.add_command(cli.inspections_cli)
    demo_registry.register(app, "enforcement", demo.load)
    add_admin_link(
        app, "enforcement_admin.index", _l("Enforcement disclosure"), Role.ENFORCEMENT_OFFICER
    )
    add_home_section(app, "enforcement/_home.html", _home_context)

    from portal.core import openapi

    openapi.init_app(app)
    openapi.register(app, api.PATHS, api.SCHEMAS)

    from portal.enforcement import queries
    from portal.search.registry import register_provider, register_sitemap

    register_provider(app, "enforcement", _search)
    register_sitemap(app, "enforcement", queries.sitemap_entries)
    from portal.core import pagecache
    from portal.enforcement import publication

    # Publication periods end on China dates: public lists change only at midnight CST.
    pagecache.register_next_change(pagecache.next_china_midnight)
    pagecache.register_next_change(publication.next_change)

    from portal.enforcement import datasets

    datasets.register(app)
