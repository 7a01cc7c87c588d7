"""The catalogue's version, read by every cached page: outside a transaction it is one
statement on a pooled Core connection (catalog.timeline.read_version); it must say the
same as a session query, see the session's own uncommitted change, and fail as SQLAlchemy
errors do (a 503, app/faults.py), never as a raw driver error (a 500)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from catalog.timeline import catalog_version


@pytest.fixture
def engine(versioned_engine):
    return versioned_engine


def test_outside_a_transaction_the_version_is_the_committed_one(engine):
    with Session(engine) as session:
        assert catalog_version(session) == 42
        assert not session.in_transaction()  # nothing was begun for it
        with engine.begin() as other:  # another worker's change
            other.execute(text("UPDATE catalog_state SET version = 7 WHERE id = 1"))
        assert catalog_version(session) == 7


def test_inside_a_transaction_the_sessions_own_change_counts(engine):
    with Session(engine) as session:
        session.execute(text("UPDATE catalog_state SET version = 43 WHERE id = 1"))
        assert catalog_version(session) == 43
        session.rollback()
        assert catalog_version(session) == 42


def test_a_database_without_the_table_fails_as_sqlalchemy_does(tmp_path):
    broken = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with Session(broken) as session, pytest.raises(OperationalError):
        catalog_version(session)
    broken.dispose()
