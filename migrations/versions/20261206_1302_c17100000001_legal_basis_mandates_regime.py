"""legal basis, regime and value of a call; buyers' mandates

Revision ID: c17100000001
Revises: c18a00000001
Create Date: 2026-12-06 12:10:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c17100000001'
down_revision = 'c18a00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lot_mandate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_capacity', sa.String(length=200), nullable=False),
    sa.Column('firm_quantity', sa.Integer(), nullable=False),
    sa.Column('maximum_quantity', sa.Integer(), nullable=False),
    sa.Column('signed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('firm_quantity > 0', name=op.f('ck_lot_mandate_firm_quantity_positive')),
    sa.CheckConstraint('maximum_quantity >= firm_quantity', name=op.f('ck_lot_mandate_maximum_covers_firm')),
    sa.ForeignKeyConstraint(['buyer_id'], ['organisation.id'], name=op.f('fk_lot_mandate_buyer_id_organisation')),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_lot_mandate_lot_id_lot')),
    sa.ForeignKeyConstraint(['member_id'], ['lot_member.id'], name=op.f('fk_lot_mandate_member_id_lot_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user_account.id'], name=op.f('fk_lot_mandate_signed_by_id_user_account')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'], name=op.f('fk_lot_mandate_withdrawn_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lot_mandate')),
    sa.UniqueConstraint('member_id', name=op.f('uq_lot_mandate_member_id'))
    )
    with op.batch_alter_table('lot_mandate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lot_mandate_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_mandate_lot_id'), ['lot_id'], unique=False)

    op.add_column('joint_call', sa.Column('legal_basis', sa.Enum('central_purchasing', 'joint_procurement', name='legalbasis', native_enum=False, length=20), server_default='central_purchasing', nullable=False))
    op.add_column('joint_call', sa.Column('regime', sa.Enum('below_threshold', 'eu_open', name='regime', native_enum=False, length=20), server_default='below_threshold', nullable=False))
    op.add_column('joint_call', sa.Column('estimated_value', sa.Numeric(precision=18, scale=2), server_default='0', nullable=False))
    op.add_column('joint_call', sa.Column('round_need_value', sa.Numeric(precision=18, scale=2), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('joint_call', schema=None) as batch_op:
        batch_op.drop_column('round_need_value')
        batch_op.drop_column('estimated_value')
        batch_op.drop_column('regime')
        batch_op.drop_column('legal_basis')
    with op.batch_alter_table('lot_mandate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lot_mandate_lot_id'))
        batch_op.drop_index(batch_op.f('ix_lot_mandate_buyer_id'))
    op.drop_table('lot_mandate')
