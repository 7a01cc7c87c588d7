"""Cart, checkout and order pages (HTML). Thin views: parse the form, call one service,
render or redirect; the services are the same as the JSON API's."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.api import parse_model
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.origin import token_or_same_origin
from catalog.gate import reason_text
from catalog.regions import provinces
from showrooms.models import SalesPoint
from storefront import cart as carts
from storefront import cash_orders, checkout, order_mail, orders, payments
from storefront.payments import vietqr
from storefront.schemas import OrderIn

bp = Blueprint("shop", __name__, template_folder="templates")

CART_KEY = "cart"


def _cart() -> carts.Cart:
    return carts.clean(session.get(CART_KEY))


def _save(cart: carts.Cart) -> None:
    session[CART_KEY] = cart
    session.modified = True


def _back(default: str) -> str:
    """The page the form came from, when it is one of ours."""
    target = request.referrer or ""
    parts = urlsplit(target)
    if target and parts.netloc == request.host and parts.path.startswith("/"):
        return target
    return default


def cart_error_message(err: DomainError, name: str | None = None) -> str:
    """A cart refusal in the visitor's language, with the reason."""
    details = err.details or {}
    if err.code == "not_listable":
        return _("Không thể mua %(name)s: %(reason)s.", name=name or details.get("product", ""),
                 reason=reason_text(details.get("reason", "")))
    if err.code == "not_purchasable":
        return _("%(name)s là dịch vụ du lịch: hãy đặt trực tiếp với chủ thể OCOP, "
                 "không thể thêm vào giỏ hàng.", name=name or "")
    if err.code == "out_of_stock":
        items = details.get("items") or [{}]
        return _("Không đủ hàng: chỉ còn %(available)s sản phẩm %(name)s.",
                 available=items[0].get("available", 0), name=name or "")
    if err.code == "invalid_quantity":
        return _("Số lượng phải là số nguyên từ 1 đến 99 cho mỗi sản phẩm.")
    if err.code in ("unknown_product", "not_in_cart"):
        return _("Không tìm thấy sản phẩm này.")
    if err.code == "cart_full":
        return _("Giỏ hàng đã đủ 50 sản phẩm khác nhau.")
    return err.message


@bp.get("/cart")
def show_cart():
    cart = _cart()
    view = carts.view(db.session, cart)
    if view.missing:
        _save({k: v for k, v in cart.items() if k not in view.missing})
    return render_template("storefront/cart.html", cart=view)


@bp.post("/cart/add")
@token_or_same_origin  # the form of a cached product page has no token (app.origin)
def add_to_cart():
    slug = (request.form.get("product") or "").strip()
    name = slug
    try:
        quantity = carts.parse_quantity(request.form.get("quantity", "1"))
        product = carts._product(db.session, slug)
        name = product.name
        cart, product = carts.add(db.session, _cart(), slug, quantity)
    except DomainError as err:
        flash(cart_error_message(err, name), "error")
        return redirect(_back(url_for("shop.show_cart")))
    _save(cart)
    flash(_("Đã thêm %(quantity)s × %(name)s vào giỏ hàng.", quantity=quantity,
            name=product.name), "info")
    return redirect(url_for("shop.show_cart"))


@bp.post("/cart/update")
def update_cart():
    slug = (request.form.get("product") or "").strip()
    try:
        quantity = carts.parse_quantity(request.form.get("quantity"), allow_zero=True)
        cart = carts.set_quantity(_cart(), slug, quantity)
    except DomainError as err:
        flash(cart_error_message(err), "error")
        return redirect(url_for("shop.show_cart"))
    _save(cart)
    flash(_("Đã cập nhật giỏ hàng."), "info")
    return redirect(url_for("shop.show_cart"))


@bp.post("/cart/remove")
def remove_from_cart():
    _save(carts.remove(_cart(), (request.form.get("product") or "").strip()))
    flash(_("Đã xoá sản phẩm khỏi giỏ hàng."), "info")
    return redirect(url_for("shop.show_cart"))


# --- Checkout --------------------------------------------------------------------------

FIELD_MESSAGES = {
    "customer.name": lambda: _("Nhập họ tên người đặt hàng."),
    "customer.phone": lambda: _("Nhập số điện thoại hợp lệ: số Việt Nam (0912 345 678) hoặc số "
                                "nước ngoài kèm mã quốc gia (+61 412 345 678)."),
    "customer.email": lambda: _("Nhập địa chỉ email hợp lệ: liên kết đến đơn hàng được gửi tới đó."),
    "fulfilment": lambda: _("Chọn giao hàng hoặc nhận tại điểm bán."),
    "payment": lambda: _("Chọn một phương thức thanh toán phù hợp."),
    "shipping": lambda: _("Nhập địa chỉ và tỉnh/thành phố nhận hàng."),
    "shipping.address": lambda: _("Nhập địa chỉ giao hàng (ít nhất 5 ký tự)."),
    "shipping.province": lambda: _("Chọn tỉnh/thành phố (danh mục 2025)."),
    "pickup_point": lambda: _("Chọn điểm bán OCOP để nhận hàng."),
    "gift.message": lambda: _("Lời nhắn tối đa 300 ký tự."),
    "gift.recipient": lambda: _("Tên người nhận tối đa 200 ký tự."),
}


def _form_errors(err: InvalidInput) -> dict[str, str]:
    errors = {}
    for problem in (err.details or {}).get("fields", []):
        field = problem["field"]
        key = field if field in FIELD_MESSAGES else field.rsplit(".", 1)[0]
        message = FIELD_MESSAGES.get(key, lambda p=problem: p["message"])()
        errors.setdefault("items" if field.startswith("items") else key, message)
    return errors


def _order_data(form, cart: carts.Cart) -> dict:
    fulfilment = form.get("fulfilment", "")
    data: dict = {
        "items": [{"gift_box": key.removeprefix(carts.BOX_PREFIX), "quantity": q}
                  if key.startswith(carts.BOX_PREFIX) else {"product": key, "quantity": q}
                  for key, q in cart.items()],
        "customer": {"name": form.get("name", ""), "phone": form.get("phone", ""),
                     "email": form.get("email", "")},
        "fulfilment": fulfilment,
        "payment": form.get("payment", ""),
    }
    if fulfilment == "delivery":
        data["shipping"] = {"address": form.get("address", ""), "province": form.get("province", "")}
    elif fulfilment == "pickup":
        data["pickup_point"] = form.get("pickup_point", "")
    message, recipient = form.get("gift_message", "").strip(), form.get("gift_recipient", "").strip()
    if form.get("gift_wrap") or message or recipient:
        data["gift"] = {"wrap": bool(form.get("gift_wrap")), "message": message or None,
                        "recipient": recipient or None}
    return data


def _render_checkout(view, *, form=None, errors=None, status=200):
    points = db.session.scalars(db.select(SalesPoint).where(SalesPoint.active.is_(True))
                                .order_by(SalesPoint.province_code, SalesPoint.code)).all()
    return render_template(
        "storefront/checkout.html", cart=view, form=form or {}, errors=errors or {},
        provinces=provinces(), points=points,
        shipping_fee=current_app.config["SHIPPING_FEE_VND"],
    ), status


@bp.get("/checkout")
def checkout_form():
    view = carts.view(db.session, _cart())
    if not view.lines:
        flash(_("Giỏ hàng của bạn đang trống."), "info")
        return redirect(url_for("shop.show_cart"))
    return _render_checkout(view, form={"fulfilment": "delivery", "payment": "cod"})


@bp.post("/checkout")
def place_order():
    cart = _cart()
    view = carts.view(db.session, cart)
    if not cart:
        flash(_("Giỏ hàng của bạn đang trống."), "info")
        return redirect(url_for("shop.show_cart"))
    try:
        data = parse_model(OrderIn, _order_data(request.form, cart))
        placed = checkout.place_order(db.session, data, locale=str(get_locale() or "vi"))
        order_mail.send_after_commit(db.session, order_mail.order_placed_mail(placed))
        orders.commit_keeping_objects(db.session)
    except InvalidInput as err:
        db.session.rollback()
        errors = _form_errors(err)
        if not errors:
            errors["form"] = err.message
        return _render_checkout(view, form=request.form, errors=errors, status=422)
    except DomainError as err:
        db.session.rollback()
        products = {}
        for line in view.lines:  # a gift box's refusal names one of its items
            products.update({item.product.slug: item.product.name for item in line.box.items}
                            if line.is_box else {line.product.slug: line.product.name})
        items = (err.details or {}).get("items") or [err.details or {}]
        messages = [cart_error_message(
            type(err)(err.message, code=err.code, details={**item, "items": [item]}),
            products.get(item.get("product"), item.get("product"))) for item in items]
        return _render_checkout(view, form=request.form, errors={"form": " ".join(messages)},
                                status=err.status)
    _save({})
    flash(_("Đặt hàng thành công! Chúng tôi đã gửi email xác nhận kèm liên kết đến đơn hàng."),
          "info")
    return redirect(url_for("shop.show_order", number=placed.order.number,
                            token=placed.access_token))


# --- The order page ---------------------------------------------------------------------

@bp.get("/orders/<number>")
def show_order(number: str):
    token = request.args.get("token", "")
    order = orders.get_order_with_token(db.session, number, token)
    payment = payments.method(order.payment_method).describe(order)
    qr_svg = None
    if order.payment_method == "bank_transfer" and order.awaiting_payment:
        qr_svg = vietqr.qr_svg(payment["vietqr"])
    return render_template("storefront/order.html", order=order, payment=payment, qr_svg=qr_svg,
                           token=token, provinces=provinces(),
                           cancellable=cash_orders.customer_can_cancel(order))


@bp.post("/orders/<number>/cancel")
def cancel_order(number: str):
    """The customer cancels a cash order from its page (a POST form with the CSRF token)."""
    token = request.form.get("token", "")
    order = orders.get_order_with_token(db.session, number, token)
    try:
        order = cash_orders.cancel_by_customer(db.session, order)
        order_mail.send_after_commit(db.session, *order_mail.cancelled_by_customer_mails(order))
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(_("Đã huỷ đơn hàng. Bạn không phải trả gì."), "info")
    return redirect(url_for("shop.show_order", number=number, token=token))
