"""The officials' area: dashboard, the audit log page and the `audit` CLI."""

from __future__ import annotations

import datetime as dt

import click
import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask.cli import AppGroup
from flask.typing import ResponseReturnValue

from portal.core import audit
from portal.core.pagination import paginate
from portal.core.permissions import Role, require_role

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
    """Recompute hashes and keyed MACs and check every anchored head; exit 1 on tampering.

    A successful check anchors the current head too, so the next check covers it.
    """
    result = audit.verify_chain()
    if not result.ok:
        where = f" at entry {result.at_seq}" if result.at_seq is not None else ""
        click.echo(
            f"BROKEN{where}: {result.problem} ({result.entries} entries, "
            f"{result.anchors} anchors read)",
            err=True,
        )
        raise SystemExit(1)
    head = audit.current_head()
    if head is not None:
        audit.anchor_head(head)
    click.echo(f"ok: {result.entries} entries, {result.anchors} anchors, chain intact")


@audit_cli.command("anchor")
def anchor() -> None:
    """Append the current head to the anchor file (run daily, e.g. from cron or systemd)."""
    head = audit.current_head()
    if head is None:
        click.echo("nothing to anchor: the log is empty")
        return
    if not audit.anchor_head(head):
        raise SystemExit(1)
    click.echo(f"anchored entry {head['seq']}")
