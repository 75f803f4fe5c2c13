"""Certified versions: product versions and SBOMs, label scope, certified facts frozen with the
label, change requests and maintenance requests.

Labels issued before this revision get their certified facts from the solution as it stands at
upgrade (the closest record of what was certified) and an empty scope: their evaluations named
no version.

Revision ID: b4c5d6e7f8a9
Revises: a3b4c5d6e7f8
Create Date: 2026-12-06 01:26:57.320683
"""

import json

import sqlalchemy as sa
from alembic import op

import registry.database


revision = 'b4c5d6e7f8a9'
down_revision = 'a3b4c5d6e7f8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('solution_change_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('solution_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'refused', 'withdrawn', name='changerequeststatus', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('previous', sa.Text(), nullable=False),
    sa.Column('proposed', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_solution_change_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_solution_change_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], name=op.f('fk_solution_change_request_solution_id_solution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solution_change_request'))
    )
    with op.batch_alter_table('solution_change_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solution_change_request_solution_id'), ['solution_id'], unique=False)
        batch_op.create_index('uq_solution_change_request_one_pending', ['solution_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('solution_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('solution_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=60), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=False),
    sa.Column('purl', sa.String(length=500), nullable=False),
    sa.Column('cpe', sa.String(length=500), nullable=False),
    sa.Column('end_of_support_on', sa.Date(), nullable=True),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_solution_version_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], name=op.f('fk_solution_version_solution_id_solution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solution_version')),
    sa.UniqueConstraint('solution_id', 'version', name=op.f('uq_solution_version_solution_id_version'))
    )
    with op.batch_alter_table('solution_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solution_version_solution_id'), ['solution_id'], unique=False)

    op.create_table('version_sbom',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=80), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('spec_version', sa.String(length=10), nullable=False),
    sa.Column('component_count', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_version_sbom_uploaded_by_id_user_account')),
    sa.ForeignKeyConstraint(['version_id'], ['solution_version.id'], name=op.f('fk_version_sbom_version_id_solution_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_sbom')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_version_sbom_stored_name')),
    sa.UniqueConstraint('version_id', name=op.f('uq_version_sbom_version_id'))
    )
    op.create_table('maintenance_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('declared', 'in_review', 'reviewed', 'approved', 'refused', 'major', 'withdrawn', name='maintenancestatus', native_enum=False, length=20), nullable=False),
    sa.Column('impact_analysis', sa.Text(), nullable=False),
    sa.Column('touched_criteria', sa.Text(), nullable=False),
    sa.Column('security_relevant', sa.Boolean(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('routed_by_id', sa.Integer(), nullable=True),
    sa.Column('routing_note', sa.Text(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('declared_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('conflict_note', sa.Text(), nullable=False),
    sa.Column('reviewed_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_summary', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_maintenance_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['evaluator_id'], ['user_account.id'], name=op.f('fk_maintenance_request_evaluator_id_user_account')),
    sa.ForeignKeyConstraint(['label_id'], ['label.id'], name=op.f('fk_maintenance_request_label_id_label')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_maintenance_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['routed_by_id'], ['user_account.id'], name=op.f('fk_maintenance_request_routed_by_id_user_account')),
    sa.ForeignKeyConstraint(['version_id'], ['solution_version.id'], name=op.f('fk_maintenance_request_version_id_solution_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_request'))
    )
    with op.batch_alter_table('maintenance_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_request_evaluator_id'), ['evaluator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_request_label_id'), ['label_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_request_version_id'), ['version_id'], unique=False)
        batch_op.create_index('uq_maintenance_request_one_open', ['label_id', 'version_id'], unique=True, sqlite_where=sa.text("status IN ('declared', 'in_review', 'reviewed')"), postgresql_where=sa.text("status IN ('declared', 'in_review', 'reviewed')"))

    op.create_table('label_scope',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('added_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('maintenance_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_label_scope_added_by_id_user_account')),
    sa.ForeignKeyConstraint(['label_id'], ['label.id'], name=op.f('fk_label_scope_label_id_label')),
    sa.ForeignKeyConstraint(['maintenance_id'], ['maintenance_request.id'], name=op.f('fk_label_scope_maintenance_id_maintenance_request')),
    sa.ForeignKeyConstraint(['version_id'], ['solution_version.id'], name=op.f('fk_label_scope_version_id_solution_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_scope')),
    sa.UniqueConstraint('label_id', 'version_id', name=op.f('uq_label_scope_label_id_version_id'))
    )
    with op.batch_alter_table('label_scope', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_scope_label_id'), ['label_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_label_scope_version_id'), ['version_id'], unique=False)

    op.create_table('maintenance_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('updated_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('value IS NULL OR (value BETWEEN 0 AND 5)', name=op.f('ck_maintenance_score_value_range')),
    sa.ForeignKeyConstraint(['criterion_id'], ['norm_criterion.id'], name=op.f('fk_maintenance_score_criterion_id_norm_criterion')),
    sa.ForeignKeyConstraint(['request_id'], ['maintenance_request.id'], name=op.f('fk_maintenance_score_request_id_maintenance_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_score')),
    sa.UniqueConstraint('request_id', 'criterion_id', name=op.f('uq_maintenance_score_request_id_criterion_id'))
    )
    with op.batch_alter_table('maintenance_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_score_request_id'), ['request_id'], unique=False)

    _add_reference(
        'evaluation',
        'product_version_id',
        'solution_version',
        'fk_evaluation_product_version_id_solution_version',
    )
    op.create_index(
        op.f('ix_evaluation_product_version_id'), 'evaluation', ['product_version_id'], unique=False
    )

    with op.batch_alter_table('label', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certified_facts', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('facts_revision', sa.Integer(), server_default='1', nullable=False))

    _freeze_existing_labels()


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


def _freeze_existing_labels():
    bind = op.get_bind()
    labels = bind.execute(sa.text(
        "SELECT label.id, solution.id, solution.name, organisation.name, technology_category.code,"
        " technology_category.name, solution.privacy_sensitive, solution.uses_biometrics,"
        " solution.uses_facial_recognition FROM label"
        " JOIN solution ON solution.id = label.solution_id"
        " JOIN organisation ON organisation.id = solution.vendor_id"
        " LEFT JOIN technology_category ON technology_category.id = solution.primary_category_id"
    )).all()
    for (label_id, solution_id, name, vendor, category_code, category_name, privacy, biometrics,
         facial) in labels:
        activities = bind.execute(sa.text(
            "SELECT security_activity.code, security_activity.name FROM solution_activity"
            " JOIN security_activity ON security_activity.id = solution_activity.activity_id"
            " WHERE solution_activity.solution_id = :id ORDER BY security_activity.position"
        ), {"id": solution_id}).all()
        standards = bind.execute(sa.text(
            "SELECT code FROM solution_standard WHERE solution_id = :id ORDER BY position"
        ), {"id": solution_id}).scalars().all()
        facts = {
            "name": name,
            "vendor": vendor,
            "category": {"code": category_code, "title": category_name} if category_code else None,
            "activities": [{"code": code, "title": title} for code, title in activities],
            "standards": list(standards),
            "privacy_sensitive": bool(privacy),
            "uses_biometrics": bool(biometrics),
            "uses_facial_recognition": bool(facial),
        }
        bind.execute(
            sa.text("UPDATE label SET certified_facts = :facts WHERE id = :id"),
            {"facts": json.dumps(facts, sort_keys=True), "id": label_id},
        )


def downgrade():
    with op.batch_alter_table('label', schema=None) as batch_op:
        batch_op.drop_column('facts_revision')
        batch_op.drop_column('certified_facts')

    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evaluation_product_version_id_solution_version'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_evaluation_product_version_id'))
        batch_op.drop_column('product_version_id')

    with op.batch_alter_table('maintenance_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maintenance_score_request_id'))

    op.drop_table('maintenance_score')
    with op.batch_alter_table('label_scope', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_scope_version_id'))
        batch_op.drop_index(batch_op.f('ix_label_scope_label_id'))

    op.drop_table('label_scope')
    with op.batch_alter_table('maintenance_request', schema=None) as batch_op:
        batch_op.drop_index('uq_maintenance_request_one_open', sqlite_where=sa.text("status IN ('declared', 'in_review', 'reviewed')"), postgresql_where=sa.text("status IN ('declared', 'in_review', 'reviewed')"))
        batch_op.drop_index(batch_op.f('ix_maintenance_request_version_id'))
        batch_op.drop_index(batch_op.f('ix_maintenance_request_label_id'))
        batch_op.drop_index(batch_op.f('ix_maintenance_request_evaluator_id'))

    op.drop_table('maintenance_request')
    op.drop_table('version_sbom')
    with op.batch_alter_table('solution_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solution_version_solution_id'))

    op.drop_table('solution_version')
    with op.batch_alter_table('solution_change_request', schema=None) as batch_op:
        batch_op.drop_index('uq_solution_change_request_one_pending', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_solution_change_request_solution_id'))

    op.drop_table('solution_change_request')
