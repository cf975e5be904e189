"""Margins reserved for category labels and for values written after bars (`analysis.charts.margins`)."""

import math

import plotly.graph_objects as go
import pytest

from analysis.charts import theme
from analysis.charts.margins import (
    EDGE_ROOM, LEGEND_GAP, LEGEND_ROW, LEGEND_SYMBOL, LEGEND_TOP, PLOT_GAP, SAFETY, TEXT_PAD, TICK_ROOM, TITLE_ROOM, TITLE_TOP,
    label_width, legend_width, reserve_label_margins, reserve_legend_row, reserve_text_margin, text_width, values_clear_of_lines,
)


def test_text_width_by_kind_of_character():
    # "Lê A1" at 10 px: L upper 0.70, ê other 0.57 (its accent is a combining mark: 0),
    # space narrow 0.30, A upper 0.70, 1 digit 0.57 → 2.84 em × 10 px × SAFETY
    assert text_width("Lê A1", 10) == pytest.approx(2.84 * 10 * SAFETY)
    # tags are not drawn: "<b>mi</b>" is m wide 0.90 + i narrow 0.30
    assert text_width("<b>mi</b>", 20) == pytest.approx(1.20 * 20 * SAFETY)


def test_vietnamese_letters_are_as_wide_as_their_base_letter():
    assert text_width("Nguyễn Thị Hương", 16) == pytest.approx(text_width("Nguyen Thi Huong", 16))


def test_label_width_takes_the_widest_line_of_the_widest_label():
    labels = ["ab", "abcd<br>a", None, float("nan"), "abc"]
    # "abcd": 4 × 0.57 em
    assert label_width(labels, 10) == pytest.approx(4 * 0.57 * 10 * SAFETY)


def _bars(names, **layout):
    fig = go.Figure(go.Bar(x=[1] * len(names), y=names, orientation="h"))
    fig.update_layout(**layout)
    return fig


def test_long_names_widen_the_left_margin():
    names = ["Nguyễn Thị Thanh Hương", "Lê Văn A"]
    fig = reserve_label_margins(_bars(names), 16, 80)
    expected = math.ceil(text_width("Nguyễn Thị Thanh Hương", 16) + TICK_ROOM)
    assert fig.layout.margin.l == expected > 80


def test_an_axis_title_adds_room_and_a_wider_margin_is_kept():
    names = ["Nguyễn Thị Thanh Hương"]
    titled = reserve_label_margins(_bars(names, yaxis_title_text="Họ tên"), 16, 80)
    assert titled.layout.margin.l == math.ceil(text_width(names[0], 16) + TICK_ROOM + TITLE_ROOM * 16)
    assert reserve_label_margins(_bars(names, margin_l=600), 16, 80).layout.margin.l == 600


def test_short_or_numeric_labels_keep_the_default():
    assert reserve_label_margins(_bars(["A", "B"]), 16, 80).layout.margin.l is None
    numeric = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    assert reserve_label_margins(numeric, 16, 80).layout.margin.l is None
    hidden = _bars(["Nguyễn Thị Thanh Hương"], yaxis_visible=False)
    assert reserve_label_margins(hidden, 16, 80).layout.margin.l is None


def test_finish_reserves_the_margin_of_every_house_chart():
    fig = theme.finish(_bars(["Trần Nguyễn Hoàng Phương Anh"]), "Tiêu đề", "vi")
    assert fig.layout.margin.l == math.ceil(text_width("Trần Nguyễn Hoàng Phương Anh", theme.BASE_FONT_SIZE)
                                            + TICK_ROOM)


def _valued(values, texts, **layout):
    fig = go.Figure(go.Bar(x=values, y=[f"r{i}" for i in range(len(values))], orientation="h", text=texts,
                           textposition="outside", cliponaxis=False))
    fig.update_layout(width=1000, margin_l=200, **layout)
    return fig


def test_a_value_written_after_a_bar_at_the_axis_end_widens_the_right_margin():
    # a bar at 100 on an axis to 105 ends at 100/105 of the plot; its label must end by the figure's edge
    fig = reserve_text_margin(_valued([100, 20], ["100 % (3/3)", "20 % (1/5)"], xaxis_range=[0, 105]),
                              16, theme.MARGIN, theme.WIDTH)
    right = fig.layout.margin.r
    label = TEXT_PAD + text_width("100 % (3/3)", 16) + EDGE_ROOM
    plot = 1000 - 200 - right
    assert right > theme.MARGIN["r"]
    assert 100 / 105 * plot + label == pytest.approx(1000 - 200, abs=1)  # just fits (rounded up)


def test_numpy_values_are_values_too():
    import numpy as np

    counts = _valued(np.array([12, 3]), ["12 (100 %)", "3 (25 %)"], xaxis_range=[0, 12.5])
    assert reserve_text_margin(counts, 16, theme.MARGIN, theme.WIDTH).layout.margin.r > theme.MARGIN["r"]


def test_values_with_room_to_spare_or_an_autoranged_axis_keep_the_margin():
    roomy = reserve_text_margin(_valued([40], ["40 % (2/5)"], xaxis_range=[0, 100]), 16, theme.MARGIN, theme.WIDTH)
    assert roomy.layout.margin.r is None
    auto = reserve_text_margin(_valued([100], ["100 % (3/3)"]), 16, theme.MARGIN, theme.WIDTH)
    assert auto.layout.margin.r is None
    inside = _valued([100], ["100 %"], xaxis_range=[0, 100])
    inside.update_traces(textposition="inside")
    assert reserve_text_margin(inside, 16, theme.MARGIN, theme.WIDTH).layout.margin.r is None


def test_women_share_values_sit_in_their_bars_and_an_empty_bars_after_it():
    """Values inside at the base (clear of the target line), so a full bar's value needs no room on
    the right; an empty bar's value is written after it, since plotly's "auto" would drop it."""
    import pandas as pd

    from analysis.charts import composition

    table = pd.DataFrame({"body": ["bch", "btv"], "title_id": [None, None], "title": [None, None],
                          "people": [3, 4], "women": [3, 0], "women_pct": [100.0, 0.0]})
    fig = composition.women_share(table)
    assert dict(zip(fig.data[0].text, fig.data[0].textposition)) == {"100 % (3/3)": "auto", "0 % (0/4)": "outside"}
    assert fig.data[0].insidetextanchor == "start" and tuple(fig.layout.xaxis.range) == (0, 105)
    assert fig.layout.margin.r is None


# Legend and title -------------------------------------------------------------------------------


def _legend_figure(title, names, **layout):
    fig = go.Figure([go.Bar(x=[1], y=["a"], name=name, orientation="h") for name in names])
    return fig.update_layout(title_text=title, **layout)


def _legend_row(fig):
    return reserve_legend_row(fig, theme.BASE_FONT_SIZE, theme.TITLE_FONT_SIZE, theme.MARGIN, (theme.WIDTH, theme.HEIGHT))


def test_legend_width_adds_up_its_items_and_its_title():
    fig = _legend_figure("t", ["ab", "abcd"], legend_title_text="abc")
    items = 2 * (LEGEND_SYMBOL + LEGEND_GAP) + text_width("ab", 16) + text_width("abcd", 16)
    assert legend_width(fig, 16) == pytest.approx(items + text_width("abc", 16) + LEGEND_GAP)
    # one trace, or a legend turned off, or a chart without legend entries: no legend
    assert legend_width(_legend_figure("t", ["ab"]), 16) == 0
    assert legend_width(_legend_figure("t", ["ab", "cd"], showlegend=False), 16) == 0
    assert legend_width(go.Figure([go.Heatmap(z=[[1]], name="a"), go.Heatmap(z=[[1]], name="b")]), 16) == 0


def test_a_long_title_and_a_wide_legend_get_a_row_each():
    # composition's ages by title: its 700 px title and 560 px legend met in a 1000 px figure
    fig = _legend_figure("Độ tuổi theo chức danh quy hoạch (tuổi khi bắt đầu nhiệm kỳ)",
                         ["Dưới 45", "45–50", "Trên 50"], legend_title_text="Tuổi khi bắt đầu nhiệm kỳ")
    title = text_width(fig.layout.title.text, theme.TITLE_FONT_SIZE)
    assert title + legend_width(fig, 16) > theme.WIDTH - theme.MARGIN["r"]
    _legend_row(fig)
    legend = fig.layout.legend
    assert (legend.xref, legend.x, legend.xanchor) == ("container", 0.01, "left")
    assert (legend.yref, legend.yanchor) == ("container", "top")
    assert legend.y == pytest.approx(1 - LEGEND_TOP / theme.HEIGHT)  # 58 px from the top
    assert fig.layout.title.y == pytest.approx(1 - TITLE_TOP / theme.HEIGHT) and fig.layout.title.yanchor == "top"
    assert fig.layout.margin.t == LEGEND_TOP + LEGEND_ROW + PLOT_GAP  # the title, then a legend row, then the plot


def test_a_legend_wider_than_the_figure_gets_as_many_rows_as_it_needs():
    fig = _legend_figure("Tiêu đề", [f"Đơn vị số {i} của huyện" for i in range(12)], height=800)
    rows = math.ceil(legend_width(fig, 16) / (0.98 * theme.WIDTH))
    assert rows >= 2
    _legend_row(fig)
    assert fig.layout.margin.t == LEGEND_TOP + LEGEND_ROW * rows + PLOT_GAP
    assert fig.layout.legend.y == pytest.approx(1 - LEGEND_TOP / 800)


def test_a_legend_with_room_beside_the_title_or_placed_by_its_chart_stays():
    fig = _legend_figure("Ngắn", ["Nam", "Nữ"])
    _legend_row(fig)
    assert fig.layout.legend.x is None and fig.layout.margin.t is None  # the template's place
    long = "Tỷ lệ tín nhiệm thấp của cùng một người qua các đợt, từng người một"
    placed = _legend_figure(long, ["Nguyễn Thị Lý", "Đào Thúy Trang", "Lê Văn A"], legend=dict(y=-0.2))
    _legend_row(placed)
    assert placed.layout.legend.y == -0.2 and placed.layout.legend.xref is None
    taller = _legend_figure(long, ["Nguyễn Thị Lý", "Đào Thúy Trang", "Lê Văn A"], margin=dict(t=200))
    _legend_row(taller)
    assert taller.layout.legend.xref == "container" and taller.layout.margin.t == 200  # only ever widens


def test_finish_moves_the_legend_of_a_house_chart_that_would_meet_its_title():
    names = ["Dưới 45", "45–50", "Trên 50"]
    long = "Độ tuổi theo chức danh quy hoạch (tuổi khi bắt đầu nhiệm kỳ)"
    met = theme.finish(_legend_figure(None, names, legend_title_text="Tuổi khi bắt đầu nhiệm kỳ"), long, "vi")
    assert met.layout.legend.xref == "container" and met.layout.margin.t > theme.MARGIN["t"]
    apart = theme.finish(_legend_figure(None, names), "Độ tuổi", "vi")
    assert apart.layout.legend.xref is None and apart.layout.margin.t is None


def test_women_share_value_a_target_line_would_cross_is_written_past_the_line():
    """1/7 = 14.29 %: its value does not fit in its bar and, written after it, would run across the
    25 % line; it is written just past the line on the bar's row. 3/4 = 75 % keeps its own."""
    import pandas as pd

    from analysis.charts import composition

    table = pd.DataFrame({"body": ["bch", "btv"], "title_id": [None, None], "title": [None, None],
                          "people": [7, 4], "women": [1, 3], "women_pct": [14.29, 75.0]})
    fig = composition.women_share(table, target=25)
    assert list(fig.data[0].text) == ["", "75 % (3/4)"]
    moved = [a for a in fig.layout.annotations if a.text == "14,29 % (1/7)"]
    assert len(moved) == 1 and moved[0].x == 25 and moved[0].xanchor == "left"
    assert moved[0].y == fig.data[0].y[0]  # the 1/7 bar's row
    assert list(composition.women_share(table).data[0].text) == ["14,29 % (1/7)", "75 % (3/4)"]  # no line


# Values clear of threshold lines -----------------------------------------------------------------


def _lined_bars(values, texts, lines, **trace):
    """Rows r0, r1, … of 0–100 on a plot 500 px wide (5 px a unit), dashed lines at ``lines``."""
    fig = go.Figure(go.Bar(x=values, y=[f"r{i}" for i in range(len(values))], orientation="h", text=texts, **trace))
    fig.update_layout(xaxis_range=[0, 100], width=700, margin=dict(l=100, r=100))
    for line in lines:
        theme.add_threshold(fig, line, axis="x")
    return fig


def _clear(fig):
    return values_clear_of_lines(fig, theme.BASE_FONT_SIZE, theme.MARGIN, theme.WIDTH)


def _units(text):
    """Width in axis units of ``text`` written after a bar (5 px a unit)."""
    return (text_width(text, theme.BASE_FONT_SIZE) + 2 * TEXT_PAD) / 5


LONG = "1.234 phiếu · 30 %"


def test_a_value_written_after_its_bar_across_a_line_is_written_past_the_line():
    assert 30 < _units(LONG) < 80  # too wide for the 30 bar, so written after it (to 30 + width > 40)
    fig = _clear(_lined_bars([30, 80], [LONG, LONG], [40]))
    assert list(fig.data[0].text) == ["", LONG]  # the 80 bar keeps its own, inside
    (moved,) = [a for a in fig.layout.annotations if a.text == LONG]
    assert (moved.x, moved.y, moved.xanchor, moved.xshift, moved.showarrow) == (40, "r0", "left", TEXT_PAD + 2, False)


def test_a_value_past_one_line_but_across_the_next_goes_past_both():
    fig = _clear(_lined_bars([30], [LONG], [40, 45]))
    assert [a.x for a in fig.layout.annotations if a.text == LONG] == [45]


def test_values_clear_of_the_line_inside_or_on_an_autoranged_axis_stay():
    short = "0 %"
    assert _units(short) < 40
    fig = _clear(_lined_bars([0, 45], [short, LONG], [40], textposition="outside"))
    assert list(fig.data[0].text) == [short, LONG] and not fig.layout.annotations  # 45: the line is under its bar
    inside = _clear(_lined_bars([30], [LONG], [40], textposition="inside"))  # shrunk into its bar by plotly
    assert list(inside.data[0].text) == [LONG] and not inside.layout.annotations
    free = _lined_bars([30], [LONG], [40]).update_layout(xaxis_range=None)
    assert list(_clear(free).data[0].text) == [LONG]
    beyond = _clear(_lined_bars([30], [LONG], [30 + _units(LONG) + 1]))  # the line after the value's end
    assert list(beyond.data[0].text) == [LONG]
