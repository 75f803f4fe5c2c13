"""Solutions registered by vendors.

Revision ID: d3c4e5f6a7b8
Revises: c2b3d4e5f6a7
Create Date: 2026-11-25 19:02:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database

revision = "d3c4e5f6a7b8"
down_revision = "c2b3d4e5f6a7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "solution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.Enum("draft", "published", "archived", name="solutionstatus", native_enum=False, length=20), nullable=False),
        sa.Column("primary_category_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("description_markdown", sa.Text(), nullable=False),
        sa.Column("maturity", sa.Enum("prototype", "pilot", "deployed", "mature", name="maturity", native_enum=False, length=20), nullable=True),
        sa.Column("privacy_sensitive", sa.Boolean(), nullable=False),
        sa.Column("uses_biometrics", sa.Boolean(), nullable=False),
        sa.Column("uses_facial_recognition", sa.Boolean(), nullable=False),
        sa.Column("privacy_features", sa.Text(), nullable=False),
        sa.Column("price_model", sa.Enum("licence", "subscription", "per_device", "managed_service", "project", name="pricemodel", native_enum=False, length=20), nullable=True),
        sa.Column("price_band", sa.Enum("under_10k", "10k_to_50k", "50k_to_250k", "over_250k", name="priceband", native_enum=False, length=20), nullable=True),
        sa.Column("created_at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("archived_at", registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["primary_category_id"], ["technology_category.id"], name=op.f("fk_solution_primary_category_id_technology_category")),
        sa.ForeignKeyConstraint(["vendor_id"], ["organisation.id"], name=op.f("fk_solution_vendor_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_solution")),
        sa.UniqueConstraint("vendor_id", "name", name=op.f("uq_solution_vendor_id_name")),
    )
    with op.batch_alter_table("solution", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_solution_primary_category_id"), ["primary_category_id"], unique=False)
        batch_op.create_index("ix_solution_status_category", ["status", "primary_category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_solution_vendor_id"), ["vendor_id"], unique=False)

    op.create_table(
        "solution_activity",
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["security_activity.id"], name=op.f("fk_solution_activity_activity_id_security_activity")),
        sa.ForeignKeyConstraint(["solution_id"], ["solution.id"], name=op.f("fk_solution_activity_solution_id_solution"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("solution_id", "activity_id", name=op.f("pk_solution_activity")),
    )
    with op.batch_alter_table("solution_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_solution_activity_activity_id"), ["activity_id"], unique=False)

    op.create_table(
        "solution_deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["solution_id"], ["solution.id"], name=op.f("fk_solution_deployment_solution_id_solution"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_solution_deployment")),
    )
    with op.batch_alter_table("solution_deployment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_solution_deployment_solution_id"), ["solution_id"], unique=False)

    op.create_table(
        "solution_region",
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["solution_id"], ["solution.id"], name=op.f("fk_solution_region_solution_id_solution"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("solution_id", "region_code", name=op.f("pk_solution_region")),
    )
    with op.batch_alter_table("solution_region", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_solution_region_region_code"), ["region_code"], unique=False)

    op.create_table(
        "solution_standard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["solution_id"], ["solution.id"], name=op.f("fk_solution_standard_solution_id_solution"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_solution_standard")),
        sa.UniqueConstraint("solution_id", "code", name=op.f("uq_solution_standard_solution_id_code")),
    )
    with op.batch_alter_table("solution_standard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_solution_standard_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_solution_standard_solution_id"), ["solution_id"], unique=False)


def downgrade():
    with op.batch_alter_table("solution_standard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_solution_standard_solution_id"))
        batch_op.drop_index(batch_op.f("ix_solution_standard_code"))
    op.drop_table("solution_standard")
    with op.batch_alter_table("solution_region", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_solution_region_region_code"))
    op.drop_table("solution_region")
    with op.batch_alter_table("solution_deployment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_solution_deployment_solution_id"))
    op.drop_table("solution_deployment")
    with op.batch_alter_table("solution_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_solution_activity_activity_id"))
    op.drop_table("solution_activity")
    with op.batch_alter_table("solution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_solution_vendor_id"))
        batch_op.drop_index("ix_solution_status_category")
        batch_op.drop_index(batch_op.f("ix_solution_primary_category_id"))
    op.drop_table("solution")
