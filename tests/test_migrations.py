"""Migrations and models agree, on SQLite and on PostgreSQL; upgrade and downgrade work."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.core.extensions import db

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"


def _app(url: str, tmp_path: Path):
    return create_app(
        {"SECRET_KEY": "t", "INSTANCE_PATH": str(tmp_path / "i"), "SQLALCHEMY_DATABASE_URI": url}
    )


def test_migrations_build_exactly_the_schema_the_models_describe(empty_database_url, tmp_path):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(empty_database_url, tmp_path):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert "audit_entries" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_migrated_audit_log_refuses_changes(empty_database_url, tmp_path):
    from portal.core import audit

    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        audit.record("create", "thing", 1)
        db.session.commit()
        with pytest.raises(sa.exc.DatabaseError), db.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM audit_entries")
        db.session.remove()
        db.engine.dispose()


def test_migration_files_have_sortable_names_and_one_linear_history():
    files = sorted(p.name for p in VERSIONS.glob("*.py"))
    assert files and all(name[:8].isdigit() for name in files)
    heads = []
    revisions, downs = set(), set()
    for path in VERSIONS.glob("*.py"):
        namespace: dict = {}
        exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - our files
        revisions.add(namespace["revision"])
        downs.add(namespace["down_revision"])
    heads = revisions - downs
    assert len(heads) == 1, heads


def test_notices_scheduled_before_the_upgrade_are_still_mailed_at_their_time(
    empty_database_url, tmp_path
):
    """0015: a notice scheduled for later when the portal is upgraded is marked due (the
    worker will tell its subscribers at its time); one already public is not told twice."""
    import datetime as dt

    from portal.core.models import UTCDateTime

    app = _app(empty_database_url, tmp_path)
    now = dt.datetime.now(dt.UTC)
    notices = sa.table(
        "notices",
        *(sa.column(c) for c in ("id", "status", "category", "language", "title_zh")),
        *(sa.column(c) for c in ("summary_zh", "body_zh", "author_name", "version", "search_text")),
        *(sa.column(c, UTCDateTime()) for c in ("published_at", "created_at", "updated_at")),
        sa.column("announcement_due", sa.Boolean()),
    )
    with app.app_context():
        upgrade(revision="0014")
        common = {"status": "published", "category": "announcements", "language": "zh_Hans"}
        common |= {
            "title_zh": "t",
            "summary_zh": "",
            "body_zh": "",
            "author_name": "a",
            "search_text": "t",
        }
        rows = [
            {"id": 1, "published_at": now + dt.timedelta(days=1), **common},
            {"id": 2, "published_at": now - dt.timedelta(days=1), **common},
        ]
        with db.engine.begin() as conn:
            conn.execute(
                notices.insert(),
                [{**r, "version": 1, "created_at": now, "updated_at": now} for r in rows],
            )
        upgrade()
        with db.engine.connect() as conn:
            due = dict(conn.execute(sa.select(notices.c.id, notices.c.announcement_due)).all())
        db.engine.dispose()
    assert due == {1: True, 2: False}


def test_duplicates_merged_before_the_upgrade_name_the_case_not_the_tracking_code(
    empty_database_url, tmp_path
):
    """0016: a snapshot that kept the surviving report's tracking code now keeps its case."""
    import datetime as dt

    from portal.core.models import UTCDateTime

    app = _app(empty_database_url, tmp_path)
    now = dt.datetime.now(dt.UTC)
    text = ("code", "submission_id", "case", "channel", "category", "county", "place")
    reports = sa.table(
        "reports",
        sa.column("id"),
        *(sa.column(c) for c in (*text, "description", "anonymous", "state")),
        *(sa.column(c, UTCDateTime()) for c in ("received_at", "updated_at")),
        sa.column("workflow", sa.JSON()),
    )

    def report(n, workflow):
        values = {c: f"{c}-{n}" for c in text} | {"category": "water", "county": "mohe"}
        values |= {"channel": "web", "description": "d", "anonymous": True, "state": "duplicate"}
        times = {"received_at": now, "updated_at": now}
        return {"id": n, **values, **times, "workflow": workflow}

    with app.app_context():
        upgrade(revision="0015")
        with db.engine.begin() as conn:
            conn.execute(
                reports.insert(),
                [
                    report(1, {"state": "submitted"}),
                    report(2, {"state": "duplicate", "duplicate_of": "code-1"}),
                ],
            )
        upgrade()
        with db.engine.connect() as conn:
            kept = dict(conn.execute(sa.select(reports.c.id, reports.c.workflow)).all())
        downgrade(revision="0015")
        with db.engine.connect() as conn:
            back = conn.execute(sa.select(reports.c.workflow).where(reports.c.id == 2)).scalar()
        db.engine.dispose()
    assert kept[2] == {"state": "duplicate", "duplicate_of": "case-1"}
    assert kept[1] == {"state": "submitted"}
    assert back["duplicate_of"] == "code-1"
