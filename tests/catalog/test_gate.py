"""The certificate gate (DOMAIN §3), table-driven, and proof that the set-based queries (the
list query, the reasons of many products) agree with the one-product function on every case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.clock import today
from catalog.gate import (
    CERTIFICATE_EXPIRED,
    CERTIFICATE_REVOKED,
    NO_CERTIFICATE,
    PRODUCER_INACTIVE,
    UNPUBLISHED,
    NotListable,
    certificate_status,
    current_certificate,
    default_valid_until,
    is_valid_on,
    listability,
    listable_products,
    refused_products,
    require_listable,
)
from catalog.models import Certificate, Product
from tests.factories import make_certificate, make_producer, make_product

D = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("issued_on", "valid_until"),
    [
        (date(2024, 3, 15), date(2027, 3, 14)),
        (date(2024, 1, 31), date(2027, 1, 30)),
        (date(2024, 2, 29), date(2027, 2, 27)),
        (date(2023, 12, 31), date(2026, 12, 30)),
        (date(2025, 7, 1), date(2028, 6, 30)),
    ],
)
def test_default_term_is_36_months_minus_one_day(issued_on, valid_until):
    assert default_valid_until(issued_on) == valid_until


def cert(issued_on, valid_until=None, revoked_on=None, stars=4, id=1):
    return Certificate(id=id, issued_on=issued_on, valid_until=valid_until or default_valid_until(issued_on),
                       revoked_on=revoked_on, stars=stars, score={3: 60, 4: 80, 5: 95}[stars])


@pytest.mark.parametrize(
    ("case", "certificate", "on", "valid", "status"),
    [
        ("valid all day on valid_until", cert(date(2023, 11, 23), date(2026, 11, 23)), D, True, "valid"),
        ("invalid the next day", cert(date(2023, 11, 23), date(2026, 11, 22)), D, False, "expired"),
        ("valid on issued_on", cert(D), D, True, "valid"),
        ("future issued_on not yet valid", cert(D + timedelta(days=1)), D, False, "not_yet_valid"),
        ("revoked from revoked_on inclusive", cert(date(2025, 1, 1), revoked_on=D), D, False, "revoked"),
        ("valid the day before revocation", cert(date(2025, 1, 1), revoked_on=D + timedelta(days=1)), D,
         True, "valid"),
        ("revoked after expiry counts from revoked_on",
         cert(date(2022, 1, 1), date(2024, 12, 31), revoked_on=date(2024, 6, 1)), D, False, "revoked"),
    ],
)
def test_certificate_validity_table(case, certificate, on, valid, status):
    assert is_valid_on(certificate, on) is valid, case
    assert certificate_status(certificate, on) == status, case


def test_upgrade_certificate_wins_while_both_are_valid():
    old = cert(date(2024, 5, 1), stars=3, id=1)
    upgrade = cert(date(2025, 9, 1), stars=4, id=2)
    assert current_certificate([old, upgrade], D) is upgrade
    assert current_certificate([upgrade, old], D) is upgrade


def test_same_day_certificates_prefer_more_stars():
    three = cert(date(2025, 9, 1), stars=3, id=5)
    five = cert(date(2025, 9, 1), stars=5, id=4)
    assert current_certificate([three, five], D) is five


def test_local_date_trap_1730_utc_is_already_tomorrow_in_vietnam(db_session, freeze):
    product = make_product(certified=False)
    make_certificate(product, issued_on=date(2023, 11, 23), valid_until=date(2026, 11, 22))
    freeze(datetime(2026, 11, 22, 16, 59, tzinfo=UTC))  # 23:59 in Hà Nội
    assert today() == date(2026, 11, 22)
    assert listability(product).listable
    freeze(datetime(2026, 11, 22, 17, 30, tzinfo=UTC))  # 00:30 on the 23rd in Hà Nội
    assert today() == date(2026, 11, 23)
    verdict = listability(product)
    assert not verdict.listable
    assert verdict.reason == CERTIFICATE_EXPIRED


# --- reasons, in DOMAIN's order ------------------------------------------------------------

def build_cases():
    """Products covering every rule; returns {name: product}. Dates relative to D."""
    cases = {}
    cases["listable"] = make_product(certified=False)
    make_certificate(cases["listable"], issued_on=date(2025, 1, 10))

    cases["ends_today"] = make_product(certified=False)
    make_certificate(cases["ends_today"], issued_on=date(2023, 11, 24), valid_until=D)

    cases["ended_yesterday"] = make_product(certified=False)
    make_certificate(cases["ended_yesterday"], issued_on=date(2023, 11, 23),
                     valid_until=D - timedelta(days=1))

    cases["revoked_today"] = make_product(certified=False)
    make_certificate(cases["revoked_today"], issued_on=date(2025, 1, 1), revoked_on=D)

    cases["revoked_tomorrow"] = make_product(certified=False)
    make_certificate(cases["revoked_tomorrow"], issued_on=date(2025, 1, 1),
                     revoked_on=D + timedelta(days=1))

    cases["not_yet_valid"] = make_product(certified=False)
    make_certificate(cases["not_yet_valid"], issued_on=D + timedelta(days=3))

    cases["no_certificate"] = make_product(certified=False)

    cases["upgraded"] = make_product(certified=False)
    make_certificate(cases["upgraded"], issued_on=date(2024, 5, 1), stars=3)
    make_certificate(cases["upgraded"], issued_on=date(2025, 9, 1), stars=4)

    cases["old_revoked_new_valid"] = make_product(certified=False)
    make_certificate(cases["old_revoked_new_valid"], issued_on=date(2022, 1, 1),
                     revoked_on=date(2023, 1, 1))
    make_certificate(cases["old_revoked_new_valid"], issued_on=date(2025, 2, 1))

    cases["old_revoked_latest_expired"] = make_product(certified=False)
    make_certificate(cases["old_revoked_latest_expired"], issued_on=date(2020, 1, 1),
                     revoked_on=date(2020, 6, 1))
    make_certificate(cases["old_revoked_latest_expired"], issued_on=date(2021, 1, 1))

    cases["old_expired_latest_revoked"] = make_product(certified=False)
    make_certificate(cases["old_expired_latest_revoked"], issued_on=date(2020, 1, 1))
    make_certificate(cases["old_expired_latest_revoked"], issued_on=date(2024, 1, 1),
                     revoked_on=date(2025, 6, 1))

    cases["unpublished_and_revoked"] = make_product(certified=False, published=False)
    make_certificate(cases["unpublished_and_revoked"], issued_on=date(2025, 1, 1),
                     revoked_on=date(2025, 2, 1))

    cases["unpublished_valid"] = make_product(published=False)

    inactive = make_producer(active=False)
    cases["producer_inactive_unpublished_revoked"] = make_product(inactive, certified=False,
                                                                  published=False)
    make_certificate(cases["producer_inactive_unpublished_revoked"], issued_on=date(2025, 1, 1),
                     revoked_on=date(2025, 3, 1))
    return cases


EXPECTED_ON_D = {
    "listable": (True, None),
    "ends_today": (True, None),
    "ended_yesterday": (False, CERTIFICATE_EXPIRED),
    "revoked_today": (False, CERTIFICATE_REVOKED),
    "revoked_tomorrow": (True, None),
    "not_yet_valid": (False, NO_CERTIFICATE),
    "no_certificate": (False, NO_CERTIFICATE),
    "upgraded": (True, None),
    "old_revoked_new_valid": (True, None),
    "old_revoked_latest_expired": (False, CERTIFICATE_EXPIRED),
    "old_expired_latest_revoked": (False, CERTIFICATE_REVOKED),
    "unpublished_and_revoked": (False, UNPUBLISHED),
    "unpublished_valid": (False, UNPUBLISHED),
    "producer_inactive_unpublished_revoked": (False, PRODUCER_INACTIVE),
}


def test_listability_and_reason_order(db_session):
    cases = build_cases()
    for name, product in cases.items():
        verdict = listability(product, D)
        assert (verdict.listable, verdict.reason) == EXPECTED_ON_D[name], name


def test_upgraded_product_shows_the_newer_certificates_stars(db_session):
    cases = build_cases()
    assert listability(cases["upgraded"], D).certificate.stars == 4


def test_non_listable_product_still_shows_its_latest_certificate(db_session):
    cases = build_cases()
    verdict = listability(cases["ended_yesterday"], D)
    assert verdict.certificate is not None
    assert certificate_status(verdict.certificate, D) == "expired"


def test_require_listable_raises_not_listable_with_the_reason(db_session):
    cases = build_cases()
    with pytest.raises(NotListable) as err:
        require_listable(cases["revoked_today"], D)
    assert err.value.code == "not_listable"
    assert err.value.status == 409
    assert err.value.details["reason"] == CERTIFICATE_REVOKED
    assert require_listable(cases["listable"], D).product_id == cases["listable"].id


def test_refused_products_gives_each_reason_in_one_query(db_session, count_queries):
    cases = build_cases()
    ids = [product.id for product in cases.values()] + [2_000_000_000]   # an unknown id
    with count_queries() as counter:
        refused = refused_products(db_session, ids, D)
    assert counter.count == 1
    by_name = {name: refused.get(product.id) for name, product in cases.items()}
    assert by_name == {name: reason for name, (_, reason) in EXPECTED_ON_D.items()}
    assert 2_000_000_000 not in refused
    assert refused_products(db_session, [], D) == {}


def _assert_query_agrees(session, on):
    products = session.scalars(select(Product)).all()
    by_function = {}
    for product in products:
        verdict = listability(product, on)
        if verdict.listable:
            by_function[product.id] = verdict.certificate.id
    by_query = {p.id: c.id for p, c in session.execute(listable_products(on)).all()}
    assert by_query == by_function, on
    reasons = {p.id: listability(p, on).reason for p in products if p.id not in by_function}
    assert refused_products(session, [p.id for p in products], on) == reasons, on


@pytest.mark.parametrize("offset", [-400, -1, 0, 1, 3, 30, 365, 800])
def test_list_query_agrees_with_the_function_on_every_case(db_session, offset):
    build_cases()
    _assert_query_agrees(db_session, D + timedelta(days=offset))


def test_list_query_agrees_with_the_function_on_the_demo_data(db_session):
    from app.demo import seed_all

    seed_all(db_session)
    for offset in (-1, 0, 1, 29, 61, 400):
        _assert_query_agrees(db_session, today() + timedelta(days=offset))


# --- The timeline the list query reads stays true through any history (Hypothesis) -------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

BASE = date(2025, 1, 1)
day = st.integers(min_value=0, max_value=2_000).map(lambda n: BASE + timedelta(days=n))
operation = st.one_of(
    st.tuples(st.just("issue"), day, st.sampled_from([3, 4, 5]),
              st.one_of(st.none(), st.integers(min_value=0, max_value=1_500))),
    st.tuples(st.just("revoke"), st.integers(min_value=0, max_value=9), st.integers(0, 900)),
    st.tuples(st.just("deactivate")),
    st.tuples(st.just("activate")),
    st.tuples(st.just("unpublish")),
    st.tuples(st.just("publish")),
)


def _apply(session, product, op) -> None:
    kind = op[0]
    if kind == "issue":
        _, issued_on, stars, days = op
        valid_until = None if days is None else issued_on + timedelta(days=days)
        make_certificate(product, stars=stars, issued_on=issued_on, valid_until=valid_until)
    elif kind == "revoke":
        live = [c for c in product.certificates if c.revoked_on is None]
        if live:
            cert = live[op[1] % len(live)]
            cert.revoked_on = cert.issued_on + timedelta(days=op[2])
            cert.revoke_reason = "Vi phạm"
    elif kind in ("deactivate", "activate"):
        product.producer.active = kind == "activate"
    else:
        product.published = kind == "publish"
    session.flush()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories=st.lists(st.lists(operation, max_size=8), min_size=1, max_size=3),
       dates=st.lists(day, min_size=1, max_size=6))
def test_list_query_agrees_with_the_function_after_any_history(db_session, histories, dates):
    """Random issue/revoke/upgrade/deactivate/unpublish sequences on random dates: the
    precomputed timeline answers every date exactly as `listability()` does."""
    savepoint = db_session.begin_nested()
    try:
        for history in histories:
            product = make_product(certified=False)
            for op in history:
                _apply(db_session, product, op)
        # Random dates, and every date where the answer may turn (each edge and its eve).
        edges = {edge + timedelta(days=shift)
                 for cert in db_session.scalars(select(Certificate))
                 for edge in (cert.issued_on, cert.valid_until, cert.revoked_on) if edge
                 for shift in (-1, 0, 1)}
        for on in sorted(set(dates) | edges):
            _assert_query_agrees(db_session, on)
    finally:
        savepoint.rollback()
        db_session.expunge_all()  # ids are reused by the next example
