"""Figures of the trust-vote report: data drawn match the tables, lines at 1/2 and 2/3, languages.

Input table: tests/chart_tables.py; the contract all charts share: test_charts_contract.py.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest
from chart_tables import trace, trust_table

from analysis import trust_rounds
from analysis.charts import trust as charts
from analysis.errors import ParameterError


@pytest.fixture
def table() -> pd.DataFrame:
    return trust_table()


def test_diverging_bars_low_left_high_right_sorted_by_high_share(table):
    fig = charts.diverging_bars(table, "tn-2023")
    low, high, trust_ = trace(fig, "Tín nhiệm thấp"), trace(fig, "Tín nhiệm cao"), trace(fig, "Tín nhiệm")
    # sorted by the high share: highest on top (last category of the axis)
    assert list(high.y) == ["Lê Văn Cường", "Trần Thị Bình", "Nguyễn Văn An"]
    assert list(high.x) == [6.67, 33.33, 66.67]
    assert list(low.x) == [-66.67, -53.33, -6.67]          # drawn to the left
    assert list(trust_.x) == [26.67, 13.33, 26.67]
    assert fig.layout.barmode == "relative"
    # tick labels are absolute, threshold lines at -1/2 and -2/3 of 100 %
    assert all(not t.startswith("-") for t in fig.layout.xaxis.ticktext)
    xs = sorted(round(s.x0, 2) for s in fig.layout.shapes)
    assert xs == [-66.67, -50.0]
    assert {a.text for a in fig.layout.annotations} >= {"1/2", "2/3"}
    # people in a band are bold
    assert "<b>Lê Văn Cường</b>" in fig.layout.yaxis.ticktext
    assert "<b>Nguyễn Văn An</b>" not in fig.layout.yaxis.ticktext
    assert "tn-2023" in fig.layout.title.text


def test_diverging_bars_hover_is_absolute(table):
    fig = charts.diverging_bars(table, "tn-2023")
    low = trace(fig, "Tín nhiệm thấp")
    assert "20 phiếu" in low.hovertext[0] and "66,67 %" in low.hovertext[0]
    assert all("-" not in h for h in low.hovertext)


def test_diverging_bars_two_level(table):
    fig = charts.diverging_bars(table, "b4")
    agree, disagree = trace(fig, "Đồng ý"), trace(fig, "Không đồng ý")
    assert list(agree.x) == [50.0, 66.67, 96.67]
    assert list(disagree.x) == [-50.0, -33.33, -3.33]
    assert [round(s.x0, 2) for s in fig.layout.shapes] == [50.0]
    assert "<b>Trần Thị Bình</b>" in fig.layout.yaxis.ticktext  # 50 % is not more than half


def test_diverging_bars_needs_one_conference(table):
    with pytest.raises(ParameterError):
        charts.diverging_bars(table)


def test_empty_diverging_bars_keeps_its_heading(table):
    # the rows of b4 (two-level) are gone: the form is unknown, the default three-level heading stays
    fig = charts.diverging_bars(table.iloc[:0], "b4")
    assert [a.text for a in fig.layout.annotations] == ["Không có dữ liệu"]
    assert fig.layout.title.text == "Tín nhiệm thấp (trái) và tín nhiệm cao (phải) — b4"
    # a vote the table does not hold is named from the argument
    fig = charts.diverging_bars(table, "tn-2025", language="en")
    assert fig.layout.title.text == "Low trust (left) and high trust (right) — tn-2025"
    assert charts.diverging_bars(table.iloc[:0]).layout.title.text == (
        "Tín nhiệm thấp (trái) và tín nhiệm cao (phải) của từng người")


def test_empty_compare_votes_keeps_its_title():
    empty = trust_rounds.vote_summary_table(trust_table().iloc[:0], "conference_id")
    assert charts.compare_votes(empty).layout.title.text == "So sánh các cuộc lấy phiếu"


def test_diverging_bars_english(table):
    fig = charts.diverging_bars(table, "tn-2023", language="en")
    assert {t.name for t in fig.data} == {"High trust", "Trust", "Low trust"}
    assert fig.layout.title.text.startswith("Low trust (left)")
    assert fig.layout.separators == ".,"


def test_duplicate_names_get_their_id(table):
    df = table[table["conference_id"] == "tn-2023"].copy()
    df.loc[df.index[1], "full_name"] = "Nguyễn Văn An"
    fig = charts.diverging_bars(df)
    assert len(set(fig.data[0].y)) == 3 and "Nguyễn Văn An (1)" in fig.data[0].y


def test_low_share_distribution(table):
    bins = trust_rounds.low_share_bins(table)
    fig = charts.low_share_distribution(bins)
    assert [t.name for t in fig.data] == ["tn-2023", "tn-2024"]
    assert sum(fig.data[0].y) == 3
    assert sorted(round(s.x0, 2) for s in fig.layout.shapes) == [50.0, 66.67]


def test_low_share_bars_stay_inside_their_bins_and_off_the_lines(table):
    bins = trust_rounds.low_share_bins(table)
    fig = charts.low_share_distribution(bins)
    lines = [s.x0 for s in fig.layout.shapes]
    for n, bar in enumerate(fig.data):
        spans = [(x + o, x + o + w) for x, o, w in zip(bar.x, bar.offset, bar.width)]
        ends = bins[bins["conference_id"] == bar.name]["bin_to"].tolist()
        for (left, right), start, end in zip(spans, bar.x, ends):
            assert start < left < right < end  # a gap each side of the bin
            assert not any(left < line < right for line in lines)
        # the two votes side by side in each bin, the first on the left
        other = fig.data[1 - n]
        assert all((a + o < b + p) == (n == 0) for a, o, b, p in zip(bar.x, bar.offset, other.x, other.offset))
    # Lê Văn Cường at exactly 2/3 in tn-2023: the bar right of the 2/3 line, its bin said in words
    first = fig.data[0]
    at = [n for n, y in enumerate(first.y) if y and first.x[n] == 66.67]
    assert len(at) == 1 and first.x[at[0]] + first.offset[at[0]] > 200 / 3
    assert "từ 66,67 % đến dưới 70 %" in first.hovertext[at[0]]
    assert "trên 50 % đến dưới 55 %" in first.hovertext[list(first.x).index(50)]
    english = charts.low_share_distribution(bins, language="en").data[0].hovertext
    assert english[list(first.x).index(45)] == "tn-2023: from 45 % to 50 % — 0 people"


def test_threshold_lines_follow_the_rules_given(table):
    bounds = (Fraction(3, 5), Fraction(3, 4))
    fig = charts.low_share_distribution(trust_rounds.low_share_bins(table), thresholds=bounds)
    assert sorted(s.x0 for s in fig.layout.shapes) == [60.0, 75.0]
    fig = charts.diverging_bars(table, "tn-2023", thresholds=bounds)
    assert sorted(s.x0 for s in fig.layout.shapes) == [-75.0, -60.0]
    fig = charts.diverging_bars(table, "b4", agree_threshold=Fraction(2, 3))
    assert [round(s.x0, 2) for s in fig.layout.shapes] == [66.67]


def test_by_position_group(table):
    groups = trust_rounds.position_group_table(table)
    fig = charts.by_position_group(groups)
    assert len(fig.data) == 6  # three levels x two votes
    first = fig.data[0]
    assert first.name == "Tín nhiệm cao"
    assert "Lãnh đạo chủ chốt" in first.y and "MTTQ và đoàn thể" in first.y
    lead = list(first.y).index("Lãnh đạo chủ chốt")
    assert first.x[lead] == 66.67


def test_rounds_slope(table):
    rounds = trust_rounds.match_rounds(table)
    fig = charts.rounds_slope(rounds)
    assert len(fig.data) == 3
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["Lê Văn Cường"].y) == [66.67, 70.0]
    assert list(by_name["Lê Văn Cường"].x) == ["tn-2023", "tn-2024"]
    assert by_name["Lê Văn Cường"].showlegend and not by_name["Nguyễn Văn An"].showlegend
    assert sorted(round(s.y0, 2) for s in fig.layout.shapes) == [50.0, 66.67]
    # the name at the end of a line in a band (70 %, just over 2/3) is written on a white ground,
    # legible where the 2/3 line runs through it
    (end,) = [a for a in fig.layout.annotations if a.text == "Lê Văn Cường"]
    assert (end.x, end.y, end.bgcolor) == ("tn-2024", 70.0, "rgba(255,255,255,0.8)")


def test_compare_votes(table):
    fig = charts.compare_votes(trust_rounds.vote_summary_table(table))
    low = [t for t in fig.data if t.name == "Tín nhiệm thấp"][0]
    assert list(low.x) == ["tn-2023", "tn-2024"]
    assert list(low.y) == [42.22, 34.44]  # (2 + 16 + 20) / 90, (0 + 10 + 21) / 90
    two = [t for t in fig.data if t.name == "Từ 2/3 trở lên"][0]
    assert list(two.y) == [1, 1]
    by_body = charts.compare_votes(trust_rounds.vote_summary_table(table, by="body"), by="body")
    assert list(by_body.data[0].x) == ["Ban Chấp hành"]


def test_compare_votes_legend_gives_each_entry_its_own_colour(table):
    # levels (left) and low-trust bands (right) share one legend: "low" and "2/3 or more" must differ
    fig = charts.compare_votes(trust_rounds.vote_summary_table(table))
    colours = {t.name: t.marker.color for t in fig.data if t.showlegend is not False}
    assert list(colours) == ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp",
                             "Không quá 1/2", "Trên 1/2 (dưới 2/3)", "Từ 2/3 trở lên"]
    assert len(set(colours.values())) == 6


def test_display_table_words_and_headers(table):
    shown = charts.display_table(table, ["full_name", "low_band", "agree_passed", "form", "flags"])
    cuong = (table["conference_id"] == "tn-2023") & (table["full_name"] == "Lê Văn Cường")
    assert shown[cuong]["low_band"].tolist() == ["Từ 2/3 trở lên"]
    assert shown[cuong]["form"].iloc[0].startswith("Ba mức")
    b4 = shown[table["conference_id"] == "b4"]
    assert b4["agree_passed"].tolist() == ["Trên 50 % đồng ý", "Không quá 50 % đồng ý", "Trên 50 % đồng ý"]
    flagged = charts.display_table(pd.DataFrame({"flags": ["pct_mismatch:low;quorum", ""]}), language="en")
    assert flagged["flags"].tolist() == ["Printed percentage ≠ count ÷ base (Low trust); "
                                         "Under 2/3 of those convened present", ""]
    assert charts.headers(shown, "en")["low_band"] == "Low-trust band"


def test_vote_table_has_the_columns_of_its_form_sorted_as_the_chart(table):
    three = charts.vote_table(table, "tn-2023")
    assert three["full_name"].tolist() == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]  # by high share
    assert "low_band" in three and "agree" not in three and "conference_id" not in three
    two = charts.vote_table(table, "b4", "en")
    assert two["full_name"].tolist()[0] == "Nguyễn Văn An" and "high" not in two
    assert two["agree_passed"].tolist() == ["Over 50 % agree", "Over 50 % agree", "50 % agree or less"]


def test_every_chart_works_with_only_two_level_votes(table):
    two = table[table["conference_id"] == "b4"]
    fig = charts.compare_votes(trust_rounds.vote_summary_table(two))
    assert [t.name for t in fig.data] == ["Đồng ý", "Số người trên 50 % đồng ý", "Số người không quá 50 % đồng ý"]
    assert list(fig.data[0].y) == [71.11] and list(fig.data[1].y) == [2] and list(fig.data[2].y) == [1]
    # the mean share is named by its panel, so the legend's one green means "over 50 % agree"
    assert [a.text for a in fig.layout.annotations[:2]] == ["Tỷ lệ đồng ý bình quân (%)", "Số người theo kết quả đồng ý"]
    legend = {t.name: t.marker.color for t in fig.data if t.showlegend is not False}
    assert list(legend) == ["Số người trên 50 % đồng ý", "Số người không quá 50 % đồng ý"]
    assert len(set(legend.values())) == 2 and fig.data[0].marker.color == legend["Số người trên 50 % đồng ý"]
    for fig in (charts.low_share_distribution(trust_rounds.low_share_bins(two)),
                charts.by_position_group(trust_rounds.position_group_table(two)),
                charts.rounds_slope(trust_rounds.match_rounds(two))):
        assert any(a.text == "Không có dữ liệu" for a in fig.layout.annotations)
    assert charts.diverging_bars(two).data
