"""CSV for Excel (BOM, formula-safe, numbers kept) and summary.json (plain JSON types)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from analysis.outputs import safe_cell, to_jsonable, write_csv, write_summary

BOM = b"\xef\xbb\xbf"


def _read_back(path):
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_csv_starts_with_bom_and_keeps_vietnamese(tmp_path):
    path = write_csv(pd.DataFrame({"họ_tên": ["Nguyễn Thị Hà"], "số": [1]}), tmp_path / "t.csv")
    raw = path.read_bytes()
    assert raw.startswith(BOM)
    assert raw.count(BOM) == 1
    assert "Nguyễn Thị Hà".encode() in raw
    assert _read_back(path).columns.tolist() == ["họ_tên", "số"]


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\rx", "=HYPERLINK(\"http://x\")",
                                  "-", "+84 912 345 678"])
def test_formula_cells_are_neutralised(tmp_path, cell):
    path = write_csv(pd.DataFrame({"a": [cell]}), tmp_path / "t.csv")
    assert _read_back(path)["a"][0] == "'" + cell


@pytest.mark.parametrize("cell", ["-3", "-1.5", "+2", "-0,75", "1e-3"])
def test_plain_numbers_written_as_text_stay_numbers(tmp_path, cell):
    path = write_csv(pd.DataFrame({"a": [cell]}), tmp_path / "t.csv")
    assert _read_back(path)["a"][0] == cell


def test_numeric_columns_keep_negative_numbers(tmp_path):
    df = pd.DataFrame({"n": [-1, 2], "x": [-0.5, 1.25], "i": pd.array([-7, None], dtype="Int64")})
    text = write_csv(df, tmp_path / "t.csv").read_bytes()[len(BOM):].decode()
    assert text.splitlines() == ["n,x,i", "-1,-0.5,-7", "2,1.25,"]


def test_headers_categories_and_missing_values(tmp_path):
    df = pd.DataFrame({"=bad": pd.Categorical(["=x", "ok"]), "d": pd.to_datetime(["2022-05-25", None])})
    back = _read_back(write_csv(df, tmp_path / "t.csv"))
    assert back.columns.tolist() == ["'=bad", "d"]
    assert back["'=bad"].tolist() == ["'=x", "ok"]
    assert back["d"].tolist() == ["2022-05-25", ""]


def test_safe_cell_leaves_other_values():
    assert safe_cell(5) == 5
    assert safe_cell(None) is None
    assert safe_cell("Bí thư") == "Bí thư"


def test_summary_json_plain_types(tmp_path):
    summary = {
        "as_of": dt.date(2022, 5, 25),
        "ts": pd.Timestamp("2021-05-01"),
        "people": np.int64(150),
        "women_pct": np.float64(25.5),
        "mean_age": float("nan"),
        "missing": pd.NA,
        "nat": pd.NaT,
        "ok": np.bool_(True),
        "name": "Huyện ủy Thường Tín",
        "nested": {"bands": pd.Series([1, 2], index=["a", "b"]), "list": [np.int32(3), None]},
    }
    path = write_summary(summary, tmp_path / "summary.json")
    text = path.read_text(encoding="utf-8")
    assert "Huyện ủy Thường Tín" in text  # ensure_ascii=False
    assert "NaN" not in text
    data = json.loads(text)
    assert data == {
        "as_of": "2022-05-25", "ts": "2021-05-01", "people": 150, "women_pct": 25.5,
        "mean_age": None, "missing": None, "nat": None, "ok": True, "name": "Huyện ủy Thường Tín",
        "nested": {"bands": [1, 2], "list": [3, None]},
    }


def test_to_jsonable_keeps_time_of_day():
    assert to_jsonable(pd.Timestamp("2021-05-01 10:30")) == "2021-05-01T10:30:00"
    assert to_jsonable(float("inf")) is None
