"""notices leave public view with the record they announce (public_until)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 21:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_notices_public_until'), ['public_until'], unique=False)


def downgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_public_until'))
        batch_op.drop_column('public_until')
