"""keyed audit chain: contiguous sequence numbers and a MAC per entry

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-01 21:10:00

Existing entries are numbered in id order and given their MAC with the configured
AUDIT_KEY (derived from the secret key unless PORTAL_AUDIT_KEY is set), so the chain that
`flask --app portal audit verify` checks starts at the first entry.
"""
import hashlib
import hmac

from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
GUARDS = {
    "sqlite": [
        "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
        "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
    ],
}
DROP = {
    "sqlite": ["DROP TRIGGER audit_entries_no_update", "DROP TRIGGER audit_entries_no_delete"],
    "postgresql": ["DROP TRIGGER audit_entries_no_change ON audit_entries"],
}


def _backfill(conn) -> None:
    key = str(current_app.config["AUDIT_KEY"]).encode()
    rows = conn.execute(sa.text("SELECT id, hash FROM audit_entries ORDER BY id")).all()
    prev_mac = GENESIS
    for seq, (entry_id, entry_hash) in enumerate(rows, start=1):
        mac = hmac.new(key, f"{seq}\n{prev_mac}\n{entry_hash}".encode(), hashlib.sha256).hexdigest()
        conn.execute(
            sa.text("UPDATE audit_entries SET seq = :seq, mac = :mac WHERE id = :id"),
            {"seq": seq, "mac": mac, "id": entry_id},
        )
        prev_mac = mac


def upgrade():
    conn = op.get_bind()
    dialect = conn.dialect.name
    for statement in DROP.get(dialect, []):
        op.execute(statement)
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
    _backfill(conn)
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('mac', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entries_seq'), ['seq'])
    for statement in GUARDS.get(dialect, []):
        op.execute(statement)


def downgrade():
    conn = op.get_bind()
    dialect = conn.dialect.name
    for statement in DROP.get(dialect, []):
        op.execute(statement)
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_entries_seq'), type_='unique')
        batch_op.drop_column('mac')
        batch_op.drop_column('seq')
    for statement in GUARDS.get(dialect, []):
        op.execute(statement)
