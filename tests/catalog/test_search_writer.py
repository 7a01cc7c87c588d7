"""The Whoosh index stays fresh through many commits: every product update, each in its own
transaction, is searchable right after it commits, without `flask search reindex`."""

from __future__ import annotations

import pytest

from app.extensions import db
from catalog import search
from tests.factories import make_product

COMMITS = 150  # the pooled searcher went wrong after a few dozen (whoosh merges)


@pytest.fixture
def whoosh(app, db_session, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_BACKEND", "whoosh")
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(tmp_path / "search-index"))


def _names(q: str, per_page: int = 48) -> list[str]:
    page = search.search_products(db.session, q, per_page=per_page)
    return [p.name for p, _c in page.items]


def test_hundreds_of_updates_in_separate_commits_are_all_searchable(whoosh):
    products = [make_product(name=f"Bánh tét lá cẩm số {n}") for n in range(12)]
    db.session.commit()
    assert len(_names("banh tet")) == 12  # builds the index
    for n in range(COMMITS):
        product = products[n % len(products)]
        product.name = f"Bánh tét lá cẩm mẻ {n}"
        db.session.commit()
        # Every search between the commits sees the latest one.
        assert f"Bánh tét lá cẩm mẻ {n}" in _names(f"me {n}"), n
    latest = {p.name for p in products}
    assert set(_names("banh tet")) == latest
    for name in latest:
        assert _names(name)[:1] == [name]
