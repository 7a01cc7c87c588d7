"""Static files are versioned and cached for a year; pages are compressed when asked."""

from __future__ import annotations

import gzip
import re


def test_static_urls_carry_a_version_and_are_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'href="(/static/css/site\.css\?v=\d+)"', page)
    assert href, "the stylesheet link has no version"
    with client.get(href.group(1)) as answer:
        assert answer.status_code == 200
        assert "max-age=31536000" in answer.headers["Cache-Control"]


def test_pages_are_compressed_for_clients_that_accept_it(client):
    plain = client.get("/products")
    packed = client.get("/products", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    brotli = client.get("/products", headers={"Accept-Encoding": "br, gzip"})
    assert brotli.headers["Content-Encoding"] == "br"
