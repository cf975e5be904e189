"""Trust votes compared: the same person across rounds, position groups, distributions, votes side by side.

Pure: the per-person table of `analysis.trust.trust_table` in, tidy tables out. Shares are exact
fractions; means of shares and percentages are two decimals rounded half up (`analysis.numbers`).
"""

from __future__ import annotations

import re
from fractions import Fraction

import pandas as pd

from analysis import share_bins
from analysis.errors import ParameterError
from analysis.numbers import percent
from analysis.schema import TRUST_LEVELS_3, fold
from analysis.trust_rules import BANDS, THREE, TWO, TrustRules, load_trust_rules


def _mean_pct(shares: list[Fraction]) -> float | None:
    """Mean of exact shares, as a percentage two decimals half up."""
    if not shares:
        return None
    mean = sum(shares, Fraction(0)) / len(shares)
    return percent(mean.numerator, mean.denominator)


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


def low_share_bins(table: pd.DataFrame, rules: TrustRules | None = None, width: int = 5) -> pd.DataFrame:
    """Distribution of the low share per three-level vote.

    Columns: conference_id, bin_from, bin_to (percentage points, two decimals), from_included,
    to_included, people. Bins are `analysis.share_bins`'s: every ``width`` points and at each band
    bound of ``rules`` (default `rules/trust.yml`), so that a share of exactly 1/2 (not "more than
    half") is counted below the 1/2 line and each person on the side of a line their band says.
    Every bin is listed, empty ones with 0.
    """
    rules = rules or load_trust_rules()
    bands = sorted(rules.three_level.bands, key=lambda b: b.value)
    bins = share_bins.make_bins([share_bins.Bound(b.value * 100, strict=b.above is not None) for b in bands],
                                width)
    zone_of = {"none": 0, **{b.band: n + 1 for n, b in enumerate(bands)}}
    df = table[table["form"].eq(THREE)]
    rows = []
    for conf, g in df.groupby("conference_id", sort=False):
        known = g[g["low"].notna() & g["base_count"].notna() & g["base_count"].gt(0)]
        shares = [Fraction(int(c) * 100, int(b)) for c, b in zip(known["low"], known["base_count"])]
        zones = [zone_of.get(band) for band in known["low_band"]] if "low_band" in known else None
        counts = share_bins.count(shares, bins, zones)
        rows += [{"conference_id": conf, "bin_from": _points(b.start), "bin_to": _points(b.end),
                  "from_included": b.start_included, "to_included": b.end_included, "people": c}
                 for b, c in zip(bins, counts)]
    return pd.DataFrame(rows, columns=["conference_id", "bin_from", "bin_to", "from_included", "to_included",
                                       "people"])


def _points(value: Fraction) -> float:
    """Percentage points two decimals half up (66.67 for 2/3)."""
    return percent(value.numerator, value.denominator * 100)


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
