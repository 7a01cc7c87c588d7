"""Security headers on every response — pages, API JSON, static files, errors, redirects —
found by walking the URL map: a CSP without 'unsafe-inline', nosniff, no framing, a referrer
policy, and HSTS only when the site is served over https."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from app.security import content_security_policy, tile_source
from tests.factories import make_lot, make_product, make_stamps

EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"{response.request.path} has no Content-Security-Policy"
    parts = [d.strip().split() for d in policy.split(";") if d.strip()]
    return {p[0]: p[1:] for p in parts}


def assert_secured(response) -> None:
    path = response.request.path
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, (path, response.status_code, name)
    csp = directives(response)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], path
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"], path
    assert csp["script-src"][0] == "'self'" and csp["style-src"] == ["'self'"], path
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"], path
    assert "Strict-Transport-Security" not in response.headers, path  # BASE_URL is http here


def simple_get_rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"]


def test_every_get_route_without_arguments_answers_with_the_headers(app, client):
    rules = simple_get_rules(app)
    assert len(rules) > 40  # the walk really covers the application
    statuses = set()
    for rule in rules:
        response = client.get(rule.rule)
        statuses.add(response.status_code // 100)
        assert_secured(response)
        response.close()
    assert {2, 3} <= statuses  # pages and redirects (to /login) were both seen


def test_routes_with_arguments_errors_api_and_static_files_have_the_headers(app, client):
    product = make_product(name="Chè Shan tuyết")
    stamp = make_stamps(make_lot(product))[0]
    answers = {
        "product page": client.get(f"/products/{product.slug}"),
        "trace page": client.get(f"/t/{stamp.code}"),
        "unknown stamp": client.get("/t/NOTASTAMP"),
        "api product": client.get(f"/api/v1/products/{product.slug}"),
        "api 404": client.get("/api/v1/products/no-such-product"),
        "page 404": client.get("/no/such/page"),
        "405": client.get("/logout"),
        "redirect": client.get("/seller/"),
        "static css": client.get("/static/css/site.css"),
        "static js": client.get("/static/promotion/map.js"),
        "openapi": client.get("/api/v1/openapi.json"),
        "bad API body": client.post("/api/v1/orders", data="{nope", content_type="application/json"),
    }
    assert answers["api 404"].status_code == 404 and answers["api 404"].is_json
    assert answers["page 404"].status_code == 404 and answers["405"].status_code == 405
    assert answers["redirect"].status_code == 302 and answers["static css"].status_code == 200
    assert answers["bad API body"].status_code in (400, 422) and answers["bad API body"].is_json
    for response in answers.values():
        assert_secured(response)
        response.close()


def test_an_unexpected_error_still_has_the_headers(app, client, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "storefront.home", boom)
    response = client.get("/")
    assert response.status_code == 500
    assert_secured(response)


def test_hsts_only_when_the_site_is_served_over_https(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://ocop.example.vn")
    response = client.get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    monkeypatch.setitem(app.config, "BASE_URL", "http://ocop.test")
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_the_policy_allows_the_outside_origins_the_pages_use_and_no_other():
    policy = content_security_policy("https://js.stripe.com/v3/", "",
                                     "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert "script-src 'self' https://js.stripe.com;" in policy
    assert "https://tile.openstreetmap.org" in policy.split("img-src")[1].split(";")[0]
    assert "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com" in policy
    assert "connect-src 'self' https://js.stripe.com https://api.stripe.com" in policy
    local = content_security_policy("http://127.0.0.1:8420/js.stripe.com/v3/", "http://127.0.0.1:8420", "")
    assert "script-src 'self' http://127.0.0.1:8420;" in local
    assert "hooks.stripe.com" not in local and "tile" not in local


@pytest.mark.parametrize(("template", "source"), [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
    ("/tiles/{z}/{x}/{y}.png", None),  # served by this site: 'self'
    ("", None),
    ("https://tiles-{s}.example.org/{z}/{x}/{y}.png", None),  # not expressible: no tiles, not any host
])
def test_the_tile_server_source(template, source):
    assert tile_source(template) == source
