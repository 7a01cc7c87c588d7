from __future__ import annotations

import pytest

from tests.factories import make_lot, make_producer, make_product, make_stamps, make_token, make_user


@pytest.fixture
def stamp(db_session):
    """One fresh stamp of a 4★ product certified today."""
    product = make_product(stars=4, name="Nước mắm Phú Quốc", name_en="Phu Quoc fish sauce")
    return make_stamps(make_lot(product, lot_number="L2026-11"), 1)[0]


@pytest.fixture
def seller(db_session):
    """(producer, token) of a producer user."""
    producer = make_producer()
    return producer, make_token(make_user("producer", producer=producer))


@pytest.fixture
def admin_token(db_session):
    return make_token(make_user("admin"))


def scan(client, code: str, *, ua: str = "Mozilla/5.0 (Linux; Android 10)", addr: str = "203.0.113.7",
         api: bool = False, lang: str | None = None):
    """One scan from one client (address + user agent)."""
    path = f"/api/v1/trace/{code}" if api else f"/t/{code}"
    if lang:
        path += f"?lang={lang}"
    return client.get(path, headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": addr})
