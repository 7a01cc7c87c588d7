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
MIN_PASSWORD = 10
MAX_PASSWORD = 200  # what the forms accept
# werkzeug's scrypt (memory-hard); hashes made earlier (pbkdf2) still check, and are
# replaced by a scrypt hash at the user's next sign-in.
HASH_METHOD = "scrypt"


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
    check_password_strength(password)
    if session.scalar(select(User).where(User.email == email)):
        raise Conflict(f"A user with email {email} already exists.", code="email_taken")
    user = User(email=email, password_hash=hash_password(password), role=role, name=name)
    binder = _ROLE_BINDERS.get(role)
    if binder is not None:
        binder(session, user, {"producer_tax_code": producer_tax_code,
                               "sales_point_code": sales_point_code, "ward_code": ward_code})
    session.add(user)
    session.flush()
    return user


def check_password_strength(password: str) -> None:
    """Every password set anywhere (CLI, forms, demo) has at least MIN_PASSWORD characters."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"The password needs at least {MIN_PASSWORD} characters "
                           f"(this one has {len(password)}).", code="weak_password")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"The password may have at most {MAX_PASSWORD} characters.",
                           code="weak_password")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    if not user.password_hash.startswith(HASH_METHOD + ":"):
        user.password_hash = hash_password(password)  # an older hash, upgraded while we know the password
        session.flush()
    return user


def end_sessions(session: Session, user: User) -> None:
    """Every session cookie issued to the user so far stops working (logout, password change,
    deactivation): the version they carry no longer matches."""
    user.session_version = User.session_version + 1
    session.flush()
    session.refresh(user, ["session_version"])


def end_producer_sessions(session: Session, producer_id: int) -> int:
    """The sessions of every user of a producer end (the office deactivated the producer)."""
    users = session.scalars(select(User).where(User.producer_id == producer_id)).all()
    for user in users:
        end_sessions(session, user)
    return len(users)


def set_password(session: Session, user: User, password: str) -> User:
    """A new password (at least MIN_PASSWORD characters); every existing session ends."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    end_sessions(session, user)
    return user


def change_own_password(session: Session, user: User, *, current: str, new: str) -> User:
    """The signed-in user's own change: the current password first."""
    if not check_password_hash(user.password_hash, current):
        raise InvalidInput("The current password is not right.", code="wrong_password")
    return set_password(session, user, new)


def set_user_active(session: Session, user: User, *, active: bool) -> bool:
    """Deactivate (sessions and sign-in refused at once) or reactivate a user; False when
    nothing changed."""
    if user.active == active:
        return False
    user.active = active
    if not active:
        end_sessions(session, user)
    session.flush()
    return True


def get_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user with email {email}.", code="unknown_user")
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
