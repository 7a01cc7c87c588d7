"""The public storefront: home, browse and search, product and producer pages.

Thin views: parse the query string leniently (a bad filter is ignored, a bad page number
means page 1: a shared link must never break), ask `catalog.listing.browse` (which routes
words to `catalog.search`) or the gate, render. What may be sold is only ever decided by
`catalog.gate`.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.clock import today
from app.errors import NotFound
from app.extensions import db
from app.i18n import forget_cached_locale
from app.pagecache import cached_page
from app.replica import read_engine
from app.templating import vn_date
from catalog import listing, search
from catalog.gate import (
    CERTIFICATE_EXPIRED,
    CERTIFICATE_REVOKED,
    Listability,
    certificate_status,
    listability,
    reason_text,
)
from catalog.models import GROUPS, Producer, Product
from catalog.regions import provinces
from catalog.timeline import catalog_version, read_version
from showrooms.services import online_availability
from storefront import similar
from storefront.promotion.livestreams import next_for_product
from storefront.promotion.views import product_jsonld

bp = Blueprint("storefront", __name__, template_folder="templates")
bp.before_app_request(forget_cached_locale)


def storefront_version():
    """What storefront lists show: the catalogue's version (catalog.timeline). A request
    that has no database session yet (a page served from the cache) reads it without
    opening one: a session costs more to open and to close than the read itself."""
    if not db.session.registry.has():
        return read_version(read_engine(db))
    return catalog_version(db.session)

# The five provinces OCOP Market started from (DOMAIN §5), by 2025 code.
FOUNDING_PROVINCES = (15, 37, 51, 91, 92)
PER_PAGE = 24
PER_PAGE_CHOICES = (12, 24, 48)
MAX_PAGE = 10_000
MAX_QUERY_LENGTH = 200

GROUP_LABELS = {
    "food": _l("Thực phẩm"),
    "beverage": _l("Đồ uống"),
    "herbal": _l("Thảo dược"),
    "textile": _l("Vải và may mặc"),
    "craft": _l("Lưu niệm – nội thất – trang trí"),
    "ornamental": _l("Sinh vật cảnh"),
    "tourism": _l("Du lịch cộng đồng"),
}
KIND_LABELS = {
    "enterprise": _l("Doanh nghiệp"),
    "cooperative": _l("Hợp tác xã"),
    "cooperative_group": _l("Tổ hợp tác"),
    "household": _l("Hộ sản xuất kinh doanh"),
}
LEVEL_LABELS = {
    "central": _l("Cấp trung ương"),
    "province": _l("Cấp tỉnh"),
    "district": _l("Cấp huyện"),
    "commune": _l("Cấp xã"),
}
STATUS_LABELS = {
    "valid": _l("Còn hiệu lực"),
    "expired": _l("Đã hết hạn"),
    "revoked": _l("Đã bị thu hồi"),
    "not_yet_valid": _l("Chưa có hiệu lực"),
}
SORT_LABELS = {
    "relevance": _l("Phù hợp nhất"),
    "newest": _l("Mới nhất"),
    "price_asc": _l("Giá thấp đến cao"),
    "price_desc": _l("Giá cao đến thấp"),
    "stars": _l("Nhiều sao nhất"),
    "name": _l("Tên A–Z"),
}


# --- Template helpers (registered app-wide: other packages' pages may use them) -----------

@bp.app_template_filter("highlight")
def highlight_filter(text: str | None, q: str | None, snippet: int | None = None) -> Markup:
    """`{{ localized(p, 'name')|highlight(q) }}`: escaped text, matching words in <mark>."""
    return search.highlight(text, q, snippet=snippet)


@bp.app_template_global()
def group_label(code: str) -> str:
    return str(GROUP_LABELS.get(code, code))


@bp.app_template_global()
def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@bp.app_template_global()
def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level))


@bp.app_template_global()
def certificate_status_label(cert, on=None) -> str:
    status = certificate_status(cert, on)
    return str(STATUS_LABELS.get(status, status))


@bp.app_template_global()
def certificate_status_code(cert, on=None) -> str:
    return certificate_status(cert, on)


@bp.app_template_global()
def not_listable_reason(verdict: Listability) -> str:
    """Why a product cannot be bought today, in the visitor's language (the gate's one
    wording of the reason), with the day it ended or was revoked."""
    cert = verdict.certificate
    day = None
    if cert is not None and verdict.reason == CERTIFICATE_EXPIRED:
        day = cert.valid_until
    elif cert is not None and verdict.reason == CERTIFICATE_REVOKED:
        day = cert.revoked_on
    if day is not None:
        return _("Không bán được sản phẩm này: %(reason)s (ngày %(date)s).",
                 reason=reason_text(verdict.reason), date=vn_date(day))
    return _("Không bán được sản phẩm này: %(reason)s.", reason=reason_text(verdict.reason))


# --- Query-string parsing ------------------------------------------------------------------

def _int_arg(name: str) -> int | None:
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


def list_arguments() -> dict:
    """The browse filters from the query string; anything unknown or malformed is dropped."""
    q = (request.args.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    stars = _int_arg("stars")
    group = request.args.get("group")
    province = _int_arg("province")
    sort = request.args.get("sort") or ""
    if sort not in SORT_LABELS:
        sort = ""  # the default: best match when searching, newest when browsing
    order = sort or ("relevance" if q else "newest")
    if order == "relevance" and not q:
        order = "newest"
    per_page = _int_arg("per_page")
    return {
        "q": q,
        "stars": stars if stars in (3, 4, 5) else None,
        "group": group if group in GROUPS else None,
        "province": province if province in provinces() else None,
        "sort": sort,
        "order": order,
        "page": min(max(_int_arg("page") or 1, 1), MAX_PAGE),
        "per_page": per_page if per_page in PER_PAGE_CHOICES else PER_PAGE,
    }


def sort_options(searching: bool) -> list[tuple[str, str]]:
    """The sort menu; its first, empty choice is the default (so a new search made from a
    form that was browsing newest-first still ranks by relevance)."""
    default = "relevance" if searching else "newest"
    return [("", str(SORT_LABELS[default]))] + [
        (code, str(label)) for code, label in SORT_LABELS.items()
        if code not in ("relevance", default)]


def _stock(items) -> dict[int, int]:
    return online_availability(db.session, [product.id for product, _cert in items])


# --- Pages -----------------------------------------------------------------------------------

@bp.get("/")
@cached_page(storefront_version)
def home():
    from showrooms.fairs import next_fairs

    on = today()
    featured = listing.browse(db.session, on=on, stars=5, per_page=8, order="newest")
    newest = listing.browse(db.session, on=on, per_page=8, order="newest")
    by_province = listing.counts_by_province(db.session, on)
    by_group = listing.counts_by_group(db.session, on)
    return render_template(
        "storefront/home.html",
        featured=featured,
        newest=newest,
        provinces=[(code, provinces().get(code, str(code)), by_province.get(code, 0))
                   for code in FOUNDING_PROVINCES],
        groups=[(code, by_group.get(code, 0)) for code in GROUPS],
        total=sum(by_group.values()),
        stock=_stock(featured.items + newest.items),
        fairs=next_fairs(db.session, on=on),
    )


@bp.get("/products")
@cached_page(storefront_version)
def products():
    args = list_arguments()
    page = listing.browse(db.session, on=today(), q=args["q"], stars=args["stars"],
                          group=args["group"], province=args["province"], page=args["page"],
                          per_page=args["per_page"], order=args["order"])
    return render_template(
        "storefront/products.html",
        page=page,
        args=args,
        filtering=any(args[k] for k in ("stars", "group", "province")),
        stock=_stock(page.items),
        province_options=[(code, name) for code, name in provinces().items()],
        sort_options=sort_options(bool(args["q"])),
        group_labels=GROUP_LABELS,
    )


@bp.get("/products/<slug>")
@cached_page(storefront_version)
def product(slug: str):
    """One product. Cached whole for anonymous visitors like the lists (each visitor still
    gets their own CSRF token in its forms: app.pagecache.csrf_field); the "same group"
    cards are rendered once per group (storefront.similar)."""
    on = today()
    # One query for the product, its producer, photos and certificates (a few rows): half
    # the cost of three.
    item = db.session.execute(
        select(Product).where(Product.slug == slug).options(
            joinedload(Product.producer), joinedload(Product.photos), joinedload(Product.certificates))
    ).unique().scalar_one_or_none()
    if item is None:
        raise NotFound(_("Không tìm thấy sản phẩm này. Có thể đường dẫn đã thay đổi."))
    verdict = listability(item, on)
    group_ids = similar.group_best_ids(db.session, item.group, on)
    stock = online_availability(db.session, [item.id, *group_ids])  # one query for the page
    in_stock = stock.get(item.id, 0) > 0
    return render_template(
        "storefront/product.html",
        product=item,
        verdict=verdict,
        on=on,
        today=on,
        in_stock=in_stock,
        similar_cards=similar.similar_cards(db.session, item.id, item.group, on, group_ids, stock),
        jsonld=product_jsonld(item, verdict, in_stock),
        livestream=next_for_product(db.session, item) if verdict.listable else None,
    )


@bp.get("/producers/<slug>")
@cached_page(storefront_version)
def producer(slug: str):
    on = today()
    maker = db.session.scalar(select(Producer).where(Producer.slug == slug))
    if maker is None:
        raise NotFound(_("Không tìm thấy chủ thể OCOP này."))
    page_number = min(max(_int_arg("page") or 1, 1), MAX_PAGE)
    page = listing.browse(db.session, on=on, producer_id=maker.id, page=page_number,
                          per_page=PER_PAGE, order="stars")
    return render_template(
        "storefront/producer.html",
        producer=maker,
        page=page,
        stock=_stock(page.items),
    )
