"""Shortlists, watchlists and notifications.

Revision ID: a6f7b8c9d0e1
Revises: f5e6a7b8c9d0
Create Date: 2026-11-25 19:31:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database

revision = "a6f7b8c9d0e1"
down_revision = "f5e6a7b8c9d0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.Enum('solution', 'vendor', 'norm', name='watchsubject', native_enum=False, length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('link', sa.String(length=200), nullable=False),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('shortlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_shortlist_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_shortlist_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shortlist')),
    sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_shortlist_organisation_id_name'))
    )

    with op.batch_alter_table('shortlist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shortlist_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('watch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.Enum('solution', 'vendor', 'norm', name='watchsubject', native_enum=False, length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_watch_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watch')),
    sa.UniqueConstraint('user_id', 'subject_kind', 'subject_id', name=op.f('uq_watch_user_id_subject_kind_subject_id'))
    )

    with op.batch_alter_table('watch', schema=None) as batch_op:
        batch_op.create_index('ix_watch_subject', ['subject_kind', 'subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_watch_user_id'), ['user_id'], unique=False)

    op.create_table('shortlist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shortlist_id', sa.Integer(), nullable=False),
    sa.Column('solution_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('added_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_shortlist_item_added_by_id_user_account')),
    sa.ForeignKeyConstraint(['shortlist_id'], ['shortlist.id'], name=op.f('fk_shortlist_item_shortlist_id_shortlist'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], name=op.f('fk_shortlist_item_solution_id_solution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shortlist_item')),
    sa.UniqueConstraint('shortlist_id', 'solution_id', name=op.f('uq_shortlist_item_shortlist_id_solution_id'))
    )

    with op.batch_alter_table('shortlist_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shortlist_item_shortlist_id'), ['shortlist_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shortlist_item_solution_id'), ['solution_id'], unique=False)


def downgrade():
    with op.batch_alter_table('shortlist_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shortlist_item_solution_id'))
        batch_op.drop_index(batch_op.f('ix_shortlist_item_shortlist_id'))

    op.drop_table('shortlist_item')

    with op.batch_alter_table('watch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watch_user_id'))
        batch_op.drop_index('ix_watch_subject')

    op.drop_table('watch')

    with op.batch_alter_table('shortlist', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shortlist_organisation_id'))

    op.drop_table('shortlist')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))
        batch_op.drop_index('ix_notification_user_created')

    op.drop_table('notification')
