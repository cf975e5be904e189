"""Consistency checks of trust votes: flags per row and problems (bilingual warnings).

The checks read the per-person table of `analysis.trust` (counts, form, total, base and its count,
the printed percentages as typed) and the conference table: a missing or unsure base, missing or
mixed counts, a person twice in one vote, printed percentages that disagree with count ÷ base (or
cannot be read), totals above the ballots collected or far from the others', a quorum under the
rule file's share. Nothing is corrected: a row is flagged (stable codes, `FLAG_CODES`) and a
problem names it (Excel row, conference, person, value and expected value).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import pandas as pd

from analysis.labels import code_label, text
from analysis.numbers import percent, round_half_up
from analysis.schema import BASES, TRUST_LEVELS_2, TRUST_LEVELS_3, fold
from analysis.trust_rules import COUNT_COLUMNS, TrustRules

# Stable flag codes, in the order they are written in the `flags` column.
FLAG_CODES = (
    "base_missing", "base_unsure", "count_missing", "mixed_form", "duplicate",
    "pct_unreadable", "pct_mismatch", "over_collected", "total_outlier", "quorum",
)
_PCT = re.compile(r"^([+-]?\d+)(?:[.,](\d+))?\s*%?$")


# Small helpers -------------------------------------------------------------------------------

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


def as_int(value: object) -> int | None:
    """A count as an int; None when missing."""
    return None if value is None or pd.isna(value) else int(value)


def person_key(person_id: object, full_name: object) -> str | None:
    """``id:<person_id>``, else ``name:<folded full name>``; None without either."""
    if person_id is not None and not pd.isna(person_id) and str(person_id).strip():
        return f"id:{person_id}"
    if full_name is not None and not pd.isna(full_name) and str(full_name).strip():
        return f"name:{fold(full_name)}"
    return None


# Problems ------------------------------------------------------------------------------------

def problem(code: str, *, flag: str | None = None, table: str = "trust_votes", row: object = None,
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


def _where(df: pd.DataFrame, i: int) -> dict:
    return {"row": df.at[i, "excel_row"], "conference_id": df.at[i, "conference_id"],
            "person_id": None if pd.isna(df.at[i, "person_id"]) else df.at[i, "person_id"],
            "full_name": None if pd.isna(df.at[i, "full_name"]) else df.at[i, "full_name"]}


# Checks --------------------------------------------------------------------------------------

def _count_checks(df: pd.DataFrame, flags: list[list[str]], problems: list[dict]) -> None:
    """Counts of both forms in one row; a row without a form or with a count missing."""
    for i, row in df.iterrows():
        if any(not pd.isna(row[c]) for c in TRUST_LEVELS_3) and any(not pd.isna(row[c]) for c in TRUST_LEVELS_2):
            flags[i].append("mixed_form")
            problems.append(problem("mixed_form", **_where(df, i)))
        if pd.isna(row["form"]) or pd.isna(row["total"]):
            flags[i].append("count_missing")
            problems.append(problem("count_missing", **_where(df, i)))


def _base_checks(df: pd.DataFrame, flags: list[list[str]], problems: list[dict]) -> None:
    """No count for the base (reported once per vote, at its first row); a base the rules cannot tell."""
    reported = set()
    for i, row in df.iterrows():
        if not as_int(row["base_count"]):
            flags[i].append("base_missing")
            if row["conference_id"] not in reported:
                reported.add(row["conference_id"])
                problems.append(problem("base_missing", **_where(df, i), column=row["base"]))
        if not pd.isna(row["base_unsure"]) and bool(row["base_unsure"]):
            flags[i].append("base_unsure")


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
                    problems.append(problem("pct_unreadable", flag=f"pct_unreadable:{level}",
                                            **_where(df, i), column=column, value=value))
                    continue
                if got is not None and as_int(df.at[i, level]) is not None and as_int(df.at[i, "base_count"]):
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
                    computed = percent(int(df.at[i, level]), int(df.at[i, "base_count"]))
                    problems.append(problem("pct_mismatch", flag=f"pct_mismatch:{level}", **_where(df, i),
                                            column=column, value=df.at[i, printed],
                                            expected=f"{computed:.2f}", computed=computed,
                                            count=int(df.at[i, level]),
                                            base=df.at[i, "base"], base_count=int(df.at[i, "base_count"])))


def _total_checks(df: pd.DataFrame, rules: TrustRules, flags: list[list[str]], problems: list[dict]) -> None:
    """A person twice in one vote; totals above the ballots; totals far from the vote's median."""
    keys = pd.Series([person_key(p, n) for p, n in zip(df["person_id"], df["full_name"])], index=df.index)
    keyed = pd.DataFrame({"conference_id": df["conference_id"], "_key": keys})
    for i in df.index[keyed.duplicated(["conference_id", "_key"], keep=False) & keys.notna()]:
        flags[i].append("duplicate")
        problems.append(problem("duplicate", **_where(df, i)))
    for i, row in df.iterrows():
        total, limit = as_int(row["total"]), as_int(row["total_limit"])
        if total is not None and limit is not None and total > limit:
            flags[i].append("over_collected")
            problems.append(problem("over_collected", **_where(df, i), value=total, expected=limit,
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
                problems.append(problem("total_outlier", **_where(df, i), value=int(total),
                                        expected=median, allowed=allowed))


def _conference_checks(df: pd.DataFrame, confs: pd.DataFrame, rules: TrustRules, flags: list[list[str]],
                       problems: list[dict]) -> None:
    """Quorum (flagged on every row of the vote), and the conferences' own problems."""
    for i in df.index[df["quorum_ok"].eq(False).fillna(False).astype(bool)]:
        flags[i].append("quorum")
    for _, conf in confs[confs["quorum_ok"].eq(False).fillna(False).astype(bool)].iterrows():
        q = rules.quorum
        problems.append(problem("quorum", table="conferences", conference_id=conf["conference_id"],
                                column=q.count, share=str(q.at_least), of=q.of))
    for _, conf in confs[confs["base_unsure"]].iterrows():
        problems.append(problem("base_unsure", table="conferences", conference_id=conf["conference_id"],
                                column="date", base=conf["base"]))


def check_votes(df: pd.DataFrame, confs: pd.DataFrame, rules: TrustRules) -> tuple[list[str], list[dict]]:
    """Every check of the per-person table ``df`` (index 0…n-1) against ``confs`` (`conference_table`).

    Returns the `flags` column (`;`-joined codes in the order of `FLAG_CODES`, per level for the
    printed-percentage checks, e.g. `pct_mismatch:low`) and the problems, unsorted.
    """
    flags: list[list[str]] = [[] for _ in range(len(df))]
    problems: list[dict] = []
    _count_checks(df, flags, problems)
    _base_checks(df, flags, problems)
    _printed_checks(df, rules, flags, problems)
    _total_checks(df, rules, flags, problems)
    _conference_checks(df, confs, rules, flags, problems)
    order = {code: n for n, code in enumerate(FLAG_CODES)}
    joined = [";".join(sorted(dict.fromkeys(f), key=lambda c: (order[c.split(":")[0]], c))) for f in flags]
    return joined, problems


def sort_problems(problems: list[dict], confs: pd.DataFrame) -> list[dict]:
    """Problems by conference date, conference before its rows, Excel row, then `FLAG_CODES` order."""
    order = {code: n for n, code in enumerate(FLAG_CODES)}
    conf_rank = {c: n for n, c in enumerate(confs.sort_values(["date", "conference_id"], na_position="last",
                                                              kind="stable")["conference_id"])}
    return sorted(problems, key=lambda p: (conf_rank.get(p["conference_id"], len(conf_rank)),
                                           p["table"] != "conferences", p["row"] or 0,
                                           order.get(p["code"], len(order))))


def problems_table(problems: list[dict], language: str | None = None) -> pd.DataFrame:
    """Problems as a table: conference, table, row, person, column, value, expected, code and the
    message in ``language`` (column `message`), or both messages (`message_vi`, `message_en`)."""
    cols = ["conference_id", "table", "row", "full_name", "person_id", "column", "value", "expected", "code"]
    if language is None:
        return pd.DataFrame(problems, columns=[*cols, "message_vi", "message_en"])
    df = pd.DataFrame(problems, columns=[*cols, f"message_{language}"])
    return df.rename(columns={f"message_{language}": "message"})
