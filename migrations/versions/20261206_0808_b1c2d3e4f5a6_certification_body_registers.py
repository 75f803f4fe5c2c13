"""Certification body: accreditations, approvals, impartiality

Revision ID: b1c2d3e4f5a6
Revises: a9b0c1d2e3f4
Create Date: 2026-12-06 08:08:14.745209

The registers of the certification body: accreditations of evaluation bodies and their
scope, the approval of evaluators, declarations of interests, decision reviews, the
impartiality risk register and committee; the application review and evaluator removal.
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'b1c2d3e4f5a6'
down_revision = 'a9b0c1d2e3f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accreditation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('accreditation_body', sa.String(length=200), nullable=False),
    sa.Column('standard', sa.String(length=200), nullable=False),
    sa.Column('certificate_number', sa.String(length=100), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('withdrawn_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=False),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('valid_until >= valid_from', name=op.f('ck_accreditation_valid_dates')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_accreditation_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_accreditation_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accreditation'))
    )
    with op.batch_alter_table('accreditation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accreditation_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('committee_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_committee_meeting_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_meeting'))
    )
    op.create_table('declaration_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('open_declarations', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_declaration_confirmation_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_confirmation'))
    )
    with op.batch_alter_table('declaration_confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declaration_confirmation_user_id'), ['user_id'], unique=False)

    op.create_table('evaluator_approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'refused', 'withdrawn', name='approvalstatus', native_enum=False, length=20), nullable=False),
    sa.Column('competence', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_evaluator_approval_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_evaluator_approval_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_evaluator_approval_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluator_approval')),
    sa.UniqueConstraint('user_id', name=op.f('uq_evaluator_approval_user_id'))
    )
    op.create_table('impartiality_risk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('likelihood', sa.Integer(), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('treatment', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'closed', name='riskstatus', native_enum=False, length=20), nullable=False),
    sa.Column('review_due_on', sa.Date(), nullable=True),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_impartiality_risk_owner_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impartiality_risk'))
    )
    with op.batch_alter_table('impartiality_risk', schema=None) as batch_op:
        batch_op.create_index('ix_impartiality_risk_status', ['status', 'review_due_on'], unique=False)

    op.create_table('interest_declaration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('nature', sa.Text(), nullable=False),
    sa.Column('declared_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_interest_declaration_user_id_user_account')),
    sa.ForeignKeyConstraint(['vendor_id'], ['organisation.id'], name=op.f('fk_interest_declaration_vendor_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_declaration'))
    )
    with op.batch_alter_table('interest_declaration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_declaration_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_declaration_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('accreditation_scope',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('accreditation_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('norm_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accreditation_id'], ['accreditation.id'], name=op.f('fk_accreditation_scope_accreditation_id_accreditation')),
    sa.ForeignKeyConstraint(['category_id'], ['technology_category.id'], name=op.f('fk_accreditation_scope_category_id_technology_category')),
    sa.ForeignKeyConstraint(['norm_id'], ['norm.id'], name=op.f('fk_accreditation_scope_norm_id_norm')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accreditation_scope'))
    )
    with op.batch_alter_table('accreditation_scope', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accreditation_scope_accreditation_id'), ['accreditation_id'], unique=False)

    op.create_table('decision_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('agree', 'disagree', name='reviewoutcome', native_enum=False, length=20), nullable=False),
    sa.Column('recommended_decision', sa.String(length=20), nullable=False),
    sa.Column('recommended_level', sa.String(length=60), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reviewed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_decision_review_evaluation_id_evaluation')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], name=op.f('fk_decision_review_reviewer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_review')),
    sa.UniqueConstraint('evaluation_id', 'reviewer_id', name=op.f('uq_decision_review_evaluation_id_reviewer_id'))
    )
    with op.batch_alter_table('decision_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_review_evaluation_id'), ['evaluation_id'], unique=False)

    for table, column in (('assignment', 'same_body_reason'), ('assignment', 'removal_reason'),
                          ('evaluation', 'application_review_note')):
        op.add_column(table, sa.Column(column, sa.Text(), server_default='', nullable=False))
    op.add_column('assignment', sa.Column('removed_at', registry.database.UTCDateTime(timezone=True), nullable=True))
    op.add_column('evaluation', sa.Column('application_reviewed_at', registry.database.UTCDateTime(timezone=True), nullable=True))
    _add_reference('assignment', 'removed_by_id', 'user_account', 'fk_assignment_removed_by_id_user_account')
    _add_reference('evaluation', 'application_reviewed_by_id', 'user_account', 'fk_evaluation_application_reviewed_by_id_user_account')


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
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        _drop_reference(batch_op, 'application_reviewed_by_id', 'fk_evaluation_application_reviewed_by_id_user_account')
        batch_op.drop_column('application_review_note')
        batch_op.drop_column('application_reviewed_at')

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        _drop_reference(batch_op, 'removed_by_id', 'fk_assignment_removed_by_id_user_account')
        batch_op.drop_column('removal_reason')
        batch_op.drop_column('removed_at')
        batch_op.drop_column('same_body_reason')

    with op.batch_alter_table('decision_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_review_evaluation_id'))

    op.drop_table('decision_review')
    with op.batch_alter_table('accreditation_scope', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accreditation_scope_accreditation_id'))

    op.drop_table('accreditation_scope')
    with op.batch_alter_table('interest_declaration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_declaration_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_interest_declaration_user_id'))

    op.drop_table('interest_declaration')
    with op.batch_alter_table('impartiality_risk', schema=None) as batch_op:
        batch_op.drop_index('ix_impartiality_risk_status')

    op.drop_table('impartiality_risk')
    op.drop_table('evaluator_approval')
    with op.batch_alter_table('declaration_confirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declaration_confirmation_user_id'))

    op.drop_table('declaration_confirmation')
    op.drop_table('committee_meeting')
    with op.batch_alter_table('accreditation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accreditation_organisation_id'))

    op.drop_table('accreditation')


def _drop_reference(batch_op, column, constraint):
    """Drop a column added by `_add_reference` (SQLite keeps its inline reference unnamed)."""
    if op.get_bind().dialect.name != "sqlite":
        batch_op.drop_constraint(constraint, type_='foreignkey')
    batch_op.drop_column(column)
