"""notification read at

Revision ID: c2qa00000001
Revises: c19a00000001
Create Date: 2026-12-08 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c2qa00000001'
down_revision = "c19a00000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_at', registry.database.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('read_at')
