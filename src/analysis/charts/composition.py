"""Composition figures of the composition report: women, ethnicity, sectors, qualifications and
the regime's checks ("cơ cấu nguồn quy hoạch"). The age figures are in `analysis.charts.age`.

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
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis import labels, schema
from analysis.charts import theme
from analysis.errors import ParameterError
from analysis.numbers import percent

BOX_LINE = 10  # characters a line of a treemap box's name ("Ủy ban / Kiểm tra / Huyện ủy")
OPERATORS = {
    ">=": "≥", "=>": "≥", "≥": "≥", "<=": "≤", "=<": "≤", "≤": "≤",
    ">": ">", "<": "<", "==": "=", "=": "=",
}


def _t(key: str, language: str, **values: object) -> str:
    return labels.text(f"composition.{key}", language, **values)


def _title(title: str | None, key: str, language: str) -> str:
    return _t(key, language) if title is None else title


def _rows_with(df: pd.DataFrame, column: str, code: object) -> pd.DataFrame:
    """Rows of ``df`` whose ``column`` has the category key ``code`` (None: missing)."""
    keep = [k is code or k == code for k in map(theme.category_key, df[column])]
    return df[pd.Series(keep, index=df.index, dtype=bool)]


# Women -----------------------------------------------------------------------------------------


def _target_value(target: object) -> float | None:
    if target is None or theme.is_missing(target):
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
    columns = [body, title_id, title_name, people, women, pct]
    language = theme.check_inputs(df, columns, language, "women_share")
    goal = _target_value(target)
    chart_title = _title(title, "women.title", language)
    if df.empty:
        return theme.empty_figure(chart_title, language)

    fig = go.Figure()
    body_order = theme.category_order(df[body], schema.BODIES)
    rows: list[tuple[bool, pd.Series]] = []  # (is_body_row, row), in display order
    for b in body_order:
        part = _rows_with(df, body, b)
        is_total = part[title_id].map(theme.is_missing).astype(bool)
        rows += [(True, r) for _, r in part[is_total].iterrows()]
        rows += [(False, r) for _, r in part[~is_total].iterrows()]

    texts, qualifiers = [], []
    for is_total, r in rows:
        body_label = labels.code_label("body", theme.category_key(r[body]), language)
        if is_total:
            texts.append(_t("women.body_total", language, body=body_label))
        else:
            texts.append(str(r[title_name]))
        qualifiers.append((body_label, "" if is_total else str(r[title_id])))
    y_labels = theme.unique_labels(texts, [[q[0] for q in qualifiers], [q[1] for q in qualifiers]])
    y_shown = [f"<b>{lab}</b>" if is_total else lab for lab, (is_total, _) in zip(y_labels, rows)]

    largest = 0.0
    for is_total, key, colour in (
        (True, "women.by_body", theme.GENDER_COLOURS["female"]),
        (False, "women.by_title", theme.SECONDARY_COLOUR),
    ):
        picked = [(lab, r) for lab, (t, r) in zip(y_shown, rows) if t is is_total]
        if not picked:
            continue
        x = [0 if theme.is_missing(r[pct]) else float(r[pct]) for _, r in picked]
        largest = max([largest, *x])
        texts = [
            "—"
            if theme.is_missing(r[pct])
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
                # inside at the base where it fits, clear of the target line an end would meet;
                # after an empty bar ("0 % (0/3)", "—"), which plotly's "auto" would leave bare
                textposition=["auto" if value else "outside" for value in x],
                insidetextanchor="start",
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
    # a value the target line would cross is written past it (theme.finish)
    return theme.finish(fig, chart_title, language, height=theme.bars_height(len(rows)))


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
    language = theme.check_inputs(df, [column, count, pct], language, "ethnicity")
    chart_title = _title(title, "ethnicity.title", language)
    if df.empty:
        return theme.empty_figure(chart_title, language)

    fig = go.Figure()
    totals, pcts = theme.category_totals(df, column, count, pct)
    known = sorted((k for k in totals if k is not None), key=lambda k: (-totals[k], str(k)))
    order = known + ([None] if None in totals else [])
    y_labels = [labels.code_label("ethnicity", k, language) for k in order]
    majority = schema.fold(schema.MAJORITY_ETHNICITY)

    def group(k: object) -> str:
        if k is None:
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
        texts = [theme.format_count_percent(totals[k], pcts[k], language) for k, _ in members]
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
    height = theme.bars_height(len(order), per_bar=36)
    return theme.finish(fig, chart_title, language, height=height)


def sectors(
    df: pd.DataFrame,
    sector: str = "sector",
    unit: str = "unit",
    count: str = "count",
    language: str = "vi",
    title: str | None = None,
) -> go.Figure:
    """Treemap: all people → sector → unit; box sizes are counts (sectors are sums of units)."""
    language = theme.check_inputs(df, [sector, unit, count], language, "sectors")
    chart_title = _title(title, "sectors.title", language)
    if df.empty:
        return theme.empty_figure(chart_title, language)

    fig = go.Figure()
    sector_keys = theme.category_order(df[sector], schema.SECTORS)
    grand = sum(theme.as_count(c) for c in df[count])
    ids, names, parents = ["all"], [_t("sectors.all", language)], [""]
    values, colours = [grand], ["white"]
    for s_index, s in enumerate(sector_keys):
        part = _rows_with(df, sector, s)
        sector_id = f"all/s{s_index}"
        colour = theme.category_colour(s_index, s)
        ids.append(sector_id)
        names.append(labels.code_label("sector", s, language))
        parents.append("all")
        values.append(sum(theme.as_count(c) for c in part[count]))
        colours.append(colour)
        unit_totals = theme.add_up(map(theme.category_key, part[unit]), part[count])
        for u_index, u in enumerate(theme.category_order(part[unit])):
            ids.append(f"{sector_id}/u{u_index}")
            names.append(labels.code_label("unit", u, language))
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
            # a long name on short lines: a narrow box then still shows it at a readable size
            text=[f"{theme.wrap(n, BOX_LINE)}<br>{theme.format_count(v, language)}" for n, v in zip(names, values)],
            texttemplate="%{text}",
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
    codes: str,
    order: Sequence[str],
    count: str,
    pct: str | None,
    colour: str,
    language: str,
    row: int,
) -> int:
    """One panel of `qualifications` (``column`` holds codes of the schema column ``codes``):
    horizontal bars, highest level on top, each value written after its bar; returns the largest
    count drawn."""
    if df.empty:
        return 0
    keys = theme.category_order(df[column], order)
    totals, pcts = theme.category_totals(df, column, count, pct)
    names = [labels.code_label(codes, k, language) for k in keys]
    texts = [theme.format_count_percent(totals[k], pcts[k], language) for k in keys]
    fig.add_trace(
        go.Bar(
            x=[totals[k] for k in keys],
            y=names,
            orientation="h",
            name=_t(f"qualifications.{codes}", language),
            marker_color=[theme.MISSING_COLOUR if k is None else colour for k in keys],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertext=[f"{n}: {t}" for n, t in zip(names, texts)],
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        ),
        row=row,
        col=1,
    )
    fig.update_yaxes(categoryorder="array", categoryarray=names, autorange="reversed", row=row, col=1)
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
    """Two panels, one above the other: education (doctorate → none) and political theory
    (advanced → none), as horizontal bars on one count axis, so the level names read across."""
    what = "qualifications"
    language = theme.check_inputs(education_df, [education, count, pct], language, what)
    theme.check_inputs(theory_df, [theory, count, pct], language, what)
    chart_title = _title(title, "qualifications.title", language)
    if education_df.empty and theory_df.empty:
        return theme.empty_figure(chart_title, language)

    panels = (  # the labels follow the schema's code lists, whatever the columns are called
        (education_df, education, "education", schema.EDUCATION, theme.PALETTE[0]),
        (theory_df, theory, "political_theory", schema.POLITICAL_THEORY, theme.PALETTE[2]),
    )
    bars = [len(theme.category_order(frame[column], order)) if not frame.empty else 1
            for frame, column, _, order, _ in panels]
    fig = make_subplots(
        rows=2,
        cols=1,
        subplot_titles=[
            _t("qualifications.education", language),
            _t("qualifications.political_theory", language),
        ],
        row_heights=bars,
        shared_xaxes=True,
        vertical_spacing=0.12,
    )
    largest = max(
        [
            _level_bars(fig, frame, column, codes, order, count, pct, colour, language, row)
            for row, (frame, column, codes, order, colour) in enumerate(panels, start=1)
        ]
        + [1]
    )
    # room after the longest bar for its value; one axis, so both panels compare
    fig.update_xaxes(range=[0, largest * 1.3], **theme.count_axis(largest))
    fig.update_xaxes(title_text=_t("qualifications.x", language), row=2, col=1)
    fig.update_annotations(font_size=theme.BASE_FONT_SIZE + 2)
    height = theme.bars_height(sum(bars) + 2, per_bar=36)
    return theme.finish(fig, chart_title, language, height=height, bargap=0.25)


# The regime's checks ---------------------------------------------------------------------------


def rule_name(rule: object, language: str) -> str:
    """A check's name (label ``composition.rules.<rule>``); a rule without a label as given."""
    key = f"composition.rules.{rule}"
    shown = labels.text(key, language)
    return str(rule) if shown == key else shown


def rule_value(rule: object, value: object, language: str, unit: object = None) -> str:
    """A check's value in its unit: ``%`` (or, without a unit, a ``*_share`` rule) in percent,
    the others (people, titles, ratio) as plain numbers."""
    if theme.is_missing(unit):
        in_percent = str(rule).endswith("_share")
    else:
        in_percent = str(unit).strip() == "%"
    if in_percent:
        return theme.format_percent(value, language)
    return theme.format_number(value, language)


def operator_symbol(op: object) -> str:
    """``">="`` → ``"≥"``, ``"<="`` → ``"≤"`` …; an unknown operator as given, a missing one
    empty."""
    return "" if theme.is_missing(op) else OPERATORS.get(str(op).strip(), str(op))


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
    columns = [rule, value, target, op, ok]
    language = theme.check_inputs(df, columns, language, "compliance_table")
    chart_title = _title(title, "compliance.title", language)
    has_certainty = certainty is not None and certainty in df.columns
    has_unit = unit is not None and unit in df.columns
    if df.empty:  # a rule set without checks (e.g. kl24) only displays
        text = _t("compliance.no_checks", language)
        return theme.empty_figure(chart_title, language, text, height=theme.table_height(1))

    rules, values, targets, oks, notes = [], [], [], [], []
    remembered_any = False
    for _, row in df.iterrows():
        name = str(row[rule])
        shown = rule_name(name, language)
        row_unit = row[unit] if has_unit else None
        values.append(rule_value(name, row[value], language, row_unit))
        if theme.is_missing(row[target]):
            goal = "—"
        else:
            required = rule_value(name, row[target], language, row_unit)
            goal = f"{operator_symbol(row[op])} {required}".strip()
        targets.append(goal)
        remembered = (
            has_certainty
            and not theme.is_missing(row[certainty])
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
