"""Sessions and passwords: a copied session cookie is dead after logout, a password change
or a deactivation (of the user or of its producer); passwords have at least 10 characters
wherever they are set and are hashed with scrypt (older hashes still sign in, and are
upgraded). Cookie flags: SameSite=Lax, HttpOnly, Secure when BASE_URL is https."""

from __future__ import annotations

import pytest
from flask import g
from werkzeug.security import generate_password_hash

from app import create_app
from app.accounts.services import authenticate_password
from app.extensions import db
from catalog.services import set_producer_active
from tests import conftest
from tests.conftest import ArrangedClient
from tests.factories import make_producer, make_user

PASSWORD = "correct horse"


class Browser(ArrangedClient):
    """Each request loads its user from its own cookie, as on a real server: requests in the
    tests share the test's app context, and Flask-Login keeps the last loaded user in its `g`."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db_session):
    app.test_client_class = Browser
    yield app.test_client()
    app.test_client_class = ArrangedClient


def sign_in(client, user, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def copy_of(client, app):
    """A second browser holding the same session cookie (copied, stolen, another tab)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def signed_in(client) -> bool:
    response = client.get("/seller/")
    return response.status_code == 200


@pytest.fixture
def producer_user(db_session):
    return make_user("producer", producer=make_producer())


def test_a_copied_cookie_is_dead_after_logout(app, client, producer_user):
    sign_in(client, producer_user)
    copy = copy_of(client, app)
    assert signed_in(copy)  # the copy works while the session lives
    assert client.post("/logout").status_code == 302
    assert not signed_in(client)
    assert not signed_in(copy)
    assert copy.get("/seller/").headers["Location"].startswith("/login")
    sign_in(client, producer_user)  # signing in again works, with a new cookie
    assert signed_in(client) and not signed_in(copy)


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, producer_user):
    sign_in(client, producer_user)
    copy = copy_of(client, app)
    page = client.get("/account/password")
    assert page.status_code == 200 and 'autocomplete="new-password"' in page.get_data(as_text=True)
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": "a new long passphrase", "confirm": "a new long passphrase"})
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(copy)
    client.post("/logout")
    with pytest.raises(AssertionError):
        sign_in(client, producer_user)  # the old password no longer works
    sign_in(client, producer_user, "a new long passphrase")


@pytest.mark.parametrize(("form", "message"), [
    ({"current": "wrong password!", "new": "a new long passphrase", "confirm": "a new long passphrase"},
     "Mật khẩu hiện tại không đúng"),
    ({"current": PASSWORD, "new": "short", "confirm": "short"}, "Mật khẩu cần từ 10 đến 200 ký tự"),
    ({"current": PASSWORD, "new": "a new long passphrase", "confirm": "another one entirely"},
     "Hai mật khẩu mới không giống nhau"),
])
def test_a_refused_password_change_says_why_and_changes_nothing(app, client, producer_user, form, message):
    sign_in(client, producer_user)
    copy = copy_of(client, app)
    response = client.post("/account/password", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert signed_in(copy)  # nothing ended
    assert authenticate_password(db.session, producer_user.email, PASSWORD) is not None


def test_deactivating_the_user_ends_its_sessions(app, client, producer_user):
    sign_in(client, producer_user)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "deactivate", "--email", producer_user.email])
    assert result.exit_code == 0, result.output
    assert not signed_in(client)
    result = runner.invoke(args=["users", "activate", "--email", producer_user.email])
    assert result.exit_code == 0 and "is active" in result.output
    assert not signed_in(client)  # reactivation does not bring old cookies back
    sign_in(client, producer_user)


def test_deactivating_the_producer_ends_its_staffs_sessions(app, client, producer_user, db_session):
    other = make_user("producer", producer=make_producer())
    sign_in(client, producer_user)
    elsewhere = app.test_client()
    sign_in(elsewhere, other)
    set_producer_active(db_session, producer_user.producer, active=False, reason="Hàng giả")
    db_session.commit()
    assert not signed_in(client)
    assert signed_in(elsewhere)  # another producer's staff are not touched


def test_a_session_of_the_old_form_without_a_version_signs_no_one_in(app, client, producer_user):
    with client.session_transaction() as session:
        session["_user_id"] = str(producer_user.id)
        session["_fresh"] = True
    assert not signed_in(client)


def test_the_cli_sets_passwords_of_ten_characters_at_least(app, db_session, producer_user):
    db_session.commit()  # arranged: a refused command rolls back its own work only
    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "set-password", "--email", producer_user.email,
                                "--password", "123456789"])
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    ok = runner.invoke(args=["users", "set-password", "--email", producer_user.email,
                             "--password", "mười ký tự trở lên"])
    assert ok.exit_code == 0, ok.output
    assert authenticate_password(db_session, producer_user.email, "mười ký tự trở lên") is not None
    unknown = runner.invoke(args=["users", "set-password", "--email", "nobody@example.vn",
                                  "--password", "mười ký tự trở lên"])
    assert unknown.exit_code != 0 and "No user" in unknown.output


def test_passwords_are_hashed_with_scrypt_and_older_hashes_are_upgraded(client, db_session):
    user = make_user("customer")
    assert user.password_hash.startswith("scrypt:")
    user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db_session.commit()
    sign_in(client, user)
    db_session.refresh(user)
    assert user.password_hash.startswith("scrypt:")
    assert authenticate_password(db_session, user.email, PASSWORD) == user


def test_session_cookie_flags_over_http(client, producer_user):
    cookie = sign_in(client, producer_user).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # BASE_URL is http in the tests


def test_session_cookie_is_secure_when_the_site_is_https(workdir, db_session):
    app = create_app(conftest.test_config(workdir) | {"BASE_URL": "https://ocop.example.vn"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax" == app.config["REMEMBER_COOKIE_SAMESITE"]
    response = app.test_client().get("/login?lang=en")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
