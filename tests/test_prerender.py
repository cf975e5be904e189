"""Charts drawn at build time (`build --prerender`): pictures in the page, plotly.js after it."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from rich.console import Console

from analysis import config
from analysis.browser import CHROMIUM, offline_page
from analysis.build import build
from analysis.errors import BuildError
from analysis.kernels import plotlyjs_script
from analysis.prerender import CHART_TYPE, PLOTLYJS_TYPE, is_prerendered, with_pictures
from analysis.render import check_offline, render_html
from analysis.report import OfflineNotebookRenderer

SAMPLE = config.SAMPLE_DIR / "thuong-tin-2022"
HYDRATE = "<script>" + (config.ASSETS_DIR / "hydrate.js").read_text(encoding="utf-8") + "</script>"


def _page(src: str | None = None) -> str:
    """A built page of two charts, plotly.js inline or (``src``) shared."""
    renderer = OfflineNotebookRenderer()
    figures = [go.Figure(go.Bar(x=["Nam", "Nữ"], y=[3, 5]), layout=dict(width=500, height=300)),
               go.Figure(go.Scatter(x=[1, 2], y=[2, 1]), layout=dict(width=400, height=200))]
    outputs = [new_output("display_data", data={"text/html": plotlyjs_script(src)})] + [
        new_output("display_data", data={"text/html": renderer.to_mimebundle(f.to_dict())["text/html"]})
        for f in figures]
    nb = new_notebook(cells=[new_code_cell("", outputs=outputs)],
                      metadata={"kernelspec": {"name": "python3", "display_name": "P"}})
    return render_html(nb, "r")


def _pictures(page: str) -> list[dict[str, str]]:
    ids = re.findall(r'<div id="([^"]+)" class="plotly-graph-div"', page)
    return [{"id": chart, "svg": f'<svg class="main-svg" xmlns="http://www.w3.org/2000/svg" width="9">'
                                 f'<text>hình {n}</text></svg>'} for n, chart in enumerate(ids, start=1)]


def test_each_picture_takes_its_charts_place_and_plotlyjs_waits_for_the_page():
    page = _page()
    ids = [p["id"] for p in _pictures(page)]
    drawn = with_pictures(page, _pictures(page))
    assert len(ids) == 2 and is_prerendered(drawn) and not is_prerendered(page)
    for n, chart in enumerate(ids, start=1):  # the picture inside the chart's box; its code kept for later
        assert re.search(rf'<div id="{chart}" class="plotly-graph-div"[^>]*><div class="qh-picture">'
                         rf'<svg xmlns="http://www.w3.org/2000/svg" width="9"><text>hình {n}</text></svg></div></div>'
                         rf'\s*<script type="{CHART_TYPE}" data-chart="{chart}">\s*window.PLOTLYENV', drawn)
    assert drawn.count(f'<script type="{PLOTLYJS_TYPE}">') == 1  # plotly.js inline, not run while loading
    runnable = re.findall(r"<script>(.*?)</script>", drawn, re.S)
    assert len(runnable) >= 3 and not any("Plotly.newPlot" in s or "* plotly.js v" in s for s in runnable)
    assert drawn.count(HYDRATE) == 1 and drawn.index(HYDRATE) > drawn.rindex(f'<script type="{CHART_TYPE}"')
    assert drawn.rstrip().endswith("</html>")
    check_offline(drawn)  # still nothing fetched from anywhere


def test_a_shared_plotlyjs_is_loaded_after_the_page_too():
    page = _page("../assets/plotly.min.js")
    drawn = with_pictures(page, _pictures(page))
    assert '<script src="../assets/plotly.min.js"' not in drawn
    assert f'<script type="{PLOTLYJS_TYPE}" data-src="../assets/plotly.min.js"></script>' in drawn


def test_a_chart_without_its_picture_stops_the_page():
    page = _page()
    pictures = _pictures(page)
    with pytest.raises(BuildError, match="did not draw 1 chart") as caught:
        with_pictures(page, pictures[:1])
    assert pictures[1]["id"] in str(caught.value) and "không vẽ được 1 biểu đồ" in str(caught.value)
    with pytest.raises(BuildError, match="did not draw"):
        with_pictures(page, [pictures[0], {"id": pictures[1]["id"], "svg": ""}])
    first = pictures[0]["id"]
    moved = re.sub(rf'(<div id="{first}"[^>]*></div>)', r"\1<p>?</p>", page, count=1)  # its code not next to it
    with pytest.raises(BuildError, match=f"no drawing code after chart {first}"):
        with_pictures(moved, pictures)


# In Chromium ----------------------------------------------------------------------------------------

browser_tests = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("browser"),
                 pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (make browser)"),
                 pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample datasets absent: make sample")]
RENDER_ALL = "<style>.jp-OutputArea-output { content-visibility: visible !important; }</style></head>"
# every text of every chart where it is drawn, relative to its chart, and the number of bars and traces
AS_SEEN = """() => Array.from(document.querySelectorAll('.plotly-graph-div'), gd => {
  const origin = gd.getBoundingClientRect();
  const texts = Array.from(gd.querySelectorAll('svg text')).map(t => [t.textContent, t.getBoundingClientRect()])
    .filter(([text, box]) => text.trim() && box.width > 0)
    .map(([text, box]) => [text, Math.round(box.left - origin.left), Math.round(box.top - origin.top),
                           Math.round(box.width)].join(' ')).sort();
  return {texts, points: gd.querySelectorAll('.point').length, traces: gd.querySelectorAll('.trace').length};
})"""
LIVE = """() => Array.from(document.querySelectorAll('.plotly-graph-div'))
  .every(gd => gd._fullLayout && gd.querySelector('.main-svg')) && !document.querySelector('.qh-picture')"""


@pytest.fixture(scope="module")
def prerendered(tmp_path_factory):
    """introduction_votes (23 charts) and the briefing deck of a sample, built with --prerender."""
    if not CHROMIUM.exists() or not SAMPLE.is_dir():
        pytest.skip("needs Chromium and the samples")
    out = tmp_path_factory.mktemp("prerendered")
    result = build(datasets=[str(SAMPLE)], reports=["introduction_votes", "briefing"], out=out, jobs=2,
                   options={"prerender": True}, console=Console(record=True, width=200))
    assert result.ok, [(o.report, o.error, o.problems[:3]) for o in result.failed]
    return out / SAMPLE.name


def _with_marks(test):
    for mark in browser_tests:
        test = mark(test)
    return test


@_with_marks
def test_every_chart_shows_with_no_script_run_at_all(prerendered, browser):
    """JavaScript off (a viewer that runs no script): the pictures are the charts, at their size."""
    page_path = prerendered / "introduction_votes.html"
    assert is_prerendered(page_path.read_text(encoding="utf-8"))
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(page_path.resolve().as_uri(), wait_until="load")
        charts = page.query_selector_all(".plotly-graph-div")
        assert len(charts) >= 20
        for chart in charts:
            picture = chart.query_selector(":scope > .qh-picture > svg")
            assert picture is not None and chart.query_selector(".main-svg") is None
            assert int(picture.get_attribute("width")) == int(chart.evaluate("c => c.offsetWidth"))
            assert int(picture.get_attribute("height")) == int(chart.evaluate("c => c.offsetHeight"))
            assert len(picture.query_selector_all("text")) >= 3
    finally:
        context.close()


@_with_marks
def test_each_picture_is_its_live_chart_and_is_replaced_by_it(prerendered, browser, tmp_path):
    """Every text where the live chart writes it, as many bars and traces; then each picture gives
    way to its live chart, offline, with no error; the deck is left as it was built."""
    page_path = prerendered / "introduction_votes.html"
    built = page_path.read_text(encoding="utf-8").replace("</head>", RENDER_ALL, 1)
    pictures_only = tmp_path / "pictures.html"  # plotly.js never started: what the page shows first
    assert HYDRATE in built
    pictures_only.write_text(built.replace(HYDRATE, ""), encoding="utf-8")
    live_page = tmp_path / "live.html"
    live_page.write_text(built, encoding="utf-8")
    seen = {}
    for name, path in (("pictures", pictures_only), ("live", live_page)):
        blocked, errors = [], []
        with offline_page(browser, blocked) as page:
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.goto(path.resolve().as_uri(), wait_until="load")
            if name == "live":
                page.wait_for_function(LIVE, timeout=120_000)
            else:
                page.wait_for_timeout(300)
                assert page.evaluate("() => document.querySelectorAll('.main-svg').length") == 0
            seen[name] = page.evaluate(AS_SEEN)
        assert blocked == [] and errors == [], name
    assert len(seen["live"]) >= 20
    for number, (picture, live) in enumerate(zip(seen["pictures"], seen["live"], strict=True), start=1):
        assert len(live["texts"]) >= 3 and picture == live, f"chart {number}"
    assert not is_prerendered((prerendered / "briefing.html").read_text(encoding="utf-8"))


@_with_marks
def test_printing_first_makes_every_chart_live(prerendered, browser):
    """print.js asks for the live charts before it fits them to the page (it cuts a tall chart
    between its rows, which it finds in plotly.js's axes)."""
    with offline_page(browser) as page:
        page.goto((prerendered / "introduction_votes.html").resolve().as_uri(), wait_until="domcontentloaded")
        waiting = page.evaluate("() => document.querySelectorAll('.qh-picture').length")
        page.evaluate("() => window.qhFitForPrint()")
        assert waiting > 0 and page.evaluate(LIVE)  # at once, not one a task
        page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")


@_with_marks
def test_timing_tells_when_the_charts_showed_and_when_they_turned_live(prerendered, browser):
    with offline_page(browser) as page:
        page.goto((prerendered / "introduction_votes.html").resolve().as_uri() + "?timing")
        page.wait_for_selector(".qh-timing[data-live-ms]", timeout=120_000)
        shown, live = (float(page.get_attribute(".qh-timing", key)) for key in ("data-ms", "data-live-ms"))
        text = page.inner_text(".qh-timing")
        assert page.evaluate(LIVE) and 0 < shown < live
        assert text.startswith(f"{page.evaluate('() => document.querySelectorAll(`.plotly-graph-div`).length')}"
                               " biểu đồ vẽ xong sau ")
        assert " · tương tác được (di chuột, phóng to) sau " in text


@_with_marks
def test_the_choice_is_part_of_what_a_report_is_built_from(tmp_path):
    """Built with pictures, then without: rebuilt (not skipped as unchanged), and plain again."""
    out = tmp_path / "out"
    page = out / SAMPLE.name / "composition.html"
    for prerender, cached in ((True, False), (True, True), (False, False)):
        result = build(datasets=[str(SAMPLE)], reports=["composition"], out=out, jobs=1,
                       options={"prerender": prerender}, console=Console(record=True, width=200))
        assert result.ok and [o.cached for o in result.outcomes] == [cached], prerender
        assert is_prerendered(page.read_text(encoding="utf-8")) == prerender
