"""search: a stored, indexed search vector per product (the PostgreSQL search backend)

On PostgreSQL, `products.search_vector` holds the product's words as the `postgres` search
backend matches them (catalog.search.postgres_backend): folded by `ocop_fold` (migration
0004), parsed by the `simple` configuration, weighted A = name, B = English name, C = the
descriptions and the producer's names, craft village and origin. Triggers keep it current
in the same statement as any change of the product or of its producer's words (Core
updates included), and a GIN index answers the match without reading the catalogue.

On SQLite the column and its index exist (one model for both databases) and stay NULL:
search there uses the embedded Whoosh index.

Revision ID: 0014_search
Revises: 0014_secweb
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0014_search'
down_revision = '0014_secweb'
branch_labels = None
depends_on = None

VECTOR = """
    setweight(to_tsvector('simple', ocop_fold(NEW.name)), 'A')
    || setweight(to_tsvector('simple', ocop_fold(NEW.name_en)), 'B')
    || setweight(to_tsvector('simple', ocop_fold(concat_ws(' ', NEW.description,
           NEW.description_en, maker.name, maker.name_en, maker.craft_village,
           maker.historical_origin))), 'C')
"""

PRODUCT_TRIGGER = f"""
CREATE OR REPLACE FUNCTION ocop_products_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE maker producers%ROWTYPE;
BEGIN
    SELECT * INTO maker FROM producers WHERE id = NEW.producer_id;
    NEW.search_vector := {VECTOR};
    RETURN NEW;
END $$
"""

# A producer's words are in each of its products' vectors: recompute them when they change.
PRODUCER_TRIGGER = """
CREATE OR REPLACE FUNCTION ocop_producers_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.name, NEW.name_en, NEW.craft_village, NEW.historical_origin)
       IS DISTINCT FROM (OLD.name, OLD.name_en, OLD.craft_village, OLD.historical_origin) THEN
        UPDATE products SET search_vector = NULL WHERE producer_id = NEW.id;
    END IF;
    RETURN NULL;
END $$
"""


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    vector = postgresql.TSVECTOR() if postgres else sa.Text()
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_vector', vector, nullable=True))
    if postgres:
        _triggers()
    # GIN on PostgreSQL; on SQLite an index of NULLs (one model for both databases).
    op.create_index('ix_products_search_vector', 'products', ['search_vector'],
                    postgresql_using='gin')


def _triggers():
    op.execute(PRODUCT_TRIGGER)
    op.execute(PRODUCER_TRIGGER)
    op.execute("CREATE TRIGGER products_search_vector BEFORE INSERT OR UPDATE ON products"
               " FOR EACH ROW EXECUTE FUNCTION ocop_products_search_vector()")
    op.execute("CREATE TRIGGER producers_search_vector AFTER UPDATE ON producers"
               " FOR EACH ROW EXECUTE FUNCTION ocop_producers_search_vector()")
    op.execute("UPDATE products SET search_vector = NULL")  # fills every existing row


def downgrade():
    op.drop_index('ix_products_search_vector', table_name='products',
                  postgresql_using='gin')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS producers_search_vector ON producers")
        op.execute("DROP TRIGGER IF EXISTS products_search_vector ON products")
        op.execute("DROP FUNCTION IF EXISTS ocop_producers_search_vector()")
        op.execute("DROP FUNCTION IF EXISTS ocop_products_search_vector()")
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('search_vector')
