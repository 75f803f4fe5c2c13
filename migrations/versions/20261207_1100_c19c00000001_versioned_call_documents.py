"""versioned tender documents: a document's kind, version and corrigendum, and its earlier versions

Revision ID: c19c00000001
Revises: c19b00000001
Create Date: 2026-12-07 10:10:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c19c00000001'
down_revision = "c19b00000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), server_default='other', nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('corrigendum_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_call_document_corrigendum_id_call_corrigendum'), 'call_corrigendum', ['corrigendum_id'], ['id'])

    op.create_table('call_document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=80), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('corrigendum_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('superseded_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_call_document_version_size_positive')),
    sa.CheckConstraint('version > 0', name=op.f('ck_call_document_version_version_positive')),
    sa.ForeignKeyConstraint(['corrigendum_id'], ['call_corrigendum.id'], name=op.f('fk_call_document_version_corrigendum_id_call_corrigendum')),
    sa.ForeignKeyConstraint(['document_id'], ['call_document.id'], name=op.f('fk_call_document_version_document_id_call_document')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['call_corrigendum.id'], name=op.f('fk_call_document_version_superseded_by_id_call_corrigendum')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_call_document_version_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_document_version')),
    sa.UniqueConstraint('document_id', 'version', name=op.f('uq_call_document_version_document_id_version')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_call_document_version_stored_name'))
    )
    with op.batch_alter_table('call_document_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_document_version_document_id'), ['document_id'], unique=False)


def downgrade():
    with op.batch_alter_table('call_document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_document_version_document_id'))

    op.drop_table('call_document_version')
    with op.batch_alter_table('call_document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_call_document_corrigendum_id_call_corrigendum'), type_='foreignkey')
        batch_op.drop_column('corrigendum_id')
        batch_op.drop_column('version')
        batch_op.drop_column('kind')
