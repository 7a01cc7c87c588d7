"""Product search: the same tests for both backends (Whoosh always; PostgreSQL when the
suite runs on it). The gate is applied at query time, so these also prove that search can
never show what may not be sold."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import pytest
from markupsafe import Markup
from sqlalchemy import update

from app.extensions import db
from catalog import search
from catalog.models import Product
from catalog.search import analysis, whoosh_backend
from tests.conftest import ON_POSTGRES
from tests.factories import make_certificate, make_producer, make_product

BACKENDS = [
    pytest.param("whoosh", id="whoosh"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.skipif(
        not ON_POSTGRES, reason="the postgres backend needs TEST_DATABASE_URL on PostgreSQL")),
]


@pytest.fixture(params=BACKENDS)
def backend(request, app, db_session, tmp_path, monkeypatch):
    """Each test gets its own (not yet existing) index directory."""
    monkeypatch.setitem(app.config, "SEARCH_BACKEND", request.param)
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(tmp_path / "search-index"))
    return request.param


def find(q, **filters) -> list[str]:
    page = search.search_products(db.session, q, **filters)
    return [product.name for product, _ in page.items]


# --- Vietnamese with or without diacritics ------------------------------------------------

def test_diacritics_and_case_do_not_matter(backend):
    make_product(name="Nước mắm Phú Quốc", description="Cá cơm ủ chượp 12 tháng")
    make_product(name="Mật ong rừng U Minh", description="Mật ong hoa tràm")
    for query in ("nuoc mam", "nước mắm", "NUOC MAM", "Nước Mắm", "  nuoc   MẮM "):
        assert find(query) == ["Nước mắm Phú Quốc"], query


def test_d_with_stroke_folds_to_d(backend):
    make_product(name="Đặc sản mắm cá linh")
    make_product(name="Đậu phộng rang muối")
    make_product(name="Bánh tráng phơi sương")
    assert find("dac san") == ["Đặc sản mắm cá linh"]
    assert find("DAC SAN") == ["Đặc sản mắm cá linh"]
    assert find("dau") == ["Đậu phộng rang muối"]
    assert find("đậu phộng") == ["Đậu phộng rang muối"]


def test_english_name_and_description_are_searched(backend):
    make_product(name="Rượu đế Kim Sơn", name_en="Kim Son rice wine",
                 description="Nấu từ gạo nếp cái hoa vàng")
    make_product(name="Trà shan tuyết", name_en="Shan tuyet tea")
    assert find("rice wine") == ["Rượu đế Kim Sơn"]
    assert find("gao nep") == ["Rượu đế Kim Sơn"]


def test_every_word_must_match(backend):
    make_product(name="Nước mắm cá cơm")
    make_product(name="Nước cốt dừa")
    assert find("nuoc mam") == ["Nước mắm cá cơm"]
    assert sorted(find("nuoc")) == ["Nước cốt dừa", "Nước mắm cá cơm"]


def test_one_typo_is_tolerated_in_long_words_only(backend):
    make_product(name="Trà shan tuyết cổ thụ")
    make_product(name="Sâm Ngọc Linh", name_en="Ngoc Linh ginseng")
    assert find("shan tuyeet") == ["Trà shan tuyết cổ thụ"]  # one letter too many
    assert find("ginsemg") == ["Sâm Ngọc Linh"]  # one letter wrong
    assert find("tra shan tuyrt co thu") == ["Trà shan tuyết cổ thụ"]
    assert find("tro") == []  # short words must be exact: "tro" is not "trà"
    assert find("ginsemx") == []  # two typos are too many


def test_a_short_word_stays_required_when_a_typo_is_tolerated(backend):
    make_product(name="Trà shan tuyết", description="Hái từ cây chè cổ thụ")
    make_product(name="Mật ong rừng")
    assert find("tra tuyeet") == ["Trà shan tuyết"]  # "tuyeet" one typo away
    assert find("mat tuyeet") == []  # "mat" is in no product with a word like "tuyeet"


def test_blank_or_punctuation_query_lists_everything_listable(backend):
    make_product(name="Miến dong")
    assert find("  ") == ["Miến dong"]
    assert find("?!") == ["Miến dong"]


# --- Ranking ------------------------------------------------------------------------------

def test_exact_name_ranks_first(backend):
    make_product(name="Bánh cơm cháy chà bông")
    make_product(name="Cơm cháy chà bông mỡ hành", description="Cơm cháy giòn")
    make_product(name="Cơm cháy")
    make_product(name="Cơm cháy lắc khô gà")
    assert find("com chay")[0] == "Cơm cháy"
    assert find("Cơm cháy")[0] == "Cơm cháy"
    assert len(find("com chay")) == 4


def test_exact_name_ranks_first_whatever_its_punctuation_or_unicode_form(backend):
    make_product(name="Cơm cháy chà bông")
    make_product(name="Cơm cháy lắc khô gà")
    make_product(name="Cơm cháy!")
    make_product(name=unicodedata.normalize("NFD", "Mắm tôm"))  # decomposed diacritics
    make_product(name="Mắm tôm chua Huế")
    assert find("com chay")[0] == "Cơm cháy!"
    assert find("mam tom")[0] == unicodedata.normalize("NFD", "Mắm tôm")


def test_name_ranks_above_description(backend):
    make_product(name="Muối tôm Tây Ninh", description="Chấm cùng bánh tráng trộn, rất ngon")
    make_product(name="Bánh tráng Phú Hòa Đông")
    assert find("banh trang") == ["Bánh tráng Phú Hòa Đông", "Muối tôm Tây Ninh"]


def test_exact_diacritics_rank_above_folded(backend):
    make_product(name="Mâm gỗ mít", group="craft")
    make_product(name="Mắm ruốc Huế")
    assert find("mắm") == ["Mắm ruốc Huế", "Mâm gỗ mít"]
    assert find("mâm") == ["Mâm gỗ mít", "Mắm ruốc Huế"]
    assert sorted(find("mam")) == ["Mâm gỗ mít", "Mắm ruốc Huế"]


# --- Filters and pagination ----------------------------------------------------------------

def test_filters_combine_with_the_query(backend):
    can_tho = make_producer(province_code=92)
    ninh_binh = make_producer(province_code=37, ward_code=None)
    make_product(can_tho, name="Gạo thơm ST25", stars=5)
    make_product(can_tho, name="Gạo lứt đỏ", stars=3)
    make_product(ninh_binh, name="Gạo nếp cái hoa vàng", stars=5)
    make_product(ninh_binh, name="Rượu gạo Kim Sơn", stars=4, group="beverage")
    assert sorted(find("gao", stars=5)) == ["Gạo nếp cái hoa vàng", "Gạo thơm ST25"]
    assert sorted(find("gao", province=37)) == ["Gạo nếp cái hoa vàng", "Rượu gạo Kim Sơn"]
    assert find("gao", province=37, group="beverage") == ["Rượu gạo Kim Sơn"]
    assert find("gao", province=92, stars=3) == ["Gạo lứt đỏ"]
    assert find("gao", province=92, group="beverage") == []


def test_pagination_counts_only_listable_matches(backend):
    for n in range(7):
        make_product(name=f"Khô cá lóc {n}")
    make_product(name="Khô cá lóc hết hạn", certified=False)
    pages = [search.search_products(db.session, "kho ca loc", page=p, per_page=3)
             for p in (1, 2, 3, 4)]
    assert [page.total for page in pages] == [7, 7, 7, 7]
    assert [len(page.items) for page in pages] == [3, 3, 1, 0]
    assert pages[0].pages == 3
    names = [p.name for page in pages for p, _ in page.items]
    assert len(set(names)) == 7 and "Khô cá lóc hết hạn" not in names


def test_total_is_the_number_of_listable_matches_on_every_page(backend):
    can_tho = make_producer(province_code=92)
    for n in range(30):
        make_product(can_tho, name=f"Bánh pía sầu riêng {n}", stars=4 if n % 3 else 5)
    for n in range(4):
        make_product(can_tho, name=f"Bánh pía chưa chứng nhận {n}", certified=False)
    make_product(name="Bánh pía Sóc Trăng", published=False)
    for page in (1, 2, 3):
        found = search.search_products(db.session, "banh pia", page=page, per_page=12)
        assert found.total == 30
        five = search.search_products(db.session, "banh pia", stars=5, page=page, per_page=4)
        assert five.total == 10
    every = [p.name for page in (1, 2, 3)
             for p, _c in search.search_products(db.session, "banh pia", page=page,
                                                 per_page=12).items]
    assert len(every) == len(set(every)) == 30


def test_the_gate_follows_every_change_without_a_reindex(backend):
    """Matches are gated by the day's listable table, cached under the catalogue's version
    (catalog.search.listable): a certificate added or revoked counts on the next search."""
    for n in range(6):
        make_product(name=f"Gạo thơm {n}", price_vnd=10_000 * (n + 1))
    waiting = make_product(name="Gạo chờ chứng nhận", certified=False, price_vnd=99_000)
    make_product(name="Muối hầm")
    first = search.search_products(db.session, "gao", order="price_desc", per_page=4)
    assert first.total == 6
    assert [p.name for p, _ in first.items] == ["Gạo thơm 5", "Gạo thơm 4", "Gạo thơm 3",
                                                "Gạo thơm 2"]
    cert = make_certificate(waiting, issued_on=date(2024, 1, 1))
    db.session.flush()
    second = search.search_products(db.session, "gao", order="price_desc", per_page=4)
    assert second.total == 7 and second.items[0][0].name == "Gạo chờ chứng nhận"
    cert.revoked_on = date.today()
    cert.revoke_reason = "Không đạt"
    db.session.flush()
    third = search.search_products(db.session, "gao", order="price_desc", per_page=4)
    assert third.total == 6
    assert "Gạo chờ chứng nhận" not in [p.name for p, _ in third.items]


def test_filters_apply_to_search_as_to_browsing(backend):
    """The in-memory filters of the listable table agree with the gated query's."""
    north = make_producer(name="HTX Bắc", province_code=15)
    south = make_producer(name="HTX Nam", province_code=92)
    make_product(name="Mật ong bạc hà", producer=north, group="food", stars=5)
    make_product(name="Mật ong rừng", producer=south, group="food", stars=4)
    make_product(name="Rượu mật ong", producer=south, group="beverage", stars=4)
    def names(**filters):
        return sorted(p.name for p, _ in search.search_products(db.session, "mat ong",
                                                                **filters).items)
    assert names(stars=5) == ["Mật ong bạc hà"]
    assert names(province=92) == ["Mật ong rừng", "Rượu mật ong"]
    assert names(group="beverage") == ["Rượu mật ong"]
    assert names(producer_id=north.id) == ["Mật ong bạc hà"]
    everything = search.search_products(db.session, "mat ong")
    first = everything.items[0][0]
    assert first.name not in names(exclude_id=first.id) and len(names(exclude_id=first.id)) == 2


def test_page_size_and_page_number_are_clamped(backend):
    make_product(name="Chè Thái Nguyên")
    huge = search.search_products(db.session, "che", per_page=100_000, page=-5)
    assert (huge.page, huge.per_page, huge.total) == (1, 100, 1)


def test_other_orders_with_a_query(backend):
    make_product(name="Gạo A", price_vnd=50_000)
    make_product(name="Gạo B", price_vnd=20_000)
    make_product(name="Gạo C", price_vnd=90_000)
    make_product(name="Muối", price_vnd=1_000)
    assert find("gao", order="price_asc") == ["Gạo B", "Gạo A", "Gạo C"]
    assert find("gao", order="price_desc") == ["Gạo C", "Gạo A", "Gạo B"]
    assert find("gao", order="name") == ["Gạo A", "Gạo B", "Gạo C"]


# --- The gate, at query time ---------------------------------------------------------------

def test_unlistable_products_are_never_found(backend):
    make_product(name="Nấm linh chi đỏ")
    revoked = make_product(name="Nấm linh chi thu hồi", certified=False)
    make_certificate(revoked, issued_on=date(2025, 1, 1), revoked_on=date(2025, 6, 1))
    expired = make_product(name="Nấm linh chi hết hạn", certified=False)
    make_certificate(expired, issued_on=date(2020, 1, 1), valid_until=date(2023, 1, 1))
    make_product(name="Nấm linh chi chưa đăng", published=False, price_vnd=1)
    make_product(name="Nấm linh chi chưa chứng nhận", certified=False)
    make_product(make_producer(active=False), name="Nấm linh chi ngừng hoạt động")
    db.session.commit()
    assert find("nam linh chi") == ["Nấm linh chi đỏ"]
    assert search.search_products(db.session, "nam linh chi").total == 1


def test_certificate_that_ended_yesterday_disappears_without_reindex(backend, freeze):
    last_day = date(2026, 11, 22)
    freeze(last_day)
    product = make_product(name="Tiêu Phú Quốc", certified=False)
    make_certificate(product, issued_on=date(2024, 1, 1), valid_until=last_day)
    db.session.commit()
    assert find("tieu phu quoc") == ["Tiêu Phú Quốc"]  # valid all day on valid_until (index built)
    freeze(last_day + timedelta(days=1))
    assert find("tieu phu quoc") == []  # the next local day: gone, with no reindex


def test_revocation_hides_at_once(backend):
    product = make_product(name="Mật ong bạc hà")
    db.session.commit()
    assert find("mat ong") == ["Mật ong bạc hà"]
    cert = product.certificates[0]
    cert.revoked_on = cert.issued_on + timedelta(days=10)
    cert.revoke_reason = "Không đạt an toàn thực phẩm"
    db.session.commit()
    assert find("mat ong") == []


# --- Keeping the index fresh ---------------------------------------------------------------

def test_new_product_is_findable_as_soon_as_it_is_committed(backend):
    make_product(name="Bánh pía Sóc Trăng")
    db.session.commit()
    assert find("banh pia") == ["Bánh pía Sóc Trăng"]  # the index now exists
    make_product(name="Bánh pía sầu riêng")
    db.session.commit()
    assert sorted(find("banh pia")) == ["Bánh pía Sóc Trăng", "Bánh pía sầu riêng"]


def test_renamed_product_and_producer_are_reindexed(backend):
    producer = make_producer(name="HTX Trà Suối Giàng")
    product = make_product(producer, name="Trà xanh")
    db.session.commit()
    assert find("tra xanh") == ["Trà xanh"]
    product.name = "Chè shan tuyết Suối Giàng"
    db.session.commit()
    assert find("tra xanh") == []
    assert find("che shan") == ["Chè shan tuyết Suối Giàng"]
    producer.name = "Hợp tác xã Mù Cang Chải"
    db.session.commit()
    assert find("mu cang chai") == ["Chè shan tuyết Suối Giàng"]


def test_deleted_product_leaves_the_index(backend):
    product = make_product(name="Khô trâu gác bếp")
    db.session.commit()
    assert find("kho trau") == ["Khô trâu gác bếp"]
    for cert in product.certificates:
        db.session.delete(cert)
    db.session.delete(product)
    db.session.commit()
    assert find("kho trau") == []
    if backend == "whoosh":
        ix = whoosh_backend.open_index(search.index_dir())
        assert whoosh_backend.search_ids(ix, "kho trau") == []


@pytest.mark.parametrize("backend", ["whoosh"], indirect=True)
def test_rolled_back_changes_are_not_indexed(backend):
    make_product(name="Cà phê Khe Sanh")
    db.session.commit()
    find("ca phe")  # builds the index
    make_product(name="Cà phê chồn giả")
    db.session.flush()
    db.session.rollback()
    ix = whoosh_backend.open_index(search.index_dir())
    assert len(whoosh_backend.search_ids(ix, "ca phe")) == 1


@pytest.mark.parametrize("backend", ["whoosh"], indirect=True)
def test_stale_index_entries_are_ignored(backend):
    product = make_product(name="Nem chua Thanh Hóa")
    db.session.commit()
    assert find("nem chua") == ["Nem chua Thanh Hóa"]
    # Changed behind the ORM's back (no hook runs): the index still says "nem chua".
    db.session.execute(update(Product).where(Product.id == product.id).values(name="Giò lụa"))
    db.session.commit()
    assert find("nem chua") == []
    assert search.search_page_ids(db.session, "nem chua")[0] == []


@pytest.mark.parametrize("backend", ["whoosh"], indirect=True)
def test_index_products_reindexes_on_demand(backend):
    product = make_product(name="Chả cá Lã Vọng")
    db.session.commit()
    assert find("cha ca") == ["Chả cá Lã Vọng"]
    db.session.execute(update(Product).where(Product.id == product.id).values(name="Bánh cuốn"))
    db.session.expire_all()
    search.index_products(db.session, [product.id])
    assert find("banh cuon") == ["Bánh cuốn"]
    assert find("cha ca") == []


@pytest.mark.parametrize("backend", ["whoosh"], indirect=True)
def test_missing_index_directory_is_created_and_filled(backend, tmp_path, app):
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "not" / "there" / "yet")
    make_product(name="Hạt điều rang muối")
    db.session.commit()  # no index yet: the commit hook leaves it to the first search
    assert find("hat dieu") == ["Hạt điều rang muối"]
    assert whoosh_backend.exists(tmp_path / "not" / "there" / "yet")


@pytest.mark.parametrize("backend", ["whoosh"], indirect=True)
def test_reindex_command_rebuilds_with_a_progress_bar(backend, app):
    for n in range(3):
        make_product(name=f"Bưởi Năm Roi {n}")
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexing products" in result.output
    assert "products indexed" in result.output
    assert len(find("buoi nam roi")) == 3


def test_reindex_returns_the_number_of_products(backend):
    make_product(name="Chuối sấy dẻo")
    expected = 0 if backend == "postgres" else whoosh_backend.count_products(db.session)
    assert search.reindex(db.session) == expected


# --- Highlighting --------------------------------------------------------------------------

def test_highlight_marks_matching_words_with_or_without_diacritics():
    assert analysis.highlight("Nước mắm Phú Quốc", "nuoc mam") == Markup(
        "<mark>Nước</mark> <mark>mắm</mark> Phú Quốc")
    assert analysis.highlight("Đậu phộng", "DAU") == Markup("<mark>Đậu</mark> phộng")
    assert analysis.highlight("Trà shan tuyết", "tuyeet") == Markup("Trà shan <mark>tuyết</mark>")


def test_highlight_escapes_everything_else():
    marked = analysis.highlight('<script>alert("x")</script> mắm & muối', "mam script")
    assert "<script>" not in marked
    assert "&lt;<mark>script</mark>&gt;alert" in marked
    assert "&amp; muối" in marked


def test_highlight_snippet_is_cut_around_the_first_match():
    text = ("Lời mở đầu rất dài " * 20) + "nước mắm nhĩ cá cơm " + ("đoạn kết " * 20)
    snippet = analysis.highlight(text, "mam", snippet=80)
    assert "<mark>mắm</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet.striptags()) < 100


def test_query_words_are_distinct_and_bounded():
    words = analysis.query_words("Nước nước MẮM " + " ".join(f"w{i}" for i in range(30)))
    assert [w.folded for w in words[:2]] == ["nuoc", "mam"]
    assert len(words) == analysis.MAX_QUERY_WORDS


# --- The JSON API goes through search ----------------------------------------------------

def test_api_query_ignores_diacritics(backend, client):
    make_product(name="Cơm cháy chà bông", name_en="Crispy rice with pork floss")
    make_product(name="Miến dong Phia Đén")
    response = client.get("/api/v1/products?q=com%20chay")
    assert response.status_code == 200
    body = response.get_json()
    assert [item["name"] for item in body["items"]] == ["Cơm cháy chà bông"]
    assert body["total"] == 1


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page=-1", "per_page=0",
                                   "per_page=abc", "stars=9", "province=999", "group=weapons"])
def test_api_bad_paging_and_filters_answer_422_json(backend, client, query):
    response = client.get(f"/api/v1/products?q=gao&{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_input"


def test_api_huge_page_size_is_clamped(backend, client):
    make_product(name="Gạo tím than")
    response = client.get("/api/v1/products?q=gao&per_page=100000")
    assert response.status_code == 200
    body = response.get_json()
    assert body["per_page"] == 100 and body["total"] == 1


def test_the_listable_table_is_the_gates_set_based_query(db_session):
    """catalog.search.listable holds exactly the rows of catalog.gate.listable_products."""
    from catalog.gate import listable_products
    from catalog.search import listable

    on = date.today()
    make_product(name="Còn bán")
    make_product(name="Chưa chứng nhận", certified=False)
    hidden = make_product(name="Ngừng bán")
    hidden.published = False
    stopped = make_product(name="Chủ thể ngừng hoạt động")
    stopped.producer.active = False
    revoked = make_product(name="Bị thu hồi", certified=False)
    make_certificate(revoked, issued_on=on - timedelta(days=30), revoked_on=on)
    db.session.flush()
    expected = {p.id: c.stars for p, c in db.session.execute(listable_products(on)).all()}
    rows = listable.table(db.session, on).rows
    assert {i: row.stars for i, row in rows.items()} == expected
    assert "Còn bán" in {row.name for row in rows.values()}
    assert not {"Chưa chứng nhận", "Ngừng bán", "Chủ thể ngừng hoạt động", "Bị thu hồi"} & {
        row.name for row in rows.values()}
