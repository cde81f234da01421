"""water: explanations of exceedances, site details snapshotted in publications

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('water_explanations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county', sa.String(length=20), nullable=False),
    sa.Column('quarter', sa.String(length=20), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('advice', sa.Text(), nullable=False),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('written_by', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['water_sites.id'], name=op.f('fk_water_explanations_site_id_water_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_water_explanations')),
    sa.UniqueConstraint('county', 'quarter', 'site_id', 'version', name='explanation_version')
    )
    with op.batch_alter_table('water_explanations', schema=None) as batch_op:
        batch_op.create_index('ix_water_explanations_current', ['current', 'county', 'quarter'], unique=False)
    # Publications made before this revision show the live site details (no snapshot).
    with op.batch_alter_table('water_publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sites', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('water_publications', schema=None) as batch_op:
        batch_op.drop_column('sites')
    with op.batch_alter_table('water_explanations', schema=None) as batch_op:
        batch_op.drop_index('ix_water_explanations_current')
    op.drop_table('water_explanations')
