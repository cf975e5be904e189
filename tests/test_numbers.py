"""Percentages as published tables print them: exact, two decimals, half rounded up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.numbers import percent, percent_series, round_half_up


def test_percent_rounds_half_up_exactly():
    assert percent(1, 3) == 33.33
    assert percent(2, 3) == 66.67
    assert percent(1, 800) == 0.13  # 0.125: half goes up, not to even
    assert percent(3, 800) == 0.38  # 0.375
    assert percent(1, 1600) == 0.06  # 0.0625
    assert percent(-1, 800) == -0.13  # half away from zero
    assert percent(1, 0) is None and percent(None, 5) is None


def test_round_half_up_avoids_binary_surprises():
    assert round_half_up(2.675) == 2.68  # round(2.675, 2) == 2.67: the float is just below
    assert round_half_up(1.005) == 1.01  # round(1.005, 2) == 1.0
    assert round_half_up(0.125) == 0.13  # round(0.125, 2) == 0.12: halves to even
    assert round_half_up(None) is None


def test_percent_series_pairs_by_position_and_marks_undefined():
    counts = pd.Series([1, 2, 1, 5, None, 7], index=[10, 11, 12, 13, 14, 15], dtype="Int64")
    bases = pd.Series([3, 3, 800, 0, 4, None], index=[0, 1, 2, 3, 4, 5], dtype="Int64")
    got = percent_series(counts, bases)
    assert str(got.dtype) == "Float64"
    assert list(got.index) == [10, 11, 12, 13, 14, 15]
    assert got.iloc[:3].tolist() == [33.33, 66.67, 0.13]
    assert got.iloc[3:].isna().all()


def test_percent_series_with_one_base():
    got = percent_series(pd.Series([1, 3, 0]), 8)
    assert got.tolist() == [12.5, 37.5, 0.0]


@pytest.mark.parametrize("places", [0, 1, 2, 3])
def test_percent_series_agrees_with_percent(places):
    rng = np.random.default_rng(places)
    bases = rng.integers(-50, 5000, size=4000)
    counts = rng.integers(-10, 5000, size=4000)
    # many exact halves: count × 100 / base ending in 5 at the rounding place
    counts[:500], bases[:500] = rng.integers(0, 100, size=500) * 2 + 1, 8 * 10**places
    got = percent_series(pd.Series(counts), pd.Series(bases), places)
    want = [percent(int(c), int(b), places) for c, b in zip(counts, bases)]
    assert [None if pd.isna(g) else g for g in got] == want


def test_percent_series_refuses_a_fractional_count():
    with pytest.raises(TypeError):
        percent_series(pd.Series([1.5]), 3)
