"""The arithmetic of a council's ranking (DOMAIN §2, §11), kept pure so it is tested alone.

Score of a product = the arithmetic mean of the members' totals, shown with one decimal and
rounded half up to a whole point for the star band and the certificate
(71, 68, 74 → 71.0 → 71 → 4★; 69, 70, 70 → 69.7 → 70 → 4★). A mandatory criterion is
failed when more than half of the members give it zero; a product with a failed mandatory
criterion is not ranked 3★ or more.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import floor

# DOMAIN §2 bands, inclusive lower bounds.
BANDS = ((90, 5), (70, 4), (50, 3), (30, 2), (0, 1))


def mean(totals: list[int]) -> Fraction:
    if not totals:
        raise ValueError("no totals to average")
    return Fraction(sum(totals), len(totals))


def shown(value: Fraction) -> str:
    """One decimal, half up: 209/3 → '69.7'."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def whole(value: Fraction) -> int:
    """Half up to a whole point, from the exact mean: 69.5 → 70, 69.45 → 69."""
    return floor(value + Fraction(1, 2))


def band(score: int) -> int:
    """The stars of a whole score by DOMAIN §2's table (1★–5★)."""
    for low, stars in BANDS:
        if score >= low:
            return stars
    return 1


def failed_mandatory(zero_counts: dict[str, int], members: int) -> list[str]:
    """Mandatory criteria (by name) that more than half of the members scored zero."""
    return sorted(name for name, zeros in zero_counts.items() if zeros * 2 > members)


def ranked_stars(score: int, mandatory_failed: list[str]) -> int | None:
    """The stars a certificate may carry: None unless ranked 3★ or more."""
    stars = band(score)
    if mandatory_failed or stars < 3:
        return None
    return stars
