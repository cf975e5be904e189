"""Problems found in a dataset, in Vietnamese and English, with the Excel row the user sees.

Reading a dataset (`analysis.dataset`) reports what it cannot read (files, sheets, metadata,
dates, numbers); :func:`check_dataset` then checks the canonical tables: per-table schemas with
pandera (required columns and cells, allowed codes, non-negative counts) and checks across rows and
tables (ages on ``as_of``, conferences dated after it, duplicate ids, unknown
people/titles/conferences, conference accounting). Trust-vote percentages and ballot invalidity
are checked by `trust.py` and `ballots.py`, not here.

Every problem has a stable machine ``code`` (see ``MESSAGES``) and a severity: ``error`` stops
reports for the dataset, ``warning`` is shown and does not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis import schema

ERROR, WARNING = "error", "warning"

# code -> (Vietnamese, English, default severity). Texts are str.format templates.
MESSAGES: dict[str, tuple[str, str, str]] = {
    # finding and reading files
    "path_missing": ("Không tìm thấy bộ dữ liệu", "dataset not found", ERROR),
    "unknown_format": (
        "Không phải bộ dữ liệu: cần một thư mục có dataset.yml hoặc một tệp Excel .xlsx",
        "not a dataset: give a folder with dataset.yml or an Excel .xlsx workbook", ERROR),
    "file_missing": ("Không tìm thấy tệp của bảng {table}", "file of the table {table} not found", ERROR),
    "table_format": ("Không đọc được loại tệp này; dùng CSV, XLSX hoặc Parquet",
                     "unsupported file type; use CSV, XLSX or Parquet", ERROR),
    "encoding": (
        "Tệp CSV không ở mã UTF-8{guess_vi}. Trong Excel chọn Lưu thành (Save As) → "
        "'CSV UTF-8 (Comma delimited)'",
        "the CSV file is not UTF-8{guess_en}. In Excel use Save As → 'CSV UTF-8 (Comma delimited)'",
        ERROR),
    "unreadable": ("Không đọc được tệp: {error}", "cannot read the file: {error}", ERROR),
    "sheet_missing": ("Không có trang tính '{name}' (có: {sheets})", "no sheet '{name}' (sheets: {sheets})", ERROR),
    "table_duplicate": ("Hai nguồn cùng là bảng {table}: '{first}' và '{second}'",
                        "two sources are the table {table}: '{first}' and '{second}'", ERROR),
    "sheet_ignored": ("Trang tính không phải bảng nào nên được bỏ qua (tên bảng: {names})",
                      "sheet is not a known table and is ignored (table names: {names})", WARNING),
    "no_tables": ("Bộ dữ liệu không có bảng nào", "the dataset has no table", ERROR),
    "no_header": ("Bảng trống: không có dòng tiêu đề", "empty table: no header row", ERROR),
    "no_rows": ("Bảng không có dòng dữ liệu nào", "the table has no data rows", WARNING),
    # dataset.yml / the dataset sheet / mapping.yml
    "yaml_error": ("Lỗi cú pháp YAML: {error}", "YAML syntax error: {error}", ERROR),
    "meta_missing": ("Không tìm thấy thông tin bộ dữ liệu (dataset.yml, {stem}.yml hoặc trang tính 'dataset')",
                     "no dataset metadata (dataset.yml, {stem}.yml or a 'dataset' sheet)", ERROR),
    "missing_key": ("Thiếu mục bắt buộc '{name}'", "missing required key '{name}'", ERROR),
    "bad_id": ("Mã bộ dữ liệu chỉ gồm chữ thường không dấu a-z, chữ số và dấu '-'",
               "the id may only contain lower-case letters a-z, digits and '-'", ERROR),
    "unknown_level": ("Cấp không hợp lệ; dùng một trong: {allowed}", "unknown level; use one of: {allowed}", ERROR),
    "unknown_regime": ("Không có bộ quy định này (có: {known})", "unknown regime (known: {known})", ERROR),
    "bad_meta_date": ("Ngày không hợp lệ; viết yyyy-mm-dd hoặc dd/mm/yyyy",
                      "not a valid date; write yyyy-mm-dd or dd/mm/yyyy", ERROR),
    "bad_terms": ("Nhiệm kỳ không hợp lệ ({detail}); viết ví dụ '2025-2030 party 2025-06; 2026-2031 government 2026-03'",
                  "invalid terms ({detail}); write e.g. '2025-2030 party 2025-06; 2026-2031 government 2026-03'",
                  ERROR),
    "bad_meta_value": ("Giá trị không hợp lệ ({detail})", "invalid value ({detail})", ERROR),
    "unknown_key": ("Mục không được dùng, bỏ qua (các mục: {keys})", "unknown key, ignored (keys: {keys})", WARNING),
    "unknown_table": ("Không phải tên bảng (các bảng: {tables})", "not a table name (tables: {tables})", ERROR),
    "mapping_bad": ("mapping.yml sai cấu trúc: {detail}", "malformed mapping: {detail}", ERROR),
    "mapping_unknown_column": ("Bảng {table} không có cột chuẩn '{target}' (các cột: {columns})",
                               "the {table} table has no canonical column '{target}' (columns: {columns})", ERROR),
    "mapping_unknown_code": ("Mã '{target}' không dùng được cho cột {canonical} (dùng: {codes})",
                             "'{target}' is not a code of the column {canonical} (use: {codes})", ERROR),
    # cells and columns
    "duplicate_column": ("Hai cột cùng là '{canonical}': '{first}' và '{second}'",
                         "two columns are '{canonical}': '{first}' and '{second}'", ERROR),
    "missing_column": ("Thiếu cột bắt buộc '{canonical}' (tiêu đề tiếng Việt: {aliases})",
                       "missing required column '{canonical}' (Vietnamese headers: {aliases})", ERROR),
    "missing_value": ("Ô bắt buộc bị để trống", "required cell is empty", ERROR),
    "missing_name": ("Cần mã cán bộ (person_id) hoặc họ tên (full_name)",
                     "a person_id or a full_name is needed", ERROR),
    "unknown_code": ("Giá trị không hợp lệ; dùng một trong: {allowed}", "unknown value; use one of: {allowed}", ERROR),
    "bad_date": ("Không phải ngày có thật; viết dd/mm/yyyy, mm/yyyy hoặc yyyy",
                 "not a valid date; write dd/mm/yyyy, mm/yyyy or yyyy", ERROR),
    "bad_count": ("Không phải số nguyên", "not a whole number", ERROR),
    "negative_count": ("Số lượng không được âm", "a count cannot be negative", ERROR),
    "born_in_future": ("Ngày sinh sau ngày tính {as_of}", "born after the reference date {as_of}", ERROR),
    "too_young": ("Chưa đủ 18 tuổi vào ngày {as_of} ({age} tuổi)", "under 18 on {as_of} (aged {age})", ERROR),
    "too_old": ("Trên 100 tuổi vào ngày {as_of} ({age} tuổi)", "over 100 on {as_of} (aged {age})", ERROR),
    "conference_after_as_of": (
        "Hội nghị (đợt bỏ phiếu) sau ngày tính {as_of} của bộ dữ liệu: tuổi tính vào ngày {as_of}, phiếu bầu "
        "muộn hơn; kiểm tra lại năm của ngày này hoặc của as_of",
        "conference (vote) dated after the dataset's as_of {as_of}: ages are computed on {as_of}, the votes are "
        "later; check the year of this date or of as_of", WARNING),
    "ids_generated": ("Không có cột mã cán bộ: dùng số dòng Excel làm mã",
                      "no person_id column: Excel row numbers are used as ids", WARNING),
    "row_kind_both": ("Dòng có cả {first} và {second}: chỉ được một loại",
                      "the row has both {first} and {second}: one kind only", ERROR),
    "row_kind_none": ("Dòng không có số liệu nào ({options})", "the row has none of {options}", ERROR),
    # across rows and tables
    "duplicate_id": ("Mã bị trùng với dòng {first_row}", "duplicate id: also on row {first_row}", ERROR),
    "missing_table": ("Bảng {table} cần có bảng {needed}", "the {table} table needs the {needed} table", ERROR),
    "unknown_person": ("Không có mã cán bộ này trong bảng cán bộ (people)",
                       "no person with this id in the people table", ERROR),
    "unknown_title": ("Không có mã chức danh này trong bảng chức danh (titles)",
                      "no title with this id in the titles table", ERROR),
    "unknown_title_ballot": (
        "Không có mã chức danh này trong bảng chức danh: phiếu được tính là không hợp lệ cho chức danh này",
        "no title with this id in the titles table: the ballot counts as invalid for it", WARNING),
    "unknown_conference": ("Không có mã hội nghị này trong bảng hội nghị (conferences)",
                           "no conference with this id in the conferences table", ERROR),
    "impossible_count": ("{name_vi} ({count}) lớn hơn {other_vi} ({other_value})",
                         "{name} ({count}) is larger than {other} ({other_value})", ERROR),
    "votes_exceed": ("Số phiếu ({count}) lớn hơn {base_vi} của hội nghị ({base_value})",
                     "votes ({count}) exceed the conference's {base} ({base_value})", ERROR),
}


@dataclass
class Problem:
    """One problem, located as the user sees it: file, sheet, Excel row, column as typed, value."""

    file: str | None
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    code: str
    message_vi: str
    message_en: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = _display_path(self.file) if self.file else ""
        if self.sheet:
            where += f"[{self.sheet}]"
        parts = []
        if self.row is not None:
            parts.append(f"dòng/row {self.row}")
        if self.column:
            parts.append(f"cột/column {self.column}")
        if self.value is not None:
            parts.append(f"giá trị/value '{_short(self.value)}'")
        head = " ".join(x for x in (where, ", ".join(parts)) if x)
        return f"{head}: {self.message_vi} / {self.message_en}" if head else f"{self.message_vi} / {self.message_en}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _display_path(file: str) -> str:
    try:
        return os.path.relpath(file) if Path(file).is_absolute() and not os.path.relpath(file).startswith("..") else file
    except ValueError:  # another drive on Windows
        return file


def make_problem(code: str, *, file=None, sheet=None, row=None, column=None, value=None,
                 severity: str | None = None, **fmt: object) -> Problem:
    """A :class:`Problem` with the texts of ``MESSAGES[code]`` formatted with ``fmt``."""
    vi, en, default = MESSAGES[code]
    return Problem(
        file=None if file is None else str(file),
        sheet=sheet,
        row=None if row is None else int(row),
        column=None if column is None else str(column),
        value=None if value is None else _value_text(value),
        code=code,
        message_vi=vi.format(**fmt),
        message_en=en.format(**fmt),
        severity=severity or default,
    )


def _value_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d/%m/%Y")
    return str(value)


def at(source, code: str, row=None, column: str | None = None, value=None, **fmt) -> Problem:
    """A problem in a table read from ``source`` (an `analysis.dataset.Source`); ``column`` is
    canonical and shown as the user typed it."""
    shown = source.columns.get(column, column) if column else None
    return make_problem(code, file=source.file, sheet=source.sheet, row=row, column=shown, value=value, **fmt)


def format_problems(problems: list[Problem], limit: int | None = None) -> str:
    """Every problem on its own line, errors first, with a count line on top."""
    if not problems:
        return "Không có vấn đề nào / no problems found"
    errors = [p for p in problems if p.severity == ERROR]
    warnings = [p for p in problems if p.severity != ERROR]
    lines = [f"{len(errors)} lỗi, {len(warnings)} cảnh báo / {len(errors)} error(s), {len(warnings)} warning(s)"]
    ordered = [("lỗi/error", p) for p in errors] + [("cảnh báo/warning", p) for p in warnings]
    shown = ordered if limit is None else ordered[:limit]
    lines += [f"[{tag}] {p}" for tag, p in shown]
    if len(shown) < len(ordered):
        rest = len(ordered) - len(shown)
        lines.append(f"… và {rest} vấn đề khác / … and {rest} more")
    return "\n".join(lines)


def validate_path(path) -> list[Problem]:
    """Read and check the dataset at ``path``; every problem found (empty when clean)."""
    from analysis.dataset import read_dataset  # dataset.py imports this module

    return read_dataset(path)[1]


# Kinds of rows ----------------------------------------------------------------------------------
# One ballots table may hold raw ballots (rows with ballot_id) of one conference and counting
# minutes (rows with votes) of another; one trust_votes table three-level and two-level votes.

TRUST_FORMS = {"counted3": schema.TRUST_LEVELS_3, "counted2": schema.TRUST_LEVELS_2, "raw": ("level",)}


def _given(df: pd.DataFrame, columns) -> pd.Series:
    present = [c for c in columns if c in df]
    return df[present].notna().any(axis=1) if present else pd.Series(False, index=df.index)


def _kind_of(kinds: list[str]) -> str | None:
    return kinds[0] if len(kinds) == 1 else ("mixed" if kinds else None)


def ballots_kind(ballots: pd.DataFrame) -> str | None:
    """``counted`` (rows with votes), ``raw`` (rows with ballot_id), ``mixed`` (both kinds of rows)
    or None; for an empty table, from its columns."""
    if ballots.empty:
        return "counted" if "votes" in ballots else ("raw" if "ballot_id" in ballots else None)
    counted = _given(ballots, ["votes"])
    raw = _given(ballots, ["ballot_id"]) & ~counted
    return _kind_of([k for k, rows in (("raw", raw), ("counted", counted)) if rows.any()])


def trust_kind(trust_votes: pd.DataFrame) -> str | None:
    """``counted3`` (high/trust/low), ``counted2`` (agree/disagree), ``raw`` (level), ``mixed`` or None."""
    if trust_votes.empty:
        return next((k for k, cols in TRUST_FORMS.items() if any(c in trust_votes for c in cols)), None)
    return _kind_of([k for k, cols in TRUST_FORMS.items() if _given(trust_votes, cols).any()])


def row_kind_problems(table: str, df: pd.DataFrame, source) -> list[Problem]:
    """Ballots: each row has votes or a ballot_id, not both. Trust votes: each row has the counts
    of one form (high/trust/low, agree/disagree) or a level."""
    if table == "ballots":
        forms = {"votes": ["votes"], "ballot_id": ["ballot_id"]}
    else:
        forms = {"/".join(cols): list(cols) for cols in TRUST_FORMS.values()}
    if not any(c in df for cols in forms.values() for c in cols):
        first = next(iter(forms.values()))[0]
        return [at(source, "missing_column", column=first, canonical=" | ".join(forms),
                   aliases=_aliases(first))]
    given = pd.DataFrame({name: _given(df, cols) for name, cols in forms.items()})
    count = given.sum(axis=1)
    problems = [at(source, "row_kind_none", row=row, options=" | ".join(forms)) for row in df.index[count == 0]]
    for row in df.index[count > 1]:
        both = [name for name in forms if given.at[row, name]]
        problems.append(at(source, "row_kind_both", row=row, first=both[0], second=both[1]))
    return problems


# Per-table schema (pandera) ----------------------------------------------------------------------

def table_schema(table: str) -> pa.DataFrameSchema:
    """Pandera schema of a canonical table: required columns and cells, codes, counts ≥ 0.
    (Which of the optional columns a ballots or trust_votes row needs: `row_kind_problems`.)"""
    required = {name for name, spec in schema.COLUMNS[table].items() if spec.required}
    cols = {}
    for name, spec in schema.COLUMNS[table].items():
        checks = []
        if spec.kind == "code" and spec.codes:
            checks.append(pa.Check.isin(list(spec.codes)))
        elif spec.kind == "count":
            checks.append(pa.Check.ge(0))
        cols[name] = pa.Column(None, checks, nullable=name not in required, required=name in required)
    return pa.DataFrameSchema(cols, strict=False)


def _allowed(table: str, column: str) -> str:
    """The codes of a column, each with its first Vietnamese form: "male (Nam), female (Nữ)"."""
    aliases = schema.VALUE_ALIASES.get(column, {})
    codes = schema.COLUMNS[table][column].codes or ()
    return ", ".join(f"{c} ({aliases[c][0]})" if aliases.get(c) else c for c in codes)


def _aliases(column: str) -> str:
    return ", ".join(f"'{a}'" for a in schema.HEADER_ALIASES.get(column, ())[:3]) or "—"


def schema_problems(table: str, df: pd.DataFrame, source) -> list[Problem]:
    """Run the table's pandera schema (lazily: every failure) and translate the failures."""
    try:
        table_schema(table).validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    problems = []
    for case in cases.itertuples(index=False):
        check = str(case.check)
        if check.startswith("column_in_dataframe"):
            col = str(case.failure_case)
            problems.append(at(source, "missing_column", column=col, canonical=col, aliases=_aliases(col)))
            continue
        row = None if pd.isna(case.index) else case.index
        col = case.column
        if check == "not_nullable":
            problems.append(at(source, "missing_value", row=row, column=col))
        elif check.startswith("isin"):
            problems.append(at(source, "unknown_code", row=row, column=col, value=case.failure_case,
                               allowed=_allowed(table, col)))
        elif check.startswith("greater_than_or_equal_to"):
            problems.append(at(source, "negative_count", row=row, column=col, value=case.failure_case))
        else:  # a check added later: still reported, in English from pandera
            problems.append(at(source, "bad_meta_value", row=row, column=col, value=case.failure_case, detail=check))
    return sorted(problems, key=lambda p: (p.row or 0))


# Checks across rows and tables -------------------------------------------------------------------

def _date_text(ts: pd.Timestamp, precision) -> str:
    return ts.strftime({"year": "%Y", "month": "%m/%Y"}.get(precision, "%d/%m/%Y"))


def name_problems(df: pd.DataFrame, source) -> list[Problem]:
    """Rows naming nobody: neither a person_id nor a full_name (raw ballots, trust votes)."""
    present = [c for c in ("person_id", "full_name") if c in df]
    if not present:
        return [at(source, "missing_column", column="person_id", canonical="person_id", aliases=_aliases("person_id"))]
    no_one = df[present].isna().all(axis=1)
    return [at(source, "missing_name", row=row) for row in df.index[no_one]]


def _shown_date(df: pd.DataFrame, column: str, row) -> str:
    """The date of ``df[column]`` at ``row`` as precise as it was typed (dd/mm/yyyy, mm/yyyy, yyyy)."""
    precision = df.at[row, f"{column}_precision"] if f"{column}_precision" in df else None
    return _date_text(df.at[row, column], precision)


def age_problems(people: pd.DataFrame, as_of, source) -> list[Problem]:
    """Born after ``as_of``, under 18 or over 100 on ``as_of``."""
    if "birth_date" not in people:
        return []
    ref = pd.Timestamp(as_of)
    born = people["birth_date"]
    known = born.notna()
    before_birthday = (born.dt.month > ref.month) | ((born.dt.month == ref.month) & (born.dt.day > ref.day))
    age = ref.year - born.dt.year - before_birthday.astype(int)
    day = ref.strftime("%d/%m/%Y")
    problems = []
    for code, mask in (("born_in_future", known & (born > ref)),
                       ("too_young", known & (born <= ref) & (age < 18)),
                       ("too_old", known & (age > 100))):
        for row in people.index[mask]:
            problems.append(at(source, code, row=row, column="birth_date",
                               value=_shown_date(people, "birth_date", row), as_of=day, age=int(age[row])))
    return problems


def after_as_of_problems(conferences: pd.DataFrame, as_of, source) -> list[Problem]:
    """Conferences (trust-vote rounds, planning steps) dated after ``as_of``: ages would be computed
    on one date and the votes cast on a later one, most likely a mistyped year (a warning).

    A month or a year counts from its first day: only a period wholly after ``as_of`` is reported.
    """
    if "date" not in conferences:
        return []
    ref = pd.Timestamp(as_of)
    late = (conferences["date"] > ref).fillna(False).astype(bool)
    return [at(source, "conference_after_as_of", row=row, column="date",
               value=_shown_date(conferences, "date", row), as_of=ref.strftime("%d/%m/%Y"))
            for row in conferences.index[late]]


def duplicate_problems(df: pd.DataFrame, column: str, source) -> list[Problem]:
    if column not in df:
        return []
    ids = df[column]
    dup = ids.notna() & ids.duplicated(keep="first")
    first = ids[ids.notna() & ~ids.duplicated(keep="first")]
    first_row = pd.Series(first.index, index=first.values)
    return [at(source, "duplicate_id", row=row, column=column, value=ids[row], first_row=int(first_row[ids[row]]))
            for row in df.index[dup]]


def reference_problems(df: pd.DataFrame, column: str, target: pd.DataFrame | None, source,
                       code: str) -> list[Problem]:
    """Rows whose ``column`` value is not an id of ``target`` (skipped when either is absent)."""
    if target is None or column not in df or column not in target:
        return []
    ids = df[column]
    unknown = ids.notna() & ~ids.isin(set(target[column].dropna()))
    return [at(source, code, row=row, column=column, value=ids[row]) for row in df.index[unknown]]


ACCOUNTING = ("convened", "present", "ballots_issued", "ballots_collected", "ballots_valid")


def _vi(column: str) -> str:
    return schema.HEADER_ALIASES[column][0]


def _first_given(counts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per row, the first count given in the columns' order and the name of its column."""
    counts = counts.astype("Float64")
    return counts.bfill(axis=1).iloc[:, 0], counts.notna().idxmax(axis=1)


def accounting_problems(conferences: pd.DataFrame, source) -> list[Problem]:
    """Each count at most the nearest count given before it (present ≤ convened, …)."""
    problems = []
    given = [c for c in ACCOUNTING if c in conferences]
    for i, column in enumerate(given[1:], start=1):
        nearest, which = _first_given(conferences[list(reversed(given[:i]))])
        bad = conferences[column].notna() & nearest.notna() & (conferences[column] > nearest)
        for row in conferences.index[bad.fillna(False).astype(bool)]:
            other = which[row]
            count = int(conferences.at[row, column])
            problems.append(at(source, "impossible_count", row=row, column=column, value=count, count=count,
                               name=column, name_vi=_vi(column), other=other, other_vi=_vi(other).lower(),
                               other_value=int(conferences.at[row, other])))
    return problems


def votes_problems(ballots: pd.DataFrame, conferences: pd.DataFrame, source) -> list[Problem]:
    """Counted ballots: a person's votes cannot exceed the conference's valid (or collected …) ballots."""
    given = [c for c in reversed(ACCOUNTING) if c in conferences]
    if "votes" not in ballots or not given or "conference_id" not in conferences:
        return []
    by_id = conferences.drop_duplicates("conference_id").set_index("conference_id")
    base_value, base_name = _first_given(by_id[given])
    ids = ballots["conference_id"]
    base = ids.map(base_value)
    bad = (ballots["votes"].astype("Float64") > base).fillna(False).astype(bool)
    problems = []
    for row in ballots.index[bad]:
        name = base_name[ids[row]]
        votes = int(ballots.at[row, "votes"])
        problems.append(at(source, "votes_exceed", row=row, column="votes", value=votes, count=votes,
                           base=name, base_vi=_vi(name).lower(), base_value=int(base[row])))
    return problems


def check_dataset(ds) -> list[Problem]:
    """Schema and cross-table checks of a loaded `analysis.dataset.Dataset`."""
    t, src = ds.tables, ds.sources
    problems: list[Problem] = []
    for name in schema.TABLES:
        if name in t:
            problems += schema_problems(name, t[name], src[name])
    if "people" in t:
        problems += duplicate_problems(t["people"], "person_id", src["people"])
        problems += age_problems(t["people"], ds.meta.as_of, src["people"])
    for name, column in (("titles", "title_id"), ("conferences", "conference_id")):
        if name in t:
            problems += duplicate_problems(t[name], column, src[name])
    for name, needs in (("planning", ("people", "titles")), ("ballots", ("conferences",)),
                        ("trust_votes", ("conferences",))):
        if name in t:
            problems += [make_problem("missing_table", file=src[name].file, sheet=src[name].sheet,
                                      table=name, needed=need) for need in needs if need not in t]
    people, titles, confs = t.get("people"), t.get("titles"), t.get("conferences")
    if "planning" in t:
        problems += reference_problems(t["planning"], "person_id", people, src["planning"], "unknown_person")
        problems += reference_problems(t["planning"], "title_id", titles, src["planning"], "unknown_title")
    if "ballots" in t:
        b, s = t["ballots"], src["ballots"]
        problems += row_kind_problems("ballots", b, s)
        problems += reference_problems(b, "conference_id", confs, s, "unknown_conference")
        raw = ~_given(b, ["votes"])  # a raw ballot for an unknown title is invalid, counted by ballots.py
        problems += reference_problems(b[raw], "title_id", titles, s, "unknown_title_ballot")
        problems += reference_problems(b[~raw], "title_id", titles, s, "unknown_title")
        problems += reference_problems(b, "person_id", people, s, "unknown_person")
        problems += name_problems(b, s)
        if confs is not None:
            problems += votes_problems(b, confs, s)
    if "trust_votes" in t:
        v, s = t["trust_votes"], src["trust_votes"]
        problems += row_kind_problems("trust_votes", v, s)
        problems += reference_problems(v, "conference_id", confs, s, "unknown_conference")
        problems += name_problems(v, s)
    if "conferences" in t:
        problems += accounting_problems(t["conferences"], src["conferences"])
        problems += after_as_of_problems(t["conferences"], ds.meta.as_of, src["conferences"])
    return problems
