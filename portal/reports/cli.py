"""CLI: `flask --app portal reports close-due | verify-log | bulletin` and
`flask --app portal open311 create-key NAME`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Public pollution reports.")
open311_cli = AppGroup("open311", help="The Open311 GeoReport v2 API.")


@reports_cli.command("close-due")
def close_due_command() -> None:
    """Close finished reports whose feedback period has ended (run daily from cron), remove
    the photos of report forms abandoned before they were sent, verify and anchor the event
    log, and draft last month's bulletin."""
    from flask import current_app

    from portal.reports import bulletin, integrity, photos, service

    closed = service.close_due()
    click.echo(f"{closed} report(s) closed")
    hours = int(current_app.config["REPORT_QUARANTINE_HOURS"])
    swept = photos.sweep(current_app.config["UPLOAD_DIR"], hours * 3600)
    click.echo(f"{swept} abandoned photo upload(s) removed")
    result = integrity.verify_log()
    click.echo(integrity.describe(result))
    if result.ok:
        integrity.anchor(result)
    draft = bulletin.draft_due()
    if draft is not None:
        click.echo(f"monthly bulletin draft #{draft.id} waits for review: {draft.title_zh}")
    if not result.ok:
        raise SystemExit(1)


@reports_cli.command("verify-log")
def verify_log_command() -> None:
    """Check the public event log's chain, seals and every anchor outside the database."""
    from portal.reports import integrity

    result = integrity.verify_log()
    click.echo(integrity.describe(result))
    if not result.ok:
        raise SystemExit(1)


@reports_cli.command("bulletin")
@click.option("--month", help="YYYY-MM (default: the previous month)")
def bulletin_command(month: str | None) -> None:
    """Draft the monthly 12369 bulletin for a publisher to review (one draft per month)."""
    from portal.reports import bulletin, queries

    if queries.figures().rows is None:
        click.echo("no bulletin: the event log failed verification (see reports verify-log)")
        raise SystemExit(1)
    draft = bulletin.draft_for(month) if month else bulletin.draft_due()
    if draft is None:
        click.echo("the bulletin for that month already exists")
    else:
        click.echo(f"monthly bulletin draft #{draft.id} waits for review: {draft.title_zh}")


@open311_cli.command("create-key")
@click.argument("name")
def create_key_command(name: str) -> None:
    """Issue an API key to a partner channel; the key is printed once, on the last line."""
    from portal.reports import service

    key, plain = service.create_api_key(name)
    click.echo(f"API key #{key.id} for {key.name} (shown only now; store it safely):")
    click.echo(plain)
