"""GS1 Digital Link: /01/<gtin>/10/<lot>/21/<serial> (serial = stamp code) is the same trace
record when GTIN, lot and stamp all match; anything else is an unknown code (404)."""

from __future__ import annotations

import pytest

from tests.factories import make_lot, make_product, make_stamps
from tests.traceability.conftest import scan


def with_check_digit(body13: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body13))
    return body13 + str((10 - total % 10) % 10)


GTIN = with_check_digit("0893456789012")  # 14 digits, valid check digit
BAD_CHECK = GTIN[:-1] + str((int(GTIN[-1]) + 1) % 10)


@pytest.fixture
def gs1_stamp(db_session):
    product = make_product(gtin=GTIN, name="Cơm cháy Ninh Bình")
    return make_stamps(make_lot(product, lot_number="L2026-11"), 1)[0]


def test_digital_link_opens_the_same_trace_record(client, gs1_stamp):
    response = client.get(f"/01/{GTIN}/10/L2026-11/21/{gs1_stamp.code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Chính hãng — sản phẩm OCOP 4★" in html and "Cơm cháy Ninh Bình" in html
    body = scan(client, gs1_stamp.code, api=True).get_json()
    assert body["digital_link"] == f"http://ocop.test/01/{GTIN}/10/L2026-11/21/{gs1_stamp.code}"
    assert body["scans"]["count"] == 2  # the digital link counted as a scan too


def test_digital_link_answers_json_when_asked(client, gs1_stamp):
    response = client.get(f"/01/{GTIN}/10/L2026-11/21/{gs1_stamp.code}",
                          headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json()["verdict"] == "genuine"
    missing = client.get(f"/01/{GTIN}/10/OTHER/21/{gs1_stamp.code}",
                         headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "unknown_code"


def test_digital_link_with_a_bad_check_digit_is_404(client, gs1_stamp):
    response = client.get(f"/01/{BAD_CHECK}/10/L2026-11/21/{gs1_stamp.code}")
    assert response.status_code == 404
    assert "đây không phải tem của OCOP Market" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "/01/{gtin}/10/L2026-12/21/{code}",          # another lot
    "/01/{other}/10/L2026-11/21/{code}",         # another (valid) GTIN
    "/01/{gtin}/10/L2026-11/21/0000000000000",   # unknown serial
    "/01/abc/10/L2026-11/21/{code}",             # not digits
    "/01/{gtin}0/10/L2026-11/21/{code}",         # 15 digits
])
def test_digital_link_mismatch_is_404(client, gs1_stamp, path):
    other = with_check_digit("0893456789013")
    response = client.get(path.format(gtin=GTIN, other=other, code=gs1_stamp.code))
    assert response.status_code == 404


def test_a_mismatched_link_records_no_scan(client, gs1_stamp):
    client.get(f"/01/{GTIN}/10/WRONG/21/{gs1_stamp.code}")
    assert scan(client, gs1_stamp.code, api=True).get_json()["scans"]["count"] == 1


def test_a_gtin13_is_read_as_its_14_digit_form(client, gs1_stamp):
    assert client.get(f"/01/{GTIN[1:]}/10/L2026-11/21/{gs1_stamp.code}").status_code == 200
