"""Signing in with a real /login page (Flask-Login sessions)."""

from tests.factories import make_producer, make_user


def test_login_page_renders_an_accessible_form(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="email"' in html and '<label for="password"' in html
    assert 'autocomplete="current-password"' in html


def test_wrong_password_is_refused_with_a_message(client):
    user = make_user("admin")
    response = client.post("/login", data={"email": user.email, "password": "wrong password"})
    assert response.status_code == 200
    assert "Email hoặc mật khẩu không đúng" in response.get_data(as_text=True)


def test_producer_signs_in_and_lands_on_the_seller_area(client):
    user = make_user("producer", producer=make_producer())
    response = client.post("/login", data={"email": user.email, "password": "correct horse"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/seller/"


def test_next_parameter_cannot_redirect_off_site(client):
    user = make_user("customer")
    response = client.post("/login?next=https://evil.example/", data={"email": user.email,
                                                                       "password": "correct horse"})
    assert response.headers["Location"] == "/"


def test_logout_ends_the_session(client):
    user = make_user("customer")
    client.post("/login", data={"email": user.email, "password": "correct horse"})
    assert client.post("/logout").status_code == 302
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


def test_demo_accounts_with_local_addresses_can_sign_in(client, db_session):
    from app.accounts.services import create_user

    create_user(db_session, email="admin@ocop.local", password="ocop-demo-2026", role="admin")
    response = client.post("/login", data={"email": "Admin@ocop.local", "password": "ocop-demo-2026"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
