"""certificate reminders sent, so a daily `certificates remind` does not repeat itself

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('days_left', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_reminders_certificate_id_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_reminders')),
    sa.UniqueConstraint('certificate_id', 'sent_on', name='uq_certificate_reminders_certificate_day')
    )
    with op.batch_alter_table('certificate_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_reminders_certificate_id'), ['certificate_id'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_reminders_certificate_id'))
    op.drop_table('certificate_reminders')
