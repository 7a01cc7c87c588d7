"""Builders for fairs, booths and bookings (beside tests/factories.py)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from app.clock import today
from app.extensions import db
from showrooms import fairs
from tests.factories import make_user

_seq = itertools.count(1)


def grid(count: int = 4, *, prefix: str = "B", w: float = 3, h: float = 3, price: int = 1_500_000,
         zone: str | None = "Khu ẩm thực") -> list[fairs.BoothSpec]:
    """`count` booths in a row, side by side (touching, never overlapping)."""
    return [fairs.BoothSpec(f"{prefix}{i + 1}", i * w, 0, w, h, price, zone) for i in range(count)]


def make_organizer():
    return make_user("organizer")


def make_fair(organizer=None, *, booths=None, starts_in: int = 10, days: int = 5, **overrides):
    """A published fair starting in `starts_in` days, bookable from today."""
    n = next(_seq)
    start = today() + timedelta(days=starts_in)
    values = {
        "name": f"Tuần lễ OCOP thử {n}",
        "starts_on": start,
        "ends_on": start + timedelta(days=days - 1),
        "venue": "Quảng trường Đinh Tiên Hoàng",
        "province_code": 37,
        "kind": "ocop_week",
        "bank_bin": "970436",
        "bank_account": "0011004455667",
        "bank_account_name": "TT XUC TIEN THUONG MAI NINH BINH",
    }
    values.update(overrides)
    return fairs.create_fair(db.session, organizer or make_organizer(),
                             booths=grid() if booths is None else booths, **values)
