"""Index solutions by (status, name, id): the list pages read published solutions in name order.

Revision ID: d9c0e1f2a3b4
Revises: c8b9d0e1f2a3
Create Date: 2026-11-26 03:00:00
"""

from alembic import op


revision = 'd9c0e1f2a3b4'
down_revision = 'c8b9d0e1f2a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.create_index('ix_solution_status_name', ['status', 'name', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.drop_index('ix_solution_status_name')
