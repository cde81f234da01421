"""`flask --app portal water import-sites FILE | import FILE | publish COUNTY QUARTER`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.core import counties
from portal.water import explanations as explain_write
from portal.water import service
from portal.water.messages import MESSAGES

water_cli = AppGroup("water", help="Drinking-water data: import and publish.")


def _report(result: service.ImportResult) -> None:
    if result.ok:
        click.echo(f"imported {result.rows} rows")
        return
    for e in result.errors:
        where = f"row {e.row}" if e.row else "file"
        column = f", {e.column}" if e.column else ""
        value = f" ({e.value})" if e.value else ""
        click.echo(f"{where}{column}: {MESSAGES.text(e)}{value}", err=True)
    if result.truncated:
        click.echo(f"... {result.error_count} errors in all", err=True)
    raise SystemExit(1)


_SCOPE = click.option(
    "--county",
    default=None,
    help="Import as a county's water officer: rows of other counties are refused.",
)


def _scope(county: str | None) -> str | None:
    if county is not None and counties.get(county) is None:
        refused = service.PublishError("unknown_county", "county")
        raise click.BadParameter(MESSAGES.text(refused), param_hint="--county")
    return county


@water_cli.command("import-sites")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_SCOPE
def import_sites(file: Path, county: str | None) -> None:
    """Import monitoring sites (all or nothing)."""
    with file.open("rb") as fh:
        _report(service.import_sites(fh, file.name, _scope(county)))


@water_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_SCOPE
def import_measurements(file: Path, county: str | None) -> None:
    """Import laboratory results (all or nothing; re-importing is harmless)."""
    with file.open("rb") as fh:
        _report(service.import_measurements(fh, file.name, _scope(county)))


@water_cli.command("publish")
@click.argument("county")
@click.argument("quarter")
@click.option("--reason", default=None, help="Required to correct a published quarter.")
@click.option(
    "--explanations",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV/XLSX with site_code,cause,measures,advice for failed or inconclusive sites.",
)
def publish(county: str, quarter: str, reason: str | None, explanations: Path | None) -> None:
    """Publish a county's quarter (or correct it, with --reason).

    Explanations are checked before publishing (a bad file publishes nothing) but never
    required: without them the public sees when they are due.
    """
    texts: list[explain_write.Text] = []
    if explanations is not None:
        with explanations.open("rb") as fh:
            texts, report = explain_write.read_file(fh, explanations.name, county, quarter, None)
        if report.count:
            _report(service.ImportResult(False, report.errors, report.truncated, report.count))
    try:
        pub = service.publish(county, quarter, reason)
    except service.PublishError as exc:
        raise click.ClickException(MESSAGES.text(exc)) from exc
    click.echo(f"published {county} {quarter} version {pub.version}")
    if texts:
        n = explain_write.write_all(county, quarter, texts, None)
        click.echo(f"explanations written for {n} sites")
