"""The house template: fonts, colours and sizes legible on a meeting-room projector.

Every figure in `analysis.charts` is built with ``template=TEMPLATE``; `finish()` applies the
title, the language's number separators and common layout so each chart function stays short.

This module is the single place for fonts, colours and sizes. It also holds the small helpers
every chart module shares: language and column check, number formatting (Vietnamese ``1.234,5``,
English ``1,234.5``), coded categories (order with the missing one last and grey, totals, distinct
labels), symmetric absolute ticks (pyramids), threshold lines, pass/fail tables, bar chart heights
and the "no data" figure. Number separators come from the labels (``common.decimal_separator``,
``common.thousands_separator``), so a new language stays a new label folder, not code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analysis import labels
from analysis.charts.contrast import legible_inside_text
from analysis.charts.margins import (
    reserve_label_margins, reserve_legend_row, reserve_text_margin, values_clear_of_lines,
)
from analysis.errors import ParameterError

TEMPLATE = "quyhoach"

FONT_FAMILY = "Noto Sans, Segoe UI, Arial, sans-serif"
BASE_FONT_SIZE = 16  # readable from the back of a meeting room
TITLE_FONT_SIZE = 22
NOTE_FONT_SIZE = 14  # footnotes under a figure; the smallest text we show
WIDTH = 1000
HEIGHT = 560
MARGIN = dict(l=80, r=40, t=80, b=60)  # px; finish() widens the left one for long labels
BIN_GAP = 0.1  # of a distribution bin's width left empty, half each side: neighbouring bars stay apart
CORNER_ROOM = 2.5  # percentage points left of 0 on a 0–100 % x axis: its "0 %" then clears the y axis's "0"
TEXT_COLOUR = "#222222"

# Colour-blind-safe (Okabe–Ito); strong enough for a washed-out projector.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
GENDER_COLOURS = {"male": "#0072B2", "female": "#D55E00"}
PASS_COLOUR = "#009E73"
FAIL_COLOUR = "#D55E00"
NEUTRAL_COLOUR = "#7F7F7F"
LINE_COLOUR = "#333333"  # threshold lines (50 %, 2/3 …)
MISSING_COLOUR = "#BBBBBB"  # "(unknown)" categories
MAJORITY_COLOUR = "#0072B2"  # e.g. Kinh
MINORITY_COLOUR = "#E69F00"  # e.g. ethnic minorities
SECONDARY_COLOUR = "#56B4E9"  # lighter companion of PALETTE[0] (detail rows under a total)

# Tables (go.Table)
HEADER_FILL = "#DDE6EE"
ROW_FILL = "white"
LINE_GREY = "#CCCCCC"
TABLE_HEADER_HEIGHT = 44
TABLE_ROW_HEIGHT = 40
RESULT_MARKS = {True: "✓", False: "✗", None: "—"}  # passed / failed / display only
RESULT_COLOURS = {True: PASS_COLOUR, False: FAIL_COLOUR, None: NEUTRAL_COLOUR}
RESULT_FILLS = {True: "#E3F3EE", False: "#FBE7DC", None: "#F2F2F2"}
NOTE_MARK = "*"  # after a value that is remembered [M], not confirmed against the text


def _build_template() -> go.layout.Template:
    template = go.layout.Template()
    # a value written outside its bar has room there: never shrink it to the bar's width (inside
    # values still shrink, and uniformtext leaves out those too small to read)
    template.data.bar = [go.Bar(constraintext="inside")]
    template.data.waterfall = [go.Waterfall(constraintext="inside")]
    template.layout = go.Layout(
        font=dict(family=FONT_FAMILY, size=BASE_FONT_SIZE, color=TEXT_COLOUR),
        title=dict(font=dict(size=TITLE_FONT_SIZE), x=0.0, xanchor="left"),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        width=WIDTH,
        height=HEIGHT,
        margin=MARGIN,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1.0),
        # automargin keeps tick labels inside the figure, so plotly.js need not measure each one
        # again to hide those past its edge (its default on number axes): about 5 ms a chart
        xaxis=dict(showgrid=True, gridcolor="#E5E5E5", zerolinecolor="#999999", automargin=True,
                   ticklabeloverflow="allow"),
        yaxis=dict(showgrid=True, gridcolor="#E5E5E5", zerolinecolor="#999999", automargin=True,
                   ticklabeloverflow="allow"),
        hoverlabel=dict(font=dict(size=BASE_FONT_SIZE)),
        # a value that fits its bar or box only below the smallest text we show is left out, not
        # shrunk to a speck (hover and the table under the chart still give it)
        uniformtext=dict(minsize=NOTE_FONT_SIZE, mode="hide"),
        separators=",.",  # Vietnamese decimal comma, dot for thousands (finish() sets per language)
    )
    return template


pio.templates[TEMPLATE] = _build_template()


# Language and numbers -------------------------------------------------------------------------


def check_language(language: object) -> str:
    """Return ``language`` if it has a label folder, else raise a bilingual `ParameterError`."""
    available = labels.languages()
    if not isinstance(language, str) or language not in available:
        raise ParameterError(
            f"Ngôn ngữ không hợp lệ '{language}' / unknown language '{language}' "
            f"(available: {', '.join(available)})"
        )
    return language


def _separator_pair(language: str) -> tuple[str, str]:
    decimal = labels.text("common.decimal_separator", language)
    thousands = labels.text("common.thousands_separator", language)
    if decimal == "common.decimal_separator":  # key absent everywhere: Vietnamese usage
        decimal = ","
    if thousands == "common.thousands_separator":
        thousands = "."
    return decimal, thousands


def separators(language: str) -> str:
    """Plotly's ``layout.separators`` for ``language``: decimal mark then thousands mark."""
    decimal, thousands = _separator_pair(check_language(language))
    return decimal + thousands


def is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


_is_missing = is_missing  # older private name, still used by some chart modules


def format_number(value: object, language: str, places: int = 2, missing: str = "—") -> str:
    """``value`` (a number or a Fraction) rounded half up to at most ``places`` decimals, trailing
    zeros dropped.

    ``format_number(1234.5, "vi") == "1.234,5"``, ``format_number(1234.5, "en") == "1,234.5"``,
    ``format_number(25.0, "vi") == "25"``; missing values give ``missing``.
    """
    if is_missing(value):
        return missing
    decimal, thousands = _separator_pair(language)
    if isinstance(value, Fraction):
        number = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        number = Decimal(str(value))
    exact = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{exact:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def wrap(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters (broken at spaces, joined by ``<br>``);
    a longer word keeps a line of its own."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def format_count(value: object, language: str, missing: str = "—") -> str:
    """A whole number with the language's thousands mark (``1.234`` in Vietnamese)."""
    return format_number(value, language, places=0, missing=missing)


def format_percent(value: object, language: str, places: int = 2, missing: str = "—") -> str:
    """A percentage as printed in reports: ``"33,33 %"`` (vi), ``"33.33 %"`` (en)."""
    if is_missing(value):
        return missing
    return f"{format_number(value, language, places)} %"


def format_count_percent(count: object, pct: object, language: str) -> str:
    """``"12 (30 %)"``; just ``"12"`` when the percentage is missing."""
    shown = format_count(count, language)
    return shown if is_missing(pct) else f"{shown} ({format_percent(pct, language)})"


def format_range(start: object, end: object, language: str, start_included: bool = True,
                 end_included: bool = False, unit: str = " %") -> str:
    """A bin in words, saying which ends it holds: ``"trên 50 % đến dưới 55 %"`` (vi),
    ``"from 45 % to 50 %"`` (en)."""
    first = labels.text("common.range_from" if start_included else "common.range_over", language,
                        value=f"{format_number(start, language)}{unit}")
    last = labels.text("common.range_to" if end_included else "common.range_under", language,
                       value=f"{format_number(end, language)}{unit}")
    return f"{first} {last}"


# Categories ------------------------------------------------------------------------------------
# Coded categories (bands, bodies, sectors…) are drawn in a known order, other codes as they come
# and the missing code ("(không rõ)") last, in grey. Any missing value (None, NA, NaN) is the key
# None, which `analysis.labels.code_label` shows as "(không rõ)".


def category_key(value: object) -> object:
    """``value`` as a grouping key: every kind of missing value becomes None."""
    return None if is_missing(value) else value


def category_order(values: Iterable[object], order: Sequence[object] = ()) -> list[object]:
    """Distinct keys of ``values``: those in ``order`` first (in that order), the others as they
    come, None (missing) last."""
    seen = list(dict.fromkeys(category_key(v) for v in values))
    known = [c for c in order if c in seen]
    others = [k for k in seen if k not in known and k is not None]
    return known + others + ([None] if None in seen else [])


def category_colour(position: int, key: object) -> str:
    """The palette colour at ``position``; grey for the missing category (None)."""
    return MISSING_COLOUR if key is None else PALETTE[position % len(PALETTE)]


def as_count(value: object) -> int:
    """A count as a whole number for plotting (missing → 0)."""
    return 0 if is_missing(value) else int(round(float(value)))


def add_up(keys: Iterable[object], counts: Iterable[object]) -> dict[object, int]:
    """Counts added up per key (``keys`` are category keys or tuples of them)."""
    totals: dict[object, int] = {}
    for key, count in zip(keys, counts):
        totals[key] = totals.get(key, 0) + as_count(count)
    return totals


def category_totals(
    df: pd.DataFrame, column: str, count: str, pct: str | None = None
) -> tuple[dict[object, int], dict[object, object]]:
    """``(count, percentage)`` per category key of a ``column, count, pct`` table.

    Counts of rows with the same key are added up; the percentage is the table's own (the last
    row's when a key repeats; None without a ``pct`` column).
    """
    keys = [category_key(v) for v in df[column]]
    shares = df[pct] if pct is not None else [None] * len(keys)
    return add_up(keys, df[count]), dict(zip(keys, shares))


def unique_labels(texts: Sequence[str], qualifiers: Sequence[Sequence[str]]) -> list[str]:
    """Labels made unique by appending qualifiers in turn (e.g. the body, then the id).

    ``unique_labels(["A", "A", "B"], [["x", "y", "z"]]) == ["A (x)", "A (y)", "B"]``; an empty
    qualifier adds nothing.
    """
    result = list(texts)
    for qualifier in qualifiers:
        counts = pd.Series(result).value_counts()
        result = [f"{r} ({q})" if counts[r] > 1 and q else r for r, q in zip(result, qualifier)]
    return result


# Axes and lines --------------------------------------------------------------------------------


def nice_step(limit: float, count: int = 4) -> float:
    """A round step (1, 2, 2.5, 5 × 10^k) giving about ``count`` ticks from 0 to ``limit``."""
    if not limit or limit <= 0 or not math.isfinite(limit):
        return 1.0
    raw = limit / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            return float(step)
    return float(10 * magnitude)  # pragma: no cover - the loop always returns


def count_axis(largest: float, count: int = 5) -> dict[str, float]:
    """Axis settings for counts of people: whole-number ticks only (no "0,5 người")."""
    step = max(1.0, float(math.ceil(nice_step(largest, count))))
    return {"tick0": 0, "dtick": step}


def absolute_ticks(
    limit: float, language: str, count: int = 4, integer: bool = True
) -> tuple[list[float], list[str]]:
    """Symmetric ticks around 0 labelled with absolute values (for back-to-back bars).

    Returns ``(tickvals, ticktext)``: ``-10, -5, 0, 5, 10`` shown as ``10, 5, 0, 5, 10``.
    """
    step = nice_step(limit, count)
    if integer:
        step = max(1.0, float(math.ceil(step)))
    n = max(1, math.ceil((limit or 0) / step))
    values = [k * step for k in range(-n, n + 1)]
    return values, [format_number(abs(v), language) for v in values]


def add_threshold(
    fig: go.Figure,
    value: float,
    text: str | None = None,
    axis: str = "y",
    row: int | str | None = None,
    col: int | str | None = None,
) -> go.Figure:
    """Draw a dashed threshold line at ``value`` (``axis="y"``: horizontal, ``"x"``: vertical).

    The line is a layout shape with ``x0 == x1 == value`` (vertical) or ``y0 == y1 == value``.
    """
    if axis in ("x", "y") and not text and row is None:  # what add_vline/add_hline draw, 4× cheaper
        across = {"x": dict(x0=value, x1=value, xref="x", y0=0, y1=1, yref="y domain"),
                  "y": dict(x0=0, x1=1, xref="x domain", y0=value, y1=value, yref="y")}[axis]
        return fig.add_shape(type="line", line=dict(dash="dash", color=LINE_COLOUR, width=2), layer="above",
                             **across)
    options = dict(line_dash="dash", line_color=LINE_COLOUR, line_width=2, layer="above")
    if text:
        options.update(
            annotation_text=text,
            annotation_font_size=BASE_FONT_SIZE,
            annotation_font_color=LINE_COLOUR,
            annotation_bgcolor="rgba(255,255,255,0.8)",
        )
    if row is not None:
        options.update(row=row, col=col)
    if axis == "x":  # label just above the plot area, clear of the bars and their texts
        if text:
            options.update(annotation_position="top", annotation_yanchor="bottom")
        fig.add_vline(x=value, **options)
    elif axis == "y":
        if text:
            options.update(annotation_position="top left")
        fig.add_hline(y=value, **options)
    else:
        raise ParameterError(f"axis phải là 'x' hoặc 'y' / axis must be 'x' or 'y': '{axis}'")
    return fig


# Tables ----------------------------------------------------------------------------------------


def normalise_ok(ok: object) -> bool | None:
    """``True``/``False`` for a judged check, ``None`` when it was not judged (NA, NaN, None)."""
    if is_missing(ok):
        return None
    if isinstance(ok, str):
        folded = ok.strip().lower()
        if folded in ("true", "1", "yes"):
            return True
        if folded in ("false", "0", "no"):
            return False
        return None
    return bool(ok)


def result_mark(ok: object) -> str:
    """✓ passed, ✗ failed, — not judged (display only)."""
    return RESULT_MARKS[normalise_ok(ok)]


def table_height(rows: int, extra: int = 0) -> int:
    """Figure height that shows a `go.Table` of ``rows`` rows without scrolling."""
    margins = 80 + 40  # title + bottom margin
    return margins + TABLE_HEADER_HEIGHT + TABLE_ROW_HEIGHT * max(rows, 1) + extra + 20


def pass_fail_table(
    header: Sequence[str],
    columns: Sequence[Sequence[str]],
    ok: Iterable[object],
    column_widths: Sequence[float] | None = None,
    align: Sequence[str] | None = None,
) -> go.Table:
    """A `go.Table` whose LAST column is the result: ✓ / ✗ / — coloured pass / fail / neutral.

    ``columns`` are the other columns' display texts (already formatted); ``ok`` gives one
    True / False / None per row and produces the result column.
    """
    oks = [normalise_ok(v) for v in ok]
    n = len(oks)
    body = [list(c) for c in columns]
    if any(len(c) != n for c in body):
        raise ParameterError("các cột phải cùng số dòng / every column needs one value per row")
    marks = [RESULT_MARKS[v] for v in oks]
    fills = [[ROW_FILL] * n for _ in body] + [[RESULT_FILLS[v] for v in oks]]
    fonts = [[TEXT_COLOUR] * n for _ in body] + [[RESULT_COLOURS[v] for v in oks]]
    sizes = [BASE_FONT_SIZE] * len(body) + [BASE_FONT_SIZE + 6]
    if align is None:
        align = ["left"] + ["right"] * (len(body) - 1) + ["center"]
    return go.Table(
        columnwidth=list(column_widths) if column_widths else None,
        header=dict(
            values=[f"<b>{h}</b>" for h in header],
            fill_color=HEADER_FILL,
            line_color=LINE_GREY,
            align=["left"] + ["center"] * (len(header) - 1),
            font=dict(size=BASE_FONT_SIZE, color=TEXT_COLOUR),
            height=TABLE_HEADER_HEIGHT,
        ),
        cells=dict(
            values=body + [marks],
            fill_color=fills,
            line_color=LINE_GREY,
            align=list(align),
            font=dict(size=sizes, color=fonts),
            height=TABLE_ROW_HEIGHT,
        ),
    )


# Figures ---------------------------------------------------------------------------------------


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str = "") -> None:
    """Raise a bilingual `ParameterError` naming every column of ``columns`` absent from ``df``."""
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(
            f"Cần một DataFrame / a DataFrame is needed{f' ({what})' if what else ''}, "
            f"not {type(df).__name__}"
        )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        where = f" ({what})" if what else ""
        raise ParameterError(
            f"Thiếu cột / missing columns{where}: {', '.join(missing)} "
            f"(có / present: {', '.join(map(str, df.columns))})"
        )


def check_inputs(
    df: pd.DataFrame, columns: Iterable[str | None], language: object, what: str = ""
) -> str:
    """The checked ``language`` of a chart call whose table ``df`` must have ``columns``.

    Optional columns passed as None are skipped; raises a bilingual `ParameterError` otherwise.
    """
    language = check_language(language)
    require_columns(df, [c for c in columns if c is not None], what)
    return language


def bars_height(bars: int, per_bar: int = 44, base: int = 200) -> int:
    """Figure height for ``bars`` horizontal bars: at least the house height."""
    return max(HEIGHT, base + per_bar * bars)


def note(fig: go.Figure, text: str) -> go.Figure:
    """A footnote under the plot area, left-aligned (e.g. what a note mark means)."""
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-8,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font=dict(size=NOTE_FONT_SIZE, color=NEUTRAL_COLOUR),
    )
    return fig


def no_data(fig: go.Figure, language: str, text: str | None = None) -> go.Figure:
    """Mark an empty figure with a centred "no data" text (or ``text``) and hide its empty axes."""
    fig.add_annotation(
        text=labels.text("common.no_data", language) if text is None else text,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        font=dict(size=TITLE_FONT_SIZE, color=NEUTRAL_COLOUR),
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def finish(
    fig: go.Figure, title: str | None = None, language: str | None = None, **layout: object
) -> go.Figure:
    """Apply the house template, a title, the language's separators and layout overrides; then
    the margins the labels need and values clear of the threshold lines drawn so far
    (`analysis.charts.margins`), and values on coloured bars in a legible colour
    (`analysis.charts.contrast`)."""
    if language is not None:
        layout.setdefault("separators", separators(language))
    # the registered object, not its name: plotly deep-copies a template it looks up by name (~12 ms)
    fig.update_layout(template=pio.templates[TEMPLATE], title_text=title, **layout)
    reserve_label_margins(fig, BASE_FONT_SIZE, MARGIN["l"])
    reserve_legend_row(fig, BASE_FONT_SIZE, TITLE_FONT_SIZE, MARGIN, (WIDTH, HEIGHT))
    reserve_text_margin(fig, BASE_FONT_SIZE, MARGIN, WIDTH)
    legible_inside_text(fig, TEXT_COLOUR)
    return values_clear_of_lines(fig, BASE_FONT_SIZE, MARGIN, WIDTH)


def empty_figure(
    title: str | None, language: str, text: str | None = None, **layout: object
) -> go.Figure:
    """A finished figure that only says "no data" (or ``text``) under ``title``."""
    return finish(no_data(go.Figure(), language, text), title, language, **layout)
