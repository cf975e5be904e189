"""Loading a dataset: a folder with ``dataset.yml``, or one Excel workbook; see ``data/README.md``.

``read_dataset(path)`` never raises for bad data: it returns the dataset (None when its metadata
cannot be read) and every problem found, reading and validation alike. ``load_dataset(path)``
returns a clean dataset or raises :class:`DatasetError` carrying every problem.
``read_meta(path)`` reads only the metadata (cheap: no table is read). ``set_after_load``: a hook
run on every dataset read before anyone sees it (the pseudonyms of `analysis.privacy`).

Canonical form (docs/design.md): tables keyed by canonical name, columns renamed to canonical
names (unknown extra columns kept as typed), index = the Excel row number (``excel_row``), ids and
text as ``str`` ("007" stays "007"), counts ``Int64``, dates ``datetime64[ns]`` plus
``<column>_precision``, codes mapped to canonical values (unknown ones kept as typed and reported).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from analysis import config, readers, schema
from analysis.dates import parse_date, parse_dates
from analysis.errors import DatasetError
from analysis.schema import fold
from analysis.validate import ERROR, Problem, at, ballots_kind, check_dataset, format_problems, make_problem, trust_kind

ID_PATTERN = r"^[a-z0-9-]+$"
META_KEYS = ("id", "name", "level", "regime", "as_of", "terms", "tables", "mapping", "parent", "description")
# Vietnamese keys accepted on a workbook's `dataset` sheet (compared folded).
META_KEY_ALIASES = {
    "id": ("ma", "ma bo du lieu"), "name": ("ten", "ten bo du lieu", "ten don vi"), "level": ("cap",),
    "regime": ("quy dinh", "bo quy dinh"), "as_of": ("ngay tinh", "tinh den ngay", "ngay tham chieu"),
    "terms": ("nhiem ky",), "tables": ("bang", "cac bang"), "mapping": ("anh xa",),
    "parent": ("cap tren", "don vi cap tren"), "description": ("mo ta", "ghi chu"),
}
LEVEL_ALIASES = {"xa": "commune", "phuong": "commune", "cap xa": "commune", "huyen": "district",
                 "cap huyen": "district", "tinh": "province", "cap tinh": "province",
                 "trung uong": "central", "khac": "other"}
TERM_KIND_ALIASES = {"dang": "party", "cap uy": "party", "chinh quyen": "government", "hdnd": "government",
                     "ubnd": "government", "nha nuoc": "government"}
PEOPLE_ONLY_OTHERS = ("planning", "ballots", "trust_votes")


# Metadata ----------------------------------------------------------------------------------------

class Term(BaseModel):
    """A term the pool is planned for; ``start`` is the first day of its start month."""

    label: str
    kind: Literal[schema.TERM_KINDS]
    start: dt.date

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, v):
        return str(v).strip()

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v):
        return TERM_KIND_ALIASES.get(fold(v), str(v).strip().lower())

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v):  # the first day of the month
        if isinstance(v, dt.date):
            return dt.date(v.year, v.month, 1)
        ts, precision = parse_date(str(v))
        if ts is None or precision == "year":
            raise ValueError(f"'{v}' is not a month (yyyy-mm or mm/yyyy)")
        return dt.date(ts.year, ts.month, 1)


def parse_terms(text: str) -> list[dict]:
    """``"2025-2030 party 2025-06; 2026-2031 government 2026-03"`` → term dicts (YAML accepted too)."""
    text = text.strip()
    if text[:1] in "[{-":
        return yaml.safe_load(text)
    terms = []
    for part in filter(None, (p.strip() for p in text.replace("\n", ";").split(";"))):
        words = part.split()
        if len(words) < 3:
            raise ValueError(f"'{part}': expected 'label kind start'")
        terms.append({"label": words[0], "kind": " ".join(words[1:-1]), "start": words[-1]})
    return terms


def known_regimes() -> list[str]:
    """Regimes shipped with the package: rule files ``rules/<regime>.yml`` marked ``kind: regime``."""
    from analysis.rules import available_regimes

    return available_regimes(Path(config.RULES_DIR))


class DatasetMeta(BaseModel):
    """The metadata of a dataset (``dataset.yml`` or a workbook's ``dataset`` sheet)."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    level: Literal[schema.LEVELS]
    regime: str
    as_of: dt.date
    terms: list[Term] = []
    tables: dict[str, Any] = {}
    mapping: str | dict | None = None
    parent: str | None = Field(default=None, pattern=ID_PATTERN)
    description: str | None = None

    @field_validator("id", "name", "regime", "parent", "description", mode="before")
    @classmethod
    def _text(cls, v):
        return v if v is None else str(v).strip()

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, v):
        return LEVEL_ALIASES.get(fold(v), str(v).strip().lower())

    @field_validator("regime")
    @classmethod
    def _regime(cls, v, info: ValidationInfo):
        if v.lower().endswith((".yml", ".yaml")):  # a rule file of one's own, relative to the metadata
            base = (info.context or {}).get("base")
            path = Path(v) if Path(v).is_absolute() or base is None else Path(base) / v
            if not path.is_file():
                raise ValueError(f"no rule file '{v}'")
            return str(path.resolve())
        if v not in known_regimes():
            raise ValueError(f"unknown regime '{v}'")
        return v

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of(cls, v):
        if isinstance(v, dt.date):
            return v.date() if isinstance(v, dt.datetime) else v
        ts, precision = parse_date(str(v))
        if ts is None or precision != "day":
            raise ValueError("not a day")
        return ts.date()

    @field_validator("terms", mode="before")
    @classmethod
    def _terms(cls, v):
        if v is None:
            return []
        return parse_terms(v) if isinstance(v, str) else v


@dataclass
class MetaSource:
    """Where the metadata was read: a YAML file, or a workbook sheet; ``rows`` gives each key's row."""

    file: Path
    sheet: str | None = None
    rows: dict[str, int] = field(default_factory=dict)
    raw: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, code: str, key: str | None = None, value: Any = None, **fmt) -> Problem:
        return make_problem(code, file=self.file, sheet=self.sheet, row=self.rows.get(key) if key else None,
                            column=key, value=value, **fmt)


def _sheet_meta(book: Path, sheet: str) -> MetaSource:
    """Key/value rows of a workbook's ``dataset`` sheet (keys in English or Vietnamese)."""
    keys = {fold(k): k for k in META_KEYS} | {a: k for k, aliases in META_KEY_ALIASES.items() for a in aliases}
    src = MetaSource(book, sheet)
    for row, key, value in readers.read_key_values(book, sheet):
        if key is None:
            continue
        name = keys.get(fold(key))
        if name is None and not src.raw and fold(key) in ("key", "khoa", "muc", "truong", "thong tin"):
            continue  # a "key | value" header row
        name = name or str(key)
        if name in ("tables", "mapping") and isinstance(value, str) and (":" in value or value[:1] in "{["):
            try:
                value = yaml.safe_load(value)
            except yaml.YAMLError as exc:
                src.problems.append(make_problem("yaml_error", file=book, sheet=sheet, row=row, column=name,
                                                 error=getattr(exc, "problem", None) or str(exc)))
                continue
        src.raw[name], src.rows[name] = value, row
    return src


def _locate_meta(path: Path) -> tuple[MetaSource | None, Path | None, list[Problem]]:
    """The metadata source and, for a workbook dataset, the workbook."""
    if not path.exists():
        return None, None, [make_problem("path_missing", file=path)]
    if path.is_dir():
        path = next((f for f in (path / "dataset.yml", path / "dataset.yaml") if f.is_file()), path)
        if path.is_dir():
            return None, None, [make_problem("meta_missing", file=path, stem="dataset")]
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        data, rows, problems = readers.read_yaml(path)
        if problems:
            return None, None, problems
        if not isinstance(data, dict):
            return None, None, [make_problem("bad_meta_value", file=path, detail="not a key: value mapping")]
        return MetaSource(path, None, rows, {str(k): v for k, v in data.items()}), None, []
    if suffix not in readers.XLSX_SUFFIXES:
        return None, None, [make_problem("unknown_format", file=path)]
    try:
        sheets = readers.sheet_names(path)
    except readers.ReadError as exc:
        return None, path, [exc.problem]
    lookup = schema.sheet_lookup()
    meta_sheet = next((n for n in sheets if lookup.get(fold(n)) == "dataset"), None)
    if meta_sheet is not None:
        return _sheet_meta(path, meta_sheet), path, []
    for yml in (path.with_suffix(".yml"), path.with_suffix(".yaml"), path.parent / "dataset.yml"):
        if yml.is_file():
            src, _, problems = _locate_meta(yml)
            return src, path, problems
    return None, path, [make_problem("meta_missing", file=path, stem=path.stem)]


def _build_meta(src: MetaSource) -> tuple[DatasetMeta | None, list[Problem]]:
    problems = list(src.problems)
    problems += [src.problem("unknown_key", key=k, value=v, keys=", ".join(META_KEYS))
                 for k, v in src.raw.items() if k not in META_KEYS]
    try:
        data = {k: v for k, v in src.raw.items() if k in META_KEYS}
        return DatasetMeta.model_validate(data, context={"base": src.file.parent}), problems
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else None
            value = src.raw.get(key)
            if err["type"] == "missing":
                problems.append(src.problem("missing_key", key=key, name=key))
            elif key in ("id", "parent"):
                problems.append(src.problem("bad_id", key=key, value=value))
            elif key == "level":
                problems.append(src.problem("unknown_level", key=key, value=value, allowed=", ".join(schema.LEVELS)))
            elif key == "regime":
                problems.append(src.problem("unknown_regime", key=key, value=value,
                                            known=", ".join(known_regimes()) or "—"))
            elif key == "as_of":
                problems.append(src.problem("bad_meta_date", key=key, value=value))
            elif key == "terms":
                where = ".".join(str(x) for x in err["loc"][1:])
                problems.append(src.problem("bad_terms", key=key, value=value, detail=f"{where}: {err['msg']}"))
            else:
                problems.append(src.problem("bad_meta_value", key=key, value=value, detail=err["msg"]))
        return None, problems


def read_meta(path) -> DatasetMeta:
    """The metadata of the dataset at ``path`` (folder, dataset.yml or workbook), without its tables.

    Raises :class:`DatasetError` with the problems when it cannot be read.
    """
    path = Path(path).expanduser().resolve()
    src, _, problems = _locate_meta(path)
    meta, more = _build_meta(src) if src is not None else (None, [])
    problems += more
    if meta is None:
        raise DatasetError(f"Không đọc được thông tin bộ dữ liệu / cannot read the dataset's metadata: {path}",
                           problems)
    return meta


# Tables ------------------------------------------------------------------------------------------

@dataclass
class Source:
    """Where a table was read; ``columns`` maps canonical column names to the headers as typed."""

    file: Path
    sheet: str | None = None
    header_row: int = 1
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class Dataset:
    """A loaded dataset: its metadata and canonical tables (see the module docstring), where each
    table came from (for messages), and the warnings found while reading and checking it."""

    meta: DatasetMeta
    tables: dict[str, pd.DataFrame]
    sources: dict[str, Source]
    root: Path
    input_files: list[Path]
    ballots_kind: str | None = None  # "raw" | "counted" | "mixed" (rows of both kinds)
    trust_kind: str | None = None  # "counted3" | "counted2" | "raw" | "mixed"
    warnings: list[Problem] = field(default_factory=list)
    path: Path | None = None  # as given to read_dataset


def _canonical_table(raw: readers.RawTable, table: str, tm: readers.TableMapping, source: Source) -> tuple[pd.DataFrame, list[Problem]]:
    lookup, problems = schema.header_lookup(table), []
    cols: dict[str, pd.Series] = {}
    for i, header in enumerate(raw.headers):
        series = raw.data[i]
        if not header:
            if series.isna().all():
                continue
            header = f"[{readers.excel_letter(i)}]"
        mapped, target = tm.column(header)
        if mapped and target is None:
            continue  # the mapping says: ignore this column
        target = target if mapped else lookup.get(fold(header))
        if target is not None and target in source.columns:
            problems.append(at(source, "duplicate_column", column=header, canonical=target,
                               first=source.columns[target], second=header))
            continue
        name = target or header
        while name in cols:
            name += "'"
        cols[name] = series
        if target is not None:
            source.columns[target] = header
    df = pd.DataFrame(cols, index=raw.data.index)
    for key, pairs in tm.values.items():
        column = key if key in df else next((c for c, h in source.columns.items() if h == key), None)
        if column is None or column not in df:
            if key not in schema.COLUMNS[table]:
                problems.append(make_problem("mapping_unknown_column", file=tm.file, column=f"{table}.values.{key}", target=key,
                                             table=table, columns=", ".join(df.columns)))
            continue
        df[column] = readers.apply_values(df[column], pairs)
    out = {}
    for name in df.columns:
        spec = schema.COLUMNS[table].get(name)
        s = df[name]
        if spec is None:  # an extra column, kept as typed
            is_text = s.dtype == object and all(isinstance(v, str) for v in pd.unique(s.dropna().to_numpy()))
            out[name] = s.astype("str") if is_text else s
        elif spec.kind in ("id", "text"):
            out[name] = readers.as_text(s)
        elif spec.kind == "code":
            text = readers.as_text(s)
            lookup = schema.value_lookup(name)
            codes = readers.map_distinct(text, lambda v: lookup.get(fold(v)))
            out[name] = codes.where(codes.notna(), text).astype("str")
        elif spec.kind == "date":
            dates, precision, bad = parse_dates(s)
            problems += [at(source, "bad_date", row=r, column=name, value=readers.text_value(s[r])) for r in s.index[bad]]
            out[name], out[f"{name}_precision"] = dates, precision
        else:  # count
            num = pd.to_numeric(readers.map_distinct(s, lambda v: v.replace(" ", "") if isinstance(v, str) else v),
                                errors="coerce")
            num = num.astype("float64") if len(num) else num
            bad = s.notna() & (num.isna() | (num != np.floor(num)))
            problems += [at(source, "bad_count", row=r, column=name, value=readers.text_value(s[r])) for r in s.index[bad]]
            out[name] = num.where(~bad).astype("Int64")
    result = pd.DataFrame(out, index=df.index)
    result.index.name = "excel_row"
    return result, problems


def _table_entries(meta: DatasetMeta, src: MetaSource, book: Path | None) -> tuple[list[tuple[str, Path, str | None]], list[Problem]]:
    """(table, file, sheet) for every table of the dataset."""
    problems, entries, lookup = [], [], schema.sheet_lookup()
    sheets = readers.sheet_names(book) if book is not None else []
    if not meta.tables:
        if book is not None:
            found: dict[str, str] = {}
            for name in sheets:
                table = lookup.get(fold(name))
                if table == "dataset":
                    continue
                if table is None:
                    problems.append(make_problem("sheet_ignored", file=book, sheet=name, names=", ".join(schema.TABLES)))
                elif table in found:
                    problems.append(make_problem("table_duplicate", file=book, table=table, first=found[table], second=name))
                else:
                    found[table] = name
            return [(t, book, s) for t, s in found.items()], problems
        folder = src.file.parent
        files: dict[str, Path] = {}
        for f in sorted(folder.iterdir()):
            table = lookup.get(fold(f.stem))
            if table in schema.TABLES and f.suffix.lower() in readers.CSV_SUFFIXES + readers.XLSX_SUFFIXES + readers.PARQUET_SUFFIXES:
                if table in files:
                    problems.append(make_problem("table_duplicate", file=folder, table=table, first=files[table].name, second=f.name))
                else:
                    files[table] = f
        return [(t, f, None) for t, f in files.items()], problems
    for key, spec in meta.tables.items():
        table = lookup.get(fold(key))
        if table not in schema.TABLES:
            problems.append(src.problem("unknown_table", key="tables", value=key, tables=", ".join(schema.TABLES)))
            continue
        file, sheet = (spec.get("file"), spec.get("sheet")) if isinstance(spec, dict) else (str(spec), None)
        if book is not None and file is not None and sheet is None:
            match = next((n for n in sheets if n == file.lstrip("#") or fold(n) == fold(file)), None)
            if match is not None or file.startswith("#"):
                entries.append((table, book, match or file.lstrip("#")))
                continue
        if file is not None and "#" in file and sheet is None:
            file, sheet = file.rsplit("#", 1)
        if file is None:
            entries.append((table, book or src.file, sheet))
            continue
        path = Path(file) if Path(file).is_absolute() else src.file.parent / file
        entries.append((table, path, sheet))
    return entries, problems


# After-load hook ---------------------------------------------------------------------------------

AfterLoad = Callable[[Dataset, list[Problem]], tuple[Dataset, list[Problem]]]
_AFTER_LOAD: dict[str, Any] = {"hook": None, "fingerprint": None, "count": 0}


def set_after_load(hook: AfterLoad | None, fingerprint: str | None = None) -> None:
    """From now on, in this process, ``read_dataset`` (so ``load_dataset``) returns
    ``hook(dataset, problems)`` for every dataset it reads (None: no hook; one at a time).
    ``fingerprint`` names what the hook does (never a secret): memos of loaded datasets key on it
    (:func:`after_load_fingerprint`). Without one, each hook set gets a fingerprint of its own."""
    _AFTER_LOAD["count"] += 1
    fingerprint = None if hook is None else fingerprint or f"hook-{_AFTER_LOAD['count']}"
    _AFTER_LOAD.update(hook=hook, fingerprint=fingerprint)


def after_load_fingerprint() -> str | None:
    """The fingerprint of the hook in force, None without one: part of any loaded-dataset memo key."""
    return _AFTER_LOAD["fingerprint"]


def read_dataset(path) -> tuple[Dataset | None, list[Problem]]:
    """Read and check the dataset at ``path``; never raises for bad data.

    Returns the dataset (None when its metadata cannot be read; tables that cannot be read are
    absent) and every problem found, errors and warnings, in the order met; both through the
    after-load hook (:func:`set_after_load`) when the dataset was read.
    """
    path = Path(path).expanduser().resolve()
    src, book, problems = _locate_meta(path)
    if src is None:
        return None, problems
    meta, more = _build_meta(src)
    problems += more
    if meta is None:
        return None, problems
    mapping, more, mapping_file = readers.load_mapping(meta.mapping, src.file)
    problems += more
    try:
        entries, more = _table_entries(meta, src, book)
    except readers.ReadError as exc:
        return None, problems + [exc.problem]
    problems += more
    input_files = [src.file] + ([mapping_file] if mapping_file else [])
    tables, sources = {}, {}
    names = {t for t, _, _ in entries}
    for table, file, sheet in entries:
        tm = mapping.get(table, readers.TableMapping())
        known = set(schema.header_lookup(table)) | {fold(h) for h in tm.columns}
        try:
            raw = readers.read_table(file, sheet, known, table)
        except readers.ReadError as exc:
            problems.append(exc.problem)
            continue
        except OSError as exc:  # permissions, a file vanishing, a network drive
            problems.append(make_problem("unreadable", file=file, sheet=sheet, error=str(exc)))
            continue
        source = Source(file, raw.sheet, raw.header_row)
        df, more = _canonical_table(raw, table, tm, source)
        problems += more
        if df.empty:
            problems.append(make_problem("no_rows", file=file, sheet=source.sheet))
        if table == "people" and "person_id" not in df and not names & set(PEOPLE_ONLY_OTHERS):
            df.insert(0, "person_id", pd.Series(df.index.astype(str), index=df.index, dtype="str"))
            problems.append(make_problem("ids_generated", file=file, sheet=source.sheet))
        tables[table], sources[table] = df, source
        if file not in input_files:
            input_files.append(file)
    if not tables and not any(p.severity == ERROR for p in problems):
        problems.append(make_problem("no_tables", file=src.file, sheet=src.sheet))
    ds = Dataset(meta, tables, sources, src.file.parent if book is None else book.parent, input_files, path=path)
    ds.ballots_kind = ballots_kind(tables["ballots"]) if "ballots" in tables else None
    ds.trust_kind = trust_kind(tables["trust_votes"]) if "trust_votes" in tables else None
    problems += check_dataset(ds)
    ds.warnings = [p for p in problems if p.severity != ERROR]
    hook = _AFTER_LOAD["hook"]
    return hook(ds, problems) if hook is not None else (ds, problems)


def load_dataset(path) -> Dataset:
    """The dataset at ``path``, checked; raises :class:`DatasetError` with every problem when any
    is an error (warnings stay on ``Dataset.warnings``)."""
    ds, problems = read_dataset(path)
    errors = [p for p in problems if p.severity == ERROR]
    if ds is None or errors:
        raise DatasetError(f"Bộ dữ liệu có lỗi / the dataset has errors: {path}\n{format_problems(problems)}",
                           problems)
    return ds
