"""Every date form of the data contract, with its precision; bad and impossible dates flagged."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analysis.dates import parse_date, parse_dates

T = pd.Timestamp


@pytest.mark.parametrize(
    "text, expected, precision",
    [
        ("06/08/1955", T("1955-08-06"), "day"),
        ("6/8/1955", T("1955-08-06"), "day"),  # single digits, as in the public lists
        ("03/4/1987", T("1987-04-03"), "day"),
        ("6-8-1955", T("1955-08-06"), "day"),
        ("06.08.1955", T("1955-08-06"), "day"),
        (" 06/08/1955 ", T("1955-08-06"), "day"),
        ("1955-08-06", T("1955-08-06"), "day"),
        ("1955-8-6", T("1955-08-06"), "day"),
        ("1955/08/06", T("1955-08-06"), "day"),
        ("2016-05-22T10:30:00", T("2016-05-22"), "day"),
        ("2016-05-22T23:30:00+07:00", T("2016-05-22"), "day"),  # the date as written
        ("2016-05-22 00:00:00", T("2016-05-22"), "day"),
        ("2016-05-22T10:30:00.123Z", T("2016-05-22"), "day"),
        ("29/02/2000", T("2000-02-29"), "day"),
        ("08/1955", T("1955-08-01"), "month"),
        ("8/1955", T("1955-08-01"), "month"),
        ("1955-08", T("1955-08-01"), "month"),
        ("1955", T("1955-01-01"), "year"),
    ],
)
def test_text_forms(text, expected, precision):
    assert parse_date(text) == (expected, precision)


@pytest.mark.parametrize(
    "text",
    ["31/02/2000", "29/02/1900", "32/01/2000", "00/01/2000", "13/1955", "06/13/1955", "1955-13-01",
     "06/08/55", "abc", "Đóng", "1955.5", "0195", "1/1/0001", "12345678", "True"],
)
def test_bad_and_impossible_dates(text):
    dates, precision, bad = parse_dates(pd.Series([text]))
    assert bad.tolist() == [True]
    assert dates.isna().all() and precision.isna().all()
    with pytest.raises(ValueError):
        parse_date(text)


def test_missing_is_not_bad():
    values = pd.Series(["", "   ", None, np.nan, pd.NaT], dtype=object)
    dates, precision, bad = parse_dates(values)
    assert dates.isna().all() and precision.isna().all()
    assert not bad.any()
    assert parse_date("") == (None, None)


def test_excel_cells_datetime_and_date_objects():
    values = pd.Series([dt.datetime(1970, 1, 2, 5, 30), dt.date(1980, 3, 4), T("1990-12-31 23:59")], dtype=object)
    dates, precision, bad = parse_dates(values)
    assert dates.tolist() == [T("1970-01-02"), T("1980-03-04"), T("1990-12-31")]
    assert precision.tolist() == ["day"] * 3
    assert not bad.any()


def test_excel_serial_numbers_and_year_numbers():
    # Serial 20307 is 06/08/1955 in Excel's 1900 system (Excel shows it when formatted as a date).
    values = pd.Series([20307, 20307.75, 1955, 2016.0, None])
    dates, precision, bad = parse_dates(values)
    assert dates.tolist()[:4] == [T("1955-08-06"), T("1955-08-06"), T("1955-01-01"), T("2016-01-01")]
    assert precision.tolist()[:4] == ["day", "day", "year", "year"]
    assert pd.isna(dates.iloc[4]) and not bad.any()
    # Nullable integer columns (Parquet) and negative numbers
    dates, precision, bad = parse_dates(pd.Series([44000, None, -5], dtype="Int64"))
    assert dates.iloc[0] == T("2020-06-18") and bad.tolist() == [False, False, True]


def test_mixed_column_keeps_index_and_dtypes():
    values = pd.Series(["6/8/1955", dt.datetime(1960, 1, 1), 1970, "08/1980", "x", None],
                       index=[2, 3, 4, 6, 7, 9], dtype=object)
    dates, precision, bad = parse_dates(values)
    assert dates.dtype == "datetime64[ns]"
    assert pd.api.types.is_string_dtype(precision.dtype)
    assert bad.dtype == bool
    assert list(dates.index) == [2, 3, 4, 6, 7, 9]
    assert precision.tolist()[:4] == ["day", "day", "year", "month"]
    assert bad.tolist() == [False, False, False, False, True, False]


def test_datetime_column_passes_through():
    values = pd.Series(pd.to_datetime(["2000-01-01 10:00", None]))
    dates, precision, bad = parse_dates(values)
    assert dates.dtype == "datetime64[ns]"
    assert dates.iloc[0] == T("2000-01-01") and pd.isna(dates.iloc[1])
    assert precision.iloc[0] == "day" and pd.isna(precision.iloc[1])


def test_empty_series():
    dates, precision, bad = parse_dates(pd.Series([], dtype=object))
    assert len(dates) == len(precision) == len(bad) == 0
    assert dates.dtype == "datetime64[ns]"


def test_vectorised_on_a_large_column():
    values = pd.Series(["06/08/1955", "1955", "08/1955", "31/02/2000"] * 25_000)
    dates, precision, bad = parse_dates(values)
    assert bad.sum() == 25_000
    assert (precision == "year").sum() == 25_000


def test_missing_values_between_given_ones_stay_missing():
    values = pd.Series([None, "03/1999", np.nan, "03/1999", "", "1955"], dtype=object)
    dates, precision, bad = parse_dates(values)
    assert dates.isna().tolist() == [True, False, True, False, True, False]
    assert precision.tolist()[1::2] == ["month", "month", "year"]
    assert not bad.any()
    dates, _, _ = parse_dates(pd.Series([None, "03/1999"], dtype="str"))
    assert pd.isna(dates.iloc[0]) and dates.iloc[1] == T("1999-03-01")
