"""award letters and review requests

Revision ID: c17600000001
Revises: c17500000001
Create Date: 2026-12-06 13:00:00

One letter per offer of an awarded call (its outcome, reasons and the end of the standstill),
and the review requests bidders file during the standstill with the authority's answers.
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c17600000001'
down_revision = 'c17500000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('award_letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('won', 'not_retained', 'excluded', name='letteroutcome', native_enum=False, length=20), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('advantages', sa.Text(), nullable=False),
    sa.Column('standstill_ends_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['award.id'], name=op.f('fk_award_letter_award_id_award')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_award_letter_offer_id_offer')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisation.id'], name=op.f('fk_award_letter_vendor_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_letter')),
    sa.UniqueConstraint('award_id', 'offer_id', name=op.f('uq_award_letter_award_id_offer_id'))
    )
    with op.batch_alter_table('award_letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_letter_award_id'), ['award_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_letter_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('review_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('filed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'upheld', 'dismissed', name='reviewstatus', native_enum=False, length=20), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['award_id'], ['award.id'], name=op.f('fk_review_request_award_id_award')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisation.id'], name=op.f('fk_review_request_vendor_id_organisation')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user_account.id'], name=op.f('fk_review_request_filed_by_id_user_account')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_review_request_answered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_request'))
    )
    with op.batch_alter_table('review_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_request_award_id'), ['award_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_request_vendor_id'), ['vendor_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_request_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_review_request_award_id'))
    op.drop_table('review_request')
    with op.batch_alter_table('award_letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_letter_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_award_letter_award_id'))
    op.drop_table('award_letter')
