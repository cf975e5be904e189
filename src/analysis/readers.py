"""Reading the cells of one table from CSV, XLSX or Parquet, with the Excel row numbers.

A reader returns a :class:`RawTable`: the header cells as typed and the data cells, indexed by
the row number the user sees in Excel (CSV records are numbered the way Excel numbers them when
it opens the file). Fully empty rows are dropped without renumbering the others. A header row
need not be row 1: title rows above it ("DANH SÁCH CÁN BỘ …") are skipped when the header is
recognised (see :func:`find_header`).

Readers do not interpret values beyond what the file format says: strings are stripped (empty
means missing), Excel date cells stay datetimes (or become ``mm/yyyy`` / ``yyyy`` text when the
cell's format shows no day), Excel percentage cells become text like ``61.54%`` and whole numbers
formatted with leading zeros (``000``) text like ``007``, as Excel shows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from analysis import schema
from analysis.schema import fold
from analysis.validate import Problem, make_problem

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
HEADER_SCAN_ROWS = 20


class ReadError(Exception):
    """A table cannot be read; ``problem`` says why and where."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class RawTable:
    headers: list[str]  # as typed, stripped ("" for an empty header cell)
    data: pd.DataFrame  # columns 0..n-1 in header order; index = Excel row numbers ("excel_row")
    header_row: int
    sheet: str | None = None  # the sheet read, for a workbook


def _fail(code: str, path: Path, sheet: str | None = None, **kw) -> ReadError:
    return ReadError(make_problem(code, file=path, sheet=sheet, **kw))


# Cells -------------------------------------------------------------------------------------------

def _clean(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def find_header(cells: pd.DataFrame, known: set[str]) -> int | None:
    """Position (0-based, in ``cells``) of the header row: the first of the top rows with at least
    two recognised headers (one when the table has a single column), else the first row with two
    cells or more (a title row above the header usually has one), else the first non-empty row."""
    top = cells.iloc[:HEADER_SCAN_ROWS]
    first = wide = None
    for pos in range(len(top)):
        row = [v for v in top.iloc[pos].tolist() if v is not None and not (isinstance(v, float) and v != v)]
        if not row:
            continue
        first = pos if first is None else first
        wide = pos if wide is None and len(row) >= 2 else wide
        if sum(fold(v) in known for v in row) >= min(2, len(row)):
            return pos
    return wide if wide is not None else first


def _table_from_cells(cells: pd.DataFrame, known: set[str], path: Path, sheet: str | None) -> RawTable:
    """``cells``: every cell (objects, None for empty), index = Excel row numbers."""
    if len(cells):
        cells = cells[cells.notna().any(axis=1)]
    pos = find_header(cells, known) if len(cells) else None
    if pos is None:
        raise _fail("no_header", path, sheet)
    header_row = int(cells.index[pos])
    headers = ["" if v is None or (isinstance(v, float) and v != v) else _header_text(v)
               for v in cells.iloc[pos].tolist()]
    data = cells.iloc[pos + 1:]
    data.columns = range(data.shape[1])
    data.index = pd.Index(data.index.astype("int64"), name="excel_row")
    return RawTable(headers, data, header_row, sheet)


def _header_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


# CSV ---------------------------------------------------------------------------------------------

def _sniff_delimiter(text: str) -> str:
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _encoding_error(path: Path, raw: bytes, pos: int) -> ReadError:
    """Where the first byte that is not UTF-8 is: row, column (header) and the cell, shown as
    Windows-1258 text (the usual other encoding of Vietnamese files) so the user recognises it."""
    def line_at(start: int) -> bytes:
        end = raw.find(b"\n", start)
        return raw[start: None if end < 0 else end]

    def field(line: bytes, i: int) -> str | None:
        parts = line.split(delim)
        return parts[i].decode("cp1258", "replace").strip().strip('"') if i < len(parts) else None

    header = line_at(0)
    delim = _sniff_delimiter(header.decode("cp1258", "replace")).encode()
    start = raw.rfind(b"\n", 0, pos) + 1
    index = raw[start:pos].count(delim)
    try:
        raw.decode("cp1258")
        guess_vi, guess_en = " (có vẻ là Windows-1258/1252)", " (it looks like Windows-1258/1252)"
    except UnicodeDecodeError:
        guess_vi = guess_en = ""
    return _fail("encoding", path, row=raw[:pos].count(b"\n") + 1, column=field(header, index),
                 value=field(line_at(start), index), guess_vi=guess_vi, guess_en=guess_en)


def read_csv(path: Path, known: set[str]) -> RawTable:
    """CSV in UTF-8 (with or without the BOM Excel writes); comma, semicolon or tab separated."""
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail("encoding", path, guess_vi=" (đây là UTF-16)", guess_en=" (this is UTF-16)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, raw, exc.start) from None
    if not text.strip():
        raise _fail("no_header", path)
    delimiter = _sniff_delimiter(text)
    try:  # fast path: pandas' C parser; rows of uneven length go the slow way below
        cells = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=False)
        cells = cells.apply(lambda col: col.str.strip())
        cells = cells.where(cells != "")  # str dtype kept: an empty cell is missing
    except (pd.errors.ParserError, ValueError):
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise _fail("unreadable", path, error=str(exc)) from None
        width = max((len(r) for r in rows), default=0)
        cells = pd.DataFrame([[_clean(v) for v in r] + [None] * (width - len(r)) for r in rows],
                             columns=range(width), dtype=object)
    cells.index = cells.index + 1  # record 0 is Excel row 1
    return _table_from_cells(cells, known, path, None)


# XLSX --------------------------------------------------------------------------------------------

def _open_workbook(path: Path):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip, XML or format errors from openpyxl
        raise _fail("unreadable", path, error=f"{type(exc).__name__}: {exc}") from None


def sheet_names(path: Path) -> list[str]:
    wb = _open_workbook(path)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _date_precision_of_format(number_format: str) -> str:
    fmt = _FORMAT_LITERALS.sub("", number_format or "").lower()
    if "d" in fmt:
        return "day"
    if "m" in fmt and "y" in fmt:
        return "month"
    return "year" if "y" in fmt else "day"


def _percent_text(value: float) -> str:
    return f"{round(value * 100, 10):g}%"


def _cell_value(cell) -> object:
    value = getattr(cell, "value", None)
    if value is None:
        return None
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        precision = _date_precision_of_format(getattr(cell, "number_format", ""))
        if precision == "month":
            return f"{value.month:02d}/{value.year}"
        return str(value.year) if precision == "year" else value
    if isinstance(value, (int, float)):
        fmt = getattr(cell, "number_format", "") or ""
        if "%" in fmt:
            return _percent_text(value)
        if isinstance(value, int) and set(fmt) == {"0"}:  # an id shown with leading zeros: "007"
            return str(value).zfill(len(fmt))
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def _sheet_cells(ws) -> pd.DataFrame:
    rows = [[_cell_value(c) for c in row] for row in ws.iter_rows(min_row=1)]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [None] * (width - len(r)) for r in rows]
    cells = pd.DataFrame(rows, dtype=object, columns=range(width))
    cells.index = cells.index + 1
    return cells


def read_xlsx(path: Path, sheet: str | None, known: set[str], table: str | None = None) -> RawTable:
    """One sheet of a workbook; formulas give their cached values. When ``sheet`` is None: the sheet
    named after ``table`` (canonical or Vietnamese name), else the first sheet."""
    wb = _open_workbook(path)
    try:
        lookup = schema.sheet_lookup()
        name = sheet if sheet is not None else next(
            (n for n in wb.sheetnames if lookup.get(fold(n)) == table), wb.sheetnames[0])
        if name not in wb.sheetnames:
            raise _fail("sheet_missing", path, name=name, sheets=", ".join(wb.sheetnames))
        cells = _sheet_cells(wb[name])
    finally:
        wb.close()
    return _table_from_cells(cells, known, path, name)


def read_key_values(path: Path, sheet: str) -> list[tuple[int, object, object]]:
    """The ``(Excel row, key, value)`` rows of a two-column key/value sheet (empty rows skipped)."""
    wb = _open_workbook(path)
    try:
        cells = _sheet_cells(wb[sheet])
    finally:
        wb.close()
    out = []
    for row, values in cells.iterrows():
        values = [v for v in values.tolist()[:2]] + [None, None]
        if values[0] is None and values[1] is None:
            continue
        out.append((int(row), values[0], values[1]))
    return out


# Parquet -----------------------------------------------------------------------------------------

def read_parquet(path: Path) -> RawTable:
    """A Parquet file: its column names are the header (row 1), its rows are rows 2, 3, …"""
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds
        raise _fail("unreadable", path, error=f"{type(exc).__name__}: {exc}") from None
    headers = [_header_text(c) for c in frame.columns]
    data = frame.copy()
    data.columns = range(data.shape[1])
    for col in data.columns:
        if data[col].dtype == object or pd.api.types.is_string_dtype(data[col].dtype):
            data[col] = data[col].map(_clean, na_action="ignore")
    data.index = pd.Index(range(2, len(data) + 2), name="excel_row", dtype="int64")
    if len(data):
        data = data[data.notna().any(axis=1)]
    return RawTable(headers, data, 1)


def read_table(path: Path, sheet: str | None, known: set[str], table: str) -> RawTable:
    """Read one table file (CSV, XLSX sheet or Parquet); raises :class:`ReadError`."""
    if not path.is_file():
        raise _fail("file_missing", path, table=table)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv(path, known)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, sheet, known, table)
    if suffix in PARQUET_SUFFIXES:
        return read_parquet(path)
    raise _fail("table_format", path)


# YAML and mapping.yml ----------------------------------------------------------------------------

def read_yaml(path: Path) -> tuple[Any, dict[str, int], list[Problem]]:
    """Load a YAML file; also the line of each top-level key."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except UnicodeDecodeError:
        return None, {}, [make_problem("encoding", file=path, guess_vi="", guess_en="")]
    except OSError as exc:
        return None, {}, [make_problem("unreadable", file=path, error=str(exc))]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, {}, [make_problem("yaml_error", file=path, row=mark.line + 1 if mark else None,
                                       error=getattr(exc, "problem", None) or str(exc))]
    rows = {}
    if isinstance(node, yaml.MappingNode):
        rows = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    return data, rows, []


@dataclass
class TableMapping:
    """One table's part of mapping.yml: header → canonical column (None: ignore the column) and,
    per column, value → canonical value (None: missing)."""

    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    file: Path | None = None  # mapping.yml, for problems

    def column(self, header: str) -> tuple[bool, str | None]:
        if header in self.columns:
            return True, self.columns[header]
        folded = {fold(k): v for k, v in self.columns.items()}
        return (True, folded[fold(header)]) if fold(header) in folded else (False, None)


def load_mapping(spec: str | dict | None, base: Path) -> tuple[dict[str, TableMapping], list[Problem], Path | None]:
    """The mapping of a dataset: ``spec`` is a path (relative to ``base``, the metadata file) or the
    mapping itself. Returns per-table mappings, problems, and the mapping file read (if any)."""
    file, problems = base, []
    if spec is None:
        return {}, [], None
    if isinstance(spec, str):
        file = Path(spec) if Path(spec).is_absolute() else base.parent / spec
        if not file.is_file():
            return {}, [make_problem("file_missing", file=file, table="mapping")], None
        spec, _, problems = read_yaml(file)
        if problems:
            return {}, problems, file
    bad = lambda where, detail: make_problem("mapping_bad", file=file, column=where, detail=detail)  # noqa: E731
    if not isinstance(spec, dict):
        return {}, [bad(None, "expected 'table: {columns: …, values: …}'")], file
    lookup, out = schema.sheet_lookup(), {}
    for key, part in spec.items():
        table = lookup.get(fold(key))
        if table not in schema.TABLES:
            problems.append(make_problem("unknown_table", file=file, column=str(key), tables=", ".join(schema.TABLES)))
            continue
        if not isinstance(part, dict) or not set(part) <= {"columns", "values"}:
            problems.append(bad(str(key), "expected the keys 'columns' and/or 'values'"))
            continue
        tm = TableMapping(file=file)
        columns, values = part.get("columns") or {}, part.get("values") or {}
        if not isinstance(columns, dict) or not isinstance(values, dict):
            problems.append(bad(str(key), "'columns' and 'values' must be mappings"))
            continue
        canon = schema.COLUMNS[table]
        for header, target in columns.items():
            if target is not None and str(target) not in canon:
                problems.append(make_problem("mapping_unknown_column", file=file, column=f"{key}.columns.{header}",
                                             value=target, table=table, target=target, columns=", ".join(canon)))
                continue
            tm.columns[str(header)] = None if target is None else str(target)
        for column, pairs in values.items():
            if not isinstance(pairs, dict):
                problems.append(bad(f"{key}.values.{column}", "expected 'value as typed: canonical value'"))
                continue
            spec_col = canon.get(str(column))
            for typed, target in pairs.items():
                if spec_col is not None and spec_col.codes and target is not None and str(target) not in spec_col.codes:
                    problems.append(make_problem(
                        "mapping_unknown_code", file=file, column=f"{key}.values.{column}", value=typed,
                        target=target, canonical=column, codes=", ".join(spec_col.codes)))
                    continue
                tm.values.setdefault(str(column), {})[str(typed)] = None if target is None else str(target)
        out[table] = tm
    return out, problems, file


# Cell values -------------------------------------------------------------------------------------

def excel_letter(i: int) -> str:
    """Excel's name of the 0-based column ``i``: 0 → A, 26 → AA."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def text_value(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, pd.Timestamp)) and (v.hour, v.minute, v.second) == (0, 0, 0):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y")
    return str(v).strip() or None


def map_distinct(s: pd.Series, fn) -> pd.Series:
    """``s.map(fn)`` calling ``fn`` once per distinct value (columns repeat their values)."""
    values = pd.unique(s.dropna().to_numpy())
    return s.map({v: fn(v) for v in values}) if len(values) else s.astype(object)


def as_text(s: pd.Series) -> pd.Series:
    """A column as ``str`` dtype: numbers without a spurious ``.0``, dates as dd/mm/yyyy."""
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        return s
    return map_distinct(s, text_value).astype("str")


def apply_values(s: pd.Series, pairs: dict[str, str | None]) -> pd.Series:
    """Replace values as typed (exact, else folded) by the mapping's values; None → missing."""
    text = as_text(s)
    folded = {fold(k): v for k, v in pairs.items()}
    exact = text.isin(list(pairs))
    by_fold = ~exact & text.notna() & map_distinct(text, fold).isin(list(folded))
    if not (exact.any() or by_fold.any()):
        return s
    out = s.astype(object).copy()
    out[exact] = text[exact].map(pairs)
    out[by_fold] = map_distinct(text[by_fold], fold).map(folded)
    return out.where(out.notna(), None)
