"""A worker remembers the catalogue's version and reads it again only when its watch says
the database may have changed (catalog.version_watch): a cached page costs no statement,
and a change committed anywhere is seen by the next page."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, event, text

from catalog import version_watch
from catalog.models import CatalogState
from catalog.timeline import bump_version, read_version
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL


def _counting(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *args: seen.append(statement))
    return seen


def _versions(seen: list[str]) -> int:
    return sum("catalog_state" in s and s.lstrip().upper().startswith("SELECT") for s in seen)


@pytest.fixture
def sqlite_engine(versioned_engine):
    return versioned_engine


def test_sqlite_reads_the_version_once_while_nothing_is_committed(sqlite_engine):
    seen = _counting(sqlite_engine)
    assert [read_version(sqlite_engine) for _ in range(50)] == [42] * 50
    assert _versions(seen) == 1


def test_sqlite_sees_a_commit_of_another_connection_at_the_next_read(sqlite_engine):
    assert read_version(sqlite_engine) == 42
    with sqlite_engine.begin() as conn:
        bump_version(conn)
    changed = read_version(sqlite_engine)
    assert changed != 42
    with sqlite_engine.begin() as conn:  # a plain UPDATE, not through bump_version, counts too
        conn.execute(text("UPDATE catalog_state SET version = 7 WHERE id = 1"))
    assert read_version(sqlite_engine) == 7


def test_sqlite_sees_a_commit_of_another_process_at_the_next_read(sqlite_engine):
    assert read_version(sqlite_engine) == 42
    path = sqlite_engine.url.database
    script = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
              " c.execute('UPDATE catalog_state SET version = 9 WHERE id = 1'); c.commit()")
    subprocess.run([sys.executable, "-c", script, path], check=True)  # noqa: S603 -- a fixed script
    assert read_version(sqlite_engine) == 9


def test_sqlite_an_uncommitted_or_rolled_back_change_is_not_the_version(sqlite_engine):
    assert read_version(sqlite_engine) == 42
    with sqlite_engine.connect() as conn:
        conn.execute(text("UPDATE catalog_state SET version = 8 WHERE id = 1"))
        assert read_version(sqlite_engine) == 42  # not committed yet
        conn.rollback()
    assert read_version(sqlite_engine) == 42


def test_an_in_memory_database_is_read_every_time():
    engine = create_engine("sqlite://")
    CatalogState.__table__.create(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO catalog_state (id, version) VALUES (1, 5)"))
    seen = _counting(engine)
    assert [read_version(engine) for _ in range(3)] == [5, 5, 5]
    assert _versions(seen) == 3
    engine.dispose()


# --- PostgreSQL: LISTEN / NOTIFY -----------------------------------------------------------

postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL on PostgreSQL")


@pytest.fixture
def pg_engine(app):
    """The test database's catalog_state (made by the migrations), through engines of its own."""
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        before = conn.execute(text("SELECT version FROM catalog_state WHERE id = 1")).scalar()
    yield engine
    with engine.begin() as conn:
        conn.execute(text("UPDATE catalog_state SET version = :v WHERE id = 1"), {"v": before})
        version_watch.notify(conn)
    engine.dispose()


def _eventually(engine, expected, seconds=0.5):
    deadline = time.monotonic() + seconds
    while True:
        value = read_version(engine)
        if value == expected or time.monotonic() > deadline:
            return value
        time.sleep(0.002)


@postgres
def test_postgres_reads_the_version_once_while_nothing_is_notified(pg_engine, monkeypatch):
    monkeypatch.setattr(version_watch, "MAX_AGE", 60.0)
    first = read_version(pg_engine)
    seen = _counting(pg_engine)
    assert [read_version(pg_engine) for _ in range(50)] == [first] * 50
    assert _versions(seen) == 0


@postgres
def test_postgres_a_committed_bump_is_heard_by_the_other_workers(pg_engine, monkeypatch):
    monkeypatch.setattr(version_watch, "MAX_AGE", 60.0)  # the notification, not the age, tells
    first = read_version(pg_engine)
    other = create_engine(TEST_DATABASE_URL)  # another worker's engine
    with other.begin() as conn:
        bump_version(conn)
        new = conn.execute(text("SELECT version FROM catalog_state WHERE id = 1")).scalar()
    other.dispose()
    assert new != first
    assert _eventually(pg_engine, new) == new


@postgres
def test_postgres_a_rolled_back_bump_says_nothing(pg_engine, monkeypatch):
    monkeypatch.setattr(version_watch, "MAX_AGE", 60.0)
    first = read_version(pg_engine)
    with pg_engine.connect() as conn:
        bump_version(conn)
        conn.rollback()
    time.sleep(0.05)
    seen = _counting(pg_engine)
    assert read_version(pg_engine) == first
    assert _versions(seen) == 0


@postgres
def test_postgres_a_lost_listener_means_reading_again_then_listening_again(pg_engine, monkeypatch):
    monkeypatch.setattr(version_watch, "MAX_AGE", 60.0)
    monkeypatch.setattr(version_watch, "RETRY_LISTEN_AFTER", 0.0)
    first = read_version(pg_engine)
    watch = version_watch._watch_for(pg_engine)
    pid = watch.listener.info.backend_pid
    with pg_engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.execute(text("UPDATE catalog_state SET version = version + 1 WHERE id = 1"))
        conn.commit()  # unannounced: only a lost listener's re-read can see it
    assert _eventually(pg_engine, first + 1) == first + 1
    read_version(pg_engine)
    assert watch.listener is not None and watch.listener.info.backend_pid != pid


@postgres
def test_postgres_without_hearing_anything_the_version_is_read_after_max_age(pg_engine, monkeypatch):
    monkeypatch.setattr(version_watch, "MAX_AGE", 0.05)
    first = read_version(pg_engine)
    with pg_engine.connect() as conn:  # a change that sends no notification
        conn.execute(text("UPDATE catalog_state SET version = version + 1 WHERE id = 1"))
        conn.commit()
    time.sleep(0.06)
    assert read_version(pg_engine) == first + 1
