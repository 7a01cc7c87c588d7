"""The public pages: home, browse/search, product, producer — what a visitor sees."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from catalog.models import ProductPhoto
from tests.factories import make_certificate, make_producer, make_product

SITE_CSS = Path(__file__).resolve().parents[2] / "app" / "static" / "css" / "site.css"


@pytest.fixture(autouse=True)
def own_search_index(app, tmp_path, monkeypatch):
    """A fresh Whoosh index per test (built from this test's data on first search)."""
    monkeypatch.setitem(app.config, "SEARCH_BACKEND", "whoosh")
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(tmp_path / "search-index"))


def page(client, url: str, status: int = 200, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def card_names(html: str) -> list[str]:
    names = re.findall(r'<span class="card-name">(.*?)</span>', html)
    return [re.sub(r"</?mark>", "", name) for name in names]


def buy_form(html: str) -> str | None:
    match = re.search(r'<form class="buy".*?</form>', html, re.S)
    return match.group(0) if match else None


# --- Home ---------------------------------------------------------------------------------

def test_home_shows_five_star_products_provinces_and_groups(client):
    ninh_binh = make_producer(province_code=37, ward_code=None)
    make_product(ninh_binh, name="Cơm cháy Ninh Bình", stars=5)
    make_product(name="Khô cá lóc", stars=4)
    make_product(name="Trà hết hạn", certified=False)
    html = page(client, "/")
    featured = html.split('id="featured"')[1].split("</section>")[0]
    assert card_names(featured) == ["Cơm cháy Ninh Bình"]
    newest = html.split('id="newest"')[1].split("</section>")[0]
    assert sorted(card_names(newest)) == ["Cơm cháy Ninh Bình", "Khô cá lóc"]
    assert "Trà hết hạn" not in html
    for province in ("Lào Cai", "Ninh Bình", "Quảng Ngãi", "An Giang", "Cần Thơ"):
        assert province in html
    assert re.search(r'href="/products\?province=37">Ninh Bình <span class="count">1</span>', html)
    assert re.search(r'href="/products\?group=food">Thực phẩm <span class="count">2</span>', html)
    assert 'action="/products"' in html  # the search box
    assert "Chưa có hội chợ OCOP nào sắp diễn ra." in html


def test_home_of_an_empty_catalogue_still_renders(client):
    html = page(client, "/")
    assert "Chưa có sản phẩm nào đang bán." in html
    assert 'id="featured"' not in html


# --- Browse and search ---------------------------------------------------------------------

def test_products_lists_only_listable_products(client):
    make_product(name="Mật ong rừng")
    revoked = make_product(name="Mật ong thu hồi", certified=False)
    make_certificate(revoked, issued_on=date(2025, 1, 1), revoked_on=date(2025, 3, 1))
    make_product(name="Mật ong chưa đăng", published=False)
    html = page(client, "/products")
    assert card_names(html) == ["Mật ong rừng"]
    assert "1 sản phẩm" in html


def test_search_without_accents_finds_and_highlights(client):
    make_product(name="Cơm cháy chà bông", description="Cơm cháy giòn rụm, chà bông heo")
    make_product(name="Bánh tráng trộn")
    html = page(client, "/products?q=com+chay")
    assert card_names(html) == ["Cơm cháy chà bông"]
    assert "<mark>Cơm</mark> <mark>cháy</mark> chà bông" in html
    assert 'class="card-snippet"><mark>Cơm</mark> <mark>cháy</mark> giòn' in html
    assert "Kết quả cho “com chay”" in html


def test_filters_combine_with_search_on_the_page(client):
    can_tho = make_producer(province_code=92)
    lao_cai = make_producer(province_code=15, ward_code=None)
    make_product(can_tho, name="Trà mãng cầu", stars=3, group="beverage")
    make_product(lao_cai, name="Trà shan tuyết", stars=5, group="beverage")
    make_product(lao_cai, name="Trà hoa vàng", stars=4, group="herbal")
    assert card_names(page(client, "/products?q=tra&province=15&group=beverage")) == ["Trà shan tuyết"]
    assert card_names(page(client, "/products?stars=3")) == ["Trà mãng cầu"]
    assert sorted(card_names(page(client, "/products?province=15"))) == ["Trà hoa vàng",
                                                                          "Trà shan tuyết"]


def test_sort_by_price(client):
    make_product(name="Gạo đắt", price_vnd=300_000)
    make_product(name="Gạo rẻ", price_vnd=30_000)
    assert card_names(page(client, "/products?sort=price_asc")) == ["Gạo rẻ", "Gạo đắt"]
    assert card_names(page(client, "/products?sort=price_desc")) == ["Gạo đắt", "Gạo rẻ"]


def test_a_search_ranks_by_relevance_unless_another_sort_is_chosen(client):
    make_product(name="Gạo lứt", description="Gạo nếp trộn")
    make_product(name="Gạo nếp cái hoa vàng")
    # The filter form sends an empty sort: the default, best match first.
    assert card_names(page(client, "/products?q=gao+nep&sort="))[0] == "Gạo nếp cái hoa vàng"
    assert card_names(page(client, "/products?q=gao+nep&sort=name")) == ["Gạo lứt",
                                                                         "Gạo nếp cái hoa vàng"]
    html = page(client, "/products?q=gao+nep")
    assert '<option value="" selected>Phù hợp nhất</option>' in html
    assert '<option value="" selected>Mới nhất</option>' in page(client, "/products")


def test_empty_search_says_so_and_offers_a_way_out(client):
    make_product(name="Nước mắm")
    html = page(client, "/products?q=xyzzy")
    assert card_names(html) == []
    assert "Không tìm thấy sản phẩm OCOP phù hợp." in html
    assert 'href="/products"' in html


@pytest.mark.parametrize("query", [
    "page=abc", "page=0", "page=-3", "page=99999999999999999999", "per_page=100000",
    "per_page=abc", "stars=abc", "stars=9", "province=abc", "province=999", "group=weapons",
    "sort=drop+table", "q=" + "x" * 5000, "q=%00%FF", "q=%3Cscript%3E",
])
def test_malformed_query_strings_never_break_the_list(client, query):
    make_product(name="Bánh pía")
    html = page(client, f"/products?{query}")
    assert any(text in html for text in ("Bánh pía", "Không tìm thấy", "Về trang đầu"))


def test_bad_page_numbers_show_the_first_page(client):
    for n in range(3):
        make_product(name=f"Chè {n}")
    html = page(client, "/products?page=abc&per_page=12")
    assert len(card_names(html)) == 3
    assert "trang" not in html.split('class="result-count"')[1].split("</p>")[0]


def test_pagination_links_keep_the_filters(client):
    for n in range(14):
        make_product(name=f"Nấm hương {n}")
    html = page(client, "/products?q=nam+huong&per_page=12")
    assert len(card_names(html)) == 12
    assert "14 sản phẩm · trang 1/2" in html
    assert 'rel="next" href="/products?q=nam+huong&amp;per_page=12&amp;page=2"' in html
    second = page(client, "/products?q=nam+huong&per_page=12&page=2")
    assert len(card_names(second)) == 2
    beyond = page(client, "/products?q=nam+huong&per_page=12&page=9")
    assert card_names(beyond) == [] and "Về trang đầu" in beyond


def test_page_size_is_capped(client):
    for n in range(50):
        make_product(name=f"Tiêu {n}")
    assert len(card_names(page(client, "/products?per_page=100000"))) == 24
    assert len(card_names(page(client, "/products?per_page=48"))) == 48


@pytest.mark.parametrize("url", ["/products", "/products?q=san+pham", "/"])
def test_list_pages_run_a_bounded_number_of_queries(client, count_queries, url):
    """The same number of SQL statements for 5 products as for 50 (no N+1)."""
    counts = []
    for extra in (5, 45):
        for _ in range(extra):
            producer = make_producer()
            product = make_product(producer, stars=5)
            product.photos.append(ProductPhoto(path="demo/x.webp", alt="", position=0))
        client.get(url)  # warm-up: the first request builds the search index
        with count_queries() as counter:
            html = page(client, url + ("&" if "?" in url else "?") + "per_page=48")
        counts.append(counter.count)
        assert len(card_names(html)) >= 5
    assert counts[0] == counts[1], counts
    assert counts[0] <= 13  # 12 + the home page's next-fairs band (one query)


# --- Product page --------------------------------------------------------------------------

def test_a_product_page_runs_the_same_few_queries_whatever_its_group_holds(client, count_queries):
    """The product with its producer, photos and certificates in one query, the stock of the
    page in one, the next livestream in one, the catalogue's version; the "same group" cards
    come from the cache (storefront.similar), whatever the size of the group."""
    counts = []
    for extra in (2, 30):
        for _ in range(extra):
            other = make_product(make_producer(), group="food", stars=5)
            other.photos.append(ProductPhoto(path="demo/x.webp", alt="", position=0))
        item = make_product(group="food", stars=3)
        client.get(f"/products/{item.slug}")  # warm-up: the group's cards are rendered once
        with count_queries() as counter:
            html = page(client, f"/products/{item.slug}")
        counts.append(counter.count)
        assert 'id="similar-title"' in html
    assert counts[0] == counts[1], counts
    assert counts[0] <= 5, counts



def test_product_page_shows_certificate_producer_and_story(client):
    producer = make_producer(name="HTX Nông nghiệp Kon Rẫy", kind="cooperative", province_code=51,
                             ward_code=None, historical_origin="Huyện Kon Rẫy, tỉnh Kon Tum (cũ)",
                             craft_village="Làng nghề dệt thổ cẩm")
    product = make_product(producer, name="Cà phê Robusta Kon Rẫy", certified=False,
                           description="Trồng dưới tán rừng.\nRang mộc.", price_vnd=185_000,
                           unit="gói 500 g")
    make_certificate(product, stars=4, issued_on=date(2025, 3, 15), decision_number="1234/QĐ-UBND",
                     issuer="UBND tỉnh Kon Tum", level="province")
    html = page(client, f"/products/{product.slug}")
    assert "<h1>Cà phê Robusta Kon Rẫy</h1>" in html
    assert "185.000 ₫" in html and "gói 500 g" in html
    for text in ("1234/QĐ-UBND", "UBND tỉnh Kon Tum", "Cấp tỉnh", "15/03/2025", "14/03/2028",
                 "Còn hiệu lực", "OCOP 4 sao", "Hợp tác xã", "Quảng Ngãi",
                 "Huyện Kon Rẫy, tỉnh Kon Tum (cũ)", "Làng nghề dệt thổ cẩm",
                 "<p>Trồng dưới tán rừng.</p><p>Rang mộc.</p>"):
        assert text in html, text
    assert f'href="/producers/{producer.slug}"' in html


def test_listable_product_has_a_buy_form_for_the_cart(client):
    product = make_product(name="Bánh tráng phơi sương")
    form = buy_form(page(client, f"/products/{product.slug}"))
    assert form is not None
    assert 'method="post" action="/cart/add"' in form
    assert f'name="product" value="{product.slug}"' in form
    assert 'name="quantity"' in form and 'value="1"' in form
    # A first visit's page comes from the page cache: no token, the browser's Origin / Fetch
    # Metadata protect the POST (tests/storefront/test_product_page_cache.py).
    assert 'name="csrf_token"' not in form


def test_out_of_stock_is_said_honestly(client):
    product = make_product(name="Rượu Bàu Đá")  # no stock received: nothing available online
    html = page(client, f"/products/{product.slug}")
    assert "Hết hàng" in html
    assert re.search(r'<button class="button button-buy" type="submit" disabled>', html)


def test_tourism_service_shows_the_producers_contact_instead_of_a_cart(client):
    producer = make_producer(phone="0292 3812 345", email="homestay@example.vn",
                             address="Cồn Sơn, Bình Thủy")
    product = make_product(producer, name="Homestay Cồn Sơn", group="tourism", unit="đêm")
    html = page(client, f"/products/{product.slug}")
    assert buy_form(html) is None
    assert "/cart/add" not in html
    assert "0292 3812 345" in html and "homestay@example.vn" in html


@pytest.mark.parametrize(("arrange", "reason"), [
    ("expired", "Không bán được sản phẩm này: giấy chứng nhận OCOP đã hết hạn (ngày 22/11/2026)."),
    ("revoked", "Không bán được sản phẩm này: giấy chứng nhận OCOP đã bị thu hồi (ngày 01/10/2026)."),
    ("unpublished", "Không bán được sản phẩm này: chủ thể OCOP đã ngừng bán sản phẩm."),
    ("no_certificate", "Không bán được sản phẩm này: sản phẩm chưa có giấy chứng nhận OCOP."),
    ("producer_inactive", "Không bán được sản phẩm này: chủ thể OCOP đã ngừng hoạt động."),
])
def test_non_listable_product_page_says_why_and_cannot_be_bought(client, freeze, arrange, reason):
    freeze(date(2026, 11, 23))
    producer = make_producer(active=arrange != "producer_inactive")
    product = make_product(producer, name="Mắm tôm chua", certified=False,
                           published=arrange != "unpublished")
    if arrange == "expired":
        make_certificate(product, issued_on=date(2023, 11, 23), valid_until=date(2026, 11, 22))
    elif arrange == "revoked":
        make_certificate(product, issued_on=date(2025, 1, 1), revoked_on=date(2026, 10, 1))
    elif arrange != "no_certificate":
        make_certificate(product, issued_on=date(2025, 1, 1))
    html = page(client, f"/products/{product.slug}")
    assert "Sản phẩm này hiện không được bán trên OCOP Market." in html
    assert reason in html
    assert buy_form(html) is None and "/cart/add" not in html
    if arrange == "revoked":
        assert "Đã bị thu hồi" in html and "Vi phạm an toàn thực phẩm" in html
    if arrange == "expired":
        assert "Đã hết hạn" in html


def test_certificate_that_ends_today_is_still_sold_all_day(client, freeze):
    freeze(date(2026, 11, 23))
    product = make_product(name="Bưởi Năm Roi", certified=False)
    make_certificate(product, issued_on=date(2023, 11, 24), valid_until=date(2026, 11, 23))
    assert buy_form(page(client, f"/products/{product.slug}")) is not None
    freeze(date(2026, 11, 24))
    assert buy_form(page(client, f"/products/{product.slug}")) is None


def test_photos_have_dimensions_and_only_the_first_loads_eagerly(client):
    product = make_product(name="Gốm Bát Tràng")
    for n in range(3):
        product.photos.append(ProductPhoto(path=f"demo/gom-{n}.webp", alt=f"Ảnh {n}",
                                           width=480, height=360, position=n))
    html = page(client, f"/products/{product.slug}")
    media = html.split('class="product-media"')[1].split("</div>")[0]
    images = re.findall(r"<img [^>]*>", media)
    assert len(images) == 3
    assert all('width="480" height="360"' in img for img in images)
    assert "loading=" not in images[0]
    assert all('loading="lazy"' in img for img in images[1:])
    assert 'alt="Ảnh 1"' in images[1]


def test_similar_products_are_listable_and_of_the_same_group(client):
    product = make_product(name="Trà sen", group="beverage")
    make_product(name="Trà atiso", group="beverage")
    make_product(name="Trà hết hạn", group="beverage", certified=False)
    make_product(name="Nước mắm", group="food")
    html = page(client, f"/products/{product.slug}")
    similar = html.split('id="similar-title"')[1]
    assert card_names(similar) == ["Trà atiso"]


def test_product_page_fits_the_budget(client):
    """HTML + CSS of a full product page ≤ 60 KB before images (a cheap phone on 3G)."""
    product = make_product(name="Sâm Ngọc Linh", description="Củ sâm quý. " * 150)
    for n in range(5):
        product.photos.append(ProductPhoto(path=f"demo/sam-{n}.webp", alt="Sâm", position=n))
    for n in range(4):
        make_product(name=f"Sâm khác {n}", description="x" * 500)
    html = client.get(f"/products/{product.slug}").get_data()
    with client.get("/static/css/site.css") as response:
        css = response.get_data()
    assert len(css) == SITE_CSS.stat().st_size
    assert len(html) + len(css) <= 60 * 1024, (len(html), len(css))


def test_unknown_product_and_producer_get_a_friendly_404(client):
    html = page(client, "/products/khong-co", status=404)
    assert "Không tìm thấy sản phẩm này." in html
    assert 'action="/products"' in html  # a way to search from there
    assert "Không tìm thấy chủ thể OCOP này." in page(client, "/producers/khong-co", status=404)
    assert "Trang bạn tìm không tồn tại" in page(client, "/khong-co-trang-nay", status=404)


# --- Producer page -------------------------------------------------------------------------

def test_producer_page_shows_details_and_only_listable_products(client):
    producer = make_producer(name="Cơ sở Bánh pía Vũng Thơm", kind="household",
                             craft_village="Làng bánh pía Vũng Thơm")
    make_product(producer, name="Bánh pía đậu xanh")
    make_product(producer, name="Bánh pía cũ", certified=False)
    html = page(client, f"/producers/{producer.slug}")
    assert "<h1>Cơ sở Bánh pía Vũng Thơm</h1>" in html
    assert "Hộ sản xuất kinh doanh" in html and "Làng bánh pía Vũng Thơm" in html
    assert card_names(html) == ["Bánh pía đậu xanh"]


def test_inactive_producer_page_explains_itself(client):
    producer = make_producer(active=False)
    make_product(producer, name="Bánh ít lá gai")
    html = page(client, f"/producers/{producer.slug}")
    assert "đã ngừng hoạt động" in html
    assert card_names(html) == []


# --- Escaping ------------------------------------------------------------------------------

EVIL = '<script>alert("x")</script> Mắm <b>đậm</b>'


def test_a_script_in_a_product_name_is_escaped_everywhere(client):
    producer = make_producer(name='<img src=x onerror=alert(1)> HTX')
    evil = make_product(producer, name=EVIL, name_en=EVIL, description=EVIL, stars=5)
    other = make_product(producer, name="Mắm cá sặc")
    urls = ["/", "/products", "/products?q=mam", "/products?q=script", "/products?q=alert+mam",
            f"/products/{evil.slug}", f"/products/{other.slug}", f"/producers/{producer.slug}",
            "/products?q=mam&lang=en"]
    for url in urls:
        html = page(client, url)
        assert "<script>alert" not in html, url
        assert "<b>đậm</b>" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;" in html or "&lt;<mark>script</mark>&gt;" in html, url
