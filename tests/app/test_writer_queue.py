"""The SQLite writers' queue (app/sqlite_writers.py): one writer at a time across threads
and processes, handed over when COMMIT or ROLLBACK returns, bounded by the busy timeout."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from app.database import configure_engine_events, is_lock_error, write_intent
from app.sqlite_writers import QueuedConnection, WriterQueue, queue_for
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the embedded SQLite default's own discipline")


def _engine(path):
    engine = create_engine(f"sqlite:///{path}")
    configure_engine_events(engine)
    return engine


@pytest.fixture()
def database(tmp_path):
    path = tmp_path / "queue.sqlite3"
    engine = _engine(path)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE log (who TEXT, event TEXT, at REAL)")
    yield path, engine
    engine.dispose()


def _write(engine, who: str, hold_s: float = 0.0) -> None:
    token = write_intent.set(True)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO log VALUES (:w, 'begin', :t)"),
                               {"w": who, "t": time.monotonic()})
            time.sleep(hold_s)
            connection.execute(text("INSERT INTO log VALUES (:w, 'end', :t)"),
                               {"w": who, "t": time.monotonic()})
    finally:
        write_intent.reset(token)


def _never_interleaved(engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT who, event FROM log ORDER BY rowid")).all()
    for opened, closed in zip(rows[::2], rows[1::2], strict=True):
        assert (opened.event, closed.event) == ("begin", "end")
        assert opened.who == closed.who
    return [row.who for row in rows[::2]]


def test_a_file_database_hands_out_queued_connections(database):
    _path, engine = database
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, QueuedConnection)
        assert raw.writer_queue is queue_for(str(_path))


def test_threads_write_one_after_another_and_the_queue_is_given_back(database):
    _path, engine = database
    threads = [threading.Thread(target=_write, args=(engine, f"t{i}", 0.01)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(_never_interleaved(engine)) == [f"t{i}" for i in range(8)]
    assert queue_for(str(_path)).acquire(0)  # nobody kept it
    queue_for(str(_path)).release()


def _child_writes(path: str, who: str, count: int) -> None:
    engine = _engine(path)
    for i in range(count):
        _write(engine, f"{who}-{i}", 0.002)
    engine.dispose()


def test_processes_queue_on_the_lock_file_without_busy_errors(database):
    path, engine = database
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_child_writes, args=(str(path), f"p{n}", 25))
                for n in range(3)]
    for child in children:
        child.start()
    _child_writes(str(path), "parent", 25)
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    assert len(_never_interleaved(engine)) == 100
    assert os.path.exists(f"{os.path.realpath(path)}-writers.lock")


def test_a_rolled_back_or_failed_transaction_gives_the_queue_back(database):
    path, engine = database
    token = write_intent.set(True)
    try:
        with pytest.raises(RuntimeError), engine.begin() as connection:
            connection.execute(text("INSERT INTO log VALUES ('x', 'begin', 0)"))
            raise RuntimeError("the request failed")
        with pytest.raises(OperationalError), engine.begin() as connection:
            connection.execute(text("INSERT INTO no_such_table VALUES (1)"))
    finally:
        write_intent.reset(token)
    queue = queue_for(str(path))
    assert queue.acquire(0)
    queue.release()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM log")).scalar() == 0


def test_readers_do_not_queue(database):
    path, engine = database
    queue = queue_for(str(path))
    assert queue.acquire(1)
    try:
        with engine.connect() as connection:  # a plain BEGIN: no write intent
            assert connection.execute(text("SELECT count(*) FROM log")).scalar() == 0
    finally:
        queue.release()


def _hold_the_queue(path: str, held, leave) -> None:
    queue = WriterQueue(path)
    assert queue.acquire(1)
    held.set()
    leave.wait(30)
    queue.release()


def test_a_writer_waits_no_longer_than_the_busy_timeout_then_gets_a_lock_error(
        database, monkeypatch):
    path, engine = database
    context = multiprocessing.get_context("fork")
    held, leave = context.Event(), context.Event()
    holder = context.Process(target=_hold_the_queue,
                             args=(os.path.realpath(path), held, leave))
    holder.start()
    try:
        assert held.wait(30)
        monkeypatch.setattr("app.database.BUSY_TIMEOUT_MS", 200)
        started = time.monotonic()
        with pytest.raises(OperationalError) as caught:
            _write(engine, "late")
        waited = time.monotonic() - started
        assert is_lock_error(caught.value)
        assert 0.19 < waited < 5
    finally:
        leave.set()
        holder.join(30)
    _write(engine, "after")  # the holder left: the queue is free again
    assert _never_interleaved(engine) == ["after"]


def test_a_forked_child_does_not_inherit_a_held_queue(database):
    path, _engine_ = database
    queue = queue_for(str(path))
    assert queue.acquire(1)
    try:
        context = multiprocessing.get_context("fork")
        # While the parent holds it, the child (own thread lock, own open file) must wait.
        child = context.Process(target=_child_exits_with_acquire, args=(str(path),))
        child.start()
        child.join(30)
        assert child.exitcode == 1  # could not take it within 0.2 s
    finally:
        queue.release()
    child = context.Process(target=_child_exits_with_acquire, args=(str(path),))
    child.start()
    child.join(30)
    assert child.exitcode == 0


def _child_exits_with_acquire(path: str) -> None:
    queue = queue_for(path)
    os._exit(0 if queue.acquire(0.2) else 1)


def test_an_in_memory_database_has_no_queue():
    engine = create_engine("sqlite://")
    configure_engine_events(engine)
    with engine.connect() as connection:
        assert not isinstance(connection.connection.dbapi_connection, QueuedConnection)
