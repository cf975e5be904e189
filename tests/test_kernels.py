"""Warm kernels: imports to warm, state reset; warm builds = fresh builds, plotly.js included once."""

from __future__ import annotations

import concurrent.futures
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from rich.console import Console

from analysis import config
from analysis.build import build
from analysis.kernels import BASE_IMPORTS, ReportKernel, error_lines, notebook_imports
from analysis.plotlyjs import declared_traces, plotlyjs_for
from analysis.render import external_resources

BUNDLE = re.compile(r"\* plotly\.js v\d")  # the licence header of the plotly.js bundle
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
PARAMETERS = 'dataset_path: str = ""\nas_of: str = ""\nlanguage: str = "vi"\noutput_dir: str = ""'


# Imports to warm ----------------------------------------------------------------------------------

def test_notebook_imports(tmp_path):
    params = new_code_cell("import should_not_count")
    params.metadata["tags"] = ["parameters"]
    cells = [params, new_markdown_cell("import markdown_is_not_code"),
             new_code_cell("import json, os.path as osp\nfrom analysis import composition as comp\n"
                           "from .relative import x\nif True:\n    import nested_not_top_level"),
             new_code_cell("this is not python ("),
             new_code_cell("from analysis.charts import theme")]
    path = tmp_path / "r.ipynb"
    nbformat.write(new_notebook(cells=cells, metadata=KERNEL), str(path))
    found = notebook_imports([path])
    assert found[: len(BASE_IMPORTS)] == list(BASE_IMPORTS)
    # `from X import y` tries X and X.y (y may be a module); analysis.charts.theme is listed once
    assert found[len(BASE_IMPORTS):] == ["json", "os.path", "analysis", "analysis.composition", "analysis.charts"]


def test_error_lines():
    class Failed(Exception):
        ename, evalue = "DatasetError", "Bộ dữ liệu có lỗi\ndòng 3: sai ngày\n\ndòng 4: thiếu mã"

    assert error_lines(Failed()) == ("DatasetError: Bộ dữ liệu có lỗi", ["dòng 3: sai ngày", "dòng 4: thiếu mã"])
    assert error_lines(TimeoutError("quá 900 s")) == ("TimeoutError: quá 900 s", [])


# The kernel's state between reports ---------------------------------------------------------------

POLLUTER = '''
import os, sys, warnings, weakref
import numpy as np
import pandas as pd
import plotly.io as pio
LEAK = "còn sót"
class Cycle:  # garbage only a full collection frees: the next report must not find it alive
    pass
CYCLE = Cycle()
CYCLE.itself = CYCLE
sys.qh_cycle = weakref.ref(CYCLE)
pd.set_option("display.max_rows", 3)
np.set_printoptions(precision=1)
pio.templates.default = "plotly_dark"
os.environ["QH_LEAK"] = "1"
sys.path.append("/leak")
warnings.simplefilter("ignore")
os.chdir("/")
'''
PROBE = '''
import os, sys, warnings
import numpy as np
import pandas as pd
import plotly.io as pio
from IPython.display import HTML, display
state = {
    "leak": "LEAK" in globals(),
    "max_rows": pd.get_option("display.max_rows"),
    "precision": np.get_printoptions()["precision"],
    "template": pio.templates.default,
    "env": os.environ.get("QH_LEAK"),
    "path": "/leak" in sys.path,
    "ignore_all": any(f[0] == "ignore" and f[2] is Warning for f in warnings.filters),
    "cwd": os.getcwd(),
    "renderer": pio.renderers.default,
    "cycle_alive": getattr(sys, "qh_cycle", lambda: None)() is not None,
}
display(HTML("<pre>" + repr(sorted(state.items())) + "</pre>"))
'''


def _tiny(path: Path, source: str) -> Path:
    params = new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nbformat.write(new_notebook(cells=[params, new_code_cell(source)], metadata=KERNEL), str(path))
    return path


def _probe_output(nb) -> str:
    return next(o.data["text/html"] for o in nb.cells[-1].outputs if o.get("output_type") == "display_data")


@pytest.mark.slow
def test_a_warm_kernel_is_reset_between_reports(tmp_path):
    polluter, probe = _tiny(tmp_path / "polluter.ipynb", POLLUTER), _tiny(tmp_path / "probe.ipynb", PROBE)
    parameters = {"dataset_path": "x", "output_dir": ""}
    with ReportKernel(warm=False) as fresh:
        expected = _probe_output(fresh.run(probe, parameters, cwd=tmp_path, timeout=120))
    assert "('leak', False)" in expected and f"('cwd', {str(tmp_path)!r})" in expected
    assert "('cycle_alive', False)" in expected

    with ReportKernel(warm=True) as warm:
        warm.start(tmp_path)
        pid = warm.client.km.provisioner.pid
        # what warm-up imported is out of the collector's way; each report's objects are not
        assert warm._silently("", expression="__import__('gc').get_freeze_count()") > 10_000
        warm.run(polluter, parameters, cwd=tmp_path, timeout=120)
        got = _probe_output(warm.run(probe, parameters, cwd=tmp_path, timeout=120))
        assert warm.client.km.provisioner.pid == pid and warm.reports_run == 2  # the same kernel served both
    assert got == expected

    with ReportKernel(warm=True) as warm:  # a failed report: the next one gets a new kernel
        failing = _tiny(tmp_path / "fails.ipynb", 'LEAK = 1\nraise ValueError("hỏng")')
        with pytest.raises(Exception) as excinfo:
            warm.run(failing, parameters, cwd=tmp_path, timeout=120)
        assert error_lines(excinfo.value)[0] == "ValueError: hỏng"
        assert not warm.alive
        assert "hỏng" in json.dumps(warm.last_notebook, ensure_ascii=False)
        assert _probe_output(warm.run(probe, parameters, cwd=tmp_path, timeout=120)) == expected


# Warm builds are fresh builds ---------------------------------------------------------------------

SAMPLES = [config.SAMPLE_DIR / "thuong-tin-2022", config.SAMPLE_DIR / "xa-tien-phong-2022"]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CELL_ID = re.compile(r"cell-id=[0-9a-f]{8}\b")
STAMP = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")  # "Lập lúc 21/11/2026 16:52" in the footer


def _content(page: str) -> str:
    """The page without what differs by design between two builds: chart ids, the build time."""
    page = CELL_ID.sub("cell-id=<id>", page)  # ids nbformat gives to cells that had none
    return STAMP.sub("<time>", UUID.sub("<id>", page))


def _tables(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _config(tmp_path: Path) -> Path:
    district, commune = SAMPLES
    path = tmp_path / "build.yml"
    # briefing last: it tallies the ballots and reads the trust votes as the two reports before it did
    path.write_text(f"datasets:\n  - {{path: {district}, reports: [composition, introduction_votes, trust_votes, "
                    f"briefing]}}\n"
                    f"  - {{path: {commune}, reports: [composition]}}\n", encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.skipif(not all(p.is_dir() for p in SAMPLES), reason="sample datasets absent (make sample)")
def test_warm_build_equals_fresh_build(tmp_path):
    pages = {}
    for mode, warm in (("fresh", False), ("warm", True)):
        out = tmp_path / mode
        # one worker: in the warm build a single kernel runs the five reports one after the other,
        # the later ones with the dataset the first loaded, the briefing with the tally and the trust
        # table the reports before it computed (remembered by the kernel)
        result = build(config_path=_config(tmp_path), out=out, jobs=1, warm=warm,
                       console=Console(record=True, width=200))
        assert result.ok, [o.error for o in result.outcomes]
        pages[mode] = {(o.dataset_id, o.report): Path(o.html).read_text(encoding="utf-8") for o in result.outcomes}
        pages[mode + "-tables"] = {(o.dataset_id, o.report): _tables(Path(o.tables)) for o in result.outcomes}
    assert len(pages["warm"]) == 5
    bundle = plotlyjs_for(declared_traces()).text  # every chart's type is declared (test_plotlyjs)
    for dataset_id, page in pages["warm"].items():
        assert len(BUNDLE.findall(page)) == 1, dataset_id  # also the kernel's second report has plotly.js
        assert page.index(bundle) < page.index('class="plotly-graph-div"')  # the custom one, once built
        assert page.count('class="plotly-graph-div"') >= 5
        assert _content(page) == _content(pages["fresh"][dataset_id]), dataset_id
        assert pages["warm-tables"][dataset_id] == pages["fresh-tables"][dataset_id]
        assert "summary.json" in pages["warm-tables"][dataset_id]


@pytest.mark.slow
def test_portfolio_pages_share_one_plotlyjs(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    chart = ('import plotly.graph_objects as go\nfrom analysis.report import use_offline_plotly\n'
             'use_offline_plotly()\ngo.Figure(go.Bar(x=["a"], y=[1])).show()')
    _tiny(notebooks / "chart.ipynb", chart)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    result = build(datasets=[tmp_path / "one", tmp_path / "two"], notebooks_dir=notebooks, out=tmp_path / "out",
                   jobs=1, portfolio=True, console=Console(record=True, width=200))
    assert result.ok, [o.error for o in result.outcomes]
    shared = tmp_path / "out" / "assets" / "plotly.min.js"
    assert shared.read_text(encoding="utf-8") == plotlyjs_for(declared_traces()).text
    for outcome in result.outcomes:
        page = Path(outcome.html).read_text(encoding="utf-8")
        assert re.search(r'<script\b[^>]*\bsrc="\.\./assets/plotly\.min\.js"', page)
        assert not BUNDLE.search(page) and external_resources(page) == []
        assert len(page.encode()) < 300_000
        assert page.index("../assets/plotly.min.js") < page.index('class="plotly-graph-div"')


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium (make browser)")
def test_warm_and_portfolio_pages_draw_their_charts_offline(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _tiny(notebooks / "a.ipynb", 'import plotly.graph_objects as go\nfrom analysis.report import use_offline_plotly\n'
                                 'use_offline_plotly()\nfor n in range(3):\n    go.Figure(go.Bar(x=["a"], y=[n])).show()')
    _tiny(notebooks / "b.ipynb", 'import plotly.graph_objects as go\nfrom analysis.report import use_offline_plotly\n'
                                 'use_offline_plotly()\ngo.Figure(go.Bar(x=["b"], y=[2])).show()')
    (tmp_path / "ds").mkdir()
    pages = []
    for portfolio in (False, True):
        out = tmp_path / ("portfolio" if portfolio else "single")
        result = build(datasets=[tmp_path / "ds"], notebooks_dir=notebooks, out=out, jobs=1, portfolio=portfolio,
                       console=Console(record=True, width=200))
        assert result.ok, [o.error for o in result.outcomes]
        pages += [(Path(o.html), 3 if o.report == "a" else 1) for o in result.outcomes]

    def open_pages():
        with playwright.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            try:
                for page_path, charts in pages:
                    context = browser.new_context(offline=True)
                    page = context.new_page()
                    errors = []
                    page.on("pageerror", lambda exc: errors.append(str(exc)))
                    page.goto(page_path.as_uri())
                    page.wait_for_function("() => window.Plotly && [...document.querySelectorAll('.plotly-graph-div')]"
                                           ".every(c => c.querySelector('.main-svg'))", timeout=60_000)
                    assert page.locator(".plotly-graph-div .main-svg").count() >= charts, page_path
                    assert errors == [], page_path
                    context.close()
            finally:
                browser.close()

    # playwright's sync API refuses a thread whose asyncio loop runs (an in-process build may leave
    # one behind under xdist), so the browser is driven from a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(open_pages).result()