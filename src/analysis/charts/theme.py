"""The house template: fonts, colours and sizes legible on a meeting-room projector.

Every figure in `analysis.charts` is built with ``template=TEMPLATE``; `finish()` applies the
title and common layout so each chart function stays short.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE = "quyhoach"

FONT_FAMILY = "Noto Sans, Segoe UI, Arial, sans-serif"
BASE_FONT_SIZE = 16  # readable from the back of a meeting room
TITLE_FONT_SIZE = 22
WIDTH = 1000
HEIGHT = 560

# Colour-blind-safe (Okabe–Ito); strong enough for a washed-out projector.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
GENDER_COLOURS = {"male": "#0072B2", "female": "#D55E00"}
PASS_COLOUR = "#009E73"
FAIL_COLOUR = "#D55E00"
NEUTRAL_COLOUR = "#7F7F7F"
LINE_COLOUR = "#333333"  # threshold lines (50 %, 2/3 …)


def _build_template() -> go.layout.Template:
    template = go.layout.Template()
    template.layout = go.Layout(
        font=dict(family=FONT_FAMILY, size=BASE_FONT_SIZE, color="#222222"),
        title=dict(font=dict(size=TITLE_FONT_SIZE), x=0.0, xanchor="left"),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        width=WIDTH,
        height=HEIGHT,
        margin=dict(l=80, r=40, t=80, b=60),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1.0),
        xaxis=dict(showgrid=True, gridcolor="#E5E5E5", zerolinecolor="#999999", automargin=True),
        yaxis=dict(showgrid=True, gridcolor="#E5E5E5", zerolinecolor="#999999", automargin=True),
        hoverlabel=dict(font=dict(size=BASE_FONT_SIZE)),
        separators=",.",  # Vietnamese decimal comma, dot for thousands
    )
    return template


pio.templates[TEMPLATE] = _build_template()


def finish(fig: go.Figure, title: str | None = None, **layout: object) -> go.Figure:
    """Apply the house template, a title and any layout overrides; return the figure."""
    fig.update_layout(template=TEMPLATE, title_text=title, **layout)
    return fig
