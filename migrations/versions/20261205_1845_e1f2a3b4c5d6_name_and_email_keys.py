"""Keys that compare names and e-mail addresses as one (NFKC + case fold), unique on both databases.

Existing rows are backfilled with the application's own key functions. Rows whose key is already
taken by an older row (names registered before the key existed, such as "ÉCOLE" beside "école")
keep their data; their key is made unique with a word joiner and their id, a character no
computed key can contain, so the authority can find and merge them.

Revision ID: e1f2a3b4c5d6
Revises: d9c0e1f2a3b4
Create Date: 2026-12-05 18:45:00
"""

import sqlalchemy as sa
from alembic import op

from registry import text


revision = 'e1f2a3b4c5d6'
down_revision = 'd9c0e1f2a3b4'
branch_labels = None
depends_on = None

KEY_LENGTH = 600


def _backfill(table, value_column, key_column, key_function):
    connection = op.get_bind()
    rows = sa.table(table, sa.column('id', sa.Integer), sa.column(value_column, sa.String))
    target = sa.table(table, sa.column('id', sa.Integer), sa.column(key_column, sa.String))
    taken = set()
    for row_id, value in connection.execute(
        sa.select(rows.c.id, rows.c[value_column]).order_by(rows.c.id)
    ):
        key = key_function(value or '')
        if key in taken or not key:
            key = f'{key}\u2060#{row_id}'
        taken.add(key)
        connection.execute(
            sa.update(target).where(target.c.id == row_id).values({key_column: key})
        )


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('name_key', sa.String(length=KEY_LENGTH), server_default='', nullable=False)
        )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('email_key', sa.String(length=KEY_LENGTH), server_default='', nullable=False)
        )
    _backfill('organisation', 'name', 'name_key', text.name_key)
    _backfill('user_account', 'email', 'email_key', text.email_key)
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_name_key', ['name_key'], unique=True)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index('ix_user_account_email_key', ['email_key'], unique=True)


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index('ix_user_account_email_key')
        batch_op.drop_column('email_key')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_name_key')
        batch_op.drop_column('name_key')
