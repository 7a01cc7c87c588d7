"""Unknown or malformed codes are never a 500: the friendly unknown-code page (404) and the
JSON `unknown_code` (404), whatever a scanner or a prankster sends."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from traceability import codes

# Any Unicode text a URL can carry (surrogates cannot be encoded in UTF-8).
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=0, max_size=300)


def _assert_unknown(client, raw: str) -> None:
    path = quote(raw, safe="")
    page = client.get(f"/t/{path}")
    assert page.status_code == 404, (raw, page.status_code)
    assert "đây không phải tem của OCOP Market" in page.get_data(as_text=True)
    api = client.get(f"/api/v1/trace/{path}")
    assert api.status_code == 404, (raw, api.status_code)
    assert api.get_json()["error"]["code"] == "unknown_code"


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=any_text)
def test_arbitrary_text_is_an_unknown_code_never_a_500(client, raw):
    _assert_unknown(client, raw)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(alphabet=codes.ALPHABET + "ilou-", min_size=13, max_size=15))
def test_well_formed_but_never_issued_codes_are_unknown(client, raw):
    _assert_unknown(client, raw)


@pytest.mark.parametrize("raw", ["../..", "..%2F..", "A" * 10_000, "😀🍜", "%00", "\x00", " ",
                                 "7KQ2 M9XA 4TB3Z", "<script>alert(1)</script>", "' OR 1=1 --",
                                 "/etc/passwd", "\n\r\t", "０１２３"])
def test_known_nasty_inputs_are_unknown_codes(client, raw):
    _assert_unknown(client, raw)


@pytest.mark.parametrize("path", ["/t/../..", "/t/a//b", "/t/", "/api/v1/trace/../..",
                                  "/api/v1/trace//x", "/api/v1/trace/"])
def test_raw_paths_with_dots_and_slashes_are_unknown(client, path):
    response = client.get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "unknown_code"


def test_the_unknown_page_escapes_what_was_scanned(client):
    html = client.get("/t/" + quote("<b>x</b>", safe="")).get_data(as_text=True)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
