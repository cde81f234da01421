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
