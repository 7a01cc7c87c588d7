"""Every private route, walked from `app.url_map`: called by each wrong role, and by the
right role of ANOTHER owner with the victim's ids filled into the path, it never answers
200 (nor 500). Anonymous → the login page (HTML) or 401 (API); a wrong role → 403; the
wrong owner → 403/404. A route added later under these prefixes without an argument
filler or a role rule makes the test fail: it cannot escape the walk."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from app.clock import now, today
from app.extensions import db
from tests.factories import (
    auth,
    make_lot,
    make_producer,
    make_product,
    make_sales_point,
    make_stamps,
    make_token,
    make_user,
    order_payload,
    receive_stock,
)

PREFIXES = ("/seller", "/admin", "/counter/", "/api/v1/seller", "/api/v1/admin",
            "/api/v1/sales-points", "/organizer", "/api/v1/fairs", "/council", "/commune",
            "/api/v1/council", "/api/v1/commune")
# Files of a blueprint's static folder: public by nature (CSS, JS), nothing owned.
STATIC_ENDPOINTS = {"office.static", "counter.static"}
# (rule, role): the path names something public for that role — any producer may book a
# booth at any published fair — so there is no other owner to protect.
PUBLIC_FOR = {("/seller/fairs/<slug>/book", "producer"),
              ("/api/v1/fairs/<slug>/bookings", "producer")}
NOT_FOUND_ID = 987654


@dataclass
class Persona:
    name: str
    role: str | None
    user: object = None
    token: str | None = None
    client: object = None


def _build_world(client) -> dict:
    """What the victims own: a producer (product, lot, stamp, order, dossier, booking), a
    sales point (tickets, transfers, needs-attention, a pickup order, a gift box), an
    organizer (a fair, its booths and bookings)."""
    from evaluation import services as evaluation
    from evaluation import sheets
    from evaluation.demo import sample_csv
    from showrooms import fairs
    from showrooms.counter_models import AttentionItem
    from showrooms.stock import sales_point_location
    from storefront.models import Order
    from storefront.promotion import boxes
    from tests.evaluation.conftest import SHEET
    from tests.showrooms.fair_factories import make_fair

    producer = make_producer(province_code=92, ward_code=31135)
    product = make_product(producer, price_vnd=100_000)
    receive_stock(product, 50)
    producer_token = make_token(make_user("producer", producer=producer))
    lot = make_lot(product)
    stamp = make_stamps(lot, 1)[0]
    point = make_sales_point(code="VICTIM-1")
    point_token = make_token(make_user("sales_point", sales_point=point))
    location = sales_point_location(db.session, point)
    receive_stock(product, 10, location=location)
    sale = client.post(f"/api/v1/sales-points/{point.code}/sales",
                       headers={**auth(point_token), "Idempotency-Key": "walk-sale-0001"},
                       json={"items": [{"product": product.slug, "quantity": 1}],
                             "payment": "cash", "cash_received_vnd": 100_000})
    assert sale.status_code == 201, sale.json
    transfer = client.post("/api/v1/seller/transfers", headers=auth(producer_token),
                           json={"to": point.code, "items": [{"product": product.slug, "quantity": 1}]})
    assert transfer.status_code == 201, transfer.json
    placed = client.post("/api/v1/orders", json=order_payload(
        (product, 1), payment="cod", fulfilment="pickup", pickup_point=point.code))
    assert placed.status_code == 201, placed.json
    order = db.session.query(Order).filter_by(number=placed.json["number"]).one()
    # A pay-at-pickup order waiting at the point: its pickup routes (confirm, pay, hand over).
    waiting = client.post("/api/v1/orders", json=order_payload(
        (product, 1), payment="pay_at_pickup", fulfilment="pickup", pickup_point=point.code))
    assert waiting.status_code == 201, waiting.json
    item = AttentionItem(location_id=location.id, idempotency_key="walk-attention", reason="x",
                         message="x", payload="{}", total_vnd=0, sold_at=now(), status="open")
    db.session.add(item)
    box = boxes.create_box(db.session, point=point, name="Hộp thử", price_vnd=200_000,
                           items=[(product.slug, 1)])
    organizer = make_user("organizer")
    fair = make_fair(organizer)
    booking = fairs.book_booth(db.session, fair, "B1", producer)
    on = today()
    cycle = evaluation.create_cycle(db.session, year=on.year, province_code=92,
                                    registration_opens=on - timedelta(days=10),
                                    registration_closes=on + timedelta(days=10))
    evaluation.publish_cycle(db.session, cycle)
    sheets.import_sheets(db.session, sample_csv(SHEET), sample=True)
    dossier = evaluation.register(db.session, producer, cycle_id=cycle.id, kind="new", group="food",
                                  product_set=SHEET, name="Sản phẩm thử")
    certificate = product.certificates[0] if getattr(product, "certificates", None) else None
    db.session.commit()
    return {
        "producer": producer, "product": product, "lot": lot, "stamp": stamp, "point": point,
        "sale_id": sale.json["id"], "transfer_id": transfer.json["id"], "order": order,
        "pickup_number": waiting.json["number"],
        "shipment_id": order.shipments[0].id, "item_id": item.id, "box": box, "fair": fair,
        "booth": "B1", "booking_id": booking.id, "cycle_id": cycle.id, "dossier_id": dossier.id,
        "cert_id": certificate.id if certificate else NOT_FOUND_ID,
    }


def _fillers(w: dict) -> list[tuple[str, dict]]:
    """(pattern of the rule, {argument: the victim's value}); the first match wins, then
    the generic arguments at the end."""
    fair, point = w["fair"].slug, w["point"].code
    return [
        (r"/booths/<slug>/<code>", {"slug": fair, "code": w["booth"]}),
        (r"/organizer/fairs/<slug>", {"slug": fair, "code": w["booth"], "action": "confirm"}),
        (r"^/api/v1/fairs/<slug>", {"slug": fair, "code": w["booth"]}),
        (r"^/seller/fairs/<slug>", {"slug": fair}),
        (r"/pickups/<number>", {"number": w["pickup_number"]}),
        (r"^/(counter|api/v1/sales-points)/<code>", {"code": point, "scanned": w["stamp"].code}),
        (r"/stamps/<code>", {"code": w["stamp"].code}),
        (r"/producers/<slug>", {"slug": w["producer"].slug}),
        (r"/gift-boxes/<slug>", {"slug": w["box"].slug, "state": "off"}),
        (r"/products/<slug>", {"slug": w["product"].slug}),
        (r"/sales-points/<code>", {"code": point}),
        (r"/booking-requests/", {"booking_id": NOT_FOUND_ID, "decision": "accept"}),
        (r"", {
            "lot_id": w["lot"].id, "sale_id": w["sale_id"], "transfer_id": w["transfer_id"],
            "item_id": w["item_id"], "number": w["order"].number, "shipment_id": w["shipment_id"],
            "booking_id": w["booking_id"], "dossier_id": w["dossier_id"], "cycle_id": w["cycle_id"],
            "cert_id": w["cert_id"], "name": "sales",
            # Owned objects the walk does not build (gift-box order lines, councils, decisions,
            # trace reports): an id nobody owns still goes through the guard.
            "line_id": NOT_FOUND_ID, "council_id": NOT_FOUND_ID, "decision_id": NOT_FOUND_ID,
            "report_id": NOT_FOUND_ID,
        }),
    ]


def _bodies(w: dict) -> dict[tuple[str, str], dict]:
    """Valid bodies for the routes that check their input before the owner: the walk must
    reach the owner check, not stop at a 422."""
    product, today_ = w["product"].slug, today().isoformat()
    line = [{"product": product, "quantity": 1}]
    return {
        ("PUT", "/api/v1/council/dossiers/<int:dossier_id>/scores"): {"criteria": {"A1": 1}},
        ("POST", "/api/v1/fairs/<slug>/bookings/<int:booking_id>/reject"): {"reason": "x"},
        ("POST", "/api/v1/sales-points/<code>/attention/<int:item_id>/resolve"): {"note": "x"},
        ("POST", "/api/v1/sales-points/<code>/close"): {"date": today_, "cash_counted_vnd": 0},
        ("POST", "/api/v1/sales-points/<code>/gift-boxes"): {
            "name": "Hộp lạ", "price_vnd": 100_000, "items": line},
        ("POST", "/api/v1/sales-points/<code>/sales/<int:sale_id>/returns"): {
            "items": line, "reason": "x"},
        ("POST", "/api/v1/sales-points/<code>/sales/<int:sale_id>/void"): {"reason": "x"},
        ("POST", "/api/v1/sales-points/<code>/stock"): {
            "product": product, "quantity": 1, "reason": "receive"},
        ("POST", "/api/v1/sales-points/<code>/thresholds"): {"product": product, "threshold": 1},
        ("POST", "/api/v1/sales-points/<code>/transfers/<int:transfer_id>/receive"): {"items": line},
        ("POST", "/api/v1/seller/booths/<slug>/<code>/sales/<int:sale_id>/returns"): {
            "items": line, "reason": "x"},
        ("POST", "/api/v1/seller/booths/<slug>/<code>/sales/<int:sale_id>/void"): {"reason": "x"},
        ("POST", "/api/v1/seller/booths/<slug>/<code>/transfers"): {
            "direction": "to_booth", "items": line},
        ("POST", "/api/v1/seller/lots/<int:lot_id>/stamps"): {"count": 1},
        ("POST", "/api/v1/seller/lots/<int:lot_id>/void"): {"reason": "x"},
        ("POST", "/api/v1/seller/shipments/<int:shipment_id>/cancel"): {"reason": "xyz"},
        ("POST", "/api/v1/seller/shipments/<int:shipment_id>/ship"): {"carrier": "x", "tracking": "y"},
        ("POST", "/api/v1/seller/stamps/<code>/void"): {"reason": "x"},
        ("POST", "/seller/lots/<int:lot_id>/stamps"): {"count": "1"},
        ("POST", "/seller/orders/<int:shipment_id>/ship"): {"carrier": "x", "tracking": "y"},
    }


def _path_for(rule, fillers) -> str | None:
    values = {}
    for pattern, mapping in fillers:
        if re.search(pattern, rule.rule):
            for arg in rule.arguments:
                if arg not in values and arg in mapping:
                    values[arg] = mapping[arg]
    if set(values) != set(rule.arguments):
        return None
    path = rule.rule
    for arg, value in values.items():
        path = re.sub(rf"<(?:[^<>]*:)?{arg}>", str(value), path)
    return path


def _personas(client_factory) -> list[Persona]:
    other_producer = make_producer()
    other_point = make_sales_point(code="OTHER-1")
    specs = [
        Persona("anonymous", None),
        Persona("customer", "customer", make_user("customer")),
        Persona("other producer", "producer", make_user("producer", producer=other_producer)),
        Persona("staff of another point", "sales_point", make_user("sales_point", sales_point=other_point)),
        Persona("organizer of another fair", "organizer", make_user("organizer")),
        Persona("commune officer", "commune_officer", None),
        Persona("council member", "council_member", make_user("council_member")),
        Persona("admin", "admin", make_user("admin")),
    ]
    from app.accounts.services import create_user

    specs[5].user = create_user(db.session, email="officer-walk@example.com", password="correct horse",
                                role="commune_officer", ward_code=2905)
    for persona in specs:
        persona.client = client_factory()
        if persona.user is not None:
            persona.token = make_token(persona.user)
            signed = persona.client.post("/login", data={"email": persona.user.email,
                                                         "password": "correct horse"})
            assert signed.status_code == 302, persona.name
    return specs


def _allowed(view) -> tuple[str, ...] | None:
    return getattr(view, "roles", None)


def _call(persona: Persona, method: str, path: str, api: bool, body: dict | None):
    from flask import g

    # The test's app context (db_session) is shared by the requests: forget the user
    # Flask-Login cached in `g` for the previous persona.
    for name in ("_login_user", "api_user"):
        g.pop(name, None)
    headers = auth(persona.token) if api and persona.token else {}
    kwargs = {}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        kwargs = {"json": body or {}} if api else {"data": body or {}}
    return persona.client.open(path, method=method, headers=headers, **kwargs)


def _flashed_only_errors(persona: Persona) -> bool:
    """A form refused by the owner check goes back with an error message, nothing done."""
    with persona.client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return bool(flashes) and all(category == "error" for category, _message in flashes)


@pytest.mark.slow
def test_no_private_route_answers_200_to_a_wrong_role_or_another_owner(app, client, db_session):
    world = _build_world(client)
    fillers, bodies = _fillers(world), _bodies(world)
    personas = _personas(lambda: app.test_client())
    rules = [r for r in app.url_map.iter_rules()
             if r.rule.startswith(PREFIXES) and r.endpoint not in STATIC_ENDPOINTS]
    assert len(rules) > 150
    unknown, leaks, called = [], [], 0
    for rule in sorted(rules, key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        api = rule.rule.startswith("/api/")
        roles = _allowed(view)
        if not hasattr(view, "roles"):
            unknown.append(f"{rule.rule}: no role rule (roles_required / api_route auth)")
            continue
        if roles is None:  # public by declaration (fair pages of the API)
            assert rule.rule.startswith("/api/v1/fairs") and rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
            continue
        path = _path_for(rule, fillers)
        if path is None:
            unknown.append(f"{rule.rule}: no filler for {sorted(rule.arguments)}")
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for persona in personas:
                if persona.role in roles:
                    if persona.role == "admin":
                        continue  # the office may see everything it is allowed to
                    if not rule.arguments or (rule.rule, persona.role) in PUBLIC_FOR:
                        continue  # its own data, nobody else's
                    expected = {403, 404} if api else {403, 404, 302}
                elif persona.role is None:
                    expected = {401} if api else {302}
                else:
                    expected = {403}
                answer = _call(persona, method, path, api, bodies.get((method, rule.rule)))
                called += 1
                ok = answer.status_code in expected
                if ok and answer.status_code == 302:
                    ok = ("/login" in answer.headers.get("Location", "") if persona.role is None
                          else _flashed_only_errors(persona))
                if not ok:
                    leaks.append(f"{method} {path} as {persona.name}: {answer.status_code}")
    assert unknown == []
    assert leaks == [], "\n".join(leaks)
    assert called > 1000


def test_a_route_whose_argument_has_no_filler_cannot_escape(app):
    from werkzeug.routing import Map, Rule

    rule = Rule("/seller/widgets/<int:widget_id>", endpoint="x")
    Map([rule])
    assert _path_for(rule, [(r"", {"lot_id": 1})]) is None
    lot = Rule("/seller/lots/<int:lot_id>", endpoint="y")
    Map([lot])
    assert _path_for(lot, [(r"", {"lot_id": 7})]) == "/seller/lots/7"
