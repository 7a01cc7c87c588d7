"""The cycle's screens, role by role: what each person sees and is refused."""

from __future__ import annotations

import io

from app.extensions import db
from evaluation import services
from evaluation.models import Dossier
from tests.evaluation.conftest import make_user
from tests.evaluation.test_api import PDF

PASSWORD = "correct horse"


def login(client, user):
    client.post("/logout")
    r = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 302


def test_producer_registers_fills_uploads_and_submits_on_screen(client, world):
    login(client, world.producer_user)
    page = client.get("/seller/").get_data(as_text=True)
    assert world.cycle.name in page  # the dashboard shows the open cycle
    r = client.post(
        "/seller/dossiers",
        data={
            "cycle": world.cycle.id,
            "kind": "new",
            "name": "Bánh pía",
            "group": "food",
            "product_set": world.sheet.name,
        },
    )
    assert r.status_code == 302
    dossier = db.session.query(Dossier).one()
    url = f"/seller/dossiers/{dossier.id}"
    r = client.post(
        url + "/files",
        data={"kind": "food_safety", "file": (io.BytesIO(PDF), "attp.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    r = client.post(
        url,
        data={
            "description": "Bánh",
            "raw_materials": "Bột",
            "labour": "5 người",
            "story": "Ba đời",
            "standards": "",
            "action": "submit",
        },
    )
    assert r.status_code == 302
    assert db.session.get(Dossier, dossier.id).status == "submitted"
    page = client.get(url).get_data(as_text=True)
    assert "attp.pdf" in page and "<textarea" not in page  # read-only now
    file_id = dossier.files[0].id
    r = client.get(f"/dossiers/{dossier.id}/files/{file_id}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")


def test_commune_officer_screen_forwards_and_other_ward_gets_404(client, world):
    dossier = world.dossier("submitted")
    login(client, world.officer)
    assert dossier.product.name in client.get("/commune/").get_data(as_text=True)
    url = f"/commune/dossiers/{dossier.id}"
    checks = ["local_raw_materials", "local_labour", "idea_origin", "complete"]
    r = client.post(
        url, data={"action": "forward", "comment": "Đạt", "checks": checks[:3]}, headers={"Referer": url}
    )
    assert r.status_code == 302 and db.session.get(Dossier, dossier.id).status == "submitted"
    r = client.post(url, data={"action": "forward", "comment": "Đạt", "checks": checks})
    assert r.status_code == 302
    assert db.session.get(Dossier, dossier.id).status == "forwarded"
    assert db.session.get(Dossier, dossier.id).commune_checks == checks
    other = make_user("commune_officer", ward_code=31186)
    login(client, other)
    assert client.get(f"/commune/dossiers/{dossier.id}").status_code == 404
    assert client.get(f"/dossiers/{dossier.id}/files/1").status_code == 404


def test_member_screen_hides_others_scores_until_submitted(client, world):
    dossier = world.dossier("in_council")
    world.score(dossier, world.members[0], 83)
    login(client, world.members[1])
    page = client.get(f"/council/dossiers/{dossier.id}").get_data(as_text=True)
    assert ": 83</li>" not in page and 'aria-labelledby="panel-h"' not in page
    data = {f"c{c.id}": str(c.max_points) for c in dossier.sheet.criteria} | {"action": "submit"}
    assert client.post(f"/council/dossiers/{dossier.id}", data=data).status_code == 302
    page = client.get(f"/council/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'aria-labelledby="panel-h"' in page and ": 83</li>" in page and ": 100</li>" in page
    outsider = make_user("council_member")
    login(client, outsider)
    assert client.get(f"/council/dossiers/{dossier.id}").status_code == 404


def test_member_screen_refuses_points_that_are_not_a_level(client, world):
    dossier = world.dossier("in_council")
    login(client, world.members[0])
    criterion = dossier.sheet.criteria[0]
    r = client.post(f"/council/dossiers/{dossier.id}", data={f"c{criterion.id}": "4", "action": "save"})
    assert r.status_code == 302
    assert (
        services.own_card(db.session, dossier, world.members[0]) is None
        or services.own_card(db.session, dossier, world.members[0]).scores == []
    )


def test_office_records_a_decision_on_screen_and_the_public_page_lists_it(client, world):
    dossier = world.dossier("in_council")
    for member in world.members:
        world.score(dossier, member, 75)
    admin = make_user("admin")
    login(client, admin)
    page = client.get(f"/admin/councils/{dossier.council_id}").get_data(as_text=True)
    assert "75.0" in page and "4★" in page
    r = client.post(
        f"/admin/councils/{dossier.council_id}",
        data={
            "decision_number": "55/QĐ-UBND",
            "issued_on": "2026-11-30",
            "issuer": "UBND thành phố Cần Thơ",
            "level": "province",
            "dossiers": [str(dossier.id)],
        },
    )
    assert r.status_code == 302
    assert db.session.get(Dossier, dossier.id).status == "decided"
    decision_id = db.session.get(Dossier, dossier.id).decision_id
    r = client.get(f"/admin/decisions/{decision_id}/annex.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    timeline = client.get(f"/admin/cycle/products/{dossier.product.slug}").get_data(as_text=True)
    assert "55/QĐ-UBND" in timeline and "75.0" in timeline
    assert dossier.product.name in client.get("/ocop/decisions").get_data(as_text=True)


def test_office_opens_and_publishes_a_cycle_on_screen(client, world):
    login(client, make_user("admin"))
    r = client.post(
        "/admin/cycles",
        data={
            "year": "2027",
            "province_code": "37",
            "registration_opens": "2027-01-01",
            "registration_closes": "2027-03-31",
        },
    )
    assert r.status_code == 302
    cycle_url = r.headers["Location"]
    assert client.post(cycle_url, data={"action": "publish"}).status_code == 302
    assert "Ninh Bình" in client.get("/admin/cycles").get_data(as_text=True)


def test_a_5_star_ranking_is_exported_for_the_central_level(client, world):
    dossier = world.dossier("in_council")
    for member in world.members:
        world.score(dossier, member, 95)
    login(client, make_user("admin"))
    assert "đề nghị Trung ương" in client.get(f"/admin/councils/{dossier.council_id}").get_data(as_text=True)
    r = client.get(f"/admin/dossiers/{dossier.id}/central-package.json")
    assert r.status_code == 200 and r.json["stars"] == 5 and len(r.json["totals"]) == 3
    login(client, world.members[0])
    assert client.get(f"/admin/dossiers/{dossier.id}/central-package.json").status_code == 403


def test_office_sends_reevaluation_invitations_once(client, world, outbox):
    from datetime import timedelta

    from app.clock import today
    from tests.factories import make_certificate, make_product

    product = make_product(world.producer, certified=False, name="Nem chua Cần Thơ")
    make_certificate(product, stars=4, issued_on=today() - timedelta(days=3 * 365 - 60))
    login(client, make_user("admin"))
    assert "Nem chua Cần Thơ" in client.get("/admin/cycles").get_data(as_text=True)
    client.post("/admin/cycle/invites")
    client.post("/admin/cycle/invites")
    assert len(list(outbox.iterdir())) == 1
    login(client, world.producer_user)
    assert "Mời đăng ký đánh giá lại Nem chua Cần Thơ" in client.get("/seller/").get_data(as_text=True)
