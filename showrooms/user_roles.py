"""What a sales-point user is attached to when created (registered with
`app.accounts.services.register_role_binder`: accounts knows nothing of sales points)."""

from __future__ import annotations

from app.accounts.services import register_role_binder
from app.errors import InvalidInput
from showrooms.points import get_sales_point


def bind_sales_point(session, user, options: dict) -> None:
    code = options.get("sales_point_code")
    if not code:
        raise InvalidInput("A sales-point user needs --sales-point CODE.", code="sales_point_required")
    user.sales_point = get_sales_point(session, code)


register_role_binder("sales_point", bind_sales_point)
