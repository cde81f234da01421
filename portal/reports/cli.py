"""CLI: `flask --app portal reports close-due` and `flask --app portal open311 create-key NAME`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Public pollution reports.")
open311_cli = AppGroup("open311", help="The Open311 GeoReport v2 API.")


@reports_cli.command("close-due")
def close_due_command() -> None:
    """Close finished reports whose feedback period has ended (run daily from cron), and
    remove the photos of report forms abandoned before they were sent."""
    from flask import current_app

    from portal.reports import photos, service

    closed = service.close_due()
    click.echo(f"{closed} report(s) closed")
    hours = int(current_app.config["REPORT_QUARANTINE_HOURS"])
    swept = photos.sweep(current_app.config["UPLOAD_DIR"], hours * 3600)
    click.echo(f"{swept} abandoned photo upload(s) removed")


@open311_cli.command("create-key")
@click.argument("name")
def create_key_command(name: str) -> None:
    """Issue an API key to a partner channel; the key is printed once, on the last line."""
    from portal.reports import service

    key, plain = service.create_api_key(name)
    click.echo(f"API key #{key.id} for {key.name} (shown only now; store it safely):")
    click.echo(plain)
