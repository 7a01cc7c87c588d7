"""Sign in and out (Flask-Login sessions), and the role guard for HTML views."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

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


def roles_required(*roles: str):
    """Only signed-in users with one of these roles; others are sent to /login or get 403."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
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
