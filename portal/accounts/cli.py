"""`flask --app portal users …`: manage officials' accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from portal.accounts import service
from portal.accounts.messages import MESSAGES
from portal.core.permissions import Role

users_cli = AppGroup("users", help="Officials' accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--county", default=None, help="Limit the account to one county code.")
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(email: str, role: str, county: str | None, name: str, password_stdin: bool) -> None:
    """Create an official's account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user, errors = service.create_user(email, role, county, password, name)
    if user is None:
        for refusal in errors:
            click.echo(f"{refusal.field}: {MESSAGES.text(refusal)}", err=True)
        raise SystemExit(1)
    click.echo(f"created {user.email} ({user.role}{', ' + user.county if user.county else ''})")
