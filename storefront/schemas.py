"""Request bodies of the storefront API (`POST /api/v1/orders` and friends). Every field is
validated here with a message that names it; cross-field rules (delivery needs an address,
pickup a sales point) are attached to the field they concern."""

from __future__ import annotations

import re
from typing import Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import Field, ValidationInfo, field_validator

from app.api import QuerySchema, Schema

MAX_QUANTITY = 99
MAX_LINES = 50

# Vietnamese numbers after the trunk 0: mobiles are 9 digits with a carrier prefix
# (Viettel 32–39, 86, 96–98; Vinaphone 81–85, 88, 91, 94; MobiFone 70, 76–79, 89, 90, 93;
# Vietnamobile 52, 56, 58, 92; Gmobile 59, 99; iTel 87; Reddi 55); landlines are 10 digits
# starting with a 2xx area code (024 Hà Nội, 028 TP HCM, 0292 Cần Thơ…).
MOBILE = re.compile(r"^(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$")
LANDLINE = re.compile(r"^2\d{9}$")


def normalize_phone(raw: str) -> str:
    """`0912 345 678`, `+84 912-345-678`, `(028) 3823 4567` → `+84912345678` / `+842838234567`;
    ValueError when it is not a Vietnamese mobile or landline number."""
    compact = re.sub(r"[\s.\-()]", "", raw or "")
    if compact.startswith("+84"):
        national = compact[3:]
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        raise ValueError("a Vietnamese phone number starts with 0 or +84")
    if not national.isdigit() or not (MOBILE.match(national) or LANDLINE.match(national)):
        raise ValueError("not a Vietnamese mobile (0 + 9 digits, e.g. 0912 345 678) "
                         "or landline (0 + 10 digits, e.g. 028 3823 4567) number")
    return "+84" + national


def normalize_email_address(raw: str) -> str:
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise ValueError(f"not a valid email address ({err})") from None


class OrderItemIn(Schema):
    product: str = Field(min_length=1, max_length=160, description="Product slug")
    quantity: int = Field(ge=1, le=MAX_QUANTITY, description="1–99 units")


class CustomerIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=1, max_length=30, description="Vietnamese number; stored as +84…")
    email: str = Field(min_length=3, max_length=254)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalize_phone(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email_address(value)


class ShippingIn(Schema):
    address: str = Field(min_length=5, max_length=300)
    province: int | str = Field(description="2025 province code, e.g. 92 (Cần Thơ)")

    @field_validator("province")
    @classmethod
    def _province(cls, value: int | str) -> int:
        from catalog.regions import provinces

        code = value
        if isinstance(value, str):
            if not value.strip().isdigit():
                raise ValueError("a 2025 province code, e.g. 92 for Cần Thơ")
            code = int(value)
        if code not in provinces():
            raise ValueError(f"unknown province code {code} (use a 2025 code, e.g. 92 for Cần Thơ)")
        return code


class GiftIn(Schema):
    wrap: bool = False
    message: str | None = Field(default=None, max_length=300)
    recipient: str | None = Field(default=None, max_length=200)


class OrderIn(Schema):
    items: list[OrderItemIn] = Field(min_length=1, max_length=MAX_LINES)
    customer: CustomerIn
    fulfilment: Literal["delivery", "pickup"]
    payment: Literal["cod", "card", "bank_transfer", "pay_at_pickup"]
    shipping: ShippingIn | None = Field(default=None, validate_default=True,
                                        description="Required for delivery")
    pickup_point: str | None = Field(default=None, max_length=40, validate_default=True,
                                     description="Sales point code, required for pickup")
    gift: GiftIn | None = None

    @field_validator("items")
    @classmethod
    def _items(cls, items: list[OrderItemIn]) -> list[OrderItemIn]:
        merged: dict[str, int] = {}
        for item in items:
            merged[item.product] = merged.get(item.product, 0) + item.quantity
        for slug, quantity in merged.items():
            if quantity > MAX_QUANTITY:
                raise ValueError(f"at most {MAX_QUANTITY} units of {slug}")
        return [OrderItemIn(product=slug, quantity=q) for slug, q in merged.items()]

    @field_validator("payment")
    @classmethod
    def _payment(cls, value: str, info: ValidationInfo) -> str:
        if value == "pay_at_pickup" and info.data.get("fulfilment") == "delivery":
            raise ValueError("pay_at_pickup is only for fulfilment 'pickup'")
        return value

    @field_validator("shipping")
    @classmethod
    def _shipping(cls, value: ShippingIn | None, info: ValidationInfo) -> ShippingIn | None:
        if info.data.get("fulfilment") == "delivery" and value is None:
            raise ValueError("an address and a province are required for delivery")
        return value

    @field_validator("pickup_point")
    @classmethod
    def _pickup_point(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("fulfilment") == "pickup" and not value:
            raise ValueError("a sales point code is required for pickup")
        return value.strip().upper() if value else None


class OrderTokenQuery(QuerySchema):
    token: str = Field(default="", max_length=200)


class MarkPaidIn(Schema):
    amount_vnd: int | None = Field(default=None, ge=1, description="Defaults to the order total")
    note: str | None = Field(default=None, max_length=300)


class ShipIn(Schema):
    carrier: str = Field(min_length=1, max_length=100)
    tracking: str = Field(min_length=1, max_length=100)


class SellerOrdersQuery(QuerySchema):
    status: Literal["pending", "confirmed", "shipped", "delivered", "cancelled"] | None = None
