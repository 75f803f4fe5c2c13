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
    # Plain ADD COLUMNs (the server default stays: existing rows need a value): on SQLite a batch
    # operation copies the table, and dropping the original fails while other rows refer to it.
    for table in ('joint_call', 'need'):
        op.add_column(
            table,
            sa.Column(
                'requires_version_in_scope',
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            ),
        )
    _add_reference('offer', 'version_id', 'solution_version', 'fk_offer_version_id_solution_version')


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


def downgrade():
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_offer_version_id_solution_version'), type_='foreignkey')
        batch_op.drop_column('version_id')
    for table in ('need', 'joint_call'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('requires_version_in_scope')
