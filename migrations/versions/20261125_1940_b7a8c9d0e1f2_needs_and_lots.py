"""Buyer needs, aggregation rounds and lots.

Revision ID: b7a8c9d0e1f2
Revises: a6f7b8c9d0e1
Create Date: 2026-11-25 19:40:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database

revision = "b7a8c9d0e1f2"
down_revision = "a6f7b8c9d0e1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('aggregation_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_by_id', sa.Integer(), nullable=True),
    sa.Column('run_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.Column('needs_considered', sa.Integer(), nullable=False),
    sa.Column('lots_proposed', sa.Integer(), nullable=False),
    sa.Column('needs_pooled', sa.Integer(), nullable=False),
    sa.Column('needs_unmatched', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_by_id'], ['user_account.id'], name=op.f('fk_aggregation_round_run_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aggregation_round'))
    )
    op.create_table('lot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'confirmed', 'frozen', 'call_opened', 'awarded', 'unsuccessful', 'cancelled', name='lotstatus', native_enum=False, length=20), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.Enum('unit', 'camera', 'sensor', 'device', 'licence', 'site', 'user', 'year_subscription', name='needunit', native_enum=False, length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('region_path', sa.String(length=40), nullable=False),
    sa.Column('norm_id', sa.Integer(), nullable=True),
    sa.Column('level_rank', sa.Integer(), nullable=False),
    sa.Column('buyers', sa.Integer(), nullable=False),
    sa.Column('firm_quantity', sa.Integer(), nullable=False),
    sa.Column('maximum_quantity', sa.Integer(), nullable=False),
    sa.Column('total_budget', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('maximum_budget', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('estimated_unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('estimated_saving', sa.Numeric(precision=8, scale=6), nullable=False),
    sa.Column('earliest_need_by', sa.Date(), nullable=False),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmation_requested_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('frozen_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('frozen_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('firm_quantity > 0', name=op.f('ck_lot_firm_quantity_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['technology_category.id'], name=op.f('fk_lot_category_id_technology_category')),
    sa.ForeignKeyConstraint(['frozen_by_id'], ['user_account.id'], name=op.f('fk_lot_frozen_by_id_user_account')),
    sa.ForeignKeyConstraint(['norm_id'], ['norm.id'], name=op.f('fk_lot_norm_id_norm')),
    sa.ForeignKeyConstraint(['round_id'], ['aggregation_round.id'], name=op.f('fk_lot_round_id_aggregation_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lot'))
    )
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lot_round_id'), ['round_id'], unique=False)
        batch_op.create_index('ix_lot_status', ['status'], unique=False)

    op.create_table('need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('norm_id', sa.Integer(), nullable=True),
    sa.Column('min_level_rank', sa.Integer(), nullable=False),
    sa.Column('firm_quantity', sa.Integer(), nullable=False),
    sa.Column('optional_quantity', sa.Integer(), nullable=False),
    sa.Column('unit', sa.Enum('unit', 'camera', 'sensor', 'device', 'licence', 'site', 'user', 'year_subscription', name='needunit', native_enum=False, length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('max_unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('need_by', sa.Date(), nullable=False),
    sa.Column('region_code', sa.String(length=10), nullable=False),
    sa.Column('accepted_uplift', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'open', 'pooled', 'in_call', 'contracted', 'unmatched', 'withdrawn', name='needstatus', native_enum=False, length=20), nullable=False),
    sa.Column('unmatched_reason', sa.String(length=40), nullable=True),
    sa.Column('unmatched_message', sa.Text(), nullable=False),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('accepted_uplift BETWEEN 0 AND 2', name=op.f('ck_need_accepted_uplift_range')),
    sa.CheckConstraint('firm_quantity > 0', name=op.f('ck_need_firm_quantity_positive')),
    sa.CheckConstraint('max_unit_price > 0', name=op.f('ck_need_max_unit_price_positive')),
    sa.CheckConstraint('min_level_rank BETWEEN 0 AND 5', name=op.f('ck_need_min_level_rank_range')),
    sa.CheckConstraint('optional_quantity >= 0', name=op.f('ck_need_optional_quantity_not_negative')),
    sa.ForeignKeyConstraint(['buyer_id'], ['organisation.id'], name=op.f('fk_need_buyer_id_organisation')),
    sa.ForeignKeyConstraint(['category_id'], ['technology_category.id'], name=op.f('fk_need_category_id_technology_category')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_need_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['norm_id'], ['norm.id'], name=op.f('fk_need_norm_id_norm')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need')),
    sa.UniqueConstraint('buyer_id', 'title', name=op.f('uq_need_buyer_id_title'))
    )
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_norm_id'), ['norm_id'], unique=False)
        batch_op.create_index('ix_need_status_category', ['status', 'category_id'], unique=False)

    op.create_table('lot_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('below_estimate', sa.Boolean(), nullable=False),
    sa.Column('confirmed_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('declined_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_lot_member_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['buyer_id'], ['organisation.id'], name=op.f('fk_lot_member_buyer_id_organisation')),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_lot_member_lot_id_lot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_lot_member_need_id_need')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lot_member')),
    sa.UniqueConstraint('lot_id', 'need_id', name=op.f('uq_lot_member_lot_id_need_id'))
    )
    with op.batch_alter_table('lot_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lot_member_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_member_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_member_need_id'), ['need_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lot_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lot_member_need_id'))
        batch_op.drop_index(batch_op.f('ix_lot_member_lot_id'))
        batch_op.drop_index(batch_op.f('ix_lot_member_buyer_id'))

    op.drop_table('lot_member')
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_index('ix_need_status_category')
        batch_op.drop_index(batch_op.f('ix_need_norm_id'))
        batch_op.drop_index(batch_op.f('ix_need_category_id'))
        batch_op.drop_index(batch_op.f('ix_need_buyer_id'))

    op.drop_table('need')
    with op.batch_alter_table('lot', schema=None) as batch_op:
        batch_op.drop_index('ix_lot_status')
        batch_op.drop_index(batch_op.f('ix_lot_round_id'))

    op.drop_table('lot')
    op.drop_table('aggregation_round')
