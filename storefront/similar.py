"""The "same group" block of a product page, rendered once per group and reused.

Every product of a group shows the same few cards: the group's best listable products
(`catalog.listing.top_ids`, by stars), minus the product itself. Their cards are
rendered once and cached under the catalogue's version, the local date, the language and
each card's in-stock flag: a change the gate reads (a revocation, a producer deactivated)
or a card shows (price, name, photo) makes a new version, the day turning a new date, a
product selling out new flags — so the next request renders new cards, loaded through the
gated query (`catalog.listing.load_cards`). A product page thus renders no card and loads
no similar product, whatever the catalogue's size.
"""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy.orm import Session

from app.cache import key, remember
from catalog import listing
from catalog.timeline import catalog_version

SIMILAR = 4


def group_best_ids(session: Session, group: str, on: date) -> list[int]:
    """The group's best listable products: one more than shown, as the page's own product
    may be among them."""
    return listing.top_ids(session, on=on, group=group, order="stars", limit=SIMILAR + 1)


def similar_cards(session: Session, product_id: int, group: str, on: date, ids: list[int],
                  stock: dict[int, int]) -> Markup:
    """The cards of `ids` (from `group_best_ids`) but `product_id`, at most SIMILAR, as one
    grid; empty when there are none. `stock` holds the available units of `ids`."""
    flags = "".join("1" if stock.get(i, 0) > 0 else "0" for i in ids)
    name = key("similar", group, catalog_version(session), on.isoformat(), str(get_locale()),
               ",".join(map(str, ids)), flags)

    def render() -> list[tuple[int, str]]:
        return [(product.id, render_template("storefront/_card.html", product=product, cert=cert,
                                             in_stock=stock.get(product.id, 0) > 0))
                for product, cert in listing.load_cards(session, on, ids)]

    cards = [html for card_id, html in remember(name, render) if card_id != product_id][:SIMILAR]
    if not cards:
        return Markup("")
    # The cards are HTML rendered by the autoescaping template above, not text.
    return Markup('<div class="grid">\n  ' + "\n  ".join(cards) + "\n</div>")  # noqa: S704
