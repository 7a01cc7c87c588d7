"""Languages: Vietnamese by default, English with ?lang=en (remembered) or Accept-Language;
every user-facing string has its English; money and dates read the same in both."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.factories import make_certificate, make_producer, make_product

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(autouse=True)
def own_search_index(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_BACKEND", "whoosh")
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(tmp_path / "search-index"))


@pytest.fixture
def rice(db_session):
    producer = make_producer(name="HTX Gạo Kim Sơn", name_en="Kim Son Rice Cooperative",
                             province_code=37, ward_code=None)
    product = make_product(producer, name="Gạo nếp cái hoa vàng", name_en="Golden-flower sticky rice",
                           description="Hạt tròn, thơm, dẻo.", description_en="Round, fragrant grains.",
                           unit="túi 2 kg", unit_en="2 kg bag", price_vnd=125_000, certified=False)
    make_certificate(product, stars=4, issued_on=date(2025, 3, 15))
    return product


def html_of(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_vietnamese_is_the_default(client, rice):
    html = html_of(client.get(f"/products/{rice.slug}"))
    assert '<html lang="vi">' in html
    assert "<h1>Gạo nếp cái hoa vàng</h1>" in html
    assert "Thêm vào giỏ hàng" in html or "Hết hàng" in html
    assert "Giấy chứng nhận OCOP" in html


def test_lang_en_shows_english_names_and_strings(client, rice):
    html = html_of(client.get(f"/products/{rice.slug}?lang=en"))
    assert '<html lang="en">' in html
    assert "<h1>Golden-flower sticky rice</h1>" in html
    assert '<p class="native-name" lang="vi">Gạo nếp cái hoa vàng</p>' in html  # to show staff
    assert "Round, fragrant grains." in html and "2 kg bag" in html
    assert "Kim Son Rice Cooperative" in html
    for english in ("OCOP certificate", "Decision number", "Valid until", "Provincial level",
                    "Cooperative", "Products", "Sales points", "Out of stock", "Valid"):
        assert english in html, english
    for vietnamese in ("Giấy chứng nhận OCOP", "Số quyết định", "Giỏ hàng", "Hết hàng"):
        assert vietnamese not in html, vietnamese


def test_accept_language_english_gets_english(client, rice):
    html = html_of(client.get("/products", headers={"Accept-Language": "en-AU,en;q=0.9"}))
    assert '<html lang="en">' in html
    assert "Golden-flower sticky rice" in html
    assert "OCOP products" in html and "Filter and sort" in html
    vi = html_of(client.get("/products", headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}))
    assert '<html lang="vi">' in vi


def test_the_choice_is_remembered_and_can_be_changed_back(client, rice):
    client.get("/?lang=en")
    assert '<html lang="en">' in html_of(client.get("/products"))
    assert '<html lang="en">' in html_of(client.get("/products", headers={"Accept-Language": "vi"}))
    client.get("/?lang=vi")
    assert '<html lang="vi">' in html_of(client.get("/products"))


def test_unknown_language_falls_back_to_vietnamese(client, rice):
    assert '<html lang="vi">' in html_of(client.get("/products?lang=fr"))


def test_language_switch_keeps_the_current_page(client, rice):
    html = html_of(client.get("/products?q=gao&stars=4"))
    switch = re.search(r'<nav class="lang".*?</nav>', html, re.S).group(0)
    assert 'href="/products?q=gao&amp;stars=4&amp;lang=en"' in switch
    english = html_of(client.get("/products?q=gao&stars=4&lang=en"))
    switch = re.search(r'<nav class="lang".*?</nav>', english, re.S).group(0)
    assert 'href="/products?q=gao&amp;stars=4&amp;lang=vi"' in switch


@pytest.mark.parametrize("url", ["/", "/products", "/products/{slug}", "/producers/{producer}",
                                 "/products/khong-co"])
def test_every_storefront_page_has_the_language_switch(client, rice, url):
    response = client.get(url.format(slug=rice.slug, producer=rice.producer.slug))
    assert 'hreflang="en"' in response.get_data(as_text=True)


def test_money_and_dates_read_the_same_in_english(client, rice):
    html = html_of(client.get(f"/products/{rice.slug}?lang=en"))
    assert "125.000 ₫" in html
    assert "15/03/2025" in html and "14/03/2028" in html


def test_english_search_results_show_the_vietnamese_name_highlighted(client, rice):
    html = html_of(client.get("/products?q=gao+nep&lang=en"))
    assert "Golden-flower sticky rice" in html
    assert '<span class="card-native" lang="vi"><mark>Gạo</mark> <mark>nếp</mark> cái hoa vàng</span>' in html


def test_non_listable_reason_in_english(client, freeze):
    freeze(date(2026, 11, 23))
    product = make_product(name="Mắm tép", certified=False)
    make_certificate(product, issued_on=date(2023, 11, 23), valid_until=date(2026, 11, 22))
    html = html_of(client.get(f"/products/{product.slug}?lang=en"))
    assert "This product is not sold on OCOP Market at the moment." in html
    assert "This product cannot be bought: its OCOP certificate has expired (on 22/11/2026)." in html


def test_friendly_404_in_english(client):
    response = client.get("/products/khong-co?lang=en")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "This product was not found." in html and "Back to the home page" in html


def test_every_user_facing_string_has_an_english_translation():
    """Extract every _() of the project as `make` would, and find each one translated."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map,
            directory_filter=lambda d: Path(d).name not in {".venv", "tests", "bench", "instance",
                                                            "node_modules", ".git"}):
        key = message if isinstance(message, str) else message[0]
        found.setdefault(key, filename)
    with PO.open("rb") as source:
        catalog = read_po(source, locale="en")
    entries = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}
    untranslated = []
    for msgid, filename in sorted(found.items()):
        entry = entries.get(msgid)
        strings = [] if entry is None else (
            [entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or entry.fuzzy or not strings or not all(strings):
            untranslated.append(f"{filename}: {msgid}")
    assert not untranslated, "missing English for:\n" + "\n".join(untranslated)


def test_translations_keep_their_placeholders():
    with PO.open("rb") as source:
        catalog = read_po(source, locale="en")
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set(placeholder.findall(ids[0]))
        for text in strings:
            assert set(placeholder.findall(text)) <= expected | {"num"}, (message.id, text)
            assert expected - {"num"} <= set(placeholder.findall(text)), (message.id, text)


def test_missing_or_stale_catalogues_are_compiled(tmp_path):
    from app.i18n import compile_catalogs

    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "messages.po").write_bytes(PO.read_bytes())
    assert compile_catalogs(tmp_path) == [target / "messages.mo"]
    assert (target / "messages.mo").stat().st_size > 1000
    assert compile_catalogs(tmp_path) == []  # up to date: left alone
