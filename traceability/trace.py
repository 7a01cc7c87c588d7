"""The trace record and scan recording — the hottest path in the system (DOMAIN §6).

One call, `trace(connection, code, network, …)` (or a session's connection), records the scan
and returns everything the page and the API show, inside the caller's transaction:

1. insert-or-ignore (stamp, network) — the exact distinct-network count behind `suspicious`;
2. one atomic UPDATE of the stamp's counters (`n = n + 1`), RETURNING them with what is live
   per scan: the stamp's and its lot's void state and the catalogue's version;
3. the lot's record (lot, product, producer, first photo, certificates) from a per-process
   cache keyed by (database, lot, catalogue version) — one joined SELECT on a miss;
4. insert the scan row with the verdict given.

On PostgreSQL 1, 2 and 4 are one statement (data-modifying CTEs), so a scan whose lot is
cached is one round trip; the caller may run it in autocommit (no COMMIT round trip). Then
a cache miss reads the lot's record after the scan committed: it may see a later catalogue
change than the version it is filed under, never an earlier one, and the next scan reads
the new version and the record again. The writes come first on purpose: on SQLite a
transaction that reads and then writes can fail with SQLITE_BUSY_SNAPSHOT when another
process wrote in between; starting with a write takes the write lock (waiting for
busy_timeout) and the read then sees the latest state. SQL sent straight to the driver (on
SQLite, three statements on the transaction's pysqlite connection), not ORM entities: no
identity map, unit of work or statement compilation on a page that only counts. The caller
commits once.

Why the lot's record may be cached: everything in it except the void state (read live in
step 2) is a product, producer, photo or certificate, whose every change gives the catalogue
a new version (catalog.timeline), or a lot column, which never changes once the lot exists
(a wrong lot is voided, not edited). Per process, not in Redis: one indexed SELECT rebuilds
an entry, cheaper than a network round trip and unpickling; the version, read in the
scan's own statement, keeps every worker exact.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.clock import now as clock_now
from app.clock import today
from app.database import driver_cursor
from app.errors import NotFound
from catalog.gate import certificate_status, current_certificate, latest_certificate
from catalog.models import Certificate, Producer, Product, ProductPhoto
from catalog.regions import Located
from traceability import codes
from traceability.models import Lot, Stamp

GENUINE, SUSPICIOUS, VOID = "genuine", "suspicious", "void"


class UnknownCode(NotFound):
    code = "unknown_code"

    def __init__(self, message: str = "This is not an OCOP Market stamp code."):
        super().__init__(message)


def client_hash(salt: str, address: str | None, user_agent: str | None) -> str:
    """A keyed hash of address + user agent: one client, never the raw address (DOMAIN §6).
    (Consumers' reports are limited per client; scans are counted per network.)"""
    message = f"{address or ''}\n{user_agent or ''}".encode("utf-8", "replace")
    return hmac.new(salt.encode(), message, hashlib.sha256).hexdigest()[:32]


IPV4_PREFIX, IPV6_PREFIX = 24, 48


def network_of(address: str | None) -> str:
    """The network a scan comes from: IPv4 /24, IPv6 /48 (an IPv4-mapped IPv6 address is
    its IPv4). One person with eleven browsers, or a phone changing address inside its
    operator's block, stays one network; an unreadable address is its own text."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return f"?{address or ''}"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@functools.lru_cache(maxsize=4096)
def network_hash(salt: str, address: str | None) -> str:
    """A keyed hash of the scan's network (never the raw address nor the network itself):
    what `stamp_clients` and `scans.client_hash` hold, so `distinct_clients` counts the
    distinct networks a stamp was scanned from. Remembered per address (a pure function;
    parsing the address and the HMAC are a tenth of a scan's time)."""
    message = f"net\n{network_of(address)}".encode("utf-8", "replace")
    return hmac.new(salt.encode(), message, hashlib.sha256).hexdigest()[:32]


def verdict_for(*, void: bool, distinct_clients: int, threshold: int) -> str:
    """void when the stamp or its lot was voided; else suspicious when scanned from more
    distinct networks (`distinct_clients`, see `network_hash`) than the threshold; else
    genuine."""
    if void:
        return VOID
    if distinct_clients > threshold:
        return SUSPICIOUS
    return GENUINE


@dataclass(frozen=True)
class CertificateView:
    """The certificate columns the gate's helpers and the serializers read."""

    id: int
    decision_number: str
    issuer: str
    level: str
    stars: int
    score: int
    issued_on: date
    valid_until: date
    revoked_on: date | None
    revoke_reason: str | None


@dataclass(frozen=True)
class Photo:
    url: str
    width: int
    height: int
    alt: str


@dataclass
class TraceRecord:
    code: str
    verdict: str
    void_reason: str | None
    voided_at: datetime | None
    scan_count: int
    distinct_clients: int
    first_scan_at: datetime | None
    # lot (and the catalogue version its record was read at: what a cached page is keyed by)
    lot_id: int
    catalog_version: int
    lot_number: str
    produced_on: date
    best_before: date | None
    lot_quantity: int
    lot_void: bool
    # product and producer (plain rows: attribute access like the models)
    product: object
    producer: object
    photo: Photo | None
    # certificate: the current one, else the one covering the production date, else the latest
    certificate: CertificateView | None
    certificate_status: str | None
    certified_now: bool
    stars_now: int | None
    certificate_covers_lot: bool
    lot_produced_while_certified: bool

    @property
    def pretty_code(self) -> str:
        return codes.pretty(self.code)


_first_photo_id = (
    select(ProductPhoto.id)
    .where(ProductPhoto.product_id == Product.id)
    .order_by(ProductPhoto.position, ProductPhoto.id)
    .limit(1)
    .correlate(Product)
    .scalar_subquery()
)

_RECORD_COLUMNS = (
    Lot.lot_number, Lot.produced_on, Lot.best_before, Lot.quantity,
    Product.id.label("product_id"), Product.slug.label("product_slug"),
    Product.name.label("product_name"), Product.name_en.label("product_name_en"),
    Product.group, Product.gtin, Product.unit,
    Producer.slug.label("producer_slug"), Producer.name.label("producer_name"),
    Producer.name_en.label("producer_name_en"), Producer.kind, Producer.province_code,
    Producer.ward_code, Producer.craft_village, Producer.address, Producer.phone,
    Producer.historical_origin,
    ProductPhoto.path.label("photo_path"), ProductPhoto.width.label("photo_width"),
    ProductPhoto.height.label("photo_height"), ProductPhoto.alt.label("photo_alt"),
    Certificate.id.label("cert_id"), Certificate.decision_number, Certificate.issuer,
    Certificate.level, Certificate.stars, Certificate.score, Certificate.issued_on,
    Certificate.valid_until, Certificate.revoked_on, Certificate.revoke_reason,
)

# A lot's record: lot, product, producer, first photo and every certificate — one row per
# certificate (at least one row). Nothing in it changes per scan.
_READ_LOT = (
    select(*_RECORD_COLUMNS)
    .select_from(Lot)
    .join(Product, Product.id == Lot.product_id)
    .join(Producer, Producer.id == Product.producer_id)
    .outerjoin(ProductPhoto, ProductPhoto.id == _first_photo_id)
    .outerjoin(Certificate, Certificate.product_id == Product.id)
    .where(Lot.id == bindparam("p_lot_id"))
)

# PostgreSQL: the whole scan in ONE round trip. Data-modifying CTEs note the network, count
# the scan (row-locked UPDATE, so concurrent scans of one stamp add up), insert the scan row
# with its verdict and return what is live; the lot's record comes from the cache. The CASE
# below is verdict_for() in SQL; tests/traceability/test_trace.py proves the stored and the
# shown verdicts agree. The scan log is committed asynchronously (synchronous_commit off for
# this transaction only): a crash may lose the last fraction of a second of scans, whole
# transactions at a time, never leaving counters and rows out of step; the page does not
# wait for the WAL flush.
_PG_SCAN_SQL = """WITH target AS (
    SELECT stamps.id, lots.voided_at AS lot_voided_at, lots.void_reason AS lot_void_reason,
        stamps.voided_at IS NOT NULL OR lots.voided_at IS NOT NULL AS void
    FROM stamps JOIN lots ON lots.id = stamps.lot_id
    WHERE stamps.code = %(p_code)s
), new_client AS (
    INSERT INTO stamp_clients (stamp_id, client_hash, first_seen_at)
    SELECT id, %(p_client_hash)s, %(p_at)s FROM target
    ON CONFLICT DO NOTHING
    RETURNING stamp_id
), counted AS (
    UPDATE stamps SET scan_count = stamps.scan_count + 1,
        distinct_clients = stamps.distinct_clients + (SELECT count(*) FROM new_client),
        first_scan_at = coalesce(stamps.first_scan_at, %(p_at)s), last_scan_at = %(p_at)s
    FROM target WHERE stamps.id = target.id
    RETURNING stamps.id, stamps.lot_id, stamps.scan_count, stamps.distinct_clients,
        stamps.first_scan_at, stamps.voided_at, stamps.void_reason, target.lot_voided_at,
        target.lot_void_reason, target.void
), recorded AS (
    INSERT INTO scans (stamp_id, scanned_at, client_hash, verdict)
    SELECT id, %(p_at)s, %(p_client_hash)s,
        CASE WHEN void THEN 'void' WHEN distinct_clients > %(p_threshold)s THEN 'suspicious'
             ELSE 'genuine' END
    FROM counted
    RETURNING verdict
), async_commit AS (
    SELECT set_config('synchronous_commit', 'off', true) AS setting
)
SELECT counted.id AS stamp_id, counted.lot_id, counted.scan_count, counted.distinct_clients,
    counted.first_scan_at, counted.voided_at AS stamp_voided_at,
    counted.void_reason AS stamp_void_reason, counted.lot_voided_at, counted.lot_void_reason,
    coalesce((SELECT version FROM catalog_state WHERE id = 1), 0) AS catalog_version,
    recorded.verdict AS recorded_verdict, async_commit.setting
FROM counted, recorded, async_commit
"""


# SQLite (no DML in CTEs): three statements — note the network, count the scan returning
# what is live, then insert the scan row with its verdict. Both dialects' statements go
# straight to the driver on the transaction's own connection (SQLAlchemy's statement and
# result machinery cost more than the database did, and on SQLite every µs here is spent
# holding the write lock). Dates go through the DateTime type's own SQLite processors, so
# they are stored and read exactly as the ORM does.
_SQLITE_NOTE_CLIENT = """INSERT INTO stamp_clients (stamp_id, client_hash, first_seen_at)
SELECT id, :p_client_hash, :p_at FROM stamps WHERE code = :p_code
ON CONFLICT DO NOTHING"""
_SQLITE_COUNT_SCAN = """UPDATE stamps SET scan_count = scan_count + 1,
    distinct_clients = distinct_clients + :p_new_client,
    first_scan_at = coalesce(first_scan_at, :p_at), last_scan_at = :p_at
WHERE code = :p_code
RETURNING id, lot_id, scan_count, distinct_clients, first_scan_at, voided_at, void_reason,
    (SELECT voided_at FROM lots WHERE lots.id = stamps.lot_id),
    (SELECT void_reason FROM lots WHERE lots.id = stamps.lot_id),
    coalesce((SELECT version FROM catalog_state WHERE id = 1), 0)"""
_SQLITE_RECORD_SCAN = """INSERT INTO scans (stamp_id, scanned_at, client_hash, verdict)
VALUES (:p_stamp_id, :p_at, :p_client_hash, :p_verdict)"""


class _Live(NamedTuple):
    """What is live per scan: counters, void state (the stamp's and its lot's) and the
    catalogue version the lot's record is cached under (the PostgreSQL statement's columns)."""

    stamp_id: int
    lot_id: int
    scan_count: int
    distinct_clients: int
    first_scan_at: datetime | None
    stamp_voided_at: datetime | None
    stamp_void_reason: str | None
    lot_voided_at: datetime | None
    lot_void_reason: str | None
    catalog_version: int


@functools.cache
def _sqlite_datetime_processors():
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    column_type = Stamp.__table__.c.first_scan_at.type.dialect_impl(dialect)
    from_db = column_type.result_processor(dialect, None)
    return (column_type.bind_processor(dialect),
            lambda value: None if value is None else from_db(value))


def _count_on_sqlite(connection: Connection, code: str, client: str, at: datetime):
    """Note the network and count the scan; None when no stamp has this code."""
    to_db, from_db = _sqlite_datetime_processors()
    with driver_cursor(connection) as cursor:
        params = {"p_code": code, "p_client_hash": client, "p_at": to_db(at)}
        new_client = cursor.execute(_SQLITE_NOTE_CLIENT, params).rowcount
        row = cursor.execute(_SQLITE_COUNT_SCAN, {**params, "p_new_client": new_client}).fetchone()
    if row is None:
        return None
    (stamp_id, lot_id, scan_count, distinct, first_scan_at, voided_at, void_reason,
     lot_voided_at, lot_void_reason, version) = row
    return _Live(stamp_id, lot_id, scan_count, distinct, from_db(first_scan_at),
                 from_db(voided_at), void_reason, from_db(lot_voided_at), lot_void_reason,
                 version)


def _record_on_sqlite(connection: Connection, live: _Live, client: str, at: datetime,
                      verdict: str) -> None:
    to_db, _ = _sqlite_datetime_processors()
    with driver_cursor(connection) as cursor:
        cursor.execute(_SQLITE_RECORD_SCAN, {"p_stamp_id": live.stamp_id, "p_at": to_db(at),
                                             "p_client_hash": client, "p_verdict": verdict})


class Recent:
    """A small per-process cache: at most `size` entries, the oldest dropped first. Keys
    name everything an entry depends on, so nothing is ever invalidated by hand."""

    def __init__(self, size: int):
        self.size, self._entries, self._lock = size, {}, threading.Lock()

    def get(self, key):
        return self._entries.get(key)

    def put(self, key, value) -> None:
        with self._lock:  # sync workers may run threads (THREADS)
            while len(self._entries) >= self.size:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class _LotRecords(Recent):
    """Lots' records: (engine, lot id, catalogue version) → rows of `_READ_LOT`."""

    def rows(self, connection, lot_id: int, version: int) -> list:
        key = (connection.engine, lot_id, version)
        rows = self.get(key)
        if rows is None:
            rows = connection.execute(_READ_LOT, {"p_lot_id": lot_id}).all()
            self.put(key, rows)
        return rows


lot_records = _LotRecords(2048)


def trace(bind: Session | Connection, raw_code: str, client: str, *, threshold: int,
          expect_gtin: str | None = None, expect_lot: str | None = None,
          on: date | None = None) -> TraceRecord:
    """Record one scan of `raw_code` by `client` (its network hash) and return the trace
    record, or raise UnknownCode (nothing recorded) for a code that is not one of our stamps.
    With `expect_gtin`/`expect_lot` (a GS1 Digital Link), any mismatch is unknown too."""
    code = codes.normalize(raw_code)
    if code is None:
        raise UnknownCode()
    at = clock_now()
    connection = bind if isinstance(bind, Connection) else bind.connection()
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        with driver_cursor(connection) as cursor:
            row = cursor.execute(_PG_SCAN_SQL, {
                "p_code": code, "p_client_hash": client, "p_at": at, "p_threshold": threshold,
            }).fetchone()
        live = None if row is None else _Live(*row[:len(_Live._fields)])
    else:
        live = _count_on_sqlite(connection, code, client, at)
    if live is None:
        raise UnknownCode()
    rows = lot_records.rows(connection, live.lot_id, live.catalog_version)
    head = rows[0]
    if expect_gtin is not None and (head.gtin != expect_gtin or head.lot_number != expect_lot):
        raise UnknownCode("This GS1 Digital Link does not match an OCOP Market stamp.")
    void = live.stamp_voided_at is not None or live.lot_voided_at is not None
    verdict = verdict_for(void=void, distinct_clients=live.distinct_clients, threshold=threshold)
    if not postgres:
        _record_on_sqlite(connection, live, client, at, verdict)
    return _record(code, verdict, live, rows, on or today())


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were written as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _record(code, verdict, live, rows, on: date) -> TraceRecord:
    head = rows[0]
    certs = [
        CertificateView(r.cert_id, r.decision_number, r.issuer, r.level, r.stars, r.score,
                        r.issued_on, r.valid_until, r.revoked_on, r.revoke_reason)
        for r in rows if r.cert_id is not None
    ]
    current = current_certificate(certs, on)
    at_production = current_certificate(certs, head.produced_on)
    shown = current or at_production or latest_certificate(certs, on)
    if live.stamp_voided_at is not None:
        voided_at, void_reason = live.stamp_voided_at, live.stamp_void_reason
    else:
        voided_at, void_reason = live.lot_voided_at, live.lot_void_reason
    photo = None
    if head.photo_path is not None:
        url = head.photo_path if head.photo_path.startswith("/") else "/static/" + head.photo_path
        photo = Photo(url, head.photo_width, head.photo_height, head.photo_alt or "")
    return TraceRecord(
        code=code,
        verdict=verdict,
        void_reason=void_reason,
        voided_at=_aware(voided_at),
        scan_count=live.scan_count,
        distinct_clients=live.distinct_clients,
        first_scan_at=_aware(live.first_scan_at),
        lot_id=live.lot_id,
        catalog_version=live.catalog_version,
        lot_number=head.lot_number,
        produced_on=head.produced_on,
        best_before=head.best_before,
        lot_quantity=head.quantity,
        lot_void=live.lot_voided_at is not None,
        product=_ProductView(head),
        producer=_ProducerView(head),
        photo=photo,
        certificate=shown,
        certificate_status=certificate_status(shown, on) if shown is not None else None,
        certified_now=current is not None,
        stars_now=current.stars if current is not None else None,
        certificate_covers_lot=(shown is not None and at_production is not None
                                and shown.id == at_production.id),
        lot_produced_while_certified=at_production is not None,
    )


class _ProductView:
    """Product fields under the model's names, so `localized(product, "name")` works."""

    __slots__ = ("id", "slug", "name", "name_en", "group", "gtin", "unit")

    def __init__(self, row):
        self.id, self.slug, self.name = row.product_id, row.product_slug, row.product_name
        self.name_en, self.group, self.gtin, self.unit = (row.product_name_en, row.group,
                                                           row.gtin, row.unit)


class _ProducerView(Located):
    __slots__ = ("slug", "name", "name_en", "kind", "province_code", "ward_code",
                 "craft_village", "address", "phone", "historical_origin")

    def __init__(self, row):
        self.slug, self.name = row.producer_slug, row.producer_name
        self.name_en = row.producer_name_en
        self.kind, self.province_code, self.ward_code = row.kind, row.province_code, row.ward_code
        self.craft_village, self.address, self.phone = row.craft_village, row.address, row.phone
        self.historical_origin = row.historical_origin

