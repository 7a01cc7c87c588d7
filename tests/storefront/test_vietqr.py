"""VietQR payloads (EMVCo merchant-presented QR of NAPAS 247), checked by an independent
CRC implementation and parsed field by field; the QR image decodes back to the payload."""

from __future__ import annotations

import binascii
import io

import pytest

from storefront.payments.vietqr import crc16_ccitt_false, payload, qr_svg


def parse_tlv(data: str) -> dict[str, str]:
    fields, i = {}, 0
    while i < len(data):
        tag, length = data[i:i + 2], int(data[i + 2:i + 4])
        fields[tag] = data[i + 4:i + 4 + length]
        i += 4 + length
    assert i == len(data), "the TLV chain must end exactly at the end of the string"
    return fields


def test_the_payload_parses_field_by_field():
    data = payload(bank_bin="970436", account="0071000123456", amount_vnd=235000,
                   reference="OCOPK7M39QX2")
    fields = parse_tlv(data)
    assert list(fields) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert fields["00"] == "01"            # payload format indicator
    assert fields["01"] == "12"            # dynamic: this amount, this order
    merchant = parse_tlv(fields["38"])
    assert merchant == {"00": "A000000727", "01": merchant["01"], "02": "QRIBFTTA"}
    assert parse_tlv(merchant["01"]) == {"00": "970436", "01": "0071000123456"}
    assert fields["53"] == "704"           # VND
    assert fields["54"] == "235000"
    assert fields["58"] == "VN"
    assert parse_tlv(fields["62"]) == {"08": "OCOPK7M39QX2"}
    assert len(fields["63"]) == 4


@pytest.mark.parametrize("amount", [1, 85000, 235000, 99_999_999])
def test_the_crc_matches_an_independent_implementation(amount):
    data = payload(bank_bin="970422", account="1234567890", amount_vnd=amount,
                   reference="OCOP12345678")
    body, crc = data[:-4], data[-4:]
    assert body.endswith("6304")
    # binascii.crc_hqx with initial value 0xFFFF is CRC-16/CCITT-FALSE.
    assert crc == f"{binascii.crc_hqx(body.encode('ascii'), 0xFFFF):04X}"


def test_the_crc_function_gives_the_standard_check_value():
    # The catalogue check value of CRC-16/CCITT-FALSE for "123456789" is 0x29B1.
    assert crc16_ccitt_false(b"123456789") == 0x29B1


@pytest.mark.parametrize("kwargs", [
    {"bank_bin": "97043", "account": "1", "amount_vnd": 1, "reference": "X"},
    {"bank_bin": "970436", "account": "12-34", "amount_vnd": 1, "reference": "X"},
    {"bank_bin": "970436", "account": "1", "amount_vnd": 0, "reference": "X"},
    {"bank_bin": "970436", "account": "1", "amount_vnd": 1, "reference": "Đơn hàng"},
])
def test_invalid_parts_are_refused(kwargs):
    with pytest.raises(ValueError):
        payload(**kwargs)


def test_the_qr_image_decodes_back_to_the_payload():
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    data = payload(bank_bin="970436", account="0071000123456", amount_vnd=150000,
                   reference="OCOPABCDEFGH")
    import qrcode

    image = qrcode.make(data, box_size=6, border=4).get_image().convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(buffer.getvalue())))
    assert [d.text for d in decoded] == [data]
    svg = qr_svg(data)
    assert svg.startswith("<svg") and "<path" in svg
