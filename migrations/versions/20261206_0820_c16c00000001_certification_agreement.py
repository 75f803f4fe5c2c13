"""Certification agreement: published versions and vendor organisations' acceptances

Revision ID: c16c00000001
Revises: c16f00000001
Create Date: 2026-12-06 08:18:42.349595

Versions of the certification agreement (terms and rules for the mark, never edited once
published) and each vendor organisation's acceptance: who, when, which version, from where.
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c16c00000001'
down_revision = 'c16f00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agreement_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('mark_rules', sa.Text(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('published_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_agreement_version_published_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_version')),
    sa.UniqueConstraint('number', name=op.f('uq_agreement_version_number'))
    )
    op.create_table('agreement_acceptance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('accepted_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_agreement_acceptance_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_agreement_acceptance_user_id_user_account')),
    sa.ForeignKeyConstraint(['version_id'], ['agreement_version.id'], name=op.f('fk_agreement_acceptance_version_id_agreement_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_acceptance')),
    sa.UniqueConstraint('organisation_id', 'version_id', name=op.f('uq_agreement_acceptance_organisation_id_version_id'))
    )
    with op.batch_alter_table('agreement_acceptance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_acceptance_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_acceptance_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('agreement_acceptance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_acceptance_version_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_acceptance_organisation_id'))

    op.drop_table('agreement_acceptance')
    op.drop_table('agreement_version')
