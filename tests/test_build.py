"""The report build: running, HTML rendering, index (config and plan: test_build_config.py);
slow tests run papermill for real."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from rich.console import Console

from analysis import config
from analysis.build import build
from analysis.errors import BuildError
from analysis.labels import text
from analysis.render import check_offline, external_resources, render_html, write_index

PARAMETERS = (
    'dataset_path: str = ""  # help: dataset\n'
    'as_of: str = ""  # help: date\n'
    'language: str = "vi"  # help: language\n'
    'output_dir: str = ""  # help: tables'
)
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
GOOD = '''
import sys, warnings, pathlib
import pandas as pd
import plotly.graph_objects as go
from IPython.display import Markdown, display
from analysis.outputs import write_csv
from analysis.report import use_offline_plotly
use_offline_plotly()
display(Markdown("## Phần thử"))
print("SECRET-STDERR", file=sys.stderr)
warnings.warn("SECRET-WARNING")
go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout_title_text="Biểu đồ thử").show()
go.Figure(go.Bar(x=["c"], y=[3]), layout_title_text="Biểu đồ hai").show()
write_csv(pd.DataFrame({"a": ["=1"]}), pathlib.Path(output_dir) / "t.csv")
'''


def _notebook(path: Path, source: str) -> Path:
    params = new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nbformat.write(new_notebook(cells=[params, new_code_cell(source)], metadata=KERNEL), str(path))
    return path


def _write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


# Rendering ----------------------------------------------------------------------------------------

def _executed_notebook():
    params = new_code_cell(PARAMETERS, execution_count=1)
    params.metadata["tags"] = ["parameters"]
    cell = new_code_cell("SECRET_CODE = 1\nshow()", execution_count=2, outputs=[
        new_output("stream", name="stderr", text="SECRET-STDERR\n"),
        new_output("display_data", data={"text/markdown": "## Phần một"}),
        new_output("display_data", data={"text/html": '<div class="plotly-graph-div">x</div>'}),
        new_output("execute_result", data={"text/plain": "42"}, execution_count=2),
    ])
    hidden = new_markdown_cell("developer note SECRET-NOTE")
    hidden.metadata["tags"] = ["remove"]
    return new_notebook(cells=[params, hidden, cell], metadata=KERNEL)


def test_render_html_shows_outputs_only():
    page = render_html(_executed_notebook(), "Báo cáo <thử> — 25/05/2022", "vi", footer="chân trang")
    assert re.search(r"<title>Báo cáo &lt;thử&gt; — 25/05/2022</title>", page)
    assert '<html lang="vi">' in page
    assert "Phần một" in page and "plotly-graph-div" in page and "chân trang" in page
    for hidden in ("SECRET_CODE", "SECRET-STDERR", "SECRET-NOTE", "dataset_path", "In&nbsp;[", "Out["):
        assert hidden not in page
    assert external_resources(page) == []
    assert "require.js" not in page and "mathjax" not in page.lower()


@pytest.mark.parametrize(("language", "drawn"), [("vi", "{charts} biểu đồ vẽ xong sau {ms} ms"),
                                                  ("en", "{charts} charts drawn in {ms} ms")])
def test_pages_carry_the_drawing_timer_in_their_language(language, drawn):
    """The timer (assets/timing.js; behaviour in test_browser.py) is on every report page once,
    with its texts in the page's language, placeholders left for the script to fill."""
    page = render_html(_executed_notebook(), "t", language)
    found = re.findall(r'<script data-texts="([^"]*)">(.*?)</script>', page, flags=re.S)
    assert len(found) == 1
    texts = json.loads(html.unescape(found[0][0]))
    assert texts["drawn"] == drawn and set(texts) == {"drawn", "live", "runs", "cores"}
    assert "qh-timing" in found[0][1] and "location.search" in found[0][1]


@pytest.mark.parametrize("markup", [
    '<script src="https://cdn.plot.ly/plotly-2.js"></script>',
    '<link rel="stylesheet" href="//fonts.example/x.css">',
    '<img src="http://x/y.png">',
    "<style>@import url(x.css);</style>",
    '<div style="background: url(https://x/y.png)"></div>',
])
def test_check_offline_refuses_external_resources(markup):
    with pytest.raises(BuildError, match="offline"):
        check_offline(f"<html><body>{markup}</body></html>")


def test_check_offline_allows_links_and_inline():
    check_offline('<a href="https://example.org">x</a><script>var u = "https://cdn.plot.ly/un/";</script>'
                  '<img src="data:image/png;base64,AAA">')


def _outcome(tmp_path, dataset_id, ok, **extra):
    html = tmp_path / dataset_id / "composition.html"
    failed = tmp_path / dataset_id / "composition.failed.ipynb"
    (html if ok else failed).parent.mkdir(parents=True, exist_ok=True)
    (html if ok else failed).write_text("x")
    return {"dataset_id": dataset_id, "dataset_name": f"Tên {dataset_id}", "dataset_path": "/d", "report": "composition",
            "ok": ok, "as_of": "2022-05-25", "html": str(html) if ok else None, "tables": None,
            "failed_notebook": None if ok else str(failed), "error": "" if ok else "DatasetError: hỏng",
            "problems": [] if ok else ["dòng 3: sai <ngày>"], "seconds": 3.0, "finished": "2026-01-02 10:11:12", **extra}


def test_index_lists_every_report_offline(tmp_path):
    index = write_index(tmp_path, [_outcome(tmp_path, "a", True), _outcome(tmp_path, "b", False)])
    page = index.read_text(encoding="utf-8")
    assert '<html lang="vi">' in page and text("report.index.title") in page
    assert 'href="a/composition.html"' in page and 'href="b/composition.failed.ipynb"' in page
    assert "Tên a" in page and "Tên b" in page and "25/05/2022" in page and "02/01/2026 10:11" in page
    assert text("report.status.ok") in page and text("report.status.failed") in page
    assert "DatasetError: hỏng" in page and "sai &lt;ngày&gt;" in page
    assert external_resources(page) == []
    assert len(json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))) == 2

    # a later build of one dataset keeps the other listed while its files exist
    write_index(tmp_path, [_outcome(tmp_path, "b", True)])
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="a/composition.html"' in page and 'href="b/composition.html"' in page
    assert "DatasetError" not in page
    (tmp_path / "a" / "composition.html").unlink()
    page = write_index(tmp_path, []).read_text(encoding="utf-8")
    assert "Tên a" not in page and "Tên b" in page


# Real builds (papermill) ---------------------------------------------------------------------------

PLOTLY_JS = re.compile(r"\* plotly\.js v\d")  # the licence header of the inlined bundle


def _scripts_and_links(page: str) -> list[str]:
    return re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*['\"]?([^'\" >]+)", page, flags=re.I)


@pytest.mark.slow
def test_build_tiny_notebooks(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "good.ipynb", GOOD)
    _notebook(notebooks / "bad.ipynb", 'raise ValueError("hỏng rồi")')
    dataset = tmp_path / "data" / "tiny"
    dataset.mkdir(parents=True)
    out = tmp_path / "out"
    console = Console(record=True, width=200)

    result = build(datasets=[dataset], notebooks_dir=notebooks, out=out, jobs=2, console=console)

    assert result.exit_code == 1 and not result.ok
    good, bad = result.get("tiny", "good"), result.get("tiny", "bad")
    assert good.ok and not bad.ok
    assert [o.report for o in result.failed] == ["bad"]

    page = (out / "tiny" / "good.html").read_text(encoding="utf-8")
    assert page.count('class="plotly-graph-div"') == 2  # both charts …
    assert len(re.findall(r"\* plotly\.js v\d", page)) == 1  # … and plotly.js inlined once
    assert not any(src.lower().startswith(("http", "//")) for src in _scripts_and_links(page))
    assert 'src="https://cdn.plot.ly' not in page and external_resources(page) == []
    assert re.search(r"<title>good — tiny</title>", page)
    for hidden in ("use_offline_plotly", "import sys", "SECRET-STDERR", "SECRET-WARNING", "In&nbsp;[", "Out["):
        assert hidden not in page
    assert "Phần thử" in page
    assert (out / "tiny" / "good" / "t.csv").read_bytes() == b"\xef\xbb\xbfa\r\n'=1\r\n"

    failed = out / "tiny" / "bad.failed.ipynb"
    assert bad.failed_notebook == str(failed) and "ValueError: hỏng rồi" in bad.error
    assert "hỏng rồi" in failed.read_text(encoding="utf-8")
    assert not (out / "tiny" / "bad.html").exists()
    assert sorted(p.name for p in out.rglob("*.ipynb")) == ["bad.failed.ipynb"]  # executed good one not kept

    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="tiny/good.html"' in index and 'href="tiny/bad.failed.ipynb"' in index
    assert "ValueError: hỏng rồi" in index
    summary = console.export_text()
    assert "ValueError: hỏng rồi" in summary and "1 báo cáo hoàn thành, 1 lỗi" in summary


@pytest.mark.slow
def test_a_rebuild_keeps_the_last_page_until_its_own_is_ready(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    # the notebook looks for the page of the build before while it runs
    looks = ('import pathlib\nfrom IPython.display import Markdown, display\n'
             'page = pathlib.Path(output_dir).parent / "page.html"\n'
             'display(Markdown(f"LAST-PAGE-THERE: {page.exists()}"))\n')
    _notebook(notebooks / "page.ipynb", looks)
    dataset = tmp_path / "data" / "tiny"
    dataset.mkdir(parents=True)
    out, page = tmp_path / "out", tmp_path / "out" / "tiny" / "page.html"
    run = lambda: build(datasets=[dataset], notebooks_dir=notebooks, out=out, jobs=1,  # noqa: E731
                        force=True, console=Console(record=True, width=200))
    assert run().ok and "LAST-PAGE-THERE: False" in page.read_text(encoding="utf-8")
    assert run().ok and "LAST-PAGE-THERE: True" in page.read_text(encoding="utf-8")
    # a rebuild that fails takes the last page away: its numbers are no longer backed by this build
    _notebook(notebooks / "page.ipynb", looks + 'raise ValueError("dữ liệu hỏng")')
    result = run()
    assert not result.ok and not page.exists()
    assert "LAST-PAGE-THERE: True" in (out / "tiny" / "page.failed.ipynb").read_text(encoding="utf-8")


SAMPLE = config.SAMPLE_DIR / "thuong-tin-2022"
SUMMARY_KEYS = {"as_of", "people", "women", "women_pct", "ethnic_minority", "ethnic_minority_pct",
                "mean_age", "age_bands", "checks"}
CHART_TITLES = ("age_pyramid", "age_bands", "tiers", "women", "ethnicity", "sectors",
                "qualifications", "eligibility", "compliance")


@pytest.mark.slow
@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample dataset data/sample/thuong-tin-2022 absent (make sample)")
def test_build_composition_of_the_sample(tmp_path):
    result = build(datasets=[SAMPLE], reports=["composition"], out=tmp_path, jobs=1,
                   console=Console(record=True, width=200))
    outcome = result.get("thuong-tin-2022", "composition")
    assert result.exit_code == 0, outcome.error + "\n" + "\n".join(outcome.problems)

    page = (tmp_path / "thuong-tin-2022" / "composition.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert text("report.names.composition") in title and "25/05/2022" in title
    for chart in CHART_TITLES:
        key = f"composition.{chart}.title"
        assert text(key) != key, f"label {key} missing"
        assert text(key).replace("&", "&amp;") in page or json.dumps(text(key))[1:-1] in page, chart
    assert len(re.findall(r"\* plotly\.js v\d", page)) == 1
    assert external_resources(page) == []
    visible = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    for code in ("start_report", "import ", "ctx.", "dataset_path", "In&nbsp;[", "Out["):
        assert code not in visible

    tables = tmp_path / "thuong-tin-2022" / "composition"
    summary = json.loads((tables / "summary.json").read_text(encoding="utf-8"))
    assert SUMMARY_KEYS <= set(summary) and summary["as_of"] == "2022-05-25"
    csvs = sorted(p.stem for p in tables.glob("*.csv"))
    assert {"overview", "age_pyramid", "age_bands", "tiers", "women", "ethnicity", "sectors", "education",
            "political_theory", "eligibility", "checks"} <= set(csvs)
    for path in tables.glob("*.csv"):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path.name
    assert 'href="thuong-tin-2022/composition.html"' in (tmp_path / "index.html").read_text(encoding="utf-8")


# Committee room: marking, provenance, pseudonyms, exports (issue 6) --------------------------------

def test_render_puts_the_provenance_last_and_the_marking_on_printed_pages():
    head = new_code_cell("", outputs=[
        new_output("display_data", data={"text/html": '<header class="qh-title">TITLE-BLOCK</header>'}),
        new_output("display_data", data={"text/html": '<footer data-qh-metadata="1" data-marking="MẬT &lt;x&gt;">'
                                                      "PROVENANCE</footer>"})])
    body = new_code_cell("", outputs=[new_output("display_data", data={"text/markdown": "## Phần một"})])
    page = render_html(new_notebook(cells=[head, body], metadata=KERNEL), "t")
    assert page.index("TITLE-BLOCK") < page.index("Phần một") < page.index("PROVENANCE")
    assert '<style id="qh-page-marks">' in page and r'"MẬT \3c x\3e "' in page  # CSS-escaped
    assert "qhFitForPrint" in page and external_resources(page) == []


def test_index_carries_the_marking(tmp_path):
    page = write_index(tmp_path, [_outcome(tmp_path, "a", True)], marking="MẬT").read_text(encoding="utf-8")
    assert '<div class="qh-marking-bar" aria-hidden="true">MẬT</div>' in page
    assert '<style id="qh-page-marks">' in page


def _visible_text(path: Path) -> str:
    """What a file says, whatever its kind: HTML entities and JSON \\u escapes decoded, PDF as text."""
    import html as html_module
    import shutil
    import subprocess

    if path.suffix == ".pdf":
        if not shutil.which("pdftotext"):
            pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = path.read_text(encoding="utf-8", errors="replace")
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return html_module.unescape(text)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample datasets absent (make sample)")
def test_pseudonymised_build_leaves_no_name_anywhere(tmp_path, monkeypatch):
    import hashlib

    from analysis.browser import CHROMIUM
    from analysis.dataset import load_dataset
    from analysis.prerender import is_prerendered
    from analysis.privacy import KEY_ENV, pseudonym

    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium for --pdf and --png (make browser)")
    monkeypatch.setenv(KEY_ENV, "key-of-the-test")
    sample = config.SAMPLE_DIR
    cfg = _write(tmp_path / "build.yml", f"""
datasets:
  - path: {sample / 'thuong-tin-2022'}
    reports: [composition, introduction_votes, trust_votes, planning_review, briefing]
  - path: {sample / 'muong-lat-2017.xlsx'}
    reports: [planning_review]
    parameters:
      planning_review: {{before_path: {sample / 'muong-lat-2016'}}}
pseudonymise: true
pdf: true
png: true
prerender: true
marking: "MẬT"
""")
    out = tmp_path / "out"
    result = build(cfg, out=out, jobs=2, console=Console(record=True, width=200))
    assert result.ok, [(o.report, o.error, o.problems[:3]) for o in result.failed]

    names: set[str] = set()  # everyone any report could show: the datasets and those they load
    for name in ("thuong-tin-2022", "muong-lat-2017.xlsx", "muong-lat-2016", "xa-tien-phong-2022", "xa-van-tao-2022"):
        dataset = load_dataset(sample / name)  # in this process: never pseudonymised
        for table in ("people", "ballots", "trust_votes"):
            df = dataset.tables.get(table)
            if df is not None and "full_name" in df:
                names |= {str(n).strip() for n in df["full_name"].dropna() if str(n).strip()}
    assert len(names) > 100

    files = [p for p in out.rglob("*") if p.suffix in (".html", ".csv", ".json", ".pdf")]
    kinds = {p.suffix for p in files}
    assert kinds == {".html", ".csv", ".json", ".pdf"}
    assert len(list(out.rglob("*.png"))) > 10  # the charts as images too
    for path in files:
        shown = _visible_text(path)
        leaked = [n for n in names if n in shown]
        assert not leaked, f"{path.relative_to(out)}: {leaked[:3]}"

    people = load_dataset(sample / "thuong-tin-2022").tables["people"]
    trust_csv = (out / "thuong-tin-2022" / "trust_votes" / "trust.csv").read_text(encoding="utf-8-sig")
    codes = {pseudonym(p, b"key-of-the-test") for p in people["person_id"]}
    assert sum(code in trust_csv for code in codes) > 5  # names became the people's codes
    for report in ("composition", "introduction_votes", "trust_votes", "planning_review", "briefing"):
        page = (out / "thuong-tin-2022" / f"{report}.html").read_text(encoding="utf-8")
        assert "MẬT" in page and text("privacy.metadata.pseudonymised") in page
        for file in ("people.csv", "ballots.csv", "dataset.yml"):  # the provenance footer
            digest = hashlib.sha256((sample / "thuong-tin-2022" / file).read_bytes()).hexdigest()
            assert digest in page, (report, file)
        assert (out / "thuong-tin-2022" / f"{report}.pdf").read_bytes().startswith(b"%PDF")
        assert is_prerendered(page) == (report != "briefing"), report  # charts drawn in; not the deck's
