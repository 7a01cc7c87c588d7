"""VietQR: the EMVCo merchant-presented QR that NAPAS 247 banks scan to pre-fill a transfer.

The payload is a string of TLV fields (two-digit id, two-digit length, value):

    00 "01"                payload format indicator
    01 "12"                point of initiation: dynamic (this amount, this order)
    38 merchant account:   00 GUID "A000000727" (NAPAS)
                           01 beneficiary: 00 bank BIN (6 digits), 01 account number
                           02 service "QRIBFTTA" (transfer to an account)
    53 "704"               currency: VND
    54 amount              whole đồng
    58 "VN"                country
    62 additional data:    08 purpose of transaction = the order reference
    63 CRC                 CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of everything
                           before it, including "6304", as 4 upper-case hex digits
"""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"


def tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def payload(*, bank_bin: str, account: str, amount_vnd: int, reference: str) -> str:
    """The dynamic VietQR string for a transfer of `amount_vnd` to `account` at the bank
    with NAPAS BIN `bank_bin`, with `reference` as the transfer's purpose."""
    if not re.fullmatch(r"\d{6}", bank_bin):
        raise ValueError("a bank BIN has 6 digits")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account):
        raise ValueError("an account number has 1–19 letters or digits")
    if not re.fullmatch(r"[0-9A-Za-z ]{1,25}", reference):
        raise ValueError("a reference has 1–25 letters, digits or spaces")
    if amount_vnd <= 0:
        raise ValueError("the amount must be positive")
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    body = (
        tlv("00", "01")
        + tlv("01", "12")
        + tlv("38", merchant)
        + tlv("53", CURRENCY_VND)
        + tlv("54", str(amount_vnd))
        + tlv("58", "VN")
        + tlv("62", tlv("08", reference))
        + "6304"
    )
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def qr_svg(data: str) -> str:
    """The QR code as an inline SVG element (scales to its container)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    svg = image.to_string(encoding="unicode")
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)
