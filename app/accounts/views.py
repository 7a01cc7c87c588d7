"""Sign in and out (Flask-Login sessions). Bad logins are limited per address and per
account (10 a minute each), counted in the storage every worker shares (app/ratelimit.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from app.accounts.forms import LoginForm
from app.accounts.models import User
from app.accounts.services import authenticate_password
from app.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)

HOME_BY_ROLE = {
    "admin": "/admin/",
    "producer": "/seller/",
    "sales_point": "/seller/",
    "organizer": "/organizer/fairs",
    "commune_officer": "/commune/",
    "council_member": "/council/",
    "customer": "/",
}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    from app.audit import set_actor

    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    set_actor(user)  # the audit log knows who acts for the rest of the request
    return user


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


LOGIN_LIMIT = "10/minute"


def _too_many_logins() -> str:
    return _("Quá nhiều lần đăng nhập sai. Xin thử lại sau một phút.")


def _account_key() -> str:
    """The account a login is for, whatever the address it comes from."""
    return "login-account:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    """A signed-in user is redirected; a wrong password gets the form again."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"], error_message=_too_many_logins)
@limiter.limit(LOGIN_LIMIT, methods=["POST"], key_func=_account_key, deduct_when=_failed,
               error_message=_too_many_logins)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate_password(db.session, form.email.data, form.password.data)
        if user is None:
            flash(_("Email hoặc mật khẩu không đúng."), "error")
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or HOME_BY_ROLE.get(user.role, "/"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("accounts.login"))
