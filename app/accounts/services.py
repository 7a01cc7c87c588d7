"""Account rules: creating users, checking passwords, issuing and resolving API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import ROLES, ApiToken, User
from app.errors import Conflict, InvalidInput, NotFound

# What a new user of a role is attached to (a producer, a sales point, a ward) is known by
# the domain packages; they register a binder here (the arrow points from the domain to
# accounts, never back). A binder checks its option and sets the user's column, or raises.
RoleBinder = Callable[[Session, "User", dict], None]
_ROLE_BINDERS: dict[str, RoleBinder] = {}


def register_role_binder(role: str, binder: RoleBinder) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    _ROLE_BINDERS[role] = binder


TOKEN_PREFIX = "ocop_"  # noqa: S105 — a visible prefix, not a secret
MIN_PASSWORD = 8


# email_validator refuses the special-use `.local` names outright; demo and intranet
# accounts use them (admin@ocop.local), so a plain ASCII one is accepted as it is.
_LOCAL_ADDRESS = re.compile(r"[a-z0-9._+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.local")


def normalize_email(email: str) -> str:
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as err:
        if _LOCAL_ADDRESS.fullmatch(email.strip().lower()):
            return email.strip().lower()
        raise InvalidInput(f"Invalid email address: {err}", code="invalid_email") from None


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    producer_tax_code: str | None = None,
    sales_point_code: str | None = None,
    name: str | None = None,
    ward_code: int | None = None,
) -> User:
    """A user with one role; a producer user belongs to one producer, a sales-point user to
    one sales point (CONTRACT §2)."""
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.", code="invalid_role")
    email = normalize_email(email)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"The password needs at least {MIN_PASSWORD} characters.",
                           code="weak_password")
    if session.scalar(select(User).where(User.email == email)):
        raise Conflict(f"A user with email {email} already exists.", code="email_taken")
    user = User(email=email, password_hash=generate_password_hash(password), role=role, name=name)
    binder = _ROLE_BINDERS.get(role)
    if binder is not None:
        binder(session, user, {"producer_tax_code": producer_tax_code,
                               "sales_point_code": sales_point_code, "ward_code": ward_code})
    session.add(user)
    session.flush()
    return user


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, email: str, name: str | None = None) -> str:
    """Create an API token for the user; returns the clear token (stored hashed only)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user with email {email}.", code="unknown_user")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=_hash_token(token), name=name))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    return row.user
