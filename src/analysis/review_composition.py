"""Composition of the planning pool before and after a review, and the regime's checks on both.

Pure: two tables of people (with the facts of `analysis.people.add_person_facts`) or two
`composition.checks_table` results in, one tidy table out, so a chart can put both states side by
side. Counting is `analysis.composition`'s; this module only lines the two states up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from analysis.composition import age_pyramid_table
from analysis.numbers import percent
from analysis.privacy import DEFAULT_MIN_CELL, suppress_small_cells
from analysis.review import empty_frame, is_missing
from analysis.rules import DEFAULT_REGIME, RuleSet, load_rules
from analysis.schema import GENDERS, MAJORITY_ETHNICITY, SECTORS

COMPOSITION_DIMENSIONS = ("age_band", "age_tier", "gender", "ethnicity", "sector")
STATES = ("before", "after")
# The breakdowns whose small groups are hidden, as the composition report hides them: dimension ->
# the categories never hidden (the majority and unknown ethnicity, whose counts the headline gives).
SMALL_CELL_DIMENSIONS: dict[str, list] = {"ethnicity": [MAJORITY_ETHNICITY, None], "sector": []}


def _category_order(dimension: str, values: Iterable[object], orders: Mapping | None = None) -> list[object]:
    known = {"gender": GENDERS, "sector": SECTORS, **(orders or {})}.get(dimension)
    if known is None and dimension == "age_band":  # official bands: the same in every regime
        known = load_rules(DEFAULT_REGIME).band_keys
    present = [v for v in dict.fromkeys(values) if not is_missing(v)]
    if known is not None:
        ordered = [v for v in known] + [v for v in present if v not in known]
    else:
        ordered = sorted(present, key=str)
    return ordered


def composition_change(
    before_people: pd.DataFrame,
    after_people: pd.DataFrame,
    dimensions: Iterable[str] = COMPOSITION_DIMENSIONS,
    orders: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """People per category before and after, for each dimension present in both tables.

    Columns ``dimension, category, before, before_pct, after, after_pct, change`` (change = after −
    before in people). Missing values are a category (empty ``category``), never dropped; official
    orders for age bands, genders and sectors, ``orders`` for others (e.g. the rule set's tiers),
    else by name; ethnicities with Kinh first, then by size after the review.
    """
    columns = ["dimension", "category", "before", "before_pct", "after", "after_pct", "change"]
    rows = []
    for dimension in dimensions:
        if dimension not in before_people.columns or dimension not in after_people.columns:
            continue
        b = before_people[dimension].astype("object").where(before_people[dimension].notna(), None)
        a = after_people[dimension].astype("object").where(after_people[dimension].notna(), None)
        categories = _category_order(dimension, list(b) + list(a), orders)
        if dimension == "ethnicity":  # the majority first, then by size after the review
            counts = a.value_counts()
            categories.sort(key=lambda c: (c != MAJORITY_ETHNICITY, -int(counts.get(c, 0)), str(c)))
        if b.isna().any() or a.isna().any():
            categories.append(None)
        for category in categories:
            nb = int(b.isna().sum()) if category is None else int((b == category).sum())
            na = int(a.isna().sum()) if category is None else int((a == category).sum())
            rows.append({
                "dimension": dimension, "category": pd.NA if category is None else category,
                "before": nb, "before_pct": percent(nb, len(b)), "after": na,
                "after_pct": percent(na, len(a)), "change": na - nb,
            })
    out = pd.DataFrame(rows, columns=columns)
    for column in ("before", "after", "change"):
        out[column] = out[column].astype("Int64")
    for column in ("before_pct", "after_pct"):
        out[column] = out[column].astype("Float64")
    return out


def _hidden(categories: list, counts: list, exempt: list, by_size: bool, threshold: int) -> list[bool]:
    """Which of one state's cells `privacy.suppress_small_cells` hides, the rows taken in the order
    the composition report gives them (ethnicities by size, then name; sectors as they are), so both
    reports hide the same cells, complements included."""
    order = list(range(len(categories)))
    if by_size:
        order.sort(key=lambda i: (is_missing(categories[i]), -int(counts[i]), str(categories[i])))
    table = pd.DataFrame({"category": [None if is_missing(categories[i]) else categories[i] for i in order],
                          "count": [int(counts[i]) for i in order]}, dtype=object)
    hidden = suppress_small_cells(table, threshold=threshold, also=[],
                                  exempt={"category": exempt} if exempt else None)["suppressed"].tolist()
    out = [False] * len(categories)
    for position, i in enumerate(order):
        out[i] = hidden[position]
    return out


def suppress_small_groups(table: pd.DataFrame, threshold: int = DEFAULT_MIN_CELL) -> pd.DataFrame:
    """`composition_change` with the small groups of `SMALL_CELL_DIMENSIONS` hidden in each state.

    Per dimension and state, counts under ``threshold`` are hidden with their complements
    (`privacy.suppress_small_cells`, the dimension's total published); a hidden count takes its
    percentage with it, and ``change`` is hidden when either state is. Adds a boolean column
    ``suppressed`` (either state hidden). ``threshold`` 0 or 1 hides nothing.
    """
    out = table.copy()
    out["suppressed"] = False
    for dimension, exempt in SMALL_CELL_DIMENSIONS.items():
        rows = out.index[out["dimension"] == dimension]
        if not len(rows):
            continue
        categories = out.loc[rows, "category"].tolist()
        either = pd.Series(False, index=rows)
        for state in STATES:
            hidden = pd.Series(_hidden(categories, out.loc[rows, state].fillna(0).tolist(), exempt,
                                       dimension == "ethnicity", threshold), index=rows)
            out.loc[hidden.index[hidden], [state, f"{state}_pct"]] = pd.NA
            either |= hidden
        out.loc[either.index[either], "change"] = pd.NA
        out.loc[rows, "suppressed"] = either
    return out


def pyramid_change(
    before_people: pd.DataFrame, after_people: pd.DataFrame, rules: RuleSet | None = None
) -> pd.DataFrame:
    """``state, age_band, gender, count`` for both states, every band × gender (zeros included).

    Each state is `composition.age_pyramid_table` (bands of ``rules``, else the official ones).
    """
    parts = [
        age_pyramid_table(people, rules).assign(state=state)
        for state, people in zip(STATES, (before_people, after_people))
    ]
    out = pd.concat(parts, ignore_index=True)[["state", "age_band", "gender", "count"]]
    out["count"] = out["count"].astype("Int64")
    return out


def targets_change(before_checks: pd.DataFrame | None, after_checks: pd.DataFrame | None) -> pd.DataFrame:
    """The regime's checks before and after side by side.

    Inputs are `composition.checks_table` results (``rule, value, target, op, ok, certainty``);
    output ``rule, op, target, certainty, before, before_ok, after, after_ok``.
    """
    columns = ["rule", "op", "target", "certainty", "before", "before_ok", "after", "after_ok"]
    frames = [f for f in (before_checks, after_checks) if f is not None and len(f)]
    if not frames:
        return empty_frame(columns)
    base = pd.concat(frames)[["rule", "op", "target", "certainty"]].drop_duplicates("rule")

    def side(frame: pd.DataFrame | None, name: str) -> pd.DataFrame:
        if frame is None or len(frame) == 0:
            return pd.DataFrame({"rule": base["rule"], name: pd.NA, f"{name}_ok": None})
        return frame[["rule", "value", "ok"]].rename(columns={"value": name, "ok": f"{name}_ok"})

    out = base.merge(side(before_checks, "before"), on="rule", how="left")
    out = out.merge(side(after_checks, "after"), on="rule", how="left")
    for column in ("before_ok", "after_ok"):
        out[column] = out[column].astype("object").map(lambda v: None if is_missing(v) else bool(v))
    return out[columns].reset_index(drop=True)
