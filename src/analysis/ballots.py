"""Introduction ballots: threshold, ranking, the cut-off, the steps after it, the report bundle.

Pure functions over the canonical tables (docs/design.md). Counting raw ballots, the accounting
and the bases live in `analysis.tally` (re-exported here). The tool never breaks a tie on the
cut-off: it flags it for the committee. "Passed" is judged on exact fractions, never on the
rounded percentage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.errors import DatasetError, ParameterError
from analysis.numbers import percent_series
from analysis.readers import map_distinct
from analysis.schema import COLUMNS, fold
from analysis.tally import (  # noqa: F401  (re-exported: the public API of introduction ballots)
    ACCOUNTING_CHAIN,
    BallotRules,
    accounting,
    ballot_rules,
    check_accounting,
    effective_places,
    int_column,
    raise_all,
    resolve_bases,
    split_ballots,
    tally_parquet,
    tally_raw,
)

CONTRACT_COLUMNS = [
    "conference_id", "title_id", "person_id", "full_name", "votes",
    "base", "base_count", "pct", "passed", "rank", "tie_at_cutoff",
]
TALLY_COLUMNS = CONTRACT_COLUMNS + ["step", "title", "places", "in_places", "outcome"]
OUTCOMES = ("in_places", "tie_at_cutoff", "beyond_places", "below_threshold")
STATUSES = ("passed", "not_passed", "kept", "dropped", "added")
_MISSING = "\x00missing"  # stands for <NA> while grouping


# Tally --------------------------------------------------------------------------------------


def _person_key(df: pd.DataFrame) -> pd.Series:
    """person_id, or the folded name for a write-in, so the same write-in groups together."""
    names = df["full_name"] if "full_name" in df else pd.Series(pd.NA, index=df.index, dtype="str")
    folded = names.dropna().unique()
    folded_map = {name: "name:" + fold(name) for name in folded}
    return df["person_id"].astype("str").fillna(names.map(folded_map))


def _check_counts(counts: pd.DataFrame, conferences: pd.DataFrame, titles: pd.DataFrame) -> None:
    lines = []
    bad_votes = counts["votes"].isna() | (counts["votes"] < 0)
    for _, row in counts[bad_votes.fillna(True)].head(10).iterrows():
        lines.append(
            f"Hội nghị {row['conference_id']}, chức danh {row['title_id']}, người {row['person_id']}: "
            f"số phiếu '{row['votes']}' không hợp lệ / invalid votes '{row['votes']}'"
        )
    for column, table, vi, en in (
        ("conference_id", conferences, "hội nghị", "conference"),
        ("title_id", titles, "chức danh", "title"),
    ):
        unknown = sorted(set(counts[column].dropna().unique()) - set(table[column].dropna()))
        if unknown:
            lines.append(
                f"Kết quả kiểm phiếu có {vi} không có trong bảng: {', '.join(map(str, unknown))} / "
                f"counted votes name unknown {en}(s): {', '.join(map(str, unknown))}"
            )
    key = counts[["conference_id", "title_id"]].assign(who=_person_key(counts))
    twice = key[key.duplicated(keep=False)].drop_duplicates()
    for _, row in twice.head(10).iterrows():
        lines.append(
            f"Hội nghị {row['conference_id']}, chức danh {row['title_id']}: '{row['who']}' "
            f"có hai dòng kết quả / "
            f"conference {row['conference_id']}, title {row['title_id']}: '{row['who']}' is listed twice"
        )
    raise_all(lines)


def _check_against_ballots(df: pd.DataFrame, conferences: pd.DataFrame) -> None:
    """No one gets more votes than there were ballots; a title's votes fit in ballots × places."""
    limits = conferences[["conference_id"]].copy()
    limits["limit"] = pd.array([pd.NA] * len(conferences), dtype="Int64")
    limits["limit_name"] = pd.Series(pd.NA, index=conferences.index, dtype="str")
    for column in ACCOUNTING_CHAIN:  # the last one given is the tightest bound
        value = int_column(conferences, column)
        limits["limit"] = value.fillna(limits["limit"])
        limits["limit_name"] = limits["limit_name"].where(value.isna(), column)
    merged = df.merge(limits, on="conference_id", how="left")
    lines = []
    for _, row in merged[(merged["votes"] > merged["limit"]).fillna(False)].head(10).iterrows():
        lines.append(
            f"Hội nghị {row['conference_id']}, chức danh {row['title_id']}: {row['full_name']} có "
            f"{row['votes']} phiếu, nhiều hơn {row['limit_name']} = {row['limit']} / conference "
            f"{row['conference_id']}, title {row['title_id']}: {row['full_name']} has {row['votes']} "
            f"votes, more than {row['limit_name']} = {row['limit']}"
        )
    sums = merged.groupby(["conference_id", "title_id"], as_index=False).agg(
        votes=("votes", "sum"), limit=("limit", "first"), places=("places", "first")
    )
    over = sums[(sums["votes"] > sums["limit"] * sums["places"]).fillna(False)]
    for _, row in over.iterrows():
        lines.append(
            f"Hội nghị {row['conference_id']}, chức danh {row['title_id']}: tổng {row['votes']} phiếu "
            f"vượt {row['limit']} phiếu × {row['places']} vị trí / conference {row['conference_id']}, "
            f"title {row['title_id']}: {row['votes']} votes in all, more than {row['limit']} ballots × "
            f"{row['places']} places"
        )
    raise_all(lines)


def tally(
    counts: pd.DataFrame,
    conferences: pd.DataFrame,
    titles: pd.DataFrame,
    people: pd.DataFrame | None = None,
    base: str | None = None,
    rules: BallotRules | None = None,
) -> pd.DataFrame:
    """Percentages, pass/fail, competition ranks and the cut-off, per conference and title.

    ``counts`` is [conference_id, title_id, person_id, votes] (+ full_name for write-ins), from
    the counting minutes or :func:`tally_raw`. Columns: the contract's (`CONTRACT_COLUMNS`) then
    step, title, places, in_places (<NA> inside a tie on the cut-off) and outcome (`OUTCOMES`).
    """
    rules = rules or ballot_rules()
    df = counts.reset_index(drop=True).copy()
    if "full_name" not in df:
        df["full_name"] = pd.Series(pd.NA, index=df.index, dtype="str")
    df["votes"] = int_column(df, "votes")
    _check_counts(df, conferences, titles)
    used = conferences[conferences["conference_id"].isin(df["conference_id"].unique())]
    check_accounting(used)
    df = df.merge(resolve_bases(used, base, rules), on="conference_id", how="left")
    df = df.merge(
        pd.DataFrame({"conference_id": used["conference_id"].to_numpy(), "step": int_column(used, "step").to_numpy()}),
        on="conference_id", how="left",
    )
    info = pd.DataFrame({
        "title_id": titles["title_id"].to_numpy(),
        "title": titles["title"].to_numpy() if "title" in titles else titles["title_id"].to_numpy(),
        "places": effective_places(titles, rules).to_numpy(),
    })
    df = df.merge(info, on="title_id", how="left")
    if people is not None and len(people):
        names = people.drop_duplicates("person_id").set_index("person_id")["full_name"]
        df["full_name"] = df["person_id"].map(names).astype("str").fillna(df["full_name"])
    df["full_name"] = df["full_name"].fillna(df["person_id"])
    _check_against_ballots(df, used)

    q = rules.pass_more_than
    df["pct"] = percent_series(df["votes"], df["base_count"])
    df["passed"] = (df["votes"] * q.denominator > df["base_count"] * q.numerator).astype("boolean")
    group = ["conference_id", "title_id"]
    df["rank"] = df.groupby(group)["votes"].rank(method="min", ascending=False).astype("Int64")
    tied = df.groupby(group + ["votes"])["votes"].transform("size").astype("Int64")
    above = df["rank"] - 1
    known = df["places"].notna()
    fits = (~known | (above + tied <= df["places"])).fillna(True)
    straddles = (known & (above < df["places"]) & (above + tied > df["places"])).fillna(False)
    df["tie_at_cutoff"] = (df["passed"] & straddles).astype("boolean")
    outcome = pd.Series("beyond_places", index=df.index, dtype="str")
    outcome = outcome.mask(df["passed"] & fits, "in_places").mask(df["tie_at_cutoff"], "tie_at_cutoff")
    df["outcome"] = outcome.mask(~df["passed"], "below_threshold")
    df["in_places"] = (df["outcome"] == "in_places").astype("boolean").mask(df["tie_at_cutoff"], pd.NA)

    order = _order(df, conferences, titles)
    return df.loc[order, TALLY_COLUMNS].reset_index(drop=True)


def _order(df: pd.DataFrame, conferences: pd.DataFrame, titles: pd.DataFrame) -> pd.Index:
    """Conferences by step then their table order, titles by table order, then rank and name."""
    conf_pos = {c: i for i, c in enumerate(conferences["conference_id"])}
    title_pos = {t: i for i, t in enumerate(titles["title_id"])}
    keys = pd.DataFrame({
        "step": df["step"].fillna(10**6),
        "conf": df["conference_id"].map(conf_pos),
        "title": df["title_id"].map(title_pos),
        "rank": df["rank"],
        "name": map_distinct(df["full_name"], fold),
    })
    return keys.sort_values(["step", "conf", "title", "rank", "name"], kind="stable").index


def title_summary(tallied: pd.DataFrame) -> pd.DataFrame:
    """One row per conference and title: candidates, passed_count, in_places_count, the cut-off, ties.

    `cutoff_votes` / `cutoff_pct` are those of the last place: the candidate at position
    `places` in vote order among those over the threshold; <NA> when fewer passed than there
    are places (then `unfilled` places remain).
    """
    keys = ["conference_id", "title_id"]
    g = tallied.groupby(keys, sort=False)
    out = g.agg(
        step=("step", "first"), title=("title", "first"), places=("places", "first"),
        base=("base", "first"), base_count=("base_count", "first"),
        candidates=("votes", "size"), passed_count=("passed", "sum"),
        in_places_count=("in_places", lambda s: int(s.fillna(False).sum())),
        tie_people=("tie_at_cutoff", "sum"),
    ).reset_index()
    out["tie_at_cutoff"] = out["tie_people"] > 0
    out["unfilled"] = (out["places"] - out["passed_count"]).clip(lower=0)
    ordered = tallied[tallied["passed"].fillna(False)]
    ordered = ordered.sort_values(keys + ["votes"], ascending=[True, True, False], kind="stable")
    ordered = ordered.assign(position=ordered.groupby(keys).cumcount() + 1)
    last = ordered[ordered["position"] == ordered["places"]][keys + ["votes", "pct"]]
    out = out.merge(last.rename(columns={"votes": "cutoff_votes", "pct": "cutoff_pct"}), on=keys, how="left")
    for column in ("passed_count", "in_places_count", "tie_people", "candidates", "cutoff_votes", "unfilled"):
        out[column] = out[column].astype("Int64")
    return out


# Across steps -------------------------------------------------------------------------------


def steps_table(tallied: pd.DataFrame) -> pd.DataFrame:
    """Each person's share for each title at each step, and whether they were kept or dropped.

    Status at the first step: `passed` / `not_passed`. At later steps, for someone who passed the
    step before: `kept` (passed again) or `dropped` (failed, or absent: votes <NA>); for someone
    who had not: `added` (passed) or `not_passed`. Conferences without a step are left out.
    """
    df = tallied[tallied["step"].notna()].copy()
    columns = ["person_id", "full_name", "title_id", "title", "step", "conference_id",
               "votes", "pct", "passed", "status"]
    if df.empty:
        return pd.DataFrame(columns=columns)
    df["who"] = _person_key(df)
    twice = df[df.duplicated(["who", "title_id", "step"], keep=False)]
    if len(twice):
        row = twice.iloc[0]
        raise DatasetError(
            f"{row['full_name']} có hai kết quả cho chức danh {row['title_id']} ở bước {row['step']} / "
            f"{row['full_name']} has two results for title {row['title_id']} at step {row['step']}"
        )
    steps = sorted(df["step"].unique())
    people = df.drop_duplicates(["who", "title_id"])[["who", "title_id", "person_id", "full_name", "title"]]
    frames, in_pool = [], None
    for step in steps:  # a handful of steps; each is vectorised over people
        here = people.merge(
            df[df["step"] == step][["who", "title_id", "conference_id", "votes", "pct", "passed"]],
            on=["who", "title_id"], how="left",
        )
        present, passed = here["votes"].notna(), here["passed"].fillna(False).astype(bool)
        if in_pool is None:
            status = pd.Series("not_passed", index=here.index, dtype="str").mask(passed, "passed")
            keep = present
        else:
            was = here.set_index(["who", "title_id"]).index.isin(in_pool)
            status = pd.Series("not_passed", index=here.index, dtype="str")
            status = status.mask(~was & passed, "added").mask(was & passed, "kept").mask(was & ~passed, "dropped")
            keep = present | was
        here = here.assign(step=step, status=status)[keep]
        frames.append(here)
        good = here[here["status"].isin(["passed", "kept", "added"])]
        in_pool = pd.MultiIndex.from_frame(good[["who", "title_id"]])
    out = pd.concat(frames, ignore_index=True)
    out["step"] = out["step"].astype("Int64")
    out["passed"] = out["passed"].astype("boolean")
    return out[columns]


def flows_table(steps: pd.DataFrame) -> pd.DataFrame:
    """Person-title pairs moving from one step's status to the next: [step, status, next_step,
    next_status, count] — the links of a Sankey diagram of the pool through the steps."""
    columns = ["step", "status", "next_step", "next_status", "count"]
    if steps.empty:
        return pd.DataFrame(columns=columns)
    key = steps.assign(who=_person_key(steps))
    order = sorted(key["step"].unique())
    pairs = []
    for here, nxt in zip(order, order[1:]):
        a = key[key["step"] == here][["who", "title_id", "status"]]
        b = key[key["step"] == nxt][["who", "title_id", "status"]]
        joined = a.merge(b, on=["who", "title_id"], suffixes=("", "_next"))
        counted = joined.groupby(["status", "status_next"], as_index=False).size()
        pairs.append(counted.assign(step=here, next_step=nxt).rename(
            columns={"status_next": "next_status", "size": "count"}
        ))
    if not pairs:
        return pd.DataFrame(columns=columns)
    out = pd.concat(pairs, ignore_index=True)[columns]
    out["count"] = out["count"].astype("Int64")
    return out


def passed_composition(
    tallied: pd.DataFrame,
    people: pd.DataFrame,
    column: str,
    step: int | None = None,
    categories: list | None = None,
) -> pd.DataFrame:
    """Who passed against who did not, by a person column (age_band, gender…), at one step.

    A person passed if they passed for any title at the step (default: the first step). Columns
    [outcome, <column>, count, pct]; pct within each outcome; missing values kept as <NA>.
    """
    if column not in people:
        raise ParameterError(
            f"Bảng cán bộ không có cột '{column}' / the people table has no column '{column}'"
        )
    df = tallied[tallied["person_id"].notna()]
    if step is None and df["step"].notna().any():
        step = int(df["step"].min())
    if step is not None:
        df = df[df["step"] == step]
    passed = df.groupby("person_id")["passed"].any()
    facts = people.drop_duplicates("person_id").set_index("person_id")[column]
    values = pd.Series(passed.index.map(facts), index=passed.index)
    if categories is None:
        spec = COLUMNS["people"].get(column)
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = list(values.cat.categories)
        elif spec is not None and spec.codes:
            categories = list(spec.codes)
        else:
            categories = sorted(values.dropna().unique())
    categories = list(categories) + [v for v in sorted(values.dropna().unique()) if v not in categories]
    missing = values.isna()
    keys = values.astype(object).where(~missing, _MISSING)
    categories += [_MISSING] if missing.any() else []
    persons = pd.DataFrame({"outcome": passed.map({True: "passed", False: "not_passed"}), column: keys})
    grid = pd.MultiIndex.from_product([["passed", "not_passed"], categories], names=["outcome", column])
    counts = persons.groupby(["outcome", column]).size()
    out = counts.reindex(grid, fill_value=0).rename("count").reset_index()
    out[column] = out[column].where(out[column] != _MISSING, pd.NA)
    out["count"] = out["count"].astype("Int64")
    totals = out.groupby("outcome")["count"].transform("sum")
    out["pct"] = percent_series(out["count"], totals)
    return out


# The whole report ---------------------------------------------------------------------------


@dataclass
class IntroductionVotes:
    """Everything the introduction-votes report shows, computed once."""

    tally: pd.DataFrame
    invalid: pd.DataFrame
    accounting: pd.DataFrame
    titles: pd.DataFrame
    steps: pd.DataFrame
    flows: pd.DataFrame
    rules: BallotRules
    kinds: dict[str, str] = field(default_factory=dict)  # conference_id -> "raw" | "counted"

    @property
    def first_step(self) -> int | None:
        """The first step of the process in the data (the introduction ballot), if any."""
        steps = self.tally["step"].dropna()
        return int(steps.min()) if len(steps) else None


def introduction_votes(
    ballots: pd.DataFrame,
    titles: pd.DataFrame,
    conferences: pd.DataFrame,
    people: pd.DataFrame | None = None,
    base: str | None = None,
    rules: BallotRules | None = None,
) -> IntroductionVotes:
    """Tally raw and/or counted ballots and derive every table of the report."""
    rules = rules or ballot_rules()
    raw, counted = split_ballots(ballots)
    parts, invalid = [], pd.DataFrame(columns=["conference_id", "title_id", "title", "reason", "ballots"])
    if len(raw):
        counts, invalid = tally_raw(raw, titles, conferences, rules)
        invalid = invalid.merge(titles[["title_id", "title"]].drop_duplicates("title_id"), on="title_id", how="left")
        invalid = invalid[["conference_id", "title_id", "title", "reason", "ballots"]]
        parts.append(counts)
    if len(counted):
        parts.append(counted.reindex(columns=["conference_id", "title_id", "person_id", "full_name", "votes"]))
    counts = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["conference_id", "title_id", "person_id", "full_name", "votes"]
    )
    tallied = tally(counts, conferences, titles, people, base, rules)
    used = conferences[conferences["conference_id"].isin(tallied["conference_id"])]
    steps = steps_table(tallied)
    kinds = dict.fromkeys(raw["conference_id"].unique(), "raw")
    kinds |= dict.fromkeys(counted["conference_id"].unique(), "counted")
    return IntroductionVotes(
        tally=tallied, invalid=invalid, accounting=accounting(used, invalid, rules),
        titles=title_summary(tallied), steps=steps, flows=flows_table(steps), rules=rules, kinds=kinds,
    )


def summary(result: IntroductionVotes) -> dict:
    """Headline figures for summary.json (no ballot ids, no single ballot's content)."""
    t, acc = result.tally, result.accounting
    ties = result.tally[result.tally["tie_at_cutoff"].fillna(False)]
    tie_list = [
        {"conference_id": c, "title_id": ti, "votes": int(g["votes"].iloc[0]), "people": g["full_name"].tolist()}
        for (c, ti), g in ties.groupby(["conference_id", "title_id"], sort=False)
    ]
    bases = t.drop_duplicates("conference_id").set_index("conference_id")[["base", "base_count"]]
    conferences = []
    for row in acc.to_dict("records"):
        row["base"] = bases["base"].get(row["conference_id"])
        count = bases["base_count"].get(row["conference_id"])
        row["base_count"] = None if count is None or pd.isna(count) else int(count)
        row["kind"] = result.kinds.get(row["conference_id"])
        conferences.append(row)
    steps = result.steps
    return {
        "conferences": conferences,
        "titles": int(t[["conference_id", "title_id"]].drop_duplicates().shape[0]),
        "candidates": int(len(t)),
        "passed": int(t["passed"].sum()),
        "in_places": int(t["in_places"].fillna(False).sum()),
        "ties_at_cutoff": tie_list,
        "invalid_for_titles": {r: int(n) for r, n in result.invalid.groupby("reason")["ballots"].sum().items()},
        "steps": {
            str(s): {k: int(v) for k, v in g["status"].value_counts().items()}
            for s, g in steps.groupby("step")
        },
        "pass_threshold": f"> {result.rules.pass_more_than}",
        "quorum": f">= {result.rules.quorum_at_least} {result.rules.quorum_of}",
    }
