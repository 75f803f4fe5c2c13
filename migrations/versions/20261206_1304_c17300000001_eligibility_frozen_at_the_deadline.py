"""offers' eligibility frozen at the deadline, and the authority's eligibility decisions

Revision ID: c17300000001
Revises: c17200000001
Create Date: 2026-12-06 12:30:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = "c17300000001"
down_revision = 'c17200000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "offer_eligibility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("basis", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["joint_call.id"], name=op.f("fk_offer_eligibility_call_id_joint_call")
        ),
        sa.ForeignKeyConstraint(
            ["label_id"], ["label.id"], name=op.f("fk_offer_eligibility_label_id_label")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offer.id"], name=op.f("fk_offer_eligibility_offer_id_offer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_eligibility")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_offer_eligibility_offer_id")),
    )
    with op.batch_alter_table("offer_eligibility", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_eligibility_call_id"), ["call_id"], unique=False)

    op.create_table(
        "eligibility_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_eligibility_decision_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offer.id"], name=op.f("fk_eligibility_decision_offer_id_offer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_decision")),
    )
    with op.batch_alter_table("eligibility_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eligibility_decision_offer_id"), ["offer_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("eligibility_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eligibility_decision_offer_id"))
    op.drop_table("eligibility_decision")
    with op.batch_alter_table("offer_eligibility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_eligibility_call_id"))
    op.drop_table("offer_eligibility")
