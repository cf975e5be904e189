"""Bins that keep a rule's bounds (analysis.share_bins): edges, which ends a bin holds, placement."""

from __future__ import annotations

from fractions import Fraction

import pytest

from analysis import share_bins
from analysis.errors import ParameterError

HALF = share_bins.Bound(Fraction(50), strict=True)             # "more than 1/2"
TWO_THIRDS = share_bins.Bound(Fraction(200, 3), strict=False)  # "2/3 or more"


def test_bins_are_cut_at_every_bound_as_well():
    bins = share_bins.make_bins([HALF, TWO_THIRDS], width=10)
    assert [b.start for b in bins] == [0, 10, 20, 30, 40, 50, 60, Fraction(200, 3), 70, 80, 90]
    assert bins[-1].end == 100
    assert [b.zone for b in bins] == [0] * 5 + [1, 1] + [2] * 4


def test_a_strict_bound_belongs_to_the_bin_below_it():
    bins = share_bins.make_bins([HALF, TWO_THIRDS], width=10)
    below, above = bins[4], bins[5]  # 40–50, 50–60
    assert (below.start_included, below.end_included) == (True, True)
    assert (above.start_included, above.end_included) == (False, False)
    # "2/3 or more": the bin from 2/3 holds 2/3, the one before it does not
    assert (bins[6].end_included, bins[7].start_included) == (False, True)
    assert bins[-1].end_included  # 100 % is counted


def test_values_on_bounds_and_edges_fall_where_the_rule_says():
    bins = share_bins.make_bins([HALF, TWO_THIRDS], width=5)
    start = {n: b.start for n, b in enumerate(bins)}
    where = lambda value: start[share_bins.locate(value, bins)]  # noqa: E731
    assert where(Fraction(50)) == 45               # exactly half is not more than half
    assert where(Fraction(5001, 100)) == 50
    assert where(Fraction(200, 3)) == Fraction(200, 3)  # exactly 2/3 is "2/3 or more"
    assert where(Fraction(66)) == 65               # 66 % lies under the 2/3 line
    assert where(Fraction(55)) == 55 and where(0) == 0 and where(100) == 95
    assert where(Fraction(-3)) == 0 and where(Fraction(104)) == 95


def test_a_result_moves_a_rounded_share_to_its_side_of_the_line():
    bins = share_bins.make_bins([HALF], width=5)
    # 50.004 % printed as 50.0 with the result "more than half": drawn right of the line
    assert bins[share_bins.locate(50.0, bins, zone=1)].start == 50
    assert bins[share_bins.locate(50.0, bins, zone=0)].start == 45
    # a share and its result that agree are left where they are
    assert bins[share_bins.locate(71.5, bins, zone=1)].start == 70


def test_count_pairs_values_with_their_zones():
    bins = share_bins.make_bins([HALF], width=25)  # 0–25, 25–50, 50–75, 75–100
    assert share_bins.count([0, 50, 50, 80, 100], bins, zones=[0, 0, 1, 1, 1]) == [1, 1, 1, 2]
    assert share_bins.count([50.0], bins) == [0, 1, 0, 0]
    with pytest.raises(ValueError):
        share_bins.count([1, 2], bins, zones=[0])


@pytest.mark.parametrize("width", [0, 7, -5])
def test_a_width_that_does_not_divide_100_is_refused(width):
    with pytest.raises(ParameterError, match="chia hết 100"):
        share_bins.make_bins([], width=width)
