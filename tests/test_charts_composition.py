"""Composition charts (women, ethnicity, sectors, qualifications, checks): each figure's data match
the hand-built input table. The age charts are tested in test_charts_age.py.

The tables (tests/chart_tables.py) are written by hand in the shapes `analysis.composition`
produces, so these tests only exercise the charts; the contract all charts share (house figure,
titles, languages, renamed columns, errors, empty tables, HTML) is in test_charts_contract.py.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest
import yaml
from chart_tables import COMPOSITION_RULES as RULES
from chart_tables import checks_table, education_table, ethnicity_table, sector_table, theory_table, trace, women_table

from analysis import labels
from analysis.charts import composition as charts
from analysis.charts import theme
from analysis.config import LABELS_DIR
from analysis.errors import ParameterError


# Women ------------------------------------------------------------------------------------------


def test_women_share_rows_by_body_then_titles_with_target_line():
    fig = charts.women_share(women_table(), target=25)
    bodies = trace(fig, "Theo cơ quan")
    titles = trace(fig, "Theo chức danh")
    assert list(bodies.y) == ["<b>Ban Chấp hành (chung)</b>", "<b>Ban Thường vụ (chung)</b>"]
    assert list(bodies.x) == [25.0, 20.0]
    assert list(titles.y) == ["Ủy viên BCH", "Ủy viên BCH khối Đảng", "Ủy viên BTV"]
    assert list(titles.x) == [20.0, 40.0, 20.0]
    assert list(fig.layout.yaxis.categoryarray) == [
        "<b>Ban Chấp hành (chung)</b>",
        "Ủy viên BCH",
        "Ủy viên BCH khối Đảng",
        "<b>Ban Thường vụ (chung)</b>",
        "Ủy viên BTV",
    ]
    assert titles.text[1] == "40 % (4/10)"
    (line,) = fig.layout.shapes
    assert line.x0 == line.x1 == 25
    assert line.line.dash == "dash"
    assert any(a.text == "Mục tiêu ≥ 25 %" for a in fig.layout.annotations)
    assert fig.layout.xaxis.range[1] >= 40


def test_women_share_without_target_has_no_line():
    fig = charts.women_share(women_table())
    assert len(fig.layout.shapes) == 0


def test_women_share_fractional_target_and_english():
    fig = charts.women_share(women_table(), target=33.5, language="en")
    (line,) = fig.layout.shapes
    assert line.x0 == 33.5
    assert any(a.text == "Target ≥ 33.5 %" for a in fig.layout.annotations)
    assert trace(fig, "By body").y[0] == "<b>Executive committee (all)</b>"


def test_women_share_bad_target():
    with pytest.raises(ParameterError):
        charts.women_share(women_table(), target="a quarter")


def test_women_share_missing_percentage_is_a_dash():
    df = women_table()
    df.loc[4, ["people", "women", "women_pct"]] = [0, 0, None]
    titles = trace(charts.women_share(df), "Theo chức danh")
    assert titles.x[2] == 0 and titles.text[2] == "—"


# Ethnicity --------------------------------------------------------------------------------------


def test_ethnicity_sorted_by_count_kinh_distinct_missing_last():
    fig = charts.ethnicity(ethnicity_table())
    assert list(fig.layout.yaxis.categoryarray) == ["Kinh", "Mường", "Tày", "Dao", "(không rõ)"]
    assert fig.layout.yaxis.autorange == "reversed"  # largest on top
    kinh = trace(fig, "Dân tộc Kinh")
    minorities = trace(fig, "Dân tộc thiểu số")
    missing = trace(fig, "Không rõ")
    assert list(kinh.y) == ["Kinh"] and list(kinh.x) == [40]
    assert list(minorities.y) == ["Mường", "Tày", "Dao"] and list(minorities.x) == [6, 5, 1]
    assert list(missing.x) == [2]
    assert kinh.marker.color != minorities.marker.color
    assert kinh.text[0] == "40 (74,07 %)"


def test_ethnicity_majority_matched_without_case_and_english():
    df = pd.DataFrame({"ethnicity": ["KINH", "Tày"], "count": [3, 4], "pct": [42.86, 57.14]})
    fig = charts.ethnicity(df, language="en")
    assert list(trace(fig, "Kinh (majority)").y) == ["KINH"]
    assert list(fig.layout.yaxis.categoryarray) == ["Tày", "KINH"]


# Sectors ----------------------------------------------------------------------------------------


def test_sectors_treemap_values_match_counts():
    fig = charts.sectors(sector_table())
    (tree,) = fig.data
    assert isinstance(tree, go.Treemap)
    assert tree.branchvalues == "total"
    nodes = {i: (lab, par, val) for i, lab, par, val in zip(tree.ids, tree.labels, tree.parents, tree.values)}
    root = [i for i, (_, par, _) in nodes.items() if par == ""]
    assert len(root) == 1 and nodes[root[0]][2] == 19
    sectors = {lab: (i, val) for i, (lab, par, val) in nodes.items() if par == root[0]}
    assert {lab: v for lab, (_, v) in sectors.items()} == {
        "Khối Đảng": 8,
        "Khối chính quyền": 10,
        "(không rõ)": 1,
    }
    party_units = {lab: val for lab, par, val in nodes.values() if par == sectors["Khối Đảng"][0]}
    assert party_units == {"Ban Tổ chức": 5, "Văn phòng": 3}
    gov_units = {lab: val for lab, par, val in nodes.values() if par == sectors["Khối chính quyền"][0]}
    assert gov_units == {"UBND huyện": 8, "(không rõ)": 2}
    assert len(set(tree.ids)) == len(tree.ids)  # same unit name in two sectors stays two boxes


def test_sectors_boxes_show_their_name_on_short_lines_and_their_count():
    (tree,) = charts.sectors(sector_table()).data
    shown = dict(zip(tree.labels, tree.text))
    assert shown["UBND huyện"] == "UBND huyện<br>8"
    assert shown["Khối chính quyền"] == "Khối chính<br>quyền<br>10"
    assert tree.texttemplate == "%{text}"


def test_sectors_english_labels():
    (tree,) = charts.sectors(sector_table(), language="en").data
    assert "Party" in tree.labels and "Government" in tree.labels and "All" in tree.labels


# Qualifications ---------------------------------------------------------------------------------


def test_qualifications_two_panels_ordered_by_level():
    fig = charts.qualifications(education_table(), theory_table())
    education, theory = fig.data
    assert education.orientation == theory.orientation == "h"  # level names read across
    assert list(education.y) == ["Tiến sĩ", "Thạc sĩ", "Đại học", "Cao đẳng", "Trung cấp", "Chưa qua đào tạo", "(không rõ)"]
    assert list(education.x) == [2, 15, 30, 0, 0, 0, 1]
    assert list(theory.y) == ["Cao cấp", "Trung cấp", "Sơ cấp", "Chưa qua đào tạo"]
    assert list(theory.x) == [28, 20, 0, 0]
    assert education.yaxis == "y" and theory.yaxis == "y2"
    assert fig.layout.yaxis.autorange == fig.layout.yaxis2.autorange == "reversed"  # highest level on top
    assert fig.layout.xaxis.range == fig.layout.xaxis2.range == (0, 30 * 1.3)  # one count axis for both
    subtitles = [a.text for a in fig.layout.annotations]
    assert subtitles == ["Trình độ chuyên môn", "Lý luận chính trị"]
    assert theory.text[0] == "28 (58,33 %)"
    assert fig.layout.xaxis2.title.text == "Số người"


def test_qualifications_english():
    fig = charts.qualifications(education_table(), theory_table(), language="en")
    assert fig.data[0].y[0] == "Doctorate" and fig.data[1].y[0] == "Advanced"
    assert [a.text for a in fig.layout.annotations] == ["Education", "Political theory"]


def test_qualifications_renamed_columns_keep_their_labels():
    education = education_table().rename(columns={"education": "trinh_do"})
    theory = theory_table().rename(columns={"political_theory": "llct"})
    fig = charts.qualifications(education, theory, education="trinh_do", theory="llct")
    assert list(fig.data[0].y)[:3] == ["Tiến sĩ", "Thạc sĩ", "Đại học"]
    assert list(fig.data[1].y)[0] == "Cao cấp"
    assert list(fig.data[0].x) == [2, 15, 30, 0, 0, 0, 1]


# Compliance table -------------------------------------------------------------------------------


def test_compliance_marks_match_ok_values():
    fig = charts.compliance_table(checks_table())
    (table,) = fig.data
    assert isinstance(table, go.Table)
    rules, values, targets, marks = table.cells.values
    assert list(marks) == ["✓", "✗", "✓", "✓", "—", "✗"]
    colours = table.cells.font.color[3]
    assert list(colours) == [
        theme.PASS_COLOUR,
        theme.FAIL_COLOUR,
        theme.PASS_COLOUR,
        theme.PASS_COLOUR,
        theme.NEUTRAL_COLOUR,
        theme.FAIL_COLOUR,
    ]
    assert list(values) == ["25 %", "12,5 %", "3", "2", "—", "1"]
    assert list(targets) == ["≥ 25 %", "≥ 15 %", "≤ 4", "≤ 3", "≤ 1,5", "= 0"]


def test_compliance_rule_labels_and_remembered_mark():
    fig = charts.compliance_table(checks_table())
    rules = list(fig.data[0].cells.values[0])
    assert rules[0] == labels.text("composition.rules.women_share", "vi")
    assert rules[2] == labels.text("composition.rules.people_per_title", "vi") + " " + theme.NOTE_MARK
    assert rules[4].endswith(theme.NOTE_MARK)
    assert sum(r.endswith(theme.NOTE_MARK) for r in rules) == 2
    notes = [a.text for a in fig.layout.annotations]
    assert any(n.startswith(theme.NOTE_MARK) for n in notes[0].split("<br>"))


def test_compliance_without_remembered_values_has_no_note():
    df = checks_table().iloc[:2].assign(certainty="C")
    fig = charts.compliance_table(df)
    assert len(fig.layout.annotations) == 0
    assert not any(r.endswith(theme.NOTE_MARK) for r in fig.data[0].cells.values[0])


def test_compliance_ok_as_pandas_boolean_with_na():
    df = checks_table().astype({"ok": "boolean"})
    marks = charts.compliance_table(df).data[0].cells.values[3]
    assert list(marks) == ["✓", "✗", "✓", "✓", "—", "✗"]


def test_compliance_unit_column_decides_percent():
    df = checks_table().assign(unit=["%", "%", "people", "titles", "ratio", "people"])
    df.loc[0, "rule"] = "some_new_rule"  # unknown rule: its name is shown, unit still applies
    (table,) = charts.compliance_table(df).data
    assert table.cells.values[0][0] == "some_new_rule"
    assert table.cells.values[1][0] == "25 %"


def test_compliance_english():
    (table,) = charts.compliance_table(checks_table(), language="en").data
    assert table.cells.values[0][0] == "Share of women"
    assert table.cells.values[1][1] == "12.5 %"
    assert table.header.values[3] == "<b>Result</b>"


def test_check_texts_rule_value_and_operator():
    assert charts.rule_name("women_share", "en") == "Share of women"
    assert charts.rule_name("some_new_rule", "vi") == "some_new_rule"  # no label: as given
    assert charts.rule_value("women_share", 12.5, "vi") == "12,5 %"  # *_share: percent
    assert charts.rule_value("people_per_title", 1.5, "en") == "1.5"
    assert charts.rule_value("people_per_title", 30, "vi", unit="%") == "30 %"  # the unit decides
    assert charts.rule_value("women_share", 30, "vi", unit="people") == "30"
    assert [charts.operator_symbol(op) for op in (">=", "=>", " <= ", "==", "~")] == ["≥", "≥", "≤", "=", "~"]
    assert charts.operator_symbol(pd.NA) == "" and charts.operator_symbol(None) == ""


# Labels -----------------------------------------------------------------------------------------


def _keys(tree: dict, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for k, v in tree.items():
        out |= _keys(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}"}
    return out


def test_vietnamese_and_english_labels_have_the_same_keys():
    vi = yaml.safe_load((LABELS_DIR / "vi" / "composition.yml").read_text(encoding="utf-8"))
    en = yaml.safe_load((LABELS_DIR / "en" / "composition.yml").read_text(encoding="utf-8"))
    assert _keys(vi) == _keys(en)
    assert set(vi) == {"composition"}  # this file defines composition.* only


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_a_label(rule, language):
    key = f"composition.rules.{rule}"
    assert labels.text(key, language) != key
