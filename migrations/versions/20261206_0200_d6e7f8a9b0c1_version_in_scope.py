"""Joint calls (and buyers' needs) may require the offered version in a label's certified scope;
offers name the version offered.

Existing calls and needs do not require it; existing offers name no version.

Revision ID: d6e7f8a9b0c1
Revises: b4c5d6e7f8a9
Create Date: 2026-12-06 02:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = 'd6e7f8a9b0c1'
down_revision = 'b4c5d6e7f8a9'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('joint_call', 'need'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    'requires_version_in_scope',
                    sa.Boolean(),
                    nullable=False,
                    server_default=sa.false(),
                )
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('requires_version_in_scope', server_default=None)
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_offer_version_id_solution_version'),
            'solution_version',
            ['version_id'],
            ['id'],
        )


def downgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_offer_version_id_solution_version'), type_='foreignkey')
        batch_op.drop_column('version_id')
    for table in ('need', 'joint_call'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('requires_version_in_scope')
