"""award criteria and the offers' scores at the award

Revision ID: c17500000001
Revises: c17300000001
Create Date: 2026-12-06 12:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'c17500000001'
down_revision = 'c17300000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'award_criterion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('price', 'lead_time', 'quality', name='criterionkind', native_enum=False, length=20), nullable=False),
        sa.Column('weight', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.CheckConstraint('weight BETWEEN 0 AND 100', name=op.f('ck_award_criterion_weight_percent')),
        sa.ForeignKeyConstraint(['call_id'], ['joint_call.id'], name=op.f('fk_award_criterion_call_id_joint_call')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_award_criterion')),
        sa.UniqueConstraint('call_id', 'kind', name=op.f('uq_award_criterion_call_id_kind')),
    )
    with op.batch_alter_table('award_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_criterion_call_id'), ['call_id'], unique=False)
    op.create_table(
        'award_score',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('award_id', sa.Integer(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('price', 'lead_time', 'quality', name='criterionkind', native_enum=False, length=20), nullable=False),
        sa.Column('score', sa.Numeric(precision=9, scale=4), nullable=False),
        sa.Column('total', sa.Numeric(precision=9, scale=4), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['award_id'], ['award.id'], name=op.f('fk_award_score_award_id_award')),
        sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_award_score_offer_id_offer')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_award_score')),
        sa.UniqueConstraint('award_id', 'offer_id', 'kind', name=op.f('uq_award_score_award_id_offer_id_kind')),
    )
    with op.batch_alter_table('award_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_score_award_id'), ['award_id'], unique=False)


def downgrade():
    with op.batch_alter_table('award_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_score_award_id'))
    op.drop_table('award_score')
    with op.batch_alter_table('award_criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_criterion_call_id'))
    op.drop_table('award_criterion')
