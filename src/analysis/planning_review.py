"""The whole planning review of a dataset, for the notebook `planning_review.ipynb`: one object of tables.

`run_review` takes the two states of the pool (from two datasets, or from one planning table by its
dates), compares them (`analysis.review`), lines up their composition and the regime's checks
(`analysis.review_composition`) and flags who to look at (`analysis.review_flags`). Pure apart from
reading the regime's rule set when none is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis.composition import checks_table
from analysis.errors import ParameterError
from analysis.people import add_person_facts
from analysis.review import (
    CHANGE_COLUMNS,
    CHANGES,
    STATE_COLUMNS,
    attr_or_key,
    change_summary,
    compare_states,
    empty_frame,
    person_changes,
    planning_state,
    pool_people,
    reason_summary,
    removal_rows,
)
from analysis.privacy import DEFAULT_MIN_CELL
from analysis.review_composition import composition_change, pyramid_change, suppress_small_groups, targets_change
from analysis.review_flags import flag_summary, pick_term, review_flags
from analysis.rules import load_rules
from analysis.trust import trust_table


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
    def compared(self) -> bool:
        """Whether there is a pool before the review to compare with (the overview says why not)."""
        return self.has_planning and "no_before" not in self.notes

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
            "notes": list(self.notes),
            "before_date": self.before_date.date(),
            "review_date": self.after_date.date(),
            "term": str(attr_or_key(self.term, "label")),
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


def _checks(people, state, titles, rules, level, terms):
    """`composition.checks_table` on a state (its rows given as planning rows in force)."""
    planning = None if state is None else state[["person_id", "title_id"]].assign(status="approved")
    return checks_table(people, planning, titles, rules, level, terms)


def _orders(rules: object) -> dict[str, list[str]]:
    orders = {}
    for dimension, attribute in (("age_band", "band_keys"), ("age_tier", "tier_keys")):
        keys = getattr(rules, attribute, None)
        if keys:
            orders[dimension] = list(keys)
    return orders


def _trust(tables: Mapping, rules: object) -> pd.DataFrame | None:
    votes, conferences = tables.get("trust_votes"), tables.get("conferences")
    if votes is None or conferences is None or len(votes) == 0:
        return None
    return trust_table(votes, conferences, default_base=attr_or_key(rules, "trust_base", None),
                       people=tables.get("people"))


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
    min_cell: int = DEFAULT_MIN_CELL,
) -> Review:
    """The planning review of ``dataset`` (the state after), as one object of tables.

    With ``before`` (the dataset of the pool before the review) the states are each dataset's pool on
    its own date (``before``'s as_of and ``review_date``); without it both come from ``dataset``'s
    planning table by its `since`/`removed_on` dates: the pool on ``before_date`` (default one year
    before the review) and on ``review_date`` (default the dataset's as_of).
    In ``composition``, groups of ethnicity and sector under ``min_cell`` people are hidden
    (`review_composition.suppress_small_groups`), as in the composition report.
    """
    meta = dataset.meta
    rules = rules if rules is not None else load_rules(meta.regime)
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
        raise ParameterError(
            f"Ngày trước rà soát ({before_date.date()}) phải trước ngày rà soát ({after_date.date()}) / "
            f"the date before the review ({before_date.date()}) must precede the review date "
            f"({after_date.date()})"
        )

    has_planning = planning is not None and before_planning is not None
    before_state = planning_state(before_planning, before_date) if has_planning else None
    after_state = planning_state(planning, after_date) if has_planning else None
    # Nobody in force on the date before (every row starts later, as in a list drawn up for the first
    # time) means there is no previous list to compare with, not a pool of zero that everybody joined.
    has_before = has_planning and len(before_state) > 0
    if has_before:
        all_titles = titles if before_titles is None else pd.concat([titles, before_titles]).drop_duplicates("title_id")
        changes = compare_states(before_state, after_state, people=people, titles=all_titles,
                                 removals=removals, before_people=before_people_all, standards=standards)
    else:
        notes.append("no_before" if has_planning else "no_planning")
        changes = empty_frame(CHANGE_COLUMNS)
    people_changes_ = person_changes(changes)

    before_facts = add_person_facts(pool_people(before_people_all, before_state), before_date.date(), terms,
                                    rules, level)
    after_facts = add_person_facts(pool_people(people, after_state), after_date.date(), terms, rules, level)
    before_checks = None if "no_before" in notes else _checks(before_facts, before_state, before_titles, rules,
                                                              level, terms)  # no list: nothing to measure from
    targets = targets_change(before_checks, _checks(after_facts, after_state, titles, rules, level, terms))
    flags = review_flags(after_facts, after_state, titles, rules, after_date, chosen, terms=terms,
                         trust=_trust(tables, rules), level=level, standards=standards, language=language)
    return Review(
        mode=mode, before_date=before_date, after_date=after_date, term=chosen,
        before_state=before_state if before_state is not None else empty_frame(STATE_COLUMNS),
        after_state=after_state if after_state is not None else empty_frame(STATE_COLUMNS),
        changes=changes, summary=change_summary(changes), people_changes=people_changes_,
        reasons=reason_summary(people_changes_), before_people=before_facts, after_people=after_facts,
        composition=suppress_small_groups(composition_change(before_facts, after_facts, orders=_orders(rules)),
                                          min_cell),
        pyramid=pyramid_change(before_facts, after_facts, rules), targets=targets, flags=flags,
        flag_counts=flag_summary(flags), has_planning=has_planning, notes=notes,
    )
