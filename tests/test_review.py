"""Planning review (analysis.review): states, and the changes between two with their reasons.

Hand-built pools (tests/planning_tables.py) where every kind of change occurs once, checked by name
and count; the same changes from two datasets and from one planning table with dates.
"""

from __future__ import annotations

import pandas as pd
import pytest
from planning_tables import (
    AFTER,
    AFTER_TABLE,
    BEFORE,
    BEFORE_TABLE,
    DATED,
    TITLES,
    frame,
    people_frame,
)

from analysis import review


# States ------------------------------------------------------------------------------------------

def test_planning_state_by_dates():
    before = review.planning_state(DATED, BEFORE)
    after = review.planning_state(DATED, AFTER)
    assert sorted(zip(before.person_id, before.title_id)) == [
        ("P01", "T1"), ("P02", "T1"), ("P03", "T2"), ("P04", "T2"), ("P05", "BCH")]
    assert sorted(zip(after.person_id, after.title_id)) == [
        ("P01", "T1"), ("P05", "BCH"), ("P05", "T2"), ("P06", "T1")]
    # without a date: the rows not removed
    current = review.planning_state(DATED)
    assert sorted(zip(current.person_id, current.title_id)) == sorted(zip(after.person_id, after.title_id))


def test_planning_state_edges():
    rows = frame(
        [("A", "T1", "removed", None, None), ("B", "T1", "approved", "2017-03-16", None),
         ("C", "T1", "approved", None, "2017-03-15"), ("D", "T1", "removed", None, "2017-03-16")],
        ["person_id", "title_id", "status", "since", "removed_on"],
    )
    state = review.planning_state(rows, "2017-03-15")
    # A: removed at an unknown date → out; B starts the next day; C removed that day; D still in
    assert list(state.person_id) == ["D"]
    assert review.planning_state(None, "2017-01-01").empty


# Changes -----------------------------------------------------------------------------------------

def expected_changes():
    return {
        ("P01", "T1"): ("retained", None),
        ("P02", "T1"): ("removed", "moved"),
        ("P03", "T2"): ("removed", "unspecified"),
        ("P04", "T2"): ("removed", "retired"),
        ("P05", "BCH"): ("retained", None),
        ("P05", "T2"): ("added", "other_title"),
        ("P06", "T1"): ("added", "new_source"),
    }


def changes_by_dates():
    return review.compare_states(
        review.planning_state(DATED, BEFORE), review.planning_state(DATED, AFTER),
        people=people_frame(["P01", "P02", "P03", "P04", "P05", "P06"]), titles=TITLES,
        removals=review.removal_rows(DATED),
    )


def changes_by_datasets(after_ids=("P01", "P02", "P03", "P04", "P05", "P06")):
    return review.compare_states(
        review.planning_state(BEFORE_TABLE, BEFORE), review.planning_state(AFTER_TABLE, AFTER),
        people=people_frame(list(after_ids)), titles=TITLES, removals=review.removal_rows(AFTER_TABLE),
        before_people=people_frame(["P01", "P02", "P03", "P04", "P05"]),
    )


def as_dict(changes):
    return {(p, t): (c, None if pd.isna(r) else r)
            for p, t, c, r in zip(changes.person_id, changes.title_id, changes.change, changes.reason)}


def test_compare_states_every_change_and_reason_once():
    changes = changes_by_dates()
    assert as_dict(changes) == expected_changes()
    assert changes["change"].value_counts().to_dict() == {"retained": 2, "removed": 3, "added": 2}
    assert list(changes.columns) == review.CHANGE_COLUMNS
    row = changes[(changes.person_id == "P02")].iloc[0]
    assert row["reason_text"] == "Chuyển công tác" and row["title"] == "Bí thư" and row["body"] == "leadership"
    assert changes.loc[changes.person_id == "P06", "full_name"].iloc[0] == "Người P06"


def test_same_result_from_two_datasets_and_from_dates():
    by_dates, by_datasets = changes_by_dates(), changes_by_datasets()
    pd.testing.assert_frame_equal(
        by_dates.drop(columns="reason_text"), by_datasets.drop(columns="reason_text"))
    pd.testing.assert_frame_equal(review.change_summary(by_dates), review.change_summary(by_datasets))


def test_removed_person_no_longer_listed_has_left():
    changes = changes_by_datasets(after_ids=("P01", "P02", "P04", "P05", "P06"))
    row = changes[changes.person_id == "P03"].iloc[0]
    assert (row["change"], row["reason"]) == ("removed", "left")
    assert row["full_name"] == "Người P03"  # the name comes from the table before


def test_change_summary_per_title_body_and_total():
    summary = review.change_summary(changes_by_dates())
    titles = summary[summary.title_id.notna()].set_index("title_id")
    assert titles.loc["T1", ["before", "retained", "removed", "added", "after"]].tolist() == [2, 1, 1, 1, 2]
    assert titles.loc["T2", ["before", "retained", "removed", "added", "after"]].tolist() == [2, 0, 2, 1, 1]
    assert titles.loc["BCH", ["before", "retained", "removed", "added", "after"]].tolist() == [1, 1, 0, 0, 1]
    bodies = summary[summary.title_id.isna() & summary.body.notna()].set_index("body")
    assert bodies.loc["leadership", "before"] == 4 and bodies.loc["leadership", "after"] == 3
    total = summary[summary.body.isna()].iloc[0]
    assert (total["before"], total["removed"], total["added"], total["after"]) == (5, 3, 2, 4)
    # bodies in the official order: bch before leadership
    assert list(dict.fromkeys(summary.body.dropna())) == ["bch", "leadership"]


def test_person_changes_and_reason_summary():
    people = review.person_changes(changes_by_dates()).set_index("person_id")
    assert people["change"].to_dict() == {"P01": "retained", "P02": "removed", "P03": "removed",
                                          "P04": "removed", "P05": "retained", "P06": "added"}
    assert people.loc["P05", ["titles_before", "titles_after"]].tolist() == [1, 2]
    reasons = review.reason_summary(people.reset_index())
    assert list(zip(reasons.change, reasons.reason.fillna(""), reasons.people)) == [
        ("retained", "", 2), ("removed", "retired", 1), ("removed", "moved", 1),
        ("removed", "unspecified", 1), ("added", "new_source", 1)]


@pytest.mark.parametrize("typed, code", [
    ("Quá tuổi quy hoạch", "over_age"), ("NGHỈ HƯU", "retired"), ("Bị kỷ luật khiển trách", "discipline"),
    ("Tín nhiệm thấp", "low_trust"), ("Chuyển công tác", "moved"), ("Điều động đi tỉnh khác", "moved"),
    ("Đã được bố trí", "appointed"), ("Lý do riêng", "other"), ("", None), (None, None),
])
def test_classify_reason(typed, code):
    assert review.classify_reason(typed) == code
