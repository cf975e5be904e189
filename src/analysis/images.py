"""Charts as PNG images for Word documents, at print resolution (drawn by plotly.js in Chromium).

``build --png`` writes every chart of a report as ``<report>/<chart>.png`` next to its CSV
tables; :func:`figure_to_png` saves one figure from JupyterLab. Images are drawn by plotly.js
itself (``Plotly.toImage``) in the system Chromium, offline: kaleido would need a Chrome of its
own. ``scale=3`` turns a 1000 × 560 chart into 3000 × 1680 pixels: 25 cm wide at 300 dpi.
A chart's file name is the name it was saved under (``ctx.show(fig, table, name)``), else its
title, folded to ASCII (``co-cau-theo-do-tuoi.png``), else ``chart-<n>``.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from analysis.browser import chromium, offline_page, open_report, outside_event_loop
from analysis.errors import BuildError, ParameterError
from analysis.schema import fold

PRINT_SCALE = 3
DRAW_ALL = """async (scale) => {
  const found = [];
  for (const gd of document.querySelectorAll('.plotly-graph-div')) {
    const layout = gd._fullLayout;
    const url = await Plotly.toImage(gd, {format: 'png', scale: scale, width: layout.width, height: layout.height});
    const meta = gd.layout && gd.layout.meta;
    found.push({url: url, name: (meta && meta.chart) || '', title: (layout.title && layout.title.text) || ''});
  }
  return found;
}"""
DRAW_ONE = """async ([figure, scale, width, height]) =>
  Plotly.toImage(figure, {format: 'png', scale: scale, width: width, height: height})"""


def chart_file_name(name: str, title: str, number: int, taken: set[str]) -> str:
    """A file name for a chart: its name, else its title folded to ASCII, else ``chart-<n>``;
    made unique with ``-2``, ``-3``… among ``taken`` (which it joins)."""
    plain = re.sub(r"<[^>]*>", " ", title or "")
    base = re.sub(r"[^a-z0-9_-]+", "-", (name or fold(plain)).lower()).strip("-")[:60].strip("-")
    base = base or f"chart-{number}"
    chosen, n = base, 2
    while chosen in taken:
        chosen, n = f"{base}-{n}", n + 1
    taken.add(chosen)
    return f"{chosen}.png"


def _write_png(data_url: str, path: Path) -> Path:
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise BuildError(f"plotly.js không vẽ được ảnh PNG / plotly.js returned no PNG for {path.name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(data_url[len(prefix):]))
    return path


@outside_event_loop
def export_charts(html_path: Path | str, folder: Path | str, scale: int = PRINT_SCALE,
                  timeout_ms: int = 180_000) -> list[Path]:
    """Every chart of a built page as a PNG in ``folder``; returns the files, in page order."""
    if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0 < scale <= 10:
        raise ParameterError(f"scale phải từ 0 đến 10 / scale must be between 0 and 10: '{scale}'")
    source, folder = Path(html_path), Path(folder)
    if not source.is_file():
        raise BuildError(f"Không có trang {source} / no page {source}")
    with chromium() as browser, offline_page(browser) as page:
        open_report(page, source, timeout_ms=timeout_ms)
        charts = page.evaluate(DRAW_ALL, scale)
    taken: set[str] = set()
    return [_write_png(chart["url"], folder / chart_file_name(chart["name"], chart["title"], i, taken))
            for i, chart in enumerate(charts, start=1)]


@outside_event_loop
def figure_to_png(fig: Any, path: Path | str, scale: int = PRINT_SCALE) -> Path:
    """Save one plotly figure as a PNG (``scale`` × its width and height); return the path."""
    from analysis.charts import theme
    from analysis.plotlyjs import plotlyjs_for

    if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0 < scale <= 10:
        raise ParameterError(f"scale phải từ 0 đến 10 / scale must be between 0 and 10: '{scale}'")
    figure = json.loads(fig.to_json())
    layout = figure.get("layout", {})
    width, height = layout.get("width") or theme.WIDTH, layout.get("height") or theme.HEIGHT
    bundle = plotlyjs_for(str(trace.get("type", "scatter")) for trace in figure.get("data", []))
    with chromium() as browser, offline_page(browser) as page:
        page.set_content(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
                         f"<script>{bundle.text}</script></body></html>")
        url = page.evaluate(DRAW_ONE, [figure, scale, width, height])
    return _write_png(url, Path(path))
