"""Engine tuning per dialect."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine_events(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def sqlite_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, emit BEGIN: needed for SAVEPOINTs (tests) and
        # for honest transactions (SQLAlchemy docs, "Serializable isolation / Savepoints").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def sqlite_begin(conn):
        conn.exec_driver_sql("BEGIN")


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a CHECK that `column` holds one of `values` (the same text on every dialect)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
