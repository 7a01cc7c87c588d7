"""Sign in and out (Flask-Login sessions). Bad logins are limited per address and per
account (10 a minute each), counted in the storage every worker shares (app/ratelimit.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts.forms import LoginForm, PasswordForm
from app.accounts.models import User
from app.accounts.services import authenticate_password, change_own_password, end_sessions
from app.errors import DomainError
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
    """The session names `<id>:<session version>` (User.get_id); a cookie whose version is
    not the user's current one (logged out, password changed, deactivated) signs no one in."""
    from app.audit import set_actor

    ident, _sep, version = user_id.partition(":")
    if not (ident.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_version != int(version):
        return None
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
            db.session.commit()  # an old password hash may have been upgraded
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or HOME_BY_ROLE.get(user.role, "/"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # A copy of this session cookie (another tab, a stolen one) dies with it.
        end_sessions(db.session, current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10/minute", methods=["POST"])
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_own_password(db.session, current_user._get_current_object(), current=form.current.data,
                                new=form.new.data)
        except DomainError as err:
            db.session.rollback()
            form.current.errors.append(_("Mật khẩu hiện tại không đúng.")
                                       if err.code == "wrong_password" else err.message)
        else:
            db.session.commit()
            # This browser stays signed in (with the new version); every other session ends.
            login_user(current_user._get_current_object())
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."), "success")
            return redirect(HOME_BY_ROLE.get(current_user.role, "/"))
    return render_template("accounts/password.html", form=form), 422 if form.errors else 200
