"""A gunicorn worker is SIGKILLed in the middle of a sale: PostgreSQL rolls the open
transaction back, so there is no half order, no stock movement or reservation without its
order, the stock level is untouched — and the same request, sent again to the worker
gunicorn starts in its place, succeeds once.

The fault is injected from a gunicorn config file written by the test (`post_worker_init`
installs a SQLAlchemy listener): the application has no fault-injection code. The worker
writes its pid when it reaches the chosen point and sleeps there; the test kills it.

`SALE_PATHS` lists the ways a sale is written: online orders (cash on delivery, bank
transfer) and the counter ticket (`POST /api/v1/sales-points/<code>/sales`, whose
Idempotency-Key must still be usable after the kill: nothing was committed under it)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from showrooms.counter_models import CounterSale
from showrooms.models import Reservation, StockLevel, StockMovement
from storefront.models import Order, OrderLine, Shipment
from tests.factories import make_product, order_payload, receive_stock

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")

# Where the worker stops: after the flush that wrote the order's rows (stock taken or
# reserved, lines, shipments), or at the very start of COMMIT.
HOOK = '''
import os, time
from pathlib import Path
from sqlalchemy import event
from sqlalchemy.orm import Session

ARMED = Path(os.environ["OCOP_FAULT_ARMED"])
REACHED = Path(os.environ["OCOP_FAULT_REACHED"])
POINT = os.environ["OCOP_FAULT_POINT"]
TABLE = os.environ["OCOP_FAULT_TABLE"]

def _stop_here(session):
    if not ARMED.exists():
        return
    written = {type(o).__tablename__ for o in session.identity_map.values()}
    if TABLE not in written:
        return
    ARMED.unlink()
    REACHED.write_text(str(os.getpid()))
    time.sleep(120)  # killed here

def post_worker_init(worker):
    if POINT == "after_flush":
        event.listen(Session, "after_flush_postexec", lambda s, ctx: _stop_here(s))
    else:
        event.listen(Session, "before_commit", _stop_here)
'''


@dataclass
class SalePath:
    name: str
    table: str  # the row whose flush marks "in the middle" (and counted after the retry)
    prepare: callable  # (app) -> (url path, json body, headers)


def _order_path(payment: str):
    def prepare(app):
        with app.app_context():
            product = make_product(name=f"Rượu Kim Sơn {payment}", price_vnd=150_000)
            receive_stock(product, 10)
            db.session.commit()
            body = order_payload((product, 3), payment=payment)
            db.session.remove()
        return "/api/v1/orders", body, {}
    return prepare


def _counter_path(app):
    from showrooms.stock import sales_point_location
    from tests.factories import auth, make_sales_point, make_token, make_user

    with app.app_context():
        point = make_sales_point(code="KILL-1")
        token = make_token(make_user("sales_point", sales_point=point))
        product = make_product(name="Mật ong bạc hà", price_vnd=180_000)
        receive_stock(product, 10, location=sales_point_location(db.session, point))
        db.session.commit()
        body = {"items": [{"product": product.slug, "quantity": 2}], "payment": "cash",
                "cash_received_vnd": 400_000}
        db.session.remove()
    return "/api/v1/sales-points/KILL-1/sales", body, {**auth(token),
                                                       "Idempotency-Key": "kill-test-0001"}


SALE_PATHS = [
    SalePath("order-cod", "orders", _order_path("cod")),
    SalePath("order-bank-transfer", "orders", _order_path("bank_transfer")),
    SalePath("counter-sale", "counter_sales", _counter_path),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(url: str, body: dict, headers: dict, timeout: float = 60):
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:  # noqa: S310
            return r.status == 200
    except OSError:
        return False


def _state(app) -> dict:
    with app.app_context():
        session = db.session
        count = lambda model, *where: session.scalar(  # noqa: E731
            select(func.count()).select_from(model).where(*where))
        state = {
            "orders": count(Order), "lines": count(OrderLine), "shipments": count(Shipment),
            "counter_sales": count(CounterSale),
            "movements": count(StockMovement, StockMovement.kind != "receive"),
            "reservations": count(Reservation),
            "on_hand": session.scalar(select(func.sum(StockLevel.on_hand))),
            "orphan_movements": session.scalar(
                select(func.count()).select_from(StockMovement).where(
                    StockMovement.kind != "receive",
                    ~StockMovement.reference.in_(select(Order.number)),
                    ~StockMovement.reference.in_(select(CounterSale.receipt_number)))),
        }
        db.session.remove()
        return state


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("point", ["after_flush", "before_commit"])
@pytest.mark.parametrize("path", SALE_PATHS, ids=lambda p: p.name)
def test_worker_sigkilled_mid_sale_leaves_nothing_half_written(committed, tmp_path, point, path):
    app = committed
    url_path, body, headers = path.prepare(app)
    before = _state(app)
    armed, reached = tmp_path / "armed", tmp_path / "reached"
    armed.write_text("1")
    config = tmp_path / "fault_gunicorn.py"
    config.write_text(HOOK)
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SECRET_KEY=secrets.token_urlsafe(32), LOG_LEVEL="WARNING",  # a scratch server
               MAIL_OUTBOX_DIR=str(tmp_path / "outbox"), SEARCH_BACKEND="postgres",
               OCOP_FAULT_ARMED=str(armed), OCOP_FAULT_REACHED=str(reached),
               OCOP_FAULT_POINT=point, OCOP_FAULT_TABLE=path.table)
    server = subprocess.Popen(  # noqa: S603 - our gunicorn, our config
        [GUNICORN, "-w", "1", "-b", f"127.0.0.1:{port}", "-c", str(config), "--timeout", "300",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    try:
        _wait(lambda: _healthy(port), 60, "gunicorn to start")
        import threading

        outcome: dict = {}

        def send():
            try:
                outcome["answer"] = _post(f"http://127.0.0.1:{port}{url_path}", body, headers)
            except OSError as err:  # the worker died with the connection open
                outcome["error"] = err

        client = threading.Thread(target=send)
        client.start()
        _wait(reached.exists, 60, "the worker to reach the fault point")
        time.sleep(0.2)
        pid = int(reached.read_text())
        os.kill(pid, signal.SIGKILL)
        client.join(60)
        assert "answer" not in outcome or outcome["answer"][0] >= 500, outcome
        # PostgreSQL rolls the dead session back; nothing of the sale remains.
        _wait(lambda: _state(app) == before, 30, "the rollback")
        assert _state(app) == before

        # gunicorn starts another worker; the same request now succeeds, once.
        _wait(lambda: _healthy(port), 60, "a new worker")
        status, answer = _post(f"http://127.0.0.1:{port}{url_path}", body, headers)
        assert status == 201, answer
        after = _state(app)
        assert after[path.table] == before[path.table] + 1
        assert after["orphan_movements"] == 0
        assert after["movements"] + after["reservations"] >= 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        server.stderr.close()
