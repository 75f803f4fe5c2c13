"""published OCDS releases, append-only; organisations' legal identifiers

Revision ID: c17800000001
Revises: c17600000001
Create Date: 2026-12-06 12:10:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c17800000001'
down_revision = 'c17600000001'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('organisation', sa.Column('legal_identifier', sa.String(length=40), server_default='', nullable=False))
    op.add_column('organisation', sa.Column('legal_identifier_scheme', sa.String(length=20), server_default='', nullable=False))
    op.create_table(
        'published_release',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ocid', sa.String(length=200), nullable=False),
        sa.Column('release_id', sa.String(length=240), nullable=False),
        sa.Column('base_id', sa.String(length=240), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('date', registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('tags', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content_sha256', sa.String(length=64), nullable=False),
        sa.Column('published_at', registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_published_release')),
        sa.UniqueConstraint('base_id', 'version', name=op.f('uq_published_release_base_id_version')),
        sa.UniqueConstraint('release_id', name=op.f('uq_published_release_release_id')),
    )
    with op.batch_alter_table('published_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_release_base_id'), ['base_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_published_release_ocid'), ['ocid'], unique=False)


def downgrade():
    with op.batch_alter_table('published_release', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_release_ocid'))
        batch_op.drop_index(batch_op.f('ix_published_release_base_id'))
    op.drop_table('published_release')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('legal_identifier_scheme')
        batch_op.drop_column('legal_identifier')
