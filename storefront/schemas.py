"""Request bodies of the storefront API (`POST /api/v1/orders` and friends). Every field is
validated here with a message that names it; cross-field rules (delivery needs an address,
pickup a sales point) are attached to the field they concern."""

from __future__ import annotations

import re
from typing import Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import Field, ValidationInfo, field_validator, model_validator

from app.api import QuerySchema, Schema

MAX_QUANTITY = 99
MAX_LINES = 50

def normalize_phone(raw: str) -> str:
    """Any country's number, stored in E.164 (DOMAIN §8, §12), parsed with `phonenumbers`
    (Google's libphonenumber metadata). Without a `+` it is read as Vietnamese:
    `0912 345 678` → `+84912345678`, `(028) 3823 4567` → `+842838234567`;
    `+61 412 345 678` → `+61412345678`. ValueError with a clear message otherwise."""
    import phonenumbers

    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]  # the international prefix dialled from Vietnam and Europe
    digits = re.sub(r"[\s.\-()/]", "", text)
    number = None
    # Digits only (no letters of vanity numbers); without "+", a Vietnamese number with its 0.
    if re.fullmatch(r"\+?\d+", digits) and (digits.startswith("+") or digits.startswith("0")):
        try:
            number = phonenumbers.parse(text, "VN")
        except phonenumbers.NumberParseException:
            number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(
            "not a valid phone number: write a Vietnamese number (0912 345 678) or any "
            "country's number with its country code (+61 412 345 678)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email_address(raw: str) -> str:
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise ValueError(f"not a valid email address ({err})") from None


class OrderItemIn(Schema):
    product: str | None = Field(default=None, min_length=1, max_length=160,
                                description="Product slug")
    gift_box: str | None = Field(default=None, min_length=1, max_length=160,
                                 description="Gift box slug (instead of a product)")
    quantity: int = Field(ge=1, le=MAX_QUANTITY, description="1–99 units")

    @model_validator(mode="after")
    def _one_thing(self) -> OrderItemIn:
        if (self.product is None) == (self.gift_box is None):
            raise ValueError("each item names either a product or a gift_box")
        return self


class CustomerIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=1, max_length=30,
                       description="Any country's number (without +: Vietnamese); stored in E.164")
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
        merged: dict[tuple[str, str], int] = {}
        for item in items:
            key = ("product", item.product) if item.product else ("gift_box", item.gift_box)
            merged[key] = merged.get(key, 0) + item.quantity
        for (_kind, slug), quantity in merged.items():
            if quantity > MAX_QUANTITY:
                raise ValueError(f"at most {MAX_QUANTITY} units of {slug}")
        return [OrderItemIn(**{kind: slug}, quantity=q) for (kind, slug), q in merged.items()]

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


class CancelShipmentIn(Schema):
    reason: str = Field(min_length=3, max_length=300,
                        description="Why the seller cancels (shown to the customer)")
