"""The schema is made only by the Alembic migrations: they upgrade an empty database to head
(and back down) on SQLite and PostgreSQL, and the models agree with them."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db
from tests.conftest import TEST_DATABASE_URL

CORE_TABLES = {"users", "api_tokens", "producers", "products", "certificates", "product_photos",
               "sales_points"}


def _roundtrip(url: str, workdir):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "MAIL_OUTBOX_DIR": str(workdir / "outbox-mig"), "LOG_LEVEL": "WARNING"})
    with app.app_context():
        try:
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert tables >= CORE_TABLES
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            assert diff == [], f"models and migrations disagree: {diff}"
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert set(inspect(db.engine).get_table_names()) >= CORE_TABLES
        finally:
            db.engine.dispose()  # never leave a connection behind, even when an assert fails


def test_migrations_upgrade_an_empty_sqlite_database_to_head(tmp_path, workdir):
    _roundtrip(f"sqlite:///{tmp_path / 'empty.sqlite3'}", workdir)


@pytest.mark.postgres
def test_migrations_upgrade_an_empty_postgres_database_to_head(workdir):
    # Named after the test database: engineers sharing one server never drop each other's.
    name = TEST_DATABASE_URL.partition("?")[0].rsplit("/", 1)[1] + "_migrations_check"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        url = TEST_DATABASE_URL.rsplit("/", 1)[0] + f"/{name}"
        _roundtrip(url, workdir)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
