"""operations: the mail retry queue; scans partitioned by month (PostgreSQL only)

`queued_mails` keeps the messages whose delivery failed (SMTP down, outbox folder not
writable) for `flask mail retry`.

On PostgreSQL, `scans` (one row per look at a trace page: the biggest table once every
province prints stamps) becomes a table partitioned by RANGE (scanned_at), one partition
per month (`scan_partitions.scans_YYYY_MM`, a schema of their own so `public` keeps one
table per model) plus a DEFAULT partition, so old months can be detached and
archived and recent queries touch one or two partitions. The primary key becomes
(id, scanned_at) — a partitioned table's unique keys must contain the partition key; ids
still come from the same sequence, so they stay unique. The function
`ocop_ensure_scan_partitions(months_ahead)` creates the months to come; the systemd timer
`ocop-scan-partitions` (deploy/) runs `flask traceability scan-partitions` monthly. SQLite
(development) keeps the plain table: nothing changes for the models or the queries.

Revision ID: 0013
Revises: 0009
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0009'
branch_labels = None
depends_on = None


ENSURE_FUNCTION = """
CREATE OR REPLACE FUNCTION ocop_ensure_scan_partitions(months_ahead integer DEFAULT 12)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    first_month date := date_trunc('month', COALESCE(
        (SELECT min(scanned_at) FROM scan_partitions.scans_default), now()) AT TIME ZONE 'UTC')::date;
    month date;
    name text;
    created integer := 0;
BEGIN
    IF first_month > date_trunc('month', now() AT TIME ZONE 'UTC')::date THEN
        first_month := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    END IF;
    month := first_month;
    WHILE month <= (date_trunc('month', now() AT TIME ZONE 'UTC')
                    + make_interval(months => months_ahead))::date LOOP
        name := format('scans_%s', to_char(month, 'YYYY_MM'));
        IF to_regclass('scan_partitions.' || name) IS NULL THEN
            IF EXISTS (SELECT 1 FROM scan_partitions.scans_default
                       WHERE scanned_at >= (month::timestamp AT TIME ZONE 'UTC')
                         AND scanned_at < ((month + interval '1 month')::timestamp AT TIME ZONE 'UTC')) THEN
                -- rows of that month already fell into DEFAULT: move them into the new month
                EXECUTE format('CREATE TABLE scan_partitions.%I (LIKE scans INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
                EXECUTE format('WITH moved AS (DELETE FROM scan_partitions.scans_default WHERE scanned_at >= %L AND scanned_at < %L RETURNING *) INSERT INTO scan_partitions.%I SELECT * FROM moved',
                               month::timestamp AT TIME ZONE 'UTC',
                               (month + interval '1 month')::timestamp AT TIME ZONE 'UTC', name);
                EXECUTE format('ALTER TABLE scans ATTACH PARTITION scan_partitions.%I FOR VALUES FROM (%L) TO (%L)',
                               name, month::timestamp AT TIME ZONE 'UTC',
                               (month + interval '1 month')::timestamp AT TIME ZONE 'UTC');
            ELSE
                EXECUTE format('CREATE TABLE scan_partitions.%I PARTITION OF scans FOR VALUES FROM (%L) TO (%L)',
                               name, month::timestamp AT TIME ZONE 'UTC',
                               (month + interval '1 month')::timestamp AT TIME ZONE 'UTC');
            END IF;
            created := created + 1;
        END IF;
        month := (month + interval '1 month')::date;
    END LOOP;
    RETURN created;
END $$;
"""


def upgrade():
    op.create_table('queued_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('message', sa.LargeBinary(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_queued_mails_attempts_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queued_mails'))
    )
    with op.batch_alter_table('queued_mails', schema=None) as batch_op:
        batch_op.create_index('ix_queued_mails_due', ['sent_at', 'next_attempt_at'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        _partition_scans()


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _unpartition_scans()
    with op.batch_alter_table('queued_mails', schema=None) as batch_op:
        batch_op.drop_index('ix_queued_mails_due')
    op.drop_table('queued_mails')


def _partition_scans():
    op.execute("LOCK TABLE scans IN ACCESS EXCLUSIVE MODE")
    op.execute("ALTER TABLE scans RENAME TO scans_unpartitioned")
    for old, new in (("pk_scans", "pk_scans_unpartitioned"),
                     ("ix_scans_scanned_at", "ix_scans_unpartitioned_scanned_at"),
                     ("ix_scans_stamp_id_scanned_at", "ix_scans_unpartitioned_stamp_id_scanned_at")):
        op.execute(f"ALTER INDEX {old} RENAME TO {new}")
    op.execute("ALTER TABLE scans_unpartitioned RENAME CONSTRAINT ck_scans_verdict TO ck_scans_unpartitioned_verdict")
    op.execute("ALTER TABLE scans_unpartitioned RENAME CONSTRAINT fk_scans_stamp_id_stamps TO fk_scans_unpartitioned_stamp_id_stamps")
    op.execute("""
        CREATE TABLE scans (
            id BIGINT NOT NULL DEFAULT nextval('scans_id_seq'::regclass),
            stamp_id INTEGER NOT NULL,
            scanned_at TIMESTAMP WITH TIME ZONE NOT NULL,
            client_hash VARCHAR(32) NOT NULL,
            verdict VARCHAR(12) NOT NULL,
            province_code INTEGER,
            CONSTRAINT pk_scans PRIMARY KEY (id, scanned_at),
            CONSTRAINT ck_scans_verdict CHECK (verdict IN ('genuine', 'suspicious', 'void')),
            CONSTRAINT fk_scans_stamp_id_stamps FOREIGN KEY (stamp_id) REFERENCES stamps (id)
        ) PARTITION BY RANGE (scanned_at)
    """)
    op.execute("CREATE INDEX ix_scans_scanned_at ON scans (scanned_at)")
    op.execute("CREATE INDEX ix_scans_stamp_id_scanned_at ON scans (stamp_id, scanned_at)")
    # The partitions live in their own schema: `public` keeps one table per model.
    op.execute("CREATE SCHEMA IF NOT EXISTS scan_partitions")
    op.execute("CREATE TABLE scan_partitions.scans_default PARTITION OF scans DEFAULT")
    op.execute(ENSURE_FUNCTION)
    # Months from the oldest scan kept to a year ahead, then the rows, each into its month.
    op.execute("""
        INSERT INTO scan_partitions.scans_default (id, stamp_id, scanned_at, client_hash, verdict, province_code)
        SELECT id, stamp_id, scanned_at, client_hash, verdict, province_code FROM scans_unpartitioned
    """)
    op.execute("SELECT ocop_ensure_scan_partitions(12)")
    op.execute("ALTER SEQUENCE scans_id_seq OWNED BY scans.id")
    op.execute("DROP TABLE scans_unpartitioned")


def _unpartition_scans():
    op.execute("ALTER TABLE scans RENAME TO scans_partitioned")
    op.execute("ALTER INDEX pk_scans RENAME TO pk_scans_partitioned")
    op.execute("ALTER INDEX ix_scans_scanned_at RENAME TO ix_scans_partitioned_scanned_at")
    op.execute("ALTER INDEX ix_scans_stamp_id_scanned_at RENAME TO ix_scans_partitioned_stamp_id_scanned_at")
    op.execute("ALTER TABLE scans_partitioned RENAME CONSTRAINT ck_scans_verdict TO ck_scans_partitioned_verdict")
    op.execute("ALTER TABLE scans_partitioned RENAME CONSTRAINT fk_scans_stamp_id_stamps TO fk_scans_partitioned_stamp_id_stamps")
    op.execute("""
        CREATE TABLE scans (
            id BIGINT NOT NULL DEFAULT nextval('scans_id_seq'::regclass),
            stamp_id INTEGER NOT NULL,
            scanned_at TIMESTAMP WITH TIME ZONE NOT NULL,
            client_hash VARCHAR(32) NOT NULL,
            verdict VARCHAR(12) NOT NULL,
            province_code INTEGER,
            CONSTRAINT pk_scans PRIMARY KEY (id),
            CONSTRAINT ck_scans_verdict CHECK (verdict IN ('genuine', 'suspicious', 'void')),
            CONSTRAINT fk_scans_stamp_id_stamps FOREIGN KEY (stamp_id) REFERENCES stamps (id)
        )
    """)
    op.execute("INSERT INTO scans SELECT id, stamp_id, scanned_at, client_hash, verdict, province_code FROM scans_partitioned")
    op.execute("CREATE INDEX ix_scans_scanned_at ON scans (scanned_at)")
    op.execute("CREATE INDEX ix_scans_stamp_id_scanned_at ON scans (stamp_id, scanned_at)")
    op.execute("ALTER SEQUENCE scans_id_seq OWNED BY scans.id")
    op.execute("DROP TABLE scans_partitioned CASCADE")
    op.execute("DROP FUNCTION IF EXISTS ocop_ensure_scan_partitions(integer)")
    op.execute("DROP SCHEMA IF EXISTS scan_partitions CASCADE")
