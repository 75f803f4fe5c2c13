"""sealed offers: opening keys, call seals, opening shares, sealed offer content

Revision ID: c17400000001
Revises: c17800000001
Create Date: 2026-12-06 12:40:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = "c17400000001"
down_revision = 'c17800000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opening_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("wrapped_private_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_opening_key_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_key")),
        sa.UniqueConstraint("user_id", name=op.f("uq_opening_key_user_id")),
    )
    op.create_table(
        "call_seal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("created_at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("threshold >= 2", name=op.f("ck_call_seal_threshold_at_least_two")),
        sa.ForeignKeyConstraint(
            ["call_id"], ["joint_call.id"], name=op.f("fk_call_seal_call_id_joint_call")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_seal")),
        sa.UniqueConstraint("call_id", name=op.f("uq_call_seal_call_id")),
    )
    op.create_table(
        "opening_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seal_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("sealed_share", sa.Text(), nullable=False),
        sa.Column("released_share", sa.Text(), nullable=False),
        sa.Column("released_at", registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["user_account.id"],
            name=op.f("fk_opening_share_officer_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["seal_id"], ["call_seal.id"], name=op.f("fk_opening_share_seal_id_call_seal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_share")),
        sa.UniqueConstraint(
            "seal_id", "officer_id", name=op.f("uq_opening_share_seal_id_officer_id")
        ),
    )
    with op.batch_alter_table("opening_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opening_share_seal_id"), ["seal_id"], unique=False)
    op.add_column(
        "offer", sa.Column("sealed_content", sa.Text(), server_default="", nullable=False)
    )
    op.add_column(
        "offer", sa.Column("sealed_hash", sa.String(length=64), server_default="", nullable=False)
    )


def downgrade():
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_column("sealed_hash")
        batch_op.drop_column("sealed_content")
    with op.batch_alter_table("opening_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opening_share_seal_id"))
    op.drop_table("opening_share")
    op.drop_table("call_seal")
    op.drop_table("opening_key")
