"""The house theme: number formats, categories, axes, tables, checks and the "no data" figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis import labels
from analysis.charts import theme
from analysis.errors import ParameterError

# Numbers, axes and tables -----------------------------------------------------------------------


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


# Categories -------------------------------------------------------------------------------------


def test_category_key_makes_every_missing_value_none():
    assert [theme.category_key(v) for v in (pd.NA, np.nan, None, "Kinh", 0)] == [None, None, None, "Kinh", 0]


def test_category_order_known_first_then_as_they_come_missing_last():
    values = ["c", pd.NA, "b", "x", "c", None, "a"]
    assert theme.category_order(values, ["a", "b", "z"]) == ["a", "b", "c", "x", None]
    assert theme.category_order(values) == ["c", "b", "x", "a", None]
    assert theme.category_order([]) == []


def test_category_colour_by_position_grey_when_missing():
    assert theme.category_colour(0, "a") == theme.PALETTE[0]
    assert theme.category_colour(9, "a") == theme.PALETTE[1]  # 9 mod 8 colours = 1
    assert theme.category_colour(0, None) == theme.MISSING_COLOUR


def test_counts_added_up_per_key_missing_counts_as_zero():
    assert theme.as_count(2.6) == 3 and theme.as_count(pd.NA) == 0
    keys = [("a", "male"), ("a", "male"), ("b", "female")]
    assert theme.add_up(keys, [2, 3, pd.NA]) == {("a", "male"): 5, ("b", "female"): 0}  # 2 + 3 = 5


def test_category_totals_add_counts_and_keep_the_given_percentage():
    df = pd.DataFrame({"band": ["x", pd.NA, "x"], "count": [1, 4, 2], "pct": [10.0, 40.0, 20.0]})
    counts, pcts = theme.category_totals(df, "band", "count", "pct")
    assert counts == {"x": 3, None: 4}  # 1 + 2 = 3
    assert pcts == {"x": 20.0, None: 40.0}  # the last row's percentage
    assert theme.category_totals(df, "band", "count")[1] == {"x": None, None: None}


def test_unique_labels_append_qualifiers_only_where_needed():
    assert theme.unique_labels(["A", "A", "B"], [["x", "y", "z"]]) == ["A (x)", "A (y)", "B"]
    # the first qualifier leaves two alike, the second tells them apart; "" adds nothing
    assert theme.unique_labels(["A", "A", "A"], [["x", "x", "y"], ["1", "2", ""]]) == [
        "A (x) (1)",
        "A (x) (2)",
        "A (y)",
    ]


def test_count_with_percent_per_language():
    assert theme.format_count_percent(1234, 12.5, "vi") == "1.234 (12,5 %)"
    assert theme.format_count_percent(1234, 12.5, "en") == "1,234 (12.5 %)"
    assert theme.format_count_percent(12, None, "vi") == "12"


def test_wrap_breaks_at_spaces_into_short_lines():
    assert theme.wrap("Ủy ban Kiểm tra Huyện ủy", 10) == "Ủy ban<br>Kiểm tra<br>Huyện ủy"
    assert theme.wrap("Phòng Y tế", 10) == "Phòng Y tế"  # 10 characters: one line
    assert theme.wrap("Ủy  ban", 10) == "Ủy ban"  # spaces as one
    assert theme.wrap("Nhiềuchữliềnnhau ở đây", 10) == "Nhiềuchữliềnnhau<br>ở đây"  # a long word keeps its line


def test_values_too_small_to_read_are_left_out_and_values_outside_bars_keep_their_size():
    fig = theme.finish(go.Figure(go.Bar(x=["a"], y=[1], text=["1"])), "t", "vi")
    template = fig.layout.template  # what plotly.js gets with the figure
    assert template.layout.uniformtext.minsize == theme.NOTE_FONT_SIZE and template.layout.uniformtext.mode == "hide"
    assert template.data.bar[0].constraintext == "inside" and template.data.waterfall[0].constraintext == "inside"


# Figures ----------------------------------------------------------------------------------------


def test_check_inputs_checks_language_then_columns_skipping_none():
    df = pd.DataFrame({"a": [1], "b": [2]})
    assert theme.check_inputs(df, ["a", None, "b"], "en") == "en"
    with pytest.raises(ParameterError, match="xx"):
        theme.check_inputs(df, ["a"], "xx")
    with pytest.raises(ParameterError, match="missing columns \\(chart\\): c"):
        theme.check_inputs(df, ["a", "c"], "vi", "chart")
    with pytest.raises(ParameterError, match="DataFrame"):
        theme.check_inputs([1, 2], ["a"], "vi")


def test_bars_height_grows_with_the_bars_from_the_house_height():
    assert theme.bars_height(1) == theme.HEIGHT  # 200 + 44 = 244 < 560
    assert theme.bars_height(10) == 640  # 200 + 10 × 44
    assert theme.bars_height(10, per_bar=36) == theme.HEIGHT  # 200 + 360 = 560


def test_empty_figure_says_no_data_under_its_title():
    fig = theme.empty_figure("Tiêu đề", "en", height=300)
    assert [a.text for a in fig.layout.annotations] == [labels.text("common.no_data", "en")]
    assert fig.layout.title.text == "Tiêu đề" and fig.layout.height == 300
    assert fig.layout.separators == ".," and fig.layout.xaxis.visible is False
    assert theme.empty_figure(None, "vi", "Không có kiểm tra").layout.annotations[0].text == "Không có kiểm tra"


@pytest.mark.parametrize("axis, plotly_line", [("x", "add_vline"), ("y", "add_hline")])
def test_a_threshold_without_text_is_the_line_plotly_draws(axis, plotly_line):
    # the fast path (a plain shape) must draw exactly what add_vline / add_hline would
    ours = theme.add_threshold(go.Figure(go.Bar(x=[1], y=["a"])), 50, axis=axis)
    theirs = getattr(go.Figure(go.Bar(x=[1], y=["a"])), plotly_line)(
        50, line_dash="dash", line_color=theme.LINE_COLOUR, line_width=2, layer="above")
    assert ours.to_dict()["layout"] == theirs.to_dict()["layout"]
