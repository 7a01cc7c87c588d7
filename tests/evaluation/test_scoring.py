"""The council's arithmetic (DOMAIN §11): mean of the members' totals, one decimal, half up."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.extensions import db
from evaluation import scoring, services


@pytest.mark.parametrize(
    ("totals", "shown", "whole", "stars"),
    [
        ((71, 68, 74), "71.0", 71, 4),
        ((69, 70, 70), "69.7", 70, 4),
        ((69, 69, 70), "69.3", 69, 3),
        ((49, 50), "49.5", 50, 3),
        ((89, 90, 90), "89.7", 90, 5),
        ((29, 30), "29.5", 30, 2),
    ],
)
def test_score_is_the_mean_of_totals_rounded_half_up(totals, shown, whole, stars):
    mean = scoring.mean(list(totals))
    assert scoring.shown(mean) == shown
    assert scoring.whole(mean) == whole
    assert scoring.band(whole) == stars


def test_rounding_is_from_the_exact_mean():
    assert scoring.whole(Fraction(6945, 100)) == 69
    assert scoring.shown(Fraction(6945, 100)) == "69.5"


def test_mandatory_fails_when_more_than_half_give_zero():
    assert scoring.failed_mandatory({"C2": 2, "A1": 1}, 3) == ["C2"]
    assert scoring.failed_mandatory({"C2": 2}, 4) == []  # half is not more than half
    assert scoring.ranked_stars(88, ["C2"]) is None
    assert scoring.ranked_stars(49, []) is None
    assert scoring.ranked_stars(88, []) == 4


def test_three_members_71_68_74_rank_the_product_4_stars(world):
    dossier = world.dossier("in_council")
    for member, total in zip(world.members, (71, 68, 74), strict=True):
        world.score(dossier, member, total)
    res = services.result(dossier)
    assert res.complete and res.totals == [71, 68, 74]
    assert (res.shown, res.score, res.stars, res.mandatory_failed) == ("71.0", 71, 4, [])


def test_69_70_70_gives_69_7_and_4_stars(world):
    dossier = world.dossier("in_council")
    for member, total in zip(world.members, (69, 70, 70), strict=True):
        world.score(dossier, member, total)
    res = services.result(dossier)
    assert (res.shown, res.score, res.stars) == ("69.7", 70, 4)


def test_88_points_with_a_failed_mandatory_criterion_is_not_ranked(world):
    dossier = world.dossier("in_council")
    mandatory = "C2. Tiêu chuẩn sản phẩm, an toàn"
    world.score(dossier, world.members[0], 88, zero=[mandatory])
    world.score(dossier, world.members[1], 88, zero=[mandatory])
    world.score(dossier, world.members[2], 88)
    res = services.result(dossier)
    assert res.score == 88 and res.band == 4
    assert res.mandatory_failed == [mandatory]
    assert res.stars is None


def test_one_zero_of_three_on_a_mandatory_criterion_is_not_a_failure(world):
    dossier = world.dossier("in_council")
    mandatory = "C2. Tiêu chuẩn sản phẩm, an toàn"
    world.score(dossier, world.members[0], 80, zero=[mandatory])
    world.score(dossier, world.members[1], 80)
    world.score(dossier, world.members[2], 80)
    assert services.result(dossier).stars == 4
    db.session.flush()
