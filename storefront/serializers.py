"""Orders, shipments and lines as JSON (the API's answers; CONTRACT §4)."""

from __future__ import annotations

from datetime import datetime

from showrooms.stock import aware
from storefront.cash_orders import customer_can_cancel
from storefront.models import Order, OrderLine, Shipment
from storefront.promotion.boxes import box_line_json


def _iso(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment else None


def line_json(line: OrderLine) -> dict:
    return {"product": line.product.slug if line.product else None, "name": line.product_name,
            "quantity": line.quantity, "unit_price_vnd": line.unit_price_vnd,
            "line_total_vnd": line.line_total_vnd, "status": line.status,
            "cancel_reason": line.cancel_reason}


def shipment_json(shipment: Shipment) -> dict:
    return {
        "id": shipment.id,
        "producer": {"slug": shipment.producer.slug, "name": shipment.producer.name},
        "status": shipment.status,
        "shipping_fee_vnd": shipment.shipping_fee_vnd,
        "subtotal_vnd": shipment.subtotal_vnd,
        "carrier": shipment.carrier,
        "tracking": shipment.tracking_number,
        "shipped_at": _iso(shipment.shipped_at),
        "delivered_at": _iso(shipment.delivered_at),
        "cancel_reason": shipment.cancel_reason,
        "lines": [line_json(line) for line in shipment.lines],
    }


def order_json(order: Order, *, payment: dict | None = None) -> dict:
    point = order.pickup_point
    body = {
        "number": order.number,
        "status": order.status,
        "payment_method": order.payment_method,
        "payment_status": order.payment_status,
        "created_at": _iso(order.created_at),
        "paid_at": _iso(order.paid_at),
        "reserved_until": _iso(order.reserved_until),
        # Cash orders: waiting for the producers' confirmation until `reserved_until`.
        "awaiting_confirmation": order.awaiting_confirmation,
        "cancellable": customer_can_cancel(order),
        "customer": {"name": order.customer_name, "phone": order.customer_phone,
                     "email": order.customer_email},
        "fulfilment": order.fulfilment,
        "shipping": ({"address": order.shipping_address,
                      "province": order.shipping_province_code}
                     if order.fulfilment == "delivery" else None),
        "pickup_point": ({"code": point.code, "name": point.name, "address": point.address,
                          "opening_hours": point.opening_hours} if point else None),
        "gift": {"wrap": order.gift_wrap, "message": order.gift_message,
                 "recipient": order.gift_recipient},
        "subtotal_vnd": order.subtotal_vnd,
        "shipping_vnd": order.shipping_vnd,
        "total_vnd": order.total_vnd,
        "refunded_vnd": order.refunded_vnd,
        "cancel_reason": order.cancel_reason,
        "shipments": [shipment_json(s) for s in order.shipments],
        "gift_boxes": [box_line_json(line) for line in order.gift_box_lines],
    }
    if payment is not None:
        body["payment"] = payment
    return body


def seller_shipment_json(shipment: Shipment) -> dict:
    order = shipment.order
    body = shipment_json(shipment)
    body["order"] = {
        "number": order.number, "created_at": _iso(order.created_at),
        "payment_method": order.payment_method, "payment_status": order.payment_status,
        "fulfilment": order.fulfilment, "customer_name": order.customer_name,
        "customer_phone": order.customer_phone,
        "shipping_address": order.shipping_address,
        "shipping_province": order.shipping_province_code,
        "pickup_point": order.pickup_point.code if order.pickup_point else None,
        "gift": {"wrap": order.gift_wrap, "message": order.gift_message,
                 "recipient": order.gift_recipient},
    }
    return body
