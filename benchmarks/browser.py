"""Time until every chart of a report is drawn, in headless Chromium (part of `run.py`).

Each page is opened from disk (``file://``, offline) in a new browser context (no cache), and
the time is read in the page: ``performance.now()`` when the document is complete and every
``.plotly-graph-div`` shows its chart: drawn by plotly.js (it has its ``.main-svg``), or drawn at
build time (``build --prerender``: its picture, ``.qh-picture``); a report page opened with
``?timing`` shows the same measure (`src/analysis/assets/timing.js`). "Live" is the time every chart
is plotly.js's own (hover, zoom): the same for a page built without pictures. The floor is
measured in the same run: a page holding nothing but plotly.js and one tiny chart. The report's
single-file page is also reloaded in its tab each run, as a presenter reopens it.
"""

from __future__ import annotations

import os
import shutil
import statistics
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DRAWN = """() => {
  const charts = [...document.querySelectorAll('.plotly-graph-div')];
  const done = document.readyState === 'complete' && charts.length > 0
    && charts.every(c => (c._fullLayout && c.querySelector('.main-svg')) || c.querySelector('.qh-picture svg'));
  return done ? [performance.now(), charts.length] : false;
}"""
LIVE = """() => {
  const charts = [...document.querySelectorAll('.plotly-graph-div')];
  const live = charts.every(c => c._fullLayout && c.querySelector('.main-svg'));
  return live && !document.querySelector('.qh-picture') ? performance.now() : false;
}"""
# Installed before the page's own scripts: the time the charts of the first screen (the viewport)
# are drawn (none, when the title and contents fill it), what a presenter sees first. The screen
# counts as complete once the page is parsed past it (taller than the screen) or parsed whole.
FIRST_SCREEN = """(() => {
  window.__qhFirstScreen = null;
  function poll() {
    const charts = [...document.querySelectorAll('.plotly-graph-div')];
    const shown = charts.filter(c => c.getBoundingClientRect().top < innerHeight);
    const parsed = document.readyState !== 'loading' || document.documentElement.scrollHeight > innerHeight;
    if (parsed && shown.every(c => c.querySelector('.main-svg, .qh-picture svg'))) {
      window.__qhFirstScreen = performance.now();
    } else {
      requestAnimationFrame(poll);
    }
  }
  requestAnimationFrame(poll);
})();"""


def floor_page(folder: Path, src: str | None = None, full: bool = False, charts: int = 1) -> Path:
    """A page with plotly.js (inline, or loaded from ``src``) and ``charts`` one-bar charts with
    plotly's defaults: the bundle reports get (`analysis.plotlyjs.plotlyjs_for`), or plotly.py's
    full one (``full``). What plotly.js itself costs, below any report's own work."""
    if src:
        script = f'<script src="{src}"></script>'
    else:
        from analysis.plotlyjs import full_plotlyjs, plotlyjs_for

        script = f"<script>{(full_plotlyjs() if full else plotlyjs_for(['bar'])).text}</script>"
    name = "floor-portfolio" if src else "floor-full" if full else "floor"
    page = folder / f"{name}-{charts}.html"
    drawn = "".join(f'<div class="plotly-graph-div" id="c{i}"></div>'
                    f"<script>Plotly.newPlot('c{i}', [{{type: 'bar', x: [1], y: [1]}}]);</script>"
                    for i in range(charts))
    page.write_text(f"<!DOCTYPE html><html><body>{script}{drawn}</body></html>", encoding="utf-8")
    return page


REOPENED = " opened again in the same tab"  # suffix of the second measure of a page in `reopen`


def time_pages(pages: dict[str, Path], runs: int, log, reopen: tuple[str, ...] = ()) -> dict[str, dict]:
    """{name: {"ms": [...], "median_ms", "charts", "first_ms": [...], "median_first_ms", "live_ms": [...],
    "median_live_ms"}} for each page, ``runs`` fresh loads each, interleaved; ``first``: the charts
    of the first screen drawn; ``live``: every chart plotly.js's own.

    Pages named in ``reopen`` are also reloaded once in the tab each run, as a presenter reopens
    a report: the browser then has plotly.js compiled already (name + `REOPENED`).
    """
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {}
    first: dict[str, list[float]] = {}
    live: dict[str, list[float]] = {}
    charts: dict[str, int] = {}
    for name in pages:
        times[name], first[name], live[name] = [], [], []
        if name in reopen:
            times[name + REOPENED], first[name + REOPENED], live[name + REOPENED] = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else None,
                                     headless=True)
        try:
            # interleaved (run 1 of every page, then run 2 ...): a slow moment of the machine
            # falls on every page alike, and the floors stay comparable with the reports
            for _ in range(runs):
                for name, page_path in pages.items():
                    context = browser.new_context()
                    context.add_init_script(FIRST_SCREEN)
                    page = context.new_page()
                    errors: list[str] = []
                    page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                    page.on("requestfailed", lambda req, errors=errors: errors.append(req.url))
                    page.goto(Path(page_path).resolve().as_uri(), wait_until="commit")
                    for measure in (name, name + REOPENED) if name in reopen else (name,):
                        if measure != name:
                            page.reload(wait_until="commit")
                        ms, charts[name] = page.wait_for_function(DRAWN, polling="raf",
                                                                  timeout=120_000).json_value()
                        times[measure].append(ms)
                        first[measure].append(page.wait_for_function("() => window.__qhFirstScreen",
                                                                     polling="raf").json_value())
                        live[measure].append(page.wait_for_function(LIVE, polling="raf",
                                                                    timeout=120_000).json_value())
                    context.close()
                    if errors:
                        raise RuntimeError(f"{page_path}: {errors[:3]}")
        finally:
            browser.close()
    results: dict[str, dict] = {}
    for measure, values in times.items():
        name = measure.removesuffix(REOPENED)
        results[measure] = {"ms": [round(t) for t in values], "charts": charts[name], "page": str(pages[name]),
                            "median_ms": round(statistics.median(values)),
                            "first_ms": [round(t) for t in first[measure]],
                            "median_first_ms": round(statistics.median(first[measure])),
                            "live_ms": [round(t) for t in live[measure]],
                            "median_live_ms": round(statistics.median(live[measure]))}
        log(f"browser {measure}: {charts[name]} charts, median {results[measure]['median_ms']} ms "
            f"(first screen {results[measure]['median_first_ms']} ms, "
            f"live {results[measure]['median_live_ms']} ms)")
    return results


PRERENDERED = " with its charts drawn at build time"  # suffix of a page copied and prerendered


def prerendered_copy(page: Path) -> tuple[Path, float]:
    """A copy of a built page beside it (its relative links still hold), prerendered
    (`analysis.prerender`): the copy and the seconds prerendering took (Chromium's start included)."""
    import time

    from analysis.prerender import prerender_page

    copy = page.with_name(f"{page.stem}.prerendered.html")
    shutil.copyfile(page, copy)
    started = time.monotonic()
    prerender_page(copy)
    return copy, time.monotonic() - started


def run_browser(single: dict, work: Path, runs: int, log) -> dict:
    """Single-file and portfolio pages of the report with the most charts, the same prerendered
    (`build --prerender`), and both floors."""
    report = max(single["sizes"], key=lambda r: single["sizes"][r]["charts"])
    page = Path(single["sizes"][report]["page"])
    shared = Path(single["portfolio_dir"]) / page.relative_to(single["single_dir"])
    assets = Path(single["portfolio_dir"]) / "assets"
    drawn_single, seconds_single = prerendered_copy(page)
    drawn_shared, seconds_shared = prerendered_copy(shared)
    log(f"prerendered {report}: {seconds_single:.1f} s single file, {seconds_shared:.1f} s portfolio")
    pages = {
        "plotly.py's full plotly.js only (inline)": floor_page(work, full=True),
        "plotly.js only (inline)": floor_page(work),
        "plotly.js and 20 one-bar charts (inline)": floor_page(work, charts=20),
        "plotly.js only (shared file)": floor_page(assets.parent / page.parent.name, "../assets/plotly.min.js"),
        f"{report} (single file)": page,
        f"{report} (portfolio)": shared,
        f"{report} (single file){PRERENDERED}": drawn_single,
        f"{report} (portfolio){PRERENDERED}": drawn_shared,
    }
    reopen = (f"{report} (single file)",)
    return {"report": report, "pages": time_pages(pages, runs, log, reopen), "chromium": _version(),
            "prerender": {"seconds": [round(seconds_single, 2), round(seconds_shared, 2)],
                          "bytes": [drawn_single.stat().st_size, drawn_shared.stat().st_size],
                          "plain_bytes": [page.stat().st_size, shared.stat().st_size]}}


def _version() -> str:
    import subprocess

    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
