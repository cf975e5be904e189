"""Figures of the introduction-ballot report ("phiếu giới thiệu").

Each function takes a table of `analysis.ballots` first (`tally`, `accounting`, the invalid
counts, `steps_table`, `flows_table`, `passed_composition`), columns by their names there,
``language`` ("vi" by default) and an optional ``title``; it returns a `go.Figure` on the house
template. Texts come from ``labels/<lang>/ballots.yml``. Nothing here computes an analysis:
pass/fail, ranks, the cut-off and ties are drawn as `analysis.ballots` decided them.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis import labels, share_bins
from analysis.charts import margins, theme
from analysis.errors import ParameterError

OUTCOME_COLOURS = {
    "in_places": theme.PASS_COLOUR,
    "tie_at_cutoff": theme.PALETTE[1],
    "beyond_places": theme.SECONDARY_COLOUR,
    "below_threshold": theme.NEUTRAL_COLOUR,
}
STATUS_COLOURS = {
    "passed": theme.PASS_COLOUR, "kept": theme.PASS_COLOUR, "added": theme.PALETTE[0],
    "dropped": theme.FAIL_COLOUR, "not_passed": theme.NEUTRAL_COLOUR,
}
STATUS_MARKS = {"passed": "✓", "kept": "✓", "added": "+", "dropped": "✗", "not_passed": ""}
STAGES = ("convened", "present", "ballots_issued", "ballots_collected")
REASON_COLOURS = dict(zip(("unknown_title", "too_many_names", "duplicate_name", "unnamed"), theme.PALETTE[1:]))
ROW_HEIGHT = 34  # px per bar: names stay legible on a projector
HEATMAP_ROW_HEIGHT = 30  # px per person in the steps heatmap
# People per steps heatmap: a figure fits an A4 page printed at full size under a section heading
# (print.js: 1000 px wide → 700, on a page 960 px high less 80 for the heading), so no page break
# cuts a row in two or leaves the rows after it without the steps' headings
HEATMAP_ROWS = 36
# Cell values in black: at least 5.4:1 against every colour of the scale (plotly's own pick, white
# or grey by the cell, falls to 2.8:1), and no colour worked out cell by cell as the page opens
HEATMAP_TEXT_COLOUR = "#000000"


def _t(key: str, language: str, **values: object) -> str:
    return labels.text(f"ballots.{key}", language, **values)


def _code(group: str, code: object, language: str) -> str:
    key = f"ballots.codes.{group}.{code}"
    found = labels.text(key, language)
    return str(code) if found == key else found


def _pct(value: object, language: str) -> str:
    return theme.format_percent(value, language)


def _translucent(colour: str, alpha: float = 0.35) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _top_legend(height: int) -> dict:
    """Layout for a legend under the title, a fixed distance from the top whatever the height."""
    layout = margins.legend_under_title(height)
    layout["legend"]["traceorder"] = "normal"
    return layout


def _height(rows: int, per_row: int = ROW_HEIGHT) -> int:
    return max(theme.HEIGHT, 180 + per_row * rows)


def _names(df: pd.DataFrame, name: str = "full_name") -> list[str]:
    """One distinct axis label per row: the name, with the id when two rows share a name."""
    names = df[name].astype("object").where(df[name].notna(), "?").astype(str).tolist()
    ids = df["person_id"].astype("object").tolist() if "person_id" in df else [None] * len(names)
    dup = pd.Series(names).duplicated(keep=False).tolist()
    return [f"{n} ({i})" if d and i is not None and not pd.isna(i) else n for n, i, d in zip(names, ids, dup)]


def _pass_line(fig: go.Figure, threshold: float, language: str) -> None:
    """The pass line, labelled under the axis (the legend sits above the plot)."""
    theme.add_threshold(fig, threshold, None, axis="x")
    fig.add_annotation(
        x=threshold, xref="x", y=0, yref="paper", yanchor="top", yshift=-2, showarrow=False,
        text=f"<b>{_t('charts.threshold', language, pct=theme.format_number(threshold, language))}</b>",
        font=dict(color=theme.LINE_COLOUR), bgcolor="white",
    )


def _one_title(df: pd.DataFrame, conference_id: str | None, title_id: str | None) -> pd.DataFrame:
    if conference_id is not None:
        df = df[df["conference_id"] == conference_id]
    if title_id is not None:
        df = df[df["title_id"] == title_id]
    if len(df[["conference_id", "title_id"]].drop_duplicates()) > 1:
        raise ParameterError(
            "Cần chọn một hội nghị và một chức danh / choose one conference and one title "
            "(conference_id=..., title_id=...)"
        )
    return df


def _title_bars_heading(sel: pd.DataFrame, conference_id: str | None, title_id: str | None, language: str) -> str:
    """The default heading: the title's name and the conference from the rows, else from the
    arguments (an empty table), else a heading without them."""
    if not sel.empty:
        name = sel["title"].iloc[0] if "title" in sel else sel["title_id"].iloc[0]
        return _t("charts.title_bars", language, title=name, conference=sel["conference_id"].iloc[0])
    if conference_id is not None and title_id is not None:
        return _t("charts.title_bars", language, title=title_id, conference=conference_id)
    known = title_id if title_id is not None else conference_id
    if known is None:
        return _t("charts.title_bars_empty", language)
    return _t("charts.title_bars_one", language, subject=known)


def title_bars(
    df: pd.DataFrame,
    conference_id: str | None = None,
    title_id: str | None = None,
    *,
    name: str = "full_name",
    votes: str = "votes",
    pct: str = "pct",
    rank: str = "rank",
    outcome: str = "outcome",
    places: str = "places",
    threshold: float = 50.0,
    language: str = "vi",
    title: str | None = None,
) -> go.Figure:
    """One title at one conference: bars sorted by votes, the pass line and the cut-off marked.

    Colours give the outcome (within the places, tied on the last place, over the line but
    beyond the places, not over the line); a dashed line below the last place, labelled as a
    tie when the last place is tied. An empty selection is titled from ``conference_id`` and
    ``title_id`` as far as they are given.
    """
    language = theme.check_language(language)
    theme.require_columns(df, ["conference_id", "title_id", name, votes, pct, rank, outcome, places], "tally")
    sel = _one_title(df, conference_id, title_id).sort_values(rank, kind="stable")  # ties keep the table order
    heading = title or _title_bars_heading(sel, conference_id, title_id, language)
    fig = go.Figure()
    if sel.empty:
        return theme.finish(theme.no_data(fig, language), heading, language)
    unknown = sorted({str(code) for code in sel[outcome] if code not in OUTCOME_COLOURS})
    if unknown:  # a row of no known outcome would have no bar: refuse rather than leave someone out
        raise ParameterError(f"Cột {outcome!r}: kết quả không rõ / unknown outcome {', '.join(unknown)} "
                             f"(biết / known: {', '.join(OUTCOME_COLOURS)})")
    y = _names(sel, name)
    for code, colour in OUTCOME_COLOURS.items():
        part = sel[sel[outcome] == code]
        if part.empty:
            continue
        ys = [label for label, keep in zip(y, (sel[outcome] == code).tolist()) if keep]
        texts = [_t("charts.bar_text", language, votes=theme.format_count(v, language), pct=_pct(p, language))
                 for v, p in zip(part[votes], part[pct])]
        hover = [f"<b>{n}</b><br>" + _t("charts.hover", language, votes=theme.format_count(v, language),
                                        pct=_pct(p, language), rank=r)
                 for n, v, p, r in zip(ys, part[votes], part[pct], part[rank])]
        fig.add_trace(go.Bar(
            y=ys, x=[float(p) for p in part[pct]], orientation="h", name=_code("outcome", code, language),
            marker_color=colour, text=texts, hovertext=hover, hoverinfo="text",
            # inside at the base, by the names, clear of the pass line an end would meet; after
            # an empty bar ("0 phiếu · 0 %"), which plotly's "auto" would leave bare
            textposition=["auto" if p > 0 else "outside" for p in part[pct]], insidetextanchor="start",
        ))
    _pass_line(fig, threshold, language)
    n_places = sel[places].iloc[0]
    # The cut-off is drawn when someone over the line is left out or tied on the last place;
    # otherwise the pass line already separates the names.
    squeezed = sel[outcome].isin(["beyond_places", "tie_at_cutoff"]).any()
    if pd.notna(n_places) and squeezed:
        over = sel[outcome] != "below_threshold"
        within = int((over & (sel[rank] <= n_places)).sum())  # a tied group stays above the line
        if 0 < within < len(sel):
            tie = (sel[outcome] == "tie_at_cutoff").any()
            fig.add_shape(type="line", xref="paper", x0=0, x1=1, yref="y", y0=within - 0.5, y1=within - 0.5,
                          line=dict(color=theme.LINE_COLOUR, width=2, dash="dot"))
            fig.add_annotation(xref="paper", x=1, xanchor="right", yref="y", y=within - 0.5, yanchor="bottom",
                               text=_t("charts.cutoff_tie" if tie else "charts.cutoff", language, places=int(n_places)),
                               showarrow=False, bgcolor="rgba(255,255,255,0.8)",
                               font=dict(color=theme.LINE_COLOUR, size=theme.NOTE_FONT_SIZE))
    base = sel["base"].iloc[0] if "base" in sel else None
    count = sel["base_count"].iloc[0] if "base_count" in sel else None
    height = _height(len(sel))
    return theme.finish(
        fig, heading, language, height=height, bargap=0.25, **_top_legend(height),
        yaxis=dict(categoryorder="array", categoryarray=y, autorange="reversed", title=None),
        xaxis=dict(range=[0, 105], ticksuffix=" %",
                   title=_t("charts.pct_axis", language, base=labels.code_label("base", base, language),
                            count=theme.format_count(count, language))),
    )


def title_bars_all(
    df: pd.DataFrame, step: int | None = None, language: str = "vi", **options: object
) -> list[go.Figure]:
    """:func:`title_bars` for every conference and title of ``df`` (only those at ``step`` when
    given), in the table's order."""
    if step is not None:
        df = df[df["step"] == step]
    keys = df[["conference_id", "title_id"]].drop_duplicates().itertuples(index=False)
    return [title_bars(df, c, t, language=language, **options) for c, t in keys]


def share_histogram(
    df: pd.DataFrame, pct: str = "pct", passed: str = "passed", threshold: float = 50.0, bin_size: int = 5,
    language: str = "vi", title: str | None = None,
) -> go.Figure:
    """How vote shares spread: stacked bars per bin, over the line against not, with the pass line.

    Bins are `analysis.share_bins`'s, cut at the threshold too (a "more than" bound): a share of
    exactly the threshold, or one rounded onto it, is drawn on the side its result (``passed``) says.
    """
    language = theme.check_language(language)
    theme.require_columns(df, [pct, passed], "tally")
    heading = title or _t("charts.distribution", language)
    fig = go.Figure()
    if df.empty:
        return theme.finish(theme.no_data(fig, language), heading, language)
    bins = share_bins.make_bins([share_bins.bound(threshold, strict=True)], bin_size)
    shown = df[df[pct].notna()]
    totals = [0] * len(bins)
    for flag, code, colour in ((True, "passed", theme.PASS_COLOUR), (False, "not_passed", theme.NEUTRAL_COLOUR)):
        rows = shown[shown[passed].fillna(False).astype(bool) == flag]
        counts = share_bins.count(rows[pct].astype(float), bins, zones=[int(flag)] * len(rows))
        totals = [a + b for a, b in zip(totals, counts)]
        name = _code("composition_outcome", code, language)
        hover = [f"<b>{name}</b><br>{theme.format_range(b.start, b.end, language, b.start_included, b.end_included)}"
                 f": {theme.format_count(c, language)}" for b, c in zip(bins, counts)]
        fig.add_trace(go.Bar(
            x=[float(b.start) for b in bins], y=counts, name=name, marker_color=colour,
            offset=[float(b.end - b.start) * theme.BIN_GAP / 2 for b in bins],
            width=[float(b.end - b.start) * (1 - theme.BIN_GAP) for b in bins], hovertext=hover, hoverinfo="text",
        ))
    _pass_line(fig, threshold, language)
    return theme.finish(
        fig, heading, language, barmode="stack",
        xaxis=dict(range=[-theme.CORNER_ROOM, 100 + theme.CORNER_ROOM], ticksuffix=" %",
                   title=_t("charts.distribution_axis", language)),
        yaxis=dict(title=_t("charts.people_axis", language), **theme.count_axis(float(max(totals)))),
    )


def accounting_bars(
    df: pd.DataFrame, quorum: str = "2/3", per_row: int = 3, language: str = "vi", title: str | None = None
) -> go.Figure:
    """Per conference (one panel each, ``per_row`` to a row): horizontal bars convened → present →
    issued → collected → valid / invalid (stacked), with the quorum as a line. ``quorum`` is the
    rule's fraction as text, for the line's label."""
    language = theme.check_language(language)
    needed = ["conference_id", *STAGES, "ballots_valid", "ballots_invalid", "quorum_required"]
    theme.require_columns(df, needed, "accounting")
    heading = title or _t("charts.accounting", language)
    if df.empty:
        return theme.finish(theme.no_data(go.Figure(), language), heading, language)
    cols = min(len(df), per_row)
    rows = -(-len(df) // cols)
    height = max(theme.HEIGHT, 180 + 330 * rows)
    fig = make_subplots(rows=rows, cols=cols, shared_yaxes=True, horizontal_spacing=0.04,
                        vertical_spacing=130 / height)
    last = _t("charts.valid_invalid", language).replace("<br>", " ")
    order = [_code("stage", s, language) for s in STAGES] + [last]
    for i, row in enumerate(df.to_dict("records")):
        at = dict(row=i // cols + 1, col=i % cols + 1)
        fig.update_xaxes(title_text=f"<b>{row['conference_id']}</b>", **at)  # the panel's name, under it
        stages = [s for s in STAGES if pd.notna(row[s])]
        fig.add_trace(go.Bar(
            y=[_code("stage", s, language) for s in stages], x=[int(row[s]) for s in stages], orientation="h",
            marker_color=theme.PALETTE[0], showlegend=False,
            text=[theme.format_count(row[s], language) for s in stages], textposition="auto",
        ), **at)
        for stage, colour in (("ballots_valid", theme.PASS_COLOUR), ("ballots_invalid", theme.FAIL_COLOUR)):
            if pd.notna(row[stage]):
                fig.add_trace(go.Bar(
                    y=[last], x=[int(row[stage])], orientation="h", name=_code("stage", stage, language),
                    marker_color=colour, text=[theme.format_count(row[stage], language)], textposition="auto",
                    showlegend=i == 0, legendgroup=stage,
                ), **at)
        if pd.notna(row["quorum_required"]):
            line = _t("charts.quorum_line", language, quorum=quorum,
                      count=theme.format_count(row["quorum_required"], language))
            theme.add_threshold(fig, float(row["quorum_required"]), line, axis="x", **at)
    fig.update_xaxes(rangemode="tozero")
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    layout = _top_legend(height)
    layout["margin"] = dict(t=140)  # room for the quorum labels
    return theme.finish(fig, heading, language, barmode="stack",
                        height=height, **layout)


def invalid_bars(
    df: pd.DataFrame, title_column: str = "title", language: str = "vi", title: str | None = None
) -> go.Figure:
    """Ballots invalid for each title, stacked by reason (aggregated counts only)."""
    language = theme.check_language(language)
    theme.require_columns(df, ["conference_id", "title_id", "reason", "ballots"], "invalid ballots")
    heading = title or _t("charts.invalid", language)
    fig = go.Figure()
    if df.empty:
        return theme.finish(theme.no_data(fig, language), heading, language)
    names = df[title_column] if title_column in df else df["title_id"]
    rows = (names.astype("object").where(names.notna(), df["title_id"]).astype(str)
            + " — " + df["conference_id"].astype(str))
    order = list(dict.fromkeys(rows))
    for reason in df["reason"].drop_duplicates():
        mask = (df["reason"] == reason).tolist()
        part = df[mask]
        fig.add_trace(go.Bar(
            y=[r for r, m in zip(rows, mask) if m], x=part["ballots"].astype(int).tolist(), orientation="h",
            name=_code("reason", reason, language), marker_color=REASON_COLOURS.get(reason, theme.NEUTRAL_COLOUR),
            text=[theme.format_count(v, language) for v in part["ballots"]], textposition="auto",
        ))
    return theme.finish(
        fig, heading, language, barmode="stack", height=_height(len(order)),
        yaxis=dict(categoryorder="array", categoryarray=order, autorange="reversed", title=None),
        xaxis=dict(title=_t("charts.ballots_axis", language), **theme.count_axis(float(df["ballots"].max()))),
        **_top_legend(_height(len(order))),
    )


def steps_heatmap(
    df: pd.DataFrame, pool_only: bool = True, language: str = "vi", title: str | None = None
) -> go.Figure:
    """Persons × steps: each cell the share at that step (green over 50 %, red under), marked
    ✓ kept / ✗ dropped / + added. ``pool_only`` leaves out people who never passed a step.
    Everyone in one figure; :func:`steps_heatmaps` cuts it to the printed page."""
    return steps_heatmaps(df, pool_only, language, title, per_figure=None)[0]


def steps_heatmaps(
    df: pd.DataFrame, pool_only: bool = True, language: str = "vi", title: str | None = None,
    per_figure: int | None = HEATMAP_ROWS,
) -> list[go.Figure]:
    """:func:`steps_heatmap` in figures of at most ``per_figure`` people (``None``: one figure), in
    the same order, cut between two titles where that keeps them within ``per_figure``, else as
    even as can be; each with the steps on top, titled "… (1/2)", "… (2/2)"."""
    language = theme.check_language(language)
    theme.require_columns(df, ["person_id", "full_name", "title_id", "step", "pct", "status"], "steps")
    if pool_only and not df.empty:
        entered = df[df["status"] != "not_passed"][["person_id", "full_name", "title_id"]].drop_duplicates()
        df = df.merge(entered, on=["person_id", "full_name", "title_id"])
    heading = title or _t("charts.heatmap", language)
    if df.empty:
        return [theme.finish(theme.no_data(go.Figure(), language), heading, language)]
    title_names = df["title"] if "title" in df else df["title_id"]
    df = df.assign(_row=df["full_name"].astype(str) + " — " + title_names.astype(str))
    steps = sorted(df["step"].dropna().unique())
    first = df[df["step"] == steps[0]].set_index("_row")["pct"]
    title_order = {t: i for i, t in enumerate(dict.fromkeys(df["title_id"]))}  # as the tally lists them
    rows = list(dict.fromkeys(
        df.assign(_first=df["_row"].map(first), _title=df["title_id"].map(title_order))
        .sort_values(["_title", "_first"], ascending=[True, False], na_position="last", kind="stable")["_row"]
    ))
    cells = df.set_index(["_row", "step"])
    z, text, hover = [], [], []
    for r in rows:
        zr, tr, hr = [], [], []
        for s in steps:
            cell = cells.loc[(r, s)] if (r, s) in cells.index else None
            p = None if cell is None or pd.isna(cell["pct"]) else float(cell["pct"])
            status = None if cell is None else cell["status"]
            zr.append(p)
            mark = STATUS_MARKS.get(status, "") if status else ""
            tr.append(f"{_pct(p, language) if p is not None else '—'} {mark}".strip() if status else "")
            hr.append(_pct(p, language) + (f"<br>{_code('status', status, language)}" if status else ""))
        z.append(zr), text.append(tr), hover.append(hr)
    row_title = dict(zip(df["_row"], df["title_id"]))
    parts = _parts([row_title[r] for r in rows], per_figure)
    columns = [_t("step", language, step=s) for s in steps]
    figures = []
    for k, cut in enumerate(parts):
        fig = go.Figure(go.Heatmap(
            z=z[cut], x=columns, y=rows[cut], text=text[cut],
            texttemplate="%{text}", textfont=dict(color=HEATMAP_TEXT_COLOUR), customdata=hover[cut],
            # the row's name and the step from the axes: not written again in every cell of the page
            hovertemplate="<b>%{y}</b><br>%{x}: %{customdata}<extra></extra>",
            zmin=0, zmax=100, xgap=2, ygap=2,
            colorscale=[[0, theme.FAIL_COLOUR], [0.5, "#FFFFFF"], [1, theme.PASS_COLOUR]],
            colorbar=dict(title=dict(text=_t("charts.heatmap_colour", language), side="right"), ticksuffix=" %"),
        ))
        figures.append(theme.finish(
            fig, heading if len(parts) == 1 else f"{heading} ({k + 1}/{len(parts)})", language,
            height=_height(len(rows[cut]), HEATMAP_ROW_HEIGHT),
            yaxis=dict(autorange="reversed", showgrid=False), xaxis=dict(side="top", showgrid=False),
        ))
    return figures


def _parts(groups: list[object], limit: int | None) -> list[slice]:
    """Cut rows, given by their groups in order, into as few parts of at most ``limit`` rows as
    can be: each cut where the group changes when such a place keeps every part within ``limit``
    (the nearest to an even cut), else where the parts come out even."""
    n = len(groups)
    if limit is None or n <= limit:
        return [slice(0, n)]
    limit = max(1, limit)
    changes = [i for i in range(1, n) if groups[i] != groups[i - 1]]
    cuts, start = [], 0
    for after in range(-(-n // limit) - 1, 0, -1):  # parts still to come after this one
        even = start + round((n - start) / (after + 1))
        fits = [c for c in changes if start < c <= start + limit and n - c <= after * limit]
        start = min(fits, key=lambda c: (abs(c - even), c)) if fits else even
        cuts.append(start)
    bounds = [0, *cuts, n]
    return [slice(a, b) for a, b in zip(bounds, bounds[1:])]


def pool_sankey(df: pd.DataFrame, language: str = "vi", title: str | None = None) -> go.Figure:
    """The pool through the steps: links from one step's status to the next (person × title)."""
    language = theme.check_language(language)
    theme.require_columns(df, ["step", "status", "next_step", "next_status", "count"], "flows")
    heading = title or _t("charts.sankey", language)
    fig = go.Figure()
    if df.empty:
        return theme.finish(theme.no_data(fig, language), heading, language)
    ends = pd.concat([
        df[["step", "status"]], df[["next_step", "next_status"]].set_axis(["step", "status"], axis=1)
    ]).drop_duplicates()
    order = {s: i for i, s in enumerate(STATUS_COLOURS)}
    ends = ends.assign(_o=ends["status"].map(order)).sort_values(["step", "_o"])
    nodes = {(s, st): i for i, (s, st) in enumerate(zip(ends["step"], ends["status"]))}
    # each node with its count (what flows in, or out of the first step): legible without hovering
    counts = df["count"].astype(int)
    out_of = counts.groupby([df["step"], df["status"]]).sum().to_dict()
    into = counts.groupby([df["next_step"], df["next_status"]]).sum().to_dict()
    node_labels = [f"{_t('step', language, step=s)}: {_code('status', st, language)} "
                   f"({theme.format_count(max(out_of.get((s, st), 0), into.get((s, st), 0)), language)})"
                   for s, st in nodes]
    # Nodes in one column per step (plotly would push a dead end to the far right otherwise).
    steps = sorted(ends["step"].unique())
    column = {s: 0.01 + 0.98 * i / max(len(steps) - 1, 1) for i, s in enumerate(steps)}
    slot = ends.groupby("step").cumcount().tolist()
    per_step = ends.groupby("step")["status"].transform("size").tolist()
    fig.add_trace(go.Sankey(
        arrangement="snap",
        node=dict(label=node_labels, color=[STATUS_COLOURS.get(st, theme.NEUTRAL_COLOUR) for _, st in nodes],
                  x=[column[s] for s, _ in nodes], y=[0.05 + 0.9 * (k + 0.5) / n for k, n in zip(slot, per_step)],
                  pad=24, thickness=22),
        link=dict(
            source=[nodes[(s, st)] for s, st in zip(df["step"], df["status"])],
            target=[nodes[(s, st)] for s, st in zip(df["next_step"], df["next_status"])],
            value=df["count"].astype(int).tolist(),
            color=[_translucent(STATUS_COLOURS.get(st, theme.NEUTRAL_COLOUR)) for st in df["next_status"]],
        ),
    ))
    return theme.finish(fig, heading, language)


def composition_bars(
    df: pd.DataFrame, column: str = "age_band", count: str = "count", pct: str = "pct",
    language: str = "vi", title: str | None = None,
) -> go.Figure:
    """Those over 50 % against the others, by ``column`` (age band, gender…): % within each group."""
    language = theme.check_language(language)
    theme.require_columns(df, ["outcome", column, count, pct], "composition")
    what = _t(f"charts.composition_columns.{column}", language)
    what = column if what == f"ballots.charts.composition_columns.{column}" else what
    heading = title or _t("charts.composition", language, column=what)
    fig = go.Figure()
    if df.empty:
        return theme.finish(theme.no_data(fig, language), heading, language)
    for code, colour in (("passed", theme.PASS_COLOUR), ("not_passed", theme.NEUTRAL_COLOUR)):
        part = df[df["outcome"] == code]
        fig.add_trace(go.Bar(
            x=[labels.code_label(column, v, language) for v in part[column]], y=part[pct].astype(float).tolist(),
            name=_code("composition_outcome", code, language), marker_color=colour,
            text=[f"{theme.format_count(c, language)} ({_pct(p, language)})" for c, p in zip(part[count], part[pct])],
            textposition="outside", textangle=0, cliponaxis=False,
        ))
    return theme.finish(
        fig, heading, language, barmode="group",
        yaxis=dict(title=_t("charts.composition_axis", language), ticksuffix=" %", rangemode="tozero"),
        xaxis=dict(title=None),
    )


# Tables and notes for the report ---------------------------------------------------------------

_CODE_GROUPS = ("outcome", "reason", "status", "kind")
_YES_NO = ("passed", "tie_at_cutoff", "in_places", "quorum_met")


def labelled(df: pd.DataFrame, language: str = "vi") -> pd.DataFrame:
    """A copy of a ballots table for people: codes as texts, yes/no, headers in ``language``.

    For display only (``ctx.table``); the CSV keeps the canonical codes and column names.
    """
    language = theme.check_language(language)
    out = df.copy()
    for column in out.columns:
        values = out[column].astype("object")
        if column in _CODE_GROUPS:
            out[column] = [None if pd.isna(v) else _code(column, v, language) for v in values]
        elif column in _YES_NO and pd.api.types.is_bool_dtype(out[column]):  # counts keep their numbers
            out[column] = [None if pd.isna(v) else _code("yes_no", bool(v), language) for v in values]
        elif column in ("base", "body"):
            out[column] = [None if pd.isna(v) else labels.code_label(column, v, language) for v in values]
        elif column == "step":
            out[column] = [None if pd.isna(v) else _t("step", language, step=int(v)) for v in values]
    headers = {c: _t(f"columns.{c}", language) for c in out.columns}
    return out.rename(columns={c: (c if h == f"ballots.columns.{c}" else h) for c, h in headers.items()})


def tie_items(df: pd.DataFrame, language: str = "vi") -> str:
    """"Title (conference): A, B, C — 7 votes; …" for every tie on a last place, or ""."""
    theme.require_columns(df, ["conference_id", "title_id", "full_name", "votes", "tie_at_cutoff"], "tally")
    tied = df[df["tie_at_cutoff"].fillna(False).astype(bool)]
    items = []
    for (conference, title_id), group in tied.groupby(["conference_id", "title_id"], sort=False):
        name = group["title"].iloc[0] if "title" in group else title_id
        votes = _t("charts.bar_text", language, votes=theme.format_count(group["votes"].iloc[0], language),
                   pct=_pct(group["pct"].iloc[0], language)) if "pct" in group else group["votes"].iloc[0]
        items.append(f"{name} ({conference}): {', '.join(map(str, group['full_name']))} — {votes}")
    return "; ".join(items)
