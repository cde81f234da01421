"""Demo data: each feature registers a loader; `flask --app portal demo load` runs them in order."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup

Loader = Callable[[], int]
demo_cli = AppGroup("demo", help="Sample data for trying the portal.")


def register(app: Flask, name: str, loader: Loader) -> None:
    """Loaders must be idempotent: running them twice adds nothing the second time."""
    app.extensions.setdefault("demo_loaders", []).append((name, loader))


def load_all() -> dict[str, int]:
    return {name: loader() for name, loader in current_app.extensions.get("demo_loaders", [])}


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only when no official has an account yet.")
def load_command(if_empty: bool) -> None:
    """Load the demo data set (idempotent)."""
    if if_empty:
        import sqlalchemy as sa

        from portal.accounts.models import User
        from portal.core.extensions import db

        if db.session.scalar(sa.select(User.id).limit(1)) is not None:
            click.echo("database not empty: demo data not loaded")
            return
    for name, added in load_all().items():
        click.echo(f"{name}: {added} added")
