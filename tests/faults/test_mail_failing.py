"""The outbox folder or the SMTP server fails: the order still succeeds (201), the message
is queued in the database, and `flask mail retry` delivers it once a transport works —
once only."""

from __future__ import annotations

import smtplib
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from app.clock import now
from app.outbox import services as mail_queue
from app.outbox.models import QueuedMail
from storefront.models import Order
from tests.factories import make_product, order_payload, receive_stock


@pytest.fixture
def product(db_session):
    product = make_product(name="Cơm cháy chà bông", price_vnd=85_000)
    receive_stock(product, 10)
    return product


@pytest.fixture
def config(app):
    keys = ("MAIL_OUTBOX_DIR", "MAIL_SMTP_HOST", "MAIL_SMTP_PORT")
    saved = {k: app.config[k] for k in keys}
    yield app.config
    app.config.update(saved)


def _queued(db_session) -> list[QueuedMail]:
    db_session.expire_all()
    return list(db_session.scalars(select(QueuedMail).order_by(QueuedMail.id)))


def test_outbox_folder_failing_queues_the_mail_and_the_order_succeeds(
        client, db_session, product, config, tmp_path, caplog):
    blocked = tmp_path / "outbox"
    blocked.write_text("a file where the folder should be")  # mkdir/write fail: OSError
    config["MAIL_OUTBOX_DIR"] = str(blocked)
    answer = client.post("/api/v1/orders", json=order_payload((product, 2)))
    assert answer.status_code == 201, answer.json
    number = answer.json["number"]
    assert db_session.scalar(select(Order).where(Order.number == number)) is not None
    [queued] = _queued(db_session)
    assert queued.sent_at is None and queued.attempts == 1
    assert "emily@example.com" in queued.recipients and number in queued.subject
    assert "Error" in queued.last_error
    assert "queued for retry" in caplog.text

    # Not due yet: a retry run right away leaves it alone.
    assert mail_queue.retry(db_session).sent == []
    # The folder is repaired; once due, the retry delivers it — the very same message.
    blocked.unlink()
    queued.next_attempt_at = now() - timedelta(seconds=1)
    report = mail_queue.retry(db_session)
    assert report.sent == [queued.id]
    [eml] = list(blocked.glob("*.eml"))
    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert number in mail["Subject"] and mail["To"] == "emily@example.com"
    assert f"/orders/{number}?token={answer.json['access_token']}" in mail.get_body(("plain",)).get_content()
    assert _queued(db_session)[0].sent_at is not None
    # Delivered once: another run sends nothing more.
    assert mail_queue.retry(db_session, everything=True).sent == []
    assert len(list(blocked.glob("*.eml"))) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeSMTP:
    """An SMTP server that works again (records what it is given)."""
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        FakeSMTP.sent.append(message)


def test_smtp_down_queues_then_retry_backs_off_and_finally_delivers(
        client, db_session, product, config, monkeypatch, app):
    config["MAIL_SMTP_HOST"] = "127.0.0.1"
    config["MAIL_SMTP_PORT"] = _closed_port()  # connection refused
    answer = client.post("/api/v1/orders", json=order_payload((product, 1)))
    assert answer.status_code == 201, answer.json
    [queued] = _queued(db_session)
    assert "ConnectionRefusedError" in queued.last_error

    # Still down: the attempt is counted and the next one pushed back (1, 2, 4 … minutes).
    queued.next_attempt_at = now() - timedelta(seconds=1)
    report = mail_queue.retry(db_session)
    assert report.failed == [queued.id]
    assert queued.attempts == 2
    assert queued.next_attempt_at > now() + timedelta(seconds=100)

    # The server is back: the CLI (`flask mail retry --all`) delivers it.
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    result = app.test_cli_runner().invoke(args=["mail", "retry", "--all"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output and "still queued 0" in result.output
    [message] = FakeSMTP.sent
    assert answer.json["number"] in str(message["Subject"])


def test_a_message_failing_too_often_is_given_up_and_counted(db_session, app, config, tmp_path):
    from app.mail import send_mail

    blocked = tmp_path / "outbox"
    blocked.write_text("not a folder")
    config["MAIL_OUTBOX_DIR"] = str(blocked)
    with app.test_request_context():
        send_mail("a@example.com", "Xin chào", "Nội dung")
    [queued] = _queued(db_session)
    limit = app.config["MAIL_RETRY_MAX_ATTEMPTS"]
    for _ in range(limit - 1):
        queued.next_attempt_at = now() - timedelta(seconds=1)
        report = mail_queue.retry(db_session)
    assert report.given_up == [queued.id] and queued.attempts == limit
    queued.next_attempt_at = now() - timedelta(seconds=1)
    assert mail_queue.retry(db_session).failed == []  # no longer tried by the timer
    assert mail_queue.pending_count(db_session) == 1  # but visible in `flask mail status`
