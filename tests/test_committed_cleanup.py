"""The `committed` fixture's clean-up (tests/conftest.py) empties the data but never sends
the catalogue's version back to a value an earlier test's cache entries are keyed by."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from catalog.models import Product
from catalog.timeline import read_version
from tests.conftest import empty_committed_database
from tests.factories import make_product

pytestmark = pytest.mark.postgres


def test_clean_up_empties_the_tables_and_moves_the_version_on(committed):
    with committed.app_context():
        make_product()
        db.session.commit()
        db.session.execute(text("UPDATE catalog_state SET version = 42 WHERE id = 1"))
        db.session.commit()
    empty_committed_database(committed)
    with committed.app_context():
        assert db.session.scalar(select(func.count(Product.id))) == 0
        assert read_version(db.engine) not in (0, 42)
        db.session.remove()
