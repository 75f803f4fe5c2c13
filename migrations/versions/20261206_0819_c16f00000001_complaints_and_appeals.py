"""complaints and appeals

Revision ID: c16f00000001
Revises: c16e00000001
Create Date: 2026-12-06 08:18:52.742381
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = "c16f00000001"
down_revision = "c16e00000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "complaint_counter",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "year", name=op.f("pk_complaint_counter")),
    )
    op.create_table(
        "complaint_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("complaint", "appeal", name="casekind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "subject",
            sa.Enum(
                "label_holder",
                "mark_use",
                "authority",
                "decision",
                "suspension",
                "revocation",
                name="subject",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "acknowledged",
                "under_handling",
                "decided",
                "withdrawn",
                name="casestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status_changed_at", registry.database.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("label_event_id", sa.Integer(), nullable=True),
        sa.Column("evaluation_id", sa.Integer(), nullable=True),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("filed_by_id", sa.Integer(), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_due", sa.Date(), nullable=False),
        sa.Column("decision_due", sa.Date(), nullable=False),
        sa.Column("acknowledged_at", registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "upheld", "partly_upheld", "dismissed", name="outcome", native_enum=False, length=20
            ),
            nullable=True,
        ),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("effects", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_complaint_case_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluation.id"],
            name=op.f("fk_complaint_case_evaluation_id_evaluation"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"],
            ["user_account.id"],
            name=op.f("fk_complaint_case_filed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"],
            ["user_account.id"],
            name=op.f("fk_complaint_case_handler_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["label_event_id"],
            ["label_event.id"],
            name=op.f("fk_complaint_case_label_event_id_label_event"),
        ),
        sa.ForeignKeyConstraint(
            ["label_id"], ["label.id"], name=op.f("fk_complaint_case_label_id_label")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["organisation.id"],
            name=op.f("fk_complaint_case_vendor_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_case")),
        sa.UniqueConstraint("reference", name=op.f("uq_complaint_case_reference")),
    )
    with op.batch_alter_table("complaint_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_case_evaluation_id"), ["evaluation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaint_case_handler_id"), ["handler_id"], unique=False
        )
        batch_op.create_index("ix_complaint_case_kind_status", ["kind", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_case_label_id"), ["label_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_complaint_case_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "complaint_case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_complaint_case_event_actor_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["complaint_case.id"],
            name=op.f("fk_complaint_case_event_case_id_complaint_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_case_event")),
    )
    with op.batch_alter_table("complaint_case_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_case_event_case_id"), ["case_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("complaint_case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_case_event_case_id"))

    op.drop_table("complaint_case_event")
    with op.batch_alter_table("complaint_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_case_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_case_label_id"))
        batch_op.drop_index("ix_complaint_case_kind_status")
        batch_op.drop_index(batch_op.f("ix_complaint_case_handler_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_case_evaluation_id"))

    op.drop_table("complaint_case")
    op.drop_table("complaint_counter")
