"""a duplicate report names the case it was merged into, not that report's tracking code

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 02:00:00

The workflow snapshot of a report merged as a duplicate kept the surviving report's
tracking code (a credential of its reporter) where handlers and the audit trail read it;
it now keeps that report's case number. Existing snapshots are rewritten.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

REPORTS = sa.table(
    'reports',
    sa.column('id', sa.Integer()),
    sa.column('code', sa.String()),
    sa.column('case', sa.String()),
    sa.column('workflow', sa.JSON()),
)


def _rewrite(old_key: str, new_key: str) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(REPORTS.c.id, REPORTS.c.code, REPORTS.c.case, REPORTS.c.workflow))
    by_key = {}
    merged = []
    for row in rows:
        by_key[row._mapping[old_key]] = row._mapping[new_key]
        if (row.workflow or {}).get('duplicate_of'):
            merged.append((row.id, row.workflow))
    for report_id, workflow in merged:
        target = by_key.get(workflow['duplicate_of'])
        if target is not None:
            conn.execute(
                REPORTS.update()
                .where(REPORTS.c.id == report_id)
                .values(workflow={**workflow, 'duplicate_of': target})
            )


def upgrade():
    _rewrite('code', 'case')


def downgrade():
    _rewrite('case', 'code')
