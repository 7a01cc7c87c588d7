"""The search index is missing or corrupt: the shop keeps selling — search answers from the
database, the error is logged — and `flask search reindex` repairs the index."""

from __future__ import annotations

import logging

import pytest

from app.cache import cache
from catalog import search
from catalog.search import whoosh_backend
from tests.factories import make_product, order_payload, receive_stock


@pytest.fixture
def own_index(app, tmp_path):
    saved = app.config["SEARCH_INDEX_DIR"]
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "index")
    yield tmp_path / "index"
    whoosh_backend.forget(tmp_path / "index")
    app.config["SEARCH_INDEX_DIR"] = saved


def _corrupt(folder) -> int:
    files = [f for f in folder.iterdir() if f.is_file()]
    for f in files:
        f.write_bytes(b"\x00garbage\xff" * 7)
    whoosh_backend.forget(folder)  # as a process starting over the damaged files…
    cache.clear()  # …with nothing cached yet (the search results are cached by version)
    return len(files)


def _names(answer) -> list[str]:
    return sorted(item["name"] for item in answer.json["items"])


# Whoosh leaves the damaged table-of-contents file open when it refuses to read it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_corrupt_index_falls_back_to_the_database_and_reindex_repairs(
        client, db_session, own_index, app, caplog):
    tea = make_product(name="Trà sen Tây Hồ", price_vnd=120_000)
    make_product(name="Nước mắm Phú Quốc", price_vnd=90_000)
    receive_stock(tea, 5)
    db_session.commit()
    search.reindex(db_session)
    assert _names(client.get("/api/v1/products?q=tra sen")) == ["Trà sen Tây Hồ"]

    assert _corrupt(own_index) > 0
    with caplog.at_level(logging.ERROR, logger="catalog.search"):
        answer = client.get("/api/v1/products?q=tra sen")  # folded words still match
    assert answer.status_code == 200
    assert _names(answer) == ["Trà sen Tây Hồ"]
    assert "search index" in caplog.text and "unusable" in caplog.text
    page = client.get("/products?q=nuoc mam")
    assert page.status_code == 200 and "Phú Quốc" in page.get_data(as_text=True)
    # …and it still sells.
    order = client.post("/api/v1/orders", json=order_payload((tea, 1)))
    assert order.status_code == 201, order.json

    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    cache.clear()
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="catalog.search"):
        assert _names(client.get("/api/v1/products?q=mam")) == ["Nước mắm Phú Quốc"]
    assert "unusable" not in caplog.text  # answered by the repaired index
    assert whoosh_backend.exists(own_index)


def test_missing_index_is_built_again_from_the_database(client, db_session, own_index):
    make_product(name="Cơm cháy chà bông")
    db_session.commit()
    assert not own_index.exists()
    assert _names(client.get("/api/v1/products?q=com chay")) == ["Cơm cháy chà bông"]
    assert whoosh_backend.exists(own_index)


def test_database_fallback_keeps_filters_order_and_pages(db_session):
    from catalog import listing

    for i, price in enumerate((50_000, 30_000, 40_000)):
        make_product(name=f"Trà xanh Thái Nguyên {i}", price_vnd=price, stars=4 + (i == 2))
    make_product(name="Mật ong bạc hà", description="ướp trà")
    db_session.flush()
    found = search.database_search(db_session, listing.filtered(), "tra", order="price_asc",
                                   per_page=2)
    assert (found.total, found.pages, len(found.items)) == (4, 2, 2)
    prices = [p.price_vnd for p, _ in found.items]
    assert prices == sorted(prices)
    five = search.database_search(db_session, listing.filtered(stars=5), "thai nguyen")
    assert [p.name for p, _ in five.items] == ["Trà xanh Thái Nguyên 2"]
    relevance = search.database_search(db_session, listing.filtered(), "tra")
    assert relevance.items[-1][0].name == "Mật ong bạc hà"  # a name match ranks first
