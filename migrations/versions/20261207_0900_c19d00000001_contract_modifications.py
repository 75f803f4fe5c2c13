"""contract modifications (art. 72) and the terms in force on each contract line

Revision ID: c19d00000001
Revises: c17700000001
Create Date: 2026-12-07 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c19d00000001'
down_revision = 'c17700000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contract_modification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('ground', sa.Enum('72-1-a', '72-1-b', '72-1-c', '72-1-d', '72-1-e', '72-2', name='modificationground', native_enum=False, length=8), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('maximum_before', sa.Integer(), nullable=False),
    sa.Column('maximum_after', sa.Integer(), nullable=False),
    sa.Column('unit_price_before', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('unit_price_after', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('end_before', sa.Date(), nullable=False),
    sa.Column('end_after', sa.Date(), nullable=False),
    sa.Column('value_change', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('recorded_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['line_id'], ['contract_line.id'], name=op.f('fk_contract_modification_line_id_contract_line')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_contract_modification_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_modification'))
    )
    with op.batch_alter_table('contract_modification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_modification_line_id'), ['line_id'], unique=False)

    with op.batch_alter_table('contract_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('modified_maximum_quantity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('modified_unit_price', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('modified_end', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('contract_line', schema=None) as batch_op:
        batch_op.drop_column('modified_end')
        batch_op.drop_column('modified_unit_price')
        batch_op.drop_column('modified_maximum_quantity')

    with op.batch_alter_table('contract_modification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_modification_line_id'))

    op.drop_table('contract_modification')
