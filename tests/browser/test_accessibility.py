"""axe-core (vendored: tests/browser/vendor/axe.min.js, axe-core 4.14.1 from the npm
registry, MPL-2.0) injected by Playwright into the pages people use most, at 360 px wide
(the narrowest phones sold in Vietnam): no serious or critical violation, and nothing
scrolls sideways.

`PAGES` lists them; each opens its page the way a user gets there (the cart and the
checkout with a product in the cart, the seller dashboard and the sales-point counter
signed in)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from traceability.models import Lot, Stamp

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
NARROW = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
          "is_mobile": True, "has_touch": True}
# Everything the WCAG 2.x A/AA rules and axe's best practices can check.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations'],
      runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                                      'best-practice']}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""
FITS = """() => document.documentElement.scrollWidth <= window.innerWidth &&
  [...document.querySelectorAll('header, main > *, footer')]
    .every(e => e.getBoundingClientRect().right <= window.innerWidth + 1)"""


def _first_product_slug(live_server) -> str:
    from catalog import listing

    with live_server.app.app_context():
        page = listing.browse(db.session, per_page=50)
        # A product that goes in a cart (a tourism service takes booking requests instead).
        slug = next(product.slug for product, _cert in page.items if not product.is_service)
        db.session.remove()
    return slug


def _genuine_stamp(live_server) -> str:
    with live_server.app.app_context():
        code = db.session.scalar(select(Stamp.code).join(Lot, Lot.id == Stamp.lot_id)
                                 .where(Lot.voided_at.is_(None), Stamp.distinct_clients == 0)
                                 .order_by(Stamp.id))
        db.session.remove()
    return code


def _add_to_cart(page, live_server) -> None:
    page.goto(live_server(f"/products/{_first_product_slug(live_server)}"))
    page.locator("form.buy button[type=submit]").click()
    page.wait_for_load_state()


def _sign_in_seller(page, live_server, email: str = "htx-bac-ha@ocop.local") -> None:
    page.goto(live_server("/login"))
    page.fill("#email", email)
    page.fill("#password", "ocop-demo-2026")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/seller/$"))


@dataclass
class Screen:
    name: str
    path: callable  # live_server -> path
    before: callable | None = None  # (page, live_server) -> None


PAGES = [
    Screen("home", lambda s: "/"),
    Screen("search", lambda s: "/products?q=tra"),
    Screen("product", lambda s: f"/products/{_first_product_slug(s)}"),
    Screen("trace", lambda s: f"/t/{_genuine_stamp(s)}"),
    Screen("cart", lambda s: "/cart", _add_to_cart),
    Screen("checkout", lambda s: "/checkout", _add_to_cart),
    Screen("seller-dashboard", lambda s: "/seller/", _sign_in_seller),
    Screen("counter", lambda s: "/counter/PQ-01",
           lambda page, s: _sign_in_seller(page, s, "sp-pq01@ocop.local")),
]


@pytest.mark.parametrize("lang", ["vi-VN", "en-US"])
@pytest.mark.parametrize("screen", PAGES, ids=lambda s: s.name)
def test_no_serious_accessibility_violation_at_360px(live_server, chromium, screen, lang):
    context = chromium.new_context(**NARROW, locale=lang, bypass_csp=True)
    try:
        page = context.new_page()
        if screen.before:
            screen.before(page, live_server)
        response = page.goto(live_server(screen.path(live_server)))
        assert response.status == 200, f"{screen.name}: {response.status}"
        page.wait_for_load_state("networkidle")  # pages that build themselves (the counter)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(AXE_RUN)
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{screen.name} ({lang}): {serious}"
        assert page.evaluate(FITS), f"{screen.name} ({lang}): scrolls sideways at 360 px"
    finally:
        context.close()


def test_the_check_itself_catches_a_serious_violation(chromium):
    """The injected axe really runs: an unlabeled image and input are reported."""
    context = chromium.new_context(**NARROW, bypass_csp=True)
    try:
        page = context.new_page()
        page.set_content('<html lang="vi"><body><main><img src="x.png">'
                         '<input type="text"></main></body></html>')
        page.add_script_tag(path=str(AXE))
        found = {v["id"]: v["impact"] for v in page.evaluate(AXE_RUN)}
        assert found.get("image-alt") == "critical" and found.get("label") == "critical"
    finally:
        context.close()


def _luminance(rgb: tuple[int, int, int]) -> float:
    channels = [c / 255 for c in rgb]
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def _contrast(a, b) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_home_hero_text_contrast_on_its_gradient(live_server, chromium):
    """axe leaves text on a gradient 'incomplete' (it cannot pick one background): every
    text of the home hero is measured here against both ends of the gradient (AA: 4.5)."""
    context = chromium.new_context(**NARROW, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(live_server("/"))
        stops = [tuple(map(int, m)) for m in re.findall(
            r"rgb\((\d+), (\d+), (\d+)\)",
            page.eval_on_selector(".hero", "e => getComputedStyle(e).backgroundImage"))]
        assert len(stops) >= 2
        colours = page.eval_on_selector_all(
            ".hero h1, .hero p, .hero label",
            "els => els.filter(e => e.innerText.trim()).map(e => getComputedStyle(e).color)")
        assert colours
        for colour in colours:
            rgb = tuple(map(int, re.findall(r"\d+", colour)[:3]))
            assert min(_contrast(rgb, stop) for stop in stops) >= 4.5, colour
    finally:
        context.close()
