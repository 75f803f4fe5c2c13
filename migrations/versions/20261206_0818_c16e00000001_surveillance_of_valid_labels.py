"""Surveillance of valid labels: programmes per norm, activities, yearly re-test draws.

Revision ID: c16e00000001
Revises: b1c2d3e4f5a6
Create Date: 2026-12-06 08:18:59.926903
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c16e00000001'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('surveillance_draw',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('norm_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=80), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('drawn', sa.Text(), nullable=False),
    sa.Column('drawn_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['norm_id'], ['norm.id'], name=op.f('fk_surveillance_draw_norm_id_norm')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveillance_draw')),
    sa.UniqueConstraint('norm_id', 'year', name='uq_surveillance_draw_year')
    )
    op.create_table('surveillance_programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('norm_id', sa.Integer(), nullable=False),
    sa.Column('attestation_enabled', sa.Boolean(), nullable=False),
    sa.Column('attestation_interval_months', sa.Integer(), nullable=False),
    sa.Column('retest_percent', sa.Integer(), nullable=False),
    sa.Column('days_to_complete', sa.Integer(), nullable=False),
    sa.Column('updated_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['norm_id'], ['norm.id'], name=op.f('fk_surveillance_programme_norm_id_norm')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_surveillance_programme_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveillance_programme')),
    sa.UniqueConstraint('norm_id', name=op.f('uq_surveillance_programme_norm_id'))
    )
    op.create_table('surveillance_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('attestation', 'retest', 'complaint_review', name='activitykind', native_enum=False, length=30), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'done', 'overdue', name='activitystatus', native_enum=False, length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('opened_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.Enum('conforming', 'nonconforming', name='activityresult', native_enum=False, length=20), nullable=True),
    sa.Column('changes_declared', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('completed_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('overdue_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user_account.id'], name=op.f('fk_surveillance_activity_completed_by_id_user_account')),
    sa.ForeignKeyConstraint(['evaluator_id'], ['user_account.id'], name=op.f('fk_surveillance_activity_evaluator_id_user_account')),
    sa.ForeignKeyConstraint(['label_id'], ['label.id'], name=op.f('fk_surveillance_activity_label_id_label')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'], name=op.f('fk_surveillance_activity_opened_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveillance_activity')),
    sa.UniqueConstraint('label_id', 'kind', 'cycle', name='uq_surveillance_activity_cycle')
    )
    with op.batch_alter_table('surveillance_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveillance_activity_evaluator_id'), ['evaluator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_surveillance_activity_label_id'), ['label_id'], unique=False)
        batch_op.create_index('ix_surveillance_activity_status_due', ['status', 'due_on'], unique=False)



def downgrade():
    with op.batch_alter_table('surveillance_activity', schema=None) as batch_op:
        batch_op.drop_index('ix_surveillance_activity_status_due')
        batch_op.drop_index(batch_op.f('ix_surveillance_activity_label_id'))
        batch_op.drop_index(batch_op.f('ix_surveillance_activity_evaluator_id'))

    op.drop_table('surveillance_activity')
    op.drop_table('surveillance_programme')
    op.drop_table('surveillance_draw')
