"""Norms and their versioned criteria; published versions are frozen by triggers.

Revision ID: c2b3d4e5f6a7
Revises: b1a2c3d4e5f6
Create Date: 2026-11-25 19:01:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database

revision = "c2b3d4e5f6a7"
down_revision = "b1a2c3d4e5f6"
branch_labels = None
depends_on = None

# Rows that belong to a version: they may change only while the version is a draft.
CONTENT_TABLES = ("norm_level", "norm_standard", "norm_section", "norm_criterion")
# Columns of norm_version fixed at publication; the lifecycle columns (status, superseded_*,
# transition_date, withdrawn_at) still move on.
FROZEN_VERSION_COLUMNS = (
    "norm_id",
    "number",
    "validity_months",
    "change_note",
    "created_at",
    "created_by_id",
    "published_at",
    "published_by_id",
)


def upgrade():
    op.create_table('norm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'withdrawn', name='normstatus', native_enum=False, length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['technology_category.id'], name=op.f('fk_norm_category_id_technology_category')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_norm_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_norm')),
    sa.UniqueConstraint('code', name=op.f('uq_norm_code'))
    )
    with op.batch_alter_table('norm', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_norm_category_id'), ['category_id'], unique=False)

    op.create_table('norm_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('norm_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'superseded', 'withdrawn', name='versionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('validity_months', sa.Integer(), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('transition_date', sa.Date(), nullable=True),
    sa.Column('withdrawn_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('number > 0', name=op.f('ck_norm_version_number_positive')),
    sa.CheckConstraint('validity_months BETWEEN 1 AND 120', name=op.f('ck_norm_version_validity_months_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_norm_version_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['norm_id'], ['norm.id'], name=op.f('fk_norm_version_norm_id_norm')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_norm_version_published_by_id_user_account')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['norm_version.id'], name=op.f('fk_norm_version_superseded_by_id_norm_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_norm_version')),
    sa.UniqueConstraint('norm_id', 'number', name=op.f('uq_norm_version_norm_id_number'))
    )
    with op.batch_alter_table('norm_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_norm_version_norm_id'), ['norm_id'], unique=False)

    op.create_table('norm_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('minimum_percent', sa.Integer(), nullable=False),
    sa.CheckConstraint('minimum_percent BETWEEN 1 AND 100', name=op.f('ck_norm_level_minimum_percent_range')),
    sa.ForeignKeyConstraint(['version_id'], ['norm_version.id'], name=op.f('fk_norm_level_version_id_norm_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_norm_level')),
    sa.UniqueConstraint('version_id', 'name', name=op.f('uq_norm_level_version_id_name'))
    )
    with op.batch_alter_table('norm_level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_norm_level_version_id'), ['version_id'], unique=False)

    op.create_table('norm_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['norm_version.id'], name=op.f('fk_norm_section_version_id_norm_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_norm_section'))
    )
    with op.batch_alter_table('norm_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_norm_section_version_id'), ['version_id'], unique=False)

    op.create_table('norm_standard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['norm_version.id'], name=op.f('fk_norm_standard_version_id_norm_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_norm_standard'))
    )
    with op.batch_alter_table('norm_standard', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_norm_standard_version_id'), ['version_id'], unique=False)

    op.create_table('norm_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('guidance', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('pass_fail', 'scored', name='criterionkind', native_enum=False, length=20), nullable=False),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('evidence_required', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind <> 'pass_fail' OR mandatory", name=op.f('ck_norm_criterion_pass_fail_mandatory')),
    sa.CheckConstraint('weight BETWEEN 1 AND 100', name=op.f('ck_norm_criterion_weight_range')),
    sa.ForeignKeyConstraint(['section_id'], ['norm_section.id'], name=op.f('fk_norm_criterion_section_id_norm_section')),
    sa.ForeignKeyConstraint(['version_id'], ['norm_version.id'], name=op.f('fk_norm_criterion_version_id_norm_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_norm_criterion')),
    sa.UniqueConstraint('version_id', 'code', name=op.f('uq_norm_criterion_version_id_code'))
    )
    with op.batch_alter_table('norm_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_norm_criterion_section_id'), ['section_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_norm_criterion_version_id'), ['version_id'], unique=False)

    _freeze_published_versions()


def _freeze_published_versions():
    """Once a version leaves draft, the database itself refuses to change its content.

    The services refuse first, with a message; this catches anything else (a bug, a script,
    hand-written SQL). Errors are integrity errors on both databases.
    """
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION norm_content_frozen() RETURNS trigger AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    IF EXISTS (SELECT 1 FROM norm_version
                               WHERE id = OLD.version_id AND status <> 'draft') THEN
                        RAISE EXCEPTION 'norm version % is frozen: % on % refused',
                            OLD.version_id, TG_OP, TG_TABLE_NAME
                            USING ERRCODE = 'check_violation';
                    END IF;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    IF EXISTS (SELECT 1 FROM norm_version
                               WHERE id = NEW.version_id AND status <> 'draft') THEN
                        RAISE EXCEPTION 'norm version % is frozen: % on % refused',
                            NEW.version_id, TG_OP, TG_TABLE_NAME
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                END IF;
                RETURN OLD;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in CONTENT_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION norm_content_frozen()"
            )
        changed = " OR ".join(
            f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in FROZEN_VERSION_COLUMNS
        )
        op.execute(
            f"""
            CREATE FUNCTION norm_version_frozen() RETURNS trigger AS $$
            BEGIN
                IF OLD.status <> 'draft' THEN
                    IF TG_OP = 'DELETE' THEN
                        RAISE EXCEPTION 'norm version % is frozen: DELETE refused', OLD.id
                            USING ERRCODE = 'check_violation';
                    END IF;
                    IF NEW.status = 'draft'
                       OR (OLD.status <> 'published' AND NEW.status = 'published')
                       OR (OLD.status = 'withdrawn' AND NEW.status <> 'withdrawn')
                       OR {changed} THEN
                        RAISE EXCEPTION 'norm version % is frozen: UPDATE refused', OLD.id
                            USING ERRCODE = 'check_violation';
                    END IF;
                END IF;
                IF TG_OP = 'DELETE' THEN
                    RETURN OLD;
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER norm_version_frozen BEFORE UPDATE OR DELETE ON norm_version "
            "FOR EACH ROW EXECUTE FUNCTION norm_version_frozen()"
        )
        return
    for table in CONTENT_TABLES:
        status_of = "(SELECT status FROM norm_version WHERE id = {row}.version_id) <> 'draft'"
        conditions = {
            "insert": status_of.format(row="NEW"),
            "update": f"{status_of.format(row='OLD')} OR {status_of.format(row='NEW')}",
            "delete": status_of.format(row="OLD"),
        }
        for operation, condition in conditions.items():
            op.execute(
                f"CREATE TRIGGER {table}_frozen_{operation} BEFORE {operation.upper()} "
                f"ON {table} WHEN {condition} BEGIN SELECT RAISE(ABORT, "
                f"'norm version is frozen: {operation.upper()} on {table} refused'); END"
            )
    changed = " OR ".join(
        f"NEW.{column} IS NOT OLD.{column}" for column in FROZEN_VERSION_COLUMNS
    )
    op.execute(
        "CREATE TRIGGER norm_version_frozen_update BEFORE UPDATE ON norm_version "
        "WHEN OLD.status <> 'draft' AND (NEW.status = 'draft' "
        "OR (OLD.status <> 'published' AND NEW.status = 'published') "
        "OR (OLD.status = 'withdrawn' AND NEW.status <> 'withdrawn') "
        f"OR {changed}) "
        "BEGIN SELECT RAISE(ABORT, 'norm version is frozen: UPDATE refused'); END"
    )
    op.execute(
        "CREATE TRIGGER norm_version_frozen_delete BEFORE DELETE ON norm_version "
        "WHEN OLD.status <> 'draft' "
        "BEGIN SELECT RAISE(ABORT, 'norm version is frozen: DELETE refused'); END"
    )


def _unfreeze():
    if op.get_bind().dialect.name == "postgresql":
        for table in CONTENT_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
        op.execute("DROP TRIGGER IF EXISTS norm_version_frozen ON norm_version")
        op.execute("DROP FUNCTION IF EXISTS norm_content_frozen()")
        op.execute("DROP FUNCTION IF EXISTS norm_version_frozen()")
        return
    for table in CONTENT_TABLES:
        for operation in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen_{operation}")
    op.execute("DROP TRIGGER IF EXISTS norm_version_frozen_update")
    op.execute("DROP TRIGGER IF EXISTS norm_version_frozen_delete")


def downgrade():
    _unfreeze()
    for table, indexes in (
        ("norm_criterion", ("ix_norm_criterion_version_id", "ix_norm_criterion_section_id")),
        ("norm_standard", ("ix_norm_standard_version_id",)),
        ("norm_section", ("ix_norm_section_version_id",)),
        ("norm_level", ("ix_norm_level_version_id",)),
        ("norm_version", ("ix_norm_version_norm_id",)),
        ("norm", ("ix_norm_category_id",)),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
