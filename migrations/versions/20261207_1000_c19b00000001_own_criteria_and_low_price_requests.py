"""award criteria of the authority's own, their scores, and explanations of abnormally low prices

Revision ID: c19b00000001
Revises: c19d00000001
Create Date: 2026-12-07 10:00:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c19b00000001'
down_revision = "c19d00000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'own_award_criterion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('weight', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.CheckConstraint('weight BETWEEN 1 AND 100', name=op.f('ck_own_award_criterion_own_weight_percent')),
        sa.ForeignKeyConstraint(['call_id'], ['joint_call.id'], name=op.f('fk_own_award_criterion_call_id_joint_call')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_own_award_criterion')),
        sa.UniqueConstraint('call_id', 'name', name=op.f('uq_own_award_criterion_call_id_name')),
    )
    with op.batch_alter_table('own_award_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_own_award_criterion_call_id'), ['call_id'], unique=False)
    op.create_table(
        'own_award_score',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('criterion_id', sa.Integer(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('scored_at', registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('scored_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('score BETWEEN 0 AND 100', name=op.f('ck_own_award_score_own_score_percent')),
        sa.ForeignKeyConstraint(['criterion_id'], ['own_award_criterion.id'], name=op.f('fk_own_award_score_criterion_id_own_award_criterion')),
        sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_own_award_score_offer_id_offer')),
        sa.ForeignKeyConstraint(['scored_by_id'], ['user_account.id'], name=op.f('fk_own_award_score_scored_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_own_award_score')),
        sa.UniqueConstraint('criterion_id', 'offer_id', name=op.f('uq_own_award_score_criterion_id_offer_id')),
    )
    with op.batch_alter_table('own_award_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_own_award_score_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_own_award_score_offer_id'), ['offer_id'], unique=False)
    op.create_table(
        'low_price_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('requested_at', registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('due_at', registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('answered_at', registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('decision', sa.Enum('accepted', 'rejected', name='lowpricedecision', native_enum=False, length=20), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=False),
        sa.Column('decided_at', registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['call_id'], ['joint_call.id'], name=op.f('fk_low_price_request_call_id_joint_call')),
        sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_low_price_request_offer_id_offer')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_low_price_request_requested_by_id_user_account')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_low_price_request_answered_by_id_user_account')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_low_price_request_decided_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_low_price_request')),
        sa.UniqueConstraint('offer_id', name=op.f('uq_low_price_request_offer_id')),
    )
    with op.batch_alter_table('low_price_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_low_price_request_call_id'), ['call_id'], unique=False)


def downgrade():
    with op.batch_alter_table('low_price_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_low_price_request_call_id'))
    op.drop_table('low_price_request')
    with op.batch_alter_table('own_award_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_own_award_score_offer_id'))
        batch_op.drop_index(batch_op.f('ix_own_award_score_criterion_id'))
    op.drop_table('own_award_score')
    with op.batch_alter_table('own_award_criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_own_award_criterion_call_id'))
    op.drop_table('own_award_criterion')
