"""Notebook parameters: each bad value stops the report with a message in both languages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analysis.errors import ParameterError
from analysis.params import check_language, check_name, check_output_dir, check_path, convert, parse_date


def _bilingual(excinfo, name):
    message = str(excinfo.value)
    assert f"Tham số '{name}'" in message  # Vietnamese
    assert f"parameter '{name}'" in message  # English
    return message


def test_dates():
    assert parse_date("as_of", "2022-05-25") == dt.date(2022, 5, 25)
    assert parse_date("as_of", "") is None
    assert parse_date("as_of", None) is None
    assert parse_date("as_of", dt.date(2020, 1, 2)) == dt.date(2020, 1, 2)
    assert parse_date("as_of", dt.datetime(2020, 1, 2, 9)) == dt.date(2020, 1, 2)


@pytest.mark.parametrize("value", ["25/05/2022", "2022-5-25", "2022/05/25", "yesterday"])
def test_bad_date_format(value):
    with pytest.raises(ParameterError) as excinfo:
        parse_date("as_of", value)
    message = _bilingual(excinfo, "as_of")
    assert "yyyy-mm-dd" in message and value in message


def test_impossible_date():
    with pytest.raises(ParameterError) as excinfo:
        parse_date("as_of", "2022-02-30")
    assert "không tồn tại" in _bilingual(excinfo, "as_of")


def test_date_wrong_type():
    with pytest.raises(ParameterError) as excinfo:
        parse_date("as_of", 20220525)
    _bilingual(excinfo, "as_of")


def test_language():
    assert check_language("vi") == "vi"
    assert check_language("EN") == "en"
    for bad in ("fr", "", 1):
        with pytest.raises(ParameterError) as excinfo:
            check_language(bad)
        message = _bilingual(excinfo, "language")
        assert "vi" in message and "en" in message


def test_path(tmp_path):
    assert check_path("dataset_path", str(tmp_path)) == tmp_path.resolve()
    assert check_path("dataset_path", "x", base=tmp_path, must_exist=False) == tmp_path / "x"
    with pytest.raises(ParameterError) as excinfo:
        check_path("dataset_path", str(tmp_path / "missing"))
    assert "missing" in _bilingual(excinfo, "dataset_path")
    with pytest.raises(ParameterError) as excinfo:
        check_path("dataset_path", "")
    _bilingual(excinfo, "dataset_path")
    with pytest.raises(ParameterError):
        check_path("dataset_path", 3)


def test_output_dir(tmp_path):
    assert check_output_dir("") is None
    assert check_output_dir(str(tmp_path / "new")) == tmp_path / "new"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ParameterError) as excinfo:
        check_output_dir(str(tmp_path / "file"))
    _bilingual(excinfo, "output_dir")


def test_names():
    assert check_name("age_bands") == "age_bands"
    for bad in ("../x", "a b", "", "tên"):
        with pytest.raises(ParameterError) as excinfo:
            check_name(bad, "name")
        _bilingual(excinfo, "name")


@pytest.mark.parametrize(("value", "kind", "expected"), [
    ("3", int, 3), (4, int, 4), (5.0, int, 5), ("2,5", float, 2.5), (1, float, 1.0),
    ("true", bool, True), ("không", bool, False), (False, bool, False), ("x", str, "x"),
    ("2022-05-25", dt.date, dt.date(2022, 5, 25)),
])
def test_convert(value, kind, expected):
    assert convert("p", value, kind) == expected


def test_convert_empty_gives_default():
    assert convert("base", "", str, default="x") == "x"
    assert convert("n", None, int, default=7) == 7


@pytest.mark.parametrize(("value", "kind"), [
    ("x", int), (True, int), (2.5, int), ("abc", float), ("maybe", bool), (3, str), ("3/4/2020", dt.date),
])
def test_convert_wrong_type(value, kind):
    with pytest.raises(ParameterError) as excinfo:
        convert("p", value, kind)
    _bilingual(excinfo, "p")


def test_convert_choices():
    assert convert("base", "present", choices=["convened", "present"]) == "present"
    with pytest.raises(ParameterError) as excinfo:
        convert("base", "nobody", choices=["convened", "present"])
    assert "convened, present" in _bilingual(excinfo, "base")


def test_convert_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("d").mkdir()
    assert convert("base", "d", Path) == tmp_path / "d"
