"""The Content-Security-Policy in a real browser: a violation breaks scripts and styles
silently, so the main pages are opened in chromium and must report none (the
`securitypolicyviolation` event and the console both listen) — home, product, cart,
checkout, the card payment with Stripe.js (the suite's localstripe), the counter, a fair, the
village map (Leaflet), a trace page, the office dashboard — and their scripts must have run.
Playwright's `wait_for_function` evaluates a string, which the policy refuses as
'unsafe-eval': browser tests wait with `expect` instead."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_backoffice_browser import sign_in
from tests.storefront.conftest import localstripe_url  # noqa: F401 - the suite's localstripe

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile));
"""


class Watched:
    """A page whose CSP violations are collected (events and console), per navigation."""

    def __init__(self, context):
        context.add_init_script(LISTEN)
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(m.text))
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def violations(self) -> list[str]:
        events = self.page.evaluate("window.__csp || []")
        console = [m for m in self.console if "Content Security Policy" in m]
        self.console.clear()
        return events + console

    def clean(self, what: str) -> None:
        self.page.wait_for_load_state("load")
        found = self.violations()
        assert found == [], f"{what}: {found}"
        assert self.errors == [], f"{what}: {self.errors}"


def _db_value(live_server, query):
    from app.extensions import db

    with live_server.app.app_context():
        value = db.session.scalar(query)
        db.session.remove()
    return value


def test_the_storefront_pages_break_no_policy(live_server, chromium):
    from showrooms.fair_models import Fair
    from traceability.models import Stamp

    watched = Watched(chromium.new_context(locale="vi-VN"))
    page = watched.page
    page.goto(live_server("/"))
    watched.clean("home")
    page.goto(live_server("/products/com-chay-mam-hanh"))
    watched.clean("product page")
    page.locator("form.buy button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cart"))
    watched.clean("cart")
    page.goto(live_server("/checkout"))
    watched.clean("checkout")
    fair = _db_value(live_server, select(Fair.slug).order_by(Fair.starts_on.desc()))
    page.goto(live_server(f"/fairs/{fair}"))
    assert page.locator("svg.fair-map").count() == 1
    watched.clean("fair page")
    page.goto(live_server("/villages"))
    page.wait_for_selector("#map .leaflet-marker-icon")  # Leaflet ran
    watched.clean("villages map")
    page.goto(live_server("/villages/tam-coc-hoa-lu"))
    page.wait_for_selector("#map .leaflet-marker-icon")
    assert page.locator("#map").bounding_box()["height"] == 260  # the small map's stylesheet height
    watched.clean("village page")
    stamp = _db_value(live_server, select(Stamp.code).order_by(Stamp.id))
    page.goto(live_server(f"/t/{stamp}"))
    assert page.locator(".verdict").evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    watched.clean("trace page")


def test_the_counter_and_the_office_break_no_policy(live_server, chromium):
    watched = Watched(chromium.new_context(locale="vi-VN", viewport={"width": 1024, "height": 768}))
    page = watched.page
    sign_in(page, live_server, "sp-pq01@ocop.local")
    page.wait_for_url(re.compile(r"/seller/$"))
    page.goto(live_server("/counter/PQ-01"))
    expect(page.locator("#catalogue-note")).to_have_text(re.compile(r"\S"))  # counter.js ran
    watched.clean("counter")
    page.goto(live_server("/counter/PQ-01/stock"))
    watched.clean("counter stock")
    page.locator("header form button").click()  # sign out
    page.wait_for_url(re.compile(r"/login"))
    sign_in(page, live_server, "admin@ocop.local")
    page.wait_for_url(re.compile(r"/admin/$"))
    assert page.locator("svg.bar rect").count() > 3
    watched.clean("office dashboard")
    page.goto(live_server("/admin/reports"))
    watched.clean("office reports")


def test_card_payment_with_stripe_js_breaks_no_policy(live_server, chromium, localstripe_url):  # noqa: F811
    app = live_server.app
    saved = {k: app.config[k] for k in ("STRIPE_API_BASE", "STRIPE_JS_URL", "STRIPE_SECRET_KEY")}
    app.config.update(STRIPE_API_BASE=localstripe_url, STRIPE_SECRET_KEY="sk_test_ocop",
                      STRIPE_JS_URL=f"{localstripe_url}/js.stripe.com/v3/")
    try:
        watched = Watched(chromium.new_context(locale="en-US"))
        page = watched.page
        page.goto(live_server("/products/ruou-kim-son"))
        page.locator("form.buy button[type=submit]").click()
        page.wait_for_url(re.compile(r"/cart"))
        page.goto(live_server("/checkout"))
        page.fill("#name", "Emily Carter")
        page.fill("#phone", "0912 345 678")
        page.fill("#email", "emily@example.com")
        page.check("#f-pickup")
        page.select_option("#pickup_point", "NB-01")
        page.check("#p-card")
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url(re.compile(r"/orders/[0-9A-Z]+\?token="))
        page.wait_for_selector("#payment-element input")  # Stripe.js loaded and card-payment.js mounted it
        watched.clean("card payment")
    finally:
        app.config.update(saved)
