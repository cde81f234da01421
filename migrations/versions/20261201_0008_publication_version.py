"""publication version: one row bumped with every change to public output (page cache)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:20:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'publication_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('epoch', sa.String(length=64), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_version')),
    )
    op.execute(
        table.insert().values(id=1, epoch=secrets.token_hex(8), n=1, changed_at=sa.func.now())
    )


def downgrade():
    op.drop_table('publication_version')
