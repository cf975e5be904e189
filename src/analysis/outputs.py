"""Files a report leaves beside its HTML: CSV tables people open in Excel, and `summary.json`.

CSV: UTF-8 with a byte-order mark (so Excel shows Vietnamese correctly) and formula-safe: a text
cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run by Excel as a
formula (CSV injection), so it gets a leading apostrophe. Numbers are left alone, including plain
negative numbers written as text ("-3", "-1.5").

JSON: plain types only — dates as ISO strings, NaN/NA/NaT as null, numpy scalars as Python numbers,
non-ASCII kept readable.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def safe_cell(value: Any) -> Any:
    """``value`` made inert for spreadsheets: text that Excel would evaluate gets a leading ``'``.

    Non-text values and plain numbers written as text ("-12", "+3.5") are returned unchanged.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if _PLAIN_NUMBER.match(value):
        return value
    return "'" + value


def _safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    columns = {}
    for i in range(df.shape[1]):
        column = df.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)):
            # text (and mixed) columns; numbers and dates cannot carry a formula
            column = pd.Series([safe_cell(v) for v in column], index=column.index, dtype=object)
        columns[i] = column
    out = pd.concat(columns, axis=1) if columns else pd.DataFrame(index=df.index)
    out.columns = [safe_cell(str(c)) for c in df.columns]
    return out


def write_csv(df: pd.DataFrame, path: str | Path, index: bool = False) -> Path:
    """Write ``df`` as a formula-safe CSV in UTF-8 with BOM; return the path.

    Missing values are empty cells; the index is written only when ``index`` is true.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = df.reset_index() if index else df
    _safe_frame(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path


def to_jsonable(value: Any) -> Any:
    """``value`` converted to plain JSON types (recursively)."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating, Decimal)):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None and value == value.normalize():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return to_jsonable(pd.Timestamp(value)) if not np.isnat(value) else None
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def write_summary(summary: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``summary`` as pretty, UTF-8 JSON (dates ISO, NaN → null); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_jsonable(summary), ensure_ascii=False, indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path
