"""Records: legal holds, evaluators' reports

Revision ID: c16a0000000f
Revises: c16d00000001
Create Date: 2026-12-06 08:18:38.661881

Legal holds on an evaluation's, a label's or a solution's records, and the evaluators' test
reports and signed evaluation reports (stored files, in versions). The database refuses to
delete or change the evidence of an evaluation that has been in review; the only change it
takes is the purge's (the stored name becomes "purged:…", nothing else changes).
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c16a0000000f'
down_revision = 'c16d00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('legal_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.Enum('evaluation', 'label', 'solution', name='holdtarget', native_enum=False, length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proceedings_reference', sa.String(length=200), nullable=False),
    sa.Column('placed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=True),
    sa.Column('released_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['placed_by_id'], ['user_account.id'], name=op.f('fk_legal_hold_placed_by_id_user_account')),
    sa.ForeignKeyConstraint(['released_by_id'], ['user_account.id'], name=op.f('fk_legal_hold_released_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_hold'))
    )
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.create_index('ix_legal_hold_target', ['target_type', 'target_id'], unique=False)

    op.create_table('evaluator_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('test', 'evaluation', name='reportkind', native_enum=False, length=20), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=80), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('signed_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_evaluator_report_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluator_report_evaluation_id_evaluation')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user_account.id'], name=op.f('fk_evaluator_report_signed_by_id_user_account')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_evaluator_report_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluator_report')),
    sa.UniqueConstraint('assignment_id', 'kind', 'version', name='uq_evaluator_report_version'),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evaluator_report_stored_name'))
    )
    with op.batch_alter_table('evaluator_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluator_report_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluator_report_evaluation_id'), ['evaluation_id'], unique=False)

    _fix_reviewed_evidence()


# The evaluation of the row has been in review: its evidence is fixed.
_REVIEWED = (
    "EXISTS (SELECT 1 FROM evaluation_event WHERE evaluation_event.evaluation_id = "
    "OLD.evaluation_id AND evaluation_event.to_status = 'in_review')"
)
# The purge's change: only the stored name, to a purged one.
_PURGE_ONLY = (
    "NEW.stored_name LIKE 'purged:%' AND NEW.id = OLD.id "
    "AND NEW.evaluation_id = OLD.evaluation_id AND NEW.original_name = OLD.original_name "
    "AND NEW.sha256 = OLD.sha256 AND NEW.size_bytes = OLD.size_bytes "
    "AND NEW.content_type = OLD.content_type AND NEW.description = OLD.description "
    "AND NEW.uploaded_at = OLD.uploaded_at"
)


def _fix_reviewed_evidence():
    """Evidence the evaluators have had is fixed: the database refuses DELETE and UPDATE."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION evidence_fixed_once_reviewed() RETURNS trigger AS $$
            BEGIN
                IF {_REVIEWED} THEN
                    IF TG_OP = 'DELETE' OR NOT ({_PURGE_ONLY}) THEN
                        RAISE EXCEPTION 'evidence of a reviewed evaluation is fixed (% refused)', TG_OP;
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
            "CREATE TRIGGER evidence_fixed_no_update_delete BEFORE UPDATE OR DELETE ON evidence "
            "FOR EACH ROW EXECUTE FUNCTION evidence_fixed_once_reviewed()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER evidence_fixed_no_delete BEFORE DELETE ON evidence WHEN {_REVIEWED} "
            "BEGIN SELECT RAISE(ABORT, 'evidence of a reviewed evaluation is fixed (DELETE refused)'); END"
        )
        op.execute(
            f"CREATE TRIGGER evidence_fixed_no_update BEFORE UPDATE ON evidence "
            f"WHEN {_REVIEWED} AND NOT ({_PURGE_ONLY}) "
            "BEGIN SELECT RAISE(ABORT, 'evidence of a reviewed evaluation is fixed (UPDATE refused)'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS evidence_fixed_no_update_delete ON evidence")
        op.execute("DROP FUNCTION IF EXISTS evidence_fixed_once_reviewed()")
    else:
        op.execute("DROP TRIGGER IF EXISTS evidence_fixed_no_delete")
        op.execute("DROP TRIGGER IF EXISTS evidence_fixed_no_update")
    with op.batch_alter_table('evaluator_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluator_report_evaluation_id'))
        batch_op.drop_index(batch_op.f('ix_evaluator_report_assignment_id'))

    op.drop_table('evaluator_report')
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.drop_index('ix_legal_hold_target')

    op.drop_table('legal_hold')
