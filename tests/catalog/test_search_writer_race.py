"""Two writers contending for the Whoosh index lock (two gunicorn workers) never leave an old
version of a product in the index: writers remember only which products changed and read
their current state from the database once they hold the lock.

The app here commits for real to its own SQLite file, so a delayed writer's thread reads what
a second app context committed meanwhile, as another worker process would."""

from __future__ import annotations

import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete
from whoosh.query import Term

from app import create_app
from app.extensions import db
from catalog import search
from catalog.models import Certificate, Product
from catalog.search import whoosh_backend
from catalog.search.analysis import name_key
from tests.conftest import test_config as config_in
from tests.factories import make_product


@pytest.fixture(scope="module")
def real_app(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("search-race")
    application = create_app({**config_in(workdir),
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'race.sqlite3'}",
                              "SEARCH_BACKEND": "whoosh"})
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def product_id(real_app):
    with real_app.app_context():
        product = make_product(name="Trà shan tuyết bản đầu")
        db.session.commit()
        search.reindex(db.session)  # an index exists: later commits are written into it
        yield product.id
        db.session.remove()


def _rename(app, product_id: int, name: str) -> None:
    """One worker's request: rename the product and commit (the hook writes after it)."""
    with app.app_context():
        db.session.get(Product, product_id).name = name
        db.session.commit()
        db.session.remove()


def _indexed(app, product_id: int) -> list[int]:
    """The name hashes the index holds for this product (one per indexed document)."""
    with app.app_context():
        ix = whoosh_backend.open_index(app.config["SEARCH_INDEX_DIR"])
        with ix.searcher() as searcher:
            return [whoosh_backend.indexed_name_hash(searcher, docnum)
                    for docnum in searcher.docs_for_query(Term("id", product_id))]


def _as_indexed(name: str) -> list[int]:
    return [whoosh_backend.name_hash(name_key(name))]


def _database_name(app, product_id: int) -> str:
    with app.app_context():
        name = db.session.get(Product, product_id).name
        db.session.remove()
        return name


def _held_index_lock(app):
    """Another process's writer: holds the lock until `.cancel()`."""
    with app.app_context():
        return whoosh_backend.open_index(app.config["SEARCH_INDEX_DIR"]).writer()


def _join_delayed_writers() -> None:
    for thread in threading.enumerate():
        if thread.name == "search-index-writer":
            thread.join(timeout=60)
            assert not thread.is_alive()


@pytest.mark.parametrize("names", [("Trà shan tuyết mẻ cũ", "Trà shan tuyết mẻ mới"),
                                   ("Trà shan tuyết mẻ mới", "Trà shan tuyết mẻ cũ")])
def test_two_writers_waiting_for_the_lock_leave_the_database_state(real_app, product_id, names):
    lock = _held_index_lock(real_app)
    try:
        # Two workers commit in turn while a third process writes the index: both must wait.
        first = threading.Thread(target=_rename, args=(real_app, product_id, names[0]))
        first.start()
        first.join()
        second = threading.Thread(target=_rename, args=(real_app, product_id, names[1]))
        second.start()
        second.join()
    finally:
        lock.cancel()
    _join_delayed_writers()
    assert _database_name(real_app, product_id) == names[1]
    assert _indexed(real_app, product_id) == _as_indexed(names[1])


def test_a_delayed_writer_writes_the_current_state_not_the_one_it_was_given(
        real_app, product_id, monkeypatch):
    lock = _held_index_lock(real_app)
    try:
        _rename(real_app, product_id, "Trà shan tuyết bản cũ")  # its writer waits for the lock
        # Meanwhile another worker commits a newer name and writes it first (simulated: its
        # hook is off here, and the index gets the new document directly once the lock is free).
        monkeypatch.setitem(real_app.config, "SEARCH_BACKEND", "postgres")
        _rename(real_app, product_id, "Trà shan tuyết bản mới")
        monkeypatch.setitem(real_app.config, "SEARCH_BACKEND", "whoosh")
    finally:
        lock.cancel()
    _join_delayed_writers()
    # The old writer's replay came last, and still wrote what the database holds now.
    assert _indexed(real_app, product_id) == _as_indexed("Trà shan tuyết bản mới")


def test_a_deleted_product_leaves_the_index_even_when_its_writer_was_delayed(real_app,
                                                                          product_id):
    lock = _held_index_lock(real_app)
    try:
        _rename(real_app, product_id, "Trà shan tuyết sắp xoá")
        with real_app.app_context():
            db.session.execute(delete(Certificate).where(Certificate.product_id == product_id))
            db.session.delete(db.session.get(Product, product_id))
            db.session.commit()
            db.session.remove()
    finally:
        lock.cancel()
    _join_delayed_writers()
    assert _indexed(real_app, product_id) == []
