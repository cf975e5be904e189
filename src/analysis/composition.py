"""Composition of the planning pool and the regime's checks: tidy tables for charts and CSV.

Pure: DataFrames in, DataFrames (or a dict) out. ``people`` is expected to carry the derived
columns of :func:`analysis.people.add_person_facts` (``age``, ``age_band``, ``age_tier``,
``is_young``, ``is_minority``, ``eligible_<term>``); :func:`checks_table` and :func:`summary` add
them themselves when ``as_of`` is given and they are missing.

The pool is the people with a planning row that is not removed (status other than ``removed``
and no ``removed_on`` date); without a planning table every person is in the pool.
Percentages are 0–100, two decimals, rounded half up (`analysis.numbers`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from analysis.numbers import percent, percent_series, round_half_up
from analysis.people import add_person_facts, term_kind, term_label
from analysis.rules import DEFAULT_REGIME, Check, RuleSet, load_rules
from analysis.schema import BODIES, EDUCATION, GENDERS, POLITICAL_THEORY, SECTORS

CODE_ORDER = {
    "education": EDUCATION,
    "political_theory": POLITICAL_THEORY,
    "sector": SECTORS,
    "gender": GENDERS,
}
CHECK_COLUMNS = ["rule", "value", "target", "op", "ok", "certainty", "unit", "detail"]


def _need(people: pd.DataFrame, *columns: str) -> None:
    missing = [c for c in columns if c not in people.columns]
    if missing:
        raise ValueError(
            f"people lacks {missing}: call analysis.people.add_person_facts(...) first"
        )


def _rules(rules: RuleSet | str | None) -> RuleSet | None:
    if rules is None or isinstance(rules, RuleSet):
        return rules
    return load_rules(rules)


# The pool ---------------------------------------------------------------------------------------
def active_planning(planning: pd.DataFrame | None) -> pd.DataFrame | None:
    """Planning rows still in force (not removed); None when there is no planning table."""
    if planning is None:
        return None
    keep = planning["status"].astype("string") != "removed"
    keep = keep.fillna(True)
    if "removed_on" in planning:
        keep &= planning["removed_on"].isna()
    return planning[keep]


def pool(people: pd.DataFrame, planning: pd.DataFrame | None = None) -> pd.DataFrame:
    """The planning pool: people with a non-removed planning row (all people without planning)."""
    active = active_planning(planning)
    if active is None:
        return people
    return people[people["person_id"].isin(set(active["person_id"]))]


# Tables -----------------------------------------------------------------------------------------
def _band_keys(people: pd.DataFrame, column: str, rules: RuleSet | None, which: str) -> list[str]:
    series = people[column]
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [str(c) for c in series.cat.categories]
    rules = rules or load_rules(DEFAULT_REGIME)
    return rules.band_keys if which == "bands" else rules.tier_keys


def age_pyramid_table(people: pd.DataFrame, rules: RuleSet | None = None) -> pd.DataFrame:
    """``[age_band, gender, count]``: every band × both genders, zeros included, bands in order
    (youngest first), men before women. People with an unknown age or gender are not counted."""
    _need(people, "age_band", "gender")
    rows = []
    for band in _band_keys(people, "age_band", rules, "bands"):
        for gender in GENDERS:
            n = int(((people["age_band"] == band) & (people["gender"] == gender)).sum())
            rows.append({"age_band": band, "gender": gender, "count": n})
    return pd.DataFrame(rows, columns=["age_band", "gender", "count"])


def age_band_table(people: pd.DataFrame, rules: RuleSet | None = None) -> pd.DataFrame:
    """``[age_band, count, pct]`` in band order; pct of all people. A last row with a missing band
    counts people whose age is unknown (only when there are any)."""
    _need(people, "age_band")
    total = len(people)
    rows = [
        {"age_band": band, "count": int((people["age_band"] == band).sum())}
        for band in _band_keys(people, "age_band", rules, "bands")
    ]
    unknown = int(people["age_band"].isna().sum())
    if unknown:
        rows.append({"age_band": pd.NA, "count": unknown})
    table = pd.DataFrame(rows, columns=["age_band", "count"])
    table["pct"] = percent_series(table["count"], total)
    return table


def _planned(people: pd.DataFrame, planning: pd.DataFrame | None, titles: pd.DataFrame | None):
    """Active planning rows joined with the people's columns (one row per person and title)."""
    active = active_planning(planning)
    if active is None or titles is None:
        return None
    pairs = active[["person_id", "title_id"]].drop_duplicates()
    return pairs.merge(people, on="person_id", how="inner")


def tier_table(
    people: pd.DataFrame, planning: pd.DataFrame | None, titles: pd.DataFrame | None,
    rules: RuleSet | None = None,
) -> pd.DataFrame:
    """``[title_id, title, body, age_tier, count]``: for every title, people planned per age tier
    (every tier, zeros included; a missing tier row only when some ages are unknown or outside)."""
    _need(people, "age_tier")
    columns = ["title_id", "title", "body", "age_tier", "count"]
    planned = _planned(people, planning, titles)
    if planned is None:
        return pd.DataFrame(columns=columns)
    tiers = _band_keys(people, "age_tier", rules, "tiers")
    rows = []
    for title in titles.itertuples(index=False):
        mine = planned[planned["title_id"] == title.title_id]
        for tier in tiers:
            n = int((mine["age_tier"] == tier).sum())
            rows.append([title.title_id, title.title, title.body, tier, n])
        unknown = int(mine["age_tier"].isna().sum())
        if unknown:
            rows.append([title.title_id, title.title, title.body, pd.NA, unknown])
    return pd.DataFrame(rows, columns=columns)


def women_table(
    people: pd.DataFrame, planning: pd.DataFrame | None, titles: pd.DataFrame | None
) -> pd.DataFrame:
    """``[body, title_id, title, people, women, women_pct]``: one row per body (title_id and title
    missing; distinct people planned for any of its titles) followed by its titles."""
    columns = ["body", "title_id", "title", "people", "women", "women_pct"]
    planned = _planned(people, planning, titles)
    if planned is None:
        return pd.DataFrame(columns=columns)
    planned = planned.merge(titles[["title_id", "body"]], on="title_id", how="left")
    bodies = [b for b in BODIES if b in set(titles["body"])]
    bodies += sorted(set(titles["body"].dropna()) - set(bodies))
    rows = []
    for body in bodies:
        members = planned[planned["body"] == body].drop_duplicates("person_id")
        rows.append([body, pd.NA, pd.NA, len(members), int((members["gender"] == "female").sum())])
        for title in titles[titles["body"] == body].itertuples(index=False):
            mine = planned[planned["title_id"] == title.title_id]
            rows.append(
                [body, title.title_id, title.title, len(mine), int((mine["gender"] == "female").sum())]
            )
    table = pd.DataFrame(rows, columns=columns[:-1])
    table["people"] = table["people"].astype("Int64")
    table["women"] = table["women"].astype("Int64")
    table["women_pct"] = percent_series(table["women"], table["people"])
    return table


def _blank_as_missing(values: pd.Series) -> pd.Series:
    """``values`` as objects with blank texts and every kind of missing value as ``None``."""
    blank = values.astype("string").str.strip().eq("").fillna(False).astype(bool)
    values = values.astype("object")
    return values.where(values.notna() & ~blank, None)


def category_table(people: pd.DataFrame, column: str) -> pd.DataFrame:
    """``[<column>, count, pct]``. Code columns (education, political_theory, sector, gender) list
    every code in its canonical order, zeros included; free text (ethnicity) is sorted by count.
    Missing values are a last row with a missing value (only when there are any), never dropped."""
    total = len(people)
    values = people[column] if column in people else pd.Series(pd.NA, index=people.index)
    values = _blank_as_missing(values)
    counts = values.value_counts(dropna=True)
    if column in CODE_ORDER:
        order = list(CODE_ORDER[column]) + sorted(set(counts.index) - set(CODE_ORDER[column]), key=str)
    else:
        order = sorted(counts.index, key=lambda v: (-int(counts[v]), str(v)))
    rows = [{column: value, "count": int(counts.get(value, 0))} for value in order]
    missing = int(values.isna().sum())
    if missing:
        rows.append({column: pd.NA, "count": missing})
    table = pd.DataFrame(rows, columns=[column, "count"])
    table["pct"] = percent_series(table["count"], total)
    return table


def sector_table(people: pd.DataFrame) -> pd.DataFrame:
    """``[sector, unit, count]``: people per sector and unit, missing kept as a missing value;
    sectors in canonical order (missing last), then units by count and name."""
    def column(name: str) -> pd.Series:
        return _blank_as_missing(people[name] if name in people else pd.Series(pd.NA, index=people.index))

    pairs = pd.DataFrame({"sector": column("sector"), "unit": column("unit")})
    counts: dict[tuple, int] = {
        tuple(None if pd.isna(v) else v for v in key): int(n)
        for key, n in pairs.value_counts(dropna=False, sort=False).items()
    }
    rank = {code: i for i, code in enumerate(SECTORS)}

    def order(item: tuple) -> tuple:
        (sector, unit), n = item
        sector_rank = (2, "") if sector is None else (0, rank[sector]) if sector in rank else (1, str(sector))
        return (sector_rank, -n, unit is None, str(unit))

    def na(value: Any) -> Any:
        return pd.NA if value is None else value

    ordered = sorted(counts.items(), key=order)
    return pd.DataFrame(
        {
            "sector": pd.Series([na(s) for (s, _), _ in ordered], dtype="object"),
            "unit": pd.Series([na(u) for (_, u), _ in ordered], dtype="object"),
            "count": pd.Series([n for _, n in ordered], dtype="int64"),
        }
    )


def eligibility_table(people: pd.DataFrame, terms: Iterable[Any]) -> pd.DataFrame:
    """``[term, kind, eligible, not_eligible, eligible_pct, unknown]`` per term: who can serve a
    full term (``eligible_<label>``); pct over people whose eligibility is known."""
    rows = []
    for term in terms or []:
        label = term_label(term)
        _need(people, f"eligible_{label}")
        flags = people[f"eligible_{label}"].astype("boolean")
        yes, no = int((flags == True).sum()), int((flags == False).sum())  # noqa: E712
        rows.append(
            {
                "term": label,
                "kind": term_kind(term),
                "eligible": yes,
                "not_eligible": no,
                "eligible_pct": percent(yes, yes + no),
                "unknown": int(flags.isna().sum()),
            }
        )
    columns = ["term", "kind", "eligible", "not_eligible", "eligible_pct", "unknown"]
    table = pd.DataFrame(rows, columns=columns)
    table["eligible_pct"] = table["eligible_pct"].astype("Float64")
    return table


# Checks -----------------------------------------------------------------------------------------
def _with_facts(people, rules, level, terms, as_of) -> pd.DataFrame:
    needed = ["age", "age_band", "age_tier", "is_young", "is_minority"]
    needed += [f"eligible_{term_label(t)}" for t in terms or []]
    if all(c in people.columns for c in needed) or as_of is None:
        return people
    return add_person_facts(people, as_of, terms, rules, level)


def _title_terms(active: pd.DataFrame, titles: pd.DataFrame | None, labels: list[str]) -> pd.Series:
    """Per active planning row, the term label its title is planned for (None: every term)."""
    if titles is None or "term" not in titles:
        return pd.Series(None, index=active.index, dtype="object")
    term_of = dict(zip(titles["title_id"], titles["term"]))
    return active["title_id"].map(lambda t: term_of.get(t) if term_of.get(t) in labels else None)


def ineligible_terms(pool_people, active, titles, terms) -> pd.DataFrame | None:
    """``[person_id, term]``: each person of the pool with each term they are planned for and cannot
    serve in full (the term of their title; every term when the title's term is not one of the
    dataset's, or without planning); None when no term can be judged. The check
    ``ineligible_in_pool`` counts these people; the review flags them (``over_age``)."""
    labels = [term_label(t) for t in terms or []]
    labels = [lab for lab in labels if f"eligible_{lab}" in pool_people]
    if not labels:
        return None
    long = pool_people[["person_id"] + [f"eligible_{lab}" for lab in labels]].melt(
        id_vars="person_id", var_name="term", value_name="eligible"
    )
    long["term"] = long["term"].str.removeprefix("eligible_")
    if active is None:
        wanted = long
    else:
        terms_of_rows = _title_terms(active, titles, labels).to_numpy()
        rows = pd.DataFrame({"person_id": active["person_id"].to_numpy(), "term": terms_of_rows})
        known = rows[rows["term"].notna()].merge(long, on=["person_id", "term"])
        anyterm = rows[rows["term"].isna()][["person_id"]].merge(long, on="person_id")
        wanted = pd.concat([known, anyterm], ignore_index=True)
    flags = wanted["eligible"].astype("boolean")
    bad = wanted.loc[(flags == False).fillna(False).to_numpy(), ["person_id", "term"]]  # noqa: E712
    return bad.drop_duplicates().reset_index(drop=True)


def _ineligible(pool_people, active, titles, terms) -> tuple[int | None, list[str]]:
    """People of the pool who cannot serve a full term of a term they are planned for
    (`ineligible_terms`)."""
    bad = ineligible_terms(pool_people, active, titles, terms)
    if bad is None:
        return None, []
    ids = sorted(bad["person_id"].astype(str).unique())
    return len(ids), ids


def _number(value: float) -> int | float:
    """An int when whole (4), else rounded half up to two decimals (2.5, 1.33)."""
    value = round_half_up(float(value), 2)
    return int(value) if value == int(value) else value


DETAIL_LIMIT = 20  # ids named in a check's detail; the rest are counted


def _join(items: list[str]) -> str:
    shown = "; ".join(items[:DETAIL_LIMIT])
    return shown + (f"; … (+{len(items) - DETAIL_LIMIT})" if len(items) > DETAIL_LIMIT else "")


def _over(counts: pd.Series, check, fmt=str) -> str:
    """'id: value' for each id whose value breaks the check, worst first."""
    if check.target is None:
        return ""
    over = counts[[check.judge(float(v)) is False for v in counts]]
    return _join([f"{k}: {fmt(v)}" for k, v in over.sort_values(ascending=False).items()])


LIMIT_RULES = ("titles_per_person", "people_per_title", "pool_size_ratio")
LIMIT_COLUMNS = ["id", "count", "seats", "value", "ok"]


def limit_table(
    rule: str, check: Check, planned: pd.DataFrame | None, titles: pd.DataFrame | None
) -> pd.DataFrame | None:
    """What a limit check judges, one row per person (``titles_per_person``) or per title of the
    bodies in the check's ``applies_to``; the composition checks and the review flags both use it.

    ``planned``: planning rows in force (``person_id``, ``title_id``). Columns ``id``, ``count``
    (the person's titles; the title's people), ``seats`` (<NA> if unknown), ``value`` and ``ok``
    (`Check.judge`). ``value``: the count; people per seat for ``people_per_title`` (3 seats may plan
    3 × the limit, as the contract's places = seats × people per title; no seat count: one seat);
    people ÷ seats for ``pool_size_ratio`` (titles with seats only). None when it cannot be judged:
    no planning rows, or no titles for a per-title rule.
    """
    if rule not in LIMIT_RULES:
        raise ValueError(f"'{rule}' is not a limit rule ({', '.join(LIMIT_RULES)})")
    if planned is None:
        return None
    pairs = planned[["person_id", "title_id"]].drop_duplicates()
    if rule == "titles_per_person":
        counts = pairs.groupby("person_id").size()
        seats = pd.Series(pd.NA, index=counts.index, dtype="Float64")
        values = counts.map(int)
    else:
        if titles is None:
            return None
        scoped = titles if check.applies_to is None else titles[titles["body"].isin(check.applies_to)]
        counts = (
            pairs[pairs["title_id"].isin(set(scoped["title_id"]))]
            .groupby("title_id")
            .size()
            .reindex(scoped["title_id"], fill_value=0)
        )
        seats = (
            pd.Series(scoped["seats"].to_numpy(), index=scoped["title_id"]).astype("Float64")
            if "seats" in scoped
            else pd.Series(pd.NA, index=scoped["title_id"], dtype="Float64")
        )
        if rule == "people_per_title":
            values = (counts.astype("Float64") / seats.fillna(1).clip(lower=1)).map(_number)
        else:
            known = (seats.notna() & (seats > 0)).fillna(False).to_numpy()
            counts, seats = counts[known], seats[known]
            values = (counts.astype("Float64") / seats).map(round_half_up)
    return pd.DataFrame(
        {
            "id": pd.Series(list(counts.index), dtype="object"),
            "count": pd.Series(counts.to_numpy(), dtype="int64"),
            "seats": pd.Series(seats.to_numpy(), dtype="Float64"),
            "value": pd.Series(list(values), dtype="object"),
            "ok": pd.Series([check.judge(float(v)) for v in values], dtype="object"),
        },
        columns=LIMIT_COLUMNS,
    )


def _value(rule, check, members, active, titles, terms, rules, level):
    """(value, detail, certainty of the inputs) of one check; value None when it cannot be judged."""
    if rule == "women_share":
        return percent(int((members["gender"] == "female").sum()), len(members)), "", "C"
    if rule == "young_share":
        young = members["is_young"].astype("boolean") if "is_young" in members else None
        if young is None or young.notna().sum() == 0:
            return None, "", "C"
        return percent(int(young.sum()), int(young.notna().sum())), "", rules.certainty_of(
            f"young_age.{level}"
        )
    if rule == "ineligible_in_pool":
        value, ids = _ineligible(members, active, titles, terms)
        option = rules.min_service_months.default
        return value, _join(ids), rules.certainty_of(f"min_service_months.{option}")
    if rule not in LIMIT_RULES:
        raise ValueError(f"no computation for rule '{rule}'")
    table = limit_table(rule, check, active, titles)
    if table is None:
        return None, "", "C"
    values = pd.Series(table["value"].to_numpy(), index=table["id"].to_numpy(), dtype="object")
    if rule == "titles_per_person":
        return (int(values.max()) if len(values) else 0), _over(values, check), "C"
    if values.empty:
        return None, "", "C"
    top = _number(values.max()) if rule == "people_per_title" else float(values.max())
    return top, _over(values, check, lambda v: f"{v:g}"), "C"


def checks_table(
    people: pd.DataFrame,
    planning: pd.DataFrame | None,
    titles: pd.DataFrame | None,
    rules: RuleSet | str,
    level: str | None,
    terms: Iterable[Any] | None,
    *,
    as_of: Any = None,
) -> pd.DataFrame:
    """``[rule, value, target, op, ok, certainty, unit, detail]``: one row per check of the rule set.

    ``value`` is in the rule's unit (% for shares; people — per seat of the title for
    ``people_per_title``; titles; or a ratio for ``pool_size_ratio``); ``ok`` is True or
    False, or None when it cannot be judged (no planning table for a per-title rule, unknown
    target, no data). ``certainty`` is M when the check or a value it depends on (young age for
    the level, minimum service) is only remembered: such a failure is to be verified, not a
    breach. ``detail`` names what breaks the rule (title or person ids). A rule set without checks
    (kl24) gives an empty table: it only displays.
    """
    rules = _rules(rules)
    terms = list(terms or [])
    people = _with_facts(people, rules, level, terms, as_of)
    active = active_planning(planning)
    members = pool(people, planning)
    rows = []
    for check in rules.checks:
        value, detail, input_certainty = _value(
            check.rule, check, members, active, titles, terms, rules, level
        )
        certainty = "M" if "M" in (check.certainty, input_certainty) else "C"
        rows.append(
            {
                "rule": check.rule,
                "value": value,
                "target": check.target,
                "op": check.op,
                "ok": check.judge(value),
                "certainty": certainty,
                "unit": check.unit,
                "detail": detail,
            }
        )
    return pd.DataFrame(
        {col: pd.Series([row[col] for row in rows], dtype="object") for col in CHECK_COLUMNS}
    )


# Headline figures -------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def summary(
    people: pd.DataFrame,
    rules: RuleSet | str,
    planning: pd.DataFrame | None = None,
    titles: pd.DataFrame | None = None,
    *,
    level: str | None = None,
    terms: Iterable[Any] | None = None,
    as_of: Any = None,
) -> dict[str, Any]:
    """Headline figures of the pool for ``summary.json``.

    Contract keys: ``as_of`` (ISO date), ``people``, ``women``, ``women_pct``, ``ethnic_minority``,
    ``ethnic_minority_pct``, ``mean_age`` (1 decimal), ``age_bands`` (count per official band),
    ``checks`` (``[{rule, value, target, ok, op, certainty}]``); also ``people_listed`` (everyone in
    the people table), ``regime``, ``birth_year_only``, ``age_unknown``.
    """
    rules = _rules(rules)
    terms = list(terms or [])
    people = _with_facts(people, rules, level, terms, as_of)
    _need(people, "age", "age_band", "is_minority")
    members = pool(people, planning)
    n = len(members)
    women = int((members["gender"] == "female").sum())
    minority = int(members["is_minority"].astype("boolean").fillna(False).sum())
    ages = members["age"].astype("Float64").dropna()
    mean_age = round_half_up(float(ages.mean()), 1) if len(ages) else None
    band_counts = age_band_table(members, rules).dropna(subset=["age_band"])
    bands = {str(b): int(c) for b, c in zip(band_counts["age_band"], band_counts["count"])}
    checks = checks_table(people, planning, titles, rules, level, terms)
    return {
        "as_of": None if as_of is None else pd.Timestamp(as_of).date().isoformat(),
        "people": n,
        "women": women,
        "women_pct": percent(women, n),
        "ethnic_minority": minority,
        "ethnic_minority_pct": percent(minority, n),
        "mean_age": mean_age,
        "age_bands": bands,
        "checks": [
            {k: _plain(row[k]) for k in ("rule", "value", "target", "ok", "op", "certainty")}
            for row in checks.to_dict("records")
        ],
        "people_listed": len(people),
        "regime": rules.id,
        "birth_year_only": int(members["birth_year_only"].sum()) if "birth_year_only" in members else 0,
        "age_unknown": int(members["age"].isna().sum()),
    }
