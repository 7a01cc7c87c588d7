"""Access helpers for HTML views: the role guard. (The API's bearer-token guard is
`app.api.authenticate`.)"""

from __future__ import annotations

import functools

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles: str):
    """Only signed-in users with one of these roles; others are sent to /login or get 403."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper.roles = roles  # who may call it; read by the access tests (tests/app)
        return wrapper

    return decorator
