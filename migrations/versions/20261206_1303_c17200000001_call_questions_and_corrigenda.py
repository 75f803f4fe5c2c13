"""call questions and corrigenda

Revision ID: c17200000001
Revises: c17100000001
Create Date: 2026-12-06 12:20:00

Vendors' questions on a joint call with the authority's published answers, and the call's
corrigenda (what changes, the deadline before and after).
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c17200000001'
down_revision = 'c17100000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_org_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('asked_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_call_question_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['user_account.id'], name=op.f('fk_call_question_asked_by_id_user_account')),
    sa.ForeignKeyConstraint(['asked_by_org_id'], ['organisation.id'], name=op.f('fk_call_question_asked_by_org_id_organisation')),
    sa.ForeignKeyConstraint(['call_id'], ['joint_call.id'], name=op.f('fk_call_question_call_id_joint_call')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_question'))
    )
    with op.batch_alter_table('call_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_question_asked_by_org_id'), ['asked_by_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_question_call_id'), ['call_id'], unique=False)

    op.create_table('call_corrigendum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('previous_deadline', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('new_deadline', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['joint_call.id'], name=op.f('fk_call_corrigendum_call_id_joint_call')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_call_corrigendum_published_by_id_user_account')),
    sa.ForeignKeyConstraint(['question_id'], ['call_question.id'], name=op.f('fk_call_corrigendum_question_id_call_question')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_corrigendum'))
    )
    with op.batch_alter_table('call_corrigendum', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_corrigendum_call_id'), ['call_id'], unique=False)


def downgrade():
    with op.batch_alter_table('call_corrigendum', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_corrigendum_call_id'))
    op.drop_table('call_corrigendum')
    with op.batch_alter_table('call_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_question_call_id'))
        batch_op.drop_index(batch_op.f('ix_call_question_asked_by_org_id'))
    op.drop_table('call_question')
