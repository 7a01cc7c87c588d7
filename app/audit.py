"""The audit log (DOMAIN §10): every change made by a signed-in user — who, when, from where
(a salted client hash, never the raw address), what object, which action, and before → after
of the changed fields — written in the SAME transaction as the change.

Generic on purpose: one `after_flush` listener on every SQLAlchemy session reads the unit of
work (inserts, updates, deletes of mapped objects, with their attribute history) and inserts
the audit rows with a Core statement on the flush's own connection. A change that rolls back
takes its audit rows with it; a committed change always has them. Models added later by other
packages are audited without any work of theirs; high-volume tables that are not user changes
opt out in `NOT_AUDITED`.

The actor is set once per request by the auth layer (`set_actor`: the session user loader
and the API token check); writes with no actor (anonymous customers, CLI, jobs) are not
audited. Append-only: no route updates or deletes a row, and on PostgreSQL a trigger
(migration 0009) refuses UPDATE and DELETE on the table.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import JSON, DateTime, Index, Integer, String, event, func, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import get_history

from app import spreadsheet
from app.clock import LOCAL_TZ, now
from app.extensions import db

# Tables whose rows are not user changes, or are written by the thousand per minute (scans,
# search, reservations), or are the log itself.
NOT_AUDITED = frozenset({
    "audit_log", "scans", "stamp_clients", "stamp_scans", "stock_reservations", "search_documents",
    "search_index", "certificate_reminders", "stripe_events", "alembic_version",
    "api_tokens", "listing_segments", "catalog_state",
})
# Never copied into the log, whatever the table.
REDACTED = frozenset({"password_hash", "token_hash", "access_token_hash", "secret",
                      "session_version"})
# Bookkeeping columns that change by themselves.
IGNORED = frozenset({"updated_at"})
ROLES_NOT_AUDITED = frozenset({"customer"})
ACTIONS = ("insert", "update", "delete")


class AuditEntry(db.Model):
    """One change to one object. Append-only (no UPDATE, no DELETE)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_object", "object_type", "object_id"),
        Index("ix_audit_log_actor_id_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # No foreign key: the log outlives what it talks about.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(254))
    actor_role: Mapped[str] = mapped_column(String(30))
    client_hash: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(10))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(80))


# --- Who is acting ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Actor:
    id: int | None
    label: str
    role: str
    client_hash: str | None = None
    request: str | None = None


def client_hash(address: str | None) -> str:
    """A keyed hash of the client address (the raw address is never stored)."""
    salt = current_app.config.get("SCAN_HASH_SALT") or current_app.config["SECRET_KEY"]
    return hmac.new(f"audit:{salt}".encode(), (address or "").encode(), hashlib.sha256).hexdigest()[:32]


def set_actor(user) -> None:
    """Called by the auth layer once the request's user is known (session or API token)."""
    if not has_app_context() or user is None:
        return
    address = request.remote_addr if has_request_context() else None
    where = f"{request.method} {request.path}"[:80] if has_request_context() else None
    g.audit_actor = Actor(id=user.id, label=user.email, role=user.role,
                          client_hash=client_hash(address) if has_request_context() else None,
                          request=where)


def current_actor() -> Actor | None:
    if not has_app_context():
        return None
    actor = g.get("audit_actor")
    if actor is None and has_request_context():
        # A session user Flask-Login has already loaded for this request (no query here).
        user = g.get("_login_user")
        if user is not None and getattr(user, "is_authenticated", False):
            set_actor(user)
            actor = g.get("audit_actor")
    return actor


def init_app(app) -> None:
    """Each request starts with no actor; the auth layer names one."""

    @app.before_request
    def _forget_actor() -> None:
        g.pop("audit_actor", None)


class acting_as:  # noqa: N801 — used like a function: `with acting_as(user): …`
    """Attribute the writes of a block to `user` (CLI commands run by a named officer, tests)."""

    def __init__(self, user):
        self.user = user

    def __enter__(self):
        self.previous = g.get("audit_actor")
        set_actor(self.user)
        return self

    def __exit__(self, *exc):
        g.audit_actor = self.previous
        return False


# --- The listener -------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _columns(obj):
    mapper = inspect(obj).mapper
    for attr in mapper.column_attrs:
        if attr.key in IGNORED:
            continue
        yield attr.key


def _value(key: str, value: Any) -> Any:
    return "***" if key in REDACTED else _plain(value)


def _snapshot(obj) -> dict:
    state = inspect(obj)
    values = {}
    for key in _columns(obj):
        if key in state.unloaded:
            continue
        value = state.dict.get(key)
        if value is not None:
            values[key] = _value(key, value)
    return values


def _changes(obj) -> tuple[dict, dict]:
    before, after = {}, {}
    for key in _columns(obj):
        history = get_history(obj, key)
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if _plain(old) == _plain(new):
            continue
        before[key] = _value(key, old)
        after[key] = _value(key, new)
    return before, after


def _identity(obj) -> str:
    identity = inspect(obj).mapper.primary_key_from_instance(obj)
    return ":".join(str(part) for part in identity)[:64]


def _audited(obj) -> bool:
    table = getattr(obj, "__tablename__", None)
    return table is not None and table not in NOT_AUDITED


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, flush_context) -> None:
    actor = current_actor()
    if actor is None or actor.role in ROLES_NOT_AUDITED:
        return
    at = now()
    rows = []
    for obj in session.new:
        if _audited(obj):
            rows.append(("insert", obj, None, _snapshot(obj)))
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if before or after:
                rows.append(("update", obj, before, after))
    for obj in session.deleted:
        if _audited(obj):
            rows.append(("delete", obj, _snapshot(obj), None))
    if not rows:
        return
    session.connection().execute(insert(AuditEntry.__table__), [
        {"at": at, "actor_id": actor.id, "actor": actor.label, "actor_role": actor.role,
         "client_hash": actor.client_hash, "action": action, "object_type": obj.__tablename__,
         "object_id": _identity(obj), "before": before, "after": after,
         "request_id": actor.request}
        for action, obj, before, after in rows
    ])


def record(session: Session, *, action: str, object_type: str, object_id, before: dict | None = None,
           after: dict | None = None) -> None:
    """One audit row for a change made with a Core statement (bulk inserts the listener
    cannot see, e.g. stamp issuance), in the same transaction; nothing without an actor."""
    actor = current_actor()
    if actor is None or actor.role in ROLES_NOT_AUDITED:
        return
    session.connection().execute(insert(AuditEntry.__table__), [{
        "at": now(), "actor_id": actor.id, "actor": actor.label, "actor_role": actor.role,
        "client_hash": actor.client_hash, "action": action, "object_type": object_type,
        "object_id": str(object_id)[:64], "before": before, "after": after,
        "request_id": actor.request}])


# --- Reading the log ------------------------------------------------------------------------------

@dataclass
class AuditFilter:
    actor: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LOCAL_TZ)


def audit_query(filters: AuditFilter):
    query = select(AuditEntry)
    if filters.actor:
        text = filters.actor.strip()
        query = query.where(AuditEntry.actor_id == int(text)) if text.isdigit() else \
            query.where(func.lower(AuditEntry.actor).contains(text.lower()))
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type.strip())
    if filters.object_id:
        query = query.where(AuditEntry.object_id == filters.object_id.strip())
    if filters.action:
        query = query.where(AuditEntry.action == filters.action.strip())
    if filters.since:
        query = query.where(AuditEntry.at >= _local_start(filters.since))
    if filters.until:
        from datetime import timedelta

        query = query.where(AuditEntry.at < _local_start(filters.until + timedelta(days=1)))
    return query


def find_entries(session: Session, filters: AuditFilter, *, page: int = 1,
                 per_page: int = 50) -> tuple[list[AuditEntry], int]:
    """Newest first; (entries of the page, total)."""
    query = audit_query(filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return list(entries), total


def object_history(session: Session, object_type: str, object_id: int | str,
                   limit: int = 100) -> list[AuditEntry]:
    """The audit of one object, newest first (shown on its own page)."""
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == object_type,
                                 AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


def object_types(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.object_type).distinct()
                                .order_by(AuditEntry.object_type)))


def entry_json(entry: AuditEntry) -> dict:
    return {"id": entry.id, "at": entry.at.isoformat() if entry.at else None,
            "actor": entry.actor, "actor_id": entry.actor_id, "actor_role": entry.actor_role,
            "client_hash": entry.client_hash, "action": entry.action,
            "object_type": entry.object_type, "object_id": entry.object_id,
            "before": entry.before, "after": entry.after}


CSV_COLUMNS = ("at", "actor", "actor_role", "client_hash", "action", "object_type", "object_id",
               "before", "after")


def entries_csv(entries) -> str:
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow((
            entry.at.isoformat() if entry.at else "", entry.actor, entry.actor_role,
            entry.client_hash, entry.action, entry.object_type, entry.object_id,
            json.dumps(entry.before, ensure_ascii=False) if entry.before is not None else "",
            json.dumps(entry.after, ensure_ascii=False) if entry.after is not None else ""))
    return "\ufeff" + out.getvalue()
