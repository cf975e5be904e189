"""Margins wide enough for a figure's category labels, worked out before the browser draws it.

plotly's ``automargin`` measures tick labels in the browser and, when they do not fit the
margins, lays the chart out and draws it a second time: on a page of twenty charts of names that
second pass is about a third of the drawing time. :func:`reserve_label_margins` widens the left
margin to the longest category label on the y axis, estimated from average glyph widths (a little
generous), so that one pass suffices; ``automargin`` stays on as the safety net for a label the
estimate got wrong. The figure looks the same either way: only the work to get there differs.

:func:`reserve_text_margin` does the same on the right for values written after horizontal bars
(``textposition="outside"``, not clipped to the axis): ``automargin`` does not see them, so a bar
reaching the end of its axis would have its label cut at the edge of the figure ("100 % (3/3").

:func:`reserve_legend_row` moves a legend from the template's place (top right, above the plot)
to a row of its own under the title when the two would meet: a long title and a wide legend
would otherwise be written over each other.

:func:`values_clear_of_lines` keeps a value written after a horizontal bar clear of the dashed
threshold lines: where a line would run through it, the value is written just past the line.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable

import plotly.graph_objects as go

# Advance widths in em of a humanist sans (Noto Sans / Arial), by kind of character
_NARROW = set("fijlrtI.,:;'!|()[] ")
_WIDE = set("mwMW@%")
_EM_NARROW, _EM_WIDE, _EM_UPPER, _EM_DIGIT, _EM_OTHER = 0.30, 0.90, 0.70, 0.57, 0.57
SAFETY = 1.12  # Noto Sans runs a little wider than Arial; a few pixels too many cost nothing
TICK_ROOM = 14  # px between the labels and the plot (tick length and padding)
TITLE_ROOM = 1.6  # axis title: this many font sizes
TEXT_PAD = 3  # px plotly leaves between a bar's end and its outside text
EDGE_ROOM = 6  # px kept free between a label's end and the figure's edge
_TAG = re.compile(r"<[^>]*>")


def text_width(text: str, size: float) -> float:
    """Estimated width in px of one line of ``text`` at font ``size`` px (tags ignored)."""
    plain = unicodedata.normalize("NFD", _TAG.sub("", text))
    em = 0.0
    for char in plain:
        if unicodedata.combining(char):
            continue  # the accents of Vietnamese letters sit over or under them
        if char in _NARROW:
            em += _EM_NARROW
        elif char in _WIDE:
            em += _EM_WIDE
        elif char.isupper():
            em += _EM_UPPER
        elif char.isdigit():
            em += _EM_DIGIT
        else:
            em += _EM_OTHER
    return em * size * SAFETY


def label_width(labels: Iterable[object], size: float) -> float:
    """Width in px of the widest label (each line of a label split at ``<br>``)."""
    widest = 0.0
    for label in labels:
        if label is None or isinstance(label, float) and math.isnan(label):
            continue
        for line in re.split(r"<br\s*/?>", str(label), flags=re.I):
            widest = max(widest, text_width(line, size))
    return widest


def figure_margin(fig: go.Figure, side: str, default: float) -> float:
    """``fig``'s margin on ``side`` (l, r, t or b) in px: its own, else the template's ``default``."""
    own = fig.layout.margin[side]
    return default if own is None else own


def _y_categories(fig: go.Figure) -> list[str]:
    """Category labels drawn beside the primary y axis: strings among its traces' y values."""
    found: list[str] = []
    for trace in fig.data:
        if getattr(trace, "yaxis", None) not in (None, "y") or "y" not in trace:
            continue
        values = trace.y
        if values is None:
            continue
        found += [v for v in values if isinstance(v, str)]
    return found


def reserve_label_margins(fig: go.Figure, font_size: float, default_left: int) -> go.Figure:
    """Widen ``fig``'s left margin to its y axis's category labels (in place; returns ``fig``).

    Only ever widens: a margin set by the chart itself and wider than the labels is kept.
    """
    axis = fig.layout.yaxis
    if axis.visible is False or axis.showticklabels is False or axis.side == "right":
        return fig
    categories = _y_categories(fig)
    if not categories:
        return fig
    size = axis.tickfont.size or font_size
    needed = label_width(categories, size) + TICK_ROOM
    if axis.title.text:
        needed += TITLE_ROOM * (axis.title.font.size or font_size)
    current = figure_margin(fig, "l", default_left)
    if needed > current:
        fig.layout.margin.l = math.ceil(needed)
    return fig


def _per_entry(value: object, count: int) -> list:
    """A trace attribute given once or per bar, as a list of ``count`` entries."""
    return list(value) if isinstance(value, (list, tuple)) else [value] * count


def _outside_texts(fig: go.Figure) -> list[tuple[float, str, float | None]]:
    """(value, text, font size) of every value written after a horizontal bar on the primary x axis."""
    found = []
    for trace in fig.data:
        if (trace.type != "bar" or trace.orientation != "h" or trace.textposition != "outside"
                or trace.cliponaxis is not False or getattr(trace, "xaxis", None) not in (None, "x")
                or trace.x is None or trace.text is None):
            continue
        texts = _per_entry(trace.text, len(trace.x))
        size = trace.textfont.size if not isinstance(trace.textfont.size, (list, tuple)) else None
        for value, text in zip(trace.x, texts):
            if isinstance(value, numbers.Real) and not math.isnan(value) and text:  # numpy numbers too
                found.append((float(value), str(text), size))
    return found


def reserve_text_margin(fig: go.Figure, font_size: float, default_margin: dict, default_width: int) -> go.Figure:
    """Widen ``fig``'s right margin so that values written after its horizontal bars fit in the
    figure (in place; returns ``fig``). Only for an x axis with a set range (an autoranged axis
    makes room for them itself); only ever widens."""
    start, end = fig.layout.xaxis.range or (None, None)
    if start is None or end is None or end <= start or fig.layout.xaxis.type in ("log", "date", "category"):
        return fig
    texts = _outside_texts(fig)
    if not texts:
        return fig
    width = fig.layout.width or default_width
    left, right = figure_margin(fig, "l", default_margin["l"]), figure_margin(fig, "r", default_margin["r"])
    span = width - left  # the plot's width plus the right margin
    needed = right
    for value, text, size in texts:
        share = (min(max(value, start), end) - start) / (end - start)
        if share <= 0:
            continue
        label = TEXT_PAD + label_width([text], size or font_size) + EDGE_ROOM
        # the label ends at share × (span − r) + label, and must end by span: solve for r
        needed = max(needed, (label - (1 - share) * span) / share)
    if needed > right:
        fig.layout.margin.r = math.ceil(needed)
    return fig


def _vertical_lines(fig: go.Figure) -> list[float]:
    """x of the vertical lines drawn across the plot on the primary x axis (threshold lines), in order."""
    found = {float(shape.x0) for shape in fig.layout.shapes
             if shape.type == "line" and shape.xref == "x" and isinstance(shape.x0, numbers.Real)
             and shape.x0 == shape.x1 and shape.yref in ("y domain", "paper")}
    return sorted(found)


def values_clear_of_lines(fig: go.Figure, font_size: float, default_margin: dict, default_width: int) -> go.Figure:
    """Write a value that a vertical threshold line would run through just past the line, on its
    bar's row (in place; returns ``fig``; the bar keeps its value in its hover).

    Only values written after horizontal bars drawn from 0 on the primary axes: ``textposition``
    "outside", or "auto" and too wide for the bar (plotly then writes it after the bar). Needs the
    x axis's range (an autoranged axis has no scale before the browser draws it).
    """
    lines = _vertical_lines(fig)
    start, end = fig.layout.xaxis.range or (None, None)
    scale_known = start is not None and end is not None and end > start
    if not lines or not scale_known or fig.layout.xaxis.type in ("log", "date", "category"):
        return fig
    left, right = figure_margin(fig, "l", default_margin["l"]), figure_margin(fig, "r", default_margin["r"])
    per_px = (end - start) / ((fig.layout.width or default_width) - left - right)
    for trace in fig.data:
        if (trace.type != "bar" or trace.orientation != "h" or trace.base is not None or trace.text is None
                or trace.x is None or getattr(trace, "xaxis", None) not in (None, "x")
                or getattr(trace, "yaxis", None) not in (None, "y")):
            continue
        count = len(trace.x)
        texts = _per_entry(trace.text, count)
        places = _per_entry(trace.textposition or "auto", count)
        size = trace.textfont.size if isinstance(trace.textfont.size, numbers.Real) else font_size
        moved = False
        for i, (value, text, place) in enumerate(zip(trace.x, texts, places)):
            if not text or not isinstance(value, numbers.Real) or math.isnan(value) or value < 0:
                continue
            width = (text_width(str(text), size) + 2 * TEXT_PAD) * per_px  # in axis units
            after = place == "outside" or (place == "auto" and value > 0 and width > value)
            if not after:
                continue
            begins = value  # the value's box runs from here for ``width``
            for line in lines:
                if begins < line <= begins + width:
                    begins = line  # written past this line: check the next one from there
            if begins != value:
                fig.add_annotation(x=begins, y=trace.y[i], xref="x", yref="y", xanchor="left",
                                   xshift=TEXT_PAD + 2, text=str(text), showarrow=False, font_size=size)
                texts[i] = ""
                moved = True
        if moved:
            trace.text = texts
    return fig


LEGEND_SYMBOL = 40  # px before each legend text (plotly's symbol and gap)
LEGEND_GAP = 12  # px after each legend item, and after the legend's title
TITLE_GAP = 16  # px kept between the title's end and the legend
TITLE_TOP = 16  # px from the top of the figure to the top of the title ...
LEGEND_TOP = 58  # ... and of the legend row under it
LEGEND_ROW = 30  # px a row of legend items takes
PLOT_GAP = 17  # px between the last legend row and the plot
_NO_LEGEND_ITEMS = {"heatmap", "histogram2d", "treemap", "sunburst", "sankey", "table", "indicator"}


def _legend_items(fig: go.Figure) -> list[str]:
    """Names plotly lists in ``fig``'s legend (none when it would not show one)."""
    names = [str(trace.name or "") for trace in fig.data
             if trace.type not in _NO_LEGEND_ITEMS and trace.showlegend is not False]
    shown = fig.layout.showlegend
    return [] if shown is False or (shown is None and len(names) < 2) else names


def legend_width(fig: go.Figure, font_size: float) -> float:
    """Estimated width in px of ``fig``'s legend laid out in one row (0 without a legend)."""
    items = _legend_items(fig)
    if not items:
        return 0.0
    size = fig.layout.legend.font.size or font_size
    width = sum(LEGEND_SYMBOL + label_width([name], size) + LEGEND_GAP for name in items)
    if fig.layout.legend.title.text:
        width += label_width([fig.layout.legend.title.text], fig.layout.legend.title.font.size or size) + LEGEND_GAP
    return width


def legend_under_title(height: int, rows: int = 1) -> dict:
    """Layout for a legend in a row (or ``rows``) of its own under the title, left-aligned, a fixed
    distance from the top whatever the figure's height."""
    return dict(legend=dict(yref="container", y=1 - LEGEND_TOP / height, yanchor="top", xref="container",
                            x=0.01, xanchor="left", orientation="h"),
                margin=dict(t=LEGEND_TOP + LEGEND_ROW * rows + PLOT_GAP),
                title_y=1 - TITLE_TOP / height, title_yanchor="top")


def reserve_legend_row(fig: go.Figure, font_size: float, title_size: float, default_margin: dict,
                       default_size: tuple[int, int]) -> go.Figure:
    """Move ``fig``'s legend under its title when, at the template's place (right-aligned above
    the plot, beside the title), the two would meet (in place; returns ``fig``). A legend the
    chart placed itself is left where it is."""
    legend = fig.layout.legend
    title = fig.layout.title.text
    if not title or any(v is not None for v in (legend.x, legend.y, legend.xref, legend.yref)):
        return fig
    wide = legend_width(fig, font_size)
    if not wide:
        return fig
    width = fig.layout.width or default_size[0]
    height = fig.layout.height or default_size[1]
    right = figure_margin(fig, "r", default_margin["r"])
    if text_width(title, fig.layout.title.font.size or title_size) + TITLE_GAP <= width - right - wide:
        return fig
    rows = max(1, math.ceil(wide / (0.98 * width)))
    layout = legend_under_title(height, rows)
    layout["margin"]["t"] = max(figure_margin(fig, "t", default_margin["t"]), layout["margin"]["t"])
    fig.update_layout(layout)
    return fig
