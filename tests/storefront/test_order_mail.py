"""Order mails go out after the commit, never for a transaction that rolled back (as the
search index is written after the commit)."""

from __future__ import annotations

from storefront.order_mail import Mail, send_after_commit


def test_a_mail_is_sent_when_its_transaction_commits(db_session, outbox):
    send_after_commit(db_session, Mail("lan@example.com", "Đơn hàng A", "Cảm ơn"))
    assert list(outbox.glob("*.eml")) == []  # not before the commit
    db_session.commit()
    assert len(list(outbox.glob("*.eml"))) == 1
    db_session.commit()  # sent once: nothing left queued
    assert len(list(outbox.glob("*.eml"))) == 1


def test_no_mail_for_a_rolled_back_transaction(db_session, outbox):
    send_after_commit(db_session, Mail("lan@example.com", "Đơn hàng B", "Cảm ơn"), None)
    db_session.rollback()
    db_session.commit()
    assert list(outbox.glob("*.eml")) == []
