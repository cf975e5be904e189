"""PDF of a report through the system Chromium: A4, marking on every page, footer, charts not cut."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import plotly.graph_objects as go
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.browser import CHROMIUM, chromium, offline_page, open_report, outside_event_loop
from analysis.charts import ballots
from analysis.errors import BuildError
from analysis.kernels import plotlyjs_script
from analysis.pdf import footer_template, header_template, html_to_pdf
from analysis.render import render_html
from analysis.report import OfflineNotebookRenderer, ReportContext

needs_tools = pytest.mark.skipif(not CHROMIUM.exists() or not shutil.which("pdftotext"),
                                 reason="needs /usr/bin/chromium (make browser) and pdftotext (poppler-utils)")
EDGE = "RIGHTEDGEMARK"  # an annotation at the right edge of a chart wider than A4


def _html_output(markup: str):
    return new_output("display_data", data={"text/html": markup})


def _page(tmp_path: Path, language: str = "vi", figures: list[go.Figure] | None = None,
          second: list[go.Figure] = ()) -> Path:
    """A built page: title block, provenance footer, two sections, one chart 1400 px wide (or
    ``figures``) in the first section, ``second`` right under the second's heading."""
    data = tmp_path / "people.csv"
    data.write_text("person_id\n1\n", encoding="utf-8")
    meta = SimpleNamespace(id="thu-2022", name="Huyện thử", as_of=dt.date(2022, 5, 25), description=None)
    dataset = SimpleNamespace(meta=meta, tables={}, warnings=[], input_files=[data], root=tmp_path)
    rules = SimpleNamespace(name={"vi": "Quy định 50", "en": "Regulation 50"})
    ctx = ReportContext(report="composition", dataset=dataset, dataset_path=tmp_path, as_of=meta.as_of,
                        language=language, rules=rules, marking="MẬT")
    wide = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout=dict(width=1400, height=500))
    wide.add_annotation(text=EDGE, x=1, y=1, xref="paper", yref="paper", xanchor="right", showarrow=False)
    renderer = OfflineNotebookRenderer()
    charts, under = ([_html_output(renderer.to_mimebundle(fig.to_dict())["text/html"]) for fig in group]
                     for group in (figures or [wide], second))
    cells = [
        new_code_cell("", outputs=[_html_output(ctx.title_html()),
                                   _html_output(ctx.metadata_html(dt.datetime(2026, 1, 2, 10, 11)))]),
        new_code_cell("", outputs=[new_output("display_data", data={"text/markdown": "## Phần một"}),
                                   _html_output(plotlyjs_script()), *charts]),
        new_code_cell("", outputs=[new_output("display_data", data={"text/markdown": "## Phần hai"}),
                                   *under, _html_output("<p>SECONDSECTION</p>")]),
    ]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "P"}})
    path = tmp_path / "report.html"
    path.write_text(render_html(nb, "Báo cáo thử", language), encoding="utf-8")
    return path


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def test_templates_escape_and_number_pages():
    header = header_template('<script>alert(1)</script> MẬT')
    assert "&lt;script&gt;" in header and "<script>" not in header and "MẬT" in header
    footer = footer_template({"dataset": "Huyện <b>", "asOf": "25/05/2022", "rules": "QĐ 50",
                              "built": "02/01/2026 10:11"}, "vi")
    assert "Bộ dữ liệu: Huyện &lt;b&gt;" in footer and "Tính đến ngày 25/05/2022" in footer
    assert 'Trang <span class="pageNumber"></span>/<span class="totalPages"></span>' in footer
    english = footer_template({"dataset": "X", "asOf": "2022-05-25"}, "en")
    assert "Dataset: X" in english and "Page <span class=\"pageNumber\">" in english


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_pdf_is_a4_marked_footed_sectioned_and_uncut(tmp_path):
    page = _page(tmp_path)
    pdf = html_to_pdf(page)
    assert pdf == tmp_path / "report.pdf" and pdf.read_bytes().startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes and all(abs(float(w) - 595.9) < 1 and abs(float(h) - 842.9) < 1 for w, h in boxes)  # A4 portrait

    pages = _pages(pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "MẬT" in text  # the marking on every page
        assert f"Trang {number}/{len(pages)}" in text
        assert "Bộ dữ liệu: Huyện thử (thu-2022)" in text and "Tính đến ngày 25/05/2022" in text
        assert "Quy định áp dụng: Quy định 50" in text and "Lập lúc 02/01/2026 10:11" in text
    first = next(i for i, t in enumerate(pages) if "Phần một" in t)
    second = next(i for i, t in enumerate(pages) if "Phần hai" in t)
    assert second > first  # a new page for every section
    assert "SHA-256" in "".join(pages)  # the provenance footer is printed too


def _boxes(pdf: Path) -> str:
    """Every printed word of ``pdf`` with its box, page by page (pdftotext -bbox, XHTML)."""
    return subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _right_edge(pdf: Path, word: str) -> float | None:
    """Where ``word`` ends on its page, in points; None when it is not printed."""
    found = re.search(rf'xMax="([\d.]+)" yMax="[\d.]+">{word}</word>', _boxes(pdf))
    return float(found.group(1)) if found else None


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_wide_charts_are_scaled_to_the_page_not_cut(tmp_path):
    page = _page(tmp_path)
    edge = _right_edge(html_to_pdf(page, tmp_path / "fitted.pdf"), EDGE)
    assert edge is not None and edge <= 595.9 - 12 / 25.4 * 72  # inside the right margin of A4
    # the check can fail: without print.js the 1400 px chart runs off the page, its edge is lost
    unfitted = tmp_path / "unfitted.html"
    text, removed = re.subn(r"<script>/\* Printing.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S)
    assert removed == 1
    unfitted.write_text(text, encoding="utf-8")
    assert _right_edge(html_to_pdf(unfitted, tmp_path / "cut.pdf"), EDGE) is None


def _rows_chart(prefix: str, rows: int, height: int) -> go.Figure:
    labels = [f"{prefix}{i:02d}" for i in range(rows)]
    return go.Figure(go.Bar(x=list(range(1, rows + 1)), y=labels, orientation="h"),
                     layout=dict(width=650, height=height, font=dict(size=12), margin=dict(t=10, b=10),
                                 yaxis=dict(autorange="reversed")))


def _words(pdf: Path, prefix: str) -> list[tuple[str, int, float, float]]:
    """(word, page, top, height; in points) of every printed word that is ``prefix`` and digits."""
    found = []
    for page, text in enumerate(_boxes(pdf).split("<page ")[1:], start=1):
        found += [(word, page, float(y0), float(y1) - float(y0)) for y0, y1, word in
                  re.findall(rf'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">({prefix}\d*)</word>', text)]
    return found


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_a_tall_chart_fits_one_page_when_it_can_else_runs_on_legibly(tmp_path):
    # 1,100 px: scaled to 87 % onto one page; 3,000 px (a heatmap of 99 people): 32 % would be
    # unreadable, so it keeps its size and runs on over the next pages, every row printed
    page = _page(tmp_path, figures=[_rows_chart("SHORT", 30, 1100), _rows_chart("TALL", 99, 3000)])
    pdf = html_to_pdf(page, tmp_path / "tall.pdf")
    short, tall = _words(pdf, "SHORT"), _words(pdf, "TALL")
    assert {w for w, *_ in short} == {f"SHORT{i:02d}" for i in range(30)} and len({p for _, p, *_ in short}) == 1
    assert {w for w, *_ in tall} == {f"TALL{i:02d}" for i in range(99)} and len({p for _, p, *_ in tall}) >= 3
    assert min(h for *_, h in tall) > max(h for *_, h in short)  # printed at full size, not shrunk
    # the tall chart follows on the next page: the shrunk chart leaves no room of its former
    # height behind (plotly.py's wrapper of the figure's size is what is scaled), no blank page
    assert min(p for _, p, *_ in tall) == max(p for _, p, *_ in short) + 1


A4_PRINTED_BAND = (20 / 25.4 * 72, 842 - 18 / 25.4 * 72)  # points from the top: inside the @page margins


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_a_chart_taller_than_a_page_is_cut_between_rows(tmp_path):
    # 99 rows at 3,000 px run on over four pages; each page break falls between two rows, so
    # every name is printed once and whole inside a page's printed band, in order. Before,
    # the browser cut the chart wherever a page ended: a name across the break was printed in
    # part on both pages, below the band of one and above the band of the next.
    pdf = html_to_pdf(_page(tmp_path, figures=[_rows_chart("ROW", 99, 3000)]), tmp_path / "rows.pdf")
    rows = _words(pdf, "ROW")
    assert [w for w, *_ in sorted(rows, key=lambda r: (r[1], r[2]))] == [f"ROW{i:02d}" for i in range(99)]
    assert all(A4_PRINTED_BAND[0] <= top and top + height <= A4_PRINTED_BAND[1] for _, _, top, height in rows)
    pages = sorted({page for _, page, *_ in rows})
    assert len(pages) >= 4 and pages == list(range(pages[0], pages[-1] + 1))
    # a page of rows is a whole page less the last row that does not fit: 28–29 rows of 29 px
    per_page = [sum(1 for _, p, *_ in rows if p == page) for page in pages]
    assert all(per_page[k] >= 28 for k in range(1, len(pages) - 1)), per_page


PRINT_STATE = """() => ({parts: document.querySelectorAll('.qh-print-slice').length,
                         styles: [...document.querySelectorAll('.plotly-graph-div')].map(
                             gd => [gd.style.cssText, gd.parentElement.style.cssText, gd.offsetHeight])})"""


@outside_event_loop  # another test's browser may hold this thread's loop
def _states_around_printing(page_path: Path) -> list[dict]:
    """The page's charts before printing, while printing, and after."""
    with chromium() as browser, offline_page(browser) as page:
        open_report(page, page_path)
        states = [page.evaluate(PRINT_STATE)]
        page.emulate_media(media="print")
        page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        states.append(page.evaluate(PRINT_STATE))
        page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
        page.emulate_media(media="screen")
        return states + [page.evaluate(PRINT_STATE)]


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_printing_leaves_the_page_as_it_was(tmp_path):
    page = _page(tmp_path, figures=[_rows_chart("ROW", 99, 3000), _rows_chart("SHORT", 5, 400)])
    before, printing, after = _states_around_printing(page)
    assert printing["parts"] >= 3  # the tall chart's slices after the first, shown by its own box
    assert printing["styles"][0][1] != before["styles"][0][1]
    assert after == before and after["parts"] == 0


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_a_page_high_chart_under_a_section_heading_stays_with_it(tmp_path):
    # 940 px high: it would fit a page (960 px) but not under the heading, and move on, leaving the
    # heading alone on its page; it is scaled to fit under it instead
    pdf = html_to_pdf(_page(tmp_path, second=[_rows_chart("UNDER", 30, 940)]), tmp_path / "under.pdf")
    heading = next(number for number, text in enumerate(_pages(pdf), start=1) if "Phần hai" in text)
    assert {page for _, page, *_ in _words(pdf, "UNDER")} == {heading}


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_charts_scaled_to_the_page_take_the_room_of_their_printed_size(tmp_path):
    # two charts 1,400 × 600 px, scaled to half (700 px wide): 300 px high each, so the second's
    # label is 300 px (225 pt) under the first's; the first chart's unscaled room pushed it further
    wide = [go.Figure(go.Bar(x=[1], y=[f"WIDE{i}"], orientation="h"), layout=dict(width=1400, height=600))
            for i in range(2)]
    pdf = html_to_pdf(_page(tmp_path, figures=wide), tmp_path / "wide.pdf")
    (_, first_page, first_y, _), (_, second_page, second_y, _) = _words(pdf, "WIDE")
    assert first_page == second_page and 215 < second_y - first_y < 235  # 300 pt when the room was not scaled
    # nothing runs past the paper, so Chromium does not shrink the whole page to fit it: text is
    # printed at report.css's 11 pt (a box of 15 pt in Noto Sans), not 7.5 pt
    ((*_, height),) = _words(pdf, "SECONDSECTION")
    assert 14.5 < height < 15.5


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_a_heatmap_of_99_people_prints_a_figure_a_page_each_under_its_headings(tmp_path):
    people = [f"HM{i:02d}" for i in range(99)]
    steps = pd.DataFrame({"person_id": people, "full_name": people, "title_id": "T", "title": "Bí thư",
                          "step": 3, "pct": [99.0 - i / 2 for i in range(99)], "status": "passed"})
    steps = pd.concat([steps, steps.assign(step=4, status="kept")], ignore_index=True)
    figures = ballots.steps_heatmaps(steps)
    assert [len(f.data[0].y) for f in figures] == [33, 33, 33]
    pdf = html_to_pdf(_page(tmp_path, figures=figures), tmp_path / "heatmap.pdf")
    rows = _words(pdf, "HM")
    assert sorted(w for w, *_ in rows) == people  # every row printed, once
    pages = [{p for w, p, *_ in rows if f"{w} — Bí thư" in figure.data[0].y} for figure in figures]
    assert all(len(p) == 1 for p in pages) and len(set.union(*pages)) == 3  # a page each, none cut
    texts = _pages(pdf)
    for (page,) in pages:  # the steps' headings over every page of rows
        assert "Bước 3" in texts[page - 1] and "Bước 4" in texts[page - 1]


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_english_footer_and_network_refused(tmp_path):
    pages = _pages(html_to_pdf(_page(tmp_path, "en"), language="en"))
    assert "Dataset: Huyện thử (thu-2022)" in pages[0] and f"Page 1/{len(pages)}" in pages[0]

    online = tmp_path / "online.html"  # a page that slipped past render.check_offline
    online.write_text(_page(tmp_path).read_text(encoding="utf-8").replace(
        "</main>", '<img src="https://example.invalid/logo.png"></main>'), encoding="utf-8")
    with pytest.raises(BuildError, match="network"):
        html_to_pdf(online)
    assert not online.with_suffix(".pdf").exists()
