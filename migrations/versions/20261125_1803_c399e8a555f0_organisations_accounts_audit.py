"""Organisations, accounts, sessions, the audit log and the reference data.

Revision ID: c399e8a555f0
Revises: 
Create Date: 2026-11-25 18:03:57.926825
"""

from alembic import op
import sqlalchemy as sa
import registry.database


revision = 'c399e8a555f0'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=80), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('seq > 0', name=op.f('ck_audit_entry_seq_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    sa.UniqueConstraint('seq', name=op.f('uq_audit_entry_seq'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_action'), ['action'], unique=False)
        batch_op.create_index('ix_audit_entry_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt'))
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempt_email_at', ['email', 'at'], unique=False)
        batch_op.create_index('ix_login_attempt_remote_addr_at', ['remote_addr', 'at'], unique=False)

    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('authority', 'evaluation_body', 'vendor', 'buyer', name='organisationkind', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('pending', 'active', 'suspended', 'rejected', name='organisationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('vendor_size', sa.Enum('startup', 'sme', 'large', name='vendorsize', native_enum=False, length=20), nullable=True),
    sa.Column('buyer_type', sa.Enum('national_government', 'regional_government', 'local_government', 'police', 'emergency_services', 'transport', 'critical_site', 'private_security', name='buyertype', native_enum=False, length=40), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=200), nullable=False),
    sa.Column('website', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('name', name='uq_organisation_name')
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_kind_status', ['kind', 'status'], unique=False)

    op.create_table('security_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_activity')),
    sa.UniqueConstraint('code', name=op.f('uq_security_activity_code'))
    )
    op.create_table('technology_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('high_priority_in_report', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_technology_category')),
    sa.UniqueConstraint('code', name=op.f('uq_technology_category_code'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('is_org_admin', sa.Boolean(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_last_counter', sa.Integer(), nullable=True),
    sa.Column('password_changed_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_user_account_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_invitation_invited_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_invitation_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('totp', 'enrol', 'full', name='sessionstage', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pending_totp_secret', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    _load_reference_data()
    _protect_audit_log()


ACTIVITIES = [
    ("planning", "Planning"),
    ("intelligence", "Intelligence"),
    ("operation-prevention", "Operation and prevention"),
    ("crisis-management", "Crisis management"),
    ("judicial-process", "Judicial process"),
    ("feedback", "Feedback"),
]
CATEGORIES = [
    ("systems-integration", "Systems integration and interoperability", True),
    ("video-analysis", "Video analysis", True),
    ("access-id-control", "Access and ID control", False),
    ("flow-modeling", "Flow modeling", False),
    ("public-alert", "Public alert and information systems", False),
    ("sensors-drones-robotics", "Sensors, drones and robotics", False),
    ("data-collection", "Data collection and intelligence", False),
    ("data-analysis", "Data analysis", False),
    ("video-protection", "Video protection", False),
    ("command-coordination", "Command and coordination", False),
    ("cybersecurity", "Cybersecurity", True),
]


def _load_reference_data():
    activity = sa.table(
        "security_activity", sa.column("code"), sa.column("name"), sa.column("position")
    )
    category = sa.table(
        "technology_category",
        sa.column("code"),
        sa.column("name"),
        sa.column("position"),
        sa.column("high_priority_in_report"),
    )
    op.bulk_insert(
        activity,
        [{"code": c, "name": n, "position": i} for i, (c, n) in enumerate(ACTIVITIES, 1)],
    )
    op.bulk_insert(
        category,
        [
            {"code": c, "name": n, "position": i, "high_priority_in_report": high}
            for i, (c, n, high) in enumerate(CATEGORIES, 1)
        ],
    )


def _protect_audit_log():
    """The audit log is append-only: the database itself refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit_entry is append-only (% refused)', TG_OP;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
            "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only (UPDATE refused)'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
            "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only (DELETE refused)'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update_delete ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_organisation_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_organisation_id'))

    op.drop_table('user_account')
    op.drop_table('technology_category')
    op.drop_table('security_activity')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_kind_status')

    op.drop_table('organisation')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_remote_addr_at')
        batch_op.drop_index('ix_login_attempt_email_at')

    op.drop_table('login_attempt')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_organisation_id'))
        batch_op.drop_index('ix_audit_entry_object')
        batch_op.drop_index(batch_op.f('ix_audit_entry_action'))

    op.drop_table('audit_entry')
