"""Percentages counted into bins that keep a rule's bounds.

A distribution chart draws a rule's thresholds as lines (1/2, 2/3). Plain bins of 5 points put a
share of exactly 50 % ("not more than half") right of the 1/2 line, and 65 % with 68 % in one bar
across the 2/3 line. Here the bins are cut at every bound as well, a share on a bound lies on the
side the rule puts it (a strict bound, "more than", keeps its own value below it), and a share whose
result says otherwise (a percentage rounded onto the line) is moved to the nearest bin on its
result's side: no bar straddles a line, and no one is drawn on the wrong side of it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from analysis.errors import ParameterError


@dataclass(frozen=True)
class Bound:
    """A threshold in percentage points; ``strict``: the rule says "more than" (the value is below)."""

    value: Fraction
    strict: bool


@dataclass(frozen=True)
class Bin:
    """Percentage points from ``start`` to ``end``; ``zone``: how many bounds lie at or below its start."""

    start: Fraction
    end: Fraction
    start_included: bool
    end_included: bool
    zone: int


def bound(value: Fraction | float | str, strict: bool) -> Bound:
    """A :class:`Bound` at ``value`` percentage points (exact: ``Fraction(200, 3)`` for 2/3)."""
    return Bound(Fraction(str(value)) if isinstance(value, float) else Fraction(value), strict)


def make_bins(bounds: Iterable[Bound] = (), width: int = 5) -> list[Bin]:
    """Bins of ``width`` points from 0 to 100, also cut at every bound strictly inside (0, 100)."""
    if width <= 0 or 100 % width:
        raise ParameterError(f"Độ rộng khoảng phải chia hết 100 / bin width must divide 100: {width}")
    cuts = sorted({b.value: b for b in bounds}.values(), key=lambda b: b.value)
    strict = {b.value for b in cuts if b.strict}
    edges = sorted({Fraction(n) for n in range(0, 101, width)} | {b.value for b in cuts if 0 < b.value < 100})
    bins = []
    for start, end in zip(edges, edges[1:]):
        bins.append(Bin(start=start, end=end,
                        start_included=start not in strict or start == 0,
                        end_included=end in strict or end == 100,
                        zone=sum(1 for b in cuts if b.value <= start)))
    return bins


def locate(value: Fraction | float, bins: Sequence[Bin], zone: int | None = None) -> int:
    """The index of the bin ``value`` falls in (values outside 0–100 in the first or last bin).

    With ``zone`` (how many bounds the value's own result is beyond), a value that lands in a bin
    of another zone goes to the nearest bin of its zone.
    """
    return _locate(value, bins, [b.start for b in bins], zone)


def _locate(value: Fraction | float, bins: Sequence[Bin], starts: list[Fraction], zone: int | None) -> int:
    value = value if isinstance(value, Fraction) else Fraction(str(value))
    index = min(max(bisect_right(starts, value) - 1, 0), len(bins) - 1)
    if index > 0 and value == bins[index].start and not bins[index].start_included:
        index -= 1
    if zone is not None and bins[index].zone != zone:
        same = [n for n, b in enumerate(bins) if b.zone == zone]
        if same:
            index = same[0] if bins[index].zone < zone else same[-1]
    return index


def count(values: Iterable[Fraction | float], bins: Sequence[Bin],
          zones: Iterable[int | None] | None = None) -> list[int]:
    """How many of ``values`` fall in each bin (see :func:`locate`); ``zones`` pairs with ``values``."""
    counts = [0] * len(bins)
    starts = [b.start for b in bins]  # once, not per value
    values = list(values)
    for value, zone in zip(values, zones if zones is not None else [None] * len(values), strict=True):
        counts[_locate(value, bins, starts, zone)] += 1
    return counts
