"""Percentages the way published tables print them: two decimals, rounded half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
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
    """Element-wise :func:`percent` (pairs by position), as a Float64 Series (<NA> where undefined).

    Same result as :func:`percent`, in integer arithmetic over whole columns: ``count × 100 / base``
    in units of 10^-places, rounded half away from zero, then one float division (exact to the
    nearest double, as ``float(Decimal)`` is).
    """
    if not isinstance(bases, pd.Series):
        bases = pd.Series(bases, index=counts.index)
    count = pd.array(counts.to_numpy(), dtype="Int64")
    base = pd.array(bases.to_numpy(), dtype="Int64")
    undefined = np.asarray((count.isna() | base.isna() | (base == 0)).fillna(True), dtype=bool)
    c = count.to_numpy(dtype="int64", na_value=0)
    b = base.to_numpy(dtype="int64", na_value=1)
    b[b == 0] = 1
    units = np.abs(c) * (100 * 10**places)
    rounded = (2 * units + np.abs(b)) // (2 * np.abs(b))
    rounded = np.where((c < 0) != (b < 0), -rounded, rounded)
    values = pd.array(rounded / 10**places, dtype="Float64")
    values[undefined] = pd.NA
    return pd.Series(values, index=counts.index)
