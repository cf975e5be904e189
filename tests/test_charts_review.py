"""Figures of the planning review: data drawn as given, labels per language, empty inputs."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.charts import review as charts
from analysis.errors import ParameterError

REASONS = pd.DataFrame({
    "change": ["retained", "removed", "removed", "added", "added"],
    "reason": [None, "retired", "moved", "new_source", "other_title"],
    "people": [10, 2, 1, 3, 1],
})


def test_change_flows_sankey_balances():
    fig = charts.change_flows(REASONS)
    sankey = fig.data[0]
    assert isinstance(sankey, go.Sankey)
    labels = list(sankey.node.label)
    assert labels[0] == "Trước rà soát: 13" and labels[2] == "Sau rà soát: 14"
    assert "Đưa ra – Nghỉ hưu: 2" in labels and "Bổ sung – Nguồn mới: 3" in labels
    flows = list(zip(sankey.link.source, sankey.link.target, sankey.link.value))
    out_of_before = sum(v for s, _, v in flows if s == 0)
    into_after = sum(v for _, t, v in flows if t == 2)
    assert out_of_before == 13 and into_after == 14
    english = charts.change_flows(REASONS, language="en")
    assert "Removed – Retired: 2" in list(english.data[0].node.label)
    assert english.layout.title.text == "Changes in the pool (people)"


def test_change_waterfall_steps():
    fig = charts.change_waterfall(REASONS)
    waterfall = fig.data[0]
    assert list(waterfall.y) == [13, -2, -1, 3, 1, 14]
    assert list(waterfall.measure) == ["absolute", "relative", "relative", "relative", "relative", "total"]
    assert list(waterfall.text) == ["13", "−2", "−1", "+3", "+1", "14"]


def test_empty_flows_say_no_data():
    empty = pd.DataFrame({"change": [], "reason": [], "people": []})
    for fig in (charts.change_flows(empty), charts.change_waterfall(empty)):
        assert fig.layout.annotations[0].text == "Không có dữ liệu"


def test_pyramids_before_and_after():
    rows = [("before", "under_40", "male", 2), ("before", "40_50", "female", 3),
            ("after", "under_40", "male", 1), ("after", "50_60", "female", 4)]
    df = pd.DataFrame(rows, columns=["state", "age_band", "gender", "count"])
    fig = charts.pyramids(df)
    assert len(fig.data) == 4  # two genders × two states
    men_before = fig.data[0]
    assert men_before.name == "Nam" and list(men_before.x) == [-2, 0, 0, 0, 0]
    women_after = fig.data[3]
    assert list(women_after.x) == [0, 0, 4, 0, 0]
    assert all(not t.startswith("-") for t in fig.layout.xaxis.ticktext)
    assert [a.text for a in fig.layout.annotations[:2]] == ["Trước rà soát", "Sau rà soát"]


def test_composition_change_panels():
    df = pd.DataFrame({
        "dimension": ["gender", "gender", "age_tier", "age_tier"],
        "category": ["male", "female", "under_45", "45_50"],
        "before": [3, 1, 2, 2], "before_pct": [75.0, 25.0, 50.0, 50.0],
        "after": [2, 2, 1, 3], "after_pct": [50.0, 50.0, 25.0, 75.0],
    })
    fig = charts.composition_change(df, language="en")
    assert [a.text for a in fig.layout.annotations] == ["Gender", "Age tier"]
    assert list(fig.data[0].y) == ["Men", "Women"] and list(fig.data[0].x) == [75.0, 25.0]
    assert list(fig.data[3].y) == ["Under 45", "45–50"] and list(fig.data[3].x) == [25.0, 75.0]


TARGETS = pd.DataFrame({
    "rule": ["women_share", "people_per_title", "young_share"], "op": [">=", "<=", ">="],
    "target": [25, 4, 15], "certainty": ["C", "M", "C"], "before": [20.0, 5, 10.0],
    "before_ok": [False, False, False], "after": [30.0, 3, 12.0], "after_ok": [True, True, False],
})


def test_target_gauges():
    fig = charts.target_gauges(TARGETS)
    gauges = [t for t in fig.data if isinstance(t, go.Indicator)]
    assert [g.value for g in gauges] == [30.0, 3, 12.0]
    assert [g.delta.reference for g in gauges] == [20.0, 5, 10.0]
    assert [g.gauge.threshold.value for g in gauges] == [25, 4, 15]
    assert gauges[0].gauge.bar.color == charts.theme.PASS_COLOUR
    assert gauges[2].gauge.bar.color == charts.theme.FAIL_COLOUR
    assert "≤ 4 *" in gauges[1].title.text  # remembered target marked
    assert gauges[0].gauge.axis.range == (0, 100)


FLAGS = pd.DataFrame({
    "person_id": ["P1", pd.NA], "full_name": ["Lò Văn An", pd.NA], "title_id": [pd.NA, "T4"],
    "title": [pd.NA, "Phó Chủ tịch"], "rule": ["discipline", "people_per_title"], "action": ["remove", "review"],
    "value": ["Khiển trách", "5"], "limit": [pd.NA, "4"], "detail": [pd.NA, "5/1"], "certainty": ["C", "M"],
    "evidence": ["Kỷ luật: Khiển trách", "5 người quy hoạch cho Phó Chủ tịch (tối đa 4)"],
})


def test_flags_table():
    fig = charts.flags_table(FLAGS)
    table = fig.data[0]
    who, rules, actions, evidence = (list(c) for c in table.cells.values)
    assert who == ["Lò Văn An (P1)", "Phó Chủ tịch"]
    assert rules == ["Bị kỷ luật", "Số người quy hoạch/chức danh vượt mức *"]
    assert actions == ["Đưa ra khỏi quy hoạch", "Xem xét"]
    assert evidence[0] == "Kỷ luật: Khiển trách"
    assert charts.flags_table(FLAGS.iloc[:0]).layout.annotations[0].text == "Không có dữ liệu"


def test_display_table_labels_codes_and_totals():
    summary = pd.DataFrame({
        "body": ["bch", "bch", pd.NA], "title_id": ["BCH", pd.NA, pd.NA], "title": ["Ủy viên BCH", pd.NA, pd.NA],
        "before": [3, 3, 3], "after": [4, 4, 4],
    })
    shown = charts.display_table(summary, "vi", ["body", "title", "before", "after"])
    assert list(shown.columns) == ["Cơ quan", "Chức danh", "Trước", "Sau"]
    assert list(shown["Chức danh"]) == ["Ủy viên BCH", "Ban Chấp hành (chung)", "Tổng"]
    assert list(shown["Cơ quan"]) == ["Ban Chấp hành", "Ban Chấp hành", ""]
    changes = pd.DataFrame({"change": ["removed", "added"], "reason": ["moved", "new_source"]})
    english = charts.display_table(changes, "en")
    assert english.to_dict("list") == {"Change": ["Removed", "Added"],
                                       "Reason": ["Moved to another post", "New source"]}


def test_changes_by_title_and_linkage_units():
    summary = pd.DataFrame({
        "body": ["leadership", "leadership"], "title_id": ["T1", pd.NA], "title": ["Bí thư", pd.NA],
        "retained": [1, 1], "removed": [2, 2], "added": [1, 1],
    })
    fig = charts.changes_by_title(summary)
    assert [list(t.x) for t in fig.data] == [[-2], [1], [1]]  # only title rows
    units = pd.DataFrame({"unit_name": ["Xã A", "Xã B"], "people": [5, 3], "feeding": [2, 0]})
    fig = charts.linkage_units(units)
    assert list(fig.data[0].x) == [2, 0] and list(fig.data[1].x) == [3, 3]


def test_texts():
    result = SimpleNamespace(
        mode="dates", before_date=pd.Timestamp("2016-03-15"), after_date=pd.Timestamp("2017-03-15"),
        has_planning=True, term={"label": "2015-2020"}, flags=FLAGS,
        headline=lambda: {"people_before": 13, "people_after": 14,
                          "people": {"retained": 10, "removed": 3, "added": 4},
                          "planning_rows": {"retained": 12, "removed": 3, "added": 5}},
    )
    text = charts.overview_text(result)
    assert "15/03/2016" in text and "giữ lại 10, đưa ra 3, bổ sung 4" in text
    assert "1 người và 1 chức danh" in charts.flags_text(result, "QĐ 50")
    assert charts.targets_text(TARGETS.iloc[:0], "KL 24", "en").startswith("The rule set (KL 24)")
    assert charts.targets_text(TARGETS, "QĐ 50") is None


def test_unknown_language_and_missing_columns():
    with pytest.raises(ParameterError):
        charts.change_flows(REASONS, language="fr")
    with pytest.raises(ParameterError, match="people"):
        charts.change_flows(REASONS.drop(columns="people"))


def test_figures_serialise():
    for fig in (charts.change_flows(REASONS), charts.target_gauges(TARGETS), charts.flags_table(FLAGS)):
        assert "plotly" in fig.to_html(include_plotlyjs=False)
