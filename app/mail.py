"""E-mail: written as `.eml` files to the outbox folder in development and tests, sent via
SMTP when MAIL_SMTP_HOST is set. A delivery that fails is queued in the database and
retried (`app.outbox`): the order that sent it still succeeds."""

from __future__ import annotations

import email
import email.policy
import itertools
import os
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from app.clock import now

# Folding a long Vietnamese Subject splits it into RFC 2047 encoded words and CPython drops
# the space at the split ("Tả Củ" arrives as "TảCủ"); RFC 5322 allows 998-character lines.
UNFOLDED = email.policy.default.clone(max_line_length=998)

# Outbox files sort in the order they were written: the clock to the microsecond, then this
# process's own sequence (the clock may stand still in tests, or repeat within a microsecond).
_written = itertools.count()


def send_mail(to: str | list[str], subject: str, text: str, html: str | None = None,
              *, reply_to: str | None = None) -> EmailMessage:
    """Send (or drop in the outbox) one message; returns it for callers that log it."""
    config = current_app.config
    message = EmailMessage(policy=UNFOLDED)
    message["From"] = config["MAIL_FROM"]
    message["To"] = ", ".join(to) if isinstance(to, list) else to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="ocop.local")
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    try:
        deliver(message)
    except (OSError, smtplib.SMTPException) as err:  # SMTP down, folder not writable…
        from app.outbox.services import enqueue

        enqueue(message, err)  # retried by `flask mail retry`; the caller has succeeded
    return message


def deliver(message: EmailMessage | bytes) -> None:
    """One attempt: SMTP when MAIL_SMTP_HOST is set, else a `.eml` file in the outbox."""
    config = current_app.config
    raw = message if isinstance(message, bytes) else bytes(message)
    if config.get("MAIL_SMTP_HOST"):
        parsed = email.message_from_bytes(raw, policy=UNFOLDED)
        with smtplib.SMTP(config["MAIL_SMTP_HOST"], config["MAIL_SMTP_PORT"], timeout=10) as smtp:
            smtp.send_message(parsed)
    else:
        outbox = Path(config["MAIL_OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        name = (f"{now():%Y%m%dT%H%M%S%f}-{next(_written):08d}-{os.getpid()}"
                f"-{uuid.uuid4().hex[:8]}.eml")
        (outbox / name).write_bytes(raw)
