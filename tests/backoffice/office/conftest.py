from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit import AuditEntry
from app.extensions import db
from tests.factories import make_token, make_user


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": "correct horse"})
    assert response.status_code == 302


@pytest.fixture
def officer(db_session):
    return make_user("admin")


@pytest.fixture
def admin_headers(officer):
    return {"Authorization": f"Bearer {make_token(officer)}"}


def audit_rows(object_type: str | None = None, object_id=None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    return list(db.session.scalars(query))


def read_outbox(outbox):
    import email
    import email.policy

    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(outbox.glob("*.eml"))]


@pytest.fixture
def search_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_BACKEND", "whoosh")
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(tmp_path / "search-index"))
