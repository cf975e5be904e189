"""Trust votes ("lấy phiếu tín nhiệm"): counts, the base of each vote, percentages, bands.

Pure: DataFrames in, DataFrames and plain dicts out. The numbers (bands, thresholds, quorum,
base by body and date, tolerances) come from `rules/trust.yml` through
:func:`analysis.trust_rules.load_trust_rules`; the consistency checks are `analysis.trust_checks`,
rounds, groups and distributions `analysis.trust_rounds`.

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

from datetime import date
from fractions import Fraction

import pandas as pd

from analysis.errors import ParameterError
from analysis.numbers import percent
from analysis.schema import BASES, TRUST_LEVELS_2, TRUST_LEVELS_3
from analysis.trust_checks import as_int, check_votes, person_key, problem, sort_problems
from analysis.trust_rounds import match_rounds
from analysis.trust_rules import BANDS, COUNT_COLUMNS, LEVELS, THREE, TWO, TrustRules, load_trust_rules

# trust.csv (data contract; agree/disagree columns are added when the data has two-level votes).
CSV_COLUMNS = ("conference_id", "person_id", "full_name", "high", "trust", "low", "base",
               "base_count", "high_pct", "trust_pct", "low_pct", "low_band", "flags")


# Normalising the input -----------------------------------------------------------------------

def aggregate_raw(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Raw ballots (one row per ballot and person, with ``level``) -> counts per person per vote.

    A ballot marking the same person more than once is invalid for that person and not counted
    (reported, without its ballot id). Ballot ids are never part of the result.
    """
    problems: list[dict] = []
    df = raw.copy()
    df["_key"] = [person_key(p, n) for p, n in zip(df.get("person_id", pd.Series(pd.NA, index=df.index)),
                                                   df.get("full_name", pd.Series(pd.NA, index=df.index)))]
    missing = df["level"].isna()
    for conf, n in df[missing].groupby("conference_id").size().items():
        problems.append(problem("level_missing", column="level", conference_id=conf, count=int(n)))
    nobody = df["_key"].isna() & ~missing
    for conf, n in df[nobody].groupby("conference_id").size().items():
        problems.append(problem("person_missing", column="person_id", conference_id=conf, count=int(n)))
    df = df[~missing & ~nobody]
    if "ballot_id" in df.columns and df["ballot_id"].notna().any():
        dup = df.duplicated(["conference_id", "ballot_id", "_key"], keep=False) & df["ballot_id"].notna()
        for (conf, key), group in df[dup].groupby(["conference_id", "_key"]):
            first = group.iloc[0]
            problems.append(problem("raw_duplicate", conference_id=conf, person_id=first.get("person_id"),
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
        count = as_int(conf.get(chosen))
        q = rules.quorum
        attending, of = as_int(conf.get(q.count)), as_int(conf.get(q.of))
        quorum_ok = pd.NA if attending is None or not of else Fraction(attending, of) >= q.at_least
        limit_col = next((c for c in rules.total_limit if as_int(conf.get(c)) is not None), None)
        rows.append({
            "conference_id": conf["conference_id"], "step": conf.get("step", pd.NA),
            "body": conf.get("body", pd.NA), "date": conf.get("date", pd.NaT),
            **{b: as_int(conf.get(b)) for b in BASES}, "base": chosen,
            "base_source": source, "base_unsure": unsure, "base_count": count, "quorum_ok": quorum_ok,
            "total_limit_column": limit_col,
            "total_limit": as_int(conf.get(limit_col)) if limit_col else None,
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

def _form_and_total(row: pd.Series) -> tuple[str | None, int | None]:
    """The vote's form (three-level when it has any of those counts) and the sum of its counts."""
    has3 = any(not pd.isna(row[c]) for c in TRUST_LEVELS_3)
    has2 = any(not pd.isna(row[c]) for c in TRUST_LEVELS_2)
    form = THREE if has3 else TWO if has2 else None
    counts = [as_int(row[c]) for c in LEVELS.get(form, ())]
    return form, (sum(counts) if counts and None not in counts else None)


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

    forms_totals = [_form_and_total(row) for _, row in df.iterrows()]
    df["form"] = pd.Series([f for f, _ in forms_totals], index=df.index, dtype="str")
    df["total"] = pd.array([t for _, t in forms_totals], dtype="Int64")
    for level in COUNT_COLUMNS:
        printed = df.pop(f"{level}_pct") if f"{level}_pct" in df.columns else pd.NA
        df[f"{level}_pct_printed"] = pd.Series(printed, index=df.index, dtype="object")
    bands, passed = [], []
    band_level, agree_level = rules.three_level.band_level, rules.two_level.threshold_level
    for _, row in df.iterrows():
        base_count = as_int(row["base_count"])
        low, agree = as_int(row[band_level]), as_int(row[agree_level])
        bands.append(rules.band(Fraction(low, base_count)) if row["form"] == THREE and low is not None
                     and base_count else pd.NA)
        passed.append(rules.two_level.met(Fraction(agree, base_count)) if row["form"] == TWO
                      and agree is not None and base_count else pd.NA)
    df["low_band"] = pd.Series(bands, index=df.index, dtype="str")
    df["agree_passed"] = pd.array(passed, dtype="boolean")
    for level in COUNT_COLUMNS:
        df[f"{level}_pct"] = pd.array([percent(as_int(c), as_int(b)) for c, b in zip(df[level], df["base_count"])],
                                      dtype="Float64")

    df["flags"], found = check_votes(df, confs, rules)
    problems = sort_problems(problems + found, confs)
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


def trust_csv(table: pd.DataFrame) -> pd.DataFrame:
    """The contract's trust.csv columns (two-level columns added when the table has such votes)."""
    columns = list(CSV_COLUMNS)
    if table["form"].eq(TWO).any():
        columns[6:6] = ["agree", "disagree"]
        columns[columns.index("low_band"):columns.index("low_band")] = ["agree_pct", "disagree_pct"]
        columns.insert(columns.index("flags"), "agree_passed")
    return table[columns].copy()


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
            "base_source": _plain(first["base_source"]), "base_count": as_int(first["base_count"]),
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
        # the forms apart: QĐ 96 bands are for three-level votes; a two-level vote (agree / disagree)
        # has its own threshold, and a report on it shows neither bands nor low-trust charts
        "three_level_votes": sum(v["form"] == THREE for v in votes),
        "two_level_votes": sum(v["form"] == TWO for v in votes),
        "two_level_people": int(rounds.loc[rounds["form"].eq(TWO), "person_key"].nunique()),
        "agree_not_passed": int(table["agree_passed"].eq(False).sum()),
        "flagged_rows": int(table["flags"].ne("").sum()),
        "default_base_used": bool(table["base_source"].eq("default").any()),
        "problems": codes,
    }
