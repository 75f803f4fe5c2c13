"""Sealed offers: offer status (withdrawn offers are kept), receipt hash, and the call's opening.

Existing offers are submitted; their receipt hash stays empty until they are next saved (the
opening computes every offer's hash from its content in any case). Calls past their deadline
are not opened yet: the audit views hide their offer entries until the first read of each
call, or `flask --app app procurement open-offers` run once after the upgrade, opens them.

Revision ID: f2a3b4c5d6e7
Revises: e1f2a3b4c5d6
Create Date: 2026-12-05 19:30:00
"""

import sqlalchemy as sa
from alembic import op

import registry.database


revision = 'f2a3b4c5d6e7'
down_revision = 'e1f2a3b4c5d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('joint_call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offers_opened_at', registry.database.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'status',
                sa.Enum('submitted', 'withdrawn', name='offerstatus', native_enum=False, length=20),
                nullable=False,
                server_default='submitted',
            )
        )
        batch_op.add_column(sa.Column('withdrawn_at', registry.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('content_hash', sa.String(length=64), nullable=False, server_default='')
        )
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
        batch_op.alter_column('content_hash', server_default=None)


def downgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_column('content_hash')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('status')
    with op.batch_alter_table('joint_call', schema=None) as batch_op:
        batch_op.drop_column('offers_opened_at')
