"""plotly.js on a page: once before the first chart; the custom bundle only when it draws the page."""

from __future__ import annotations

import json
import os
import re

import nbformat
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from plotly.offline import get_plotlyjs
from test_charts_contract import CHARTS

from analysis import plotlyjs
from analysis.plotlyjs import (
    FULL_SHARED_NAME,
    custom_plotlyjs,
    declared_traces,
    figure_trace_types,
    place_plotlyjs,
    plotlyjs_for,
    plotlyjs_script,
    write_shared_plotlyjs,
)
from analysis.render import external_resources

BUNDLE = re.compile(r"\* plotly\.js v\d")  # the licence header of a plotly.js bundle
VERSION = re.search(r"\* plotly\.js v(\S+)", get_plotlyjs()[:200])[1]  # plotly.py's plotly.js, e.g. 4.1.1
FAKE = "/**\n* plotly.js v{version} (quyhoach custom bundle; traces: {traces})\n*/ var Plotly = {{custom: 1}};"


@pytest.fixture
def custom(tmp_path, monkeypatch):
    """A small custom bundle for bar and scatter, of plotly.py's version, where the build looks."""
    path = tmp_path / "plotly-custom.min.js"
    path.write_text(FAKE.format(version=VERSION, traces="bar, scatter"), encoding="utf-8")
    monkeypatch.setattr(plotlyjs, "CUSTOM_PLOTLYJS", path)  # absolute: the project root is ignored
    return path


@pytest.fixture
def no_custom(tmp_path, monkeypatch):
    monkeypatch.setattr(plotlyjs, "CUSTOM_PLOTLYJS", tmp_path / "absent.min.js")


def _html_output(html: str):
    return new_output("display_data", data={"text/html": html})


def _chart(n: int) -> str:
    return f'<div><div id="c{n}" class="plotly-graph-div"></div><script>Plotly.newPlot("c{n}", [])</script></div>'


def _figure(*traces) -> str:
    return pio.to_html(go.Figure(list(traces)), include_plotlyjs=False, full_html=False)


ACTIVATION = ("<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
              "<script>/**\n* plotly.js v3.0.0\n* MIT\n*/ var Plotly = {};</script>")


def _bundles(nb) -> list[tuple[int, int, str]]:
    """(cell, output, html) of every output that loads plotly.js."""
    found = []
    for i, cell in enumerate(nb.cells):
        for j, output in enumerate(cell.get("outputs", [])):
            html = output.get("data", {}).get("text/html", "")
            if BUNDLE.search(html) or ".min.js" in html:
                found.append((i, j, html))
    return found


def _page(*charts: str):
    return new_notebook(cells=[new_code_cell("", outputs=[_html_output(c) for c in charts])])


# Once per page, before the first chart ------------------------------------------------------------

def test_place_plotlyjs_moves_the_bundle_before_the_first_chart(no_custom):
    nb = new_notebook(cells=[
        new_markdown_cell("# Tiêu đề"),
        new_code_cell("", outputs=[_html_output("<h2>Không có biểu đồ</h2>")]),
        new_code_cell("", outputs=[_html_output(ACTIVATION), _html_output("<p>chữ</p>"), _html_output(_chart(1))]),
        new_code_cell("", outputs=[_html_output(ACTIVATION + _chart(2))]),  # bundle and chart in one output
    ])
    place_plotlyjs(nb)
    bundles = _bundles(nb)
    assert len(bundles) == 1
    cell, index, html = bundles[0]
    assert (cell, index) == (2, 1)  # after "chữ", right before the first chart
    assert get_plotlyjs() in html and "window.PlotlyConfig" in html
    assert [o.data["text/html"] for o in nb.cells[2].outputs] == [
        "<p>chữ</p>", plotlyjs_script(), _chart(1)]
    assert nb.cells[3].outputs[0].data["text/html"].strip() == _chart(2)  # the chart stays, the bundle goes

    again = place_plotlyjs(nbformat.from_dict(json.loads(json.dumps(nb))))
    assert _bundles(again) == bundles  # idempotent


def test_place_plotlyjs_when_the_kernel_emitted_none_and_for_a_portfolio(no_custom):
    nb = _page(_chart(1), _chart(2))
    place_plotlyjs(nb, src="../assets/plotly.min.js")
    outputs = [o.data["text/html"] for o in nb.cells[0].outputs]
    assert outputs == [plotlyjs_script("../assets/plotly.min.js"), _chart(1), _chart(2)]
    assert '<script src="../assets/plotly.min.js" charset="utf-8"></script>' in outputs[0]
    assert not BUNDLE.search(outputs[0])
    assert external_resources(outputs[0]) == []  # a relative file: still offline


def test_place_plotlyjs_without_charts_adds_nothing(custom):
    nb = new_notebook(cells=[new_code_cell("", outputs=[_html_output(ACTIVATION), _html_output("<table></table>")])])
    place_plotlyjs(nb)
    assert [o.data["text/html"] for o in nb.cells[0].outputs] == ["<table></table>"]


# Which bundle -------------------------------------------------------------------------------------

def test_figure_trace_types():
    assert figure_trace_types(_figure(go.Bar(x=["a"], y=[1]), go.Scatter(y=[2]))) == {"bar", "scatter"}
    # plotly's default template lists ~20 types (choropleth, surface, ...): only the data counts
    assert figure_trace_types(_figure(go.Pie(values=[1]))) == {"pie"}
    assert figure_trace_types(_figure()) == set()  # an empty figure draws axes only
    assert figure_trace_types(_chart(1) + _figure(go.Heatmap(z=[[1]]))) == {"heatmap"}
    untyped = '<div class="plotly-graph-div"></div><script>Plotly.newPlot("c", [{"y": [1]}], {})</script>'
    assert figure_trace_types(untyped) == {"scatter"}  # plotly.js's default type
    assert figure_trace_types('<div class="plotly-graph-div"></div><script>draw()</script>') is None
    assert figure_trace_types('<div class="plotly-graph-div"></div><script>Plotly.newPlot("c", [{"ty</script>') is None
    assert figure_trace_types('<div class="plotly-graph-div"></div><script>Plotly.newPlot("c", data)</script>') is None


def test_a_page_of_declared_types_gets_the_custom_bundle(custom):
    nb = _page(_figure(go.Bar(x=["a"], y=[1])), _figure(go.Scatter(y=[1]), go.Bar(y=[2])))
    place_plotlyjs(nb)
    (_, _, html), = _bundles(nb)
    assert custom.read_text(encoding="utf-8") in html and get_plotlyjs() not in html
    assert html == plotlyjs_script(trace_types={"bar", "scatter"})

    nb = _page(_figure(go.Bar(y=[1])))
    place_plotlyjs(nb, src="../assets/plotly.min.js")
    assert '<script src="../assets/plotly.min.js"' in _bundles(nb)[0][2]


@pytest.mark.parametrize("other", [_figure(go.Pie(values=[1, 2])),  # a type the bundle lacks
                                   '<div class="plotly-graph-div"></div><script>draw()</script>'])  # unreadable
def test_any_other_chart_on_the_page_gets_the_full_bundle(custom, other):
    nb = _page(_figure(go.Bar(y=[1])), other)
    place_plotlyjs(nb)
    (_, _, html), = _bundles(nb)
    assert get_plotlyjs() in html and custom.read_text(encoding="utf-8") not in html

    nb = _page(other, _figure(go.Bar(y=[1])))  # portfolio: plotly.py's copy beside the custom one
    place_plotlyjs(nb, src="../assets/plotly.min.js")
    assert f'<script src="../assets/{FULL_SHARED_NAME}" charset="utf-8">' in _bundles(nb)[0][2]
    assert plotlyjs_script("plotly.min.js", {"pie"}).endswith(f'<script src="{FULL_SHARED_NAME}" charset="utf-8"></script>')


@pytest.mark.parametrize("header", [
    FAKE.format(version="3.0.0", traces="bar, scatter"),  # built for another plotly.py: stale
    get_plotlyjs()[:300],  # a plotly.js without its list of traces (plotly's own file copied there)
    "var Plotly = {};",  # no header at all
])
def test_a_stale_or_unknown_custom_bundle_is_not_used(custom, header):
    custom.write_text(header, encoding="utf-8")
    assert custom_plotlyjs() is None
    nb = _page(_figure(go.Bar(y=[1])))
    place_plotlyjs(nb)
    assert get_plotlyjs() in _bundles(nb)[0][2]
    assert plotlyjs_script("plotly.min.js", {"pie"}).endswith('<script src="plotly.min.js" charset="utf-8"></script>')


def test_without_a_custom_bundle_every_page_gets_plotly_pys(no_custom):
    assert custom_plotlyjs() is None
    assert plotlyjs_for({"bar"}).text == get_plotlyjs() and plotlyjs_for(None).text == get_plotlyjs()


def test_a_rebuilt_custom_bundle_is_read_again(custom):
    assert custom_plotlyjs().traces == {"bar", "scatter"}
    custom.write_text(FAKE.format(version=VERSION, traces="bar, pie, scatter"), encoding="utf-8")
    os.utime(custom, ns=(1, 1))  # a new time, whatever the clock's resolution
    assert custom_plotlyjs().traces == {"bar", "pie", "scatter"}
    assert plotlyjs_for({"pie"}).text == custom.read_text(encoding="utf-8")


def test_shared_plotlyjs_without_a_custom_bundle_is_plotlys_own_file(tmp_path, no_custom):
    target = write_shared_plotlyjs(tmp_path)
    assert target == tmp_path / "assets" / "plotly.min.js"
    assert target.read_text(encoding="utf-8") == get_plotlyjs()
    assert not (tmp_path / "assets" / FULL_SHARED_NAME).exists()
    target.write_text("hỏng", encoding="utf-8")  # a damaged copy is replaced
    assert write_shared_plotlyjs(tmp_path).read_text(encoding="utf-8") == get_plotlyjs()


def test_shared_plotlyjs_is_the_custom_bundle_with_plotly_pys_beside_it(tmp_path, custom):
    target = write_shared_plotlyjs(tmp_path / "out")
    assert target.read_text(encoding="utf-8") == custom.read_text(encoding="utf-8")
    assert (target.parent / FULL_SHARED_NAME).read_text(encoding="utf-8") == get_plotlyjs()


# The real bundle and the charts ---------------------------------------------------------------------

def test_every_chart_function_draws_only_declared_trace_types():
    drawn = {}
    for name, chart in CHARTS.items():  # every figure function of analysis.charts (the contract's list)
        for empty in (False, True):
            for trace in chart.figure(empty=empty).data:
                drawn.setdefault(trace.type, name)
    assert set(drawn) <= declared_traces(), {t: n for t, n in drawn.items() if t not in declared_traces()}
    assert set(drawn) == declared_traces()  # and no type the charts no longer draw weighs on every page


def test_declared_traces_are_plotly_trace_types():
    declared = declared_traces()
    assert "bar" in declared and "#" not in "".join(declared)
    figure = go.Figure({"data": [{"type": t} for t in sorted(declared)]})  # plotly.py refuses an unknown type
    assert {trace.type for trace in figure.data} == declared
    with pytest.raises(ValueError):
        go.Figure({"data": [{"type": "barr"}]})  # as it would a typo in traces.txt


def test_the_built_custom_bundle_is_plotly_pys_version_with_the_declared_traces():
    bundle = custom_plotlyjs()
    if bundle is None:
        pytest.skip("no custom plotly.js bundle (make plotlyjs)")
    assert bundle.version == VERSION
    assert bundle.traces == declared_traces()
    assert 100_000 < len(bundle.text) < len(get_plotlyjs()) / 2  # render.py sets aside > 100 kB bundles
    assert "</script" not in bundle.text  # inlined in a <script> element
