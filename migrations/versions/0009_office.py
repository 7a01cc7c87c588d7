"""the OCOP office's closed loop: audit log (append-only), producer deactivation, certificate
corrections, report handling and notes, stamp flags, province targets (issue 12)

Revision ID: 0009
Revises: 0010
Create Date: 2026-11-30

On PostgreSQL a trigger refuses UPDATE and DELETE on audit_log (append-only). TRUNCATE is
left alone: it is the test harness's clean-up, not something a route can do.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None


APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('actor_role', sa.String(length=30), nullable=False),
    sa.Column('client_hash', sa.String(length=32), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('request_id', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_actor_id_at', ['actor_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_object', ['object_type', 'object_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")

    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deactivation_reason', sa.Text(), nullable=True))

    op.create_table('certificate_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('corrected_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_corrections_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['users.id'], name=op.f('fk_certificate_corrections_corrected_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_corrections'))
    )
    with op.batch_alter_table('certificate_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_corrections_certificate_id'), ['certificate_id'], unique=False)

    with op.batch_alter_table('trace_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='new', nullable=False))
        batch_op.add_column(sa.Column('officer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_trace_reports_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_trace_reports_officer_id_users'), 'users', ['officer_id'], ['id'])
        batch_op.create_check_constraint('status', "status IN ('new', 'in_progress', 'closed')")

    op.create_table('trace_report_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_trace_report_notes_author_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['trace_reports.id'], name=op.f('fk_trace_report_notes_report_id_trace_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trace_report_notes'))
    )
    with op.batch_alter_table('trace_report_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trace_report_notes_report_id'), ['report_id'], unique=False)

    op.create_table('stamp_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stamp_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('flagged_by_id', sa.Integer(), nullable=True),
    sa.Column('mailed_to', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['flagged_by_id'], ['users.id'], name=op.f('fk_stamp_flags_flagged_by_id_users')),
    sa.ForeignKeyConstraint(['stamp_id'], ['stamps.id'], name=op.f('fk_stamp_flags_stamp_id_stamps')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stamp_flags')),
    sa.UniqueConstraint('stamp_id', name=op.f('uq_stamp_flags_stamp_id'))
    )

    op.create_table('province_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('new_products', sa.Integer(), nullable=False),
    sa.Column('four_star', sa.Integer(), nullable=False),
    sa.Column('five_star', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('year BETWEEN 2018 AND 2100', name=op.f('ck_province_targets_year')),
    sa.CheckConstraint('new_products >= 0 AND four_star >= 0 AND five_star >= 0', name=op.f('ck_province_targets_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_province_targets')),
    sa.UniqueConstraint('year', 'province_code', name='uq_province_targets_year_province')
    )


def downgrade():
    op.drop_table('province_targets')
    op.drop_table('stamp_flags')
    with op.batch_alter_table('trace_report_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trace_report_notes_report_id'))
    op.drop_table('trace_report_notes')
    with op.batch_alter_table('trace_reports', schema=None) as batch_op:
        batch_op.drop_constraint('status', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_trace_reports_officer_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_trace_reports_status'))
        batch_op.drop_column('officer_id')
        batch_op.drop_column('status')
    with op.batch_alter_table('certificate_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_corrections_certificate_id'))
    op.drop_table('certificate_corrections')
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.drop_column('deactivation_reason')
        batch_op.drop_column('deactivated_at')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_object')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index('ix_audit_log_actor_id_at')
    op.drop_table('audit_log')
