"""search support: PostgreSQL unaccent + full text, fuzzystrmatch (issue 4)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

On PostgreSQL (the `SEARCH_BACKEND=postgres` full-text search over the live tables): the
extensions unaccent and fuzzystrmatch (levenshtein, for one typo), and `ocop_fold(text)`,
an IMMUTABLE lower(unaccent(text)) (unaccent itself is only STABLE, so an expression index
would need this wrapper; it maps đ/Đ to d/D). No index yet: the products table of a
national OCOP catalogue (thousands of rows) is scanned quickly, and an index would have to
be declared in the models too (tests/app/test_migrations.py compares them).
Nothing on SQLite, where search uses the embedded Whoosh index.
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
    for extension in ("unaccent", "fuzzystrmatch"):
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    op.execute(
        "CREATE OR REPLACE FUNCTION ocop_fold(value text) RETURNS text"
        " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS"
        " $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, coalesce(value, ''))) $$"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS ocop_fold(text)")
