"""Age figures of the composition report: pyramid, age bands, tiers by title, full-term eligibility.

Each function takes one of the tidy tables of `analysis.composition` first, its columns as
keywords (defaults are that module's column names), ``language`` ("vi" by default) and an
optional ``title`` that replaces the default one; it returns a `plotly.graph_objects.Figure` on the
house template (`analysis.charts.theme`). Codes are shown through `analysis.labels.code_label`,
every other text comes from ``labels/<language>/composition.yml``. Missing codes are shown as
"(không rõ)", last. Official age bands are ordered as the rule sets define them.

Nothing here computes an analysis: counts and percentages are drawn as given.
"""

from __future__ import annotations

import functools
import math
import re

import pandas as pd
import plotly.graph_objects as go

from analysis import labels, schema
from analysis.charts import theme
from analysis.numbers import percent
from analysis.rules import DEFAULT_REGIME, load_rules

_RANGE = re.compile(r"^(?:(under|over)_(\d+)|(\d+)_(\d+))$")


def _t(key: str, language: str, **values: object) -> str:
    return labels.text(f"composition.{key}", language, **values)


def _title(title: str | None, key: str, language: str) -> str:
    return _t(key, language) if title is None else title


@functools.cache
def official_bands() -> tuple[str, ...]:
    """The official age bands, youngest first, as the rule sets give them (the same in every
    regime)."""
    return tuple(load_rules(DEFAULT_REGIME).band_keys)


def range_label(column: str, code: object, language: str) -> str:
    """Label of an age code: its label key if any, else from its shape (``under_45`` →
    "Dưới 45", ``45_50`` → "45–50", ``over_50`` → "Trên 50")."""
    code = theme.category_key(code)
    shown = labels.code_label(column, code, language)
    if code is None or shown != str(code):
        return shown
    match = _RANGE.match(str(code))
    if not match:
        return shown
    side, n, low, high = match.groups()
    if side:
        return _t(f"range.{side}", language, n=n)
    return _t("range.between", language, low=low, high=high)


def _range_sort(codes: list[object]) -> list[object]:
    """Age codes from youngest to oldest when they follow the ``under_N/A_B/over_N`` pattern."""

    def key(item: tuple[int, object]) -> tuple[int, float, int]:
        index, code = item
        if code is None:
            return (2, 0.0, index)
        match = _RANGE.match(str(code))
        if not match:
            return (1, 0.0, index)
        side, n, low, _high = match.groups()
        if side == "under":
            return (0, -math.inf, index)
        return (0, float(n if side else low) + (0.5 if side == "over" else 0.0), index)

    return [code for _, code in sorted(enumerate(codes), key=key)]


# Charts ----------------------------------------------------------------------------------------


def age_pyramid(
    df: pd.DataFrame,
    band: str = "age_band",
    gender: str = "gender",
    count: str = "count",
    language: str = "vi",
    title: str | None = None,
) -> go.Figure:
    """Age pyramid: men to the left, women to the right, youngest band at the bottom.

    Men's bars have negative x (``-count``) but every text the reader sees (ticks, bar labels,
    hover) is the absolute count. Rows of another gender than male/female are not drawn.
    """
    language = theme.check_inputs(df, [band, gender, count], language, "age_pyramid")
    chart_title = _title(title, "age_pyramid.title", language)
    if df.empty:
        return theme.empty_figure(chart_title, language)

    fig = go.Figure()
    bands = theme.category_order(df[band], official_bands())
    band_labels = [labels.code_label("age_band", b, language) for b in bands]
    totals = theme.add_up(zip(map(theme.category_key, df[band]), df[gender]), df[count])

    largest = 0
    for sex in schema.GENDERS:
        counts = [totals.get((b, sex), 0) for b in bands]
        largest = max([largest, *counts])
        sign = -1 if sex == "male" else 1
        name = labels.code_label("gender", sex, language)
        shown = [theme.format_count(c, language) for c in counts]
        fig.add_trace(
            go.Bar(
                x=[sign * c for c in counts],
                y=band_labels,
                orientation="h",
                name=name,
                marker_color=theme.GENDER_COLOURS[sex],
                text=shown,
                textposition="outside",
                cliponaxis=False,
                hovertext=[f"{name}, {lab}: {s}" for lab, s in zip(band_labels, shown)],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )

    tickvals, ticktext = theme.absolute_ticks(largest, language)
    limit = max(tickvals) if tickvals else 1
    fig.update_layout(barmode="relative", bargap=0.15)
    fig.update_xaxes(
        tickvals=tickvals,
        ticktext=ticktext,
        range=[-limit * 1.15, limit * 1.15],
        title_text=_t("age_pyramid.x", language),
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=band_labels,
        title_text=_t("age_pyramid.y", language),
    )
    return theme.finish(fig, chart_title, language)


def age_bands(
    df: pd.DataFrame,
    band: str = "age_band",
    count: str = "count",
    pct: str | None = "pct",
    language: str = "vi",
    title: str | None = None,
) -> go.Figure:
    """Bars per official age band, youngest first, labelled ``count (pct %)``."""
    language = theme.check_inputs(df, [band, count, pct], language, "age_bands")
    chart_title = _title(title, "age_bands.title", language)
    if df.empty:
        return theme.empty_figure(chart_title, language)

    fig = go.Figure()
    bands = theme.category_order(df[band], official_bands())
    band_labels = [labels.code_label("age_band", b, language) for b in bands]
    counts, pcts = theme.category_totals(df, band, count, pct)
    values = [counts[b] for b in bands]
    texts = [theme.format_count_percent(counts[b], pcts[b], language) for b in bands]
    fig.add_trace(
        go.Bar(
            x=band_labels,
            y=values,
            text=texts,
            textposition="outside",
            cliponaxis=False,
            marker_color=[theme.category_colour(0, b) for b in bands],
            hovertext=[f"{lab}: {t}" for lab, t in zip(band_labels, texts)],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_xaxes(
        categoryorder="array", categoryarray=band_labels, title_text=_t("age_bands.x", language)
    )
    fig.update_yaxes(
        range=[0, max(values + [1]) * 1.2],
        title_text=_t("age_bands.y", language),
        **theme.count_axis(max(values + [1])),
    )
    return theme.finish(fig, chart_title, language)


def _title_order(df: pd.DataFrame, title_id: str, body: str) -> list[object]:
    """Title ids ordered by body (bch, btv, leadership, others) then as they come."""
    firsts: dict[object, tuple[int, int]] = {}
    bodies = list(schema.BODIES)
    for position, (tid, b) in enumerate(zip(df[title_id], df[body])):
        k = theme.category_key(tid)
        if k is None or k in firsts:
            continue
        rank = bodies.index(b) if b in bodies else len(bodies)
        firsts[k] = (rank, position)
    return sorted(firsts, key=firsts.__getitem__)


def tiers_by_title(
    df: pd.DataFrame,
    title_id: str = "title_id",
    title_name: str = "title",
    body: str = "body",
    tier: str = "age_tier",
    count: str = "count",
    language: str = "vi",
    title: str | None = None,
) -> go.Figure:
    """Stacked horizontal bars: people of each age tier, per planned title (first title on top).

    ``title_name`` is the column of title names (``title`` is the figure's title override).
    """
    columns = [title_id, title_name, body, tier, count]
    language = theme.check_inputs(df, columns, language, "tiers_by_title")
    chart_title = _title(title, "tiers.title", language)
    if df.empty:
        return theme.empty_figure(chart_title, language)

    fig = go.Figure()
    ids = _title_order(df, title_id, body)
    first = df.assign(_k=df[title_id].map(theme.category_key)).drop_duplicates("_k").set_index("_k")
    names = [str(first.at[i, title_name]) for i in ids]
    bodies = [labels.code_label("body", first.at[i, body], language) for i in ids]
    y_labels = theme.unique_labels(names, [bodies, [str(i) for i in ids]])

    tiers = _range_sort(theme.category_order(df[tier]))
    keys = zip(map(theme.category_key, df[title_id]), map(theme.category_key, df[tier]))
    counts = theme.add_up(keys, df[count])
    for position, tr in enumerate(tiers):
        name = range_label("age_tier", tr, language)
        values = [counts.get((i, tr), 0) for i in ids]
        fig.add_trace(
            go.Bar(
                x=values,
                y=y_labels,
                orientation="h",
                name=name,
                marker_color=theme.category_colour(position, tr),
                text=[theme.format_count(v, language) if v else "" for v in values],
                textposition="inside",
                insidetextanchor="middle",
                hovertext=[
                    f"{lab}<br>{name}: {theme.format_count(v, language)}"
                    for lab, v in zip(y_labels, values)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    largest = max([sum(counts.get((i, tr), 0) for tr in tiers) for i in ids] + [1])
    fig.update_layout(
        barmode="stack", legend_title_text=_t("tiers.legend", language), legend_traceorder="normal"
    )
    fig.update_xaxes(
        title_text=_t("tiers.x", language), rangemode="tozero", **theme.count_axis(largest)
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=y_labels,
        autorange="reversed",
        title_text=_t("tiers.y", language),
    )
    return theme.finish(fig, chart_title, language, height=theme.bars_height(len(ids)))


def _term_name(term: object, kind: object, language: str) -> str:
    """``"2025-2030 (nhiệm kỳ Đảng)"``; the term alone without a kind, an unknown kind as
    given."""
    if theme.is_missing(kind):
        return str(term)
    kind_label = _t(f"term_kind.{kind}", language)
    if kind_label == f"composition.term_kind.{kind}":
        kind_label = str(kind)
    return _t("eligibility.term", language, term=term, kind=kind_label)


def eligibility(
    df: pd.DataFrame,
    term: str = "term",
    kind: str | None = "kind",
    eligible: str = "eligible",
    not_eligible: str = "not_eligible",
    pct: str | None = "eligible_pct",
    language: str = "vi",
    title: str | None = None,
) -> go.Figure:
    """Per term, people who can serve the full term and those who cannot (stacked, with %)."""
    columns = [term, kind, eligible, not_eligible, pct]
    language = theme.check_inputs(df, columns, language, "eligibility")
    chart_title = _title(title, "eligibility.title", language)
    if df.empty:
        return theme.empty_figure(chart_title, language)

    fig = go.Figure()
    kinds = df[kind] if kind is not None else [None] * len(df)
    names = [_term_name(t, k, language) for t, k in zip(df[term], kinds)]
    names = theme.unique_labels(names, [[str(i) for i in range(len(names))]])
    yes = [theme.as_count(v) for v in df[eligible]]
    no = [theme.as_count(v) for v in df[not_eligible]]
    given = df[pct] if pct is not None else [None] * len(yes)
    yes_pct = [percent(y, y + n) if theme.is_missing(p) else p for y, n, p in zip(yes, no, given)]
    no_pct = [percent(n, y + n) for y, n in zip(yes, no)]
    for key, values, shares, colour in (
        ("eligibility.eligible", yes, yes_pct, theme.PASS_COLOUR),
        ("eligibility.not_eligible", no, no_pct, theme.FAIL_COLOUR),
    ):
        name = _t(key, language)
        shown = [theme.format_count_percent(v, s, language) for v, s in zip(values, shares)]
        fig.add_trace(
            go.Bar(
                x=names,
                y=values,
                name=name,
                marker_color=colour,
                text=[s if v else "" for s, v in zip(shown, values)],
                textposition="inside",
                insidetextanchor="middle",
                hovertext=[f"{n}<br>{name}: {s}" for n, s in zip(names, shown)],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.35)
    fig.update_xaxes(
        categoryorder="array", categoryarray=names, title_text=_t("eligibility.x", language)
    )
    largest = max([y + n for y, n in zip(yes, no)] + [1])
    fig.update_yaxes(
        title_text=_t("eligibility.y", language), rangemode="tozero", **theme.count_axis(largest)
    )
    return theme.finish(fig, chart_title, language)
