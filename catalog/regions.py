"""The 2025 administrative units (34 provinces, communes/wards) from `vietnam-provinces`."""

from __future__ import annotations

from functools import lru_cache

from vietnam_provinces import Province, Ward

from app.errors import InvalidInput


@lru_cache(maxsize=1)
def provinces() -> dict[int, str]:
    """Province code → name, sorted by name."""
    items = sorted(Province.iter_all(), key=lambda p: p.name)
    return {int(p.code): p.name for p in items}


def province_name(code: int) -> str:
    return provinces().get(int(code), str(code))


@lru_cache(maxsize=4096)
def ward_name(code: int) -> str | None:
    try:
        return Ward.from_code(int(code)).name
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _ward_province(code: int) -> int | None:
    try:
        return int(Ward.from_code(int(code)).province_code)
    except ValueError:
        return None


def validate_location(province_code: int, ward_code: int | None = None) -> None:
    """Raise InvalidInput unless the province exists and the ward (if any) lies in it."""
    if int(province_code) not in provinces():
        raise InvalidInput(f"Unknown province code {province_code} (use a 2025 province code).",
                           code="invalid_province")
    if ward_code is not None:
        in_province = _ward_province(ward_code)
        if in_province is None:
            raise InvalidInput(f"Unknown ward code {ward_code}.", code="invalid_ward")
        if in_province != int(province_code):
            raise InvalidInput(
                f"Ward {ward_code} is not in province {province_code}.", code="invalid_ward"
            )


class Located:
    """Names of the 2025 units for anything with `province_code` and `ward_code` attributes
    (producers, sales points, the trace page's plain rows)."""

    @property
    def province_name(self) -> str:
        return province_name(self.province_code)

    @property
    def ward_name(self) -> str | None:
        return ward_name(self.ward_code) if self.ward_code else None
