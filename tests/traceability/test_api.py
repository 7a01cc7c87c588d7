"""Seller (and office) API for lots, stamps and recalls (CONTRACT §4): another producer's
lot or stamp answers 404; 10,000 stamps in one call work, quickly."""

from __future__ import annotations

import time
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from app.clock import today
from app.extensions import db
from tests.factories import auth, make_certificate, make_lot, make_producer, make_product, make_stamps
from tests.traceability.conftest import scan
from traceability.models import Lot, Stamp


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def _lot_body(product, **overrides):
    body = {"product": product.slug, "lot_number": "L2026-11",
            "produced_on": (today() - timedelta(days=2)).isoformat(),
            "best_before": (today() + timedelta(days=365)).isoformat(), "quantity": 500}
    body.update(overrides)
    return body


def test_anh_tuan_records_a_lot_and_issues_500_stamps(client, seller):
    producer, token = seller
    product = make_product(producer)
    response = client.post("/api/v1/seller/lots", json=_lot_body(product), headers=auth(token))
    assert response.status_code == 201
    lot_id = response.get_json()["id"]
    lot = db.session.get(Lot, lot_id)
    assert lot.lot_number == "L2026-11" and lot.quantity == 500
    response = client.post(f"/api/v1/seller/lots/{lot_id}/stamps", json={"count": 500},
                           headers=auth(token))
    assert response.status_code == 201
    body = response.get_json()
    assert len(body["codes"]) == 500 == len(set(body["codes"]))
    assert body["urls"][0] == f"http://ocop.test/t/{body['codes'][0]}"
    # and the first one scans genuine
    assert scan(client, body["codes"][0], api=True).get_json()["verdict"] == "genuine"
    listed = client.get("/api/v1/seller/lots", headers=auth(token)).get_json()["items"]
    assert [(i["id"], i["stamps"]) for i in listed] == [(lot_id, 500)]


def test_a_sheet_pdf_of_the_lot_can_be_downloaded(client, seller):
    producer, token = seller
    lot = make_lot(make_product(producer))
    make_stamps(lot, 50)
    response = client.get(f"/api/v1/seller/lots/{lot.id}/stamps.pdf", headers=auth(token))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    import io

    assert len(PdfReader(io.BytesIO(response.data)).pages) == 2
    response = client.get(f"/api/v1/seller/lots/{lot.id}/stamps.pdf?start=49&count=10",
                          headers=auth(token))
    assert len(PdfReader(io.BytesIO(response.data)).pages[0].images) == 2


def test_ten_thousand_stamps_in_one_call_work_and_are_fast(client, seller):
    producer, token = seller
    lot = make_lot(make_product(producer), quantity=10_000)
    started = time.perf_counter()
    response = client.post(f"/api/v1/seller/lots/{lot.id}/stamps", json={"count": 10_000},
                           headers=auth(token))
    elapsed = time.perf_counter() - started
    assert response.status_code == 201
    assert len(set(response.get_json()["codes"])) == 10_000
    assert db.session.scalar(select(func.count()).select_from(Stamp).where(Stamp.lot_id == lot.id)) == 10_000
    assert elapsed < 10, elapsed
    too_many = client.post(f"/api/v1/seller/lots/{lot.id}/stamps", json={"count": 10_001},
                           headers=auth(token))
    assert too_many.status_code == 422


def test_another_producers_lot_and_stamp_answer_404(client, seller):
    _, token = seller
    foreign_lot = make_lot(make_product(make_producer()))
    foreign_stamp = make_stamps(foreign_lot, 1)[0]
    for method, path, body in [
        ("post", f"/api/v1/seller/lots/{foreign_lot.id}/stamps", {"count": 1}),
        ("post", f"/api/v1/seller/lots/{foreign_lot.id}/void", {"reason": "x"}),
        ("post", f"/api/v1/seller/stamps/{foreign_stamp.code}/void", {"reason": "x"}),
        ("get", f"/api/v1/seller/lots/{foreign_lot.id}", None),
        ("get", f"/api/v1/seller/lots/{foreign_lot.id}/stamps.pdf", None),
    ]:
        response = getattr(client, method)(path, json=body, headers=auth(token))
        assert response.status_code == 404, path
    response = client.post("/api/v1/seller/lots", json=_lot_body(foreign_lot.product),
                           headers=auth(token))
    assert response.status_code == 404
    assert client.get("/api/v1/seller/lots", headers=auth(token)).get_json()["items"] == []
    assert db.session.get(Lot, foreign_lot.id).voided_at is None


def test_producer_voids_a_stamp_and_recalls_a_lot(client, seller):
    producer, token = seller
    lot = make_lot(make_product(producer))
    one, two = make_stamps(lot, 2)
    response = client.post(f"/api/v1/seller/stamps/{one.code.lower()}/void",
                           json={"reason": "Tem in lỗi"}, headers=auth(token))
    assert response.status_code == 200 and response.get_json()["void"] is True
    assert scan(client, one.code, api=True).get_json()["void_reason"] == "Tem in lỗi"
    again = client.post(f"/api/v1/seller/stamps/{one.code}/void", json={"reason": "x"},
                        headers=auth(token))
    assert again.status_code == 409 and error_code(again) == "already_void"
    response = client.post(f"/api/v1/seller/lots/{lot.id}/void", json={"reason": "Thu hồi"},
                           headers=auth(token))
    assert response.status_code == 200 and response.get_json()["void"] is True
    assert scan(client, two.code, api=True).get_json()["verdict"] == "void"
    refused = client.post(f"/api/v1/seller/lots/{lot.id}/stamps", json={"count": 1},
                          headers=auth(token))
    assert refused.status_code == 409 and error_code(refused) == "lot_void"


def test_the_office_can_void_any_producers_stamps(client, admin_token):
    lot = make_lot(make_product())
    stamp = make_stamps(lot, 1)[0]
    assert client.post(f"/api/v1/seller/stamps/{stamp.code}/void", json={"reason": "Giả mạo"},
                       headers=auth(admin_token)).status_code == 200
    assert client.post(f"/api/v1/seller/lots/{lot.id}/void", json={"reason": "Thu hồi"},
                       headers=auth(admin_token)).status_code == 200
    assert client.post(f"/api/v1/seller/lots/{lot.id}/stamps", json={"count": 1},
                       headers=auth(admin_token)).status_code == 403


def test_lot_input_is_validated(client, seller):
    producer, token = seller
    product = make_product(producer)
    post = lambda **kw: client.post("/api/v1/seller/lots", json=_lot_body(product, **kw),  # noqa: E731
                                    headers=auth(token))
    assert error_code(post(lot_number="Lô 01/2026")) == "invalid_lot_number"
    assert error_code(post(produced_on=(today() + timedelta(days=1)).isoformat())) == "invalid_produced_on"
    assert error_code(post(best_before=(today() - timedelta(days=30)).isoformat())) == "invalid_best_before"
    assert post(quantity=0).status_code == 422
    assert post(quantity="5").status_code == 422
    assert post().status_code == 201
    duplicate = post()
    assert duplicate.status_code == 409 and error_code(duplicate) == "lot_exists"


def test_no_stamps_for_a_product_whose_certificate_was_revoked(client, seller):
    producer, token = seller
    product = make_product(producer, certified=False)
    make_certificate(product, issued_on=today() - timedelta(days=300), revoked_on=today())
    lot = make_lot(product)
    response = client.post(f"/api/v1/seller/lots/{lot.id}/stamps", json={"count": 3},
                           headers=auth(token))
    assert response.status_code == 409 and error_code(response) == "not_certified"


def test_seller_endpoints_need_a_token(client, db_session):
    assert client.post("/api/v1/seller/lots", json={}).status_code == 401
    assert client.get("/api/v1/seller/lots").status_code == 401


def test_the_endpoints_are_in_the_openapi_document(client, db_session):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/trace/{code}", "/api/v1/seller/lots", "/api/v1/seller/lots/{lot_id}/stamps",
                 "/api/v1/seller/stamps/{code}/void", "/api/v1/seller/lots/{lot_id}/void"):
        assert path in paths, path


def test_a_code_collision_is_drawn_again(db_session, monkeypatch):
    """A new code that already exists is skipped by the database and replaced."""
    from traceability import codes, services

    existing = make_stamps(make_lot(), 1)[0]
    lot = make_lot()
    real = codes.new_codes
    draws = []

    def colliding(count):
        batch = real(count)
        if not draws:
            batch[0] = existing.code
        draws.append(count)
        return batch

    monkeypatch.setattr(codes, "new_codes", colliding)
    stamps = services.insert_stamps(db.session, lot, 5)
    assert draws == [5, 1]
    assert len(stamps) == 5 and existing.code not in {s.code for s in stamps}
    assert db.session.get(Stamp, existing.id).lot_id == existing.lot_id
    assert [s.ordinal for s in stamps] == [2, 3, 4, 5, 6]  # the skipped draw left a gap
