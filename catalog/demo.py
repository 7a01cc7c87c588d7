"""The demo catalogue: producers, products and certificates of the five founding provinces,
read from the data files in `catalog/demo_data/` (described in its README.md).

The files go through the same doors as real data: producers through the office's
`create_producer`, products through the seller's `create_product` (prices, units,
descriptions, GTINs, publication), certificates through the certificate-list importer of
`flask certificates import` (CONTRACT §5), revocations through `revoke_certificate`, logins
through `create_user`. A broken line is refused with the importer's own `line N: reason`.

`seed(session)` is idempotent: producers are matched by tax code, products by (producer,
name), certificates by (tax code, product, decision number), users by e-mail; what exists is
left as it is, so a second run changes nothing, whatever the day.

Certificate dates are RELATIVE to `app.clock.today()` (offsets such as `-400d` in the file),
so the edge cases (ending in 52 days, ended yesterday, ending today, revoked…) stay edge cases
whenever the demo is seeded, and an empty level and issuer follow the date as on real
decisions: 3★ by the district before 1 July 2025 and by the province after it (1489/QĐ-TTg:
communes issue none); provincial decisions by the former province (Yên Bái, Kon Tum, Kiên
Giang, Sóc Trăng, Hậu Giang, Nam Định, Hà Nam) before the 2025 mergers; 5★ by the Ministry of
Agriculture and Rural Development, renamed Ministry of Agriculture and Environment from
1 March 2025.

Photos are small illustrative images shipped in `app/static/demo/` (made once by
`python -m catalog.demo_photos`), never hotlinked.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import spreadsheet
from app.clock import today
from app.demo import DAY_OFFSET, DemoDataError, read_objects, read_rows, resolve_day, yes
from app.errors import DomainError
from catalog import importer, services
from catalog.gate import add_months, default_valid_until
from catalog.models import Certificate, Producer, Product, ProductPhoto

DEMO_PASSWORD = "ocop-demo-2026"  # noqa: S105 - published demo credentials, documented in README

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
PRODUCERS_CSV = DATA_DIR / "producers.csv"
PRODUCTS_CSV = DATA_DIR / "products.csv"
CERTIFICATES_CSV = DATA_DIR / "certificates.csv"
USERS_CSV = DATA_DIR / "users.csv"

# Columns of certificates.csv beyond CONTRACT §5's, dropped before the importer reads it.
DEMO_ONLY_COLUMNS = ("revoked_on", "revoke_reason", "note")

# The two-tier local government (no more districts) since 1 July 2025; the Ministry of
# Agriculture and Rural Development merged into Agriculture and Environment on 1 March 2025.
TWO_TIER_FROM = date(2025, 7, 1)
MINISTRY_RENAMED_FROM = date(2025, 3, 1)
MINISTRY_BEFORE = "Bộ Nông nghiệp và Phát triển nông thôn"
MINISTRY_AFTER = "Bộ Nông nghiệp và Môi trường"

# How each 2025 province is named on its People's Committee decisions.
PROVINCE_COUNCIL = {
    15: "tỉnh Lào Cai",
    37: "tỉnh Ninh Bình",
    51: "tỉnh Quảng Ngãi",
    91: "tỉnh An Giang",
    92: "thành phố Cần Thơ",
}

PHOTO_SIZE = (480, 480)

# Dates in certificates.csv: app.demo's relative days (`-400d`, `+52d`) or `YYYY-MM-DD`, and
# for issued_on `end-36m` (36 months before the day after valid_until: the default term).
BEFORE_END = re.compile(r"end-(\d+)m")


@dataclass(frozen=True)
class DemoProducer:
    key: str
    name: str
    name_en: str
    kind: str
    tax_code: str
    province_code: int
    ward_code: int
    address: str
    description: str
    description_en: str
    # The district that recognised 3★ products before 1 July 2025 ("huyện Bắc Hà").
    old_district: str
    # The former province whose People's Committee issued 4★ decisions before the merger.
    old_province: str | None = None
    historical_origin: str | None = None
    craft_village: str | None = None
    phone: str | None = None
    email: str | None = None
    active: bool = True


@dataclass(frozen=True)
class DemoCertificate:
    """One line of certificates.csv, its dates still relative (see DAY_OFFSET)."""

    line: int
    decision_number: str
    stars: int
    score: int
    issued_on: str
    valid_until: str = ""
    revoked_on: str = ""
    revoke_reason: str = ""
    note: str = ""

    @property
    def ends_in(self) -> int | None:
        """Days from the seeding day to valid_until, when the file gives it as an offset."""
        match = DAY_OFFSET.fullmatch(self.valid_until)
        return int(match[1]) if match else None

    @property
    def revoked_days_ago(self) -> int | None:
        match = DAY_OFFSET.fullmatch(self.revoked_on)
        return -int(match[1]) if match else None

    def dates(self, on: date) -> tuple[date, date]:
        """(issued_on, valid_until) relative to `on`."""
        issued_on, valid_until = resolve_dates(self.issued_on, self.valid_until, on)
        return issued_on, valid_until or default_valid_until(issued_on)


@dataclass(frozen=True)
class DemoProduct:
    producer: str
    name: str
    name_en: str
    group: str
    unit: str
    unit_en: str
    price_vnd: int | None
    description: str
    description_en: str
    # The illustration drawn by catalog/demo_photos.py, shipped as `photo` in app/static/.
    shape: str
    photo: str
    certificates: tuple[DemoCertificate, ...] = ()
    gtin: str | None = None
    published: bool = True
    # Opening units in the producer's warehouse (showrooms.demo); None for services.
    stock: int | None = None


def resolve_dates(issued_on: str, valid_until: str, on: date) -> tuple[date, date | None]:
    """A decision's (issued_on, valid_until) for the day `on`; valid_until None when the file
    leaves it to the default term. `end-36m`: 36 months before the day after valid_until."""
    until = resolve_day(valid_until, on) if valid_until else None
    before_end = BEFORE_END.fullmatch(issued_on)
    if before_end is None:
        return resolve_day(issued_on, on), until
    if until is None:
        raise DemoDataError(f"issued_on {issued_on!r} needs a valid_until")
    return add_months(until + timedelta(days=1), -int(before_end[1])), until


# --- Reading the files ------------------------------------------------------------------------

def _int_or_none(text: str) -> int | None:
    return int(text) if text else None


def read_producers(path: Path = PRODUCERS_CSV) -> tuple[DemoProducer, ...]:
    return tuple(read_objects(path, lambda r: DemoProducer(
        key=r["key"], name=r["name"], name_en=r["name_en"], kind=r["kind"],
        tax_code=r["tax_code"], province_code=int(r["province_code"]),
        ward_code=int(r["ward_code"]), address=r["address"], description=r["description"],
        description_en=r["description_en"], old_district=r["old_district"],
        old_province=r["old_province"] or None, historical_origin=r["historical_origin"] or None,
        craft_village=r["craft_village"] or None, phone=r["phone"] or None,
        email=r["email"] or None, active=yes(r["active"]))))


def read_certificates(path: Path = CERTIFICATES_CSV) -> dict[tuple[str, str], list[DemoCertificate]]:
    """The demo decisions by (tax code, product name key), in file order."""
    by_product: dict[tuple[str, str], list[DemoCertificate]] = {}
    for line, r in read_rows(path):
        try:
            cert = DemoCertificate(
                line=line, decision_number=r["decision_number"], stars=int(r["stars"]),
                score=int(r["score"]), issued_on=r["issued_on"], valid_until=r["valid_until"],
                revoked_on=r["revoked_on"], revoke_reason=r["revoke_reason"], note=r["note"])
        except (KeyError, ValueError) as err:
            raise DemoDataError(f"{path.name} line {line}: {err!r}") from None
        by_product.setdefault((r["tax_code"], importer.name_key(r["product"])), []).append(cert)
    return by_product


def read_products(path: Path = PRODUCTS_CSV, *, producers: tuple[DemoProducer, ...],
                  certificates: dict[tuple[str, str], list[DemoCertificate]]
                  ) -> tuple[DemoProduct, ...]:
    tax_codes = {p.key: p.tax_code for p in producers}
    return tuple(read_objects(path, lambda r: DemoProduct(
        producer=r["producer"], name=r["name"], name_en=r["name_en"], group=r["group"],
        unit=r["unit"], unit_en=r["unit_en"], price_vnd=_int_or_none(r["price_vnd"]),
        description=r["description"], description_en=r["description_en"], shape=r["shape"],
        photo=r["photo"], gtin=r["gtin"] or None, published=yes(r["published"]),
        stock=_int_or_none(r["stock"]),
        certificates=tuple(certificates.get(
            (tax_codes[r["producer"]], importer.name_key(r["name"])), ())))))


def read_users(path: Path = USERS_CSV) -> tuple[tuple[str, str, str | None, str], ...]:
    """(email, role, producer key or None, name)."""
    return tuple(read_objects(path, lambda r: (r["email"], r["role"], r["producer"] or None,
                                              r["name"])))


PRODUCERS = read_producers()
PRODUCTS = read_products(producers=PRODUCERS, certificates=read_certificates())
DEMO_USERS = read_users()


# --- Issuers and levels, as on real decisions -------------------------------------------------

def level_and_issuer(stars: int, issued_on: date, producer: DemoProducer) -> tuple[str, str]:
    """Who recognised a certificate of that many stars on that date (DOMAIN §2)."""
    if stars == 5:
        ministry = MINISTRY_BEFORE if issued_on < MINISTRY_RENAMED_FROM else MINISTRY_AFTER
        return "central", ministry
    if stars == 4:
        council = (producer.old_province if producer.old_province and issued_on < TWO_TIER_FROM
                   else PROVINCE_COUNCIL[producer.province_code])
        return "province", f"UBND {council}"
    if issued_on < TWO_TIER_FROM:
        return "district", f"UBND {producer.old_district}"
    # Since 1489/QĐ-TTg (06/7/2025) 3★ comes from the province; communes issue no certificate.
    return "province", f"UBND {PROVINCE_COUNCIL[producer.province_code]}"


# --- certificates.csv → the certificate list of CONTRACT §5 -----------------------------------

def _resolve_row(row: dict[str, str], on: date, producers: dict[str, DemoProducer]) -> None:
    """Relative dates → `YYYY-MM-DD`, an empty level and issuer → the decision's own. A cell
    it cannot read is left as written, for the importer to report with its line number."""
    try:
        issued_on, valid_until = resolve_dates(row["issued_on"], row["valid_until"], on)
    except DemoDataError:
        return
    row["issued_on"] = issued_on.isoformat()
    if valid_until is not None:
        row["valid_until"] = valid_until.isoformat()
    producer = producers.get(row["tax_code"])
    if producer is not None and row["stars"].isdigit() and not (row["level"] or row["issuer"]):
        row["level"], row["issuer"] = level_and_issuer(int(row["stars"]), issued_on, producer)


def certificate_list(text: str, on: date, *, recorded: set[tuple[str, str, str]] = frozenset(),
                     producers: tuple[DemoProducer, ...] = PRODUCERS
                     ) -> tuple[str, list[dict[str, str]]]:
    """The demo file as a CONTRACT §5 CSV for the day `on`, and its rows that are new.

    The demo-only columns are dropped and relative dates resolved. Decisions already
    `recorded` ((tax code, product name key, decision number)) are left out as blank lines,
    which the importer skips: its `line N` is still the demo file's line N."""
    by_tax_code = {p.tax_code: p for p in producers}
    out = io.StringIO()
    writer = spreadsheet.writer(out, lineterminator="\n")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    names = [name.strip() for name in next(reader, [])]
    columns = [name for name in names if name not in DEMO_ONLY_COLUMNS]
    writer.writerow(columns)  # a wrong header is the importer's to report
    new_rows: list[dict[str, str]] = []
    start = 2
    for record in reader:
        spans = reader.line_num - start + 1  # a quoted field may span lines
        line, start = start, reader.line_num + 1
        if not any(value.strip() for value in record):
            out.write("\n" * spans)
            continue
        if len(record) != len(names):
            raise DemoDataError(f"line {line}: expected {len(names)} fields, found {len(record)}")
        row = {name: value.strip() for name, value in zip(names, record, strict=True)}
        key = (row.get("tax_code", ""), importer.name_key(row.get("product", "")),
               row.get("decision_number", ""))
        if key in recorded:
            out.write("\n" * spans)
            continue
        new_rows.append({**row, "line": str(line)})
        if {"issued_on", "valid_until", "level", "issuer", "stars", "tax_code"} <= set(row):
            _resolve_row(row, on, by_tax_code)
        writer.writerow([row[name] for name in columns])
        out.write("\n" * (spans - 1))
    return out.getvalue(), new_rows


def _recorded(session: Session, tax_codes: set[str]) -> dict[tuple[str, str, str], Certificate]:
    """The certificates of these producers by (tax code, product name key, decision number)."""
    found = session.execute(
        select(Producer.tax_code, Product.name, Certificate)
        .join(Product, Certificate.product_id == Product.id)
        .join(Producer, Product.producer_id == Producer.id)
        .where(Producer.tax_code.in_(tax_codes)))
    return {(tax_code, importer.name_key(name), cert.decision_number): cert
            for tax_code, name, cert in found}


def import_certificates(session: Session, path: Path = CERTIFICATES_CSV,
                        on: date | None = None) -> list[Certificate]:
    """Import the demo decisions not recorded yet through the certificate-list importer (all
    or nothing, `line N: reason`), then revoke those the file says were revoked. Returns the
    certificates it created, in file order."""
    on = on or today()
    tax_codes = {row.get("tax_code", "") for _, row in read_rows(path)}
    try:
        csv_text, new_rows = certificate_list(path.read_text(encoding="utf-8"), on,
                                              recorded=set(_recorded(session, tax_codes)))
    except DemoDataError as err:
        raise DemoDataError(f"{path.name} {err}") from None
    if not new_rows:
        return []  # every decision is recorded already
    outcome = importer.import_csv_text(session, csv_text)
    if not outcome.ok:
        raise DemoDataError(f"{path.name} is refused by the certificate importer:\n"
                            + "\n".join(outcome.errors))
    recorded = _recorded(session, tax_codes)
    created = []
    for row in new_rows:
        cert = recorded[(row["tax_code"], importer.name_key(row["product"]), row["decision_number"])]
        created.append(cert)
        if not row.get("revoked_on"):
            continue
        try:
            services.revoke_certificate(session, cert, reason=row.get("revoke_reason", ""),
                                        revoked_on=resolve_day(row["revoked_on"], on))
        except (DomainError, DemoDataError) as err:
            raise DemoDataError(f"{path.name} line {row['line']}: revoked_on: "
                                f"{getattr(err, 'message', err)}") from None
    return created


# --- Seeding --------------------------------------------------------------------------------

def _ensure_producer(session: Session, spec: DemoProducer) -> Producer:
    producer = session.scalar(select(Producer).where(Producer.tax_code == spec.tax_code))
    if producer is not None:
        return producer
    return services.create_producer(
        session, name=spec.name, kind=spec.kind, tax_code=spec.tax_code,
        province_code=spec.province_code, ward_code=spec.ward_code, address=spec.address,
        name_en=spec.name_en, historical_origin=spec.historical_origin,
        craft_village=spec.craft_village, phone=spec.phone, email=spec.email,
        description=spec.description, description_en=spec.description_en, active=spec.active,
    )


def _ensure_product(session: Session, producer: Producer, spec: DemoProduct) -> Product:
    product = session.scalar(select(Product).where(Product.producer_id == producer.id,
                                                   Product.name == spec.name))
    if product is not None:
        return product
    product = services.create_product(
        session, producer, name=spec.name, name_en=spec.name_en, group=spec.group,
        description=spec.description, description_en=spec.description_en, unit=spec.unit,
        unit_en=spec.unit_en, price_vnd=spec.price_vnd, published=spec.published,
        gtin=spec.gtin,
    )
    # A shipped static illustration, not an upload: catalog.photos.add_photo would re-encode
    # it into PHOTO_DIR.
    product.photos.append(ProductPhoto(
        path=spec.photo, width=PHOTO_SIZE[0], height=PHOTO_SIZE[1],
        alt=f"Ảnh minh hoạ: {spec.name}",
    ))
    session.flush()
    return product


def _ensure_users(session: Session, producers: dict[str, Producer]) -> None:
    from app.accounts.models import User
    from app.accounts.services import create_user

    for email, role, producer_key, name in DEMO_USERS:
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        create_user(session, email=email, password=DEMO_PASSWORD, role=role, name=name,
                    producer_tax_code=producers[producer_key].tax_code if producer_key else None)


def seed(session: Session) -> None:
    """Idempotent: running it twice changes nothing."""
    producers = {spec.key: _ensure_producer(session, spec) for spec in PRODUCERS}
    for spec in PRODUCTS:
        _ensure_product(session, producers[spec.producer], spec)
    import_certificates(session)
    _ensure_users(session, producers)
    session.flush()
