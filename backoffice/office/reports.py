"""The province's periodic reports (issue 12): OCOP products by stars × group × province,
recognitions against the yearly targets, sales by month × province × channel × payment method,
scans by month × province × verdict, certificates ending per month for the next 12 months.

Each report is a list of flat rows (dicts with the same keys), which the API answers as JSON,
the CSV export writes as they are, and the reports page draws (SVG) beside a table.
The OCOP products come from the gate's own set form (`catalog.gate.current_certificates`).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app import spreadsheet
from app.clock import today
from app.errors import InvalidInput, NotFound
from backoffice.office.models import ProvinceTarget
from catalog.gate import add_months, current_certificates
from catalog.models import Certificate, Producer, Product
from catalog.regions import province_name, provinces, ward_name

REPORTS = ("products", "sales", "scans", "expiries", "targets")
LOCAL_OFFSET = "+7 hours"  # Asia/Ho_Chi_Minh has no daylight saving time


def _month(session: Session, column, *, is_date: bool = False):
    """'YYYY-MM' of a column in Vietnamese local time, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        expr = column if is_date else func.timezone("Asia/Ho_Chi_Minh", column)
        return func.to_char(expr, "YYYY-MM")
    return func.strftime("%Y-%m", column) if is_date else \
        func.strftime("%Y-%m", column, LOCAL_OFFSET)


@dataclass
class Report:
    name: str
    columns: tuple[str, ...]
    rows: list[dict]

    def csv(self) -> str:
        out = io.StringIO()
        writer = spreadsheet.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([row.get(c) for c in self.columns])
        return "\ufeff" + out.getvalue()

    def json(self) -> dict:
        return {"report": self.name, "columns": list(self.columns), "items": self.rows}

    def pivot(self, row_key: str, col_key: str, value: str = "count") -> tuple[list, list]:
        """(column values, rows of (row value, [cell per column], total)) for a compact table."""
        columns = sorted({row[col_key] for row in self.rows})
        cells: dict = {}
        for row in self.rows:
            line = cells.setdefault(row[row_key], dict.fromkeys(columns, 0))
            line[row[col_key]] += row.get(value) or 0
        return columns, [(name, [line[c] for c in columns], sum(line.values()))
                         for name, line in cells.items()]

    def totals(self, key: str, value: str = "count") -> list[tuple[str, int]]:
        """Sum of `value` per distinct `key`, in first-seen order (for a chart)."""
        sums: dict[str, int] = {}
        for row in self.rows:
            sums[str(row[key])] = sums.get(str(row[key]), 0) + (row.get(value) or 0)
        return list(sums.items())


def products_report(session: Session, *, on: date | None = None, by_ward: bool = False) -> Report:
    """OCOP products (a current certificate on D) by stars × group × province (× commune)."""
    on = on or today()
    current = current_certificates(on)
    keys = [Producer.province_code, Product.group, Certificate.stars]
    if by_ward:
        keys.insert(1, Producer.ward_code)
    query = (select(*keys, func.count(Product.id))
             .select_from(Product).join(Product.producer)
             .join(current, current.c.product_id == Product.id)
             .join(Certificate, Certificate.id == current.c.certificate_id)
             .group_by(*keys).order_by(*keys))
    rows = []
    for values in session.execute(query):
        row = dict(zip([k.key for k in keys] + ["count"], values, strict=True))
        row = {"province_code": row["province_code"], "province": province_name(row["province_code"]),
               **({"ward_code": row["ward_code"],
                   "ward": ward_name(row["ward_code"]) if row["ward_code"] else ""}
                  if by_ward else {}),
               "group": row["group"], "stars": row["stars"], "count": row["count"]}
        rows.append(row)
    columns = ("province_code", "province", *(("ward_code", "ward") if by_ward else ()), "group", "stars",
               "count")
    return Report("products", columns, rows)


def sales_report(session: Session, *, year: int | None = None) -> Report:
    """Sales by month × province (of the producer) × channel × payment method.

    Online: active lines of orders not cancelled (their value and payment method). Counter
    and booth: `sale` movements of the stock ledger at sales points and booths, valued at the
    product's price (the counter's tickets, when present, carry the same sales)."""
    from showrooms.models import Location, StockMovement
    from storefront.models import Order, OrderLine

    year = year or today().year
    month = _month(session, Order.created_at)
    online = session.execute(
        select(month, Producer.province_code, Order.payment_method,
               func.sum(OrderLine.quantity), func.sum(OrderLine.line_total_vnd))
        .select_from(OrderLine).join(OrderLine.order).join(OrderLine.product).join(Product.producer)
        .where(OrderLine.status == "active", Order.status != "cancelled",
               month.like(f"{year}-%"))
        .group_by(month, Producer.province_code, Order.payment_method)).all()
    month_m = _month(session, StockMovement.created_at)
    shelf = session.execute(
        select(month_m, Producer.province_code, Location.kind,
               func.sum(-StockMovement.quantity),
               func.sum(-StockMovement.quantity * func.coalesce(Product.price_vnd, 0)))
        .select_from(StockMovement).join(StockMovement.location)
        .join(Product, Product.id == StockMovement.product_id).join(Product.producer)
        .where(StockMovement.kind == "sale", Location.kind != "warehouse",
               month_m.like(f"{year}-%"))
        .group_by(month_m, Producer.province_code, Location.kind)).all()
    rows = [{"month": m, "province_code": p, "province": province_name(p), "channel": "online",
             "payment_method": method, "units": int(units or 0), "value_vnd": int(value or 0)}
            for m, p, method, units, value in online]
    rows += [{"month": m, "province_code": p, "province": province_name(p),
              "channel": "counter" if kind == "sales_point" else kind,
              "payment_method": "at_counter", "units": int(units or 0), "value_vnd": int(value or 0)}
             for m, p, kind, units, value in shelf]
    rows.sort(key=lambda r: (r["month"], r["province_code"], r["channel"], r["payment_method"]))
    return Report("sales", ("month", "province_code", "province", "channel", "payment_method",
                            "units", "value_vnd"), rows)


def scans_report(session: Session, *, year: int | None = None) -> Report:
    """Scans by month × province (where scanned, when known) × verdict."""
    from traceability.models import Scan

    year = year or today().year
    month = _month(session, Scan.scanned_at)
    result = session.execute(
        select(month, Scan.province_code, Scan.verdict, func.count(Scan.id))
        .where(month.like(f"{year}-%"))
        .group_by(month, Scan.province_code, Scan.verdict)
        .order_by(month, Scan.province_code, Scan.verdict)).all()
    rows = [{"month": m, "province_code": p if p is not None else "",
             "province": province_name(p) if p is not None else "?", "verdict": verdict,
             "count": n} for m, p, verdict, n in result]
    return Report("scans", ("month", "province_code", "province", "verdict", "count"), rows)


def expiries_report(session: Session, *, on: date | None = None, months: int = 12) -> Report:
    """Certificates (not revoked) ending in each of the next 12 months, from this month."""
    on = on or today()
    start = on.replace(day=1)
    end = add_months(start, months)
    month = _month(session, Certificate.valid_until, is_date=True)
    counts = dict(session.execute(
        select(month, func.count(Certificate.id))
        .where(Certificate.valid_until >= on, Certificate.valid_until < end,
               Certificate.revoked_on.is_(None))
        .group_by(month)).all())
    rows = []
    for i in range(months):
        key = add_months(start, i).strftime("%Y-%m")
        rows.append({"month": key, "count": counts.get(key, 0)})
    return Report("expiries", ("month", "count"), rows)


def targets_report(session: Session, *, year: int | None = None) -> Report:
    """Per province with a target for the year: targets against actual recognitions that year
    (new OCOP products = products whose first certificate was issued that year)."""
    year = year or today().year
    first_cert = (select(Certificate.product_id, func.min(Certificate.issued_on).label("first"))
                  .group_by(Certificate.product_id).subquery())
    start, end = date(year, 1, 1), date(year, 12, 31)
    new = dict(session.execute(
        select(Producer.province_code, func.count(Product.id)).select_from(Product)
        .join(Product.producer).join(first_cert, first_cert.c.product_id == Product.id)
        .where(first_cert.c.first.between(start, end)).group_by(Producer.province_code)).all())
    by_stars: dict[tuple[int, int], int] = defaultdict(int)
    for province, stars, n in session.execute(
            select(Producer.province_code, Certificate.stars, func.count(Certificate.id))
            .select_from(Certificate).join(Certificate.product).join(Product.producer)
            .where(Certificate.issued_on.between(start, end))
            .group_by(Producer.province_code, Certificate.stars)):
        by_stars[(province, stars)] += n
    targets = session.scalars(select(ProvinceTarget).where(ProvinceTarget.year == year)
                              .order_by(ProvinceTarget.province_code)).all()
    rows = [{"year": year, "province_code": t.province_code, "province": province_name(t.province_code),
             "new_products_target": t.new_products, "new_products": new.get(t.province_code, 0),
             "four_star_target": t.four_star, "four_star": by_stars[(t.province_code, 4)],
             "five_star_target": t.five_star, "five_star": by_stars[(t.province_code, 5)]}
            for t in targets]
    return Report("targets", ("year", "province_code", "province", "new_products_target",
                              "new_products", "four_star_target", "four_star",
                              "five_star_target", "five_star"), rows)


def build(session: Session, name: str, *, year: int | None = None, by_ward: bool = False) -> Report:
    if name not in REPORTS:
        raise NotFound(f"No report {name!r}; use one of {', '.join(REPORTS)}.",
                       code="unknown_report")
    if year is not None and not 2018 <= year <= 2100:
        raise InvalidInput("year must be between 2018 and 2100.", code="invalid_year")
    if name == "products":
        return products_report(session, by_ward=by_ward)
    if name == "expiries":
        return expiries_report(session)
    return {"sales": sales_report, "scans": scans_report,
            "targets": targets_report}[name](session, year=year)


def set_target(session: Session, *, year: int, province_code: int, new_products: int,
               four_star: int, five_star: int) -> ProvinceTarget:
    """Enter (or change) a province's target for a year."""
    if province_code not in provinces():
        raise InvalidInput(f"Unknown province code {province_code}.", code="invalid_province")
    if not 2018 <= year <= 2100:
        raise InvalidInput("year must be between 2018 and 2100.", code="invalid_year")
    if min(new_products, four_star, five_star) < 0:
        raise InvalidInput("Targets cannot be negative.", code="invalid_target")
    target = session.scalar(select(ProvinceTarget).where(
        and_(ProvinceTarget.year == year, ProvinceTarget.province_code == province_code))
        .with_for_update())
    if target is None:
        target = ProvinceTarget(year=year, province_code=province_code)
        session.add(target)
    target.new_products, target.four_star, target.five_star = new_products, four_star, five_star
    session.flush()
    return target


