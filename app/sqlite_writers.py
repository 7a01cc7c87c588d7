"""The embedded SQLite default's writers, handed the write lock one after another.

SQLite lets one transaction write at a time. A second `BEGIN IMMEDIATE` finds the lock taken
and SQLite's busy handler sleeps 1, 2, 5, 10… ms before it tries again, however soon the lock
is freed: with two workers scanning stamps (a write each, held for a few hundred µs), most of
a worker's time went into those sleeps.

So writers queue in front of SQLite instead: a thread lock inside the process, then an
exclusive `flock` on `<database>-writers.lock` across processes (the kernel frees it if a
process dies). A writer takes both before `BEGIN IMMEDIATE` and gives them back as soon as
its COMMIT or ROLLBACK returns (the connection class below), so the next one starts at once
and `BEGIN IMMEDIATE` then finds the database free. The wait is bounded by the busy timeout;
past it the writer gets SQLite's own "database is locked" error, which the application
retries once and then answers 503 (app.database). A writer that does not use this queue
(another program, `sqlite3` on the command line) is still handled by SQLite's busy timeout.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import threading
import time

from sqlalchemy.exc import OperationalError

# Between two tries of the file lock while another process writes: short enough that the
# next writer starts within a fraction of one scan's time, long enough not to spin.
FIRST_PAUSE_S, LONGEST_PAUSE_S = 0.00005, 0.0005


class WriterQueue:
    """One writer at a time on one SQLite file, across the threads and processes using it."""

    def __init__(self, database_path: str):
        self.lock_path = database_path + "-writers.lock"
        self._after_fork()

    def _after_fork(self) -> None:
        # A forked child shares its parent's open file (and so its flock) and may have
        # copied a thread lock that some other thread held: it starts afresh.
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = os.getpid()

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd

    def acquire(self, timeout: float) -> bool:
        """Wait until this thread is the only writer; False when `timeout` s pass first."""
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            return False
        try:
            fd, pause = self._file(), FIRST_PAUSE_S
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except OSError as err:
                    if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                        raise
                if time.monotonic() + pause > deadline:
                    self._threads.release()
                    return False
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_S)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        fcntl.flock(self._file(), fcntl.LOCK_UN)
        self._threads.release()


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def queue_for(database_path: str) -> WriterQueue:
    """The process's one queue for a database file (engines on one file share it)."""
    path = os.path.realpath(database_path)
    with _queues_lock:
        queue = _queues.get(path)
        if queue is None:
            queue = _queues[path] = WriterQueue(path)
        return queue


def _reset_after_fork() -> None:
    for queue in _queues.values():
        queue._after_fork()


os.register_at_fork(after_in_child=_reset_after_fork)


class QueuedConnection(sqlite3.Connection):
    """A pysqlite connection that gives the writers' queue back once its transaction ends
    (SQLAlchemy ends transactions through `commit()` / `rollback()`)."""

    writer_queue: WriterQueue | None = None
    holds_queue = False

    def take_queue(self, timeout: float) -> None:
        if self.writer_queue is None or self.holds_queue:
            return
        if not self.writer_queue.acquire(timeout):
            orig = sqlite3.OperationalError("database is locked")
            raise OperationalError("BEGIN IMMEDIATE", None, orig)
        self.holds_queue = True

    def give_back_queue(self) -> None:
        if self.holds_queue:
            self.holds_queue = False
            self.writer_queue.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_back_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_back_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_back_queue()
