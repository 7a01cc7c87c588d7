"""The listable catalogue of one day as a small in-memory table, for search.

A search engine says which products match; the gate says which may be shown today. Asking
the database for the gate's verdict on thousands of matches per new query is what made a
broad search slow at national scale, so each process keeps, per catalogue version and
local date, the rows of `catalog.gate.listable_products(on)` (id and the columns that
filters and orders need), built with one Core query. The key is the catalogue's version
(`catalog.timeline`), which changes in the transaction of every change the gate reads, and
the date: a revocation or a deactivation makes a new key on the very next request.

The page's rows are still loaded through the gated query (`catalog.queries.filtered`), so
even a wrong table could never show a product the gate refuses now.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from catalog.gate import CurrentCertificate, listable_products
from catalog.models import GROUP_INCLUDES, Producer, Product
from catalog.search.analysis import name_key

KEEP = 2  # today's table and the one before it (requests still finishing on the old version)


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    name: str
    created: float  # timestamp, 0 when unknown
    price_vnd: int | None
    stars: int
    group: str
    province_code: int
    producer_id: int


@dataclass
class Table:
    rows: dict[int, Row]
    _name_hashes: dict[int, int] = field(default_factory=dict)

    def name_hash(self, product_id: int, hasher) -> int:
        """The hash of a listable product's name key, computed once per table."""
        found = self._name_hashes.get(product_id)
        if found is None:
            found = self._name_hashes[product_id] = hasher(name_key(self.rows[product_id].name))
        return found

    def select(self, ids, *, stars: int | None = None, group: str | None = None,
               province: int | None = None, producer_id: int | None = None,
               exclude_id: int | None = None) -> list[Row]:
        """The listable rows among `ids` passing the filters of `catalog.queries.filtered`."""
        groups = set(GROUP_INCLUDES.get(group, (group,))) if group is not None else None
        rows = self.rows
        found = []
        for product_id in ids:
            row = rows.get(product_id)
            if row is None:
                continue
            if ((stars is not None and row.stars != stars)
                    or (groups is not None and row.group not in groups)
                    or (province is not None and row.province_code != province)
                    or (producer_id is not None and row.producer_id != producer_id)
                    or (exclude_id is not None and row.id == exclude_id)):
                continue
            found.append(row)
        return found


_tables: OrderedDict[tuple, Table] = OrderedDict()
_lock = threading.Lock()


def table(session: Session, on: date) -> Table:
    """The listable products on `on`, for the catalogue's current version."""
    from catalog.timeline import catalog_version

    key = (str(session.get_bind().engine.url), catalog_version(session), on.isoformat())
    with _lock:
        found = _tables.get(key)
        if found is not None:
            _tables.move_to_end(key)
            return found
    found = Table(rows=_load(session, on))
    with _lock:
        _tables[key] = found
        while len(_tables) > KEEP:
            _tables.popitem(last=False)
    return found


def _load(session: Session, on: date) -> dict[int, Row]:
    query = listable_products(on).with_only_columns(
        Product.id, Product.name, Product.created_at, Product.price_vnd, CurrentCertificate.stars,
        Product.group, Producer.province_code, Product.producer_id)
    return {
        pid: Row(pid, name, created.timestamp() if created else 0.0, price, stars, group,
                 province, producer)
        for pid, name, created, price, stars, group, province, producer in session.execute(query)
    }


def forget() -> None:
    """Drop every table (tests that change the database behind the version's back)."""
    with _lock:
        _tables.clear()
