"""`users create` and `tokens create` (CONTRACT §2), through the real command line."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from app.accounts.models import ApiToken, User
from app.accounts.services import authenticate_password
from tests.factories import auth, make_producer, make_product, make_sales_point

PASSWORD = "mật-khẩu-dài-2026"


@pytest.fixture
def cli(app, db_session):
    def _invoke(*args: str):
        return app.test_cli_runner().invoke(args=list(args))
    return _invoke


def create_user(cli, email: str, role: str, *extra: str):
    return cli("users", "create", "--email", email, "--password", PASSWORD, "--role", role, *extra)


def user(session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


@pytest.mark.parametrize("role", ["admin", "organizer", "customer"])
def test_users_create_makes_a_user_of_each_plain_role(cli, db_session, role):
    result = create_user(cli, f"{role}@ocop.example.vn", role)
    assert result.exit_code == 0, result.output
    assert f"created {role} user {role}@ocop.example.vn" in result.stdout
    created = user(db_session, f"{role}@ocop.example.vn")
    assert created.role == role and created.producer is None and created.sales_point is None
    assert authenticate_password(db_session, f"{role}@ocop.example.vn", PASSWORD) == created
    assert PASSWORD not in created.password_hash


def test_a_producer_user_belongs_to_the_producer_named_by_tax_code(cli, db_session):
    producer = make_producer(tax_code="5300812399")
    result = create_user(cli, "tuan@htx-bacha.example.vn", "producer", "--producer", "5300812399")
    assert result.exit_code == 0, result.output
    assert user(db_session, "tuan@htx-bacha.example.vn").producer_id == producer.id


def test_a_sales_point_user_belongs_to_the_point_named_by_code(cli, db_session):
    point = make_sales_point(code="PQ-DUONGDONG")
    result = create_user(cli, "lan@ocop-pq.example.vn", "sales_point", "--sales-point",
                         "pq-duongdong")
    assert result.exit_code == 0, result.output
    assert user(db_session, "lan@ocop-pq.example.vn").sales_point_id == point.id


@pytest.mark.parametrize(("role", "extra", "message"), [
    ("producer", (), "needs --producer TAX_CODE"),
    ("producer", ("--producer", "0000000000"), "No producer with tax code 0000000000"),
    ("sales_point", (), "needs --sales-point CODE"),
    ("sales_point", ("--sales-point", "NOWHERE"), "No sales point 'NOWHERE'"),
])
def test_missing_or_unknown_producer_or_sales_point_is_a_clear_error(cli, db_session, role,
                                                                      extra, message):
    result = create_user(cli, "someone@example.vn", role, *extra)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert user(db_session, "someone@example.vn") is None


def test_an_unknown_role_is_refused_by_the_command_line(cli, db_session):
    result = create_user(cli, "x@example.vn", "superuser")
    assert result.exit_code == 2
    assert "superuser" in result.output
    assert user(db_session, "x@example.vn") is None


@pytest.mark.parametrize(("email", "password", "message"), [
    ("not-an-email", PASSWORD, "Invalid email address"),
    ("short@example.vn", "123456789", "at least 10 characters"),
])
def test_bad_email_or_weak_password_is_refused(cli, db_session, email, password, message):
    result = cli("users", "create", "--email", email, "--password", password, "--role", "admin")
    assert result.exit_code != 0 and message in result.output


def test_a_duplicate_email_is_refused_whatever_its_case(cli, db_session):
    assert create_user(cli, "minh@ocop.example.vn", "admin").exit_code == 0
    result = create_user(cli, "Minh@OCOP.example.vn", "customer")
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert user(db_session, "minh@ocop.example.vn").role == "admin"


def test_tokens_create_prints_the_token_last_and_stores_only_its_hash(cli, db_session):
    assert create_user(cli, "office@ocop.example.vn", "admin").exit_code == 0
    result = cli("tokens", "create", "--email", "office@ocop.example.vn")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) >= 32 and " " not in token
    stored = db_session.scalars(select(ApiToken).where(
        ApiToken.user_id == user(db_session, "office@ocop.example.vn").id)).all()
    assert len(stored) == 1
    assert stored[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (stored[0].token_hash, stored[0].name or "")
    again = cli("tokens", "create", "--email", "office@ocop.example.vn")
    assert again.stdout.strip().splitlines()[-1] != token  # a new random token every time


def test_tokens_create_for_an_unknown_email_fails(cli, db_session):
    result = cli("tokens", "create", "--email", "nobody@example.vn")
    assert result.exit_code != 0 and "No user with email nobody@example.vn" in result.output


def test_a_producer_token_from_the_cli_works_on_the_seller_api(cli, client, db_session):
    producer = make_producer(tax_code="1700145699")
    mine = make_product(producer, name="Tiêu đen Phú Quốc")
    make_product(name="Sản phẩm của người khác")
    assert create_user(cli, "seller@hotieu.example.vn", "producer", "--producer",
                       "1700145699").exit_code == 0
    token = cli("tokens", "create", "--email", "seller@hotieu.example.vn").stdout.splitlines()[-1]

    response = client.get("/api/v1/seller/products", headers=auth(token))
    assert response.status_code == 200
    slugs = [item["slug"] for item in response.get_json()["items"]]
    assert slugs == [mine.slug]

    wrong = client.get("/api/v1/seller/products", headers=auth(token[:-2] + "xx"))
    assert wrong.status_code == 401
    assert wrong.get_json()["error"]["code"] == "unauthorized"
    missing = client.get("/api/v1/seller/products")
    assert missing.status_code == 401
