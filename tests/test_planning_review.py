"""The whole planning review (analysis.planning_review.run_review) on dataset-like objects."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from planning_tables import AFTER, AFTER_TABLE, BEFORE, BEFORE_TABLE, DATED, TITLES, people_frame

from analysis import planning_review


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


def test_run_review_checks_dates():
    from analysis.errors import ParameterError

    with pytest.raises(ParameterError):
        planning_review.run_review(dataset(DATED, AFTER), before_date=AFTER)


def test_run_review_without_planning_table():
    data = dataset(None, AFTER)
    data.tables.pop("planning")
    result = planning_review.run_review(data)
    assert not result.has_planning and result.changes.empty and result.summary.empty
    assert len(result.after_people) == 6  # everybody is reviewed
    head = result.headline()
    assert head["people"] == {"retained": 0, "removed": 0, "added": 0}
