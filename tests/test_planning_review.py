"""The whole planning review (analysis.planning_review.run_review) on dataset-like objects."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from planning_tables import AFTER, AFTER_TABLE, BEFORE, BEFORE_TABLE, DATED, TITLES, frame, people_frame

from analysis import planning_review
from analysis.charts import review as charts


def dataset(planning, as_of, people_ids=("P01", "P02", "P03", "P04", "P05", "P06"), regime="qd50"):
    meta = SimpleNamespace(
        id="x", name="X", level="district", regime=regime, as_of=pd.Timestamp(as_of).date(),
        terms=[{"label": "2020-2025", "kind": "party", "start": "2020-06"}], parent=None,
    )
    return SimpleNamespace(meta=meta, tables={"people": people_frame(list(people_ids)), "titles": TITLES,
                                              "planning": planning})


def test_run_review_same_from_datasets_and_dates():
    by_dates = planning_review.run_review(dataset(DATED, AFTER))
    by_datasets = planning_review.run_review(dataset(AFTER_TABLE, AFTER),
                                             before=dataset(BEFORE_TABLE, BEFORE, ("P01", "P02", "P03", "P04", "P05")))
    assert by_dates.mode == "dates" and by_datasets.mode == "datasets"
    assert by_dates.before_date == by_datasets.before_date == pd.Timestamp(BEFORE)
    pd.testing.assert_frame_equal(by_dates.changes.drop(columns="reason_text"),
                                  by_datasets.changes.drop(columns="reason_text"))
    pd.testing.assert_frame_equal(by_dates.composition, by_datasets.composition)
    head = by_dates.headline()
    assert head["people"] == {"retained": 2, "removed": 3, "added": 1}
    assert head["planning_rows"] == {"retained": 2, "removed": 3, "added": 2}
    assert head["removed_by_reason"] == {"retired": 1, "moved": 1, "unspecified": 1}
    assert head["people_before"] == 5 and head["people_after"] == 3
    assert set(by_dates.pyramid.state) == {"before", "after"}


def test_run_review_hides_small_ethnic_groups():
    # after the review: P01, P05 (Kinh) and P06, the only Thái: one person, hidden by default
    composition = planning_review.run_review(dataset(DATED, AFTER)).composition
    thai = composition[(composition.dimension == "ethnicity") & (composition.category == "Thái")].iloc[0]
    assert pd.isna(thai["after"]) and pd.isna(thai["after_pct"]) and pd.isna(thai["change"]) and thai["suppressed"]
    shown = planning_review.run_review(dataset(DATED, AFTER), min_cell=1).composition
    thai = shown[(shown.dimension == "ethnicity") & (shown.category == "Thái")].iloc[0]
    assert thai["after"] == 1 and not thai["suppressed"]


def test_run_review_checks_dates():
    from analysis.errors import ParameterError

    with pytest.raises(ParameterError):
        planning_review.run_review(dataset(DATED, AFTER), before_date=AFTER)


def test_over_age_flags_judge_the_term_of_each_planned_title():
    # Terms 2025-2030 (party, from 06/2025) and 2026-2031 (government, from 03/2026); review on 2022-05-25.
    # Q1, Q2: men born 05/12/1968, 62 in 12/2030 → pension 01/2031: 67 months from 06/2025 (can serve
    # 2025-2030) but 58 from 03/2026 (cannot serve 2026-2031). Q3: man born 10/07/1967, 62 in 07/2029 →
    # pension 08/2029: 50 months from 06/2025. Q4: born 1980, fine for both terms.
    # Q1 is planned for CT (2026-2031) and Q3 for BT (2025-2030): both cannot serve the term of their
    # title; Q2 is planned for BT only and can serve it, whichever term the review is for.
    terms = [{"label": "2025-2030", "kind": "party", "start": "2025-06"},
             {"label": "2026-2031", "kind": "government", "start": "2026-03"}]
    meta = SimpleNamespace(id="x", name="X", level="district", regime="qd50",
                           as_of=pd.Timestamp("2022-05-25").date(), terms=terms, parent=None)
    people = frame([(f"Q{i}", f"Người Q{i}", "male", born, "Kinh", "party")
                    for i, born in enumerate(["1968-12-05", "1968-12-05", "1967-07-10", "1980-01-15"], 1)],
                   ["person_id", "full_name", "gender", "birth_date", "ethnicity", "sector"])
    titles = frame([("BT", "Bí thư", "leadership", "2025-2030", 1),
                    ("CT", "Chủ tịch UBND", "leadership", "2026-2031", 1)],
                   ["title_id", "title", "body", "term", "seats"])
    planning = frame([("Q1", "CT", "approved"), ("Q2", "BT", "approved"), ("Q3", "BT", "approved"),
                      ("Q4", "CT", "approved")], ["person_id", "title_id", "status"])
    data = SimpleNamespace(meta=meta, tables={"people": people, "titles": titles, "planning": planning})
    for term in (None, "2025-2030", "2026-2031"):
        result = planning_review.run_review(data, term=term)
        over_age = result.flags[result.flags["rule"] == "over_age"]
        assert list(zip(over_age.person_id, over_age.detail, over_age.value)) == [
            ("Q1", "2026-2031", "58"), ("Q3", "2025-2030", "50")]
        # the gauge of the same page counts the same people: 2
        gauge = result.targets.set_index("rule").loc["ineligible_in_pool"]
        assert gauge["after"] == len(over_age) == 2
    evidence = over_age.set_index("person_id")["evidence"]
    assert evidence["Q1"] == ("Còn 58 tháng đến tháng hưởng lương hưu (01/2031) tính từ đầu nhiệm kỳ "
                              "2026-2031 (03/2026); cần ít nhất 60 tháng")


def test_run_review_without_planning_table():
    data = dataset(None, AFTER)
    data.tables.pop("planning")
    result = planning_review.run_review(data)
    assert not result.has_planning and result.changes.empty and result.summary.empty
    assert len(result.after_people) == 6  # everybody is reviewed
    head = result.headline()
    assert head["people"] == {"retained": 0, "removed": 0, "added": 0}


# A list drawn up for the first time (like the sample thuong-tin-2022): every row starts after the
# default date before (AFTER − 1 year = 2016-03-15). P02 was on it from June to September 2016.
FIRST_LIST = frame(
    [
        ("P01", "T1", "approved", "2016-06-01", None, None),
        ("P05", "BCH", "approved", "2016-06-01", None, None),
        ("P06", "T1", "proposed", AFTER, None, None),
        ("P02", "T1", "removed", "2016-06-01", "2016-09-01", "Chuyển công tác"),
    ],
    ["person_id", "title_id", "status", "since", "removed_on", "removal_reason"],
)


def test_run_review_without_a_list_before():
    result = planning_review.run_review(dataset(FIRST_LIST, AFTER))
    assert result.before_date == pd.Timestamp(BEFORE) and result.notes == ["no_before"]
    assert result.has_planning and result.changes.empty  # nobody is "added" to a list that did not exist
    head = result.headline()
    assert head["people"] == {"retained": 0, "removed": 0, "added": 0}
    assert head["people_before"] == 0 and head["people_after"] == 3  # P01, P05, P06
    assert head["notes"] == ["no_before"]
    assert result.targets["before"].isna().all()  # no gauge measured against an empty pool
    assert result.targets["after"].notna().any()
    text = charts.overview_text(result)
    assert "Không có danh sách quy hoạch trước rà soát" in text and "Sau rà soát: 3 người" in text
    assert "bổ sung 3" not in text and "Bổ sung" not in text
    # with a date when the list existed, the review compares as usual: on 2016-07-01 P01 T1, P05 BCH
    # and P02 T1 are in force; P01 and P05 stay, P02 left (moved), P06 is new
    result = planning_review.run_review(dataset(FIRST_LIST, AFTER), before_date="2016-07-01")
    assert result.notes == []
    head = result.headline()
    assert head["people"] == {"retained": 2, "removed": 1, "added": 1}
    assert head["people_before"] == 3 and head["people_after"] == 3
    assert head["removed_by_reason"] == {"moved": 1}
