"""Figures of the planning review: data drawn as given, labels per language.

Input tables: tests/chart_tables.py; the contract all charts share: test_charts_contract.py.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import plotly.graph_objects as go
from chart_tables import composition_change_table, flags_table, linkage_units_table, reasons_table
from chart_tables import review_pyramid_table, targets_table, title_changes_table

from analysis.charts import review as charts

REASONS = reasons_table()
TARGETS = targets_table()
FLAGS = flags_table()


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


def test_pyramids_before_and_after():
    fig = charts.pyramids(review_pyramid_table())
    assert len(fig.data) == 4  # two genders × two states
    men_before = fig.data[0]
    assert men_before.name == "Nam" and list(men_before.x) == [-2, 0, 0, 0, 0]
    women_after = fig.data[3]
    assert list(women_after.x) == [0, 0, 4, 0, 0]
    assert all(not t.startswith("-") for t in fig.layout.xaxis.ticktext)
    assert [a.text for a in fig.layout.annotations[:2]] == ["Trước rà soát", "Sau rà soát"]


def test_composition_change_panels():
    fig = charts.composition_change(composition_change_table(), language="en")
    assert [a.text for a in fig.layout.annotations] == ["Gender", "Age tier"]
    assert list(fig.data[0].y) == ["Men", "Women"] and list(fig.data[0].x) == [75.0, 25.0]
    assert list(fig.data[3].y) == ["Under 45", "45–50"] and list(fig.data[3].x) == [25.0, 75.0]


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


def test_flags_table():
    fig = charts.flags_table(FLAGS)
    table = fig.data[0]
    who, rules, actions, evidence = (list(c) for c in table.cells.values)
    assert who == ["Lò Văn An (P1)", "Phó Chủ tịch"]
    assert rules == ["Bị kỷ luật", "Số người quy hoạch/chức danh vượt mức *"]
    assert actions == ["Đưa ra khỏi quy hoạch", "Xem xét"]
    assert evidence[0] == "Kỷ luật: Khiển trách"


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
    fig = charts.changes_by_title(title_changes_table())
    assert [list(t.x) for t in fig.data] == [[-2], [1], [1]]  # only title rows
    fig = charts.linkage_units(linkage_units_table())
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


def test_linkage_text_says_how_to_compare_when_no_lower_unit():
    def link(units: int) -> SimpleNamespace:
        return SimpleNamespace(headline=lambda: {"lower_units": units, "upper_people": 9,
                                                 "upper_without_source": 4, "lower_pools_feeding_nobody": 2})

    none = charts.linkage_text(link(0), "muong-lat-2017")
    assert none.startswith("Chưa có bộ dữ liệu của đơn vị cấp dưới để đối chiếu.")
    assert "parent: muong-lat-2017 trong dataset.yml" in none
    assert "parent: muong-lat-2017 in its dataset.yml" in charts.linkage_text(link(0), "muong-lat-2017", language="en")
    counts = charts.linkage_text(link(2), "thuong-tin-2022", ["xa-a: thiếu tệp"])
    assert "parent:" not in counts and counts.endswith("⚠ xa-a: thiếu tệp")
    assert counts.startswith("2 đơn vị cấp dưới. 4 trong 9 người quy hoạch cấp trên")
    assert "2 nguồn quy hoạch cấp dưới" in counts
