"""Age charts of the composition report: each figure's data match the hand-built input table.

The tables (tests/chart_tables.py) are written by hand in the shapes `analysis.composition`
produces, so these tests only exercise the charts; the contract all charts share (house figure,
titles, languages, renamed columns, errors, empty tables, HTML) is in test_charts_contract.py.
"""

from __future__ import annotations

import pandas as pd
from chart_tables import AGE_BANDS as BANDS
from chart_tables import band_table, eligibility_table, pyramid_table, tier_table, trace

from analysis import labels
from analysis.charts import age as charts
from analysis.charts import theme
from analysis.rules import available_regimes, load_rules


# Bands and age codes ----------------------------------------------------------------------------


def test_official_bands_come_from_the_rule_sets_youngest_first():
    assert charts.official_bands() == tuple(BANDS)
    for regime in available_regimes():  # the same official bands in every regime
        assert tuple(load_rules(regime).band_keys) == charts.official_bands()


def test_range_label_prefers_labels_then_the_code_shape():
    assert charts.range_label("age_band", "50_60", "vi") == "Trên 50–60"  # label of common.yml
    assert charts.range_label("age_tier", "under_45", "vi") == "Dưới 45"
    assert charts.range_label("age_tier", "45_50", "vi") == "45–50"
    assert charts.range_label("age_tier", "over_50", "en") == "Over 50"
    assert charts.range_label("age_tier", "young", "vi") == "young"  # no label, no known shape
    assert charts.range_label("age_tier", pd.NA, "vi") == "(không rõ)"


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


def test_age_bands_unknown_band_after_the_official_ones_missing_grey_and_last():
    df = pd.DataFrame({"age_band": [pd.NA, "over_65", "retired", "under_40"], "count": [1, 2, 3, 4]})
    (bar,) = charts.age_bands(df, pct=None).data
    assert list(bar.x) == ["Dưới 40", "Trên 65", "retired", "(không rõ)"]
    assert list(bar.y) == [4, 2, 3, 1]
    assert list(bar.text) == ["4", "2", "3", "1"]  # no percentage column: counts only
    assert list(bar.marker.color) == [theme.PALETTE[0]] * 3 + [theme.MISSING_COLOUR]


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


def test_eligibility_without_kind_or_percentage():
    df = eligibility_table().drop(columns=["kind", "eligible_pct"]).assign(eligible=[40, 0])
    fig = charts.eligibility(df, kind=None, pct=None)
    yes = trace(fig, "Đủ tuổi công tác trọn nhiệm kỳ")
    assert list(yes.x) == ["2025-2030", "2026-2031"]  # the term alone
    # 40 / (40 + 8) = 83.333… → 83,33 %; an empty segment has no text
    assert list(yes.text) == ["40 (83,33 %)", ""]
    # 0 / (0 + 10) = 0 %
    assert yes.hovertext[1] == "2026-2031<br>Đủ tuổi công tác trọn nhiệm kỳ: 0 (0 %)"


def test_eligibility_unknown_kind_shown_as_given_and_same_terms_kept_apart():
    df = eligibility_table().assign(term="2025-2030", kind=["special", pd.NA])
    assert list(charts.eligibility(df).data[0].x) == ["2025-2030 (special)", "2025-2030"]
    same = df.assign(kind="special")  # two rows that would read alike get their row number
    assert list(charts.eligibility(same).data[0].x) == ["2025-2030 (special) (0)", "2025-2030 (special) (1)"]
