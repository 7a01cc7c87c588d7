"""the gate's timeline (listing_segments), the catalogue version, and indexes lists walk in order

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('listing_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_listing_segments_ends_after_start')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_listing_segments_certificate_id_certificates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_listing_segments_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_segments'))
    )
    with op.batch_alter_table('listing_segments', schema=None) as batch_op:
        batch_op.create_index('ix_listing_segments_product_dates', ['product_id', 'starts_on', 'ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_segments_certificate_id'), ['certificate_id'], unique=False)

    op.create_table('catalog_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_state'))
    )
    op.execute("INSERT INTO catalog_state (id, version) VALUES (1, 0)")

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_products_group_created', ['group', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_products_price', ['price_vnd', 'id'], unique=False)

    # Existing catalogues get their timeline from the one rule (catalog.gate).
    from catalog.timeline import rebuild

    rebuild(op.get_bind())


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_price')
        batch_op.drop_index('ix_products_group_created')
        batch_op.drop_index('ix_products_created')
    op.drop_table('catalog_state')
    with op.batch_alter_table('listing_segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_segments_certificate_id'))
        batch_op.drop_index('ix_listing_segments_product_dates')
    op.drop_table('listing_segments')
