"""Search change log and indexer progress.

Revision ID: f5e6a7b8c9d0
Revises: e4d5f6a7b8c9
Create Date: 2026-11-25 19:30:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database

revision = "f5e6a7b8c9d0"
down_revision = "e4d5f6a7b8c9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("created_at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_change")),
    )
    with op.batch_alter_table("search_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_change_solution_id"), ["solution_id"], unique=False
        )
    op.create_table(
        "search_indexer_state",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("last_change_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_search_indexer_state")),
    )


def downgrade():
    op.drop_table("search_indexer_state")
    with op.batch_alter_table("search_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_change_solution_id"))
    op.drop_table("search_change")
