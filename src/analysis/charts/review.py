"""Figures of the planning review report ("rà soát, bổ sung quy hoạch").

Each function takes a tidy table of `analysis.review` (and `review_composition`, `review_flags`,
`planning_review`) / `analysis.linkage` first, ``language``
("vi" by default) and an optional ``title``; it returns a `plotly.graph_objects.Figure` on the house
template (`analysis.charts.theme`). Texts come from ``labels/<language>/review.yml``; codes through
`analysis.labels.code_label` (``review_change``, ``review_reason``, ``review_rule``, …).
`display_table` turns a review table into the language's headers and code labels for ``ctx.table``.

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
from analysis.charts.age import official_bands, range_label
from analysis.charts.composition import operator_symbol, rule_name, rule_value

CHANGE_COLOURS = {"retained": theme.PALETTE[0], "removed": theme.FAIL_COLOUR, "added": theme.PASS_COLOUR}
STATE_COLOURS = {"before": theme.NEUTRAL_COLOUR, "after": theme.PALETTE[0]}
ACTION_FILLS = {"remove": theme.RESULT_FILLS[False], "review": "#FFF4D6"}

# Columns whose values are codes, and the label column to show them with.
CODE_COLUMNS = {
    "change": "review_change", "reason": "review_reason", "rule": "review_rule",
    "action": "review_action", "state": "review_state", "dimension": "review_dimension",
    "body": "body", "gender": "gender", "age_band": "age_band", "sector": "sector",
}


def _t(key: str, language: str, **values: object) -> str:
    return labels.text(f"review.{key}", language, **values)


def _int(value: object) -> int:
    return 0 if theme._is_missing(value) else int(value)


# Flows -------------------------------------------------------------------------------------------

def _flow_parts(reasons: pd.DataFrame, language: str) -> tuple[int, int, int, list[tuple[str, str, int]]]:
    """(retained, removed, added, [(change, reason label, people)] for removed and added) from the reasons."""
    retained, parts = 0, []
    for change, reason, people in zip(reasons["change"], reasons["reason"], reasons["people"]):
        if change == "retained":
            retained += _int(people)
        elif _int(people):
            parts.append((change, labels.code_label("review_reason", None if theme._is_missing(reason)
                                                    else reason, language), _int(people)))
    removed = sum(n for c, _, n in parts if c == "removed")
    added = sum(n for c, _, n in parts if c == "added")
    return retained, removed, added, parts


def _flows_start(reasons: pd.DataFrame, language: str, what: str, key: str, title: str | None):
    """Checked language, the chart's title and `_flow_parts` of a flows chart's reasons."""
    language = theme.check_inputs(reasons, ["change", "reason", "people"], language, what)
    chart_title = _t(key, language) if title is None else title
    return language, chart_title, _flow_parts(reasons, language)


def change_flows(reasons: pd.DataFrame, language: str = "vi", title: str | None = None) -> go.Figure:
    """Sankey of people: before → retained / removed (per reason); added (per reason) → after.

    ``reasons`` is `review.reason_summary` (``change, reason, people``).
    """
    language, chart_title, flows = _flows_start(reasons, language, "change_flows", "charts.flows", title)
    retained, removed, added, parts = flows
    if retained + removed + added == 0:
        return theme.empty_figure(chart_title, language)
    fig = go.Figure()
    state = lambda s, n: f"{labels.code_label('review_state', s, language)}: {theme.format_count(n, language)}"  # noqa: E731
    change = lambda c, n: f"{labels.code_label('review_change', c, language)}: {theme.format_count(n, language)}"  # noqa: E731
    nodes = [state("before", retained + removed), change("retained", retained), state("after", retained + added)]
    colours = [theme.NEUTRAL_COLOUR, CHANGE_COLOURS["retained"], theme.PALETTE[0]]
    sources, targets, values, link_colours = [0, 1], [1, 2], [retained, retained], ["rgba(0,114,178,0.3)"] * 2
    for kind, reason, n in parts:
        nodes.append(f"{labels.code_label('review_change', kind, language)} – {reason}: "
                     f"{theme.format_count(n, language)}")
        colours.append(CHANGE_COLOURS[kind])
        index = len(nodes) - 1
        sources.append(0 if kind == "removed" else index)
        targets.append(index if kind == "removed" else 2)
        values.append(n)
        link_colours.append("rgba(213,94,0,0.3)" if kind == "removed" else "rgba(0,158,115,0.3)")
    fig.add_trace(go.Sankey(
        arrangement="snap",
        node=dict(label=nodes, color=colours, pad=24, thickness=22, line=dict(width=0)),
        link=dict(source=sources, target=targets, value=values, color=link_colours,
                  hovertemplate="%{source.label} → %{target.label}<extra></extra>"),
    ))
    return theme.finish(fig, chart_title, language, height=max(theme.HEIGHT, 160 + 48 * len(nodes)))


def change_waterfall(reasons: pd.DataFrame, language: str = "vi", title: str | None = None) -> go.Figure:
    """Waterfall of people: the pool before, minus each removal reason, plus each addition, after."""
    language, chart_title, flows = _flows_start(reasons, language, "change_waterfall", "charts.waterfall", title)
    retained, removed, added, parts = flows
    if retained + removed + added == 0:
        return theme.empty_figure(chart_title, language)
    fig = go.Figure()
    x = [labels.code_label("review_state", "before", language)]
    y, measure = [retained + removed], ["absolute"]
    for kind, reason, n in parts:
        x.append(f"{labels.code_label('review_change', kind, language)}: {reason}")
        y.append(-n if kind == "removed" else n)
        measure.append("relative")
    x.append(labels.code_label("review_state", "after", language))
    y.append(retained + added)
    measure.append("total")
    shown = [theme.format_count(abs(v), language) for v in y]
    shown = [("−" if m == "relative" and v < 0 else "+" if m == "relative" else "") + s
             for s, v, m in zip(shown, y, measure)]
    fig.add_trace(go.Waterfall(
        x=x, y=y, measure=measure, text=shown, textposition="outside", cliponaxis=False,
        decreasing=dict(marker_color=CHANGE_COLOURS["removed"]),
        increasing=dict(marker_color=CHANGE_COLOURS["added"]),
        totals=dict(marker_color=theme.PALETTE[0]),
        connector=dict(line=dict(color=theme.LINE_GREY)),
        hovertemplate="%{x}: %{text}<extra></extra>",
    ))
    top = max(retained + removed, retained + added, 1)
    fig.update_yaxes(title_text=_t("charts.waterfall_y", language), rangemode="tozero",
                     range=[0, top * 1.15], dtick=max(1.0, float(math.ceil(theme.nice_step(top)))))
    fig.update_xaxes(tickangle=-30 if len(x) > 6 else 0)
    return theme.finish(fig, chart_title, language, showlegend=False)


# Pyramids and composition ------------------------------------------------------------------------

def pyramids(df: pd.DataFrame, language: str = "vi", title: str | None = None) -> go.Figure:
    """Age pyramids before and after side by side (men left, women right, absolute ticks).

    ``df`` is `review_composition.pyramid_change` (``state, age_band, gender, count``).
    """
    language = theme.check_inputs(df, ["state", "age_band", "gender", "count"], language, "pyramids")
    chart_title = _t("charts.pyramids", language) if title is None else title
    states = ("before", "after")
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=[labels.code_label("review_state", s, language) for s in states])
    if df.empty:
        return theme.empty_figure(chart_title, language)
    bands = official_bands()
    band_labels = [labels.code_label("age_band", b, language) for b in bands]
    counts = {(s, b, g): _int(c) for s, b, g, c in zip(df["state"], df["age_band"], df["gender"], df["count"])}
    largest = max([1, *counts.values()])
    tickvals, ticktext = theme.absolute_ticks(largest, language)
    limit = max(tickvals)
    for col, state in enumerate(states, start=1):
        for sex in schema.GENDERS:
            values = [counts.get((state, b, sex), 0) for b in bands]
            name = labels.code_label("gender", sex, language)
            shown = [theme.format_count(v, language) for v in values]
            fig.add_trace(go.Bar(
                x=[(-v if sex == "male" else v) for v in values], y=band_labels, orientation="h",
                texttemplate=[s if v else "" for s, v in zip(shown, values)],
                name=name, legendgroup=sex, showlegend=col == 1, marker_color=theme.GENDER_COLOURS[sex],
                text=shown, textposition="outside", cliponaxis=False,
                hovertext=[f"{labels.code_label('review_state', state, language)} · {name}, {b}: {s}"
                           for b, s in zip(band_labels, shown)],
                hovertemplate="%{hovertext}<extra></extra>",
            ), row=1, col=col)
        fig.update_xaxes(tickvals=tickvals, ticktext=ticktext, range=[-limit * 1.2, limit * 1.2],
                         title_text=_t("charts.pyramid_x", language), row=1, col=col)
    fig.update_yaxes(categoryorder="array", categoryarray=band_labels)
    fig.update_layout(barmode="relative", bargap=0.15)
    return theme.finish(fig, chart_title, language)


def _category_label(dimension: str, category: object, language: str) -> str:
    if theme._is_missing(category):
        return labels.code_label(dimension, None, language)
    if dimension in CODE_COLUMNS:
        return labels.code_label(CODE_COLUMNS[dimension], category, language)
    if dimension == "age_tier":
        return range_label("age_tier", category, language)
    return str(category)


def composition_change(df: pd.DataFrame, language: str = "vi", title: str | None = None) -> go.Figure:
    """Share of each category before and after, one panel per dimension.

    ``df`` is `review_composition.composition_change`.
    """
    columns = ["dimension", "category", "before", "before_pct", "after", "after_pct"]
    language = theme.check_inputs(df, columns, language, "composition_change")
    chart_title = _t("charts.composition", language) if title is None else title
    dimensions = list(dict.fromkeys(df["dimension"]))
    if not dimensions:
        return theme.empty_figure(chart_title, language)
    heights = [max(1, int((df["dimension"] == d).sum())) for d in dimensions]
    fig = make_subplots(
        rows=len(dimensions), cols=1, vertical_spacing=0.25 / len(dimensions),
        row_heights=[h / sum(heights) for h in heights],
        subplot_titles=[labels.code_label("review_dimension", d, language) for d in dimensions],
    )
    for row, dimension in enumerate(dimensions, start=1):
        part = df[df["dimension"] == dimension]
        names = [_category_label(dimension, c, language) for c in part["category"]]
        for state in ("before", "after"):
            pct = [0.0 if theme._is_missing(v) else float(v) for v in part[f"{state}_pct"]]
            shown = [f"{theme.format_percent(p, language)} ({theme.format_count(n, language)})"
                     for p, n in zip(part[f"{state}_pct"], part[state])]
            fig.add_trace(go.Bar(
                x=pct, y=names, orientation="h", name=labels.code_label("review_state", state, language),
                legendgroup=state, showlegend=row == 1, marker_color=STATE_COLOURS[state],
                text=shown, textposition="outside", cliponaxis=False,
                texttemplate=[s if not theme._is_missing(n) and int(n) else ""
                              for s, n in zip(shown, part[state])],
                hovertemplate="%{y}: %{text}<extra></extra>",
            ), row=row, col=1)
        fig.update_yaxes(autorange="reversed", row=row, col=1)
        fig.update_xaxes(range=[0, 119], ticksuffix=" %", row=row, col=1)
    fig.update_layout(barmode="group", bargap=0.2)
    return theme.finish(fig, chart_title, language, height=max(theme.HEIGHT, 140 + 70 * sum(heights)))


def target_gauges(df: pd.DataFrame, language: str = "vi", title: str | None = None) -> go.Figure:
    """One gauge per check: the value after the review, its change from before (delta) and the
    target as the gauge's threshold; green when met after, orange when not, grey when not judged.

    ``df`` is `review_composition.targets_change`
    (``rule, op, target, certainty, before, before_ok, after, after_ok``).
    """
    columns = ["rule", "op", "target", "before", "after", "after_ok"]
    language = theme.check_inputs(df, columns, language, "target_gauges")
    chart_title = _t("charts.gauges", language) if title is None else title
    rows = [r for r in df.to_dict("records") if not theme._is_missing(r["after"]) or not theme._is_missing(r["before"])]
    if not rows:
        return theme.empty_figure(chart_title, language)
    cols = min(2, len(rows))
    n_rows = -(-len(rows) // cols)
    row_height, title_space = 330, 90  # px per row of gauges, px above each gauge for its title
    height = 100 + row_height * n_rows
    plot = height - 100
    fig = go.Figure()
    for i, row in enumerate(rows):
        rule = str(row["rule"])
        name = rule_name(rule, language)
        share = rule.endswith("_share")
        after = None if theme._is_missing(row["after"]) else float(row["after"])
        before = None if theme._is_missing(row["before"]) else float(row["before"])
        target = None if theme._is_missing(row["target"]) else float(row["target"])
        top = 100.0 if share else max(1.0, *(v * 1.5 for v in (after, before, target) if v is not None))
        ok = theme.normalise_ok(row["after_ok"])
        goal = ""
        if target is not None:
            goal = _t("charts.gauge_target", language, op=operator_symbol(row["op"]),
                      target=rule_value(rule, target, language))
            if str(row.get("certainty", "")).upper() == "M":
                goal += f" {theme.NOTE_MARK}"
        fig.add_trace(go.Indicator(
            mode="gauge+number+delta" if before is not None else "gauge+number",
            value=after if after is not None else 0,
            number=dict(suffix=" %" if share else "", valueformat=".2~f", font=dict(size=34)),
            delta=dict(reference=before, valueformat=".2~f", increasing=dict(color=theme.NEUTRAL_COLOUR),
                       decreasing=dict(color=theme.NEUTRAL_COLOUR)) if before is not None else None,
            title=dict(text=f"{theme.wrap(name, 34)}<br><span style='font-size:14px'>{goal}</span>", font=dict(size=16)),
            gauge=dict(
                axis=dict(range=[0, top]),
                bar=dict(color=theme.RESULT_COLOURS[ok]),
                threshold=dict(line=dict(color=theme.LINE_COLOUR, width=4), thickness=0.9,
                               value=target) if target is not None else None,
            ),
            domain=dict(x=[(i % cols) / cols + 0.04, (i % cols + 1) / cols - 0.04],
                        y=[1 - (i // cols + 1) / n_rows + 0.02, 1 - (i // cols) / n_rows - title_space / plot]),
        ))
    return theme.finish(fig, chart_title, language, height=height, margin=dict(l=40, r=40, t=80, b=20))


# Tables ------------------------------------------------------------------------------------------

def display_table(df: pd.DataFrame, language: str = "vi", columns: Sequence[str] | None = None) -> pd.DataFrame:
    """``df`` for people to read: the chosen columns, codes as labels, headers in ``language``.

    Body rows of `review.change_summary` (title empty) read "<body> (chung)"; the total row "Tổng".
    """
    language = theme.check_language(language)
    columns = [c for c in (columns or df.columns) if c in df.columns]
    out = pd.DataFrame(index=range(len(df)))
    for column in columns:
        values = df[column].tolist()
        if column in CODE_COLUMNS:
            values = ["" if theme._is_missing(v) and column in ("reason",) else
                      labels.code_label(CODE_COLUMNS[column], None if theme._is_missing(v) else v, language)
                      for v in values]
        elif column == "age_tier":
            values = [_category_label("age_tier", v, language) for v in values]
        elif column == "certainty":
            values = ["" if theme._is_missing(v) else ("M *" if str(v).upper() == "M" else str(v)) for v in values]
        else:
            values = ["" if theme._is_missing(v) else v for v in values]
        out[column] = values
    if {"body", "title_id", "title"} <= set(df.columns) and "title" in columns:
        for i, (body, tid) in enumerate(zip(df["body"], df["title_id"])):
            if not theme._is_missing(tid):
                continue
            out.loc[i, "title"] = (_t("charts.total", language) if theme._is_missing(body) else
                                   _t("columns.body_total", language, body=labels.code_label("body", body, language)))
            if "body" in columns and theme._is_missing(body):
                out.loc[i, "body"] = ""
    headers = {}
    for column in columns:
        key = f"review.columns.{column}"
        found = labels.text(key, language)
        headers[column] = column if found == key else found
    return out.rename(columns=headers)


def flags_table(df: pd.DataFrame, language: str = "vi", title: str | None = None) -> go.Figure:
    """The flags as a table: person (or title), rule, proposed action, evidence; rows to remove
    shaded; remembered rules [M] marked with `theme.NOTE_MARK`."""
    columns = ["person_id", "full_name", "title", "rule", "action", "evidence", "certainty"]
    language = theme.check_inputs(df, columns, language, "flags_table")
    chart_title = _t("charts.flags", language) if title is None else title
    if df.empty:
        return theme.empty_figure(chart_title, language)
    who = [(f"{n} ({p})" if not theme._is_missing(p) else str(t))
           for p, n, t in zip(df["person_id"], df["full_name"], df["title"])]
    rules = [labels.code_label("review_rule", r, language)
             + (f" {theme.NOTE_MARK}" if str(c).upper() == "M" else "")
             for r, c in zip(df["rule"], df["certainty"])]
    actions = [labels.code_label("review_action", a, language) for a in df["action"]]
    evidence = ["" if theme._is_missing(e) else str(e) for e in df["evidence"]]
    fills = [ACTION_FILLS.get(a, theme.ROW_FILL) for a in df["action"]]
    header = [_t(f"columns.{c}", language) for c in ("full_name", "rule", "action", "evidence")]
    fig = go.Figure(go.Table(
        columnwidth=[3, 3, 2, 6],
        header=dict(values=[f"<b>{h}</b>" for h in header], fill_color=theme.HEADER_FILL,
                    line_color=theme.LINE_GREY, align="left",
                    font=dict(size=theme.BASE_FONT_SIZE, color=theme.TEXT_COLOUR), height=theme.TABLE_HEADER_HEIGHT),
        cells=dict(values=[who, rules, actions, evidence], fill_color=[fills] * 4, line_color=theme.LINE_GREY,
                   align="left", font=dict(size=theme.BASE_FONT_SIZE - 2, color=theme.TEXT_COLOUR),
                   height=theme.TABLE_ROW_HEIGHT),
    ))
    # evidence wraps: allow two lines a row
    height = theme.table_height(len(df), extra=14 * len(df) + 10)
    return theme.finish(fig, chart_title, language, height=height, margin=dict(l=20, r=20, t=80, b=30))


def changes_by_title(df: pd.DataFrame, language: str = "vi", title: str | None = None) -> go.Figure:
    """Per title: removed (left of zero), retained and added (right), from `review.change_summary`."""
    columns = ["body", "title_id", "title", "retained", "removed", "added"]
    language = theme.check_inputs(df, columns, language, "changes_by_title")
    chart_title = _t("charts.by_title", language) if title is None else title
    rows = df[df["title_id"].notna()]
    if rows.empty:
        return theme.empty_figure(chart_title, language)
    names = [str(t) if not theme._is_missing(t) else str(i) for t, i in zip(rows["title"], rows["title_id"])]
    if len(set(names)) < len(names):
        names = [f"{n} ({i})" for n, i in zip(names, rows["title_id"])]
    fig = go.Figure()
    for change, sign in (("removed", -1), ("retained", 1), ("added", 1)):
        values = [_int(v) for v in rows[change]]
        fig.add_trace(go.Bar(
            x=[sign * v for v in values], y=names, orientation="h",
            name=labels.code_label("review_change", change, language), marker_color=CHANGE_COLOURS[change],
            text=[theme.format_count(v, language) if v else "" for v in values], textposition="inside",
            hovertemplate="%{y}: %{text}<extra></extra>",
        ))
    largest = max(1, int(rows["removed"].fillna(0).max()), int((rows["retained"].fillna(0) + rows["added"].fillna(0)).max()))
    tickvals, ticktext = theme.absolute_ticks(largest, language)
    fig.update_xaxes(tickvals=tickvals, ticktext=ticktext, title_text=_t("charts.linkage_people", language))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="relative")
    return theme.finish(fig, chart_title, language, height=max(theme.HEIGHT, 200 + 36 * len(names)))


def linkage_units(df: pd.DataFrame, language: str = "vi", title: str | None = None) -> go.Figure:
    """Per lower unit: people of its pool planned for the upper level and the others (stacked)."""
    language = theme.check_inputs(df, ["unit_name", "people", "feeding"], language, "linkage_units")
    chart_title = _t("charts.linkage_units", language) if title is None else title
    if df.empty:
        return theme.empty_figure(chart_title, language)
    names = [str(n) for n in df["unit_name"]]
    feeding = [_int(v) for v in df["feeding"]]
    others = [_int(p) - f for p, f in zip(df["people"], feeding)]
    fig = go.Figure()
    for values, key, colour in ((feeding, "feeding", theme.PASS_COLOUR), (others, "not_feeding", theme.NEUTRAL_COLOUR)):
        fig.add_trace(go.Bar(
            x=values, y=names, orientation="h", name=_t(f"charts.{key}", language), marker_color=colour,
            text=[theme.format_count(v, language) for v in values], textposition="inside",
            hovertemplate="%{y}: %{x}<extra></extra>",
        ))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=_t("charts.linkage_people", language))
    fig.update_yaxes(autorange="reversed")
    return theme.finish(fig, chart_title, language, height=max(400, 200 + 50 * len(names)))


# Texts under the headings -------------------------------------------------------------------------

def _date(value: object, language: str) -> str:
    stamp = pd.Timestamp(value)
    return stamp.strftime("%d/%m/%Y") if language == "vi" else stamp.strftime("%Y-%m-%d")


def overview_text(result: object, language: str = "vi") -> str:
    """What was compared and the headline counts of a `planning_review.Review`, as Markdown lines."""
    language = theme.check_language(language)
    head = result.headline()
    lines = [_t(f"notes.mode_{result.mode}", language, before=_date(result.before_date, language),
                after=_date(result.after_date, language))]
    if not result.has_planning:
        lines.append(_t("notes.no_planning", language))
        return "\n\n".join(lines)
    people, rows = head["people"], head["planning_rows"]
    count = lambda n: theme.format_count(n, language)  # noqa: E731
    if "no_before" in getattr(result, "notes", ()):
        lines.append(_t("notes.no_before", language, before=_date(result.before_date, language),
                        after=count(head["people_after"])))
        return "\n\n".join(lines)
    lines.append(_t("notes.counts", language, before=count(head["people_before"]),
                    retained=count(people["retained"]), removed=count(people["removed"]),
                    added=count(people["added"]), after=count(head["people_after"])))
    lines.append(_t("notes.rows", language, before=count(rows["retained"] + rows["removed"]),
                    retained=count(rows["retained"]), removed=count(rows["removed"]),
                    added=count(rows["added"]), after=count(rows["retained"] + rows["added"])))
    if not rows["removed"] and not rows["added"]:
        lines.append(_t("notes.no_changes", language))
    return "\n\n".join(lines)


def flags_text(result: object, rules_name: str, language: str = "vi") -> str:
    """The date, term and rule set of the flags, and how many people and titles they name."""
    language = theme.check_language(language)
    term = result.term.get("label") if isinstance(result.term, dict) else getattr(result.term, "label", "")
    lines = [_t("notes.flags_rules", language, date=_date(result.after_date, language), term=term,
                name=rules_name)]
    flags = result.flags
    if flags.empty:
        lines.append(_t("notes.no_flags", language))
    else:
        people = flags["person_id"].dropna().nunique()
        titles = flags.loc[flags["person_id"].isna(), "title_id"].nunique()
        key = "notes.flags_count" if titles else "notes.flags_count_people"
        lines.append(_t(key, language, people=people, titles=titles, flags=len(flags)))
    return "\n\n".join(lines)


def targets_text(targets: pd.DataFrame, rules_name: str, language: str = "vi") -> str | None:
    """A note when the rule set has no targets (display only); None otherwise."""
    language = theme.check_language(language)
    return _t("notes.no_targets", language, name=rules_name) if targets.empty else None


def linkage_text(link: object, parent_id: str, problems: Sequence[str] = (), language: str = "vi") -> str:
    """How many lower units were compared and what the linkage found."""
    language = theme.check_language(language)
    head = link.headline()
    if not head["lower_units"]:
        lines = [_t("notes.linkage_none", language, id=parent_id)]
    else:
        lines = [_t("notes.linkage_counts", language, units=head["lower_units"],
                    without=head["upper_without_source"], upper=head["upper_people"],
                    nobody=head["lower_pools_feeding_nobody"]),
                 _t("notes.linkage_scope", language)]
    lines.extend(f"⚠ {p}" for p in problems)
    return "\n\n".join(lines)
