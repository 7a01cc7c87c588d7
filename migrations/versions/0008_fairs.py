"""fairs, booth maps and bookings (issue 11): at most one active booking per booth is a
partial unique index (SQLite and PostgreSQL)

Revision ID: 0008
Revises: 0011
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('opens_at', sa.Time(), nullable=False),
    sa.Column('closes_at', sa.Time(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('ward_code', sa.Integer(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('booking_opens', sa.Date(), nullable=False),
    sa.Column('booking_closes', sa.Date(), nullable=False),
    sa.Column('organizer_id', sa.Integer(), nullable=False),
    sa.Column('bank_bin', sa.String(length=6), nullable=True),
    sa.Column('bank_account', sa.String(length=19), nullable=True),
    sa.Column('bank_account_name', sa.String(length=100), nullable=True),
    sa.Column('cancel_reason', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("kind IN ('fair', 'exhibition', 'ocop_week')", name=op.f('ck_fairs_kind')),
    sa.CheckConstraint("status IN ('draft', 'published', 'cancelled')", name=op.f('ck_fairs_status')),
    sa.CheckConstraint('booking_closes >= booking_opens', name=op.f('ck_fairs_booking_window_in_order')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_fairs_dates_in_order')),
    sa.ForeignKeyConstraint(['organizer_id'], ['users.id'], name=op.f('fk_fairs_organizer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fairs')),
    sa.UniqueConstraint('slug', name=op.f('uq_fairs_slug'))
    )
    with op.batch_alter_table('fairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fairs_organizer_id'), ['organizer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fairs_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_fairs_starts_on'), ['starts_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_fairs_status'), ['status'], unique=False)

    op.create_table('fair_booths',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('x', sa.Float(), nullable=False),
    sa.Column('y', sa.Float(), nullable=False),
    sa.Column('w', sa.Float(), nullable=False),
    sa.Column('h', sa.Float(), nullable=False),
    sa.Column('price_vnd', sa.Integer(), nullable=False),
    sa.Column('zone', sa.String(length=100), nullable=True),
    sa.CheckConstraint('price_vnd >= 0', name=op.f('ck_fair_booths_price_not_negative')),
    sa.CheckConstraint('w > 0 AND h > 0', name=op.f('ck_fair_booths_size_positive')),
    sa.CheckConstraint('x >= 0 AND y >= 0', name=op.f('ck_fair_booths_position_not_negative')),
    sa.ForeignKeyConstraint(['fair_id'], ['fairs.id'], name=op.f('fk_fair_booths_fair_id_fairs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fair_booths')),
    sa.UniqueConstraint('fair_id', 'code', name='uq_fair_booths_fair_code')
    )
    op.create_table('fair_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('booth_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('fee_vnd', sa.Integer(), nullable=False),
    sa.Column('fee_paid', sa.Boolean(), nullable=False),
    sa.Column('fee_paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'rejected', 'cancelled')", name=op.f('ck_fair_bookings_status')),
    sa.CheckConstraint('fee_vnd >= 0', name=op.f('ck_fair_bookings_fee_not_negative')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_fair_bookings_booked_by_id_users')),
    sa.ForeignKeyConstraint(['booth_id'], ['fair_booths.id'], name=op.f('fk_fair_bookings_booth_id_fair_booths'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fair_id'], ['fairs.id'], name=op.f('fk_fair_bookings_fair_id_fairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['stock_locations.id'], name=op.f('fk_fair_bookings_location_id_stock_locations')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_fair_bookings_producer_id_producers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fair_bookings'))
    )
    with op.batch_alter_table('fair_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fair_bookings_fair_id'), ['fair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fair_bookings_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index('uq_fair_bookings_active_booth', ['booth_id'], unique=True, sqlite_where=sa.text("status IN ('pending', 'confirmed')"), postgresql_where=sa.text("status IN ('pending', 'confirmed')"))



def downgrade():
    with op.batch_alter_table('fair_bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_fair_bookings_active_booth', sqlite_where=sa.text("status IN ('pending', 'confirmed')"), postgresql_where=sa.text("status IN ('pending', 'confirmed')"))
        batch_op.drop_index(batch_op.f('ix_fair_bookings_producer_id'))
        batch_op.drop_index(batch_op.f('ix_fair_bookings_fair_id'))

    op.drop_table('fair_bookings')
    op.drop_table('fair_booths')
    with op.batch_alter_table('fairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fairs_status'))
        batch_op.drop_index(batch_op.f('ix_fairs_starts_on'))
        batch_op.drop_index(batch_op.f('ix_fairs_province_code'))
        batch_op.drop_index(batch_op.f('ix_fairs_organizer_id'))

    op.drop_table('fairs')
