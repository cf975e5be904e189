"""Trust votes ("lấy phiếu tín nhiệm"): percentages over a base, bands, consistency checks.

Pure: DataFrames in, DataFrames and plain dicts out. The numbers (bands, thresholds, quorum,
base by body and date, tolerances) come from `rules/trust.yml` through :func:`load_trust_rules`.

Input (canonical, docs/design.md): ``trust_votes`` counted three-level (``high``, ``trust``,
``low``), counted two-level (``agree``, ``disagree``) or raw (``ballot_id``, ``level``: aggregated
to counts here; ballot ids never leave this module), optional printed percentages ``<level>_pct``
as typed text ("61,54", "61.54%"); ``conferences`` with the counts a base can be taken from.

Every share is compared as an exact fraction (2 low out of 3 is two thirds, not 66.67 %); shown
percentages are two decimals rounded half up (:func:`analysis.numbers.percent`).

The base of a conference, first that applies: the ``base`` argument (the report's parameter), the
conference's own ``base`` column, the rule file's base by body and date (National Assembly and
People's Councils: convened until 30/06/2023, ballots collected from 01/07/2023), ``default_base``
(e.g. the regime's), the rule file's ``default_base``.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, model_validator

from analysis.config import RULES_DIR
from analysis.errors import ParameterError, RulesError
from analysis.labels import code_label, text
from analysis.numbers import round_half_up
from analysis.schema import BASES, CONFERENCE_BODIES, TRUST_LEVELS_2, TRUST_LEVELS_3, fold

RULES_FILE = RULES_DIR / "trust.yml"
THREE, TWO = "three_level", "two_level"
LEVELS = {THREE: TRUST_LEVELS_3, TWO: TRUST_LEVELS_2}
BANDS = ("none", "over_half", "two_thirds")
# Stable flag codes, in the order they are written in the `flags` column.
FLAG_CODES = (
    "base_missing", "base_unsure", "count_missing", "mixed_form", "duplicate",
    "pct_unreadable", "pct_mismatch", "over_collected", "total_outlier", "quorum",
)
# trust.csv (data contract; agree/disagree columns are added when the data has two-level votes).
CSV_COLUMNS = ("conference_id", "person_id", "full_name", "high", "trust", "low", "base",
               "base_count", "high_pct", "trust_pct", "low_pct", "low_band", "flags")
CSV_COLUMNS_TWO = ("agree", "disagree", "agree_pct", "disagree_pct", "agree_passed")
COUNT_COLUMNS = TRUST_LEVELS_3 + TRUST_LEVELS_2


# Rules ---------------------------------------------------------------------------------------

def _fraction(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a fraction: {value!r}")
    try:
        return Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"not a fraction: {value!r} (write e.g. \"2/3\" or \"0.05\")") from exc


def _base_name(value: Any) -> str:
    if value not in BASES:
        raise ValueError(f"unknown base {value!r}; one of {', '.join(BASES)}")
    return value


Frac = Annotated[Fraction, PlainValidator(_fraction)]
BaseName = Annotated[str, PlainValidator(_base_name)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, populate_by_name=True)


class Bound(_Model):
    """A share bound: ``above`` (strictly more than) or ``at_least`` (more than or equal)."""

    above: Frac | None = None
    at_least: Frac | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> "Bound":
        if (self.above is None) == (self.at_least is None):
            raise ValueError("give exactly one of `above` or `at_least`")
        return self

    def met(self, share: Fraction) -> bool:
        return share > self.above if self.above is not None else share >= self.at_least

    @property
    def value(self) -> Fraction:
        return self.above if self.above is not None else self.at_least


class Band(Bound):
    band: str


class BaseRule(_Model):
    bodies: list[str]
    from_: date | None = Field(None, alias="from")
    until: date | None = None
    base: BaseName
    source: str = ""
    certainty: str = "M"

    @model_validator(mode="after")
    def _known_bodies(self) -> "BaseRule":
        unknown = set(self.bodies) - set(CONFERENCE_BODIES)
        if unknown:
            raise ValueError(f"unknown bodies {sorted(unknown)}; known: {', '.join(CONFERENCE_BODIES)}")
        return self

    def covers(self, body: str, day: date) -> bool:
        return (body in self.bodies and (self.from_ is None or day >= self.from_)
                and (self.until is None or day <= self.until))


class ThreeLevel(_Model):
    levels: list[str] = list(TRUST_LEVELS_3)
    band_level: str = "low"
    bands: list[Band]


class TwoLevel(Bound):
    levels: list[str] = list(TRUST_LEVELS_2)
    threshold_level: str = "agree"


class Quorum(_Model):
    at_least: Frac
    count: BaseName = "present"
    of: BaseName = "convened"


class PrintedPct(_Model):
    tolerance: Frac


class Outlier(_Model):
    min_abs: Frac
    rel: Frac
    min_people: int = 3


class PositionGroup(_Model):
    group: str
    patterns: list[str]


class TrustRules(_Model):
    """The contents of `rules/trust.yml`."""

    kind: str = "trust"
    id: str
    name: dict[str, str]
    sources: list[str] = []
    default_base: BaseName
    default_base_certainty: str = "M"
    base_by_body: list[BaseRule] = []
    three_level: ThreeLevel
    two_level: TwoLevel
    quorum: Quorum
    printed_pct: PrintedPct
    total_limit: list[BaseName]
    outlier: Outlier
    position_groups: list[PositionGroup] = []
    position_group_order: list[str] = []

    def band(self, share: Fraction) -> str:
        found = "none"
        for band in self.three_level.bands:
            if band.met(share):
                found = band.band
        return found


@lru_cache(maxsize=8)
def _load(path: Path) -> TrustRules:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RulesError(f"Không tìm thấy tệp quy tắc / rules file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise RulesError(f"Tệp quy tắc không đọc được / malformed rules file {path}: {exc}") from exc
    try:
        return TrustRules.model_validate(raw or {})
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise RulesError(f"Tệp quy tắc sai / malformed rules file {path}: {details}") from exc


def load_trust_rules(path: str | Path | None = None) -> TrustRules:
    """Read and check `rules/trust.yml` (or ``path``); a bilingual `RulesError` when malformed."""
    return _load(Path(path or RULES_FILE).resolve())


# Small helpers -------------------------------------------------------------------------------

_PCT = re.compile(r"^([+-]?\d+)(?:[.,](\d+))?\s*%?$")


@dataclass(frozen=True)
class Printed:
    value: Decimal
    decimals: int
    percent_sign: bool


def parse_printed_pct(value: object) -> Printed | None:
    """A percentage as typed: "61,54", "61.54", "61,54%", " 61.54 % " -> 61.54.

    Empty -> None; anything else unreadable -> ``ValueError``.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    s = str(value).strip().replace("\u00a0", " ")
    if not s:
        return None
    match = _PCT.match(s)
    if not match:
        raise ValueError(f"not a percentage: {value!r}")
    whole, frac = match.group(1), match.group(2) or ""
    try:
        number = Decimal(f"{whole}.{frac}" if frac else whole)
    except InvalidOperation as exc:  # pragma: no cover - the regex prevents it
        raise ValueError(f"not a percentage: {value!r}") from exc
    return Printed(number, len(frac), s.endswith("%"))


def _int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _mean_pct(shares: list[Fraction]) -> float | None:
    """Mean of exact shares, as a percentage two decimals half up."""
    if not shares:
        return None
    mean = sum(shares, Fraction(0)) * 100 / len(shares)
    return round_half_up(Decimal(mean.numerator) / Decimal(mean.denominator))


def _pct(count: int | None, base: int | None) -> float | None:
    if count is None or not base:
        return None
    exact = Fraction(count * 100, base)
    return round_half_up(Decimal(exact.numerator) / Decimal(exact.denominator))


def _period(day: object, precision: object) -> tuple[date, date] | None:
    """First and last day a date stands for, by its precision (day, month or year)."""
    if day is None or pd.isna(day):
        return None
    ts = pd.Timestamp(day)
    if precision == "year":
        return date(ts.year, 1, 1), date(ts.year, 12, 31)
    if precision == "month":
        return ts.date().replace(day=1), (ts + pd.offsets.MonthEnd(0)).date()
    return ts.date(), ts.date()


def _person_key(person_id: object, full_name: object) -> str | None:
    if person_id is not None and not pd.isna(person_id) and str(person_id).strip():
        return f"id:{person_id}"
    if full_name is not None and not pd.isna(full_name) and str(full_name).strip():
        return f"name:{fold(full_name)}"
    return None


# Problems ------------------------------------------------------------------------------------

def _problem(code: str, *, flag: str | None = None, table: str = "trust_votes", row: object = None,
             column: str | None = None, value: object = None, expected: object = None,
             conference_id: object = None, person_id: object = None, full_name: object = None,
             **values: object) -> dict:
    """A plain-dict problem (warning), bilingual, texts from labels `trust.problems.<code>`."""
    fmt = {"conference": conference_id, "person": full_name if full_name is not None else person_id,
           "column": column, "value": value, "expected": expected, **values}
    return {
        "code": code, "flag": flag or code, "severity": "warning", "table": table,
        "row": None if row is None or pd.isna(row) else int(row), "column": column,
        "value": None if value is None else str(value),
        "expected": None if expected is None else (_number(expected, "en") if isinstance(expected, Fraction)
                                                   else str(expected)),
        "conference_id": conference_id, "person_id": person_id, "full_name": full_name,
        **{f"message_{lang}": text(f"trust.problems.{code}", lang, **_named(fmt, lang)) for lang in ("vi", "en")},
    }


def _number(value: float | Fraction | Decimal, language: str) -> str:
    """A number in a message: whole numbers without decimals, others two decimals half up."""
    exact = Fraction(value)
    if exact.denominator == 1:
        return str(exact.numerator)
    shown = f"{round_half_up(Decimal(exact.numerator) / Decimal(exact.denominator)):.2f}"
    return shown.replace(".", ",") if text("common.decimal_separator", language) == "," else shown


def _named(values: dict, language: str) -> dict:
    """Base names in messages as people read them ("Số phiếu thu về", not `ballots_collected`)."""
    out = {}
    for key, value in values.items():
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out[key] = "—"
            continue
        if key == "column" and value is not None and text(f"trust.columns.{value}", language) != \
                f"trust.columns.{value}":
            value = text(f"trust.columns.{value}", language)
        elif isinstance(value, str) and value in BASES:
            value = code_label("base", value, language)
        elif isinstance(value, (float, Fraction, Decimal)) and not isinstance(value, bool):
            value = _number(value, language)
        out[key] = value
    return out


# Normalising the input -----------------------------------------------------------------------

def aggregate_raw(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Raw ballots (one row per ballot and person, with ``level``) -> counts per person per vote.

    A ballot marking the same person more than once is invalid for that person and not counted
    (reported, without its ballot id). Ballot ids are never part of the result.
    """
    problems: list[dict] = []
    df = raw.copy()
    df["_key"] = [_person_key(p, n) for p, n in zip(df.get("person_id", pd.Series(pd.NA, index=df.index)),
                                                   df.get("full_name", pd.Series(pd.NA, index=df.index)))]
    missing = df["level"].isna()
    for conf, n in df[missing].groupby("conference_id").size().items():
        problems.append(_problem("level_missing", column="level", conference_id=conf, count=int(n)))
    nobody = df["_key"].isna() & ~missing
    for conf, n in df[nobody].groupby("conference_id").size().items():
        problems.append(_problem("person_missing", column="person_id", conference_id=conf, count=int(n)))
    df = df[~missing & ~nobody]
    if "ballot_id" in df.columns and df["ballot_id"].notna().any():
        dup = df.duplicated(["conference_id", "ballot_id", "_key"], keep=False) & df["ballot_id"].notna()
        for (conf, key), group in df[dup].groupby(["conference_id", "_key"]):
            first = group.iloc[0]
            problems.append(_problem("raw_duplicate", conference_id=conf, person_id=first.get("person_id"),
                                     full_name=first.get("full_name"),
                                     count=int(group["ballot_id"].nunique())))
        df = df[~dup]
    keep = [c for c in ("person_id", "full_name", "position") if c in raw.columns]
    if df.empty:
        return pd.DataFrame(columns=["conference_id", *keep, *COUNT_COLUMNS]), problems
    first = df.groupby(["conference_id", "_key"], sort=False)[keep].first() if keep else None
    counts = df.groupby(["conference_id", "_key", "level"], sort=False).size().unstack("level", fill_value=0)
    out = counts.join(first) if first is not None else counts
    out = out.reset_index().drop(columns="_key")
    out.columns.name = None
    # In the form a vote uses, a level nobody chose is a zero; the other form's levels stay empty.
    for col in COUNT_COLUMNS:
        out[col] = out[col].astype("Int64") if col in out.columns else pd.Series(pd.NA, index=out.index, dtype="Int64")
    used = df.groupby("conference_id")["level"].agg(set)
    for levels in LEVELS.values():
        uses = out["conference_id"].map(lambda c: bool(used.get(c, set()) & set(levels)))
        for lv in levels:
            out[lv] = out[lv].where(~uses, out[lv].fillna(0)).where(uses, pd.NA)
    return out, problems


def _counted(trust_votes: pd.DataFrame, people: pd.DataFrame | None) -> tuple[pd.DataFrame, list[dict]]:
    if "level" in trust_votes.columns and not any(
            c in trust_votes.columns and trust_votes[c].notna().any() for c in COUNT_COLUMNS):
        df, problems = aggregate_raw(trust_votes)
        df["excel_row"] = pd.NA
    else:
        df, problems = trust_votes.copy(), []
        df["excel_row"] = df.index if df.index.name == "excel_row" else pd.NA
    df = df.reset_index(drop=True)
    for col in ("person_id", "full_name", "position"):
        if col not in df.columns:
            df[col] = pd.Series(pd.NA, index=df.index, dtype="str")
    for col in COUNT_COLUMNS:
        df[col] = df[col].astype("Int64") if col in df.columns else pd.Series(pd.NA, index=df.index,
                                                                                dtype="Int64")
    if people is not None and "person_id" in people.columns:
        facts = people.drop_duplicates("person_id").set_index("person_id")
        for col in ("full_name", "position"):
            if col in facts.columns:
                fill = df["person_id"].map(facts[col])
                df[col] = df[col].where(df[col].notna(), fill)
    return df, problems


# Conferences: base, base count, quorum -------------------------------------------------------

def conference_table(conferences: pd.DataFrame | None, base: str | None = None, rules: TrustRules | None = None,
                     default_base: str | None = None, conference_ids=None) -> pd.DataFrame:
    """One row per conference: the base used and why, its count, the quorum and the total limit.

    Columns: conference_id, step, body, date, the five counts (convened … ballots_valid), base,
    base_source (`parameter`, `conference`, `rule`, `default`), base_unsure, base_count, quorum_ok
    (True/False/<NA>), total_limit_column, total_limit. ``conference_ids`` keeps only those
    conferences (e.g. the votes of a trust table); None means every conference.
    """
    rules = rules or load_trust_rules()
    if conferences is None:
        conferences = pd.DataFrame(columns=["conference_id", "body", "date", "convened"])
    if conference_ids is not None:
        conferences = conferences[conferences["conference_id"].isin(set(conference_ids))]
    base = base or None
    if base is not None and base not in BASES:
        raise ParameterError(f"Cơ sở tính không hợp lệ / unknown base '{base}' (one of: {', '.join(BASES)})")
    if default_base is not None and default_base not in BASES:
        raise ParameterError(f"Cơ sở tính mặc định không hợp lệ / unknown default base '{default_base}'")
    rows = []
    for _, conf in conferences.iterrows():
        chosen, source, unsure = base, "parameter", False
        if chosen is None and "base" in conf.index and not pd.isna(conf["base"]):
            chosen, source = conf["base"], "conference"
        if chosen is None:
            body = conf.get("body")
            if any(body in r.bodies for r in rules.base_by_body):
                period = _period(conf.get("date"), conf.get("date_precision"))
                found = None
                if period is not None:
                    first = next((r for r in rules.base_by_body if r.covers(body, period[0])), None)
                    last = next((r for r in rules.base_by_body if r.covers(body, period[1])), None)
                    if first is not None and last is not None and first.base == last.base:
                        found = first.base
                if found is not None:
                    chosen, source = found, "rule"
                else:
                    unsure = True
        if chosen is None:
            chosen, source = default_base or rules.default_base, "default"
        count = _int(conf.get(chosen))
        q = rules.quorum
        attending, of = _int(conf.get(q.count)), _int(conf.get(q.of))
        quorum_ok = pd.NA if attending is None or not of else Fraction(attending, of) >= q.at_least
        limit_col = next((c for c in rules.total_limit if _int(conf.get(c)) is not None), None)
        rows.append({
            "conference_id": conf["conference_id"], "step": conf.get("step", pd.NA),
            "body": conf.get("body", pd.NA), "date": conf.get("date", pd.NaT),
            **{b: _int(conf.get(b)) for b in BASES}, "base": chosen,
            "base_source": source, "base_unsure": unsure, "base_count": count, "quorum_ok": quorum_ok,
            "total_limit_column": limit_col,
            "total_limit": _int(conf.get(limit_col)) if limit_col else None,
        })
    cols = ["conference_id", "step", "body", "date", *BASES, "base", "base_source", "base_unsure",
            "base_count", "quorum_ok", "total_limit_column", "total_limit"]
    out = pd.DataFrame(rows, columns=cols)
    for col in ("step", *BASES, "base_count", "total_limit"):
        out[col] = out[col].astype("Int64")
    out["quorum_ok"] = out["quorum_ok"].astype("boolean")
    out["date"] = pd.to_datetime(out["date"])
    return out


# The table -----------------------------------------------------------------------------------

def _printed_checks(df: pd.DataFrame, rules: TrustRules, flags: list[list[str]], problems: list[dict]) -> None:
    """Compare every printed percentage with count / base (exactly), per conference and level."""
    tolerance = rules.printed_pct.tolerance
    for level in COUNT_COLUMNS:
        column, printed = f"{level}_pct", f"{level}_pct_printed"
        for _, group in df[df[printed].notna()].groupby("conference_id", sort=False):
            parsed: dict[int, Printed] = {}
            for i, value in group[printed].items():
                try:
                    got = parse_printed_pct(value)
                except ValueError:
                    flags[i].append(f"pct_unreadable:{level}")
                    problems.append(_problem("pct_unreadable", flag=f"pct_unreadable:{level}",
                                             **_where(df, i), column=column, value=value))
                    continue
                if got is not None and _int(df.at[i, level]) is not None and _int(df.at[i, "base_count"]):
                    parsed[i] = got

            def ok(i: int, scale: int) -> bool:
                p = parsed[i]
                exact = Fraction(int(df.at[i, level]) * 100, int(df.at[i, "base_count"]))
                decimals = p.decimals - (2 if scale == 100 else 0)
                allowed = max(tolerance, Fraction(1, 2) * Fraction(10) ** -decimals)
                return abs(Fraction(p.value) * scale - exact) <= allowed

            # Excel percentage cells arrive as fractions (0.6154 for 61.54 %): read them so when that
            # reading, and only it, makes the column agree with the counts.
            scale = 1
            if parsed and not any(p.percent_sign for p in parsed.values()) and all(
                    p.value <= 1 for p in parsed.values()):
                if sum(ok(i, 100) for i in parsed) > sum(ok(i, 1) for i in parsed):
                    scale = 100
            for i in parsed:
                if not ok(i, scale):
                    flags[i].append(f"pct_mismatch:{level}")
                    computed = _pct(int(df.at[i, level]), int(df.at[i, "base_count"]))
                    problems.append(_problem("pct_mismatch", flag=f"pct_mismatch:{level}", **_where(df, i),
                                             column=column, value=df.at[i, printed],
                                             expected=f"{computed:.2f}", computed=computed,
                                             count=int(df.at[i, level]),
                                             base=df.at[i, "base"], base_count=int(df.at[i, "base_count"])))


def _where(df: pd.DataFrame, i: int) -> dict:
    return {"row": df.at[i, "excel_row"], "conference_id": df.at[i, "conference_id"],
            "person_id": None if pd.isna(df.at[i, "person_id"]) else df.at[i, "person_id"],
            "full_name": None if pd.isna(df.at[i, "full_name"]) else df.at[i, "full_name"]}


def analyse(trust_votes: pd.DataFrame | None, conferences: pd.DataFrame | None, base: str | None = None,
            rules: TrustRules | None = None, default_base: str | None = None,
            people: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """The per-person table (see :func:`trust_table`) and the consistency problems, in one pass.

    A dataset without trust votes (``trust_votes`` or ``conferences`` None) gives an empty table.
    """
    rules = rules or load_trust_rules()
    if trust_votes is None:
        trust_votes = pd.DataFrame(columns=["conference_id", "person_id", "full_name", *TRUST_LEVELS_3])
    confs = conference_table(conferences, base, rules, default_base)
    df, problems = _counted(trust_votes, people)
    df = df.merge(confs.drop(columns=list(BASES)), on="conference_id", how="left", suffixes=("", "_conference"))
    flags: list[list[str]] = [[] for _ in range(len(df))]

    # form, total, percentages, bands
    forms, totals = [], []
    for i, row in df.iterrows():
        has3 = any(not pd.isna(row[c]) for c in TRUST_LEVELS_3)
        has2 = any(not pd.isna(row[c]) for c in TRUST_LEVELS_2)
        form = THREE if has3 else TWO if has2 else None
        if has3 and has2:
            flags[i].append("mixed_form")
            problems.append(_problem("mixed_form", **_where(df, i)))
        counts = [_int(row[c]) for c in LEVELS.get(form, ())]
        total = sum(counts) if counts and None not in counts else None
        if form is None or total is None:
            flags[i].append("count_missing")
            problems.append(_problem("count_missing", **_where(df, i)))
        forms.append(form)
        totals.append(total)
    df["form"] = pd.Series(forms, index=df.index, dtype="str")
    df["total"] = pd.array(totals, dtype="Int64")

    for level in COUNT_COLUMNS:
        printed = df.pop(f"{level}_pct") if f"{level}_pct" in df.columns else pd.NA
        df[f"{level}_pct_printed"] = pd.Series(printed, index=df.index, dtype="object")
    bands, passed, reported = [], [], set()
    band_level, agree_level = rules.three_level.band_level, rules.two_level.threshold_level
    for i, row in df.iterrows():
        base_count = _int(row["base_count"])
        if not base_count:
            flags[i].append("base_missing")
            if row["conference_id"] not in reported:  # once per vote, at its first row
                reported.add(row["conference_id"])
                problems.append(_problem("base_missing", **_where(df, i), column=row["base"]))
        if not pd.isna(row["base_unsure"]) and bool(row["base_unsure"]):
            flags[i].append("base_unsure")
        low, agree = _int(row[band_level]), _int(row[agree_level])
        bands.append(rules.band(Fraction(low, base_count)) if row["form"] == THREE and low is not None
                     and base_count else pd.NA)
        passed.append(rules.two_level.met(Fraction(agree, base_count)) if row["form"] == TWO
                      and agree is not None and base_count else pd.NA)
    df["low_band"] = pd.Series(bands, index=df.index, dtype="str")
    df["agree_passed"] = pd.array(passed, dtype="boolean")

    _printed_checks(df, rules, flags, problems)
    for level in COUNT_COLUMNS:
        df[f"{level}_pct"] = pd.array([_pct(_int(c), _int(b)) for c, b in zip(df[level], df["base_count"])],
                                      dtype="Float64")

    # duplicates, totals above the ballots, totals far from the others', quorum
    keys = [_person_key(p, n) for p, n in zip(df["person_id"], df["full_name"])]
    df["_key"] = keys
    dup = df.duplicated(["conference_id", "_key"], keep=False) & df["_key"].notna()
    for i in df.index[dup]:
        flags[i].append("duplicate")
        problems.append(_problem("duplicate", **_where(df, i)))
    for i, row in df.iterrows():
        total, limit = _int(row["total"]), _int(row["total_limit"])
        if total is not None and limit is not None and total > limit:
            flags[i].append("over_collected")
            problems.append(_problem("over_collected", **_where(df, i), value=total, expected=limit,
                                     limit_column=row["total_limit_column"]))
    out = rules.outlier
    for _, group in df[df["total"].notna()].groupby(["conference_id", "form"], sort=False):
        if len(group) < out.min_people:
            continue
        median = Fraction(statistics.median(int(t) for t in group["total"]))
        allowed = max(out.min_abs, out.rel * median)
        for i, total in group["total"].items():
            if abs(int(total) - median) > allowed:
                flags[i].append("total_outlier")
                problems.append(_problem("total_outlier", **_where(df, i), value=int(total),
                                         expected=median, allowed=allowed))
    for i in df.index[df["quorum_ok"].eq(False).fillna(False).astype(bool)]:
        flags[i].append("quorum")
    for _, conf in confs[confs["quorum_ok"].eq(False).fillna(False).astype(bool)].iterrows():
        q = rules.quorum
        problems.append(_problem("quorum", table="conferences", conference_id=conf["conference_id"],
                                 column=q.count, share=str(q.at_least), of=q.of))
    for _, conf in confs[confs["base_unsure"]].iterrows():
        problems.append(_problem("base_unsure", table="conferences", conference_id=conf["conference_id"],
                                 column="date", base=conf["base"]))

    order = {code: n for n, code in enumerate(FLAG_CODES)}
    conf_rank = {c: n for n, c in enumerate(confs.sort_values(["date", "conference_id"], na_position="last",
                                                              kind="stable")["conference_id"])}
    problems.sort(key=lambda p: (conf_rank.get(p["conference_id"], len(conf_rank)), p["table"] != "conferences",
                                 p["row"] or 0, order.get(p["code"], len(order))))
    df["flags"] = [";".join(sorted(dict.fromkeys(f), key=lambda c: (order[c.split(":")[0]], c))) for f in flags]
    df = df.drop(columns=["_key"])
    df["_order"] = range(len(df))
    df = df.sort_values(["date", "conference_id", "_order"], na_position="last", kind="stable")
    columns = ["conference_id", "step", "body", "date", "form", "person_id", "full_name", "position",
               *COUNT_COLUMNS, "total", "base", "base_source", "base_count",
               *(f"{lv}_pct" for lv in COUNT_COLUMNS), "low_band", "agree_passed", "flags",
               "excel_row", *(f"{lv}_pct_printed" for lv in COUNT_COLUMNS)]
    table = df[columns].reset_index(drop=True)
    table["excel_row"] = table["excel_row"].astype("Int64")
    return table, problems


def trust_table(trust_votes: pd.DataFrame, conferences: pd.DataFrame, base: str | None = None,
                rules: TrustRules | None = None, default_base: str | None = None,
                people: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per person per vote: counts, base, percentages, band, threshold and flags.

    Columns: conference_id, step, body, date, form (`three_level`/`two_level`), person_id, full_name,
    position, high, trust, low, agree, disagree, total, base, base_source, base_count, high_pct,
    trust_pct, low_pct, agree_pct, disagree_pct (two decimals half up), low_band (`none`,
    `over_half`, `two_thirds`; empty for two-level votes), agree_passed (two-level: agree share
    above the threshold), flags (`;`-joined stable codes, see FLAG_CODES; per level for the
    printed-percentage checks, e.g. `pct_mismatch:low`), excel_row, and the printed percentages as
    typed (`<level>_pct_printed`). ``people`` fills missing names and positions by person_id.
    """
    return analyse(trust_votes, conferences, base, rules, default_base, people)[0]


def consistency_problems(trust_votes: pd.DataFrame, conferences: pd.DataFrame, base: str | None = None,
                         rules: TrustRules | None = None, default_base: str | None = None,
                         people: pd.DataFrame | None = None) -> list[dict]:
    """Every consistency problem as a plain dict (all warnings).

    Keys: code, flag, severity, table (`trust_votes`/`conferences`), row (Excel row or None),
    column, value, expected, conference_id, person_id, full_name, message_vi, message_en.
    """
    return analyse(trust_votes, conferences, base, rules, default_base, people)[1]


def problems_table(problems: list[dict], language: str | None = None) -> pd.DataFrame:
    """Problems as a table: conference, table, row, person, column, value, expected, code and the
    message in ``language`` (column `message`), or both messages (`message_vi`, `message_en`)."""
    cols = ["conference_id", "table", "row", "full_name", "person_id", "column", "value", "expected", "code"]
    if language is None:
        return pd.DataFrame(problems, columns=[*cols, "message_vi", "message_en"])
    df = pd.DataFrame(problems, columns=[*cols, f"message_{language}"])
    return df.rename(columns={f"message_{language}": "message"})


def trust_csv(table: pd.DataFrame) -> pd.DataFrame:
    """The contract's trust.csv columns (two-level columns added when the table has such votes)."""
    columns = list(CSV_COLUMNS)
    if table["form"].eq(TWO).any():
        columns[6:6] = ["agree", "disagree"]
        columns[columns.index("low_band"):columns.index("low_band")] = ["agree_pct", "disagree_pct"]
        columns.insert(columns.index("flags"), "agree_passed")
    return table[columns].copy()


# Rounds, groups, distributions ---------------------------------------------------------------

def match_rounds(table: pd.DataFrame) -> pd.DataFrame:
    """The same person across votes: by person_id, else by name (case and diacritics folded).

    A row without an id takes the id of the only person with that folded name; with none or
    several such people it is matched to other id-less rows of the same name. Returns the table's
    rows with `person_key`, `matched_by` (`id`/`name`), `round` (1, 2, … by conference date, then
    id) and `rounds` (how many votes the person appears in), sorted by person and round.
    """
    df = table.copy()
    names_to_ids: dict[str, set[str]] = {}
    for pid, name in zip(df["person_id"], df["full_name"]):
        if not pd.isna(pid) and not pd.isna(name):
            names_to_ids.setdefault(fold(name), set()).add(pid)
    keys, how, ids = [], [], []
    for pid, name in zip(df["person_id"], df["full_name"]):
        if not pd.isna(pid):
            keys.append(f"id:{pid}"), how.append("id"), ids.append(pid)
            continue
        folded = fold(name) if not pd.isna(name) else ""
        candidates = names_to_ids.get(folded, set())
        if len(candidates) == 1:
            only = next(iter(candidates))
            keys.append(f"id:{only}"), how.append("name"), ids.append(only)
        else:
            keys.append(f"name:{folded}" if folded else pd.NA), how.append("name"), ids.append(pd.NA)
    df["person_key"], df["matched_by"], df["person_id"] = keys, how, pd.array(ids, dtype="str")
    df = df[df["person_key"].notna()]
    order = (df[["conference_id", "date"]].drop_duplicates("conference_id")
             .sort_values(["date", "conference_id"], na_position="last", kind="stable"))
    df["round"] = df["conference_id"].map({c: n + 1 for n, c in enumerate(order["conference_id"])})
    df["rounds"] = df.groupby("person_key")["conference_id"].transform("nunique")
    # a name seen with an id in one round and without in another keeps the id's spelling
    df["full_name"] = df.groupby("person_key")["full_name"].transform(lambda s: s.dropna().iloc[-1]
                                                                       if s.notna().any() else pd.NA)
    return df.sort_values(["person_key", "round"], kind="stable").reset_index(drop=True)


def position_groups(positions: pd.Series, rules: TrustRules | None = None,
                    fallback: pd.Series | None = None) -> pd.Series:
    """Group code per position text (rule-file patterns on folded text); `other` when none match.

    ``fallback`` (e.g. the person's sector) is used where the position is missing.
    """
    rules = rules or load_trust_rules()
    compiled = [(g.group, [re.compile(rf"\b(?:{p})\b") for p in g.patterns]) for g in rules.position_groups]
    out = []
    for n, value in enumerate(positions):
        if value is None or pd.isna(value) or not str(value).strip():
            fb = fallback.iloc[n] if fallback is not None else None
            out.append(fb if fb is not None and not pd.isna(fb) else "other")
            continue
        folded = fold(value)
        out.append(next((g for g, pats in compiled if any(p.search(folded) for p in pats)), "other"))
    return pd.Series(out, index=positions.index, dtype="str", name="position_group")


def _shares(rows: pd.DataFrame, level: str) -> list[Fraction]:
    return [Fraction(int(c), int(b)) for c, b in zip(rows[level], rows["base_count"])
            if not pd.isna(c) and not pd.isna(b) and int(b) > 0]


def position_group_table(table: pd.DataFrame, rules: TrustRules | None = None,
                         people: pd.DataFrame | None = None) -> pd.DataFrame:
    """Three-level votes by conference and position group: people, mean shares and band counts.

    Columns: conference_id, position_group, people, high_pct, trust_pct, low_pct (means of the
    people's exact shares, two decimals half up), over_half, two_thirds.
    """
    df = table[table["form"].eq(THREE)].copy()
    fallback = None
    if people is not None and "sector" in people.columns:
        fallback = df["person_id"].map(people.drop_duplicates("person_id").set_index("person_id")["sector"])
    df["position_group"] = position_groups(df["position"], rules, fallback).values
    rules = rules or load_trust_rules()
    order = [*rules.position_group_order, *(g.group for g in rules.position_groups), "other"]
    rows = []
    for (conf, group), g in df.groupby(["conference_id", "position_group"], sort=False):
        rows.append({"conference_id": conf, "position_group": group, "people": len(g),
                     **{f"{lv}_pct": _mean_pct(_shares(g, lv)) for lv in TRUST_LEVELS_3},
                     "over_half": int(g["low_band"].eq("over_half").sum()),
                     "two_thirds": int(g["low_band"].eq("two_thirds").sum())})
    out = pd.DataFrame(rows, columns=["conference_id", "position_group", "people", "high_pct", "trust_pct",
                                      "low_pct", "over_half", "two_thirds"])
    rank = {g: n for n, g in enumerate(dict.fromkeys(order))}
    out["_r"] = out["position_group"].map(lambda g: rank.get(g, len(rank)))
    conf_order = {c: n for n, c in enumerate(dict.fromkeys(df["conference_id"]))}
    out["_c"] = out["conference_id"].map(conf_order)
    return out.sort_values(["_c", "_r"]).drop(columns=["_r", "_c"]).reset_index(drop=True)


def low_share_bins(table: pd.DataFrame, width: int = 5) -> pd.DataFrame:
    """Distribution of the low share per three-level vote: [conference_id, bin_from, bin_to, people].

    Bins are [from, to) percentage points of the exact share (the last bin includes 100 %); every
    bin is listed, empty ones with 0.
    """
    if 100 % width:
        raise ParameterError(f"Độ rộng khoảng phải chia hết 100 / bin width must divide 100: {width}")
    df = table[table["form"].eq(THREE)]
    rows = []
    for conf, g in df.groupby("conference_id", sort=False):
        counts = [0] * (100 // width)
        for share in _shares(g, "low"):
            counts[min(int(share * 100 / width), len(counts) - 1)] += 1
        rows += [{"conference_id": conf, "bin_from": n * width, "bin_to": (n + 1) * width, "people": c}
                 for n, c in enumerate(counts)]
    return pd.DataFrame(rows, columns=["conference_id", "bin_from", "bin_to", "people"])


def vote_summary_table(table: pd.DataFrame, by: str = "conference_id") -> pd.DataFrame:
    """One row per vote (or per `body`, or per `year`) for side-by-side comparison.

    Columns: <by>, form, people; for three-level votes high_pct, trust_pct, low_pct (means of exact
    shares), none, over_half, two_thirds (people per band); for two-level votes agree_pct, agreed,
    not_agreed (people above the threshold or not); flagged (rows with any flag). The columns of
    a form absent from the table are left out.
    """
    df = table.copy()
    if by == "year":
        df["year"] = df["date"].dt.year.astype("Int64")
    elif by not in df.columns:
        raise ParameterError(f"Không nhóm được theo / cannot group by '{by}'")
    rows = []
    for (key, form), g in df.groupby([by, "form"], sort=False, dropna=False):
        rows.append({by: key, "form": form, "people": len(g),
                     **{f"{lv}_pct": _mean_pct(_shares(g, lv)) for lv in (*TRUST_LEVELS_3, "agree")},
                     **{band: int(g["low_band"].eq(band).sum()) for band in BANDS},
                     "agreed": int(g["agree_passed"].eq(True).sum()),
                     "not_agreed": int(g["agree_passed"].eq(False).sum()),
                     "flagged": int(g["flags"].ne("").sum())})
    three = ["high_pct", "trust_pct", "low_pct", *BANDS]
    two = ["agree_pct", "agreed", "not_agreed"]
    has_two = bool(df["form"].eq(TWO).any())
    has_three = bool(df["form"].eq(THREE).any()) or not has_two
    columns = [by, "form", "people", *(three if has_three else []), *(two if has_two else []), "flagged"]
    return pd.DataFrame(rows, columns=[by, "form", "people", *three, *two, "flagged"])[columns]


def _plain(value: object) -> object:
    return None if value is None or pd.isna(value) else value


def summary(table: pd.DataFrame, problems: list[dict]) -> dict:
    """Headline figures for summary.json."""
    votes = []
    for conf, g in table.groupby("conference_id", sort=False):
        first = g.iloc[0]
        votes.append({
            "conference_id": conf, "body": _plain(first["body"]),
            "date": None if pd.isna(first["date"]) else pd.Timestamp(first["date"]).date().isoformat(),
            "form": _plain(first["form"]), "base": _plain(first["base"]),
            "base_source": _plain(first["base_source"]), "base_count": _int(first["base_count"]),
            "people": len(g), **{band: int(g["low_band"].eq(band).sum()) for band in BANDS},
            "agree_passed": int(g["agree_passed"].eq(True).sum()),
            "agree_not_passed": int(g["agree_passed"].eq(False).sum()),
            "flagged": int(g["flags"].ne("").sum()),
        })
    rounds = match_rounds(table)
    codes: dict[str, int] = {}
    for p in problems:
        codes[p["code"]] = codes.get(p["code"], 0) + 1
    return {
        "votes": votes,
        "rows": len(table),
        "people": int(rounds["person_key"].nunique()),
        "people_in_several_rounds": int(rounds.loc[rounds["form"].eq(THREE) & rounds["low_pct"].notna()]
                                        .groupby("person_key")["conference_id"].nunique().ge(2).sum()),
        "over_half": int(table["low_band"].eq("over_half").sum()),
        "two_thirds": int(table["low_band"].eq("two_thirds").sum()),
        "flagged_rows": int(table["flags"].ne("").sum()),
        "default_base_used": bool(table["base_source"].eq("default").any()),
        "problems": codes,
    }
