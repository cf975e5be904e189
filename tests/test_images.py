"""Charts as PNG at print resolution, drawn by plotly.js in the system Chromium."""

from __future__ import annotations

import struct
from pathlib import Path

import plotly.graph_objects as go
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.browser import CHROMIUM
from analysis.errors import ParameterError
from analysis.images import chart_file_name, export_charts, figure_to_png
from analysis.kernels import plotlyjs_script
from analysis.render import render_html
from analysis.report import OfflineNotebookRenderer

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (make browser)")


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_chart_file_names():
    taken: set[str] = set()
    assert chart_file_name("age_bands", "Cơ cấu", 1, taken) == "age_bands.png"  # the saved name first
    assert chart_file_name("", "Cơ cấu theo <b>độ tuổi</b>", 2, taken) == "co-cau-theo-do-tuoi.png"
    assert chart_file_name("", "Cơ cấu theo độ tuổi", 3, taken) == "co-cau-theo-do-tuoi-2.png"  # unique
    assert chart_file_name("", "", 4, taken) == "chart-4.png"
    assert chart_file_name("../../etc", "", 5, taken) == "etc.png"  # never a path


def test_scale_is_checked_before_any_browser():
    with pytest.raises(ParameterError, match="scale"):
        figure_to_png(go.Figure(), "x.png", scale=0)
    with pytest.raises(ParameterError, match="scale"):
        export_charts("x.html", ".", scale=True)


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_figure_to_png_at_print_resolution(tmp_path):
    fig = go.Figure(go.Bar(x=["Nam", "Nữ"], y=[3, 5]), layout=dict(width=400, height=300))
    path = figure_to_png(fig, tmp_path / "out" / "gioi-tinh.png")
    assert png_size(path) == (1200, 900)  # 400 × 300 at scale 3
    assert png_size(figure_to_png(fig, tmp_path / "small.png", scale=1)) == (400, 300)


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_export_every_chart_of_a_page(tmp_path):
    named = go.Figure(go.Bar(x=[1], y=[2]), layout=dict(width=500, height=250, meta={"chart": "age_bands"}))
    titled = go.Figure(go.Scatter(x=[1, 2], y=[2, 1]), layout=dict(width=600, height=200,
                                                                   title_text="Biểu đồ hai"))
    renderer = OfflineNotebookRenderer()
    outputs = [new_output("display_data", data={"text/html": plotlyjs_script()})] + [
        new_output("display_data", data={"text/html": renderer.to_mimebundle(f.to_dict())["text/html"]})
        for f in (named, titled)]
    nb = new_notebook(cells=[new_code_cell("", outputs=outputs)],
                      metadata={"kernelspec": {"name": "python3", "display_name": "P"}})
    page = tmp_path / "r.html"
    page.write_text(render_html(nb, "r"), encoding="utf-8")

    files = export_charts(page, tmp_path / "r")
    assert [f.name for f in files] == ["age_bands.png", "bieu-do-hai.png"]
    assert [png_size(f) for f in files] == [(1500, 750), (1800, 600)]  # × 3
