"""Figures of the trust-vote report ("lấy phiếu tín nhiệm").

Each function takes a table of `analysis.trust` first (the per-person table of `trust_table`), or of
`analysis.trust_rounds` (`low_share_bins`, `position_group_table`, `match_rounds`,
`vote_summary_table`), columns by their
names there, ``language`` ("vi" by default) and an optional ``title``; it returns a
`plotly.graph_objects.Figure` on the house template. Texts come from ``labels/<lang>/trust.yml``
and codes through `analysis.labels.code_label`.

Nothing here computes an analysis: the shares are drawn as the tables give them. The threshold
lines are drawn at the rule file's fractions (1/2 and 2/3 by default), passed in as numbers.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis import labels
from analysis.charts import theme
from analysis.errors import ParameterError

HIGH_COLOUR = theme.PASS_COLOUR
TRUST_COLOUR = theme.SECONDARY_COLOUR
LOW_COLOUR = theme.FAIL_COLOUR
LEVEL_COLOURS = {"high": HIGH_COLOUR, "trust": TRUST_COLOUR, "low": LOW_COLOUR,
                 "agree": HIGH_COLOUR, "disagree": LOW_COLOUR}
# not LOW_COLOUR: compare_votes shows levels and bands in one legend, "low" and "2/3 or more" must differ
BAND_COLOURS = {"none": theme.NEUTRAL_COLOUR, "over_half": theme.PALETTE[1], "two_thirds": theme.PALETTE[4]}
HALF, TWO_THIRDS = Fraction(1, 2), Fraction(2, 3)
ROW_HEIGHT = 40  # px per person in horizontal bar charts: names and 14 px bar texts stay legible


def _t(key: str, language: str, **values: object) -> str:
    return labels.text(f"trust.{key}", language, **values)


def _pct(value: object, language: str) -> str:
    return theme.format_percent(value, language)


def _lines(thresholds: tuple[Fraction, ...] | None) -> list[tuple[float, str]]:
    """Threshold values in percentage points with their labels ("1/2", "2/3")."""
    found = thresholds if thresholds is not None else (HALF, TWO_THIRDS)
    return [(float(Fraction(f) * 100), f"{Fraction(f).numerator}/{Fraction(f).denominator}") for f in found]


def _names(df: pd.DataFrame) -> list[str]:
    """One distinct axis label per row: the name, with the id when two rows share a name."""
    names = df["full_name"].fillna(df["person_id"]).fillna("?").astype(str).tolist()
    ids = df["person_id"].astype("object").tolist()
    seen = pd.Series(names).duplicated(keep=False).tolist()
    return [f"{n} ({i})" if dup and i is not None and not pd.isna(i) else n
            for n, i, dup in zip(names, ids, seen)]


def _one_vote(df: pd.DataFrame, conference_id: str | None) -> pd.DataFrame:
    theme.require_columns(df, ["conference_id", "form", "full_name", "person_id"], "trust table")
    if conference_id is not None:
        df = df[df["conference_id"] == conference_id]
    elif df["conference_id"].nunique() > 1:
        raise ParameterError("Cần chọn một hội nghị / choose one conference (conference_id=...)")
    return df


def _height(rows: int) -> int:
    return max(theme.HEIGHT, 200 + ROW_HEIGHT * rows)


def _diverging_heading(df: pd.DataFrame, conference_id: str | None, two: bool, language: str) -> str:
    """The default heading, naming the vote from the rows, else from the argument, else neither."""
    conf = df["conference_id"].iloc[0] if not df.empty else conference_id
    if conf is None:
        return _t("charts.diverging_empty", language)
    return _t("charts.diverging_two" if two else "charts.diverging", language, conference=conf)


def diverging_bars(df: pd.DataFrame, conference_id: str | None = None, language: str = "vi",
                   title: str | None = None, thresholds: tuple[Fraction, ...] | None = None,
                   agree_threshold: Fraction | None = None) -> go.Figure:
    """One vote: low share to the left, high (then trust) to the right, sorted by the high share.

    Two-level votes draw disagree left and agree right, with ``agree_threshold`` (default 1/2)
    on the right. ``thresholds`` are the low-share band bounds (default 1/2 and 2/3) drawn on
    the left. Tick labels and hover texts are absolute percentages; names in a band (two-level:
    not above the threshold) are bold. Texts too small for their bar are hidden (hover shows them).
    An empty vote is titled as a three-level one, with ``conference_id`` when given.
    """
    language = theme.check_language(language)
    df = _one_vote(df, conference_id)
    two = not df.empty and df["form"].eq("two_level").all()  # no rows: the form is unknown
    heading = title or _diverging_heading(df, conference_id, two, language)
    fig = go.Figure()
    if df.empty:
        return theme.finish(theme.no_data(fig, language), heading, language)
    left, right = ("disagree", ["agree"]) if two else ("low", ["high", "trust"])
    sort_level = right[0]
    df = df.assign(_label=_names(df)).sort_values([f"{sort_level}_pct", f"{left}_pct"],
                                                   ascending=[True, False], na_position="first")
    y = df["_label"].tolist()
    for level, sign in [(lv, 1) for lv in right] + [(left, -1)]:
        pct = df[f"{level}_pct"]
        hover = [f"<b>{n}</b><br>{labels.code_label('level', level, language)}: "
                 f"{_t('charts.hover_count', language, count=theme.format_count(c, language))}"
                 f" — {_pct(p, language)}" for n, c, p in zip(y, df[level], pct)]
        fig.add_trace(go.Bar(
            y=y, x=[None if pd.isna(p) else sign * float(p) for p in pct], orientation="h",
            name=labels.code_label("level", level, language), marker_color=LEVEL_COLOURS[level],
            text=[_pct(p, language) if not pd.isna(p) else "" for p in pct], textangle=0,
            # at the base, by the 0 line: clear of the 1/2 and 2/3 lines a middle would meet
            textposition="inside", insidetextanchor="start", hovertext=hover, hoverinfo="text",
        ))
    vals, text = theme.absolute_ticks(100, language, count=4)
    lines = _lines((agree_threshold or HALF,)) if two else _lines(thresholds)
    for value, label in lines:
        theme.add_threshold(fig, value if two else -value, label, axis="x")
    if two:
        marked = df["agree_passed"].eq(False).fillna(False).tolist() if "agree_passed" in df else [False] * len(y)
    else:
        marked = df["low_band"].isin(["over_half", "two_thirds"]).tolist() if "low_band" in df else [False] * len(y)
    ticktext = [f"<b>{n}</b>" if b else n for n, b in zip(y, marked)]
    base = df["base"].dropna().iloc[0] if "base" in df and df["base"].notna().any() else None
    return theme.finish(
        fig, heading, language, barmode="relative",
        height=_height(len(y)), bargap=0.25, uniformtext=dict(minsize=14, mode="hide"),
        # legend top right of the whole figure, title top left: they never meet, however tall
        legend=dict(yref="container", y=0.995, yanchor="top", x=1, xanchor="right"),
        margin=dict(t=110),
        xaxis=dict(range=[-100, 100], tickvals=vals, ticktext=[f"{t} %" for t in text],
                   title=_t("charts.share_axis", language,
                            base=labels.code_label("base", base, language).lower() if base else "?")),
        yaxis=dict(categoryorder="array", categoryarray=y, tickvals=y, ticktext=ticktext, showgrid=False),
    )


def low_share_distribution(bins: pd.DataFrame, language: str = "vi", title: str | None = None,
                           thresholds: tuple[Fraction, ...] | None = None) -> go.Figure:
    """How many people per band of the low share (bars per bin), one colour per vote, 1/2 and 2/3 lines.

    ``bins`` is `analysis.trust_rounds.low_share_bins`: [conference_id, bin_from, bin_to, people],
    with from_included / to_included when known (else each bin holds its start, not its end). Each
    bar spans its bin, side by side per vote: bins cut at a threshold keep their bars off its line.
    """
    language = theme.check_language(language)
    theme.require_columns(bins, ["conference_id", "bin_from", "bin_to", "people"], "low_share_bins")
    heading = title or _t("charts.distribution", language)
    fig = go.Figure()
    if bins.empty:
        return theme.finish(theme.no_data(fig, language), heading, language)
    votes = list(dict.fromkeys(bins["conference_id"]))
    for n, (conf, g) in enumerate(bins.groupby("conference_id", sort=False)):
        start, end = g["bin_from"].astype(float), g["bin_to"].astype(float)
        starts_in = g["from_included"].tolist() if "from_included" in g else [True] * len(g)
        ends_in = g["to_included"].tolist() if "to_included" in g else [False] * len(g)
        share = (end - start) * (1 - theme.BIN_GAP) / len(votes)  # of the bin, for each vote's bar
        hover = [_t("charts.bin_hover", language, conference=conf, people=theme.format_count(p, language),
                    range=theme.format_range(a, b, language, bool(a_in), bool(b_in)))
                 for a, b, a_in, b_in, p in zip(start, end, starts_in, ends_in, g["people"])]
        fig.add_trace(go.Bar(x=start.tolist(), y=g["people"].tolist(), name=str(conf),
                             offset=((end - start) * theme.BIN_GAP / 2 + n * share).tolist(), width=share.tolist(),
                             marker_color=theme.PALETTE[n % len(theme.PALETTE)], hovertext=hover,
                             hoverinfo="text", opacity=0.85))
    for value, label in _lines(thresholds):
        theme.add_threshold(fig, value, label, axis="x")
    return theme.finish(
        fig, heading, language, barmode="overlay",
        xaxis=dict(range=[-theme.CORNER_ROOM, 100], tick0=0, dtick=10,
                   title=_t("charts.distribution_axis", language)),
        yaxis=dict(title=_t("charts.people_axis", language), rangemode="tozero", tick0=0,
                   dtick=max(1, math.ceil(theme.nice_step(float(bins["people"].max()), 4)))),
    )


def by_position_group(groups: pd.DataFrame, language: str = "vi", title: str | None = None) -> go.Figure:
    """Mean high / trust / low shares per position group, one panel per vote side by side.

    ``groups`` is `analysis.trust_rounds.position_group_table`.
    """
    language = theme.check_language(language)
    theme.require_columns(groups, ["conference_id", "position_group", "people", "high_pct", "trust_pct",
                                   "low_pct"], "position_group_table")
    heading = title or _t("charts.groups", language)
    confs = list(dict.fromkeys(groups["conference_id"]))
    if not confs:
        return theme.finish(theme.no_data(go.Figure(), language), heading, language)
    fig = make_subplots(rows=1, cols=len(confs), shared_yaxes=True, subplot_titles=[str(c) for c in confs],
                        horizontal_spacing=0.04)
    order = list(dict.fromkeys(groups["position_group"]))[::-1]
    names = {g: labels.code_label("position_group", g, language) for g in order}
    for col, conf in enumerate(confs, start=1):
        g = groups[groups["conference_id"] == conf].set_index("position_group").reindex(order)
        for level in ("high", "trust", "low"):
            pct = g[f"{level}_pct"]
            fig.add_trace(go.Bar(
                y=[names[k] for k in order], x=pct.tolist(), orientation="h",
                name=labels.code_label("level", level, language), marker_color=LEVEL_COLOURS[level],
                legendgroup=level, showlegend=col == 1,
                text=[_pct(p, language) if not pd.isna(p) else "" for p in pct], textangle=0,
                textposition="inside", insidetextanchor="middle",
                hovertext=[f"{names[k]} ({'' if pd.isna(n) else int(n)}): {_pct(p, language)}"
                           for k, n, p in zip(order, g["people"], pct)], hoverinfo="text",
            ), row=1, col=col)
        fig.update_xaxes(range=[0, 100], title_text=_t("charts.groups_axis", language), row=1, col=col)
    return theme.finish(fig, heading, language, barmode="stack",
                        height=_height(len(order) + 3), uniformtext=dict(minsize=14, mode="hide"),
                        legend=dict(y=-0.2, yanchor="top", x=0, xanchor="left"), margin=dict(b=130))


def rounds_slope(rounds: pd.DataFrame, language: str = "vi", title: str | None = None,
                 thresholds: tuple[Fraction, ...] | None = None, min_rounds: int = 2) -> go.Figure:
    """The low share of the same person in each round (a line per person), with 1/2 and 2/3 lines.

    ``rounds`` is `analysis.trust_rounds.match_rounds` (three-level rows are drawn); people seen in fewer
    than ``min_rounds`` votes are left out.
    """
    language = theme.check_language(language)
    theme.require_columns(rounds, ["person_key", "full_name", "conference_id", "round", "low_pct"],
                          "match_rounds")
    df = rounds[rounds["form"].eq("three_level") & rounds["low_pct"].notna()] if "form" in rounds else rounds
    counts = df.groupby("person_key")["conference_id"].transform("nunique")
    df = df[counts >= min_rounds].sort_values(["round"])
    heading = title or _t("charts.rounds", language)
    fig = go.Figure()
    if df.empty:
        return theme.finish(theme.no_data(fig, language), heading, language)
    order = df.drop_duplicates("conference_id").sort_values("round")["conference_id"].astype(str).tolist()
    band_rank = {"none": 0, "over_half": 1, "two_thirds": 2}
    for key, g in df.groupby("person_key", sort=False):
        name = str(g["full_name"].dropna().iloc[-1]) if g["full_name"].notna().any() else str(key)
        worst = max((band_rank.get(b, 0) for b in g.get("low_band", pd.Series(dtype=str)).dropna()), default=0)
        colour = list(band_rank)[worst]
        fig.add_trace(go.Scatter(
            x=g["conference_id"].astype(str).tolist(), y=g["low_pct"].astype(float).tolist(),
            mode="lines+markers", name=name, line=dict(color=BAND_COLOURS[colour], width=3 if worst else 1.5),
            marker=dict(size=9), opacity=1 if worst else 0.6, showlegend=bool(worst),
            hovertext=[f"<b>{name}</b><br>{c}: {_pct(p, language)}" for c, p in zip(g["conference_id"], g["low_pct"])],
            hoverinfo="text",
        ))
        if worst:
            fig.add_annotation(x=str(g["conference_id"].iloc[-1]), y=float(g["low_pct"].iloc[-1]), text=name,
                               xanchor="left", xshift=10, showarrow=False,
                               # a name ending near 1/2 or 2/3 stays legible over the line
                               bgcolor="rgba(255,255,255,0.8)", font=dict(color=BAND_COLOURS[colour]))
    for value, label in _lines(thresholds):
        theme.add_threshold(fig, value, label, axis="y")
    return theme.finish(
        fig, heading, language,
        xaxis=dict(type="category", categoryorder="array", categoryarray=order,
                   title=_t("charts.round_axis", language)),
        yaxis=dict(range=[0, 100], title=_t("charts.rounds_axis", language)),
        margin=dict(r=220),
    )


def compare_votes(summary: pd.DataFrame, by: str = "conference_id", language: str = "vi",
                  title: str | None = None) -> go.Figure:
    """Votes (or bodies, or years) side by side: mean shares (left) and people per band (right),
    both stacked.

    ``summary`` is `analysis.trust_rounds.vote_summary_table(table, by)`. Three-level votes are drawn
    (high / trust / low, bands none / over half / two thirds); a table with only two-level votes
    draws those (mean agree share, people above the threshold or not).
    """
    language = theme.check_language(language)
    theme.require_columns(summary, [by, "form", "people"], "vote_summary_table")
    heading = title or _t("charts.compare", language)
    three = summary["form"].eq("three_level").any()
    if three:
        shares, groups, group_codes = ("high", "trust", "low"), ("none", "over_half", "two_thirds"), "low_band"
        df = summary[summary["form"].eq("three_level")]
    else:
        shares, groups, group_codes = ("agree",), ("agreed", "not_agreed"), None
        df = summary[summary["form"].eq("two_level")]
    if df.empty:
        return theme.finish(theme.no_data(go.Figure(), language), heading, language)
    theme.require_columns(df, [f"{lv}_pct" for lv in shares] + list(groups), "vote_summary_table")
    keys = [labels.code_label("body", k, language) if by == "body" else str(k) for k in df[by]]
    # two-level: the one share is named by its panel's title, not in the legend, where its green
    # would stand beside the green of "people over 50 % agree"
    fig = make_subplots(rows=1, cols=2, subplot_titles=[_t("charts.compare_shares" if three else "charts.compare_agree_share",
                                                          language),
                                                       _t("charts.compare_bands" if three else "charts.compare_agreed",
                                                          language)],
                        horizontal_spacing=0.12)
    for level in shares:
        fig.add_trace(go.Bar(x=keys, y=df[f"{level}_pct"].tolist(), name=labels.code_label("level", level, language),
                             marker_color=LEVEL_COLOURS[level], legendgroup="levels", showlegend=bool(three),
                             text=[_pct(p, language) for p in df[f"{level}_pct"]], textposition="inside"),
                      row=1, col=1)
    colours = BAND_COLOURS if three else {"agreed": HIGH_COLOUR, "not_agreed": LOW_COLOUR}
    for group in groups:
        name = (labels.code_label(group_codes, group, language) if group_codes
                else labels.text(f"trust.columns.{group}", language))
        fig.add_trace(go.Bar(x=keys, y=df[group].tolist(), name=name, marker_color=colours[group],
                             legendgroup="bands", textangle=0, textposition="inside",
                             text=[theme.format_count(v, language) if v else "" for v in df[group]]),
                      row=1, col=2)
    fig.update_yaxes(rangemode="tozero")
    return theme.finish(fig, heading, language, barmode="stack",
                        height=theme.HEIGHT + 60, legend=dict(y=-0.18, yanchor="top", x=0, xanchor="left"))


# Tables for display ----------------------------------------------------------------------------

DISPLAY_CODES = {"low_band": "low_band", "form": "form", "base_source": "base_source",
                 "position_group": "position_group"}


def headers(df: pd.DataFrame, language: str = "vi") -> dict[str, str]:
    """Column headers of a trust table in ``language`` (``trust.columns.<column>``), for `ctx.table`."""
    language = theme.check_language(language)
    found = {}
    for column in df.columns:
        key = f"trust.columns.{column}"
        text = labels.text(key, language)
        if text != key:
            found[column] = text
    return found


def _flags_text(flags: object, language: str) -> str:
    if flags is None or pd.isna(flags) or not str(flags):
        return ""
    shown = []
    for flag in str(flags).split(";"):
        code, _, level = flag.partition(":")
        text = labels.code_label("trust_flag", code, language)
        shown.append(f"{text} ({labels.code_label('level', level, language)})" if level else text)
    return "; ".join(shown)


def display_table(df: pd.DataFrame, columns: list[str] | None = None, language: str = "vi") -> pd.DataFrame:
    """A copy of a trust table with codes shown as words (bands, forms, flags, groups, passed).

    Machines read the canonical CSV; this is only for the report's HTML tables.
    """
    language = theme.check_language(language)
    out = df[[c for c in (columns or df.columns) if c in df.columns]].copy()
    for column, codes in DISPLAY_CODES.items():
        if column in out:
            out[column] = [None if v is None or pd.isna(v) else labels.code_label(codes, v, language)
                           for v in out[column]]
    if "agree_passed" in out:
        out["agree_passed"] = [None if pd.isna(v) else labels.code_label("agree_passed", str(bool(v)), language)
                               for v in out["agree_passed"]]
    if "quorum_ok" in out:
        out["quorum_ok"] = out["quorum_ok"].astype(object).where(out["quorum_ok"].notna(), None)
    if "flags" in out:
        out["flags"] = [_flags_text(v, language) for v in out["flags"]]
    return out


def result_columns(df: pd.DataFrame) -> list[str]:
    """Columns of the per-person table worth showing, for the vote forms the table has."""
    columns = ["conference_id", "full_name"]
    if df["form"].eq("three_level").any() or not df["form"].eq("two_level").any():
        columns += ["high", "trust", "low"]
    if df["form"].eq("two_level").any():
        columns += ["agree", "disagree"]
    columns += ["base_count"]
    if df["form"].eq("three_level").any() or not df["form"].eq("two_level").any():
        columns += ["high_pct", "trust_pct", "low_pct", "low_band"]
    if df["form"].eq("two_level").any():
        columns += ["agree_pct", "agree_passed"]
    return columns + ["flags"]


def vote_table(df: pd.DataFrame, conference_id: str, language: str = "vi") -> pd.DataFrame:
    """The rows of one vote for display, sorted as its chart (high or agree share first), with the
    columns of its form and codes as words."""
    rows = df[df["conference_id"] == conference_id]
    first = "agree_pct" if rows["form"].eq("two_level").all() and len(rows) else "high_pct"
    rows = rows.sort_values(first, ascending=False, na_position="last", kind="stable")
    columns = [c for c in result_columns(rows) if c != "conference_id"]
    return display_table(rows, ["full_name", "position", *columns[1:]], language).reset_index(drop=True)
