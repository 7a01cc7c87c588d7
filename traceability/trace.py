"""The trace record and scan recording — the hottest path in the system (DOMAIN §6).

One call, `trace(session, code, client_hash, …)`, records the scan and returns everything
the page and the API show, in four short statements inside the caller's transaction:

1. insert-or-ignore (stamp, client) — the exact distinct-client count behind `suspicious`;
2. one atomic UPDATE of the stamp's counters (`n = n + 1`), RETURNING them;
3. one SELECT joining stamp, lot, product, producer, first photo and certificates;
4. insert the scan row with the verdict given.

The writes come first on purpose: on SQLite a transaction that reads and then writes can
fail with SQLITE_BUSY_SNAPSHOT when another process wrote in between; starting with a write
takes the write lock (waiting for busy_timeout) and the read then sees the latest state.
Core statements, not ORM entities: no identity map or unit of work on a page that only
reads and counts. The caller commits once.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, column, func, insert, literal, select, table, true, update
from sqlalchemy.orm import Session

from app.clock import now as clock_now
from app.clock import today
from app.errors import NotFound
from catalog.gate import certificate_status, current_certificate, latest_certificate
from catalog.models import Certificate, Producer, Product, ProductPhoto
from catalog.regions import Located
from traceability import codes
from traceability.models import Lot, Scan, Stamp, StampClient

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


def network_hash(salt: str, address: str | None) -> str:
    """A keyed hash of the scan's network (never the raw address nor the network itself):
    what `stamp_clients` and `scans.client_hash` hold, so `distinct_clients` counts the
    distinct networks a stamp was scanned from."""
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
    # lot
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
    Stamp.voided_at.label("stamp_voided_at"), Stamp.void_reason.label("stamp_void_reason"),
    Lot.lot_number, Lot.produced_on, Lot.best_before, Lot.quantity,
    Lot.voided_at.label("lot_voided_at"), Lot.void_reason.label("lot_void_reason"),
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


def _record_select(*extra_columns, start=Stamp):
    """Stamp, lot, product, producer, first photo and every certificate: one row per
    certificate (at least one row)."""
    query = select(*extra_columns, *_RECORD_COLUMNS).select_from(start)
    if start is not Stamp:
        query = query.join(Stamp, Stamp.id == start.c.id)
    return (
        query.join(Lot, Lot.id == Stamp.lot_id)
        .join(Product, Product.id == Lot.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .outerjoin(ProductPhoto, ProductPhoto.id == _first_photo_id)
        .outerjoin(Certificate, Certificate.product_id == Product.id)
    )


_READ = _record_select(Stamp.id.label("stamp_id")).where(Stamp.id == bindparam("p_stamp_id"))

# PostgreSQL: the whole scan in ONE round trip. Data-modifying CTEs note the client, count
# the scan (row-locked UPDATE, so concurrent scans of one stamp add up), insert the scan row
# with its verdict, and the final SELECT reads the record. The CASE below is verdict_for()
# in SQL; tests/traceability/test_trace.py proves the stored and the shown verdicts agree.
# The scan log is committed asynchronously (synchronous_commit off for this transaction
# only): a crash may lose the last fraction of a second of scans, whole transactions at a
# time, never leaving counters and rows out of step; the page does not wait for the WAL
# flush. Compiled once (the SELECT part from the Core query above).
_PG_SCAN_CTES = """WITH target AS (
    SELECT stamps.id, stamps.voided_at IS NOT NULL OR lots.voided_at IS NOT NULL AS void
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
    RETURNING stamps.id, stamps.scan_count, stamps.distinct_clients, stamps.first_scan_at,
        target.void
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
"""
_counted = table("counted", column("id"), column("scan_count"), column("distinct_clients"),
                 column("first_scan_at"))
_recorded = table("recorded", column("verdict"))
_async_commit = table("async_commit", column("setting"))
_PG_SQL: list[str] = []


def _postgres_scan_sql(dialect) -> str:
    if not _PG_SQL:
        query = _record_select(
            _counted.c.id.label("stamp_id"), _counted.c.scan_count, _counted.c.distinct_clients,
            _counted.c.first_scan_at, _recorded.c.verdict.label("recorded_verdict"),
            _async_commit.c.setting, start=_counted,
        ).join(_recorded, true()).join(_async_commit, true())
        compiled = query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
        _PG_SQL.append(_PG_SCAN_CTES + str(compiled))
    return _PG_SQL[0]


def _note_client_statement(dialect: str):
    # The dialect's own INSERT for ON CONFLICT DO NOTHING (same SQL on SQLite and PostgreSQL).
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return (
        dialect_insert(StampClient)
        .from_select(
            ["stamp_id", "client_hash", "first_seen_at"],
            select(Stamp.id, bindparam("p_client_hash"), bindparam("p_at")).where(
                Stamp.code == bindparam("p_code")
            ),
        )
        .on_conflict_do_nothing()
        # SQLAlchemy keeps cursor.rowcount of UPDATE/DELETE only unless asked.
        .execution_options(preserve_rowcount=True)
    )


_NOTE_CLIENT_BY_DIALECT: dict[str, object] = {}


def _count_scan(new_client):
    return (
        update(Stamp)
        .where(Stamp.code == bindparam("p_code"))
        .values(
            scan_count=Stamp.scan_count + 1,
            distinct_clients=Stamp.distinct_clients + new_client,
            first_scan_at=func.coalesce(Stamp.first_scan_at, bindparam("p_at")),
            last_scan_at=bindparam("p_at"),
        )
        .returning(Stamp.id, Stamp.scan_count, Stamp.distinct_clients, Stamp.first_scan_at)
    )


_COUNT_OLD_CLIENT = _count_scan(literal(0))
_COUNT_NEW_CLIENT = _count_scan(literal(1))
_RECORD_SCAN = insert(Scan).values(
    stamp_id=bindparam("p_stamp_id"), scanned_at=bindparam("p_at"),
    client_hash=bindparam("p_client_hash"), verdict=bindparam("p_verdict"),
)


def trace(session: Session, raw_code: str, client: str, *, threshold: int,
          expect_gtin: str | None = None, expect_lot: str | None = None,
          on: date | None = None) -> TraceRecord:
    """Record one scan of `raw_code` by `client` and return the trace record, or raise
    UnknownCode (nothing recorded) for a code that is not one of our stamps. With
    `expect_gtin`/`expect_lot` (a GS1 Digital Link), any mismatch is unknown too."""
    code = codes.normalize(raw_code)
    if code is None:
        raise UnknownCode()
    at = clock_now()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(_postgres_scan_sql(connection.dialect), {
            "p_code": code, "p_client_hash": client, "p_at": at, "p_threshold": threshold,
        }).all()
        if not rows:
            raise UnknownCode()
        head = rows[0]
        scan_count, distinct_clients, first_scan_at = (head.scan_count, head.distinct_clients,
                                                       head.first_scan_at)
    else:
        rows, scan_count, distinct_clients, first_scan_at = _scan_step_by_step(
            connection, code, client, at)
        head = rows[0]
    if expect_gtin is not None and (head.gtin != expect_gtin or head.lot_number != expect_lot):
        raise UnknownCode("This GS1 Digital Link does not match an OCOP Market stamp.")
    void = head.stamp_voided_at is not None or head.lot_voided_at is not None
    verdict = verdict_for(void=void, distinct_clients=distinct_clients, threshold=threshold)
    if connection.dialect.name != "postgresql":
        connection.execute(_RECORD_SCAN, {"p_stamp_id": head.stamp_id, "p_at": at,
                                          "p_client_hash": client, "p_verdict": verdict})
    return _record(code, verdict, head, rows, scan_count, distinct_clients, _aware(first_scan_at),
                   on or today())


def _scan_step_by_step(connection, code: str, client: str, at: datetime):
    """SQLite (no DML in CTEs): insert-or-ignore the client, count the scan, read the
    record; the caller inserts the scan row once it knows the verdict."""
    note_client = _NOTE_CLIENT_BY_DIALECT.get(connection.dialect.name)
    if note_client is None:
        note_client = _NOTE_CLIENT_BY_DIALECT.setdefault(
            connection.dialect.name, _note_client_statement(connection.dialect.name))
    new_client = connection.execute(
        note_client, {"p_code": code, "p_client_hash": client, "p_at": at}
    ).rowcount
    counted = connection.execute(
        _COUNT_NEW_CLIENT if new_client else _COUNT_OLD_CLIENT, {"p_code": code, "p_at": at}
    ).first()
    if counted is None:
        raise UnknownCode()
    stamp_id, scan_count, distinct_clients, first_scan_at = counted
    rows = connection.execute(_READ, {"p_stamp_id": stamp_id}).all()
    return rows, scan_count, distinct_clients, first_scan_at


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were written as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _record(code, verdict, head, rows, scan_count, distinct_clients, first_scan_at,
            on: date) -> TraceRecord:
    certs = [
        CertificateView(r.cert_id, r.decision_number, r.issuer, r.level, r.stars, r.score,
                        r.issued_on, r.valid_until, r.revoked_on, r.revoke_reason)
        for r in rows if r.cert_id is not None
    ]
    current = current_certificate(certs, on)
    at_production = current_certificate(certs, head.produced_on)
    shown = current or at_production or latest_certificate(certs, on)
    if head.stamp_voided_at is not None:
        voided_at, void_reason = head.stamp_voided_at, head.stamp_void_reason
    else:
        voided_at, void_reason = head.lot_voided_at, head.lot_void_reason
    voided_at = _aware(voided_at)
    photo = None
    if head.photo_path is not None:
        url = head.photo_path if head.photo_path.startswith("/") else "/static/" + head.photo_path
        photo = Photo(url, head.photo_width, head.photo_height, head.photo_alt or "")
    return TraceRecord(
        code=code,
        verdict=verdict,
        void_reason=void_reason,
        voided_at=voided_at,
        scan_count=scan_count,
        distinct_clients=distinct_clients,
        first_scan_at=first_scan_at,
        lot_number=head.lot_number,
        produced_on=head.produced_on,
        best_before=head.best_before,
        lot_quantity=head.quantity,
        lot_void=head.lot_voided_at is not None,
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

