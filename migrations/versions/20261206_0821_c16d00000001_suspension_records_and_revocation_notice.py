"""suspension records and revocation notice

Revision ID: c16d00000001
Revises: c16c00000001
Create Date: 2026-12-06 08:19:06.400029
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c16d00000001'
down_revision = 'c16c00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('label_suspension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('suspended_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('suspended_by_id', sa.Integer(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('corrective_actions', sa.Text(), nullable=False),
    sa.Column('vendor_response', sa.Text(), nullable=False),
    sa.Column('vendor_responded_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('vendor_responded_by_id', sa.Integer(), nullable=True),
    sa.Column('verification', sa.Text(), nullable=False),
    sa.Column('no_response_reason', sa.Text(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('ended_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['label_id'], ['label.id'], name=op.f('fk_label_suspension_label_id_label')),
    sa.ForeignKeyConstraint(['suspended_by_id'], ['user_account.id'], name=op.f('fk_label_suspension_suspended_by_id_user_account')),
    sa.ForeignKeyConstraint(['vendor_responded_by_id'], ['user_account.id'], name=op.f('fk_label_suspension_vendor_responded_by_id_user_account')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user_account.id'], name=op.f('fk_label_suspension_verified_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_suspension'))
    )
    with op.batch_alter_table('label_suspension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_suspension_ends_on'), ['ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_label_suspension_label_id'), ['label_id'], unique=False)

    with op.batch_alter_table('label_revocation_proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('emergency_reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('vendor_response', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('vendor_responded_at', registry.database.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('label_revocation_proposal', schema=None) as batch_op:
        batch_op.drop_column('vendor_responded_at')
        batch_op.drop_column('vendor_response')
        batch_op.drop_column('emergency_reason')
        batch_op.drop_column('response_due_on')

    with op.batch_alter_table('label_suspension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_suspension_label_id'))
        batch_op.drop_index(batch_op.f('ix_label_suspension_ends_on'))

    op.drop_table('label_suspension')
