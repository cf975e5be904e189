"""Charts drawn at build time (`build --prerender`): a page that shows every chart at once.

A built page runs plotly.js while it loads and draws its charts one by one: on a slow computer,
more than a second for a page of twenty charts (README, Performance). Prerendering opens the
built page in the system Chromium, where plotly.js draws every chart, and writes each chart's
picture into the page: plotly.js's own SVG export of it (``Plotly.Snapshot.toSVG``), the same
texts, bars and colours. The page then shows every chart as soon as it is read. plotly.js and the
charts' code stay in the page, kept from running while it loads (their ``type``); the page's
`assets/hydrate.js` starts them after the first frame and puts each live chart (hover, zoom, the
mode bar) in place of its picture, one a task, and all of them before printing.

What it costs: Chromium opens each page at build time (about as long as the page takes to draw),
and the pictures weigh on the page (about 20 KB a chart). Decks and pages without charts are
left as they are.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.browser import chromium, is_deck_page, offline_page, open_report, outside_event_loop
from analysis.config import ASSETS_DIR
from analysis.errors import BuildError

PLOTLYJS_TYPE = "text/x-quyhoach-plotlyjs"  # plotly.js, kept from running while the page loads
CHART_TYPE = "text/x-quyhoach-chart"  # a chart's Plotly.newPlot, likewise
PICTURE_CLASS = "qh-picture"
# every chart's picture, in page order (toSVG takes the live chart apart: the page is thrown away)
CAPTURE = """() => Array.from(document.querySelectorAll('.plotly-graph-div'))
  .map(gd => ({id: gd.id, svg: Plotly.Snapshot.toSVG(gd, 'svg', 1)}))"""
_INLINE_PLOTLYJS = re.compile(r"<script>(?=\s*/\*\*\s*\*\s*plotly\.js v\d)")
_SHARED_PLOTLYJS = re.compile(r'<script src="([^"]+\.js)" charset="utf-8"></script>')
# a chart's box as plotly.py writes it, and the script that draws it just after
_CHART_AND_CODE = re.compile(r'(?P<div><div id="(?P<id>[^"]+)" class="plotly-graph-div"[^>]*>)</div>(?P<gap>\s*)'
                             r'<script(?: type="text/javascript")?>')
# plotly's class "main-svg" tells a live chart (browser.CHARTS_DRAWN, timing.js): not on a picture
_ROOT_CLASS = re.compile(r'^(<svg\b[^>]*?)\s*class="main-svg"')


def is_prerendered(page: str) -> bool:
    """Whether a page's charts were drawn into it (its charts' code kept for after loading)."""
    return f'type="{CHART_TYPE}"' in page


def with_pictures(page: str, pictures: list[dict[str, str]]) -> str:
    """``page`` with each chart's picture in its place and plotly.js kept until after load.

    ``pictures``: ``{"id": the chart's div id, "svg": its picture}`` for every chart of the page.
    Raises BuildError when a chart of the page has no picture or is not where plotly.py puts it.
    """
    ids = re.findall(r'<div id="([^"]+)" class="plotly-graph-div"', page)
    drawn = {picture["id"]: picture["svg"] for picture in pictures}
    missing = [chart for chart in ids if not drawn.get(chart, "").startswith("<svg")]
    if missing:
        raise BuildError(f"Chromium không vẽ được {len(missing)} biểu đồ ({missing[0]}) / Chromium did not "
                         f"draw {len(missing)} chart(s) ({missing[0]})")
    placed: list[str] = []

    def place(m: re.Match) -> str:
        chart = m["id"]
        placed.append(chart)
        svg = _ROOT_CLASS.sub(r"\1", drawn[chart], count=1)
        return (f'{m["div"]}<div class="{PICTURE_CLASS}">{svg}</div></div>{m["gap"]}'
                f'<script type="{CHART_TYPE}" data-chart="{chart}">')

    page = _CHART_AND_CODE.sub(place, page)  # one pass over the page for every chart
    unplaced = [chart for chart in ids if chart not in placed]
    if unplaced:
        raise BuildError(f"Không thấy mã vẽ biểu đồ {unplaced[0]} / no drawing code after chart {unplaced[0]}")
    page, inline = _INLINE_PLOTLYJS.subn(f'<script type="{PLOTLYJS_TYPE}">', page, count=1)
    if not inline:
        page = _SHARED_PLOTLYJS.sub(lambda m: f'<script type="{PLOTLYJS_TYPE}" data-src="{m[1]}"></script>',
                                    page, count=1)
    hydrate = (ASSETS_DIR / "hydrate.js").read_text(encoding="utf-8")
    head, body_end, tail = page.rpartition("</body>")
    if not body_end:
        raise BuildError("Trang không có </body> / the page has no </body>")
    return f"{head}<script>{hydrate}</script>\n{body_end}{tail}"


@outside_event_loop
def prerender_page(html_path: Path | str, timeout_ms: int = 180_000) -> bool:
    """Draw every chart of a built page into it (in place); False when there was nothing to do:
    a deck, a page without charts, or one prerendered already."""
    from analysis.render import check_offline
    from analysis.safe_writes import write_text_atomic

    path = Path(html_path)
    if not path.is_file():
        raise BuildError(f"Không có trang {path} / no page {path}")
    page = path.read_text(encoding="utf-8")
    if is_deck_page(path) or is_prerendered(page) or 'class="plotly-graph-div"' not in page:
        return False
    with chromium() as browser, offline_page(browser) as tab:
        open_report(tab, path, timeout_ms=timeout_ms)
        pictures = tab.evaluate(CAPTURE)
    drawn = with_pictures(page, pictures)
    check_offline(drawn)
    write_text_atomic(path, drawn)
    return True
