"""a per-user session version: a copied session cookie is dead after logout, a password
change or a deactivation (the version in the cookie no longer matches)

Revision ID: 0014_secweb
Revises: 0014_booths
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_secweb'
down_revision = '0014_booths'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
