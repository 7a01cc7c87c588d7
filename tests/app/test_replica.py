"""With DATABASE_REPLICA_URL, the storefront's public reads come from the replica and
everything else from the primary. Here the "replica" is a copy of the primary's SQLite file
taken before a price change: what a lagging replica looks like."""

from __future__ import annotations

import shutil

from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.replica import REPLICA, binds, read_engine
from catalog.models import Product
from tests import conftest
from tests.factories import make_product, order_payload, receive_stock


def test_storefront_reads_the_replica_and_orders_use_the_primary(tmp_path):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    app = create_app(conftest.test_config(tmp_path) | {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{primary}",
        "SQLALCHEMY_BINDS": binds(f"sqlite:///{replica}"),
        "SEARCH_BACKEND": "whoosh",
    })
    try:
        with app.app_context():
            upgrade()
            product = make_product(name="Cơm cháy chà bông", price_vnd=85_000)
            receive_stock(product, 5)
            db.session.commit()
            slug, product_id = product.slug, product.id
            db.session.remove()
            db.engine.dispose()  # the last connection closed: WAL checkpointed into the file
            shutil.copy(primary, replica)  # the replica as of now
            db.session.get(Product, product_id).price_vnd = 99_000  # then the primary moves on
            db.session.commit()
            db.session.remove()

        client = app.test_client()
        assert client.get(f"/api/v1/products/{slug}").json["price_vnd"] == 85_000  # replica
        assert "85.000" in client.get(f"/products/{slug}").get_data(as_text=True)
        placed = client.post("/api/v1/orders",
                             json=order_payload() | {"items": [{"product": slug, "quantity": 1}]})
        assert placed.status_code == 201, placed.json
        assert placed.json["total_vnd"] == 99_000 + 30_000  # decided on the primary
        shown = client.get(f"/api/v1/orders/{placed.json['number']}?token={placed.json['access_token']}")
        assert shown.status_code == 200  # its own write, read back from the primary
        with app.app_context():
            assert db.session.scalar(select(Product.price_vnd).where(Product.slug == slug)) == 99_000
            db.session.remove()
    finally:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


def test_a_read_without_a_session_goes_where_a_new_session_would(tmp_path):
    """The catalogue's version on a cached page is read without a session (read_engine)."""
    app = create_app(conftest.test_config(tmp_path) | {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}",
        "SQLALCHEMY_BINDS": binds(f"sqlite:///{tmp_path / 'r.sqlite3'}"),
    })
    try:
        for path, method, expected in (("/products/x", "GET", REPLICA), ("/products/x", "POST", None),
                                       ("/cart", "GET", None)):
            with app.test_request_context(path, method=method):
                engine = read_engine(db)
                assert engine is (db.engines[REPLICA] if expected else db.engine)
                assert engine is db.session.get_bind()  # what a new session answers
                db.session.remove()
    finally:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
