"""The day at a counter (DOMAIN §9): tickets, sales by product, by producer and by payment
method, voids and returns, cash expected (cash tickets − cash refunds) against cash counted
at close, what each producer is owed for goods sold on consignment; and the low-stock list."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import spreadsheet
from app.errors import Conflict, InvalidInput
from catalog.models import Producer, Product
from showrooms.counter import tickets_of_day
from showrooms.counter_models import (
    PAYMENT_METHODS,
    CounterRefund,
    CounterSale,
    DayClose,
    LowStockThreshold,
)
from showrooms.models import Location, StockLevel

DEFAULT_LOW_STOCK = 3
PRODUCT_COLUMNS = ("product", "name", "quantity", "sold_vnd", "refunded_vnd", "net_vnd")
PRODUCER_COLUMNS = ("name", "quantity", "sold_vnd", "refunded_vnd", "owed_vnd")
BOX_COLUMNS = ("name", "quantity", "sold_vnd", "refunded_vnd", "net_vnd")


@dataclass
class DayReport:
    location: Location
    day: date
    tickets: list[CounterSale]
    refunds: list[CounterRefund]
    close: DayClose | None
    by_method: dict[str, int] = field(default_factory=dict)
    by_product: list[dict] = field(default_factory=list)
    by_producer: list[dict] = field(default_factory=list)
    by_gift_box: list[dict] = field(default_factory=list)
    total_vnd: int = 0
    refunded_vnd: int = 0
    cash_expected_vnd: int = 0

    @property
    def net_vnd(self) -> int:
        return self.total_vnd - self.refunded_vnd

    @property
    def cash_difference_vnd(self) -> int | None:
        return None if self.close is None else self.close.cash_counted_vnd - self.cash_expected_vnd


def day_report(session: Session, location: Location, day: date) -> DayReport:
    """Every ticket recorded for `day` (voided ones listed too, their refund counted), and
    every refund made on `day` (a return of an older ticket counts on the day it happened)."""
    tickets = tickets_of_day(session, location, day)
    refunds = list(session.scalars(
        select(CounterRefund).where(CounterRefund.location_id == location.id,
                                    CounterRefund.business_date == day)
        .options(selectinload(CounterRefund.lines), selectinload(CounterRefund.sale))
        .order_by(CounterRefund.id)))
    close = session.scalar(select(DayClose).where(DayClose.location_id == location.id,
                                                  DayClose.business_date == day))
    report = DayReport(location, day, tickets, refunds, close,
                       by_method={method: 0 for method in PAYMENT_METHODS})
    products: dict[int, dict] = {}
    producers: dict[int, dict] = {}

    def bucket(table: dict, key: int, **init) -> dict:
        return table.setdefault(key, {**init, "quantity": 0, "sold_vnd": 0, "refunded_vnd": 0})

    for ticket in tickets:
        report.total_vnd += ticket.total_vnd
        report.by_method[ticket.payment_method] += ticket.total_vnd
        if ticket.payment_method == "cash":
            report.cash_expected_vnd += ticket.total_vnd
        for line in ticket.lines:
            row = bucket(products, line.product_id, product_id=line.product_id, name=line.product_name)
            row["quantity"] += line.quantity
            row["sold_vnd"] += line.amount_vnd
            if ticket.order_id is None:  # goods from the point's shelf (consignment)
                owed = bucket(producers, line.producer_id, producer_id=line.producer_id)
                owed["quantity"] += line.quantity
                owed["sold_vnd"] += line.amount_vnd
    boxes: dict[int, dict] = {}
    for ticket in tickets:
        for line in ticket.box_lines:
            row = boxes.setdefault(line.gift_box_id, {"gift_box_id": line.gift_box_id, "name": line.name,
                                                      "quantity": 0, "sold_vnd": 0, "refunded_vnd": 0})
            row["quantity"] += line.quantity
            row["sold_vnd"] += line.amount_vnd
            if ticket.is_void:  # a box comes back whole, with its ticket's void
                row["quantity"] -= line.quantity
                row["refunded_vnd"] += line.amount_vnd
    for row in boxes.values():
        row["net_vnd"] = row["sold_vnd"] - row["refunded_vnd"]
    report.by_gift_box = sorted(boxes.values(), key=lambda r: (-r["net_vnd"], r["name"]))
    for refund in refunds:
        report.refunded_vnd += refund.amount_vnd
        report.by_method[refund.payment_method] -= refund.amount_vnd
        if refund.payment_method == "cash":
            report.cash_expected_vnd -= refund.amount_vnd
        for line in refund.lines:
            row = bucket(products, line.product_id, product_id=line.product_id,
                         name=line.sale_line.product_name)
            row["quantity"] -= line.quantity
            row["refunded_vnd"] += line.amount_vnd
            owed = bucket(producers, line.producer_id, producer_id=line.producer_id)
            owed["quantity"] -= line.quantity
            owed["refunded_vnd"] += line.amount_vnd
    slugs = dict(session.execute(select(Product.id, Product.slug).where(Product.id.in_(products))).all())
    names = dict(session.execute(select(Producer.id, Producer.name).where(Producer.id.in_(producers))).all())
    for row in products.values():
        row["product"] = slugs.get(row["product_id"])
        row["net_vnd"] = row["sold_vnd"] - row["refunded_vnd"]
    for row in producers.values():
        row["name"] = names.get(row["producer_id"])
        row["owed_vnd"] = row["sold_vnd"] - row["refunded_vnd"]
    report.by_product = sorted(products.values(), key=lambda r: (-r["net_vnd"], r["name"]))
    report.by_producer = sorted(producers.values(), key=lambda r: (-r["owed_vnd"], r["name"] or ""))
    return report


def report_json(report: DayReport) -> dict:
    from showrooms.counter import sale_json

    return {
        "location": report.location.code, "date": report.day.isoformat(),
        "tickets": [sale_json(t) for t in report.tickets], "ticket_count": len(report.tickets),
        "total_vnd": report.total_vnd, "refunded_vnd": report.refunded_vnd, "net_vnd": report.net_vnd,
        "by_method": report.by_method,
        "by_product": [{k: r[k] for k in PRODUCT_COLUMNS} for r in report.by_product],
        "by_producer": [{k: r[k] for k in PRODUCER_COLUMNS} for r in report.by_producer],
        "by_gift_box": [{k: r[k] for k in BOX_COLUMNS} for r in report.by_gift_box],
        "gift_boxes_sold": sum(r["quantity"] for r in report.by_gift_box),
        "voids_and_returns": [{"ticket": r.sale.receipt_number, "kind": r.kind, "reason": r.reason,
                               "amount_vnd": r.amount_vnd, "payment": r.payment_method}
                              for r in report.refunds],
        "cash_expected_vnd": report.cash_expected_vnd,
        **({"cash_counted_vnd": report.close.cash_counted_vnd,
            "cash_difference_vnd": report.cash_difference_vnd,
            "closed": True, "close_note": report.close.note} if report.close else {"closed": False}),
    }


def report_csv(report: DayReport) -> str:
    """One file, sections separated by a blank line: tickets, products, producers, totals."""
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(["receipt_number", "sold_at", "status", "payment", "total_vnd", "order", "lines"])
    for t in report.tickets:
        writer.writerow([t.receipt_number, t.sold_at.isoformat(), "void" if t.is_void else "completed",
                         t.payment_method, t.total_vnd, t.order.number if t.order_id else "",
                         "; ".join([f"{li.product_name} x{li.quantity}" for li in t.lines]
                                   + [f"{bl.name} x{bl.quantity}" for bl in t.box_lines])])
    writer.writerow([])
    writer.writerow(PRODUCT_COLUMNS)
    for r in report.by_product:
        writer.writerow([r[k] for k in PRODUCT_COLUMNS])
    writer.writerow([])
    writer.writerow(["producer", "quantity", "sold_vnd", "refunded_vnd", "owed_vnd"])
    for r in report.by_producer:
        writer.writerow([r["name"], r["quantity"], r["sold_vnd"], r["refunded_vnd"], r["owed_vnd"]])
    if report.by_gift_box:
        writer.writerow([])
        writer.writerow(["gift_box", "quantity", "sold_vnd", "refunded_vnd", "net_vnd"])
        for r in report.by_gift_box:
            writer.writerow([r[k] for k in BOX_COLUMNS])
    writer.writerow([])
    writer.writerow(["total", "value_vnd"])
    for method, amount in report.by_method.items():
        writer.writerow([f"method:{method}", amount])
    writer.writerow(["tickets", len(report.tickets)])
    writer.writerow(["total_vnd", report.total_vnd])
    writer.writerow(["refunded_vnd", report.refunded_vnd])
    writer.writerow(["cash_expected_vnd", report.cash_expected_vnd])
    if report.close:
        writer.writerow(["cash_counted_vnd", report.close.cash_counted_vnd])
        writer.writerow(["cash_difference_vnd", report.cash_difference_vnd])
    return out.getvalue()


def close_day(session: Session, location: Location, day: date, *, cash_counted_vnd: int,
              note: str | None = None, staff_id: int | None = None) -> DayClose:
    """Close the day once: the cash counted is kept against the cash expected then."""
    if cash_counted_vnd < 0:
        raise InvalidInput("cash_counted_vnd: cannot be negative.", code="invalid_amount")
    existing = session.scalar(select(DayClose.id).where(DayClose.location_id == location.id,
                                                        DayClose.business_date == day))
    if existing is not None:
        raise Conflict(f"{day:%d/%m/%Y} is already closed.", code="already_closed")
    expected = day_report(session, location, day).cash_expected_vnd
    close = DayClose(location_id=location.id, business_date=day, cash_expected_vnd=expected,
                     cash_counted_vnd=cash_counted_vnd, difference_vnd=cash_counted_vnd - expected,
                     note=(note or "").strip()[:300] or None, closed_by=staff_id)
    session.add(close)
    session.flush()
    return close


# --- Low stock -----------------------------------------------------------------------------

def low_stock(session: Session, location: Location) -> list[dict]:
    """Products at or below their threshold here (the point's own, else DEFAULT_LOW_STOCK)."""
    thresholds = {t.product_id: t.threshold for t in session.scalars(
        select(LowStockThreshold).where(LowStockThreshold.location_id == location.id))}
    rows = session.execute(
        select(Product, StockLevel.on_hand).join(StockLevel, StockLevel.product_id == Product.id)
        .where(StockLevel.location_id == location.id).order_by(StockLevel.on_hand, Product.name)).all()
    out = []
    for product, on_hand in rows:
        threshold = thresholds.get(product.id, DEFAULT_LOW_STOCK)
        if on_hand <= threshold:
            out.append({"product": product.slug, "name": product.name, "on_hand": on_hand,
                        "threshold": threshold})
    return out


def set_threshold(session: Session, location: Location, product: Product,
                  threshold: int) -> LowStockThreshold:
    if threshold < 0 or threshold > 100_000:
        raise InvalidInput("threshold: 0 to 100000.", code="invalid_threshold")
    row = session.scalar(select(LowStockThreshold).where(
        LowStockThreshold.location_id == location.id, LowStockThreshold.product_id == product.id))
    if row is None:
        row = LowStockThreshold(location_id=location.id, product_id=product.id, threshold=threshold)
        session.add(row)
    else:
        row.threshold = threshold
    session.flush()
    return row
