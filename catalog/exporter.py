"""Exporting certificates in the import format (CONTRACT §5), for the national OCOP database
and other systems. Exporting then importing the file changes nothing (tests prove it)."""

from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app import spreadsheet
from catalog.importer import COLUMNS
from catalog.models import Certificate, Producer, Product


def certificates_for_export(session: Session, *, province_code: int | None = None) -> list[Certificate]:
    query = (select(Certificate).join(Certificate.product).join(Product.producer)
             .options(joinedload(Certificate.product).joinedload(Product.producer))
             .order_by(Certificate.issued_on, Certificate.decision_number, Certificate.id))
    if province_code is not None:
        query = query.where(Producer.province_code == province_code)
    return list(session.scalars(query).unique())


def certificate_row(cert: Certificate) -> dict:
    product, producer = cert.product, cert.product.producer
    return {
        "decision_number": cert.decision_number, "issued_on": cert.issued_on.isoformat(),
        "issuer": cert.issuer, "level": cert.level, "product": product.name,
        "producer": producer.name, "producer_kind": producer.kind, "tax_code": producer.tax_code,
        "province_code": producer.province_code,
        "ward_code": producer.ward_code if producer.ward_code is not None else "",
        "group": product.group, "stars": cert.stars, "score": cert.score,
        "valid_until": cert.valid_until.isoformat(),
    }


def export_csv(session: Session, *, province_code: int | None = None) -> str:
    """The certificates (of one province, or all) as the import CSV, UTF-8 with a header.
    Numbers and dates are written as the importer reads them; text cells that a spreadsheet
    would run as a formula are neutralised with an apostrophe the importer takes off again."""
    out = io.StringIO()
    writer = spreadsheet.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for cert in certificates_for_export(session, province_code=province_code):
        row = certificate_row(cert)
        writer.writerow([row[column] for column in COLUMNS])
    return out.getvalue()
