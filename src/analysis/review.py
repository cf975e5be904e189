"""Planning review ("rà soát, bổ sung quy hoạch"): pool states, changes and their reasons, flags.

Pure: canonical DataFrames in, tidy DataFrames out (docs/design.md). The only file this module reads
is its own data file, ``rules/standards.yml`` (title standards and the vocabularies of removal reasons
and "no discipline" values). Linkage between the pools of several units is in `analysis.linkage`.

Vocabulary
----------
A *state* is the planning pool on a date: the planning rows (person × title) in force then
(`planning_state`). Comparing two states gives one row per (person, title) with its `change`:

- ``retained``: in both states;
- ``added``: only in the state after; reason ``new_source`` (the person was in no title of the pool
  before) or ``other_title`` (already in the pool, for another title);
- ``removed``: only in the state before; reason from `removal_reason` as typed, normalised to a code by
  ``standards.yml`` (``over_age``, ``retired``, ``discipline``, ``low_trust``, ``moved``, …, ``other``);
  without a typed reason: ``left`` when the person is no longer in the people table, else
  ``unspecified``.

A *flag* (`review_flags`) names a person (or a title) to look at on a date for a term, with the rule,
the action the rule calls for (``remove`` or ``review``), the evidence, and the rule's certainty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pandas as pd
import yaml

from analysis.config import RULES_DIR
from analysis.errors import RulesError
from analysis.labels import code_label, text
from analysis.numbers import percent, round_half_up
from analysis.schema import BODIES, GENDERS, SECTORS, fold

CHANGES = ("retained", "removed", "added")
ADD_REASONS = ("new_source", "other_title")
NO_REASON = ("left", "unspecified")
FLAG_RULES = (
    "over_age", "discipline", "low_trust", "titles_per_person", "people_per_title",
    "pool_size_ratio", "standards",
)
ACTIONS = ("remove", "review")  # what a flag proposes
AGE_BANDS = ("under_40", "40_50", "50_60", "60_65", "over_65")
LOW_BANDS = ("over_half", "two_thirds")

STATE_COLUMNS = ["person_id", "title_id", "status", "since", "removed_on", "removal_reason"]
CHANGE_COLUMNS = ["person_id", "full_name", "title_id", "title", "body", "change", "reason", "reason_text"]
FLAG_COLUMNS = [
    "person_id", "full_name", "title_id", "title", "rule", "action", "value", "limit", "detail",
    "certainty", "evidence",
]


# Data file ---------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def load_standards(path: str | None = None) -> dict:
    """The review's data file (``rules/standards.yml`` unless ``path``), checked for its sections."""
    file = RULES_DIR / "standards.yml" if path is None else path
    try:
        with open(file, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(
            f"Không đọc được tệp tiêu chuẩn {file} / cannot read the standards file {file}: {exc}"
        ) from exc
    missing = [k for k in ("order", "title_standards", "removal_reasons", "discipline") if k not in data]
    if missing:
        raise RulesError(
            f"Tệp {file} thiếu mục {', '.join(missing)} / {file} lacks section(s) {', '.join(missing)}"
        )
    return data


def _standards(standards: Mapping | None) -> Mapping:
    return load_standards() if standards is None else standards


def classify_reason(reason: object, standards: Mapping | None = None) -> str | None:
    """The code of a typed removal reason (``"Chuyển công tác"`` → ``moved``); None when empty.

    Aliases match as whole words after `schema.fold`; the first code in the file that matches wins;
    a text that matches none is ``other``.
    """
    if reason is None or reason is pd.NA or (isinstance(reason, float) and reason != reason):
        return None
    folded = fold(reason)
    if not folded:
        return None
    padded = f" {folded} "
    for code, aliases in _standards(standards)["removal_reasons"].items():
        for alias in aliases:
            if f" {fold(alias)} " in padded:
                return code
    return "other"


def has_discipline(values: pd.Series, standards: Mapping | None = None) -> pd.Series:
    """True where the `discipline` column records a measure (not empty, not a "none" value)."""
    none_values = {fold(v) for v in _standards(standards)["discipline"]["none_values"]}
    marked = [not _missing(v) and bool(fold(v)) and fold(v) not in none_values for v in values]
    return pd.Series(marked, index=values.index, dtype=bool)


# Small helpers -----------------------------------------------------------------------------------

def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _get(obj: object, name: str, default: object = None) -> object:
    """Attribute or key ``name`` of a pydantic model, dataclass, namespace or mapping."""
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column], errors="coerce")


def _ids(series: pd.Series) -> pd.Series:
    return series.astype("str")


def _empty(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def check_rule(rules: object, rule: str) -> object | None:
    """The regime's check named ``rule`` (an item of ``rules.checks``), or None."""
    for check in _get(rules, "checks", None) or []:
        if _get(check, "rule") == rule:
            return check
    return None


def _target(rules: object, rule: str) -> tuple[float | None, str]:
    check = check_rule(rules, rule)
    if check is None:
        return None, "C"
    target = _get(check, "target")
    return (None if target is None else float(target)), str(_get(check, "certainty", "C") or "C")


def certainty_of(rules: object, key: str) -> str:
    """``C`` or ``M`` for a value of the rule set (`RuleSet.certainty_of`); ``C`` for plain rules."""
    if hasattr(rules, "certainty_of"):
        return str(rules.certainty_of(key))
    return "C"


def min_service_months(rules: object, default: int = 60) -> int:
    """The regime's minimum months of service for its default option (60, first term)."""
    if hasattr(rules, "min_months"):
        return int(rules.min_months())
    value = _get(rules, "min_service_months", None)
    if value is None:
        return default
    if isinstance(value, (int, float)):
        return int(value)
    options = _get(value, "options", None) or {}
    return int(_get(options, str(_get(value, "default", "first_term")), default))


def pick_term(terms: Iterable[object], label: str | None = None) -> object:
    """The term called ``label``; without one, the first Party term, else the first term."""
    terms = list(terms or [])
    if not terms:
        raise ValueError("the dataset has no terms / bộ dữ liệu không có nhiệm kỳ")
    if label:
        for term in terms:
            if str(_get(term, "label")) == str(label):
                return term
        labels = ", ".join(str(_get(t, "label")) for t in terms)
        from analysis.errors import ParameterError

        raise ParameterError(
            f"Không có nhiệm kỳ '{label}' (có: {labels}) / no term '{label}' (available: {labels})"
        )
    for term in terms:
        if _get(term, "kind") == "party":
            return term
    return terms[0]


def _term_start(term: object) -> pd.Timestamp | None:
    start = _get(term, "start")
    if start is None:
        return None
    if isinstance(start, str) and re.fullmatch(r"\d{4}-\d{2}", start):
        start = start + "-01"
    try:
        return pd.Timestamp(str(start) if not isinstance(start, (date, pd.Timestamp)) else start)
    except (ValueError, TypeError):
        return None


def fmt_date(value: object, language: str = "vi", precision: str = "day") -> str:
    """A date as people read it: 15/03/2017 (vi) or 2017-03-15 (en); months 03/2017 or 2017-03."""
    if _missing(value):
        return code_label("x", None, language)
    ts = pd.Timestamp(value)
    if precision == "month":
        return ts.strftime("%m/%Y" if language == "vi" else "%Y-%m")
    if precision == "year":
        return ts.strftime("%Y")
    return ts.strftime("%d/%m/%Y" if language == "vi" else "%Y-%m-%d")


def fmt_number(value: object, language: str = "vi", places: int = 2) -> str:
    """12.5 → "12,5" (vi) / "12.5" (en); whole numbers without decimals."""
    if _missing(value):
        return code_label("x", None, language)
    number = round_half_up(float(value), places)
    shown = str(int(number)) if float(number).is_integer() else f"{number:.{places}f}".rstrip("0")
    return shown.replace(".", ",") if language == "vi" else shown


# States ------------------------------------------------------------------------------------------

def planning_state(planning: pd.DataFrame | None, on: object = None) -> pd.DataFrame:
    """The planning rows in force on ``on`` (one per person and title).

    A row is in force on a date when it started by then (`since` empty or ≤ the date) and was not
    removed by then (`removed_on` empty or after the date). A row with status ``removed`` and no
    `removed_on` is out at every date (when it left is unknown). Without ``on``: the rows not removed.
    """
    if planning is None or len(planning) == 0:
        return _empty(STATE_COLUMNS)
    rows = planning.reset_index(drop=True).copy()
    for column in STATE_COLUMNS:
        if column not in rows.columns:
            rows[column] = pd.NA
    rows["person_id"] = _ids(rows["person_id"])
    rows["title_id"] = _ids(rows["title_id"])
    since, removed_on = _dates(rows, "since"), _dates(rows, "removed_on")
    removed = rows["status"].astype("object").eq("removed").fillna(False).astype(bool)
    if on is None:
        keep = ~removed & removed_on.isna()
    else:
        day = pd.Timestamp(on)
        keep = (since.isna() | (since <= day)) & (removed_on.isna() | (removed_on > day))
        keep &= ~(removed & removed_on.isna())
    state = rows.loc[keep.to_numpy(), STATE_COLUMNS]
    return state.drop_duplicates(["person_id", "title_id"]).reset_index(drop=True)


def removal_rows(planning: pd.DataFrame | None) -> pd.DataFrame:
    """Rows that record a removal (status ``removed`` or a `removed_on`), latest first."""
    if planning is None or len(planning) == 0:
        return _empty(["person_id", "title_id", "removed_on", "removal_reason"])
    rows = planning.reset_index(drop=True).copy()
    for column in ("status", "removed_on", "removal_reason"):
        if column not in rows.columns:
            rows[column] = pd.NA
    removed_on = _dates(rows, "removed_on")
    mask = rows["status"].astype("object").eq("removed").fillna(False).astype(bool) | removed_on.notna()
    out = rows.loc[mask.to_numpy(), ["person_id", "title_id", "removal_reason"]].copy()
    out["removed_on"] = removed_on[mask.to_numpy()].to_numpy()
    out["person_id"], out["title_id"] = _ids(out["person_id"]), _ids(out["title_id"])
    out = out.sort_values("removed_on", ascending=False, na_position="last", kind="stable")
    return out.reset_index(drop=True)


def pool_people(people: pd.DataFrame, state: pd.DataFrame | None) -> pd.DataFrame:
    """The people of a state (everybody when there is no planning table at all)."""
    if state is None:
        return people.copy()
    ids = set(_ids(state["person_id"]))
    return people[_ids(people["person_id"]).isin(ids).to_numpy()].copy()


# Changes -----------------------------------------------------------------------------------------

def _names(*tables: pd.DataFrame | None) -> dict[str, str]:
    names: dict[str, str] = {}
    for table in tables:
        if table is None or "full_name" not in table.columns:
            continue
        for pid, name in zip(_ids(table["person_id"]), table["full_name"]):
            if pid not in names and not _missing(name):
                names[pid] = name
    return names


def _title_info(titles: pd.DataFrame | None) -> dict[str, tuple[object, object]]:
    if titles is None or len(titles) == 0:
        return {}
    return {
        tid: (title, body)
        for tid, title, body in zip(_ids(titles["title_id"]), titles["title"], titles["body"])
    }


def _order_key(body: object) -> int:
    return BODIES.index(body) if body in BODIES else len(BODIES)


def compare_states(
    before: pd.DataFrame,
    after: pd.DataFrame,
    *,
    people: pd.DataFrame | None = None,
    titles: pd.DataFrame | None = None,
    removals: pd.DataFrame | None = None,
    before_people: pd.DataFrame | None = None,
    standards: Mapping | None = None,
) -> pd.DataFrame:
    """One row per (person, title) in either state: ``change`` and ``reason`` (module docstring).

    ``people``: the people table after the review (names; a removed person absent from it has
    ``left``); ``before_people``: the one before (names of people no longer listed); ``removals``: the
    planning rows that record removals (`removal_rows`), whose `removal_reason` explains a removal of
    the same person and title, else of the same person.
    """
    key = ["person_id", "title_id"]
    b = before[key].astype("str").drop_duplicates()
    a = after[key].astype("str").drop_duplicates()
    merged = b.merge(a, on=key, how="outer", indicator=True)
    merged["change"] = merged["_merge"].map(
        {"both": "retained", "left_only": "removed", "right_only": "added"}
    ).astype("object")
    merged = merged.drop(columns="_merge")

    before_ids = set(b["person_id"])
    listed = None if people is None else set(_ids(people["person_id"]))
    by_pair: dict[tuple[str, str], object] = {}
    by_person: dict[str, object] = {}
    if removals is not None and len(removals):
        for pid, tid, reason in zip(
            _ids(removals["person_id"]), _ids(removals["title_id"]), removals["removal_reason"]
        ):
            if _missing(reason):
                continue
            by_pair.setdefault((pid, tid), reason)
            by_person.setdefault(pid, reason)

    reasons, texts = [], []
    for pid, tid, change in zip(merged["person_id"], merged["title_id"], merged["change"]):
        reason_text = None
        if change == "retained":
            reason = None
        elif change == "added":
            reason = "other_title" if pid in before_ids else "new_source"
        else:
            reason_text = by_pair.get((pid, tid), by_person.get(pid))
            reason = classify_reason(reason_text, standards)
            if reason is None:
                reason = "left" if listed is not None and pid not in listed else "unspecified"
        reasons.append(reason)
        texts.append(reason_text)
    merged["reason"] = pd.Series(reasons, index=merged.index, dtype="object")
    merged["reason_text"] = pd.Series(texts, index=merged.index, dtype="object")

    names = _names(people, before_people)
    info = _title_info(titles)
    merged["full_name"] = merged["person_id"].map(lambda p: names.get(p, pd.NA)).astype("object")
    merged["title"] = merged["title_id"].map(lambda t: info.get(t, (pd.NA, pd.NA))[0]).astype("object")
    merged["body"] = merged["title_id"].map(lambda t: info.get(t, (pd.NA, pd.NA))[1]).astype("object")
    merged["_body"] = merged["body"].map(_order_key)
    merged["_change"] = merged["change"].map(CHANGES.index)
    merged = merged.sort_values(["_body", "title_id", "_change", "person_id"], kind="stable")
    return merged[CHANGE_COLUMNS].reset_index(drop=True)


def change_summary(changes: pd.DataFrame) -> pd.DataFrame:
    """Counts of planning rows per title, then per body (title_id empty), then in all (body empty).

    Columns ``body, title_id, title, before, retained, removed, added, after``;
    before = retained + removed, after = retained + added.
    """
    columns = ["body", "title_id", "title", "before", "retained", "removed", "added", "after"]
    if len(changes) == 0:
        return _empty(columns)
    counts = (
        changes.assign(n=1)
        .pivot_table(index=["body", "title_id", "title"], columns="change", values="n",
                     aggfunc="sum", fill_value=0, dropna=False, observed=True)
        .reindex(columns=list(CHANGES), fill_value=0)
        .reset_index()
    )
    counts = counts[counts[list(CHANGES)].sum(axis=1) > 0].copy()
    counts.columns.name = None

    def finish(frame: pd.DataFrame) -> pd.DataFrame:
        frame["before"] = frame["retained"] + frame["removed"]
        frame["after"] = frame["retained"] + frame["added"]
        return frame

    counts = finish(counts)
    counts["_body"] = counts["body"].map(_order_key)
    parts = []
    for body, group in counts.sort_values(["_body", "title_id"], kind="stable").groupby("_body", sort=True):
        parts.append(group)
        total = group[["before", *CHANGES, "after"]].sum()
        parts.append(pd.DataFrame([{"body": group["body"].iloc[0], "title_id": pd.NA, "title": pd.NA,
                                    **total.to_dict()}]))
    grand = counts[["before", *CHANGES, "after"]].sum()
    parts.append(pd.DataFrame([{"body": pd.NA, "title_id": pd.NA, "title": pd.NA, **grand.to_dict()}]))
    out = pd.concat(parts, ignore_index=True)[columns]
    for column in columns[3:]:
        out[column] = out[column].astype("Int64")
    return out


def person_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """One row per person: ``retained`` (in the pool before and after, whatever the titles),
    ``removed`` (before only) or ``added`` (after only), with the person's reason and title counts.

    A removed person's reason is the first reason of their removed rows in the order of
    ``standards.yml`` (then ``other``, ``left``, ``unspecified``).
    """
    columns = ["person_id", "full_name", "change", "reason", "titles_before", "titles_after"]
    if len(changes) == 0:
        return _empty(columns)
    reason_order = list(load_standards()["removal_reasons"]) + ["other", *NO_REASON]
    rows = []
    for pid, group in changes.groupby("person_id", sort=True):
        before = int(group["change"].isin(["retained", "removed"]).sum())
        after = int(group["change"].isin(["retained", "added"]).sum())
        if before and after:
            change, reason = "retained", None
        elif before:
            change = "removed"
            found = [r for r in group.loc[group["change"] == "removed", "reason"] if not _missing(r)]
            found.sort(key=lambda r: reason_order.index(r) if r in reason_order else len(reason_order))
            reason = found[0] if found else "unspecified"
        else:
            change, reason = "added", "new_source"
        rows.append({"person_id": pid, "full_name": group["full_name"].iloc[0], "change": change,
                     "reason": reason, "titles_before": before, "titles_after": after})
    out = pd.DataFrame(rows, columns=columns)
    out["_change"] = out["change"].map(CHANGES.index)
    return out.sort_values(["_change", "person_id"], kind="stable")[columns].reset_index(drop=True)


def reason_summary(people_changes: pd.DataFrame) -> pd.DataFrame:
    """People per change and reason: ``change, reason, people`` (retained has an empty reason)."""
    columns = ["change", "reason", "people"]
    if len(people_changes) == 0:
        return _empty(columns)
    reason_order = list(load_standards()["removal_reasons"]) + ["other", *NO_REASON, *ADD_REASONS]
    out = (
        people_changes.assign(reason=people_changes["reason"].astype("object"))
        .groupby(["change", "reason"], dropna=False, sort=False).size().rename("people").reset_index()
    )
    out["_c"] = out["change"].map(CHANGES.index)
    out["_r"] = out["reason"].map(lambda r: reason_order.index(r) if r in reason_order else -1)
    out = out.sort_values(["_c", "_r"], kind="stable")[columns].reset_index(drop=True)
    out["people"] = out["people"].astype("Int64")
    return out


# Composition before and after --------------------------------------------------------------------

COMPOSITION_DIMENSIONS = ("age_band", "age_tier", "gender", "ethnicity", "sector")


def _category_order(dimension: str, values: Iterable[object], orders: Mapping | None = None) -> list[object]:
    known = {"age_band": AGE_BANDS, "gender": GENDERS, "sector": SECTORS, **(orders or {})}.get(dimension)
    present = [v for v in dict.fromkeys(values) if not _missing(v)]
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
            categories.sort(key=lambda c: (c != "Kinh", -int(counts.get(c, 0)), str(c)))
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


def pyramid_change(before_people: pd.DataFrame, after_people: pd.DataFrame) -> pd.DataFrame:
    """``state, age_band, gender, count`` for both states, every band × gender (zeros included)."""
    rows = []
    for state, people in (("before", before_people), ("after", after_people)):
        for band in AGE_BANDS:
            for gender in GENDERS:
                count = int(((people["age_band"] == band) & (people["gender"] == gender)).sum())
                rows.append({"state": state, "age_band": band, "gender": gender, "count": count})
    out = pd.DataFrame(rows, columns=["state", "age_band", "gender", "count"])
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
        return _empty(columns)
    base = pd.concat(frames)[["rule", "op", "target", "certainty"]].drop_duplicates("rule")

    def side(frame: pd.DataFrame | None, name: str) -> pd.DataFrame:
        if frame is None or len(frame) == 0:
            return pd.DataFrame({"rule": base["rule"], name: pd.NA, f"{name}_ok": None})
        return frame[["rule", "value", "ok"]].rename(columns={"value": name, "ok": f"{name}_ok"})

    out = base.merge(side(before_checks, "before"), on="rule", how="left")
    out = out.merge(side(after_checks, "after"), on="rule", how="left")
    for column in ("before_ok", "after_ok"):
        out[column] = out[column].astype("object").map(lambda v: None if _missing(v) else bool(v))
    return out[columns].reset_index(drop=True)


# Flags -------------------------------------------------------------------------------------------

def _evidence(rule: str, language: str, **values: object) -> str:
    return text(f"review.evidence.{rule}", language, **values)


def _flag(person: Mapping | None, title: Mapping | None, rule: str, action: str, value: object,
          limit: object, detail: object, certainty: str, evidence: str) -> dict:
    return {
        "person_id": pd.NA if person is None else person["person_id"],
        "full_name": pd.NA if person is None else person.get("full_name", pd.NA),
        "title_id": pd.NA if title is None else title["title_id"],
        "title": pd.NA if title is None else title.get("title", pd.NA),
        "rule": rule, "action": action,
        "value": pd.NA if _missing(value) else str(value),
        "limit": pd.NA if _missing(limit) else str(limit),
        "detail": pd.NA if _missing(detail) else str(detail),
        "certainty": certainty, "evidence": evidence,
    }


def latest_trust(trust: pd.DataFrame | None, as_of: object = None) -> pd.DataFrame:
    """Each person's latest three-level vote (a row with a `low_band`) held on or before ``as_of``.

    ``trust`` is `analysis.trust.trust_table` output: ``conference_id, person_id, low_pct, low_band``
    and the conference date as ``date`` or ``conference_date``. Rows without a person_id are matched
    by folded full name (``_match``).
    """
    columns = ["person_id", "full_name", "conference_id", "date", "low_pct", "low_band", "_match"]
    if trust is None or len(trust) == 0 or "low_band" not in trust.columns:
        return _empty(columns)
    rows = trust.reset_index(drop=True).copy()
    rows = rows[rows["low_band"].notna().to_numpy()]
    date_column = next((c for c in ("date", "conference_date") if c in rows.columns), None)
    rows["date"] = _dates(rows, date_column) if date_column else pd.NaT
    if as_of is not None:
        rows = rows[(rows["date"].isna() | (rows["date"] <= pd.Timestamp(as_of))).to_numpy()]
    for column in ("person_id", "full_name", "low_pct"):
        if column not in rows.columns:
            rows[column] = pd.NA
    rows["_match"] = [
        f"id:{p}" if not _missing(p) else f"name:{fold(n)}"
        for p, n in zip(rows["person_id"], rows["full_name"])
    ]
    rows = rows.sort_values(["date", "conference_id"], na_position="first", kind="stable")
    return rows.drop_duplicates("_match", keep="last")[columns].reset_index(drop=True)


def review_flags(
    people: pd.DataFrame,
    state: pd.DataFrame | None,
    titles: pd.DataFrame | None,
    rules: object,
    as_of: object,
    term: object,
    *,
    trust: pd.DataFrame | None = None,
    level: str | None = None,
    standards: Mapping | None = None,
    language: str = "vi",
) -> pd.DataFrame:
    """Who should be reviewed on ``as_of`` for ``term``: one row per flag (`FLAG_COLUMNS`).

    ``people`` carries the person facts for the term (`analysis.people.add_person_facts`:
    ``eligible_<label>``, ``months_left_<label>``, ``retirement_month``); ``state`` is the pool on
    ``as_of`` (`planning_state`; None when the dataset has no planning table: everybody is reviewed
    and the per-title rules are skipped). Rules, in order:

    - ``over_age``: cannot serve the term (months from the term's start to retirement under the
      regime's minimum) — action ``remove``, or ``review`` where that minimum is remembered [M];
    - ``discipline``: a disciplinary measure is recorded — ``remove`` where the regime removes
      automatically and that is confirmed (QĐ 50), else ``review`` (QĐ 377, KL 24 [M]);
    - ``low_trust``: more than half "low" in the person's latest vote — ``remove`` (QĐ 96);
    - ``titles_per_person``, ``people_per_title`` (people per seat), ``pool_size_ratio`` (BCH and
      BTV pools against their seats) over the regime's limit — ``review``; none without the check;
    - ``standards``: political theory or education below the title standard (``standards.yml``,
      the strictest of the person's titles) or unknown — ``review``.
    """
    std = _standards(standards)
    label = str(_get(term, "label"))
    pool = pool_people(people, state)
    pool = pool.assign(person_id=_ids(pool["person_id"])).sort_values("person_id", kind="stable")
    records = {pid: row for pid, row in zip(pool["person_id"], pool.to_dict("records"))}
    info = _title_info(titles)
    flags: list[dict] = []

    # over_age
    eligible_column, months_column = f"eligible_{label}", f"months_left_{label}"
    required = min_service_months(rules)
    start = _term_start(term)
    option = _get(_get(rules, "min_service_months"), "default", "first_term")
    certainty = certainty_of(rules, f"min_service_months.{option}")
    action = "remove" if certainty == "C" else "review"
    if eligible_column in pool.columns:
        for person in records.values():
            if _missing(person[eligible_column]) or bool(person[eligible_column]):
                continue
            months = person.get(months_column)
            key = "over_age_retired" if not _missing(months) and months <= 0 else "over_age"
            flags.append(_flag(
                person, None, "over_age", action, months, required, label, certainty,
                _evidence(key, language, months=fmt_number(months, language), required=required,
                          term=label, start=fmt_date(start, language, "month"),
                          retirement=fmt_date(person.get("retirement_month"), language, "month")),
            ))

    # discipline
    if "discipline" in pool.columns:
        certainty = certainty_of(rules, "discipline")
        removes = _get(rules, "discipline", None) == "remove" and certainty == "C"
        marked = has_discipline(pool["discipline"], std).to_numpy()
        for person in pool[marked].to_dict("records"):
            flags.append(_flag(person, None, "discipline", "remove" if removes else "review",
                               person["discipline"], pd.NA, pd.NA, certainty,
                               _evidence("discipline", language, measure=person["discipline"])))

    # low_trust
    latest = latest_trust(trust, as_of)
    if len(latest):
        by_name = {fold(p.get("full_name", "")): pid for pid, p in records.items()
                   if not _missing(p.get("full_name"))}
        for vote in latest.to_dict("records"):
            if vote["low_band"] not in LOW_BANDS:
                continue
            pid = (str(vote["person_id"]) if vote["_match"].startswith("id:")
                   else by_name.get(vote["_match"][5:]))
            if pid not in records:
                continue
            flags.append(_flag(
                records[pid], None, "low_trust", "remove", vote["low_pct"], 50,
                f"{vote['conference_id']}:{vote['low_band']}", "C",
                _evidence("low_trust", language, pct=fmt_number(vote["low_pct"], language),
                          band=text(f"review.low_band.{vote['low_band']}", language),
                          conference=vote["conference_id"], date=fmt_date(vote["date"], language)),
            ))

    if state is not None and len(state):
        rows = state.assign(person_id=_ids(state["person_id"]), title_id=_ids(state["title_id"]))

        # titles_per_person
        limit, certainty = _target(rules, "titles_per_person")
        if limit is not None:
            for pid, group in rows.groupby("person_id", sort=True):
                if len(group) > limit and pid in records:
                    names = "; ".join(str(info.get(t, (t,))[0]) for t in group["title_id"])
                    flags.append(_flag(
                        records[pid], None, "titles_per_person", "review", len(group),
                        fmt_number(limit, "en"), names, certainty,
                        _evidence("titles_per_person", language, count=len(group),
                                  limit=fmt_number(limit, language), titles=names),
                    ))

        # people_per_title (people for one title) and pool_size_ratio (a body's pool ÷ its seats),
        # each on the bodies its check applies to
        seats = {} if titles is None or "seats" not in titles.columns else {
            tid: (None if _missing(s) or int(s) <= 0 else int(s))
            for tid, s in zip(_ids(titles["title_id"]), titles["seats"])
        }
        for tid, group in rows.groupby("title_id", sort=True):
            title_name, body = info.get(tid, (pd.NA, pd.NA))
            title = {"title_id": tid, "title": title_name}
            for rule in ("people_per_title", "pool_size_ratio"):
                check = check_rule(rules, rule)
                applies = _get(check, "applies_to", None)
                limit, certainty = _target(rules, rule)
                if limit is None or (applies and body not in applies):
                    continue
                n, n_seats = len(group), seats.get(tid)
                if rule == "pool_size_ratio" and n_seats is None:
                    continue
                value = n if rule == "people_per_title" else n / n_seats
                if value > limit:
                    flags.append(_flag(
                        None, title, rule, "review", fmt_number(value, "en"), fmt_number(limit, "en"),
                        f"{n}/{n_seats or ''}", certainty,
                        _evidence(rule, language, count=n, seats=n_seats or "—", title=title_name,
                                  ratio=fmt_number(value, language), limit=fmt_number(limit, language)),
                    ))

        # standards
        level_standards = (std.get("title_standards") or {}).get(level) or {}
        if level_standards:
            for pid, group in rows.groupby("person_id", sort=True):
                if pid not in records:
                    continue
                flag = _standards_flag(records[pid], group["title_id"], info, level_standards, std, language)
                if flag is not None:
                    flags.append(flag)

    out = pd.DataFrame(flags, columns=FLAG_COLUMNS)
    if len(out):
        out["_rule"] = out["rule"].map(FLAG_RULES.index)
        out = out.sort_values(["_rule", "person_id", "title_id"], kind="stable", na_position="last")
        out = out[FLAG_COLUMNS].reset_index(drop=True)
    return out.astype("object")


def _rank(order: list[str], value: object) -> int:
    return order.index(value) if value in order else -1


def _standards_flag(person: Mapping, title_ids: Iterable[str], info: Mapping, level_standards: Mapping,
                    std: Mapping, language: str) -> dict | None:
    """The standards flag of one person against the strictest standard among their titles."""
    parts, details, certainty = [], [], "C"
    for column in ("political_theory", "education"):
        order = list(std["order"][column])
        strictest, strictest_title = None, None
        for tid in title_ids:
            body = info.get(tid, (None, None))[1]
            required = (level_standards.get(body) or {}).get(column)
            if required is not None and (strictest is None or _rank(order, required) > _rank(order, strictest)):
                strictest, strictest_title = required, info.get(tid, (tid,))[0]
                if str((level_standards.get(body) or {}).get("certainty", "C")) == "M":
                    certainty = "M"
        if strictest is None:
            continue
        have = person.get(column)
        have = None if _missing(have) else have
        if have is not None and _rank(order, have) >= _rank(order, strictest):
            continue
        parts.append(text(f"review.evidence.standards_{column}", language,
                          have=code_label(column, have, language),
                          required=code_label(column, strictest, language), title=strictest_title))
        details.append(f"{column}:{have if have is not None else ''}<{strictest}")
    if not parts:
        return None
    return _flag(person, None, "standards", "review", pd.NA, pd.NA, "; ".join(details), certainty,
                 "; ".join(parts))


def flag_summary(flags: pd.DataFrame) -> pd.DataFrame:
    """Flags per rule and action: ``rule, action, flags`` in the order of `FLAG_RULES`."""
    columns = ["rule", "action", "flags"]
    if len(flags) == 0:
        return _empty(columns)
    out = flags.groupby(["rule", "action"], sort=False).size().rename("flags").reset_index()
    out["_r"] = out["rule"].map(lambda r: FLAG_RULES.index(r) if r in FLAG_RULES else len(FLAG_RULES))
    out = out.sort_values(["_r", "action"], kind="stable")[columns].reset_index(drop=True)
    out["flags"] = out["flags"].astype("Int64")
    return out


# The whole review, for the notebook -------------------------------------------------------------

@dataclass
class Review:
    """Every table of a planning review (see `run_review`)."""

    mode: str  # "datasets" (two datasets) or "dates" (one planning table by its dates)
    before_date: pd.Timestamp
    after_date: pd.Timestamp
    term: object
    before_state: pd.DataFrame
    after_state: pd.DataFrame
    changes: pd.DataFrame
    summary: pd.DataFrame
    people_changes: pd.DataFrame
    reasons: pd.DataFrame
    before_people: pd.DataFrame
    after_people: pd.DataFrame
    composition: pd.DataFrame
    pyramid: pd.DataFrame
    targets: pd.DataFrame
    flags: pd.DataFrame
    flag_counts: pd.DataFrame
    has_planning: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> pd.DataFrame:
        """The rows of `changes` that are removals or additions (not the retained ones)."""
        return self.changes[self.changes["change"] != "retained"].reset_index(drop=True)

    def headline(self) -> dict:
        """The summary.json figures of the review."""
        counts = self.people_changes["change"].value_counts() if len(self.people_changes) else {}
        rows = self.changes["change"].value_counts() if len(self.changes) else {}
        removed = self.reasons[self.reasons["change"] == "removed"] if len(self.reasons) else self.reasons
        return {
            "mode": self.mode,
            "before_date": self.before_date.date(),
            "review_date": self.after_date.date(),
            "term": str(_get(self.term, "label")),
            "people_before": int(len(self.before_people)),
            "people_after": int(len(self.after_people)),
            "people": {c: int(counts.get(c, 0)) for c in CHANGES},
            "planning_rows": {c: int(rows.get(c, 0)) for c in CHANGES},
            "removed_by_reason": {str(r): int(n) for r, n in zip(removed.get("reason", []),
                                                                 removed.get("people", []))},
            "flags": {r: int(n) for r, n in self.flag_counts.groupby("rule")["flags"].sum().items()}
            if len(self.flag_counts) else {},
            "flagged_people": int(self.flags["person_id"].dropna().nunique()) if len(self.flags) else 0,
            "checks": [
                {"rule": r["rule"], "target": r["target"], "before": r["before"], "after": r["after"],
                 "before_ok": r["before_ok"], "after_ok": r["after_ok"]}
                for r in self.targets.to_dict("records")
            ],
        }


def _facts(people: pd.DataFrame, as_of: pd.Timestamp, terms: list, rules: object, level: str | None):
    from analysis.people import add_person_facts

    return add_person_facts(people, as_of.date(), terms, rules, level)


def _checks(people, state, titles, rules, level, terms):
    """`composition.checks_table` on a state (its rows given as planning rows in force)."""
    from analysis.composition import checks_table

    planning = None if state is None else state[["person_id", "title_id"]].assign(status="approved")
    return checks_table(people, planning, titles, rules, level, terms)


def run_review(
    dataset: object,
    *,
    before: object | None = None,
    review_date: object = None,
    before_date: object = None,
    term: str | None = None,
    rules: object = None,
    language: str = "vi",
    standards: Mapping | None = None,
) -> Review:
    """The planning review of ``dataset`` (the state after), as one object of tables.

    With ``before`` (the dataset of the pool before the review) the states are each dataset's pool on
    its own date (``before``'s as_of and ``review_date``); without it both come from ``dataset``'s
    planning table by its `since`/`removed_on` dates: the pool on ``before_date`` (default one year
    before the review) and on ``review_date`` (default the dataset's as_of).
    """
    meta = dataset.meta
    rules = rules if rules is not None else _load_rules(meta.regime)
    terms = list(meta.terms)
    chosen = pick_term(terms, term or None)
    level = meta.level
    after_date = pd.Timestamp(review_date or meta.as_of)
    tables = dataset.tables
    people, titles, planning = tables["people"], tables.get("titles"), tables.get("planning")
    notes: list[str] = []

    if before is not None:
        mode = "datasets"
        before_tables = before.tables
        before_date = pd.Timestamp(before_date or before.meta.as_of)
        before_people_all = before_tables["people"]
        before_planning = before_tables.get("planning")
        before_titles = before_tables.get("titles")
        removals = pd.concat([removal_rows(planning), removal_rows(before_planning)], ignore_index=True)
    else:
        mode = "dates"
        before_date = pd.Timestamp(before_date) if before_date else after_date - pd.DateOffset(years=1)
        before_people_all, before_planning, before_titles = people, planning, titles
        removals = removal_rows(planning)
    if before_date >= after_date:
        from analysis.errors import ParameterError

        raise ParameterError(
            f"Ngày trước rà soát ({before_date.date()}) phải trước ngày rà soát ({after_date.date()}) / "
            f"the date before the review ({before_date.date()}) must precede the review date "
            f"({after_date.date()})"
        )

    has_planning = planning is not None and before_planning is not None
    before_state = planning_state(before_planning, before_date) if has_planning else None
    after_state = planning_state(planning, after_date) if has_planning else None
    if has_planning:
        all_titles = titles if before_titles is None else pd.concat([titles, before_titles]).drop_duplicates("title_id")
        changes = compare_states(before_state, after_state, people=people, titles=all_titles,
                                 removals=removals, before_people=before_people_all, standards=standards)
    else:
        notes.append("no_planning")
        changes = _empty(CHANGE_COLUMNS)
    people_changes_ = person_changes(changes)

    before_facts = _facts(pool_people(before_people_all, before_state), before_date, terms, rules, level)
    after_facts = _facts(pool_people(people, after_state), after_date, terms, rules, level)
    targets = targets_change(
        _checks(before_facts, before_state, before_titles, rules, level, terms),
        _checks(after_facts, after_state, titles, rules, level, terms),
    )
    flags = review_flags(after_facts, after_state, titles, rules, after_date, chosen,
                         trust=_trust(tables, rules), level=level, standards=standards, language=language)
    return Review(
        mode=mode, before_date=before_date, after_date=after_date, term=chosen,
        before_state=before_state if before_state is not None else _empty(STATE_COLUMNS),
        after_state=after_state if after_state is not None else _empty(STATE_COLUMNS),
        changes=changes, summary=change_summary(changes), people_changes=people_changes_,
        reasons=reason_summary(people_changes_), before_people=before_facts, after_people=after_facts,
        composition=composition_change(before_facts, after_facts, orders=_orders(rules)),
        pyramid=pyramid_change(before_facts, after_facts), targets=targets, flags=flags,
        flag_counts=flag_summary(flags), has_planning=has_planning, notes=notes,
    )


def _orders(rules: object) -> dict[str, list[str]]:
    orders = {}
    for dimension, attribute in (("age_band", "band_keys"), ("age_tier", "tier_keys")):
        keys = getattr(rules, attribute, None)
        if keys:
            orders[dimension] = list(keys)
    return orders


def _load_rules(regime: str) -> object:
    from analysis.rules import load_rules

    return load_rules(regime)


def _trust(tables: Mapping, rules: object) -> pd.DataFrame | None:
    votes, conferences = tables.get("trust_votes"), tables.get("conferences")
    if votes is None or conferences is None or len(votes) == 0:
        return None
    from analysis.trust import trust_table

    return trust_table(votes, conferences, default_base=_get(rules, "trust_base", None),
                       people=tables.get("people"))
