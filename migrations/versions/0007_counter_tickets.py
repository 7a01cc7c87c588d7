"""sales points for real: counter tickets and refunds, gapless receipt numbers, the
needs-attention list, two-step transfers, day closes, low-stock thresholds (issue 10)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

The invariants are constraints: one ticket per (location, idempotency key) and one per
(location, day, sequence); cash that adds up; one attention row per key; one close per day.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standard', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('bank_bin', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('bank_account', sa.String(length=19), nullable=True))
        batch_op.add_column(sa.Column('bank_account_name', sa.String(length=100), nullable=True))

    op.create_table('counter_receipt_sequences',
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_seq >= 0', name=op.f('ck_counter_receipt_sequences_last_seq_not_negative')),
    sa.ForeignKeyConstraint(['location_id'], ['stock_locations.id'], name=op.f('fk_counter_receipt_sequences_location_id_stock_locations')),
    sa.PrimaryKeyConstraint('location_id', 'business_date', name=op.f('pk_counter_receipt_sequences'))
    )

    op.create_table('counter_sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('receipt_number', sa.String(length=80), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('payment_method', sa.String(length=20), nullable=False),
    sa.Column('total_vnd', sa.Integer(), nullable=False),
    sa.Column('cash_received_vnd', sa.Integer(), nullable=True),
    sa.Column('change_vnd', sa.Integer(), nullable=True),
    sa.Column('payment_reference', sa.String(length=100), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('sold_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replayed', sa.Boolean(), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('void_reason', sa.String(length=300), nullable=True),
    sa.CheckConstraint("payment_method IN ('cash', 'card_terminal', 'vietqr')", name=op.f('ck_counter_sales_payment_method')),
    sa.CheckConstraint("payment_method != 'cash' OR (cash_received_vnd >= total_vnd AND change_vnd = cash_received_vnd - total_vnd)", name=op.f('ck_counter_sales_cash_adds_up')),
    sa.CheckConstraint('seq > 0', name=op.f('ck_counter_sales_seq_positive')),
    sa.CheckConstraint('total_vnd >= 0', name=op.f('ck_counter_sales_total_not_negative')),
    sa.ForeignKeyConstraint(['location_id'], ['stock_locations.id'], name=op.f('fk_counter_sales_location_id_stock_locations')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_counter_sales_order_id_orders')),
    sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_counter_sales_staff_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_sales')),
    sa.UniqueConstraint('location_id', 'business_date', 'seq', name='uq_counter_sales_location_day_seq'),
    sa.UniqueConstraint('location_id', 'idempotency_key', name='uq_counter_sales_location_key'),
    sa.UniqueConstraint('receipt_number', name=op.f('uq_counter_sales_receipt_number'))
    )
    with op.batch_alter_table('counter_sales', schema=None) as batch_op:
        batch_op.create_index('ix_counter_sales_location_day', ['location_id', 'business_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_counter_sales_order_id'), ['order_id'], unique=False)

    op.create_table('counter_sale_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('product_name', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_vnd', sa.Integer(), nullable=False),
    sa.Column('amount_vnd', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount_vnd = unit_price_vnd * quantity', name=op.f('ck_counter_sale_lines_amount_is_product')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_counter_sale_lines_quantity_positive')),
    sa.CheckConstraint('unit_price_vnd >= 0', name=op.f('ck_counter_sale_lines_price_not_negative')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_counter_sale_lines_producer_id_producers')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_counter_sale_lines_product_id_products')),
    sa.ForeignKeyConstraint(['sale_id'], ['counter_sales.id'], name=op.f('fk_counter_sale_lines_sale_id_counter_sales'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_sale_lines')),
    sa.UniqueConstraint('sale_id', 'product_id', name='uq_counter_sale_lines_sale_product')
    )
    with op.batch_alter_table('counter_sale_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_sale_lines_product_id'), ['product_id'], unique=False)

    op.create_table('counter_refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('amount_vnd', sa.Integer(), nullable=False),
    sa.Column('payment_method', sa.String(length=20), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('void', 'return')", name=op.f('ck_counter_refunds_kind')),
    sa.CheckConstraint('amount_vnd >= 0', name=op.f('ck_counter_refunds_amount_not_negative')),
    sa.ForeignKeyConstraint(['location_id'], ['stock_locations.id'], name=op.f('fk_counter_refunds_location_id_stock_locations')),
    sa.ForeignKeyConstraint(['sale_id'], ['counter_sales.id'], name=op.f('fk_counter_refunds_sale_id_counter_sales'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_counter_refunds_staff_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_refunds'))
    )
    with op.batch_alter_table('counter_refunds', schema=None) as batch_op:
        batch_op.create_index('ix_counter_refunds_location_day', ['location_id', 'business_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_counter_refunds_sale_id'), ['sale_id'], unique=False)

    op.create_table('counter_refund_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('refund_id', sa.Integer(), nullable=False),
    sa.Column('sale_line_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('amount_vnd', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount_vnd >= 0', name=op.f('ck_counter_refund_lines_amount_not_negative')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_counter_refund_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_counter_refund_lines_producer_id_producers')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_counter_refund_lines_product_id_products')),
    sa.ForeignKeyConstraint(['refund_id'], ['counter_refunds.id'], name=op.f('fk_counter_refund_lines_refund_id_counter_refunds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sale_line_id'], ['counter_sale_lines.id'], name=op.f('fk_counter_refund_lines_sale_line_id_counter_sale_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_refund_lines'))
    )
    with op.batch_alter_table('counter_refund_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_refund_lines_refund_id'), ['refund_id'], unique=False)

    op.create_table('counter_attention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('total_vnd', sa.Integer(), nullable=False),
    sa.Column('sold_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.String(length=300), nullable=True),
    sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f('ck_counter_attention_status')),
    sa.ForeignKeyConstraint(['location_id'], ['stock_locations.id'], name=op.f('fk_counter_attention_location_id_stock_locations')),
    sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], name=op.f('fk_counter_attention_resolved_by_users')),
    sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_counter_attention_staff_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_attention')),
    sa.UniqueConstraint('location_id', 'idempotency_key', name='uq_counter_attention_location_key')
    )
    with op.batch_alter_table('counter_attention', schema=None) as batch_op:
        batch_op.create_index('ix_counter_attention_location_status', ['location_id', 'status'], unique=False)

    op.create_table('stock_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('from_location_id', sa.Integer(), nullable=False),
    sa.Column('to_location_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_by', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_by', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('receive_note', sa.String(length=300), nullable=True),
    sa.CheckConstraint("status IN ('in_transit', 'received')", name=op.f('ck_stock_transfers_status')),
    sa.CheckConstraint('from_location_id != to_location_id', name=op.f('ck_stock_transfers_two_places')),
    sa.ForeignKeyConstraint(['dispatched_by'], ['users.id'], name=op.f('fk_stock_transfers_dispatched_by_users')),
    sa.ForeignKeyConstraint(['from_location_id'], ['stock_locations.id'], name=op.f('fk_stock_transfers_from_location_id_stock_locations')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_stock_transfers_producer_id_producers')),
    sa.ForeignKeyConstraint(['received_by'], ['users.id'], name=op.f('fk_stock_transfers_received_by_users')),
    sa.ForeignKeyConstraint(['to_location_id'], ['stock_locations.id'], name=op.f('fk_stock_transfers_to_location_id_stock_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_transfers'))
    )
    with op.batch_alter_table('stock_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_transfers_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index('ix_stock_transfers_to_status', ['to_location_id', 'status'], unique=False)

    op.create_table('stock_transfer_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity_sent', sa.Integer(), nullable=False),
    sa.Column('quantity_received', sa.Integer(), nullable=True),
    sa.CheckConstraint('quantity_received IS NULL OR quantity_received >= 0', name=op.f('ck_stock_transfer_lines_received_not_negative')),
    sa.CheckConstraint('quantity_sent > 0', name=op.f('ck_stock_transfer_lines_sent_positive')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_transfer_lines_product_id_products')),
    sa.ForeignKeyConstraint(['transfer_id'], ['stock_transfers.id'], name=op.f('fk_stock_transfer_lines_transfer_id_stock_transfers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_transfer_lines')),
    sa.UniqueConstraint('transfer_id', 'product_id', name='uq_stock_transfer_lines_transfer_product')
    )

    op.create_table('counter_day_closes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('cash_expected_vnd', sa.Integer(), nullable=False),
    sa.Column('cash_counted_vnd', sa.Integer(), nullable=False),
    sa.Column('difference_vnd', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cash_counted_vnd >= 0', name=op.f('ck_counter_day_closes_counted_not_negative')),
    sa.CheckConstraint('difference_vnd = cash_counted_vnd - cash_expected_vnd', name=op.f('ck_counter_day_closes_difference_adds_up')),
    sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_counter_day_closes_closed_by_users')),
    sa.ForeignKeyConstraint(['location_id'], ['stock_locations.id'], name=op.f('fk_counter_day_closes_location_id_stock_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_day_closes')),
    sa.UniqueConstraint('location_id', 'business_date', name='uq_counter_day_closes_location_day')
    )

    op.create_table('stock_low_thresholds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.CheckConstraint('threshold >= 0', name=op.f('ck_stock_low_thresholds_threshold_not_negative')),
    sa.ForeignKeyConstraint(['location_id'], ['stock_locations.id'], name=op.f('fk_stock_low_thresholds_location_id_stock_locations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_low_thresholds_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_low_thresholds')),
    sa.UniqueConstraint('location_id', 'product_id', name='uq_stock_low_thresholds_location_product')
    )


def downgrade():
    # Dropping a table drops its indexes.
    for table in ('stock_low_thresholds', 'counter_day_closes', 'stock_transfer_lines',
                  'stock_transfers', 'counter_attention', 'counter_refund_lines',
                  'counter_refunds', 'counter_sale_lines', 'counter_sales',
                  'counter_receipt_sequences'):
        op.drop_table(table)
    with op.batch_alter_table('sales_points', schema=None) as batch_op:
        batch_op.drop_column('bank_account_name')
        batch_op.drop_column('bank_account')
        batch_op.drop_column('bank_bin')
        batch_op.drop_column('standard')
