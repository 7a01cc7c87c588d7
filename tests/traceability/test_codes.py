"""Stamp codes: random 65-bit Crockford base32, 13 characters, forgiving on input."""

from __future__ import annotations

import re

import pytest

from traceability import codes

CROCKFORD = re.compile(r"^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{13}$")


def test_codes_use_crockford_alphabet_and_are_13_characters_of_65_bits():
    assert codes.ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert not set("ILOU") & set(codes.ALPHABET)
    assert codes.LENGTH == 13 and codes.BITS == 65
    assert codes.encode(0) == "0" * 13 and codes.encode(2**65 - 1) == "Z" * 13
    for _ in range(1000):
        code = codes.new_code()
        assert CROCKFORD.match(code), code
        assert codes.encode(codes.decode(code)) == code


def test_100000_codes_are_unique_and_well_formed():
    batch = [codes.new_code() for _ in range(100_000)]
    assert len(set(batch)) == len(batch)
    assert all(CROCKFORD.match(code) for code in batch)
    assert len(set(codes.new_codes(10_000))) == 10_000


def test_consecutive_codes_are_unrelated():
    """Not sequential, not derived from one another: consecutive codes are far apart as
    numbers and differ in about half of their 65 bits, with no carried-over prefix."""
    values = [codes.decode(codes.new_code()) for _ in range(2001)]
    pairs = list(zip(values, values[1:], strict=False))
    distances = [bin(a ^ b).count("1") for a, b in pairs]
    mean = sum(distances) / len(distances)
    assert 30 <= mean <= 35, mean  # 32.5 expected for independent 65-bit values
    assert min(abs(a - b) for a, b in pairs) > 2**40
    same_first_chars = sum(codes.encode(a)[:3] == codes.encode(b)[:3] for a, b in pairs)
    assert same_first_chars <= 3  # 1 in 32768 per pair by chance
    # the top bit is as often set as not: codes cover the whole 65-bit space
    assert 800 < sum(v >> 64 for v in values) < 1200


@pytest.mark.parametrize("typed", ["7kq2m9xa4tb3z", "7KQ2-M9XA-4TB3Z", " 7KQ2M9XA4TB3Z\n",
                                   "7kq2-m9xa-4tb3z"])
def test_codes_are_case_insensitive_and_ignore_hyphens(typed):
    assert codes.normalize(typed) == "7KQ2M9XA4TB3Z"


def test_crockford_aliases_read_as_digits():
    assert codes.normalize("IL0OAAAAAAAAA") == "1100AAAAAAAAA"
    assert codes.normalize("il0oaaaaaaaaa") == "1100AAAAAAAAA"


@pytest.mark.parametrize("bad", ["", None, "../..", "7KQ2M9XA4TB3", "7KQ2M9XA4TB3ZZ", "7KQ2M9XA4TB3U",
                                 "7KQ2 M9XA4TB3Z", "A" * 10_000, "😀" * 13, "\x00" * 13,
                                 "７KQ2M9XA4TB3Z"])
def test_malformed_codes_normalise_to_none(bad):
    assert codes.normalize(bad) is None


def test_pretty_groups_the_printed_code():
    assert codes.pretty("7KQ2M9XA4TB3Z") == "7KQ2-M9XA-4TB3Z"
    assert codes.normalize(codes.pretty("7KQ2M9XA4TB3Z")) == "7KQ2M9XA4TB3Z"
