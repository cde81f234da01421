"""Demo data: each feature registers a loader; `flask --app portal demo load` runs them in order."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup

Loader = Callable[[], int]
InUse = Callable[[], bool]
demo_cli = AppGroup("demo", help="Sample data for trying the portal.")


def register(app: Flask, name: str, loader: Loader) -> None:
    """Loaders must be idempotent: running them twice adds nothing the second time."""
    app.extensions.setdefault("demo_loaders", []).append((name, loader))


def register_in_use(app: Flask, check: InUse) -> None:
    """`check()` is True when the database already holds real work (e.g. an official's
    account): `demo load --if-empty` then loads nothing."""
    app.extensions.setdefault("demo_in_use", []).append(check)


def load_all() -> dict[str, int]:
    return {name: loader() for name, loader in current_app.extensions.get("demo_loaders", [])}


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no real work yet.")
def load_command(if_empty: bool) -> None:
    """Load the demo data set (idempotent)."""
    if if_empty and any(check() for check in current_app.extensions.get("demo_in_use", [])):
        click.echo("database not empty: demo data not loaded")
        return
    for name, added in load_all().items():
        click.echo(f"{name}: {added} added")
