"""Planning review ("rà soát, bổ sung quy hoạch"): pool states and the changes between two of them.

Pure: canonical DataFrames in, tidy DataFrames out (docs/design.md). The only file read here is the
review's data file, ``rules/standards.yml`` (title standards and the vocabularies of removal reasons
and "no discipline" values). The rest of the review: `analysis.review_flags` (who to look at),
`analysis.review_composition` (composition and the regime's checks before and after),
`analysis.linkage` (pools of several units), and `analysis.planning_review.run_review`, which puts
them together for the notebook.

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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

import pandas as pd
import yaml

from analysis.config import RULES_DIR
from analysis.errors import RulesError
from analysis.schema import BODIES, fold

CHANGES = ("retained", "removed", "added")
ADD_REASONS = ("new_source", "other_title")
NO_REASON = ("left", "unspecified")

STATE_COLUMNS = ["person_id", "title_id", "status", "since", "removed_on", "removal_reason"]
CHANGE_COLUMNS = ["person_id", "full_name", "title_id", "title", "body", "change", "reason", "reason_text"]

# Small helpers -----------------------------------------------------------------------------------

def is_missing(value: object) -> bool:
    """None, NA, NaT or NaN (a string, even empty, is not missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def attr_or_key(obj: object, name: str, default: object = None) -> object:
    """Attribute or key ``name`` of a pydantic model, dataclass, namespace or mapping."""
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def as_dates(frame: pd.DataFrame, column: str) -> pd.Series:
    """Column ``column`` as datetimes (NaT where unreadable or absent)."""
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column], errors="coerce")


def as_ids(series: pd.Series) -> pd.Series:
    """Identifiers as text, so that "007" from one table matches "007" from another."""
    return series.astype("str")


def empty_frame(columns: Iterable[str]) -> pd.DataFrame:
    """An empty table with ``columns`` (object dtype)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


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


def standards_data(standards: Mapping | None) -> Mapping:
    """``standards`` as given, else the file's contents."""
    return load_standards() if standards is None else standards


def classify_reason(reason: object, standards: Mapping | None = None) -> str | None:
    """The code of a typed removal reason (``"Chuyển công tác"`` → ``moved``); None when empty.

    Aliases match as whole words after `schema.fold`; the first code in the file that matches wins;
    a text that matches none is ``other``.
    """
    if is_missing(reason):
        return None
    folded = fold(reason)
    if not folded:
        return None
    padded = f" {folded} "
    for code, aliases in standards_data(standards)["removal_reasons"].items():
        for alias in aliases:
            if f" {fold(alias)} " in padded:
                return code
    return "other"


# States ------------------------------------------------------------------------------------------

def planning_state(planning: pd.DataFrame | None, on: object = None) -> pd.DataFrame:
    """The planning rows in force on ``on`` (one per person and title).

    A row is in force on a date when it started by then (`since` empty or ≤ the date) and was not
    removed by then (`removed_on` empty or after the date). A row with status ``removed`` and no
    `removed_on` is out at every date (when it left is unknown). Without ``on``: the rows not removed.
    """
    if planning is None or len(planning) == 0:
        return empty_frame(STATE_COLUMNS)
    rows = planning.reset_index(drop=True).copy()
    for column in STATE_COLUMNS:
        if column not in rows.columns:
            rows[column] = pd.NA
    rows["person_id"] = as_ids(rows["person_id"])
    rows["title_id"] = as_ids(rows["title_id"])
    since, removed_on = as_dates(rows, "since"), as_dates(rows, "removed_on")
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
        return empty_frame(["person_id", "title_id", "removed_on", "removal_reason"])
    rows = planning.reset_index(drop=True).copy()
    for column in ("status", "removed_on", "removal_reason"):
        if column not in rows.columns:
            rows[column] = pd.NA
    removed_on = as_dates(rows, "removed_on")
    mask = rows["status"].astype("object").eq("removed").fillna(False).astype(bool) | removed_on.notna()
    out = rows.loc[mask.to_numpy(), ["person_id", "title_id", "removal_reason"]].copy()
    out["removed_on"] = removed_on[mask.to_numpy()].to_numpy()
    out["person_id"], out["title_id"] = as_ids(out["person_id"]), as_ids(out["title_id"])
    out = out.sort_values("removed_on", ascending=False, na_position="last", kind="stable")
    return out.reset_index(drop=True)


def pool_people(people: pd.DataFrame, state: pd.DataFrame | None) -> pd.DataFrame:
    """The people of a state (everybody when there is no planning table at all)."""
    if state is None:
        return people.copy()
    ids = set(as_ids(state["person_id"]))
    return people[as_ids(people["person_id"]).isin(ids).to_numpy()].copy()


# Changes -----------------------------------------------------------------------------------------

def _names(*tables: pd.DataFrame | None) -> dict[str, str]:
    names: dict[str, str] = {}
    for table in tables:
        if table is None or "full_name" not in table.columns:
            continue
        for pid, name in zip(as_ids(table["person_id"]), table["full_name"]):
            if pid not in names and not is_missing(name):
                names[pid] = name
    return names


def title_info(titles: pd.DataFrame | None) -> dict[str, tuple[object, object]]:
    if titles is None or len(titles) == 0:
        return {}
    return {
        tid: (title, body)
        for tid, title, body in zip(as_ids(titles["title_id"]), titles["title"], titles["body"])
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
    listed = None if people is None else set(as_ids(people["person_id"]))
    by_pair: dict[tuple[str, str], object] = {}
    by_person: dict[str, object] = {}
    if removals is not None and len(removals):
        for pid, tid, reason in zip(
            as_ids(removals["person_id"]), as_ids(removals["title_id"]), removals["removal_reason"]
        ):
            if is_missing(reason):
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
    info = title_info(titles)
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
        return empty_frame(columns)
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
        return empty_frame(columns)
    reason_order = list(load_standards()["removal_reasons"]) + ["other", *NO_REASON]
    rows = []
    for pid, group in changes.groupby("person_id", sort=True):
        before = int(group["change"].isin(["retained", "removed"]).sum())
        after = int(group["change"].isin(["retained", "added"]).sum())
        if before and after:
            change, reason = "retained", None
        elif before:
            change = "removed"
            found = [r for r in group.loc[group["change"] == "removed", "reason"] if not is_missing(r)]
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
        return empty_frame(columns)
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
