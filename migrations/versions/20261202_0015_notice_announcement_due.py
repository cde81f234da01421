"""notices scheduled for later are mailed when their time comes

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 01:30:00

Notices already scheduled for a future time when this runs have not been told to their
subscribers (the portal used to skip them): they are marked due, so the worker's sweep
sends them at their time.
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('announcement_due', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    now = dt.datetime.now(dt.UTC)
    if op.get_bind().dialect.name == 'sqlite':
        now = now.replace(tzinfo=None)  # as portal.core.models.UTCDateTime stores it
    notices = sa.table(
        'notices',
        sa.column('status', sa.String()),
        sa.column('published_at', sa.DateTime(timezone=True)),
        sa.column('announcement_due', sa.Boolean()),
    )
    op.execute(
        notices.update()
        .where(notices.c.status == 'published', notices.c.published_at > now)
        .values(announcement_due=True)
    )


def downgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('announcement_due')
