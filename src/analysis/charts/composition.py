"""Figures of the composition report ("cơ cấu nguồn quy hoạch").

Each function takes one of the tidy tables of `analysis.composition` first, its columns as
keywords (defaults are that module's column names), ``language`` ("vi" by default) and an
optional ``title`` that replaces the default one; it returns a `plotly.graph_objects.Figure` on the
house template (`analysis.charts.theme`). Codes are shown through `analysis.labels.code_label`,
every other text comes from ``labels/<language>/composition.yml``. Numbers in texts use the
language's separators (``12,5 %`` in Vietnamese). Missing codes are shown as "(không rõ)", last.

Nothing here computes an analysis: counts and percentages are drawn as given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis import labels, schema
from analysis.charts import theme
from analysis.errors import ParameterError
from analysis.numbers import percent

# Official age bands, youngest first (the rule sets use the same keys).
AGE_BANDS = ("under_40", "40_50", "50_60", "60_65", "over_65")
OPERATORS = {
    ">=": "≥", "=>": "≥", "≥": "≥", "<=": "≤", "=<": "≤", "≤": "≤",
    ">": ">", "<": "<", "==": "=", "=": "=",
}
_MISSING = object()  # sort key of a missing code: always last


# Small helpers ---------------------------------------------------------------------------------


def _t(key: str, language: str, **values: object) -> str:
    return labels.text(f"composition.{key}", language, **values)


def _missing(value: object) -> bool:
    return theme.is_missing(value)


def _key(value: object) -> object:
    """Hashable grouping key for a code; every kind of missing value becomes ``_MISSING``."""
    return _MISSING if _missing(value) else value


def _ordered(values: Iterable[object], order: Sequence[str] = ()) -> list[object]:
    """Distinct codes: those in ``order`` first (in that order), the others as they come, missing
    last."""
    seen: list[object] = []
    for value in values:
        k = _key(value)
        if k not in seen:
            seen.append(k)
    known = [c for c in order if c in seen]
    others = [k for k in seen if k not in known and k is not _MISSING]
    return known + others + ([_MISSING] if _MISSING in seen else [])


def _code(column: str, code: object, language: str) -> str:
    return labels.code_label(column, None if code is _MISSING else code, language)


_RANGE = re.compile(r"^(?:(under|over)_(\d+)|(\d+)_(\d+))$")


def _range_label(column: str, code: object, language: str) -> str:
    """Label of an age code: its label key if any, else from its shape (``under_45`` →
    "Dưới 45", ``45_50`` → "45–50", ``over_50`` → "Trên 50")."""
    shown = _code(column, code, language)
    if code is _MISSING or shown != str(code):
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
        match = None if code is _MISSING else _RANGE.match(str(code))
        if code is _MISSING:
            return (2, 0.0, index)
        if not match:
            return (1, 0.0, index)
        side, n, low, _high = match.groups()
        if side == "under":
            return (0, -math.inf, index)
        return (0, float(n if side else low) + (0.5 if side == "over" else 0.0), index)

    return [code for _, code in sorted(enumerate(codes), key=key)]


def _colour(position: int, code: object) -> str:
    """The house palette by position; grey for a missing code."""
    if code is _MISSING:
        return theme.MISSING_COLOUR
    return theme.PALETTE[position % len(theme.PALETTE)]


def _rows_with(df: pd.DataFrame, column: str, code: object) -> pd.DataFrame:
    """Rows of ``df`` whose ``column`` is ``code`` (``_MISSING``: rows where it is missing)."""
    return df[df[column].map(_key).map(lambda k: k is code or k == code).astype(bool)]


def _number(value: object) -> float:
    """A count as a number for plotting (missing → 0)."""
    return 0 if _missing(value) else float(value)


def _count_int(value: object) -> int:
    return 0 if _missing(value) else int(round(float(value)))


def _count_pct(count: object, pct: object, language: str) -> str:
    """``"12 (30 %)"``; just ``"12"`` when the percentage is missing."""
    shown = theme.format_count(count, language)
    return shown if _missing(pct) else f"{shown} ({theme.format_percent(pct, language)})"


def _unique_labels(texts: list[str], qualifiers: list[list[str]]) -> list[str]:
    """Make category labels unique by appending qualifiers (e.g. the body, then the id)."""
    result = list(texts)
    for qualifier in qualifiers:
        counts = pd.Series(result).value_counts()
        result = [
            f"{r} ({q})" if counts[r] > 1 and q else r for r, q in zip(result, qualifier)
        ]
    return result


def _start(df: pd.DataFrame, columns: Sequence[str], language: str, what: str) -> str:
    language = theme.check_language(language)
    theme.require_columns(df, [c for c in columns if c is not None], what)
    return language


def _title(title: str | None, key: str, language: str) -> str:
    return _t(key, language) if title is None else title


def _tall(n: int, per_row: int = 44, base: int = 200) -> int:
    """Figure height for ``n`` horizontal bars: at least the house height."""
    return max(theme.HEIGHT, base + per_row * n)


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
    language = _start(df, [band, gender, count], language, "age_pyramid")
    fig = go.Figure()
    chart_title = _title(title, "age_pyramid.title", language)
    if df.empty:
        return theme.finish(theme.no_data(fig, language), chart_title, language)

    bands = _ordered(df[band], AGE_BANDS)
    band_labels = [_code("age_band", b, language) for b in bands]
    totals: dict[tuple[object, object], int] = {}
    for b, g, c in zip(df[band], df[gender], df[count]):
        totals[(_key(b), g)] = totals.get((_key(b), g), 0) + _count_int(c)

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
    language = _start(df, [band, count, pct], language, "age_bands")
    fig = go.Figure()
    chart_title = _title(title, "age_bands.title", language)
    if df.empty:
        return theme.finish(theme.no_data(fig, language), chart_title, language)

    bands = _ordered(df[band], AGE_BANDS)
    band_labels = [_code("age_band", b, language) for b in bands]
    counts = {b: 0 for b in bands}
    pcts: dict[object, object] = {b: None for b in bands}
    for i, row in df.iterrows():
        k = _key(row[band])
        counts[k] += _count_int(row[count])
        pcts[k] = row[pct] if pct is not None else None
    values = [counts[b] for b in bands]
    texts = [_count_pct(counts[b], pcts[b], language) for b in bands]
    fig.add_trace(
        go.Bar(
            x=band_labels,
            y=values,
            text=texts,
            textposition="outside",
            cliponaxis=False,
            marker_color=[_colour(0, b) for b in bands],
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
        k = _key(tid)
        if k is _MISSING or k in firsts:
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
    language = _start(df, [title_id, title_name, body, tier, count], language, "tiers_by_title")
    fig = go.Figure()
    chart_title = _title(title, "tiers.title", language)
    if df.empty:
        return theme.finish(theme.no_data(fig, language), chart_title, language)

    ids = _title_order(df, title_id, body)
    first = df.assign(_k=df[title_id].map(_key)).drop_duplicates("_k").set_index("_k")
    names = [str(first.at[i, title_name]) for i in ids]
    bodies = [labels.code_label("body", first.at[i, body], language) for i in ids]
    y_labels = _unique_labels(names, [bodies, [str(i) for i in ids]])

    tiers = _range_sort(_ordered(df[tier]))
    counts: dict[tuple[object, object], int] = {}
    for tid, tr, c in zip(df[title_id], df[tier], df[count]):
        counts[(_key(tid), _key(tr))] = counts.get((_key(tid), _key(tr)), 0) + _count_int(c)

    for position, tr in enumerate(tiers):
        name = _range_label("age_tier", tr, language)
        values = [counts.get((i, tr), 0) for i in ids]
        colour = _colour(position, tr)
        fig.add_trace(
            go.Bar(
                x=values,
                y=y_labels,
                orientation="h",
                name=name,
                marker_color=colour,
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
    return theme.finish(fig, chart_title, language, height=_tall(len(ids)))


def _target_value(target: object) -> float | None:
    if target is None or _missing(target):
        return None
    try:
        value = float(target)
    except (TypeError, ValueError):
        raise ParameterError(
            f"Mục tiêu phải là một số (%) / target must be a number (percent): {target!r}"
        ) from None
    if not math.isfinite(value):
        raise ParameterError(f"Mục tiêu không hợp lệ / invalid target {target!r}")
    return value


def women_share(
    df: pd.DataFrame,
    target: float | None = None,
    body: str = "body",
    title_id: str = "title_id",
    title_name: str = "title",
    people: str = "people",
    women: str = "women",
    pct: str = "women_pct",
    language: str = "vi",
    title: str | None = None,
) -> go.Figure:
    """Share of women per body (rows whose ``title_id`` is missing) and per title, top to bottom.

    ``target`` (in percent, e.g. 25 for the regime's "at least 25 %") is drawn as a vertical dashed
    line when given. Rows are grouped by body: the body's own row first, then its titles.
    """
    language = _start(df, [body, title_id, title_name, people, women, pct], language, "women_share")
    goal = _target_value(target)
    fig = go.Figure()
    chart_title = _title(title, "women.title", language)
    if df.empty:
        return theme.finish(theme.no_data(fig, language), chart_title, language)

    body_order = _ordered(df[body], schema.BODIES)
    rows: list[tuple[bool, pd.Series]] = []  # (is_body_row, row), in display order
    for b in body_order:
        part = _rows_with(df, body, b)
        is_total = part[title_id].map(_missing).astype(bool)
        rows += [(True, r) for _, r in part[is_total].iterrows()]
        rows += [(False, r) for _, r in part[~is_total].iterrows()]

    texts, qualifiers = [], []
    for is_total, r in rows:
        body_label = _code("body", _key(r[body]), language)
        if is_total:
            texts.append(_t("women.body_total", language, body=body_label))
        else:
            texts.append(str(r[title_name]))
        qualifiers.append((body_label, "" if is_total else str(r[title_id])))
    y_labels = _unique_labels(texts, [[q[0] for q in qualifiers], [q[1] for q in qualifiers]])
    y_shown = [f"<b>{lab}</b>" if is_total else lab for lab, (is_total, _) in zip(y_labels, rows)]

    largest = 0.0
    for is_total, key, colour in (
        (True, "women.by_body", theme.GENDER_COLOURS["female"]),
        (False, "women.by_title", theme.SECONDARY_COLOUR),
    ):
        picked = [(lab, r) for lab, (t, r) in zip(y_shown, rows) if t is is_total]
        if not picked:
            continue
        x = [_number(r[pct]) for _, r in picked]
        largest = max([largest, *x])
        texts = [
            "—"
            if _missing(r[pct])
            else f"{theme.format_percent(r[pct], language)} "
            f"({theme.format_count(r[women], language)}/{theme.format_count(r[people], language)})"
            for _, r in picked
        ]
        fig.add_trace(
            go.Bar(
                x=x,
                y=[lab for lab, _ in picked],
                orientation="h",
                name=_t(key, language),
                marker_color=colour,
                text=texts,
                textposition="outside",
                cliponaxis=False,
                hovertext=[
                    f"{lab}<br>{theme.format_percent(r[pct], language)} · "
                    + _t(
                        "women.hover",
                        language,
                        women=theme.format_count(r[women], language),
                        people=theme.format_count(r[people], language),
                    )
                    for lab, r in picked
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )

    upper = max(largest, goal or 0.0)
    fig.update_xaxes(
        range=[0, min(100.0, upper * 1.3 + 5) if upper < 100 else upper * 1.05],
        ticksuffix=" %",
        title_text=_t("women.x", language),
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=y_shown,
        autorange="reversed",
        title_text=_t("women.y", language) or None,
    )
    fig.update_layout(barmode="overlay", bargap=0.25)
    if goal is not None:
        theme.add_threshold(
            fig,
            goal,
            _t("women.target", language, target=theme.format_percent(goal, language)),
            axis="x",
        )
    return theme.finish(fig, chart_title, language, height=_tall(len(rows)))


def ethnicity(
    df: pd.DataFrame,
    column: str = "ethnicity",
    count: str = "count",
    pct: str | None = "pct",
    language: str = "vi",
    title: str | None = None,
) -> go.Figure:
    """Horizontal bars sorted by count (largest on top), Kinh and minorities in two colours.

    Missing ethnicity comes last, in grey. The majority is `schema.MAJORITY_ETHNICITY`, compared
    after `schema.fold` ("KINH", "kinh" and "Kinh" are the same).
    """
    language = _start(df, [column, count, pct], language, "ethnicity")
    fig = go.Figure()
    chart_title = _title(title, "ethnicity.title", language)
    if df.empty:
        return theme.finish(theme.no_data(fig, language), chart_title, language)

    totals: dict[object, int] = {}
    pcts: dict[object, object] = {}
    for i, row in df.iterrows():
        k = _key(row[column])
        totals[k] = totals.get(k, 0) + _count_int(row[count])
        pcts[k] = row[pct] if pct is not None else None
    known = sorted((k for k in totals if k is not _MISSING), key=lambda k: (-totals[k], str(k)))
    order = known + ([_MISSING] if _MISSING in totals else [])
    y_labels = [_code("ethnicity", k, language) for k in order]
    majority = schema.fold(schema.MAJORITY_ETHNICITY)

    def group(k: object) -> str:
        if k is _MISSING:
            return "missing"
        return "majority" if schema.fold(k) == majority else "minority"

    colours = {
        "majority": theme.MAJORITY_COLOUR,
        "minority": theme.MINORITY_COLOUR,
        "missing": theme.MISSING_COLOUR,
    }
    for name in ("majority", "minority", "missing"):
        members = [(k, lab) for k, lab in zip(order, y_labels) if group(k) == name]
        if not members:
            continue
        texts = [_count_pct(totals[k], pcts[k], language) for k, _ in members]
        fig.add_trace(
            go.Bar(
                x=[totals[k] for k, _ in members],
                y=[lab for _, lab in members],
                orientation="h",
                name=_t(f"ethnicity.{name}", language),
                marker_color=colours[name],
                text=texts,
                textposition="outside",
                cliponaxis=False,
                hovertext=[f"{lab}: {t}" for (_, lab), t in zip(members, texts)],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    fig.update_layout(barmode="overlay", bargap=0.25)
    fig.update_xaxes(
        range=[0, max(list(totals.values()) + [1]) * 1.3],
        title_text=_t("ethnicity.x", language),
        **theme.count_axis(max(list(totals.values()) + [1])),
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=y_labels,
        autorange="reversed",
        title_text=_t("ethnicity.y", language),
    )
    return theme.finish(fig, chart_title, language, height=_tall(len(order), per_row=36))


def sectors(
    df: pd.DataFrame,
    sector: str = "sector",
    unit: str = "unit",
    count: str = "count",
    language: str = "vi",
    title: str | None = None,
) -> go.Figure:
    """Treemap: all people → sector → unit; box sizes are counts (sectors are sums of units)."""
    language = _start(df, [sector, unit, count], language, "sectors")
    fig = go.Figure()
    chart_title = _title(title, "sectors.title", language)
    if df.empty:
        return theme.finish(theme.no_data(fig, language), chart_title, language)

    sector_keys = _ordered(df[sector], schema.SECTORS)
    grand = sum(_count_int(c) for c in df[count])
    ids, names, parents = ["all"], [_t("sectors.all", language)], [""]
    values, colours = [grand], ["white"]
    for s_index, s in enumerate(sector_keys):
        part = _rows_with(df, sector, s)
        sector_id = f"all/s{s_index}"
        colour = _colour(s_index, s)
        ids.append(sector_id)
        names.append(_code("sector", s, language))
        parents.append("all")
        values.append(sum(_count_int(c) for c in part[count]))
        colours.append(colour)
        unit_totals: dict[object, int] = {}
        for u, c in zip(part[unit], part[count]):
            unit_totals[_key(u)] = unit_totals.get(_key(u), 0) + _count_int(c)
        for u_index, u in enumerate(_ordered(part[unit])):
            ids.append(f"{sector_id}/u{u_index}")
            names.append(_code("unit", u, language))
            parents.append(sector_id)
            values.append(unit_totals[u])
            colours.append(colour)
    hover = [
        f"{n}: {theme.format_count(v, language)} "
        f"({theme.format_percent(percent(v, grand, 1), language)})"
        for n, v in zip(names, values)
    ]
    fig.add_trace(
        go.Treemap(
            ids=ids,
            labels=names,
            parents=parents,
            values=values,
            branchvalues="total",
            marker=dict(colors=colours, line=dict(color="white", width=2)),
            text=[theme.format_count(v, language) for v in values],
            texttemplate="%{label}<br>%{text}",
            textfont_size=theme.BASE_FONT_SIZE,
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            root_color="white",
        )
    )
    return theme.finish(fig, chart_title, language, margin=dict(l=20, r=20, t=80, b=20))


def _level_bars(
    fig: go.Figure,
    df: pd.DataFrame,
    column: str,
    order: Sequence[str],
    count: str,
    pct: str | None,
    colour: str,
    language: str,
    col: int,
) -> int:
    """One panel of `qualifications`; returns the largest count drawn."""
    if df.empty:
        return 0
    keys = _ordered(df[column], order)
    totals = {k: 0 for k in keys}
    pcts: dict[object, object] = {k: None for k in keys}
    for _, row in df.iterrows():
        k = _key(row[column])
        totals[k] += _count_int(row[count])
        pcts[k] = row[pct] if pct is not None else None
    names = [_code(column, k, language) for k in keys]
    texts = [_count_pct(totals[k], pcts[k], language) for k in keys]
    fig.add_trace(
        go.Bar(
            x=names,
            y=[totals[k] for k in keys],
            name=_t(f"qualifications.{'education' if col == 1 else 'political_theory'}", language),
            marker_color=[theme.MISSING_COLOUR if k is _MISSING else colour for k in keys],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertext=[f"{n}: {t}" for n, t in zip(names, texts)],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=col,
    )
    fig.update_xaxes(categoryorder="array", categoryarray=names, row=1, col=col)
    return max(totals.values())


def qualifications(
    education_df: pd.DataFrame,
    theory_df: pd.DataFrame,
    education: str = "education",
    theory: str = "political_theory",
    count: str = "count",
    pct: str | None = "pct",
    language: str = "vi",
    title: str | None = None,
) -> go.Figure:
    """Two panels: education (doctorate → none) and political theory (advanced → none)."""
    language = _start(education_df, [education, count, pct], language, "qualifications")
    theme.require_columns(theory_df, [c for c in (theory, count, pct) if c], "qualifications")
    chart_title = _title(title, "qualifications.title", language)
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=[
            _t("qualifications.education", language),
            _t("qualifications.political_theory", language),
        ],
        horizontal_spacing=0.1,
    )
    if education_df.empty and theory_df.empty:
        return theme.finish(theme.no_data(go.Figure(), language), chart_title, language)
    panels = (
        (education_df, education, schema.EDUCATION, theme.PALETTE[0]),
        (theory_df, theory, schema.POLITICAL_THEORY, theme.PALETTE[2]),
    )
    largest = max(
        [
            _level_bars(fig, frame, column, order, count, pct, colour, language, col)
            for col, (frame, column, order, colour) in enumerate(panels, start=1)
        ]
        + [1]
    )
    fig.update_yaxes(range=[0, largest * 1.25], **theme.count_axis(largest))
    fig.update_yaxes(title_text=_t("qualifications.y", language), row=1, col=1)
    fig.update_annotations(font_size=theme.BASE_FONT_SIZE + 2)
    return theme.finish(fig, chart_title, language)


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
    language = _start(df, [term, kind, eligible, not_eligible, pct], language, "eligibility")
    fig = go.Figure()
    chart_title = _title(title, "eligibility.title", language)
    if df.empty:
        return theme.finish(theme.no_data(fig, language), chart_title, language)

    names = []
    for _, row in df.iterrows():
        if kind is None or _missing(row[kind]):
            names.append(str(row[term]))
        else:
            kind_label = _t(f"term_kind.{row[kind]}", language)
            if kind_label == f"composition.term_kind.{row[kind]}":
                kind_label = str(row[kind])
            names.append(_t("eligibility.term", language, term=row[term], kind=kind_label))
    names = _unique_labels(names, [[str(i) for i in range(len(names))]])
    yes = [_count_int(v) for v in df[eligible]]
    no = [_count_int(v) for v in df[not_eligible]]
    yes_pct = [
        percent(y, y + n) if pct is None or _missing(p) else p
        for y, n, p in zip(yes, no, df[pct] if pct is not None else [None] * len(yes))
    ]
    no_pct = [percent(n, y + n) for y, n in zip(yes, no)]
    for key, values, shares, colour in (
        ("eligibility.eligible", yes, yes_pct, theme.PASS_COLOUR),
        ("eligibility.not_eligible", no, no_pct, theme.FAIL_COLOUR),
    ):
        name = _t(key, language)
        texts = [_count_pct(v, s, language) if v else "" for v, s in zip(values, shares)]
        fig.add_trace(
            go.Bar(
                x=names,
                y=values,
                name=name,
                marker_color=colour,
                text=texts,
                textposition="inside",
                insidetextanchor="middle",
                hovertext=[
                    f"{n}<br>{name}: {_count_pct(v, s, language)}"
                    for n, v, s in zip(names, values, shares)
                ],
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


def _rule_value(rule: str, value: object, language: str, unit: object = None) -> str:
    """A check's value in its unit: ``%`` (or, without a unit, a ``*_share`` rule) in percent,
    the others (people, titles, ratio) as plain numbers."""
    percent_unit = str(unit).strip() == "%" if not _missing(unit) else str(rule).endswith("_share")
    if percent_unit:
        return theme.format_percent(value, language)
    return theme.format_number(value, language)


def compliance_table(
    df: pd.DataFrame,
    rule: str = "rule",
    value: str = "value",
    target: str = "target",
    op: str = "op",
    ok: str = "ok",
    certainty: str | None = "certainty",
    unit: str | None = "unit",
    language: str = "vi",
    title: str | None = None,
) -> go.Figure:
    """The regime's checks as a table: rule, actual value, requirement (``≥ 25 %``), result.

    Result marks are ✓ (ok True), ✗ (ok False) and — (ok None: display only), coloured pass /
    fail / neutral. A check resting on something remembered (certainty ``M``) has
    `theme.NOTE_MARK` after its rule name and a footnote: its result is to be verified, not a
    confirmed breach. ``certainty`` and ``unit`` are used when those columns exist (without a unit,
    ``*_share`` rules are percentages).
    """
    language = _start(df, [rule, value, target, op, ok], language, "compliance_table")
    chart_title = _title(title, "compliance.title", language)
    has_certainty = certainty is not None and certainty in df.columns
    has_unit = unit is not None and unit in df.columns
    if df.empty:  # a rule set without checks (e.g. kl24) only displays
        fig = theme.no_data(go.Figure(), language, _t("compliance.no_checks", language))
        return theme.finish(fig, chart_title, language, height=theme.table_height(1))

    rules, values, targets, oks, notes = [], [], [], [], []
    remembered_any = False
    for _, row in df.iterrows():
        name = str(row[rule])
        shown = labels.text(f"composition.rules.{name}", language)
        shown = name if shown == f"composition.rules.{name}" else shown
        row_unit = row[unit] if has_unit else None
        values.append(_rule_value(name, row[value], language, row_unit))
        if _missing(row[target]):
            goal = "—"
        else:
            symbol = "" if _missing(row[op]) else OPERATORS.get(str(row[op]).strip(), str(row[op]))
            goal = f"{symbol} {_rule_value(name, row[target], language, row_unit)}".strip()
        targets.append(goal)
        remembered = (
            has_certainty
            and not _missing(row[certainty])
            and str(row[certainty]).strip().upper() == "M"
        )
        if remembered:
            shown = f"{shown} {theme.NOTE_MARK}"
            remembered_any = True
        rules.append(shown)
        oks.append(row[ok])

    header = [_t(f"compliance.{c}", language) for c in ("rule", "value", "target", "result")]
    fig = go.Figure(
        theme.pass_fail_table(header, [rules, values, targets], oks, column_widths=[5, 2, 2, 1.4])
    )
    if remembered_any:
        notes.append(_t("compliance.certainty_note", language, mark=theme.NOTE_MARK))
    if any(theme.normalise_ok(v) is None for v in oks):
        notes.append(_t("compliance.display_note", language))
    if notes:
        theme.note(fig, "<br>".join(notes))
    bottom = 30 + 24 * len(notes)
    return theme.finish(
        fig,
        chart_title,
        language,
        height=theme.table_height(len(rules), extra=bottom),
        margin=dict(l=20, r=20, t=80, b=bottom),
    )
