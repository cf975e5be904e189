"""Dates in every form the data contract accepts, keeping how precise each one is.

``parse_dates(values)`` turns a column of whatever people typed or Excel stored into three
aligned Series: the date (``datetime64[ns]``; the first day of the period when only a month or a
year is known), its precision (``day`` | ``month`` | ``year``; ``<NA>`` when missing) and a flag
for values that are not a date at all or cannot exist (``31/02/2000``).

Accepted forms (surrounding spaces ignored; an empty cell is missing, not bad):

====================================  ==========  ==============================================
form                                  precision   examples
====================================  ==========  ==============================================
``d/m/yyyy`` (also ``-`` or ``.``)    day         ``06/08/1955``, ``6/8/1955``, ``6-8-1955``
``yyyy-mm-dd`` (also ``/``)           day         ``1955-08-06``, ``1955-8-6``
ISO timestamp                         day         ``1955-08-06T00:00:00``, ``1955-08-06 07:30``
``m/yyyy`` (also ``-`` or ``.``)      month       ``08/1955``, ``8/1955``
``yyyy-mm``                           month       ``1955-08``
``yyyy``                              year        ``1955``
Excel date cell (date/datetime)       day         a cell formatted as a date
a number 1800–2200                    year        an Excel number cell holding ``1955``
any other number                      day         Excel serial day number (``20307`` = 06/08/1955)
====================================  ==========  ==============================================

Two-digit years, month names and anything else are bad. The time of a timestamp is dropped
(the date is taken as written, whatever the time zone).
"""

from __future__ import annotations

import datetime as dt
import numbers

import numpy as np
import pandas as pd

DAY, MONTH, YEAR = "day", "month", "year"
PRECISIONS = (DAY, MONTH, YEAR)

# Numbers in this range are years typed into a number cell, not Excel serial days (serial 1955
# is 08/05/1905: no one in a planning pool was born then).
YEAR_NUMBER_RANGE = (1800, 2200)
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 1 = 1900-01-01 in Excel's (leap-bug) system
MAX_EXCEL_SERIAL = 2_958_465  # 31/12/9999

_SEP = r"\s*[/.\-]\s*"
# Each pattern gives named groups y, m, d (m and d optional).
_PATTERNS: tuple[tuple[str, str], ...] = (
    (DAY, rf"^(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}}){_SEP}(?P<y>\d{{4}})$"),
    (DAY, r"^(?P<y>\d{4})[/\-](?P<m>\d{1,2})[/\-](?P<d>\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+\-]\d{2}:?\d{2})?)?$"),
    (MONTH, rf"^(?P<m>\d{{1,2}}){_SEP}(?P<y>\d{{4}})$"),
    (MONTH, r"^(?P<y>\d{4})-(?P<m>\d{1,2})$"),
    (YEAR, r"^(?P<y>\d{4})$"),
)


def _empty_result(index: pd.Index) -> tuple[pd.Series, pd.Series, pd.Series]:
    return (
        pd.Series(pd.NaT, index=index, dtype="datetime64[ns]"),
        pd.Series(np.nan, index=index, dtype="str"),
        pd.Series(False, index=index, dtype=bool),
    )


def _from_parts(y: pd.Series, m: pd.Series, d: pd.Series) -> pd.Series:
    """Vectorised date from year/month/day strings; NaT when the date cannot exist."""
    parts = pd.DataFrame(
        {
            "year": pd.to_numeric(y, errors="coerce"),
            "month": pd.to_numeric(m, errors="coerce"),
            "day": pd.to_numeric(d, errors="coerce"),
        }
    )
    # datetime64[ns] holds 1677-09-21 .. 2262-04-11: whole years inside that span only.
    parts.loc[(parts["year"] < 1678) | (parts["year"] > 2261), "year"] = np.nan
    if parts.empty:
        return pd.Series(pd.NaT, index=y.index, dtype="datetime64[ns]")
    out = pd.to_datetime(parts, errors="coerce")
    return out.astype("datetime64[ns]")


def _parse_text(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates and precisions of stripped, non-empty strings (NaT / NA where no form matches)."""
    dates = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    precision = pd.Series(np.nan, index=text.index, dtype="str")
    todo = pd.Series(True, index=text.index)
    for prec, pattern in _PATTERNS:
        if not todo.any():
            break
        parts = text[todo].str.extract(pattern)
        hit = parts["y"].notna()
        if not hit.any():
            continue
        parts = parts[hit]
        month = parts["m"] if "m" in parts else pd.Series("1", index=parts.index)
        day = parts["d"] if "d" in parts else pd.Series("1", index=parts.index)
        dates.loc[parts.index] = _from_parts(parts["y"], month.fillna("1"), day.fillna("1"))
        precision.loc[parts.index] = prec
        todo.loc[parts.index] = False
    precision[dates.isna()] = np.nan
    return dates, precision


def _parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Years (1800–2200, whole numbers) or Excel serial day numbers."""
    num = pd.to_numeric(values, errors="coerce").astype("float64")
    dates = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    precision = pd.Series(np.nan, index=values.index, dtype="str")
    lo, hi = YEAR_NUMBER_RANGE
    is_year = (num == np.floor(num)) & (num >= lo) & (num <= hi)
    if is_year.any():
        years = num[is_year].astype("int64").astype(str)
        ones = pd.Series("1", index=years.index)
        dates[is_year] = _from_parts(years, ones, ones)
        precision[is_year] = YEAR
    is_serial = ~is_year & (num >= 1) & (num <= MAX_EXCEL_SERIAL)
    if is_serial.any():
        days = np.floor(num[is_serial]).astype("int64")
        try:
            serial = EXCEL_EPOCH + pd.to_timedelta(days, unit="D")
            dates[is_serial] = serial.astype("datetime64[ns]")
        except (OverflowError, pd.errors.OutOfBoundsDatetime, pd.errors.OutOfBoundsTimedelta):
            for i, n in days.items():  # rare: some serials beyond year 2262
                try:
                    dates[i] = EXCEL_EPOCH + pd.Timedelta(days=int(n))
                except (OverflowError, pd.errors.OutOfBoundsDatetime, pd.errors.OutOfBoundsTimedelta):
                    pass
        precision[is_serial & dates.notna()] = DAY
    return dates, precision


def _to_ns(value: object) -> pd.Timestamp | None:
    try:
        ts = pd.Timestamp(value)
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        return ts.normalize().as_unit("ns")
    except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return None


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a column of dates in any accepted form (see the module docstring).

    Returns ``(dates, precision, bad)`` aligned on ``values.index``: ``dates`` is
    ``datetime64[ns]`` (NaT when missing or bad), ``precision`` a ``str`` Series of
    ``day``/``month``/``year`` (missing when the date is), ``bad`` a bool Series, True where a value
    was given but is not a possible date.
    """
    values = pd.Series(values)
    index = values.index
    dates, precision, bad = _empty_result(index)
    if values.empty:
        return dates, precision, bad

    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        d = values
        if getattr(d.dt, "tz", None) is not None:
            d = d.dt.tz_localize(None)
        d = d.dt.normalize().astype("datetime64[ns]")
        precision[d.notna()] = DAY
        return d, precision, bad
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        given = values.notna()
        dates, precision = _parse_numbers(values)
        return dates, precision, given & dates.isna()

    # Columns repeat values (and parsing is per value): parse each distinct value once.
    given = values.notna().to_numpy()
    obj = values.astype(object).to_numpy()
    distinct = pd.Series(pd.unique(obj[given]), dtype=object)
    d, p, b = _parse_objects(distinct)
    pos = pd.Index(distinct, dtype=object).get_indexer(obj[given])
    dates[given] = d.to_numpy()[pos]
    precision[given] = p.to_numpy()[pos]
    bad[given] = b.to_numpy()[pos]
    return dates, precision, bad


def _parse_objects(obj: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The general case: a column of strings, numbers and date objects mixed."""
    dates, precision, bad = _empty_result(obj.index)
    kinds = obj.map(_kind)
    given = kinds != "missing"

    text_mask = kinds == "text"
    if text_mask.any():
        text = obj[text_mask].astype(str).str.strip()
        blank = text == ""
        given[text[blank].index] = False
        text = text[~blank]
        d, p = _parse_text(text)
        dates[text.index] = d
        precision[text.index] = p

    num_mask = kinds == "number"
    if num_mask.any():
        d, p = _parse_numbers(obj[num_mask])
        dates[d.index] = d
        precision[p.index] = p

    date_mask = kinds == "date"
    if date_mask.any():
        converted = obj[date_mask].map(_to_ns)
        ok = converted.notna()
        dates[converted[ok].index] = pd.to_datetime(converted[ok]).astype("datetime64[ns]")
        precision[converted[ok].index] = DAY

    bad = given & dates.isna()
    return dates, precision, bad


def _kind(value: object) -> str:
    if value is None or value is pd.NaT or value is pd.NA:
        return "missing"
    if isinstance(value, float) and np.isnan(value):
        return "missing"
    if isinstance(value, (dt.date, np.datetime64)):  # datetime and Timestamp are dates too
        return "date"
    if isinstance(value, bool):
        return "text"  # True/False is not a date: reported as bad
    if isinstance(value, numbers.Number):
        return "number"
    return "text"


def parse_date(value: object) -> tuple[pd.Timestamp | None, str | None]:
    """One value: ``(timestamp or None, precision or None)``; raises ValueError when bad."""
    dates, precision, bad = parse_dates(pd.Series([value], dtype=object))
    if bad.iloc[0]:
        raise ValueError(f"not a date: {value!r}")
    if pd.isna(dates.iloc[0]):
        return None, None
    return dates.iloc[0], precision.iloc[0]
