"""report event log: append-only guard, seals, idempotency key for deadline events

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:00:00

"""
import hashlib
import hmac

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

GUARDS = {
    "sqlite": [
        "CREATE TRIGGER report_events_no_update BEFORE UPDATE ON report_events "
        "BEGIN SELECT RAISE(ABORT, 'report event log is append-only'); END",
        "CREATE TRIGGER report_events_no_delete BEFORE DELETE ON report_events "
        "BEGIN SELECT RAISE(ABORT, 'report event log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION report_events_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'report event log is append-only'; END $$",
        "CREATE TRIGGER report_events_no_change BEFORE UPDATE OR DELETE ON report_events "
        "FOR EACH ROW EXECUTE FUNCTION report_events_append_only()",
    ],
}


def _seal_key():
    # The same derivation as portal.reports.integrity.seal_key(), repeated so this file
    # does not depend on the code of a later version.  Without an app (plain alembic) the
    # existing lines stay unsealed and `reports verify-log` reports them.
    try:
        from flask import current_app

        secret = current_app.config.get("REPORT_LOG_KEY") or current_app.config["SECRET_KEY"]
    except (ImportError, RuntimeError, KeyError):
        return None
    return hashlib.sha256(b"portal.reports.eventlog-seal\x00" + str(secret).encode()).digest()


def upgrade():
    with op.batch_alter_table('report_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('seal', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_report_events_key'), ['key'], unique=True)
    key = _seal_key()
    if key is not None:
        bind = op.get_bind()
        rows = bind.execute(sa.text("SELECT id, line FROM report_events ORDER BY id")).all()
        for row_id, line in rows:
            seal = hmac.new(key, line.encode("utf-8"), hashlib.sha256).hexdigest()
            bind.execute(
                sa.text("UPDATE report_events SET seal = :seal WHERE id = :id"),
                {"seal": seal, "id": row_id},
            )
    # From here on the database itself refuses UPDATE and DELETE on the log.
    for statement in GUARDS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS report_events_no_change ON report_events")
        op.execute("DROP FUNCTION IF EXISTS report_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS report_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS report_events_no_delete")
    with op.batch_alter_table('report_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_events_key'))
        batch_op.drop_column('seal')
        batch_op.drop_column('key')
