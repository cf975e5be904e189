"""Margins wide enough for a figure's category labels, worked out before the browser draws it.

plotly's ``automargin`` measures tick labels in the browser and, when they do not fit the
margins, lays the chart out and draws it a second time: on a page of twenty charts of names that
second pass is about a third of the drawing time. :func:`reserve_label_margins` widens the left
margin to the longest category label on the y axis, estimated from average glyph widths (a little
generous), so that one pass suffices; ``automargin`` stays on as the safety net for a label the
estimate got wrong. The figure looks the same either way: only the work to get there differs.
"""

from __future__ import annotations

import math
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
    current = fig.layout.margin.l if fig.layout.margin.l is not None else default_left
    if needed > current:
        fig.layout.margin.l = math.ceil(needed)
    return fig
