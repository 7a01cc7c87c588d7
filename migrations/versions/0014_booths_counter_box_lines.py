"""gift boxes sold at the counter (issue 14): a ticket's box lines, with the units of each
item taken at the sale (kept as JSON, so a void puts back what was taken)

Revision ID: 0014_booths
Revises: 0008
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_booths'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('counter_box_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('gift_box_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_vnd', sa.Integer(), nullable=False),
    sa.Column('amount_vnd', sa.Integer(), nullable=False),
    sa.Column('components', sa.Text(), nullable=False),
    sa.CheckConstraint('amount_vnd = unit_price_vnd * quantity', name=op.f('ck_counter_box_lines_amount_is_product')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_counter_box_lines_quantity_positive')),
    sa.CheckConstraint('unit_price_vnd >= 0', name=op.f('ck_counter_box_lines_price_not_negative')),
    sa.ForeignKeyConstraint(['gift_box_id'], ['gift_boxes.id'], name=op.f('fk_counter_box_lines_gift_box_id_gift_boxes')),
    sa.ForeignKeyConstraint(['sale_id'], ['counter_sales.id'], name=op.f('fk_counter_box_lines_sale_id_counter_sales'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_box_lines')),
    sa.UniqueConstraint('sale_id', 'gift_box_id', name='uq_counter_box_lines_sale_box')
    )
    with op.batch_alter_table('counter_box_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_box_lines_gift_box_id'), ['gift_box_id'], unique=False)


def downgrade():
    with op.batch_alter_table('counter_box_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_box_lines_gift_box_id'))
    op.drop_table('counter_box_lines')
