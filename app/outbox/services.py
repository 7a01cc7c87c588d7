"""Queue a message that failed, and retry the queue.

A failed delivery is written in its own short transaction (its own connection in
production; a savepoint of the caller's connection in tests), so it is kept even when the
caller has already committed — mail is sent after the commit — and never commits the
caller's work. Back-off: 1, 2, 4 … minutes, at most an hour, `MAIL_RETRY_MAX_ATTEMPTS`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import now
from app.extensions import db
from app.outbox.models import QueuedMail

log = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"[:1000]


def enqueue(message: EmailMessage, err: BaseException) -> None:
    """Keep `message` for a later attempt. Never raises: the order (or whatever sent the
    mail) has succeeded, and a lost e-mail must not turn it into an error page."""
    row = dict(recipients=str(message["To"] or ""), subject=str(message["Subject"] or "")[:500],
               message=bytes(message), attempts=1, last_error=_describe(err),
               next_attempt_at=now() + backoff(1))
    try:
        with Session(bind=db.session.get_bind(), join_transaction_mode="create_savepoint") as own:
            own.add(QueuedMail(**row))
            own.commit()
    except Exception:  # e.g. SQLite locked by the caller's own open write
        try:
            db.session.add(QueuedMail(**row))
            db.session.flush()  # committed with the caller's transaction
        except Exception:
            log.exception("mail to %s (%s) could not be queued either; it is lost",
                          row["recipients"], row["subject"])
            return
    log.warning("mail to %s (%s) not delivered, queued for retry: %s",
                row["recipients"], row["subject"], row["last_error"])


@dataclass
class RetryReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    given_up: list[int] = field(default_factory=list)


def due(session: Session, *, everything: bool = False) -> list[QueuedMail]:
    query = select(QueuedMail).where(QueuedMail.sent_at.is_(None))
    if not everything:
        query = query.where(QueuedMail.next_attempt_at <= now(),
                            QueuedMail.attempts < current_app.config["MAIL_RETRY_MAX_ATTEMPTS"])
    # SKIP LOCKED: two retry runs at once never send the same message twice (PostgreSQL).
    return list(session.scalars(query.order_by(QueuedMail.id).with_for_update(skip_locked=True)))


def retry(session: Session, *, everything: bool = False) -> RetryReport:
    """Try every due message once more; the caller commits."""
    from app.mail import deliver

    report = RetryReport()
    limit = current_app.config["MAIL_RETRY_MAX_ATTEMPTS"]
    for queued in due(session, everything=everything):
        try:
            deliver(queued.message)
        except Exception as err:  # SMTP or disk: counted, retried later
            queued.attempts += 1
            queued.last_error = _describe(err)
            queued.next_attempt_at = now() + backoff(queued.attempts)
            (report.given_up if queued.attempts >= limit else report.failed).append(queued.id)
            log.warning("mail %s still not delivered (attempt %s): %s", queued.id,
                        queued.attempts, queued.last_error)
        else:
            queued.sent_at = now()
            report.sent.append(queued.id)
    session.flush()
    return report


def pending_count(session: Session) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count(QueuedMail.id)).where(QueuedMail.sent_at.is_(None))) or 0
