"""`listing.top_ids` (a product page's "same group" cards) lists what `browse` lists first,
in the same order, without counting the rest — and only listable products."""

from __future__ import annotations

from datetime import date, timedelta

from catalog import listing
from catalog.services import revoke_certificate
from tests.factories import make_certificate, make_product

D = date(2026, 11, 23)


def test_top_ids_are_the_first_products_browse_shows(db_session, freeze):
    freeze(D)
    for stars in (3, 5, 4, 5, 3, 4, 5):
        make_product(group="food", stars=stars)
    make_product(group="craft", stars=5)
    first = listing.browse(db_session, on=D, group="food", per_page=5, order="stars")
    assert listing.top_ids(db_session, on=D, group="food", limit=5) == [p.id for p, _c in first.items]


def test_a_revoked_product_leaves_the_top_at_once(db_session, freeze):
    freeze(D)
    best = make_product(group="food", certified=False)
    cert = make_certificate(best, stars=5, issued_on=D - timedelta(days=10))
    make_product(group="food", stars=3)
    assert listing.top_ids(db_session, on=D, group="food")[0] == best.id
    revoke_certificate(db_session, cert, reason="Vi phạm nhãn mác", revoked_on=D)
    assert best.id not in listing.top_ids(db_session, on=D, group="food")
