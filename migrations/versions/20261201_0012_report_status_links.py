"""report status links, one-time receipts, reporter updates

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 21:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_status_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_status_links_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_status_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_report_status_links_token_hash'))
    )
    with op.batch_alter_table('report_status_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_status_links_report_id'), ['report_id'], unique=False)
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_reports_receipt_hash'), ['receipt_hash'])
    with op.batch_alter_table('report_contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updates', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('report_contacts', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('updates')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_reports_receipt_hash'), type_='unique')
        batch_op.drop_column('receipt_hash')
    with op.batch_alter_table('report_status_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_status_links_report_id'))
    op.drop_table('report_status_links')
