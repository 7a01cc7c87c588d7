"""Promotion pages: gift boxes, craft villages and booking requests, livestreams, product
feeds, sitemap and robots.txt, plus the seller's and the office's screens for them. Thin
views: parse, call one service, commit at the boundary, render."""

from __future__ import annotations

import json
from datetime import date

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from app.accounts.access import roles_required
from app.api import parse_model
from app.clock import now as clock_now
from app.clock import today
from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import db, limiter
from app.origin import token_or_same_origin
from catalog.gate import Listability
from catalog.models import Producer, Product
from catalog.regions import provinces
from storefront.promotion import boxes, currency, feeds, livestreams, villages
from storefront.promotion.models import GiftBox, Village
from storefront.promotion.schemas import BookingIn, LivestreamIn

bp = Blueprint("promotion", __name__, template_folder="templates")
seller = Blueprint("promotion_seller", __name__, url_prefix="/seller", template_folder="templates")
admin = Blueprint("promotion_admin", __name__, url_prefix="/admin", template_folder="templates")
blueprints = [bp, seller, admin]

PRICE_BANDS = (300_000, 500_000, 1_000_000, 2_000_000)
CANONICAL_ARGS = ("group", "province", "stars", "max_price", "page")


# --- Template helpers ------------------------------------------------------------------------

@bp.app_template_global()
def foreign_prices(price_vnd: int | None) -> list[currency.IndicativePrice]:
    """Indicative USD/EUR/AUD prices, on English pages only (rates read once per request)."""
    if str(get_locale()) != "en" or not price_vnd:
        return []
    if "fx_rates" not in g:
        g.fx_rates = currency.latest_rates(db.session)
    return currency.indicative(price_vnd, g.fx_rates)


@bp.app_template_filter("iso")
def iso_filter(moment) -> str:
    """An instant as ISO 8601 with its offset (SQLite hands back naive UTC)."""
    from showrooms.stock import aware

    return aware(moment).isoformat() if moment else ""


@bp.app_template_global()
def featured_products(stream) -> list[Product]:
    return livestreams.featured(stream)


@bp.app_template_global()
def pending_booking_count(producer: Producer) -> int:
    """Booking requests waiting for the producer's answer (seller dashboard)."""
    return villages.pending_bookings_count(db.session, producer)


@bp.app_template_global()
def canonical_url(lang: str | None = None) -> str:
    """This page's address without tracking noise: the path and the arguments that change
    what is listed (page, filters), plus `lang=en` for the English version (each language
    is its own indexable page)."""
    from urllib.parse import urlencode

    base = current_app.config["BASE_URL"].rstrip("/")
    lang = lang or str(get_locale())
    args = [(key, request.args[key]) for key in CANONICAL_ARGS if request.args.get(key)]
    if lang == "en":
        args.append(("lang", "en"))
    return base + request.path + ("?" + urlencode(args) if args else "")


@bp.app_template_global()
def absolute_url(path: str | None) -> str | None:
    if not path:
        return None
    return path if path.startswith("http") else current_app.config["BASE_URL"].rstrip("/") + path


def product_jsonld(product: Product, verdict: Listability, in_stock: bool) -> Markup:
    """schema.org Product (+ Offer in VND while the gate lets it be sold), for search engines."""
    base = current_app.config["BASE_URL"].rstrip("/")
    data: dict = {
        "@context": "https://schema.org", "@type": "Product", "name": product.name,
        "description": product.description or product.name, "sku": product.slug,
        "url": f"{base}/products/{product.slug}",
        "brand": {"@type": "Brand", "name": product.producer.name},
        "category": product.group,
    }
    if product.photos:
        data["image"] = [base + photo.url for photo in product.photos]
    if product.gtin:
        data[f"gtin{len(product.gtin)}" if len(product.gtin) in (8, 12, 13, 14) else "gtin"] = product.gtin
    if verdict.listable and product.price_vnd is not None:
        cert = verdict.certificate
        data["offers"] = {
            "@type": "Offer", "price": product.price_vnd, "priceCurrency": "VND",
            "availability": "https://schema.org/" + ("InStock" if in_stock or product.is_service
                                                     else "OutOfStock"),
            "itemCondition": "https://schema.org/NewCondition",
            "url": f"{base}/products/{product.slug}",
            "priceValidUntil": cert.valid_until.isoformat(),
            "seller": {"@type": "Organization", "name": product.producer.name},
        }
    return _jsonld_script(data)


def _jsonld_script(data: dict) -> Markup:
    # <, > and & as \u escapes: nothing in the data can close the script element.
    text = (json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))
    return Markup(f'<script type="application/ld+json">{text}</script>')  # noqa: S704 - JSON escaped above


def box_jsonld(box: GiftBox, verdict: boxes.BoxAvailability) -> Markup:
    """A gift box as a schema.org Product (an Offer in VND only while it is sellable)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    data: dict = {"@context": "https://schema.org", "@type": "Product", "name": box.name,
                  "description": box.story or box.name, "sku": f"box-{box.slug}",
                  "url": f"{base}/gifts/{box.slug}",
                  "brand": {"@type": "Brand", "name": box.sales_point.name}}
    if box.photo_url:
        data["image"] = [base + box.photo_url]
    if verdict.sellable:
        data["offers"] = {"@type": "Offer", "price": box.price_vnd, "priceCurrency": "VND",
                          "availability": "https://schema.org/" + (
                              "InStock" if verdict.available else "OutOfStock"),
                          "url": f"{base}/gifts/{box.slug}"}
    return _jsonld_script(data)


# --- Gift boxes ----------------------------------------------------------------------------------

def _int_arg(name: str) -> int | None:
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/gifts")
def gifts():
    province = _int_arg("province")
    province = province if province in provinces() else None
    max_price = _int_arg("max_price")
    max_price = max_price if max_price in PRICE_BANDS else None
    found = boxes.list_boxes(db.session, province=province, max_price=max_price)
    verdicts = boxes.availability(db.session, found)
    box_provinces = sorted({b.province_code for b in boxes.list_boxes(db.session)},
                           key=lambda code: provinces().get(code, ""))
    return render_template("promotion/gifts.html", boxes=found, verdicts=verdicts,
                           province=province, max_price=max_price, price_bands=PRICE_BANDS,
                           province_options=[(c, provinces().get(c, c)) for c in box_provinces])


@bp.get("/gifts/<slug>")
def gift(slug: str):
    try:
        box = boxes.get_box(db.session, slug)
    except NotFound:
        raise NotFound(_("Không tìm thấy hộp quà này.")) from None
    verdict = boxes.availability(db.session, [box])[box.id]
    return render_template("promotion/gift.html", box=box, verdict=verdict,
                           jsonld=box_jsonld(box, verdict))


@bp.post("/gifts/<slug>/cart")
def add_gift_to_cart(slug: str):
    from storefront import cart as carts
    from storefront.shop_views import _cart, _save, cart_error_message

    name = slug
    try:
        quantity = carts.parse_quantity(request.form.get("quantity", "1"))
        box = boxes.get_box(db.session, slug)
        name = box.name
        cart, box = carts.add_box(db.session, _cart(), slug, quantity)
    except DomainError as err:
        details = err.details or {}
        if err.code == "not_listable" and details.get("product"):
            item = db.session.scalar(select(Product).where(Product.slug == details["product"]))
            from catalog.gate import reason_text

            flash(_("Không thể mua hộp quà %(name)s: %(item)s — %(reason)s.", name=name,
                    item=item.name if item else details["product"],
                    reason=reason_text(details.get("reason", ""))), "error")
        else:
            flash(cart_error_message(err, name), "error")
        return redirect(url_for("promotion.gift", slug=slug))
    _save(cart)
    flash(_("Đã thêm %(quantity)s × %(name)s vào giỏ hàng.", quantity=quantity, name=box.name), "info")
    return redirect(url_for("shop.show_cart"))


# --- Villages and booking requests ----------------------------------------------------------------

@bp.get("/villages")
def village_list():
    province = _int_arg("province")
    province = province if province in provinces() else None
    found = villages.list_villages(db.session, province=province)
    return render_template("promotion/villages.html", villages=found, province=province,
                           tile_url=current_app.config.get("MAP_TILE_URL"),
                           province_options=sorted({(v.province_code, v.province_name)
                                                    for v in villages.list_villages(db.session)},
                                                   key=lambda item: item[1]))


@bp.get("/villages/<slug>")
def village(slug: str):
    try:
        place = villages.get_village(db.session, slug)
    except NotFound:
        raise NotFound(_("Không tìm thấy làng nghề này.")) from None
    offer = villages.village_offer(db.session, place, today())
    return render_template("promotion/village.html", village=place, offer=offer,
                           tile_url=current_app.config.get("MAP_TILE_URL"),
                           form=request.args, errors={}, today=today())


BOOKING_FIELDS = {
    "date": lambda: _("Chọn ngày (từ hôm nay trở đi)."),
    "party_size": lambda: _("Số người từ 1 đến 100."),
    "name": lambda: _("Nhập họ tên."),
    "phone": lambda: _("Nhập số điện thoại hợp lệ: số Việt Nam (0912 345 678) hoặc số nước "
                       "ngoài kèm mã quốc gia (+61 412 345 678)."),
    "email": lambda: _("Nhập địa chỉ email hợp lệ."),
    "message": lambda: _("Lời nhắn tối đa 1000 ký tự."),
}


def _local_path(target: str | None, default: str) -> str:
    """A path on this site to go back to (never another host: no open redirect)."""
    from urllib.parse import urlsplit

    parts = urlsplit(target or "")
    if (not target or parts.scheme or parts.netloc or not target.startswith("/")
            or target.startswith(("//", "/\\"))):
        return default
    return target


@bp.post("/services/<slug>/booking-requests")
@limiter.limit("20/hour")  # a public form: a traveller sends a few, a robot many
@token_or_same_origin  # the form of a cached service page has no token (app.origin)
def request_booking(slug: str):
    service = villages.get_service(db.session, slug)
    back = _local_path(request.form.get("back"), url_for("storefront.product", slug=slug))
    form = request.form
    raw = {"date": form.get("date", ""), "party_size": form.get("party_size", ""),
           "name": form.get("name", ""), "phone": form.get("phone", ""),
           "email": form.get("email", ""), "message": form.get("message") or None}
    try:
        data = parse_model(BookingIn.lenient(), raw)
        booking = villages.request_booking(
            db.session, service, requested_date=data.date, party_size=data.party_size,
            name=data.name, phone=data.phone, email=data.email, message=data.message,
            locale=str(get_locale() or "vi"))
        mails = villages.booking_mails(booking)
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        fields = [p["field"].split(".")[0] for p in (err.details or {}).get("fields", [])]
        messages = [BOOKING_FIELDS[f]() for f in dict.fromkeys(fields) if f in BOOKING_FIELDS]
        flash(" ".join(messages) or err.message, "error")
        return redirect(back + "#booking")
    for mail in mails:
        mail.send()
    flash(_("Đã gửi yêu cầu đặt %(name)s cho %(producer)s. Bạn sẽ nhận email khi chủ thể trả lời.",
            name=service.name_en if str(get_locale()) == "en" and service.name_en else service.name,
            producer=service.producer.name), "info")
    return redirect(back)


# --- Livestreams -----------------------------------------------------------------------------------

@bp.get("/live")
def live():
    now = clock_now()
    on_air, upcoming = livestreams.current_and_upcoming(db.session, now=now)
    return render_template("promotion/live.html", on_air=on_air, upcoming=upcoming, now=now)


@bp.get("/live/<int:stream_id>.ics")
def live_ics(stream_id: int):
    stream = livestreams.get_stream(db.session, stream_id)
    text = livestreams.ics(stream, base_url=current_app.config["BASE_URL"])
    return Response(text, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="ocop-livestream-{stream.id}.ics"'})


# --- Feeds, sitemap, robots -------------------------------------------------------------------------

def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _stream(chunks, mimetype: str, filename: str | None = None) -> Response:
    # Evaluated on each request: no shared cache may keep a product the gate refuses now.
    headers = {"Cache-Control": "no-cache"}
    if filename:
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return Response(stream_with_context(chunks), mimetype=mimetype, headers=headers)


@bp.get("/feeds/google.xml")
def google_feed():
    items = feeds.listable_rows(db.session, base_url=_base(), goods_only=True)
    return _stream(feeds.google_feed(items, base_url=_base(), title="OCOP Market"),
                   "application/rss+xml")


@bp.get("/feeds/meta.csv")
def meta_feed():
    items = feeds.listable_rows(db.session, base_url=_base(), goods_only=True)
    return _stream(feeds.meta_feed(items), "text/csv", "ocop-market-meta.csv")


@bp.get("/feeds/products.json")
def json_feed():
    items = feeds.listable_rows(db.session, base_url=_base())
    return _stream(feeds.json_feed(items, generated_at=clock_now().isoformat()),
                   "application/json")


SITEMAP_URLS = 40_000  # under the protocol's 50,000 URLs (and 50 MB) per file


def _sitemap_head() -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n')


def _page_urls(base: str):
    pages = ["/", "/products", "/gifts", "/villages", "/live", "/sales-points", "/fairs"]
    pages += [f"/gifts/{slug}" for slug in db.session.scalars(
        select(GiftBox.slug).where(GiftBox.active.is_(True)).order_by(GiftBox.id))]
    pages += [f"/villages/{slug}" for slug in db.session.scalars(
        select(Village.slug).order_by(Village.id))]
    for path in pages:
        yield _sitemap_url(base, path)


def _product_urls(base: str, offset: int = 0, limit: int | None = None):
    for item in feeds.listable_rows(db.session, base_url=base, offset=offset, limit=limit):
        yield _sitemap_url(base, f"/products/{item.product.slug}",
                           item.product.updated_at.date() if item.product.updated_at else None)


@bp.get("/sitemap.xml")
def sitemap():
    """Pages, gift boxes, villages and every LISTABLE product, with vi/en alternates; a
    catalogue over SITEMAP_URLS products gets a sitemap index of numbered parts."""
    base = _base()
    total = feeds.listable_count(db.session)
    if total > SITEMAP_URLS:
        parts = -(-total // SITEMAP_URLS)
        body = ['<?xml version="1.0" encoding="UTF-8"?>\n'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
                f"<sitemap><loc>{base}/sitemap-pages.xml</loc></sitemap>\n"]
        body += [f"<sitemap><loc>{base}/sitemap-products-{n}.xml</loc></sitemap>\n"
                 for n in range(1, parts + 1)]
        body.append("</sitemapindex>\n")
        return Response("".join(body), mimetype="application/xml")

    def urls():
        yield _sitemap_head()
        yield from _page_urls(base)
        yield from _product_urls(base)
        yield "</urlset>\n"

    return _stream(urls(), "application/xml")


@bp.get("/sitemap-pages.xml")
def sitemap_pages():
    base = _base()
    return _stream(iter([_sitemap_head(), *_page_urls(base), "</urlset>\n"]), "application/xml")


@bp.get("/sitemap-products-<int:part>.xml")
def sitemap_products(part: int):
    base = _base()
    if part < 1 or (part - 1) * SITEMAP_URLS >= max(feeds.listable_count(db.session), 1):
        raise NotFound("No such sitemap part.")

    def urls():
        yield _sitemap_head()
        yield from _product_urls(base, (part - 1) * SITEMAP_URLS, SITEMAP_URLS)
        yield "</urlset>\n"

    return _stream(urls(), "application/xml")


def _sitemap_url(base: str, path: str, modified: date | None = None) -> str:
    from xml.sax.saxutils import quoteattr

    loc = base + path
    lastmod = f"<lastmod>{modified.isoformat()}</lastmod>" if modified else ""
    return (f"<url><loc>{loc}</loc>{lastmod}"
            f'<xhtml:link rel="alternate" hreflang="vi" href={quoteattr(loc)}/>'
            f'<xhtml:link rel="alternate" hreflang="en" href={quoteattr(loc + "?lang=en")}/></url>\n')


@bp.get("/robots.txt")
def robots():
    base = _base()
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in ("/seller/", "/admin/", "/counter/", "/cart",
                                               "/checkout", "/orders/", "/login", "/api/",
                                               "/t/")]
    lines += ["", f"Sitemap: {base}/sitemap.xml", ""]
    return Response("\n".join(lines), mimetype="text/plain")


# --- Seller: booking requests and livestreams -------------------------------------------------------

def _producer() -> Producer:
    producer = current_user.producer
    if producer is None:
        raise NotFound("No producer.")
    return producer


@seller.get("/booking-requests")
@roles_required("producer")
def booking_requests():
    producer = _producer()
    return render_template("promotion/seller_bookings.html", producer=producer,
                           bookings=villages.producer_bookings(db.session, producer))


@seller.post("/booking-requests/<int:booking_id>/<any(accept, decline):decision>")
@roles_required("producer")
def decide_booking(booking_id: int, decision: str):
    producer = _producer()
    try:
        booking = villages.decide(db.session, producer, booking_id, accept=decision == "accept",
                                  reply=request.form.get("reply"), actor_id=current_user.id)
        mail = villages.decision_mail(booking)
        db.session.commit()
    except NotFound:
        db.session.rollback()
        raise
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("promotion_seller.booking_requests"))
    mail.send()
    flash(_("Đã nhận yêu cầu của %(name)s.", name=booking.name) if booking.status == "accepted"
          else _("Đã từ chối yêu cầu của %(name)s.", name=booking.name), "success")
    return redirect(url_for("promotion_seller.booking_requests"))


@seller.route("/livestreams", methods=["GET", "POST"])
@roles_required("producer")
def seller_livestreams():
    producer = _producer()
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        raw = {"platform": form.get("platform", ""), "url": form.get("url", ""),
               "starts_at": form.get("starts_at", ""), "title": form.get("title") or None,
               "products": form.getlist("products"), "minutes": form.get("minutes") or "60"}
        try:
            data = parse_model(LivestreamIn.from_form(), raw)
            livestreams.schedule(db.session, producer, **data.service_values())
            db.session.commit()
            flash(_("Đã lên lịch livestream."), "success")
            return redirect(url_for("promotion_seller.seller_livestreams"))
        except InvalidInput as err:
            db.session.rollback()
            errors["form"] = err.message
    own = db.session.scalars(select(Product).where(Product.producer_id == producer.id)
                             .order_by(Product.name)).all()
    on_air, upcoming = livestreams.current_and_upcoming(db.session)
    streams = [s for s in on_air + upcoming if s.producer_id == producer.id]
    return render_template("promotion/seller_livestreams.html", producer=producer, products=own,
                           streams=streams, errors=errors, form=request.form), 422 if errors else 200


# --- Office: indicative exchange rates ---------------------------------------------------------------

@admin.route("/currency-rates", methods=["GET", "POST"])
@roles_required("admin")
def currency_rates():
    if request.method == "POST":
        try:
            rate_date = date.fromisoformat(request.form.get("rate_date") or today().isoformat())
            currency.set_rate(db.session, request.form.get("currency", ""),
                              int(request.form.get("vnd_per_unit", "0") or 0),
                              rate_date=rate_date, actor_id=current_user.id)
            db.session.commit()
            flash(_("Đã lưu tỷ giá."), "success")
        except (ValueError, DomainError) as err:
            db.session.rollback()
            flash(getattr(err, "message", None)
                  or _("Tỷ giá phải là số nguyên dương, ngày dạng YYYY-MM-DD."), "error")
        return redirect(url_for("promotion_admin.currency_rates"))
    return render_template("promotion/admin_rates.html", rates=currency.latest_rates(db.session),
                           today=today())


# --- Gift boxes in the back-office: the office (any point) and a point's own staff ------------

def _box_points():
    from showrooms.models import SalesPoint

    if current_user.role == "admin":
        return db.session.scalars(select(SalesPoint).where(SalesPoint.active.is_(True))
                                  .order_by(SalesPoint.code)).all()
    return [current_user.sales_point]


def _parse_items(text: str) -> list[tuple[str, int]]:
    """One item a line: `slug` or `slug × 2` / `slug x 2` / `slug, 2`."""
    import re

    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = re.fullmatch(r"([a-z0-9-]+)\s*(?:[×x*,]\s*(\d+))?", line)
        if match is None:
            raise InvalidInput(_("Dòng %(n)s: ghi mã sản phẩm, có thể kèm “× số lượng”.", n=number))
        items.append((match.group(1), int(match.group(2) or 1)))
    return items


@seller.route("/gift-boxes", methods=["GET", "POST"])
@roles_required("sales_point", "admin")
def gift_boxes_desk():
    """A point's gift boxes (availability now), the online orders to assemble, and a form to
    compose a new box. The office sees every point's."""
    points = _box_points()
    if request.method == "POST":
        form = request.form
        try:
            code = form.get("sales_point") or points[0].code
            point = next((p for p in points if p.code == code), None)
            if point is None:
                raise NotFound(_("Không tìm thấy điểm bán này."))
            try:
                price = int(form.get("price_vnd") or "")
            except ValueError:
                raise InvalidInput(_("Giá là số nguyên đồng, ví dụ 690000.")) from None
            box = boxes.create_box(
                db.session, point=point, name=form.get("name", ""),
                name_en=form.get("name_en") or None, story=form.get("story", ""),
                story_en=form.get("story_en") or None, price_vnd=price,
                items=_parse_items(form.get("items", "")))
            db.session.commit()
            flash(_("Đã tạo hộp quà %(name)s.", name=box.name), "success")
            return redirect(url_for("promotion_seller.gift_boxes_desk"))
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
    shown = [b for p in points for b in boxes.point_boxes(db.session, p)]
    orders = [line for p in points for line in boxes.point_box_orders(db.session, p)]
    return render_template("promotion/gift_boxes_desk.html", points=points, boxes=shown,
                           verdicts=boxes.availability(db.session, shown), orders=orders,
                           form=request.form)


@seller.post("/gift-boxes/<slug>/<any(on, off):state>")
@roles_required("sales_point", "admin")
def toggle_gift_box(slug: str, state: str):
    box = boxes.get_box(db.session, slug, active_only=False)
    if box.sales_point_id not in {p.id for p in _box_points()}:
        raise NotFound(_("Không tìm thấy hộp quà này."))
    boxes.set_active(db.session, box, state == "on")
    db.session.commit()
    flash(_("Đã mở bán lại hộp quà.") if state == "on" else _("Đã ngừng bán hộp quà."), "success")
    return redirect(url_for("promotion_seller.gift_boxes_desk"))


@seller.post("/gift-boxes/orders/<int:line_id>/handover")
@roles_required("sales_point", "admin")
def hand_over_box(line_id: int):
    for point in _box_points():
        try:
            line = boxes.hand_over(db.session, point, line_id)
        except NotFound:
            continue
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            return redirect(url_for("promotion_seller.gift_boxes_desk"))
        db.session.commit()
        flash(_("Đã bàn giao hộp quà của đơn %(number)s.", number=line.order.number), "success")
        return redirect(url_for("promotion_seller.gift_boxes_desk"))
    raise NotFound(_("Không tìm thấy hộp quà này."))
