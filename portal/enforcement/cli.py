"""`flask --app portal enterprises import FILE` and `flask --app portal inspections verify`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.enforcement import verify_cli

enterprises_cli = AppGroup("enterprises", help="The enforcement enterprise registry.")
inspections_cli = AppGroup("inspections", help="Random inspection draws.")


@enterprises_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import enterprises from a CSV/XLSX file (all rows or none)."""
    from portal.enforcement import registry

    with path.open("rb") as stream:
        report = registry.import_enterprises(stream, path.name)
    if not report.ok:
        for row, message in report.lines():
            click.echo(f"row {row}: {message}" if row else message, err=True)
        click.echo(f"nothing imported: {len(report.problems)} problem(s)", err=True)
        raise SystemExit(1)
    click.echo(f"imported: {report.added} added, {report.updated} updated")


@enterprises_cli.command("refresh-notice-periods")
def refresh_notice_periods_command() -> None:
    """Once after migration 0011: make the notices of existing cards and cases leave
    public view with them (and withdraw those of repaired ones)."""
    from portal.core.extensions import db
    from portal.enforcement import announcements

    count = announcements.refresh_all()
    db.session.commit()
    click.echo(f"publication periods set on the notices of {count} card(s) and case(s)")


@inspections_cli.command("verify")
@click.argument("source")
@click.option(
    "--committed",
    "committed",
    default=None,
    help="The document as published at commit time (file or URL). By default, for a "
    "portal draw URL, its /committed snapshot is fetched.",
)
@click.option("--no-committed", is_flag=True, help="Do not compare with the commit-time snapshot.")
@click.option(
    "--entropy",
    "entropy",
    default=None,
    help="The value the entropy source named at commit time published, as you read it there "
    "yourself. Without it a revealed draw is not confirmed.",
)
def verify_command(
    source: str, committed: str | None, no_committed: bool, entropy: str | None
) -> None:
    """Recompute a draw from its published JSON (file or URL); exit 1 if it does not verify."""
    urls = verify_cli.portal_urls(source)
    if urls is not None:
        # A public page address stands for its JSON document.
        source = urls[0]
        if committed is None and not no_committed:
            committed = urls[1]
    try:
        report = verify_cli.verify_source(source, committed=committed, entropy=entropy)
    except verify_cli.SourceError as exc:
        click.echo(f"cannot read: {exc}", err=True)
        raise SystemExit(2) from exc
    if committed:
        click.echo(f"compared with the commit-time document: {committed}")
    click.echo(verify_cli.format_report(report))
    if not report.ok:
        raise SystemExit(1)
