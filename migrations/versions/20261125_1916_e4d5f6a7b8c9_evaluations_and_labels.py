"""Evaluations, assignments, evidence, scores, resolutions, labels and their history.

Revision ID: e4d5f6a7b8c9
Revises: d3c4e5f6a7b8
Create Date: 2026-11-25 19:16:44.695438
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'e4d5f6a7b8c9'
down_revision = 'd3c4e5f6a7b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('label_counter',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_label_counter'))
    )
    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('solution_id', sa.Integer(), nullable=False),
    sa.Column('norm_version_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'returned', 'in_review', 'scored', 'decided', 'withdrawn', name='evaluationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('vendor_note', sa.Text(), nullable=False),
    sa.Column('return_request', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('computed_percent', sa.Numeric(precision=6, scale=2, asdecimal=False), nullable=True),
    sa.Column('computed_level', sa.String(length=60), nullable=True),
    sa.Column('decision', sa.Enum('certified', 'rejected', name='decision', native_enum=False, length=20), nullable=True),
    sa.Column('decided_level', sa.String(length=60), nullable=True),
    sa.Column('decision_rationale', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_evaluation_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['norm_version_id'], ['norm_version.id'], name=op.f('fk_evaluation_norm_version_id_norm_version')),
    sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], name=op.f('fk_evaluation_solution_id_solution')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisation.id'], name=op.f('fk_evaluation_vendor_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation'))
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_norm_version_id'), ['norm_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_solution_id'), ['solution_id'], unique=False)
        batch_op.create_index('ix_evaluation_status_changed', ['status', 'status_changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('awaiting_declaration', 'conflicted', 'scoring', 'submitted', 'removed', name='assignmentstatus', native_enum=False, length=30), nullable=False),
    sa.Column('assigned_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('declared_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('conflict_note', sa.Text(), nullable=False),
    sa.Column('submitted_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user_account.id'], name=op.f('fk_assignment_assigned_by_id_user_account')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_assignment_evaluation_id_evaluation')),
    sa.ForeignKeyConstraint(['evaluator_id'], ['user_account.id'], name=op.f('fk_assignment_evaluator_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('evaluation_id', 'evaluator_id', name=op.f('uq_assignment_evaluation_id_evaluator_id'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_evaluation_id'), ['evaluation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_evaluator_id'), ['evaluator_id'], unique=False)

    op.create_table('evaluation_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_evaluation_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_event_evaluation_id_evaluation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_event'))
    )
    with op.batch_alter_table('evaluation_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_event_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('label',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('solution_id', sa.Integer(), nullable=False),
    sa.Column('norm_version_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=60), nullable=False),
    sa.Column('score_percent', sa.Numeric(precision=6, scale=2, asdecimal=False), nullable=False),
    sa.Column('issued_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('valid', 'suspended', 'revoked', 'expired', name='labelstatus', native_enum=False, length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('status_changed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_list_index', sa.Integer(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('credential', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_label_evaluation_id_evaluation')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_label_issued_by_id_user_account')),
    sa.ForeignKeyConstraint(['norm_version_id'], ['norm_version.id'], name=op.f('fk_label_norm_version_id_norm_version')),
    sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], name=op.f('fk_label_solution_id_solution')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisation.id'], name=op.f('fk_label_vendor_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label')),
    sa.UniqueConstraint('evaluation_id', name=op.f('uq_label_evaluation_id')),
    sa.UniqueConstraint('number', name=op.f('uq_label_number')),
    sa.UniqueConstraint('status_list_index', name=op.f('uq_label_status_list_index')),
    sa.UniqueConstraint('year', 'sequence', name=op.f('uq_label_year_sequence'))
    )
    with op.batch_alter_table('label', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_norm_version_id'), ['norm_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_label_solution_id'), ['solution_id'], unique=False)
        batch_op.create_index('ix_label_status_expires', ['status', 'expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_label_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=True),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=80), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('uploaded_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_evidence_size_positive')),
    sa.ForeignKeyConstraint(['criterion_id'], ['norm_criterion.id'], name=op.f('fk_evidence_criterion_id_norm_criterion')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evidence_evaluation_id_evaluation')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_evidence_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evidence_stored_name'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('label_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('audit_hash', sa.String(length=64), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_label_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['label_id'], ['label.id'], name=op.f('fk_label_event_label_id_label')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_event'))
    )
    with op.batch_alter_table('label_event', schema=None) as batch_op:
        batch_op.create_index('ix_label_event_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_label_event_label_id'), ['label_id'], unique=False)

    op.create_table('resolution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('resolved_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('value IS NULL OR (value BETWEEN 0 AND 5)', name=op.f('ck_resolution_value_range')),
    sa.ForeignKeyConstraint(['criterion_id'], ['norm_criterion.id'], name=op.f('fk_resolution_criterion_id_norm_criterion')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_resolution_evaluation_id_evaluation')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user_account.id'], name=op.f('fk_resolution_resolved_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resolution')),
    sa.UniqueConstraint('evaluation_id', 'criterion_id', name=op.f('uq_resolution_evaluation_id_criterion_id'))
    )
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resolution_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('updated_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('value IS NULL OR (value BETWEEN 0 AND 5)', name=op.f('ck_score_value_range')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_score_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['criterion_id'], ['norm_criterion.id'], name=op.f('fk_score_criterion_id_norm_criterion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score')),
    sa.UniqueConstraint('assignment_id', 'criterion_id', name=op.f('uq_score_assignment_id_criterion_id'))
    )
    with op.batch_alter_table('score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_assignment_id'), ['assignment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_assignment_id'))

    op.drop_table('score')
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resolution_evaluation_id'))

    op.drop_table('resolution')
    with op.batch_alter_table('label_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_event_label_id'))
        batch_op.drop_index('ix_label_event_at')

    op.drop_table('label_event')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_evaluation_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('label', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_vendor_id'))
        batch_op.drop_index('ix_label_status_expires')
        batch_op.drop_index(batch_op.f('ix_label_solution_id'))
        batch_op.drop_index(batch_op.f('ix_label_norm_version_id'))

    op.drop_table('label')
    with op.batch_alter_table('evaluation_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_event_evaluation_id'))

    op.drop_table('evaluation_event')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_evaluator_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_evaluation_id'))

    op.drop_table('assignment')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_vendor_id'))
        batch_op.drop_index('ix_evaluation_status_changed')
        batch_op.drop_index(batch_op.f('ix_evaluation_solution_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_norm_version_id'))

    op.drop_table('evaluation')
    op.drop_table('label_counter')
