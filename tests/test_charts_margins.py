"""Margins reserved for category labels and for values written after bars (`analysis.charts.margins`)."""

import math

import plotly.graph_objects as go
import pytest

from analysis.charts import theme
from analysis.charts.margins import (
    EDGE_ROOM, SAFETY, TEXT_PAD, TICK_ROOM, TITLE_ROOM, label_width, reserve_label_margins, reserve_text_margin,
    text_width,
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


def test_finish_keeps_the_women_share_label_of_a_full_bar_inside_the_figure():
    import pandas as pd

    from analysis.charts import composition

    table = pd.DataFrame({"body": ["bch"], "title_id": [None], "title": [None], "people": [3], "women": [3],
                          "women_pct": [100.0]})
    fig = composition.women_share(table)
    assert fig.data[0].text == ("100 % (3/3)",) and tuple(fig.layout.xaxis.range) == (0, 105)
    assert fig.layout.margin.r > theme.MARGIN["r"]
