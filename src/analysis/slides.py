"""Briefing decks: an executed notebook as reveal.js slides that open and draw offline.

A notebook is a deck when its metadata says ``{"quyhoach": {"format": "slides"}}``; each cell
with ``slideshow.slide_type: slide`` starts a slide (one idea per slide). The page loads reveal.js,
require.js and jQuery from local copies next to the reports (``<out>/assets/``), installed from
the npm registry by ``make assets`` (``npm ci``, see package.json) and copied there by the build:
never from a CDN. require.js is loaded after the slides, so plotly.js (inlined in the first chart's
slide) registers ``window.Plotly`` instead of an anonymous AMD module.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from pathlib import Path
from typing import Any

from analysis.config import ASSETS_DIR, PROJECT_ROOT
from analysis.errors import BuildError
from analysis.labels import Labels

DECK_KEY = "quyhoach"
ASSETS_FOLDER = "assets"  # <out>/assets/, shared with portfolio mode's plotly.min.js
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720  # 16:9 projectors; reveal.js scales to the screen
CHART_WIDTH, CHART_HEIGHT = 1200, 560  # a chart under a slide title
NODE_MODULES = PROJECT_ROOT / "node_modules"
# node_modules/<source> -> <out>/assets/<target>: only what the deck loads, with the licences
ASSET_FILES = {
    "reveal.js/dist/reveal.js": "reveal.js/dist/reveal.js",
    "reveal.js/dist/reveal.css": "reveal.js/dist/reveal.css",
    "reveal.js/dist/reset.css": "reveal.js/dist/reset.css",
    "reveal.js/plugin/notes/notes.js": "reveal.js/plugin/notes/notes.js",
    "reveal.js/plugin/notes/speaker-view.html": "reveal.js/plugin/notes/speaker-view.html",
    "reveal.js/LICENSE": "reveal.js/LICENSE",
    "requirejs/require.js": "require.js",
    "jquery/dist/jquery.min.js": "jquery.min.js",
    "jquery/LICENSE.txt": "jquery.LICENSE.txt",
}


def is_deck(nb: Any) -> bool:
    """Whether a notebook (node, dict or path) asks to be rendered as slides."""
    if isinstance(nb, (str, Path)):
        nb = json.loads(Path(nb).read_text(encoding="utf-8"))
    meta = (nb.get("metadata") or {}).get(DECK_KEY) or {}
    return meta.get("format") == "slides"


def fit_to_slide(fig: Any, height: int = CHART_HEIGHT, width: int = CHART_WIDTH) -> Any:
    """``fig`` sized to sit under a slide title (in place; returned for chaining)."""
    fig.update_layout(width=width, height=height)
    return fig


def install_assets(out_dir: Path | str, node_modules: Path | str | None = None) -> Path:
    """Copy the deck's scripts from ``node_modules`` into ``<out_dir>/assets/``; return that folder.

    Each file is written under a temporary name and renamed, so builds running side by side never
    see half a file. Raises :class:`BuildError` when the npm packages are not installed.
    """
    source = Path(node_modules or NODE_MODULES)
    target = Path(out_dir) / ASSETS_FOLDER
    missing = [name for name in ASSET_FILES if not (source / name).is_file()]
    if missing:
        raise BuildError(
            f"Thiếu reveal.js / require.js / jQuery trong {source}: chạy `make assets` (npm ci) / "
            f"the slide scripts are not installed in {source}: run `make assets` (npm ci); "
            f"missing: {', '.join(missing)}"
        )
    for name, copy in ASSET_FILES.items():
        src, dst = source / name, target / copy
        if dst.is_file() and dst.stat().st_size == src.stat().st_size and \
                dst.read_bytes() == src.read_bytes():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        partial = dst.with_name(f".{dst.name}.{os.getpid()}.part")
        shutil.copyfile(src, partial)
        os.replace(partial, dst)
    return target


@functools.lru_cache(maxsize=None)
def _exporter(language: str, prefix: str):
    from nbconvert import SlidesExporter

    from analysis.render import page_exporter

    return page_exporter(
        SlidesExporter, "reveal", "slides.html.j2", language,
        reveal_url_prefix=f"{prefix}/reveal.js",
        reveal_transition="none",  # projectors in meeting rooms: no animation
        reveal_number="c/t",
        reveal_width=str(SLIDE_WIDTH),
        reveal_height=str(SLIDE_HEIGHT),
        require_js_url=f"{prefix}/require.js",
        jquery_url=f"{prefix}/jquery.min.js",
    )


def render_slides(nb: Any, title: str, language: str = "vi", footer: str = "", marking: str = "",
                  assets: str = f"../{ASSETS_FOLDER}") -> str:
    """The deck page for an executed notebook (already cleaned by `render.prepare_notebook`).

    ``assets`` is the URL of the assets folder relative to the page (``../assets`` for
    ``<out>/<dataset-id>/<report>.html``); ``marking`` is shown on every slide.
    """
    resources = {"report_title": title, "report_footer": footer, "report_marking": marking,
                 "deck_print_js": (ASSETS_DIR / "deck_print.js").read_text(encoding="utf-8"),
                 "deck_print_hint": Labels(language)("report.deck_print_hint"),
                 "metadata": {"name": title}}
    page, _ = _exporter(language, assets).from_notebook_node(nb, resources=resources)
    return page
