"""Composition charts: each figure's data match the hand-built input table.

The tables are written by hand in the shapes `analysis.composition` produces (that module is not
imported here, so these tests only exercise the charts).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest
import yaml

from analysis import labels
from analysis.charts import composition as charts
from analysis.charts import theme
from analysis.config import LABELS_DIR
from analysis.errors import ParameterError

BANDS = ["under_40", "40_50", "50_60", "60_65", "over_65"]
RULES = [
    "women_share",
    "young_share",
    "people_per_title",
    "titles_per_person",
    "pool_size_ratio",
    "ineligible_in_pool",
]


# Hand-built tables ------------------------------------------------------------------------------


def pyramid_table() -> pd.DataFrame:
    counts = {"under_40": (5, 7), "40_50": (12, 6), "50_60": (20, 4), "60_65": (3, 1), "over_65": (0, 0)}
    rows = [(b, g, n) for b, pair in counts.items() for g, n in zip(("male", "female"), pair)]
    return pd.DataFrame(rows, columns=["age_band", "gender", "count"])


def band_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age_band": BANDS + [pd.NA],
            "count": [12, 18, 24, 4, 0, 2],
            "pct": [20.0, 30.0, 40.0, 6.67, 0.0, 3.33],
        }
    ).astype({"count": "Int64", "pct": "Float64"})


def tier_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title_id": ["T1", "T1", "T1", "T2", "T2", "T2", "T2", "T3", "T3", "T3"],
            "title": ["Bí thư"] * 3 + ["Ủy viên BTV"] * 4 + ["Ủy viên BCH"] * 3,
            "body": ["leadership"] * 3 + ["btv"] * 4 + ["bch"] * 3,
            "age_tier": ["under_45", "45_50", "over_50"] * 2 + [pd.NA] + ["under_45", "45_50", "over_50"],
            "count": [1, 2, 1, 3, 0, 2, 1, 5, 6, 7],
        }
    )


def women_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "body": ["bch", "bch", "bch", "btv", "btv"],
            "title_id": [pd.NA, "B1", "B2", pd.NA, "V1"],
            "title": [pd.NA, "Ủy viên BCH", "Ủy viên BCH khối Đảng", pd.NA, "Ủy viên BTV"],
            "people": [40, 30, 10, 15, 15],
            "women": [10, 6, 4, 3, 3],
            "women_pct": [25.0, 20.0, 40.0, 20.0, 20.0],
        }
    )


def ethnicity_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ethnicity": ["Tày", "Kinh", pd.NA, "Mường", "Dao"],
            "count": [5, 40, 2, 6, 1],
            "pct": [9.26, 74.07, 3.7, 11.11, 1.85],
        }
    )


def sector_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sector": ["party", "party", "government", "government", pd.NA],
            "unit": ["Ban Tổ chức", "Văn phòng", "UBND huyện", pd.NA, "Ban Tổ chức"],
            "count": [5, 3, 8, 2, 1],
        }
    )


def education_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "education": ["doctorate", "master", "bachelor", "college", "vocational", "none", pd.NA],
            "count": [2, 15, 30, 0, 0, 0, 1],
            "pct": [4.17, 31.25, 62.5, 0.0, 0.0, 0.0, 2.08],
        }
    )


def theory_table() -> pd.DataFrame:
    # deliberately not in level order: the chart orders by level
    return pd.DataFrame(
        {
            "political_theory": ["intermediate", "none", "advanced", "elementary"],
            "count": [20, 0, 28, 0],
            "pct": [41.67, 0.0, 58.33, 0.0],
        }
    )


def eligibility_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": ["2025-2030", "2026-2031"],
            "kind": ["party", "government"],
            "eligible": [40, 38],
            "not_eligible": [8, 10],
            "eligible_pct": [83.33, 79.17],
        }
    )


def checks_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule": RULES,
            "value": [25.0, 12.5, 3, 2, None, 1],
            "target": [25, 15, 4, 3, 1.5, 0],
            "op": [">=", ">=", "<=", "<=", "<=", "=="],
            "ok": [True, False, True, True, None, False],
            "certainty": ["C", "C", "M", "C", "M", "C"],
        }
    ).astype({"value": "object", "ok": "object"})


FIGURES = {
    "age_pyramid": lambda **kw: charts.age_pyramid(pyramid_table(), **kw),
    "age_bands": lambda **kw: charts.age_bands(band_table(), **kw),
    "tiers_by_title": lambda **kw: charts.tiers_by_title(tier_table(), **kw),
    "women_share": lambda **kw: charts.women_share(women_table(), target=25, **kw),
    "ethnicity": lambda **kw: charts.ethnicity(ethnicity_table(), **kw),
    "sectors": lambda **kw: charts.sectors(sector_table(), **kw),
    "qualifications": lambda **kw: charts.qualifications(education_table(), theory_table(), **kw),
    "eligibility": lambda **kw: charts.eligibility(eligibility_table(), **kw),
    "compliance_table": lambda **kw: charts.compliance_table(checks_table(), **kw),
}
TITLE_KEYS = {
    "age_pyramid": "age_pyramid",
    "age_bands": "age_bands",
    "tiers_by_title": "tiers",
    "women_share": "women",
    "ethnicity": "ethnicity",
    "sectors": "sectors",
    "qualifications": "qualifications",
    "eligibility": "eligibility",
    "compliance_table": "compliance",
}


def trace(fig: go.Figure, name: str):
    found = [t for t in fig.data if t.name == name]
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


# Every chart ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FIGURES)
def test_returns_house_figure_with_default_vietnamese_title(name):
    fig = FIGURES[name]()
    assert isinstance(fig, go.Figure)
    assert fig.layout.template.layout.font.family == theme.FONT_FAMILY
    assert fig.layout.title.text == labels.text(f"composition.{TITLE_KEYS[name]}.title", "vi")
    assert fig.layout.separators == ",."


@pytest.mark.parametrize("name", FIGURES)
def test_english_switches_title_and_separators(name):
    fig = FIGURES[name](language="en")
    assert fig.layout.title.text == labels.text(f"composition.{TITLE_KEYS[name]}.title", "en")
    assert fig.layout.title.text != labels.text(f"composition.{TITLE_KEYS[name]}.title", "vi")
    assert fig.layout.separators == ".,"


@pytest.mark.parametrize("name", FIGURES)
def test_title_override(name):
    assert FIGURES[name](title="Tiêu đề riêng").layout.title.text == "Tiêu đề riêng"


@pytest.mark.parametrize("name", FIGURES)
@pytest.mark.parametrize("language", ["fr", "", None, "VI"])
def test_unknown_language_raises_parameter_error(name, language):
    with pytest.raises(ParameterError):
        FIGURES[name](language=language)


@pytest.mark.parametrize("name", FIGURES)
def test_serialises_to_html(name):
    html = FIGURES[name]().to_html(include_plotlyjs=False, full_html=False)
    assert "Plotly.newPlot" in html
    assert "cdn.plot.ly" not in html


def test_missing_column_raises_parameter_error():
    with pytest.raises(ParameterError, match="count"):
        charts.age_pyramid(pyramid_table().drop(columns="count"))
    with pytest.raises(ParameterError, match="people"):
        charts.women_share(women_table(), people="persons")
    with pytest.raises(ParameterError):
        charts.ethnicity("not a frame")


@pytest.mark.parametrize(
    "call",
    [
        lambda: charts.age_pyramid(pyramid_table().iloc[:0]),
        lambda: charts.age_bands(band_table().iloc[:0]),
        lambda: charts.tiers_by_title(tier_table().iloc[:0]),
        lambda: charts.women_share(women_table().iloc[:0], target=25),
        lambda: charts.ethnicity(ethnicity_table().iloc[:0]),
        lambda: charts.sectors(sector_table().iloc[:0]),
        lambda: charts.qualifications(education_table().iloc[:0], theory_table().iloc[:0]),
        lambda: charts.eligibility(eligibility_table().iloc[:0]),
    ],
)
def test_empty_table_gives_a_no_data_figure(call):
    fig = call()
    assert labels.text("common.no_data", "vi") in [a.text for a in fig.layout.annotations]
    fig.to_html(include_plotlyjs=False)


def test_columns_can_be_renamed():
    df = pyramid_table().rename(columns={"age_band": "band", "gender": "sex", "count": "n"})
    fig = charts.age_pyramid(df, band="band", gender="sex", count="n")
    assert list(trace(fig, "Nữ").x) == [7, 6, 4, 1, 0]


# Age pyramid ------------------------------------------------------------------------------------


def test_pyramid_men_left_women_right_with_absolute_texts():
    fig = charts.age_pyramid(pyramid_table())
    men, women = trace(fig, "Nam"), trace(fig, "Nữ")
    assert men.orientation == women.orientation == "h"
    assert list(men.x) == [-5, -12, -20, -3, 0]
    assert list(women.x) == [7, 6, 4, 1, 0]
    assert list(men.text) == ["5", "12", "20", "3", "0"]
    assert list(women.text) == ["7", "6", "4", "1", "0"]
    assert men.marker.color == theme.GENDER_COLOURS["male"]
    assert fig.layout.barmode == "relative"


def test_pyramid_ticks_and_hover_are_absolute():
    fig = charts.age_pyramid(pyramid_table())
    vals, texts = fig.layout.xaxis.tickvals, fig.layout.xaxis.ticktext
    assert min(vals) < 0 < max(vals)
    assert min(vals) <= -20 and max(vals) >= 20
    assert all(not t.startswith("-") for t in texts)
    assert [float(t) for t in texts] == [abs(v) for v in vals]
    men = trace(fig, "Nam")
    assert "%{x" not in men.hovertemplate
    assert list(men.hovertext) == [
        "Nam, Dưới 40: 5",
        "Nam, 40–50: 12",
        "Nam, Trên 50–60: 20",
        "Nam, Trên 60–65: 3",
        "Nam, Trên 65: 0",
    ]
    assert all("-" not in h for h in men.hovertext)


def test_pyramid_bands_young_at_the_bottom_whatever_the_row_order():
    shuffled = pyramid_table().sample(frac=1, random_state=3)
    fig = charts.age_pyramid(shuffled)
    expected = [labels.code_label("age_band", b, "vi") for b in BANDS]
    assert list(fig.layout.yaxis.categoryarray) == expected  # first category is drawn at the bottom
    assert fig.layout.yaxis.autorange != "reversed"
    assert list(trace(fig, "Nam").y) == expected
    assert list(trace(fig, "Nam").x) == [-5, -12, -20, -3, 0]


def test_pyramid_in_english_uses_english_codes():
    fig = charts.age_pyramid(pyramid_table(), language="en")
    assert {t.name for t in fig.data} == {"Men", "Women"}
    assert trace(fig, "Men").y[0] == "Under 40"
    assert fig.layout.xaxis.title.text == "People"


def test_pyramid_large_counts_use_language_thousand_marks():
    df = pd.DataFrame({"age_band": ["under_40"] * 2, "gender": ["male", "female"], "count": [1500, 1200]})
    vi = charts.age_pyramid(df)
    en = charts.age_pyramid(df, language="en")
    assert "1.500" in trace(vi, "Nam").text and "1,500" in trace(en, "Men").text
    assert "1.000" in vi.layout.xaxis.ticktext and "1,000" in en.layout.xaxis.ticktext


# Age bands --------------------------------------------------------------------------------------


def test_age_bands_in_official_order_with_count_and_percent():
    fig = charts.age_bands(band_table().iloc[::-1])
    (bar,) = fig.data
    assert list(bar.x) == [labels.code_label("age_band", b, "vi") for b in BANDS] + ["(không rõ)"]
    assert list(bar.y) == [12, 18, 24, 4, 0, 2]
    assert list(bar.text) == ["12 (20 %)", "18 (30 %)", "24 (40 %)", "4 (6,67 %)", "0 (0 %)", "2 (3,33 %)"]
    assert list(fig.layout.xaxis.categoryarray) == list(bar.x)


def test_age_bands_english_decimal_point():
    (bar,) = charts.age_bands(band_table(), language="en").data
    assert bar.text[3] == "4 (6.67 %)"
    assert bar.x[0] == "Under 40"


# Tiers ------------------------------------------------------------------------------------------


def test_tiers_stacked_per_title_in_tier_order():
    fig = charts.tiers_by_title(tier_table())
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["Dưới 45", "45–50", "Trên 50", "(không rõ)"]
    # titles by body: bch, btv, leadership; first on top
    assert list(fig.layout.yaxis.categoryarray) == ["Ủy viên BCH", "Ủy viên BTV", "Bí thư"]
    assert fig.layout.yaxis.autorange == "reversed"
    assert list(trace(fig, "Dưới 45").x) == [5, 3, 1]
    assert list(trace(fig, "45–50").x) == [6, 0, 2]
    assert list(trace(fig, "Trên 50").x) == [7, 2, 1]
    assert list(trace(fig, "(không rõ)").x) == [0, 1, 0]
    assert list(trace(fig, "45–50").text) == ["6", "", "2"]  # no "0" label on empty segments


def test_tiers_english_and_duplicate_title_names():
    df = tier_table()
    df.loc[df["title_id"] == "T3", "title"] = "Ủy viên BTV"  # same name in two bodies
    fig = charts.tiers_by_title(df, language="en")
    assert [t.name for t in fig.data][:3] == ["Under 45", "45–50", "Over 50"]
    assert list(fig.layout.yaxis.categoryarray) == [
        "Ủy viên BTV (Executive committee)",
        "Ủy viên BTV (Standing committee)",
        "Bí thư",
    ]


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


def test_sectors_english_labels():
    (tree,) = charts.sectors(sector_table(), language="en").data
    assert "Party" in tree.labels and "Government" in tree.labels and "All" in tree.labels


# Qualifications ---------------------------------------------------------------------------------


def test_qualifications_two_panels_ordered_by_level():
    fig = charts.qualifications(education_table(), theory_table())
    education, theory = fig.data
    assert list(education.x) == ["Tiến sĩ", "Thạc sĩ", "Đại học", "Cao đẳng", "Trung cấp", "Chưa qua đào tạo", "(không rõ)"]
    assert list(education.y) == [2, 15, 30, 0, 0, 0, 1]
    assert list(theory.x) == ["Cao cấp", "Trung cấp", "Sơ cấp", "Chưa qua đào tạo"]
    assert list(theory.y) == [28, 20, 0, 0]
    assert education.xaxis == "x" and theory.xaxis == "x2"
    subtitles = [a.text for a in fig.layout.annotations]
    assert subtitles == ["Trình độ chuyên môn", "Lý luận chính trị"]
    assert theory.text[0] == "28 (58,33 %)"


def test_qualifications_english():
    fig = charts.qualifications(education_table(), theory_table(), language="en")
    assert fig.data[0].x[0] == "Doctorate" and fig.data[1].x[0] == "Advanced"
    assert [a.text for a in fig.layout.annotations] == ["Education", "Political theory"]


# Eligibility ------------------------------------------------------------------------------------


def test_eligibility_stacked_per_term_with_percent():
    fig = charts.eligibility(eligibility_table())
    assert fig.layout.barmode == "stack"
    yes = trace(fig, "Đủ tuổi công tác trọn nhiệm kỳ")
    no = trace(fig, "Không đủ tuổi công tác trọn nhiệm kỳ")
    assert list(yes.x) == ["2025-2030 (nhiệm kỳ Đảng)", "2026-2031 (nhiệm kỳ chính quyền)"]
    assert list(yes.y) == [40, 38] and list(no.y) == [8, 10]
    assert list(yes.text) == ["40 (83,33 %)", "38 (79,17 %)"]
    assert list(no.text) == ["8 (16,67 %)", "10 (20,83 %)"]
    assert yes.marker.color == theme.PASS_COLOUR and no.marker.color == theme.FAIL_COLOUR


def test_eligibility_english():
    fig = charts.eligibility(eligibility_table(), language="en")
    assert fig.data[0].x[0] == "2025-2030 (party term)"


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


def test_compliance_without_checks_says_display_only():
    fig = charts.compliance_table(checks_table().iloc[:0])
    texts = [a.text for a in fig.layout.annotations]
    assert texts == [labels.text("composition.compliance.no_checks", "vi")]
    fig.to_html(include_plotlyjs=False)


def test_compliance_english():
    (table,) = charts.compliance_table(checks_table(), language="en").data
    assert table.cells.values[0][0] == "Share of women"
    assert table.cells.values[1][1] == "12.5 %"
    assert table.header.values[3] == "<b>Result</b>"


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


# Theme helpers ----------------------------------------------------------------------------------


def test_number_formats_per_language():
    assert theme.format_number(1234.5, "vi") == "1.234,5"
    assert theme.format_number(1234.5, "en") == "1,234.5"
    assert theme.format_number(12.345, "vi") == "12,35"  # half up
    assert theme.format_number(25.0, "vi") == "25"
    assert theme.format_percent(33.33, "vi") == "33,33 %"
    assert theme.format_percent(None, "vi") == "—"
    assert theme.format_count(1234567, "vi") == "1.234.567"
    assert theme.separators("vi") == ",." and theme.separators("en") == ".,"
    with pytest.raises(ParameterError):
        theme.separators("xx")


def test_absolute_ticks_are_symmetric():
    vals, texts = theme.absolute_ticks(13, "vi")
    assert vals == [-15, -10, -5, 0, 5, 10, 15]
    assert texts == ["15", "10", "5", "0", "5", "10", "15"]
    assert theme.absolute_ticks(0, "vi")[0] == [-1, 0, 1]


def test_threshold_line_on_either_axis():
    fig = theme.add_threshold(go.Figure(go.Bar(x=["a"], y=[60])), 50, "50 %")
    (shape,) = fig.layout.shapes
    assert shape.y0 == shape.y1 == 50 and shape.line.color == theme.LINE_COLOUR
    fig = theme.add_threshold(go.Figure(), 2 / 3 * 100, axis="x")
    assert fig.layout.shapes[0].x0 == pytest.approx(66.666, rel=1e-3)
    with pytest.raises(ParameterError):
        theme.add_threshold(go.Figure(), 1, axis="z")


def test_pass_fail_table_marks():
    table = theme.pass_fail_table(["a", "ok"], [["x", "y", "z"]], [True, False, None])
    assert list(table.cells.values[1]) == ["✓", "✗", "—"]
    with pytest.raises(ParameterError):
        theme.pass_fail_table(["a", "ok"], [["x"]], [True, False])
