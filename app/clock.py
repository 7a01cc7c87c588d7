"""The one place that knows what time and what business day it is.

Business dates are local dates in Asia/Ho_Chi_Minh, never UTC (DOMAIN §3): at 17:30 UTC
it is already the next day in Vietnam. Tests freeze time with time-machine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's business date in Vietnam."""
    return datetime.now(LOCAL_TZ).date()


def local(dt: datetime) -> datetime:
    """An instant shown in Vietnamese local time (naive datetimes are taken as UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(LOCAL_TZ)
