"""The officials' area: dashboard, the audit log page and the `audit` CLI."""

from __future__ import annotations

import datetime as dt

import click
import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask.cli import AppGroup
from flask.typing import ResponseReturnValue

from portal.accounts.auth import require_role
from portal.accounts.models import Role
from portal.core import audit
from portal.core.pagination import paginate

bp = Blueprint("admin", __name__, url_prefix="/admin")
audit_cli = AppGroup("audit", help="The audit log.")


@bp.get("/")
@require_role(*Role)
def dashboard() -> ResponseReturnValue:
    from portal.core.nav import admin_tasks

    links = [link for link in current_app.extensions.get("admin_links", []) if link.visible()]
    return render_template("admin/dashboard.html", links=links, tasks=admin_tasks())


def _date(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/audit")
@require_role(Role.ADMIN)
def audit_log() -> ResponseReturnValue:
    query = sa.select(audit.AuditEntry).order_by(audit.AuditEntry.id.desc())
    filters = {k: request.args.get(k, "").strip() for k in ("action", "object_type", "actor")}
    if filters["action"]:
        query = query.where(audit.AuditEntry.action == filters["action"])
    if filters["object_type"]:
        query = query.where(audit.AuditEntry.object_type == filters["object_type"])
    if filters["actor"]:
        query = query.where(audit.AuditEntry.actor.contains(filters["actor"]))
    start, end = _date("from"), _date("to")
    if start:
        query = query.where(
            audit.AuditEntry.at >= dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
        )
    if end:
        query = query.where(
            audit.AuditEntry.at
            < dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        )
    return render_template(
        "admin/audit.html",
        page=paginate(query, 50),
        filters=filters,
        start=start,
        end=end,
    )


@audit_cli.command("verify")
def verify() -> None:
    """Recompute the hash chain; exit 1 if any entry was altered or removed."""
    count, broken = audit.verify_chain()
    if broken is not None:
        click.echo(f"BROKEN at entry {broken} ({count} entries read)", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {count} entries, chain intact")
