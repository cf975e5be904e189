"""Values on coloured bars and sectors: WCAG contrast worked out by hand, colours chosen by it."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from analysis.charts import theme
from analysis.charts.contrast import contrast_ratio, legible_inside_text, luminance, text_colour_on

HOUSE = theme.TEXT_COLOUR  # #222222


def test_luminance_and_contrast_as_wcag_defines_them():
    assert luminance("#000000") == 0 and luminance("#FFF") == 1
    # #777777: 119/255 = 0.4667 → ((0.4667 + 0.055) / 1.055) ** 2.4 = 0.1845
    assert luminance("#777777") == pytest.approx(0.1845, abs=1e-4)
    assert contrast_ratio("#777777", "white") == pytest.approx(1.05 / 0.2345, abs=1e-3)  # 4.48: just short of AA
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#009E73", "#009E73") == 1
    with pytest.raises(ValueError, match="rgba"):
        luminance("rgba(0, 0, 0, 0.5)")


@pytest.mark.parametrize(("fill", "expected"), [
    ("#0072B2", "#FFFFFF"),  # white 5.19:1
    ("#009E73", HOUSE),      # white 3.42:1, #222222 4.65:1
    ("#D55E00", "#000000"),  # white 3.87:1, #222222 4.11:1, black 5.43:1
    ("#7F7F7F", "#000000"),  # white 4.00:1, #222222 3.97:1, black 5.24:1
    ("#E69F00", HOUSE),      # white 2.25:1 (plotly's grey #444444: 4.32:1)
    ("white", HOUSE),
    ("rgb(0, 114, 178)", None),  # written otherwise: left to plotly.js
])
def test_text_colour_on_a_fill_is_white_then_the_house_colour_then_black(fill, expected):
    assert text_colour_on(fill, HOUSE) == expected


def test_values_inside_bars_and_sectors_get_a_legible_colour_and_nothing_else_changes():
    fig = go.Figure([
        go.Bar(x=[3, 5], y=["a", "b"], orientation="h", text=["3", "5"], marker_color=["#0072B2", "#009E73"]),
        go.Bar(x=[1], y=["c"], orientation="h", text=["1"], marker_color="#D55E00", textposition="inside"),
        go.Bar(x=[2], y=["d"], orientation="h", text=["2"], marker_color="#009E73", textposition="outside"),
        go.Bar(x=[2], y=["e"], orientation="h", text=["2"], marker_color="#009E73", insidetextfont_color="#FFFFFF"),
        go.Bar(x=[4], y=["f"], orientation="h", marker_color="#009E73"),  # no text
        go.Treemap(labels=["All", "A"], parents=["", "All"], marker_colors=["white", "#E69F00"], text=["x", "y"]),
    ])
    legible_inside_text(fig, HOUSE)
    assert [t.insidetextfont.color for t in fig.data] == [
        ("#FFFFFF", HOUSE), "#000000", None, "#FFFFFF", None, (HOUSE, HOUSE),
    ]


def test_a_fill_written_otherwise_leaves_the_whole_trace_to_plotly():
    fig = go.Figure(go.Bar(x=[1, 2], y=["a", "b"], text=["1", "2"], marker_color=["#0072B2", "rgba(0,0,0,0.4)"]))
    assert legible_inside_text(fig, HOUSE).data[0].insidetextfont.color is None


def test_finish_applies_it_to_every_house_chart():
    fig = theme.finish(go.Figure(go.Bar(x=[1], y=["a"], text=["1"], marker_color=theme.PASS_COLOUR)), "T", "vi")
    assert fig.data[0].insidetextfont.color == HOUSE
