"""Fixtures of the catalogue's tests."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from catalog.models import CatalogState


@pytest.fixture
def versioned_engine(tmp_path):
    """A SQLite file (WAL, as the app's) holding only `catalog_state`, at version 42."""
    engine = create_engine(f"sqlite:///{tmp_path / 'version.sqlite3'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    CatalogState.__table__.create(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO catalog_state (id, version) VALUES (1, 42)"))
    yield engine
    engine.dispose()
