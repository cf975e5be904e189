"""Percentages the way published tables print them: two decimals, rounded half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

TWO_PLACES = Decimal("0.01")


def round_half_up(value: float | Decimal | None, places: int = 2) -> float | None:
    """Round ``value`` half up (12.345 → 12.35), avoiding binary-float surprises."""
    if value is None or pd.isna(value):
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def percent(count: int | None, base: int | None, places: int = 2) -> float | None:
    """``count / base`` as a percentage rounded half up, computed exactly; None when undefined."""
    if count is None or base is None or pd.isna(count) or pd.isna(base) or int(base) == 0:
        return None
    exact = Decimal(int(count)) * 100 / Decimal(int(base))
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def percent_series(counts: pd.Series, bases: pd.Series | int, places: int = 2) -> pd.Series:
    """Element-wise :func:`percent`, as a float Series (NaN where undefined)."""
    if not isinstance(bases, pd.Series):
        bases = pd.Series(bases, index=counts.index)
    values = [percent(c, b, places) for c, b in zip(counts, bases)]
    return pd.Series(values, index=counts.index, dtype="Float64")
