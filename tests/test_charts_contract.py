"""The contract every chart function of `analysis.charts` keeps, each rule written once.

A figure function takes its table first, its column names and ``language``/``title`` as keywords,
returns a `go.Figure` on the house template with a default title from `analysis.labels` in the
language (its number separators too), refuses an unknown language or a table without its columns
with a `ParameterError`, says "no data" for an empty table under its default title (one without
what only the rows tell, when the title needs them) and serialises to offline HTML.
The numbers each chart draws are checked by hand in its own test_charts_<module>.py.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import chart_tables as T
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis import labels, trust_rounds
from analysis.charts import age, ballots, composition, contrast, review, theme
from analysis.charts import trust as trust_charts
from analysis.errors import ParameterError

CHART_MODULES = ("age", "composition", "ballots", "trust", "review")


def titled(key: str, **values: object) -> Callable[[str], str]:
    """The default title expected in a language: label ``key`` filled with ``values``.

    A value that is itself a callable is a label looked up in the same language.
    """
    def text(language: str) -> str:
        filled = {k: v(language) if callable(v) else v for k, v in values.items()}
        return labels.text(key, language, **filled)
    return text


def _tuple(tables: pd.DataFrame | tuple[pd.DataFrame, ...]) -> tuple[pd.DataFrame, ...]:
    return tables if isinstance(tables, tuple) else (tables,)


@dataclass(frozen=True)
class Chart:
    """One chart function with small hand-built tables and what its contract expects of them."""

    draw: Callable[..., go.Figure]
    tables: Callable[[], pd.DataFrame | tuple[pd.DataFrame, ...]]  # hand-built source table(s)
    title: str | Callable[[str], str]  # label key of the default title, or the title by language
    required: str  # a column of the first input the chart cannot do without
    prepare: Callable[..., object] | None = None  # analysis step from the tables to the input, if any
    options: dict = field(default_factory=dict)
    empty_text: str = "common.no_data"
    empty_title: str | None = None  # label key of the title of an empty table, when it differs
    coded: tuple[str, ...] = ()  # column keywords whose column name also picks the labels of its codes

    def default_title(self, language: str) -> str:
        return labels.text(self.title, language) if isinstance(self.title, str) else self.title(language)

    def empty_default_title(self, language: str) -> str:
        return labels.text(self.empty_title, language) if self.empty_title else self.default_title(language)

    def inputs(self, empty: bool = False) -> tuple[pd.DataFrame, ...]:
        tables = _tuple(self.tables())
        if empty:  # emptied before the analysis step, as a report with no rows would
            tables = tuple(t.iloc[:0] for t in tables)
        return _tuple(self.prepare(*tables)) if self.prepare else tables

    def figure(self, empty: bool = False, **kw) -> go.Figure:
        return self.draw(*self.inputs(empty), **self.options, **kw)


def _one_vote(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["conference_id"] == "tn-2023"]


_GENDER = titled("ballots.charts.composition",
                 column=lambda language: labels.text("ballots.charts.composition_columns.gender", language))
_ALL = [
    Chart(age.age_pyramid, T.pyramid_table, "composition.age_pyramid.title", "count"),
    Chart(age.age_bands, T.band_table, "composition.age_bands.title", "pct"),
    Chart(age.tiers_by_title, T.tier_table, "composition.tiers.title", "age_tier"),
    Chart(age.eligibility, T.eligibility_table, "composition.eligibility.title", "not_eligible"),
    Chart(composition.women_share, T.women_table, "composition.women.title", "women", options={"target": 25}),
    Chart(composition.ethnicity, T.ethnicity_table, "composition.ethnicity.title", "ethnicity"),
    Chart(composition.sectors, T.sector_table, "composition.sectors.title", "unit"),
    Chart(composition.qualifications, lambda: (T.education_table(), T.theory_table()),
          "composition.qualifications.title", "education", coded=("education", "theory")),
    Chart(composition.compliance_table, T.checks_table, "composition.compliance.title", "ok",
          empty_text="composition.compliance.no_checks"),
    Chart(ballots.title_bars, T.tally_table, titled("ballots.charts.title_bars", title="Bí thư", conference="k3"),
          "outcome", empty_title="ballots.charts.title_bars_empty"),
    Chart(ballots.share_histogram, T.tally_table, "ballots.charts.distribution", "passed"),
    Chart(ballots.accounting_bars, T.accounting_table, "ballots.charts.accounting", "present"),
    Chart(ballots.invalid_bars, T.invalid_table, "ballots.charts.invalid", "reason"),
    Chart(ballots.steps_heatmap, T.steps_frame, "ballots.charts.heatmap", "status"),
    Chart(ballots.pool_sankey, T.flows_table, "ballots.charts.sankey", "next_status"),
    Chart(ballots.composition_bars, T.passed_composition_table, _GENDER, "gender", options={"column": "gender"},
          coded=("column",)),
    # the trust charts draw tables of analysis.trust_rounds, as in the report
    Chart(trust_charts.diverging_bars, T.trust_table, titled("trust.charts.diverging", conference="tn-2023"),
          "form", prepare=_one_vote, empty_title="trust.charts.diverging_empty"),
    Chart(trust_charts.low_share_distribution, T.trust_table, "trust.charts.distribution", "bin_to",
          prepare=trust_rounds.low_share_bins),
    Chart(trust_charts.by_position_group, T.trust_table, "trust.charts.groups", "position_group",
          prepare=trust_rounds.position_group_table),
    Chart(trust_charts.rounds_slope, T.trust_table, "trust.charts.rounds", "low_pct",
          prepare=trust_rounds.match_rounds),
    Chart(trust_charts.compare_votes, T.trust_table, "trust.charts.compare", "people",
          prepare=trust_rounds.vote_summary_table),
    Chart(review.change_flows, T.reasons_table, "review.charts.flows", "people"),
    Chart(review.change_waterfall, T.reasons_table, "review.charts.waterfall", "change"),
    Chart(review.pyramids, T.review_pyramid_table, "review.charts.pyramids", "state"),
    Chart(review.composition_change, T.composition_change_table, "review.charts.composition", "after_pct"),
    Chart(review.target_gauges, T.targets_table, "review.charts.gauges", "target"),
    Chart(review.flags_table, T.flags_table, "review.charts.flags", "evidence"),
    Chart(review.changes_by_title, T.title_changes_table, "review.charts.by_title", "removed"),
    Chart(review.linkage_units, T.linkage_units_table, "review.charts.linkage_units", "feeding"),
]
CHARTS = {chart.draw.__name__: chart for chart in _ALL}


def column_keywords(chart: Chart) -> dict[str, str]:
    """The keywords of ``chart`` that name a column of its first input: keyword → column."""
    first = chart.inputs()[0]
    found = {}
    for param in list(inspect.signature(chart.draw).parameters.values())[1:]:
        value = chart.options.get(param.name, param.default)
        if param.name not in chart.coded and isinstance(value, str) and value in first.columns:
            found[param.name] = value
    return found


RENAMABLE = [name for name, chart in CHARTS.items() if column_keywords(chart)]
REQUIRED_BY_KEYWORD = [name for name in RENAMABLE if CHARTS[name].required in column_keywords(CHARTS[name]).values()]


def _figure_functions() -> set[str]:
    """Public functions of the chart modules that return one figure (their return annotation)."""
    found = set()
    for name in CHART_MODULES:
        module = importlib.import_module(f"analysis.charts.{name}")
        for fname, func in inspect.getmembers(module, inspect.isfunction):
            if func.__module__ == module.__name__ and not fname.startswith("_") \
                    and inspect.signature(func).return_annotation in ("go.Figure", go.Figure):
                found.add(fname)
    return found


def test_every_figure_function_is_held_to_the_contract():
    assert len(CHARTS) == len(_ALL)  # no two chart functions share a name
    assert _figure_functions() == set(CHARTS)


@pytest.mark.parametrize("name", CHARTS)
def test_table_first_then_language_and_title_keywords(name):
    params = list(inspect.signature(CHARTS[name].draw).parameters.values())
    assert "DataFrame" in str(params[0].annotation)
    by_name = {p.name: p for p in params}
    assert by_name["language"].default == "vi"
    assert by_name["title"].default is None


def test_charts_with_column_keywords():
    assert {"age_pyramid", "women_share", "qualifications", "title_bars", "share_histogram"} <= set(RENAMABLE)
    assert "composition_bars" in RENAMABLE  # its count and pct, not its coded column
    assert {"age_pyramid", "women_share", "title_bars"} <= set(REQUIRED_BY_KEYWORD)


@pytest.mark.parametrize("name", RENAMABLE)
def test_renamed_columns_named_by_keyword_draw_the_same_figure(name):
    chart = CHARTS[name]
    columns = column_keywords(chart)
    renames = {column: f"{column}_renamed" for column in columns.values()}
    inputs = [t.rename(columns=renames) for t in chart.inputs()]  # every table: qualifications has two
    keywords = {**chart.options, **{k: renames[c] for k, c in columns.items()}}
    fig = chart.draw(*inputs, **keywords)
    assert fig.to_plotly_json() == chart.figure().to_plotly_json()


@pytest.mark.parametrize("name", REQUIRED_BY_KEYWORD)
def test_column_keyword_naming_an_absent_column_raises_parameter_error(name):
    chart = CHARTS[name]
    column = chart.required
    (keyword,) = [k for k, c in column_keywords(chart).items() if c == column]
    # named among the missing ones, the table's own columns listed after
    with pytest.raises(ParameterError, match=rf"missing columns[^:]*: [^(]*\bnot_there\b.*present: .*\b{column}\b"):
        chart.figure(**{keyword: "not_there"})


@pytest.mark.parametrize("name", CHARTS)
def test_returns_house_figure_with_default_vietnamese_title(name):
    fig = CHARTS[name].figure()
    assert isinstance(fig, go.Figure)
    assert fig.layout.template.layout.font.family == theme.FONT_FAMILY
    assert fig.layout.template.layout.font.size == theme.BASE_FONT_SIZE
    assert fig.layout.title.text == CHARTS[name].default_title("vi")
    assert fig.layout.separators == ",."


@pytest.mark.parametrize("name", CHARTS)
def test_english_switches_title_and_separators(name):
    fig = CHARTS[name].figure(language="en")
    assert fig.layout.title.text == CHARTS[name].default_title("en")
    assert fig.layout.title.text != CHARTS[name].default_title("vi")
    assert fig.layout.separators == ".,"


@pytest.mark.parametrize("name", CHARTS)
def test_title_override(name):
    assert CHARTS[name].figure(title="Tiêu đề riêng").layout.title.text == "Tiêu đề riêng"


@pytest.mark.parametrize("name", CHARTS)
@pytest.mark.parametrize("language", ["fr", "", None, "VI"])
def test_unknown_language_raises_parameter_error(name, language):
    with pytest.raises(ParameterError, match=f"unknown language '{language}'"):
        CHARTS[name].figure(language=language)


@pytest.mark.parametrize("name", CHARTS)
def test_values_written_on_coloured_bars_are_legible(name):
    # WCAG AA (4.5:1) between every value written inside a bar or sector and its fill; those
    # written after a bar are on the white ground in the house colour (test_browser checks the pages)
    for trace in CHARTS[name].figure().data:
        if trace.type not in ("bar", "treemap") or trace.text is None or trace.textposition in ("outside", "none"):
            continue
        fills = trace.marker.color if trace.type == "bar" else trace.marker.colors
        count = len(trace.text) if isinstance(trace.text, tuple) else 1
        fills = [fills] * count if isinstance(fills, str) else list(fills)
        colours = trace.insidetextfont.color
        colours = [colours] * count if isinstance(colours, str) else list(colours)
        assert min(contrast.contrast_ratio(c, f) for c, f in zip(colours, fills)) >= 4.5, trace.name


@pytest.mark.parametrize("name", CHARTS)
def test_serialises_to_offline_html(name):
    html = CHARTS[name].figure().to_html(include_plotlyjs=False, full_html=False)
    assert "Plotly.newPlot" in html and 'class="plotly-graph-div"' in html
    assert "cdn.plot.ly" not in html


@pytest.mark.parametrize("name", CHARTS)
def test_missing_column_raises_parameter_error_naming_it(name):
    chart = CHARTS[name]
    first, *rest = chart.inputs()
    # named among the missing ones, before the list of those present
    with pytest.raises(ParameterError, match=rf"missing columns[^:]*: [^(]*\b{chart.required}\b"):
        chart.draw(first.drop(columns=chart.required), *rest, **chart.options)


@pytest.mark.parametrize("name", CHARTS)
def test_not_a_table_raises_parameter_error(name):
    chart = CHARTS[name]
    _, *rest = chart.inputs()
    with pytest.raises(ParameterError, match="a DataFrame is needed.*str"):
        chart.draw("not a frame", *rest, **chart.options)


@pytest.mark.parametrize("name", CHARTS)
def test_empty_table_gives_a_no_data_figure_under_its_default_title(name):
    chart = CHARTS[name]
    fig = chart.figure(empty=True)
    assert [a.text for a in fig.layout.annotations] == [labels.text(chart.empty_text, "vi")]
    assert fig.layout.title.text == chart.empty_default_title("vi")  # an untitled box says nothing on a projector
    assert isinstance(fig, go.Figure) and fig.layout.separators == ",."
    fig.to_html(include_plotlyjs=False)


@pytest.mark.parametrize("name", CHARTS)
def test_empty_table_in_english_keeps_the_english_title_and_takes_an_override(name):
    chart = CHARTS[name]
    fig = chart.figure(empty=True, language="en")
    assert [a.text for a in fig.layout.annotations] == [labels.text(chart.empty_text, "en")]
    assert fig.layout.title.text == chart.empty_default_title("en") != chart.empty_default_title("vi")
    assert chart.figure(empty=True, title="Tiêu đề riêng").layout.title.text == "Tiêu đề riêng"
