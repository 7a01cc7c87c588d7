"""The cycle through its JSON API (CONTRACT §4 "OCOP cycle"): sheets, dossiers, the commune's
pre-check, blind scoring, results and the decision that puts a product on sale."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from app.clock import today
from app.extensions import db
from catalog.gate import current_certificate, listability
from catalog.models import Certificate, Product
from evaluation import services
from evaluation.demo import sample_csv
from evaluation.models import Dossier
from tests.evaluation.conftest import SHEET, TEXT, make_user, plan_scores
from tests.factories import make_certificate, make_producer, make_product

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- Score sheets ------------------------------------------------------------------------------


def _admin(world):
    return world.headers(make_user("admin"))


def test_sheet_csv_is_imported(client, world):
    r = client.post(
        "/api/v1/admin/score-sheets",
        data=sample_csv("Chính thức – Đồ uống").encode(),
        headers=_admin(world) | {"Content-Type": "text/csv"},
    )
    assert r.status_code == 201, r.json
    assert r.json == {"sheets": ["Chính thức – Đồ uống"]}
    r = client.get("/api/v1/score-sheets", headers=world.headers(world.producer_user))
    sheet = next(s for s in r.json["items"] if s["name"] == "Chính thức – Đồ uống")
    assert sum(c["max_points"] for c in sheet["criteria"]) == 100


def test_a_sheet_whose_part_a_sums_to_39_is_refused_with_the_line(client, world):
    lines = sample_csv("Thiếu điểm").splitlines()
    # The first criterion (A1, lines 2-4) tops at 4 instead of 5: part A reaches 39.
    lines[3] = lines[3].replace(",5,yes", ",4,yes")
    r = client.post(
        "/api/v1/admin/score-sheets",
        data="\n".join(lines).encode(),
        headers=_admin(world) | {"Content-Type": "text/csv"},
    )
    assert r.status_code == 422
    assert r.json["error"]["code"] == "invalid_sheet"
    assert r.json["error"]["details"]["lines"] == [
        "line 2: sheet 'Thiếu điểm' part A reaches 39 points, not 40 (a criterion counts its highest level)"
    ]
    assert services.sheets(db.session) == [world.sheet]


def test_sheet_csv_errors_name_each_line_and_nothing_is_written(client, world):
    csv_text = sample_csv("Lỗi") + '"Lỗi",D,"X","x",3,yes\n"Lỗi",A,"Y","y",abc,maybe\n'
    r = client.post(
        "/api/v1/admin/score-sheets",
        data=csv_text.encode(),
        headers=_admin(world) | {"Content-Type": "text/csv"},
    )
    assert r.status_code == 422
    lines = r.json["error"]["details"]["lines"]
    n = len(sample_csv("Lỗi").splitlines())
    assert lines[0] == f"line {n + 1}: part must be A, B or C, not 'D'"
    assert lines[1].startswith(f"line {n + 2}: points must be a whole number, not 'abc'; mandatory must be")
    r = client.post("/api/v1/admin/score-sheets", data=b"a,b\n", headers=_admin(world))
    assert r.json["error"]["details"]["lines"][0].startswith("line 1: the header must be")
    assert services.sheets(db.session) == [world.sheet]


# --- Registration and dossier -------------------------------------------------------------------


def test_producer_registers_a_new_product_fills_uploads_and_submits(client, world):
    h = world.headers(world.producer_user)
    r = client.post(
        "/api/v1/seller/dossiers",
        headers=h,
        json={
            "cycle": world.cycle.id,
            "kind": "new",
            "name": "Bánh pía Ninh Kiều",
            "group": "food",
            "product_set": SHEET,
            "description": "Bánh pía nhân sầu riêng",
        },
    )
    assert r.status_code == 201, r.json
    product = db.session.scalar(select(Product).where(Product.slug == r.json["product"]))
    assert product.published is False and product.producer_id == world.producer.id
    dossier_id = r.json["id"]
    r = client.patch(
        f"/api/v1/seller/dossiers/{dossier_id}",
        headers=h,
        json={
            **{k: v for k, v in TEXT.items() if k != "description"},
            "self_assessment": {"A1. Nguồn nguyên liệu địa phương": 5},
        },
    )
    assert r.status_code == 200 and r.json["self_assessment"] == {"A1. Nguồn nguyên liệu địa phương": 5}
    r = client.patch(
        f"/api/v1/seller/dossiers/{dossier_id}",
        headers=h,
        json={"self_assessment": {"A1. Nguồn nguyên liệu địa phương": 4}},
    )
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid_points"
    r = client.post(
        f"/api/v1/seller/dossiers/{dossier_id}/files",
        headers=h,
        data={"kind": "food_safety", "file": (io.BytesIO(PDF), "attp.pdf")},
    )
    assert r.status_code == 201 and r.json["content_type"] == "application/pdf"
    r = client.post(
        f"/api/v1/seller/dossiers/{dossier_id}/files",
        headers=h,
        data={"kind": "labels", "file": (io.BytesIO(JPEG), "nhan.jpg")},
    )
    assert r.status_code == 201 and r.json["content_type"] == "image/jpeg"
    r = client.get(f"/api/v1/seller/dossiers/{dossier_id}", headers=h)
    checklist = {c["kind"]: c["present"] for c in r.json["checklist"]}
    assert checklist["food_safety"] and checklist["labels"] and not checklist["business_registration"]
    r = client.post(f"/api/v1/seller/dossiers/{dossier_id}/submit", headers=h)
    assert r.status_code == 200 and r.json["status"] == "submitted"
    # Read-only until returned.
    r = client.patch(f"/api/v1/seller/dossiers/{dossier_id}", headers=h, json={"story": "khác"})
    assert r.status_code == 409 and r.json["error"]["code"] == "dossier_locked"
    r = client.post(
        f"/api/v1/seller/dossiers/{dossier_id}/files",
        headers=h,
        data={"kind": "labels", "file": (io.BytesIO(PDF), "x.pdf")},
    )
    assert r.status_code == 409
    r = client.post(f"/api/v1/seller/dossiers/{dossier_id}/submit", headers=h)
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_transition"


def test_evidence_is_checked_by_its_bytes_and_its_size(client, world, monkeypatch):
    # A small limit keeps the test's request in memory (werkzeug's test client spools big
    # multipart bodies to a temporary file it never closes).
    monkeypatch.setattr(services, "MAX_EVIDENCE_BYTES", 64 * 1024)
    dossier = world.dossier()
    h = world.headers(world.producer_user)
    url = f"/api/v1/seller/dossiers/{dossier.id}/files"
    r = client.post(url, headers=h, data={"kind": "labels", "file": (io.BytesIO(PNG), "nhan.pdf")})
    assert r.status_code == 415 and r.json["error"]["code"] == "unsupported_file"
    big = PDF + b"0" * services.MAX_EVIDENCE_BYTES
    r = client.post(url, headers=h, data={"kind": "labels", "file": (io.BytesIO(big), "big.pdf")})
    assert r.status_code == 413 and r.json["error"]["code"] == "file_too_large"
    r = client.post(url, headers=h, data={"kind": "nonsense", "file": (io.BytesIO(PDF), "a.pdf")})
    assert r.status_code == 422
    assert db.session.get(Dossier, dossier.id).files == []


def test_submit_needs_the_written_parts(client, world):
    dossier = services.register(
        db.session,
        world.producer,
        cycle_id=world.cycle.id,
        kind="new",
        group="food",
        product_set=SHEET,
        name="Trống trơn",
    )
    r = client.post(
        f"/api/v1/seller/dossiers/{dossier.id}/submit", headers=world.headers(world.producer_user)
    )
    assert r.status_code == 422 and r.json["error"]["code"] == "incomplete_dossier"


def test_registration_is_refused_outside_the_window_and_in_another_province(client, world):
    h = world.headers(world.producer_user)
    world.cycle.registration_closes = today() - timedelta(days=1)
    body = {"cycle": world.cycle.id, "kind": "new", "name": "Muộn", "group": "food", "product_set": SHEET}
    r = client.post("/api/v1/seller/dossiers", headers=h, json=body)
    assert r.status_code == 409 and r.json["error"]["code"] == "registration_closed"
    other = make_producer(province_code=37, ward_code=14329)
    user = make_user("producer", producer_tax_code=other.tax_code)
    world.cycle.registration_closes = today() + timedelta(days=1)
    r = client.post("/api/v1/seller/dossiers", headers=world.headers(user), json=body)
    assert r.status_code == 404
    r = client.post("/api/v1/seller/dossiers", headers=h, json=body | {"product_set": "không có"})
    assert r.status_code == 422 and r.json["error"]["code"] == "unknown_product_set"


def test_another_producers_dossier_is_404(client, world):
    dossier = world.dossier()
    other = make_producer()
    user = make_user("producer", producer_tax_code=other.tax_code)
    assert client.get(f"/api/v1/seller/dossiers/{dossier.id}", headers=world.headers(user)).status_code == 404


# --- Commune pre-check ------------------------------------------------------------------------------


def test_commune_officer_forwards_and_returns_dossiers_of_the_ward(client, world, outbox):
    a, b = world.dossier("submitted"), world.dossier("submitted")
    draft = world.dossier()
    h = world.headers(world.officer)
    ids = [d["id"] for d in client.get("/api/v1/commune/dossiers", headers=h).json["items"]]
    assert sorted(ids) == sorted([a.id, b.id])  # drafts are the producer's own business
    assert client.get(f"/api/v1/commune/dossiers/{draft.id}", headers=h).status_code == 404
    r = client.post(f"/api/v1/commune/dossiers/{a.id}/forward", headers=h, json={"comment": "Đạt"})
    assert r.status_code == 200 and r.json["status"] == "forwarded"
    r = client.post(f"/api/v1/commune/dossiers/{b.id}/return", headers=h, json={"comment": ""})
    assert r.status_code == 422 and r.json["error"]["code"] == "comment_required"
    r = client.post(
        f"/api/v1/commune/dossiers/{b.id}/return", headers=h, json={"comment": "Thiếu giấy chứng nhận ATTP"}
    )
    assert r.status_code == 200 and r.json["status"] == "returned"
    assert any("Thiếu giấy chứng nhận ATTP" in p.read_text(encoding="utf-8") for p in outbox.iterdir())
    # Wrong states are refused.
    r = client.post(f"/api/v1/commune/dossiers/{a.id}/return", headers=h, json={"comment": "x"})
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_transition"
    r = client.post(f"/api/v1/commune/dossiers/{b.id}/forward", headers=h, json={})
    assert r.status_code == 409
    # Returned: the producer can edit and submit again.
    hp = world.headers(world.producer_user)
    assert (
        client.patch(f"/api/v1/seller/dossiers/{b.id}", headers=hp, json={"story": "Bổ sung"}).status_code
        == 200
    )
    assert client.post(f"/api/v1/seller/dossiers/{b.id}/submit", headers=hp).json["status"] == "submitted"


def test_commune_officer_of_another_ward_gets_404(client, world):
    dossier = world.dossier("submitted")
    other = make_user("commune_officer", ward_code=31186)
    h = world.headers(other)
    assert client.get("/api/v1/commune/dossiers", headers=h).json["items"] == []
    assert client.get(f"/api/v1/commune/dossiers/{dossier.id}", headers=h).status_code == 404
    r = client.post(f"/api/v1/commune/dossiers/{dossier.id}/forward", headers=h, json={})
    assert r.status_code == 404
    assert db.session.get(Dossier, dossier.id).status == "submitted"
    # And a producer token is not an officer's.
    r = client.get("/api/v1/commune/dossiers", headers=world.headers(world.producer_user))
    assert r.status_code == 403


# --- Councils and blind scoring -------------------------------------------------------------------------


def test_council_is_set_up_from_forwarded_dossiers_only(client, world):
    forwarded, submitted = world.dossier("forwarded"), world.dossier("submitted")
    h = _admin(world)
    body = {"cycle": world.cycle.id, "members": [m.email for m in world.members], "dossiers": [forwarded.id]}
    r = client.post(
        "/api/v1/admin/councils", headers=h, json=body | {"dossiers": [forwarded.id, submitted.id]}
    )
    assert r.status_code == 409
    assert db.session.get(Dossier, forwarded.id).status == "forwarded"
    r = client.post("/api/v1/admin/councils", headers=h, json=body | {"members": [world.officer.email]})
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid_member"
    r = client.post("/api/v1/admin/councils", headers=h, json=body)
    assert r.status_code == 201
    assert db.session.get(Dossier, forwarded.id).status == "in_council"


def _numbers(value, skip: set[str], key: str | None = None) -> list:
    """Every number in a JSON document, except under the keys in `skip`."""
    if key in skip or (key or "").endswith("_id"):  # maxima and row ids are not scores
        return []
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _numbers(v, skip, k)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v, skip, key)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def test_a_member_cannot_see_others_scores_before_submitting(client, world):
    dossier = world.dossier("in_council")
    first, second = world.members[0], world.members[1]
    world.score(dossier, first, 80)
    h = world.headers(second)
    r = client.get(f"/api/v1/council/dossiers/{dossier.id}", headers=h)
    assert r.status_code == 200 and r.json["my_scores"] == {"criteria": {}, "total": 0, "submitted": False}
    # The first member's total (80) appears nowhere in what the second member reads.
    assert 80 not in _numbers(r.json, skip={"max_points", "id", "cycle"})
    r = client.get(f"/api/v1/council/dossiers/{dossier.id}/panel", headers=h)
    assert r.status_code == 403 and r.json["error"]["code"] == "scores_hidden"
    # Nor through the office's results endpoint, which needs an admin token.
    assert client.get(f"/api/v1/admin/councils/{dossier.council_id}/results", headers=h).status_code == 403
    scores = plan_scores(dossier.sheet, 70)
    assert (
        client.put(
            f"/api/v1/council/dossiers/{dossier.id}/scores", headers=h, json={"criteria": scores}
        ).json["total"]
        == 70
    )
    assert client.get(f"/api/v1/council/dossiers/{dossier.id}/panel", headers=h).status_code == 403
    r = client.post(f"/api/v1/council/dossiers/{dossier.id}/scores/submit", headers=h)
    assert r.status_code == 200 and r.json["submitted"] is True
    r = client.get(f"/api/v1/council/dossiers/{dossier.id}/panel", headers=h)
    assert r.status_code == 200
    assert sorted(m["total"] for m in r.json["members"]) == [70, 80]
    r = client.put(f"/api/v1/council/dossiers/{dossier.id}/scores", headers=h, json={"criteria": scores})
    assert r.status_code == 409 and r.json["error"]["code"] == "scores_submitted"


def test_a_score_that_is_not_a_levels_points_is_422(client, world):
    dossier = world.dossier("in_council")
    h = world.headers(world.members[0])
    url = f"/api/v1/council/dossiers/{dossier.id}/scores"
    for points in (6, 4, -1):  # above the maximum 5, between levels, negative
        r = client.put(url, headers=h, json={"criteria": {"A1. Nguồn nguyên liệu địa phương": points}})
        assert r.status_code == 422 and r.json["error"]["code"] == "invalid_points", points
    r = client.put(url, headers=h, json={"criteria": {"Z9. Không có": 1}})
    assert r.status_code == 422 and r.json["error"]["code"] == "unknown_criterion"
    r = client.put(url, headers=h, json={"criteria": {"A1. Nguồn nguyên liệu địa phương": "5"}})
    assert r.status_code == 422
    r = client.post(url + "/submit", headers=h)
    assert r.status_code == 422 and r.json["error"]["code"] == "scores_incomplete"


def test_a_non_member_gets_404_on_a_councils_dossier(client, world):
    dossier = world.dossier("in_council")
    outsider = make_user("council_member")
    h = world.headers(outsider)
    assert client.get(f"/api/v1/council/dossiers/{dossier.id}", headers=h).status_code == 404
    assert client.get("/api/v1/council/dossiers", headers=h).json["items"] == []


def test_results_give_mean_stars_and_failed_mandatory(client, world):
    ok, failed = world.dossier("forwarded"), world.dossier("forwarded")
    r = client.post(
        "/api/v1/admin/councils",
        headers=_admin(world),
        json={
            "cycle": world.cycle.id,
            "members": [m.email for m in world.members],
            "dossiers": [ok.id, failed.id],
        },
    )
    council_id = r.json["id"]
    mandatory = "C2. Tiêu chuẩn sản phẩm, an toàn"
    for member, total in zip(world.members, (71, 68, 74), strict=True):
        world.score(ok, member, total)
        world.score(failed, member, 88, zero=[mandatory] if total != 74 else [])
    items = client.get(f"/api/v1/admin/councils/{council_id}/results", headers=_admin(world)).json["items"]
    by_id = {i["dossier"]: i for i in items}
    assert by_id[ok.id] | {} == by_id[ok.id]
    assert (by_id[ok.id]["score"], by_id[ok.id]["stars"], by_id[ok.id]["mandatory_failed"]) == (71.0, 4, [])
    assert (by_id[failed.id]["score"], by_id[failed.id]["stars"]) == (88.0, None)
    assert by_id[failed.id]["mandatory_failed"] == [mandatory]


# --- Decision ------------------------------------------------------------------------------------------


def _decide(client, world, ids, level="province", number="123/QĐ-UBND"):
    return client.post(
        "/api/v1/admin/decisions",
        headers=_admin(world),
        json={
            "decision_number": number,
            "issued_on": today().isoformat(),
            "issuer": "UBND thành phố Cần Thơ",
            "level": level,
            "dossiers": ids,
        },
    )


def test_decision_creates_certificates_and_the_product_is_listed_the_same_day(client, world, outbox):
    product = make_product(
        world.producer, certified=False, price_vnd=90_000, published=True, name="Nem nướng Ninh Kiều"
    )
    make_certificate(product, stars=3, issued_on=today() - timedelta(days=3 * 365 - 100))
    dossier = world.dossier("forwarded", kind="reevaluation", product=product)
    services.create_council(
        db.session, cycle_id=world.cycle.id, members=[m.email for m in world.members], dossiers=[dossier.id]
    )
    for member, total in zip(world.members, (71, 68, 74), strict=True):
        world.score(dossier, member, total)
    r = _decide(client, world, [dossier.id])
    assert r.status_code == 201, r.json
    cert = db.session.get(Certificate, r.json["certificates"][0])
    assert (cert.stars, cert.score, cert.level, cert.issued_on) == (4, 71, "province", today())
    db.session.refresh(product, ["certificates"])
    assert current_certificate(product.certificates) == cert  # replaces the old one as current
    assert listability(product).listable
    listed = client.get("/api/v1/products", query_string={"q": "Nem nướng Ninh Kiều"}).json["items"]
    assert [(p["slug"], p["stars"]) for p in listed] == [(product.slug, 4)]
    assert db.session.get(Dossier, dossier.id).status == "decided"
    assert any("4 sao" in p.read_text(encoding="utf-8") for p in outbox.iterdir())
    # Deciding again is refused.
    assert _decide(client, world, [dossier.id], number="124/QĐ-UBND").status_code == 409
    r = client.get("/api/v1/decisions")
    assert r.json["items"][0]["products"][0]["slug"] == product.slug


def test_a_decision_with_one_bad_dossier_writes_nothing(client, world):
    good, bad = world.dossier("forwarded"), world.dossier("forwarded")
    services.create_council(
        db.session,
        cycle_id=world.cycle.id,
        members=[m.email for m in world.members],
        dossiers=[good.id, bad.id],
    )
    for member in world.members:
        world.score(good, member, 75)
        world.score(bad, member, 40)
    before = db.session.scalar(select(func.count(Certificate.id)))
    r = _decide(client, world, [good.id, bad.id])
    assert r.status_code == 409 and r.json["error"]["code"] == "not_ranked"
    assert db.session.scalar(select(func.count(Certificate.id))) == before
    assert db.session.get(Dossier, good.id).status == "in_council"


def test_decisions_refuse_unfinished_scoring_and_the_wrong_level(client, world):
    dossier = world.dossier("in_council")
    world.score(dossier, world.members[0], 95)
    r = _decide(client, world, [dossier.id])
    assert r.status_code == 409 and r.json["error"]["code"] == "scoring_incomplete"
    for member in world.members[1:]:
        world.score(dossier, member, 95)
    r = _decide(client, world, [dossier.id])  # ranked 5★: only the central level decides it
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid_level"
    r = _decide(client, world, [dossier.id], level="commune")
    assert r.status_code == 422
    r = client.get(f"/api/v1/admin/dossiers/{dossier.id}/central-package", headers=_admin(world))
    assert r.status_code == 200 and r.json["stars"] == 5 and r.json["score"] == "95.0"
    r = client.post(
        "/api/v1/admin/decisions",
        headers=_admin(world),
        json={
            "decision_number": "77/QĐ-BNNMT",
            "issued_on": today().isoformat(),
            "issuer": "Bộ Nông nghiệp và Môi trường",
            "level": "central",
            "dossiers": [dossier.id],
        },
    )
    assert r.status_code == 201
    assert db.session.get(Certificate, r.json["certificates"][0]).stars == 5


def test_a_draft_cannot_be_decided_or_scored(client, world):
    draft = world.dossier()
    assert _decide(client, world, [draft.id]).status_code == 409
    assert _decide(client, world, [999999]).status_code == 404


# --- Re-evaluation -------------------------------------------------------------------------------------


def test_reevaluation_dossier_is_prefilled_from_the_current_one(world):
    first = world.dossier("draft", name="Mắm cá linh")
    product = first.product
    make_certificate(product, stars=3, issued_on=today() - timedelta(days=900))
    db.session.refresh(product, ["certificates"])
    nxt = services.create_cycle(
        db.session,
        year=today().year + 1,
        province_code=92,
        registration_opens=today(),
        registration_closes=today(),
    )
    services.publish_cycle(db.session, nxt)
    again = services.register(
        db.session,
        world.producer,
        cycle_id=nxt.id,
        kind="reevaluation",
        group="food",
        product_set=SHEET,
        product_slug=product.slug,
    )
    assert (again.story, again.raw_materials, again.labour) == (
        TEXT["story"],
        TEXT["raw_materials"],
        TEXT["labour"],
    )
    assert again.previous_certificate is not None


def test_invite_command_invites_once_from_six_months_before_the_end(app, world, outbox):
    product = make_product(world.producer, certified=False)
    make_certificate(product, stars=4, issued_on=today() - timedelta(days=3 * 365 - 150))
    make_certificate(
        make_product(world.producer, certified=False), stars=4, issued_on=today() - timedelta(days=365)
    )  # ends in 2 years: not yet
    db.session.commit()
    runner = app.test_cli_runner()
    r = runner.invoke(args=["cycle", "invite"])
    assert r.exit_code == 0, r.output
    assert "invited 1" in r.output
    assert len(list(outbox.iterdir())) == 1
    r = runner.invoke(args=["cycle", "invite"])
    assert "invited 0" in r.output
    assert len(list(outbox.iterdir())) == 1


def test_forward_records_the_communes_checks_and_refuses_unknown_ones(client, world):
    dossier = world.dossier("submitted")
    h = world.headers(world.officer)
    url = f"/api/v1/commune/dossiers/{dossier.id}/forward"
    r = client.post(url, headers=h, json={"checks": ["local_labour", "magic"]})
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid_check"
    r = client.post(url, headers=h, json={"checks": ["local_raw_materials", "local_labour"]})
    assert r.status_code == 200
    r = client.get(f"/api/v1/commune/dossiers/{dossier.id}", headers=h)
    assert r.json["commune_checks"] == ["local_raw_materials", "local_labour"]


def test_producers_see_the_open_cycles_of_their_province_only(client, world):
    draft = services.create_cycle(
        db.session,
        year=today().year,
        province_code=37,
        registration_opens=today(),
        registration_closes=today(),
    )
    r = client.get("/api/v1/cycles", headers=world.headers(world.producer_user))
    assert [c["id"] for c in r.json["items"]] == [world.cycle.id]
    r = client.post(f"/api/v1/admin/cycles/{world.cycle.id}/publish", headers=_admin(world))
    assert r.status_code == 409  # already published
    r = client.post(
        "/api/v1/admin/cycles",
        headers=_admin(world),
        json={
            "year": today().year,
            "province_code": 92,
            "registration_opens": "2026-01-01",
            "registration_closes": "2026-02-01",
        },
    )
    assert r.status_code == 409 and r.json["error"]["code"] == "cycle_exists"
    r = client.post(
        "/api/v1/admin/cycles",
        headers=_admin(world),
        json={
            "year": today().year + 1,
            "province_code": 92,
            "registration_opens": "2027-03-01",
            "registration_closes": "2027-02-01",
            "publish": True,
        },
    )
    assert r.status_code == 422
    assert draft.status == "draft"


def test_a_30_mb_evidence_file_is_refused_before_it_is_read(client, world):
    """Over the upload routes' 10 MB, the request is refused from its Content-Length (413,
    JSON) and no file row is written."""
    dossier = world.dossier()
    boundary = "ocop-30mb"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nlabels\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n").encode() + PDF + b"0" * (30 * 1024 * 1024) \
        + f"\r\n--{boundary}--\r\n".encode()
    r = client.post(f"/api/v1/seller/dossiers/{dossier.id}/files", headers=world.headers(world.producer_user),
                    data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert r.status_code == 413 and r.json["error"]["code"] == "payload_too_large"
    assert "10 MB" in r.json["error"]["message"]
    assert db.session.get(Dossier, dossier.id).files == []
