"""SECRET_KEY: outside development and testing the app refuses to start without a strong key
(the public default would let anyone sign a session as the OCOP office); `make run` keeps one
in instance/secret_key, which the configuration reads when SECRET_KEY is not set."""

from __future__ import annotations

import secrets
import subprocess

import pytest

from app import create_app
from app.config import ROOT
from app.security import DEVELOPMENT_KEY, InsecureConfiguration, read_secret_key, secret_key_weakness
from tests import conftest

STRONG = secrets.token_urlsafe(48)


def production(workdir, **overrides):
    return conftest.test_config(workdir) | {"TESTING": False, "OCOP_ENV": "production"} | overrides


@pytest.mark.parametrize(("key", "reason"), [
    (None, "is not set"),
    ("", "is not set"),
    ("dev-only-secret-change-me", "public example value"),
    ("change-me-64-random-characters", "public example value"),
    ("test-secret", "public example value"),
    ("a-short-but-random-Kq83", "too short"),
    ("a" * 64, "not random"),
])
def test_production_refuses_to_start_without_a_strong_key(workdir, key, reason):
    with pytest.raises(InsecureConfiguration) as refused:
        create_app(production(workdir, SECRET_KEY=key))
    message = str(refused.value)
    assert reason in message and "SECRET_KEY" in message and "instance/secret_key" in message


def test_production_starts_with_a_strong_key(workdir):
    app = create_app(production(workdir, SECRET_KEY=STRONG))
    assert app.config["SECRET_KEY"] == STRONG


def test_development_and_testing_may_run_on_the_development_key(workdir):
    development = create_app(production(workdir, SECRET_KEY=None, OCOP_ENV="development"))
    assert development.config["SECRET_KEY"] == DEVELOPMENT_KEY
    testing = create_app(conftest.test_config(workdir) | {"SECRET_KEY": None})
    assert testing.config["SECRET_KEY"] == DEVELOPMENT_KEY


def test_the_key_comes_from_the_environment_else_the_instance_file(tmp_path):
    (tmp_path / "secret_key").write_text(STRONG + "\n")
    assert read_secret_key({}, tmp_path) == STRONG
    assert read_secret_key({"SECRET_KEY": "from-env"}, tmp_path) == "from-env"
    other = tmp_path / "elsewhere"
    other.write_text("kept elsewhere")
    assert read_secret_key({"SECRET_KEY_FILE": str(other)}, tmp_path) == "kept elsewhere"
    assert read_secret_key({}, tmp_path / "empty") is None


def test_secret_key_weakness_accepts_what_make_run_generates():
    assert secret_key_weakness(secrets.token_urlsafe(48)) is None
    assert secret_key_weakness(secrets.token_hex(32)) is None


def test_make_writes_a_private_key_file_once(tmp_path):
    target = tmp_path / "instance" / "secret_key"
    make = ["make", "--no-print-directory", "-C", str(ROOT), str(target), f"SECRET_KEY_FILE={target}"]
    subprocess.run(make, check=True, capture_output=True)  # noqa: S603 - our Makefile
    key = target.read_text().strip()
    assert secret_key_weakness(key) is None
    assert target.stat().st_mode & 0o777 == 0o600
    subprocess.run(make, check=True, capture_output=True)  # noqa: S603 - the second start
    assert target.read_text().strip() == key  # never replaced: sessions survive a restart
