"""search support, e.g. PostgreSQL unaccent/pg_trgm (issue 4)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

On PostgreSQL (the `SEARCH_BACKEND=postgres` search over the live tables): the extensions
unaccent, pg_trgm and fuzzystrmatch; `ocop_fold(text)`, an IMMUTABLE lower(unaccent(text))
(unaccent itself is only STABLE, so it cannot be indexed directly; it maps đ/Đ to d/D);
trigram GIN indexes on the folded product name and description. Nothing on SQLite, where
search uses the embedded Whoosh index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for extension in ("unaccent", "pg_trgm", "fuzzystrmatch"):
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    op.execute(
        "CREATE OR REPLACE FUNCTION ocop_fold(value text) RETURNS text"
        " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS"
        " $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, coalesce(value, ''))) $$"
    )
    op.execute(
        "CREATE INDEX ix_products_name_folded_trgm ON products"
        " USING gin (ocop_fold(coalesce(name, '')) gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX ix_products_description_folded_trgm ON products"
        " USING gin (ocop_fold(coalesce(description, '')) gin_trgm_ops)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_products_description_folded_trgm")
    op.execute("DROP INDEX IF EXISTS ix_products_name_folded_trgm")
    op.execute("DROP FUNCTION IF EXISTS ocop_fold(text)")
