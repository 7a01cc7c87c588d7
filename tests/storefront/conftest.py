"""Storefront fixtures: a real `localstripe` started by the test suite on a free loopback
port (once per session), the app pointed at it, and Stripe-style webhook signing."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
import stripe

# localstripe binds every interface and pickles its state to /tmp/localstripe.pickle; this
# launcher serves the same app on 127.0.0.1 only, from scratch, without touching /tmp.
LAUNCHER = """
import socket, sys
from aiohttp import web
from localstripe import server
server.store.dump_to_disk = lambda: None
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", int(sys.argv[1])))
web.run_app(server.app, sock=sock, print=None, access_log=None)
"""

WEBHOOK_SECRET = "whsec_test_ocop"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url():
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and launcher, no user input
        [sys.executable, "-W", "ignore", "-c", LAUNCHER, str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=1).close()  # noqa: S310
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("localstripe did not start: "
                                   + process.stderr.read().decode(errors="replace")) from None
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stderr.close()


@pytest.fixture
def stripe_app(app, localstripe_url):
    """The app talking to the suite's localstripe, with a known webhook secret."""
    saved = {k: app.config[k] for k in ("STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET",
                                        "STRIPE_SECRET_KEY")}
    app.config.update(STRIPE_API_BASE=localstripe_url, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_SECRET_KEY="sk_test_ocop")
    yield app
    app.config.update(saved)


@pytest.fixture
def stripe_client(localstripe_url) -> stripe.StripeClient:
    """What Stripe.js and the Stripe dashboard do, from the test's side."""
    return stripe.StripeClient("sk_test_ocop", base_addresses={"api": localstripe_url})


def pay_with_test_card(client: stripe.StripeClient, payment_intent_id: str):
    """Confirm the PaymentIntent as Stripe.js would: a card PaymentMethod, attach, confirm."""
    method = client.v1.payment_methods.create(params={
        "type": "card",
        "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
    })
    client.v1.payment_intents.update(payment_intent_id, params={"payment_method": method.id})
    return client.v1.payment_intents.confirm(payment_intent_id)


def signed_event(intent, event_type: str = "payment_intent.succeeded", *,
                 event_id: str | None = None, secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict]:
    """A Stripe event body and its `Stripe-Signature` header (t=…,v1=HMAC-SHA256("t.body"))."""
    obj = intent.to_dict() if hasattr(intent, "to_dict") else intent
    payload = json.dumps({
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": event_type,
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }).encode()
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return payload, {"Stripe-Signature": f"t={timestamp},v1={digest.hexdigest()}",
                     "Content-Type": "application/json"}


# --- Cash orders (issue 12) ----------------------------------------------------------------

CASH_LIMITS = ("COD_MAX_QUANTITY_PER_LINE", "COD_MAX_OPEN_PER_PHONE", "COD_MAX_OPEN_PER_ADDRESS",
               "COD_CONFIRM_HOURS")


def use_shipped_cash_limits(app, monkeypatch) -> dict:
    """Put the cash-order limits back to their shipped defaults on `app` for one test (the
    suite's config lifts the open-order ones: many tests place orders from one customer)."""
    from app.config import from_environment

    defaults = from_environment()
    for key in CASH_LIMITS:
        monkeypatch.setitem(app.config, key, defaults[key])
    return {key: defaults[key] for key in CASH_LIMITS}


@pytest.fixture
def shipped_cash_limits(app, monkeypatch) -> dict:
    return use_shipped_cash_limits(app, monkeypatch)
