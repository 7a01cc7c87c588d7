"""Importing a council's recognition-decision list (CONTRACT §2, §5).

The whole file is validated first; if any row is invalid, nothing is written and every bad
row is reported as `line N: reason` (the header is line 1). Otherwise every row is applied
in one transaction: producers are matched by tax code and products by tax code + product
name (both created when new; a new product is unpublished and unpriced until its seller
prices it), and a certificate already recorded for that product under the same decision
number is updated instead of duplicated.

Used by `flask --app wsgi certificates import FILE.csv` and the office's upload page. Every
rule comes from catalog.services / catalog.regions; this module only reads the file and
reports. Like every service, it flushes and never commits: the caller commits, or rolls back
when `errors` is not empty.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.spreadsheet import unescape_cell
from catalog import services
from catalog.models import GROUPS, PRODUCER_KINDS, Certificate, Producer, Product
from catalog.regions import validate_location

COLUMNS = (
    "decision_number", "issued_on", "issuer", "level", "product", "producer", "producer_kind",
    "tax_code", "province_code", "ward_code", "group", "stars", "score", "valid_until",
)
REQUIRED = tuple(c for c in COLUMNS if c not in ("ward_code", "valid_until"))
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class CertificateRow:
    """One valid line of the file, with typed values (valid_until resolved by the rule)."""

    line: int
    decision_number: str
    issued_on: date
    issuer: str
    level: str
    product: str
    producer: str
    producer_kind: str
    tax_code: str
    province_code: int
    ward_code: int | None
    group: str
    stars: int
    score: int
    valid_until: date

    @property
    def product_key(self) -> tuple[str, str]:
        return self.tax_code, name_key(self.product)


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportOutcome:
    """`imported` certificates created, `updated` ones already recorded; `errors` (as
    `line N: reason` strings) when nothing was written."""

    imported: int = 0
    updated: int = 0
    producers_created: int = 0
    products_created: int = 0
    rows: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def name_key(name: str) -> str:
    """How names are compared: Unicode NFC, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _clean(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


# --- 1. Reading and checking each line ---------------------------------------------------

def _records(text: str):
    """(first line number, fields) per CSV record; a quoted field may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for record in reader:
        yield start, record
        start = reader.line_num + 1


def _check_header(header: list[str]) -> str | None:
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n for n in names if n not in COLUMNS]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if not (missing or unknown or repeated):
        return None
    problems = []
    if missing:
        problems.append("missing column(s) " + ", ".join(missing))
    if unknown:
        problems.append("unknown column(s) " + ", ".join(repr(n) for n in unknown))
    if repeated:
        problems.append("repeated column(s) " + ", ".join(repeated))
    return ("the header row is missing or wrong (" + "; ".join(problems) + "); expected: "
            + ",".join(COLUMNS))


def _date(values: dict, column: str, reasons: list[str]) -> date | None:
    raw = values[column]
    if not raw:
        return None
    if ISO_DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    reasons.append(f"{column} {raw!r} is not a date (YYYY-MM-DD)")
    return None


def _int(values: dict, column: str, reasons: list[str]) -> int | None:
    raw = values[column]
    if not raw:
        return None
    if re.fullmatch(r"\d+", raw):
        return int(raw)
    reasons.append(f"{column} {raw!r} is not a whole number")
    return None


def _parse_row(line: int, values: dict[str, str]) -> CertificateRow | RowError:
    """Every problem of one line, or its typed row."""
    reasons = [f"{column} is empty" for column in REQUIRED if not values[column]]
    issued_on = _date(values, "issued_on", reasons)
    valid_until = _date(values, "valid_until", reasons)
    stars = _int(values, "stars", reasons)
    score = _int(values, "score", reasons)
    province_code = _int(values, "province_code", reasons)
    ward_code = _int(values, "ward_code", reasons)
    kind, group = values["producer_kind"], values["group"]
    if kind and kind not in PRODUCER_KINDS:
        reasons.append(f"unknown producer_kind {kind!r} (use {', '.join(PRODUCER_KINDS)})")
    if group and group not in GROUPS:
        reasons.append(f"unknown group {group!r} (use {', '.join(GROUPS)})")
    try:
        if values["tax_code"]:
            services.validate_tax_code(values["tax_code"])
    except DomainError as err:
        reasons.append(err.message)
    try:
        if province_code is not None:
            validate_location(province_code, ward_code)
    except DomainError as err:
        reasons.append(err.message)
    if None not in (stars, score, issued_on) and values["level"]:
        try:
            valid_until = services.validate_certificate_values(
                stars=stars, score=score, level=values["level"], issued_on=issued_on,
                valid_until=valid_until, decision_number=values["decision_number"] or "?",
                issuer=values["issuer"] or "?")  # emptiness is reported above
        except DomainError as err:
            reasons.append(err.message)
    if reasons:
        return RowError(line, "; ".join(reasons))
    return CertificateRow(
        line=line, decision_number=values["decision_number"], issued_on=issued_on,
        issuer=values["issuer"], level=values["level"], product=values["product"],
        producer=values["producer"], producer_kind=kind, tax_code=values["tax_code"],
        province_code=province_code, ward_code=ward_code, group=group, stars=stars,
        score=score, valid_until=valid_until,
    )


def parse_csv(text: str) -> tuple[list[CertificateRow], list[RowError]]:
    """Read the whole file: its valid rows and the errors of every other line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return [], [RowError(1, "the file is empty (expected a header row and decisions)")]
    records = _records(text)
    try:
        _, header = next(records)
    except csv.Error as err:
        return [], [RowError(1, f"unreadable CSV ({err})")]
    problem = _check_header(header)
    if problem:
        return [], [RowError(1, problem)]
    names = [h.strip().lower() for h in header]
    rows: list[CertificateRow] = []
    errors: list[RowError] = []
    line = 1
    try:
        for line, record in records:
            if not any(value.strip() for value in record):
                continue  # blank lines are not decisions
            if len(record) != len(names):
                errors.append(RowError(line, f"expected {len(names)} fields, found {len(record)}"))
                continue
            parsed = _parse_row(line, {n: _clean(unescape_cell(v.strip()))
                                        for n, v in zip(names, record, strict=True)})
            (errors if isinstance(parsed, RowError) else rows).append(parsed)
    except csv.Error as err:
        errors.append(RowError(line + 1, f"unreadable CSV ({err})"))
    if not rows and not errors:
        errors.append(RowError(2, "the file has a header but no decisions"))
    return rows, errors


# --- 2. Checking the rows against each other and the database -----------------------------

def _producer_label(name: str, kind: str, province_code: int) -> str:
    return f"{name!r} ({kind}, province {province_code})"


def check_rows(session: Session, rows: list[CertificateRow]) -> list[RowError]:
    """Contradictions inside the file and with what the database already holds."""
    errors: list[RowError] = []
    first_for_tax_code: dict[str, CertificateRow] = {}
    first_for_product: dict[tuple[str, str], CertificateRow] = {}
    first_for_name: dict[tuple[str, int], CertificateRow] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        first = first_for_tax_code.setdefault(row.tax_code, row)
        same_ward = None in (first.ward_code, row.ward_code) or first.ward_code == row.ward_code
        if (name_key(first.producer), first.producer_kind, first.province_code) != \
                (name_key(row.producer), row.producer_kind, row.province_code) or not same_ward:
            errors.append(RowError(row.line, (
                f"tax code {row.tax_code} is given to "
                f"{_producer_label(row.producer, row.producer_kind, row.province_code)} here but to "
                f"{_producer_label(first.producer, first.producer_kind, first.province_code)}"
                f" on line {first.line}")))
        product_first = first_for_product.setdefault(row.product_key, row)
        if product_first.group != row.group:
            errors.append(RowError(row.line, (
                f"product {row.product!r} is in group {row.group} here but in group "
                f"{product_first.group} on line {product_first.line}")))
        named = first_for_name.setdefault((name_key(row.producer), row.province_code), row)
        if named.tax_code != row.tax_code:
            errors.append(RowError(row.line, (
                f"producer {row.producer!r} has tax code {row.tax_code} here but "
                f"{named.tax_code} on line {named.line}")))
        key = (*row.product_key, row.decision_number)
        if key in seen:
            errors.append(RowError(row.line, (
                f"duplicate of line {seen[key]} (same tax code, product and decision "
                f"{row.decision_number})")))
        else:
            seen[key] = row.line

    existing = _existing(session, rows)
    registered = _registered_names(session, rows)
    for row in rows:
        producer = existing.producers.get(row.tax_code)
        if producer is None:
            other = registered.get((name_key(row.producer), row.province_code))
            if other is not None:
                errors.append(RowError(row.line, (
                    f"producer {row.producer!r} is registered with tax code {other}, not "
                    f"{row.tax_code}")))
            continue
        if (name_key(producer.name), producer.kind, producer.province_code) != \
                (name_key(row.producer), row.producer_kind, row.province_code):
            errors.append(RowError(row.line, (
                f"tax code {row.tax_code} belongs to "
                f"{_producer_label(producer.name, producer.kind, producer.province_code)} in the "
                f"database, not {_producer_label(row.producer, row.producer_kind, row.province_code)}"
            )))
            continue
        product = existing.products.get(row.product_key)
        if product is not None and product.group != row.group:
            errors.append(RowError(row.line, (
                f"product {product.name!r} of this producer is in group {product.group}, not "
                f"{row.group}")))
        cert = existing.certificates.get((*row.product_key, row.decision_number))
        if cert is not None and cert.revoked_on is not None and cert.revoked_on < row.issued_on:
            errors.append(RowError(row.line, (
                f"decision {row.decision_number} was revoked on {cert.revoked_on.isoformat()}, "
                f"before issued_on {row.issued_on.isoformat()}")))
    return errors


def _registered_names(session: Session, rows: list[CertificateRow]) -> dict[tuple[str, int], str]:
    """(name, province) → tax code of the producers registered in the file's provinces."""
    provinces = {row.province_code for row in rows}
    if not provinces:
        return {}
    found = session.execute(select(Producer.name, Producer.province_code, Producer.tax_code)
                            .where(Producer.province_code.in_(provinces)))
    return {(name_key(name), province): tax_code for name, province, tax_code in found}


@dataclass
class _Existing:
    producers: dict[str, Producer]
    products: dict[tuple[str, str], Product]
    certificates: dict[tuple[str, str, str], Certificate]


def _existing(session: Session, rows: list[CertificateRow]) -> _Existing:
    """What the database holds for the file's tax codes: three queries whatever its size."""
    tax_codes = {row.tax_code for row in rows}
    producers = {p.tax_code: p for p in session.scalars(
        select(Producer).where(Producer.tax_code.in_(tax_codes)))} if tax_codes else {}
    by_id = {p.id: p for p in producers.values()}
    products: dict[tuple[str, str], Product] = {}
    if by_id:
        for product in session.scalars(select(Product).where(Product.producer_id.in_(by_id))):
            products.setdefault((by_id[product.producer_id].tax_code, name_key(product.name)),
                                product)
    certificates: dict[tuple[str, str, str], Certificate] = {}
    if products:
        keys = {p.id: key for key, p in products.items()}
        for cert in session.scalars(select(Certificate).where(Certificate.product_id.in_(keys))):
            certificates[(*keys[cert.product_id], cert.decision_number)] = cert
    return _Existing(producers, products, certificates)


# --- 3. Writing -------------------------------------------------------------------------------

def apply_rows(session: Session, rows: list[CertificateRow]) -> ImportOutcome:
    """Write checked rows (flush only). Call after parse_csv and check_rows found nothing."""
    outcome = ImportOutcome(rows=len(rows))
    existing = _existing(session, rows)
    for row in rows:
        producer = existing.producers.get(row.tax_code)
        if producer is None:
            producer = services.create_producer(
                session, name=row.producer, kind=row.producer_kind, tax_code=row.tax_code,
                province_code=row.province_code, ward_code=row.ward_code)
            existing.producers[row.tax_code] = producer
            outcome.producers_created += 1
        product = existing.products.get(row.product_key)
        if product is None:
            # Unpublished and unpriced until its seller prices it (CONTRACT §5).
            product = services.create_product(session, producer, name=row.product,
                                              group=row.group)
            existing.products[row.product_key] = product
            outcome.products_created += 1
        values = {"stars": row.stars, "score": row.score, "level": row.level,
                  "issuer": row.issuer, "issued_on": row.issued_on,
                  "valid_until": row.valid_until}
        cert = existing.certificates.get((*row.product_key, row.decision_number))
        if cert is None:
            cert = services.create_certificate(session, product,
                                               decision_number=row.decision_number, **values)
            existing.certificates[(*row.product_key, row.decision_number)] = cert
            outcome.imported += 1
        else:
            # A decision listed again: a value that differs is corrected on the record
            # (old → new kept), never silently overwritten.
            changes = {name: value for name, value in values.items()
                       if getattr(cert, name) != value}
            if changes:
                services.correct_certificate(session, cert,
                                             reason=f"certificate list import, line {row.line}",
                                             **changes)
            outcome.updated += 1
    session.flush()
    return outcome


def import_csv_text(session: Session, text: str, *, dry_run: bool = False) -> ImportOutcome:
    """Validate the whole file, then (unless `dry_run` or invalid) write it.

    With errors, nothing has been written: the savepoint around the writes is rolled back,
    so the caller may roll back or simply not commit."""
    rows, errors = parse_csv(text)
    errors = errors + check_rows(session, rows)
    if errors:
        return ImportOutcome(rows=len(rows), errors=_one_per_line(errors))
    if dry_run:
        existing = _existing(session, rows)
        updated = sum((*r.product_key, r.decision_number) in existing.certificates for r in rows)
        return ImportOutcome(imported=len(rows) - updated, updated=updated, rows=len(rows))
    try:
        with session.begin_nested():
            return apply_rows(session, rows)
    except DomainError as err:  # a rule the checks above did not foresee: still all or nothing
        return ImportOutcome(rows=len(rows), errors=[f"import refused: {err.message}"])


def import_csv_bytes(session: Session, data: bytes, *, dry_run: bool = False) -> ImportOutcome:
    """As import_csv_text, from the file's bytes (UTF-8, with or without a BOM)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        return ImportOutcome(errors=[
            f"line {line}: the file is not UTF-8 text (save it as 'CSV UTF-8')"])
    return import_csv_text(session, text, dry_run=dry_run)


def _one_per_line(errors: list[RowError]) -> list[str]:
    """`line N: reason; reason`, one entry per bad line, in file order."""
    by_line: dict[int, list[str]] = {}
    for error in sorted(errors, key=lambda e: e.line):
        by_line.setdefault(error.line, []).append(error.reason)
    return [str(RowError(line, "; ".join(reasons))) for line, reasons in by_line.items()]
