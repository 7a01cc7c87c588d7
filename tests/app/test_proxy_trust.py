"""X-Forwarded-* are believed only when PROXY_FIX_* say a proxy (nginx) stands in front."""

from __future__ import annotations

from flask import request

from app import create_app
from tests import conftest


def _seen(app, headers: dict) -> tuple:
    @app.get("/_whoami")
    def whoami():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    body = app.test_client().get("/_whoami", headers=headers,
                                 environ_base={"REMOTE_ADDR": "10.0.0.2"}).json
    return body["addr"], body["scheme"], body["host"]


FORGED = {"X-Forwarded-For": "6.6.6.6, 203.0.113.7", "X-Forwarded-Proto": "https",
          "X-Forwarded-Host": "ocop.example.vn"}


def test_forwarded_headers_are_ignored_without_a_proxy(tmp_path):
    app = create_app(conftest.test_config(tmp_path))
    assert _seen(app, FORGED) == ("10.0.0.2", "http", "localhost")


def test_one_trusted_proxy_gives_its_view_not_the_clients(tmp_path):
    app = create_app(conftest.test_config(tmp_path) | {
        "PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 1, "PROXY_FIX_X_HOST": 1})
    # nginx appends/overwrites: the last address is the one nginx saw; earlier ones are
    # whatever the client claimed and are not believed.
    assert _seen(app, FORGED) == ("203.0.113.7", "https", "ocop.example.vn")
