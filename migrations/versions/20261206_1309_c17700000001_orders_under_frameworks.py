"""orders (call-offs) under frameworks and the ordered total of each contract line

Revision ID: c17700000001
Revises: c17400000001
Create Date: 2026-12-06 12:10:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c17700000001'
down_revision = 'c17400000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('optional_quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('placed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('optional_quantity BETWEEN 0 AND quantity', name=op.f('ck_call_order_optional_quantity_range')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_call_order_quantity_positive')),
    sa.ForeignKeyConstraint(['buyer_id'], ['organisation.id'], name=op.f('fk_call_order_buyer_id_organisation')),
    sa.ForeignKeyConstraint(['line_id'], ['contract_line.id'], name=op.f('fk_call_order_line_id_contract_line')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['user_account.id'], name=op.f('fk_call_order_placed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_order'))
    )
    with op.batch_alter_table('call_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_order_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_order_line_id'), ['line_id'], unique=False)

    op.add_column('contract_line', sa.Column('ordered_quantity', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('contract_line', schema=None) as batch_op:
        batch_op.drop_column('ordered_quantity')

    with op.batch_alter_table('call_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_order_line_id'))
        batch_op.drop_index(batch_op.f('ix_call_order_buyer_id'))

    op.drop_table('call_order')
