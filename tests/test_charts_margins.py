"""Left margins reserved for category labels (`analysis.charts.margins`)."""

import math

import plotly.graph_objects as go
import pytest

from analysis.charts import theme
from analysis.charts.margins import SAFETY, TICK_ROOM, TITLE_ROOM, label_width, reserve_label_margins, text_width


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
