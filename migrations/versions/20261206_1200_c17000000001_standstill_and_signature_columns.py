"""standstill end and contract signature columns

Revision ID: c17000000001
Revises: c16a0000000f
Create Date: 2026-12-06 12:00:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c17000000001'
down_revision = 'c16a0000000f'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('award', sa.Column('standstill_ends_at', registry.database.UTCDateTime(timezone=True), nullable=True))
    op.add_column('contract_line', sa.Column('signed_at', registry.database.UTCDateTime(timezone=True), nullable=True))
    op.add_column('contract_line', sa.Column('signatory', sa.String(length=200), server_default='', nullable=False))
    _add_reference('contract_line', 'signed_by_id', 'user_account', 'fk_contract_line_signed_by_id_user_account')


def downgrade():
    with op.batch_alter_table('contract_line', schema=None) as batch_op:
        _drop_reference(batch_op, 'signed_by_id', 'fk_contract_line_signed_by_id_user_account')
        batch_op.drop_column('signatory')
        batch_op.drop_column('signed_at')
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_column('standstill_ends_at')


def _add_reference(table, column, target, constraint):
    """Add a nullable column referring to `target`'s id, with the named foreign key.

    A plain ADD COLUMN: on SQLite a batch operation would copy the table, and dropping the
    original fails while other tables' rows refer to it; SQLite takes the reference inline.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER"
            f" CONSTRAINT {constraint} REFERENCES {target} (id)"
        )
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(constraint, table, target, [column], ['id'])


def _drop_reference(batch_op, column, constraint):
    """Drop a column added by `_add_reference` (SQLite keeps its inline reference unnamed)."""
    if op.get_bind().dialect.name != "sqlite":
        batch_op.drop_constraint(constraint, type_='foreignkey')
    batch_op.drop_column(column)
