"""Revocation proposals: one officer proposes, a second confirms or refuses (four eyes).

Revision ID: a3b4c5d6e7f8
Revises: f2a3b4c5d6e7
Create Date: 2026-12-05 19:35:00
"""

import sqlalchemy as sa
from alembic import op

import registry.database


revision = 'a3b4c5d6e7f8'
down_revision = 'f2a3b4c5d6e7'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade():
    op.create_table('label_revocation_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'withdrawn', 'refused', name='revocationproposalstatus', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_label_revocation_proposal_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['label_id'], ['label.id'], name=op.f('fk_label_revocation_proposal_label_id_label')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], name=op.f('fk_label_revocation_proposal_proposed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_revocation_proposal'))
    )
    with op.batch_alter_table('label_revocation_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_revocation_proposal_label_id'), ['label_id'], unique=False)
        batch_op.create_index('uq_label_revocation_proposal_one_pending', ['label_id'], unique=True, sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade():
    with op.batch_alter_table('label_revocation_proposal', schema=None) as batch_op:
        batch_op.drop_index('uq_label_revocation_proposal_one_pending', sqlite_where=PENDING, postgresql_where=PENDING)
        batch_op.drop_index(batch_op.f('ix_label_revocation_proposal_label_id'))

    op.drop_table('label_revocation_proposal')
