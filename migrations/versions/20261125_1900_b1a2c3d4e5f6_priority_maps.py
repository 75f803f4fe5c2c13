"""Priority maps: versioned grids of security activity x technology category.

Revision ID: b1a2c3d4e5f6
Revises: c399e8a555f0
Create Date: 2026-11-25 19:00:00
"""

from alembic import op
import sqlalchemy as sa
import registry.database

revision = "b1a2c3d4e5f6"
down_revision = "c399e8a555f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('priority_map',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_map')),
    sa.UniqueConstraint('slug', name=op.f('uq_priority_map_slug'))
    )
    op.create_table('priority_map_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('map_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='versionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('based_on_id', sa.Integer(), nullable=True),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('published_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['based_on_id'], ['priority_map_version.id'], name=op.f('fk_priority_map_version_based_on_id_priority_map_version')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_priority_map_version_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['map_id'], ['priority_map.id'], name=op.f('fk_priority_map_version_map_id_priority_map')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_priority_map_version_published_by_id_user_account')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_priority_map_version_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_map_version')),
    sa.UniqueConstraint('map_id', 'number', name='uq_priority_map_version_map_id_number')
    )
    with op.batch_alter_table('priority_map_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_map_version_map_id'), ['map_id'], unique=False)
        batch_op.create_index('uq_priority_map_version_one_draft', ['map_id'], unique=True, sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))

    op.create_table('priority_cell',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('high', 'medium', 'low', 'none', name='prioritylevel', native_enum=False, length=20), nullable=False),
    sa.Column('rationale', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['security_activity.id'], name=op.f('fk_priority_cell_activity_id_security_activity')),
    sa.ForeignKeyConstraint(['category_id'], ['technology_category.id'], name=op.f('fk_priority_cell_category_id_technology_category')),
    sa.ForeignKeyConstraint(['version_id'], ['priority_map_version.id'], name=op.f('fk_priority_cell_version_id_priority_map_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_cell')),
    sa.UniqueConstraint('version_id', 'activity_id', 'category_id', name='uq_priority_cell_version_id_activity_id_category_id')
    )
    _freeze_published_versions()


def _freeze_published_versions():
    """A published version and its cells never change: the database itself refuses."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION priority_map_version_frozen() RETURNS trigger AS $$
            BEGIN
                IF OLD.status = 'published' THEN
                    RAISE EXCEPTION 'priority map version % is published (% refused)', OLD.id, TG_OP;
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
            "CREATE TRIGGER priority_map_version_frozen BEFORE UPDATE OR DELETE "
            "ON priority_map_version FOR EACH ROW EXECUTE FUNCTION priority_map_version_frozen()"
        )
        op.execute(
            """
            CREATE FUNCTION priority_cell_frozen() RETURNS trigger AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    IF EXISTS (SELECT 1 FROM priority_map_version
                               WHERE id = OLD.version_id AND status = 'published') THEN
                        RAISE EXCEPTION 'priority map version % is published (% refused)',
                            OLD.version_id, TG_OP;
                    END IF;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    IF EXISTS (SELECT 1 FROM priority_map_version
                               WHERE id = NEW.version_id AND status = 'published') THEN
                        RAISE EXCEPTION 'priority map version % is published (% refused)',
                            NEW.version_id, TG_OP;
                    END IF;
                    RETURN NEW;
                END IF;
                RETURN OLD;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER priority_cell_frozen BEFORE INSERT OR UPDATE OR DELETE "
            "ON priority_cell FOR EACH ROW EXECUTE FUNCTION priority_cell_frozen()"
        )
        return
    published = "(SELECT status FROM priority_map_version WHERE id = {}.version_id) = 'published'"
    for event, condition in (
        ("UPDATE", "OLD.status = 'published'"),
        ("DELETE", "OLD.status = 'published'"),
    ):
        op.execute(
            f"CREATE TRIGGER priority_map_version_frozen_{event.lower()} BEFORE {event} "
            f"ON priority_map_version WHEN {condition} BEGIN SELECT RAISE(ABORT, "
            f"'priority map version is published ({event} refused)'); END"
        )
    for event, condition in (
        ("INSERT", published.format("NEW")),
        ("UPDATE", f"{published.format('OLD')} OR {published.format('NEW')}"),
        ("DELETE", published.format("OLD")),
    ):
        op.execute(
            f"CREATE TRIGGER priority_cell_frozen_{event.lower()} BEFORE {event} "
            f"ON priority_cell WHEN {condition} BEGIN SELECT RAISE(ABORT, "
            f"'priority map version is published ({event} refused)'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS priority_cell_frozen ON priority_cell")
        op.execute("DROP FUNCTION IF EXISTS priority_cell_frozen()")
        op.execute("DROP TRIGGER IF EXISTS priority_map_version_frozen ON priority_map_version")
        op.execute("DROP FUNCTION IF EXISTS priority_map_version_frozen()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS priority_cell_frozen_{event}")
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS priority_map_version_frozen_{event}")
    op.drop_table('priority_cell')
    with op.batch_alter_table('priority_map_version', schema=None) as batch_op:
        batch_op.drop_index('uq_priority_map_version_one_draft', sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"))
        batch_op.drop_index(batch_op.f('ix_priority_map_version_map_id'))

    op.drop_table('priority_map_version')
    op.drop_table('priority_map')
