"""plotly.js on a report page: once, before the first chart, and the smallest bundle that draws it.

plotly's ``notebook`` renderer inlines plotly.js only the first time it is activated in a kernel;
:func:`place_plotlyjs` therefore removes whatever the kernel emitted and puts plotly.js (inline,
or a ``<script src>`` to a shared local copy in portfolio mode) once before the first chart, so
the page never depends on the kernel's history.

Two bundles of one plotly.js version: plotly.py's (every trace type, 4.6 MB) and, once
``make plotlyjs`` has built it, a custom one with only the trace types our charts draw
(``assets/plotly-bundle/traces.txt``; a third of the size, evaluated several times faster). A page
whose figures all use those types gets the custom one; any other page, and every page when the
custom bundle is missing or of another version, gets plotly.py's (no node needed to build).

This module imports only the standard library at import time: the kernel imports it too.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

PLOTLYJS_MARK = re.compile(r"\* plotly\.js v\d")  # the licence header of a plotly.js bundle
# Set in a build kernel's environment: the build places plotly.js, the renderer does not emit it.
PLACED_BY_BUILD = "QUYHOACH_PLOTLYJS_PLACED"
CUSTOM_PLOTLYJS = Path("node_modules", ".quyhoach", "plotly-custom.min.js")  # under the project root
TRACES_FILE = Path(__file__).resolve().parent / "assets" / "plotly-bundle" / "traces.txt"  # build.mjs reads it too
FULL_SHARED_NAME = "plotly-full.min.js"  # portfolio: beside plotly.min.js when that is the custom one
_HEADER = re.compile(r"\* plotly\.js v(?P<version>[0-9][\w.+-]*)"
                     r"(?: \(quyhoach custom bundle; traces: (?P<traces>[a-z0-9, ]*)\))?")
_NEW_PLOT = re.compile(r'Plotly\.newPlot\(\s*"[^"\\]*",\s*')
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)


class PlotlyBundle(NamedTuple):
    """A plotly.js bundle: its text, its file, its version and the trace types it registers."""

    text: str
    path: Path
    version: str
    traces: frozenset[str] | None  # None: every type (plotly.py's bundle)

    def draws(self, trace_types: Iterable[str] | None) -> bool:
        """Whether every type of ``trace_types`` is registered; ``None`` (unknown types) only
        for the full bundle."""
        if self.traces is None:
            return True
        return trace_types is not None and set(trace_types) <= self.traces


def declared_traces() -> frozenset[str]:
    """The trace types the custom bundle is built with (`TRACES_FILE`, one a line, ``#`` comments)."""
    lines = TRACES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.split("#", 1)[0].strip() for line in lines) - {""}


def _html(output: Any) -> str | None:
    if output.get("output_type") not in ("display_data", "execute_result"):
        return None
    html = output.get("data", {}).get("text/html")
    return "".join(html) if isinstance(html, list) else html


def _has_plotlyjs(html: str) -> bool:
    """Whether ``html`` holds plotly.js or the renderer's configuration script."""
    return "window.PlotlyConfig" in html or PLOTLYJS_MARK.search(html) is not None


def _without_plotlyjs(html: str) -> str:
    """``html`` without plotly.js and the renderer's configuration script."""
    def keep(match: re.Match) -> str:
        body = match.group(1)
        return "" if PLOTLYJS_MARK.search(body[:5000]) or "window.PlotlyConfig" in body[:500] else match.group(0)

    return _SCRIPT.sub(keep, html)


def figure_trace_types(html: str) -> set[str] | None:
    """The trace types of the figures ``plotly.io.to_html`` wrote into ``html``; ``None`` when a
    chart's data cannot be read (the caller then needs every type)."""
    decoder = json.JSONDecoder()
    types: set[str] = set()
    calls = list(_NEW_PLOT.finditer(html))
    if html.count("plotly-graph-div") > len(calls):
        return None  # a chart drawn some other way
    for call in calls:
        try:
            data, _ = decoder.raw_decode(html, call.end())
        except ValueError:
            return None
        if not isinstance(data, list) or not all(isinstance(trace, dict) for trace in data):
            return None
        types.update(str(trace.get("type", "scatter")) for trace in data)  # plotly.js's default type
    return types


def plotlyjs_script(src: str | None = None, trace_types: Iterable[str] | None = ()) -> str:
    """The markup that loads plotly.js for a page drawing ``trace_types`` (``None``: unknown):
    inline (``src=None``) or from the local file ``src`` (portfolio, `write_shared_plotlyjs`)."""
    config = "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
    bundle = plotlyjs_for(trace_types)
    if src:
        if bundle.traces is None and custom_plotlyjs() is not None:  # plotly.min.js is the custom one
            src = src.rsplit("/", 1)[0] + "/" + FULL_SHARED_NAME if "/" in src else FULL_SHARED_NAME
        return f'{config}<script src="{src}" charset="utf-8"></script>'
    return f"{config}<script>{bundle.text}</script>"


def plotlyjs_for(trace_types: Iterable[str] | None = ()) -> PlotlyBundle:
    """The custom bundle when it registers every type of ``trace_types``; plotly.py's otherwise."""
    custom = custom_plotlyjs()
    return custom if custom is not None and custom.draws(trace_types) else full_plotlyjs()


@functools.lru_cache(maxsize=1)
def full_plotlyjs() -> PlotlyBundle:
    """plotly.py's own plotly.js: every trace type (read once per process; plotly's
    ``get_plotlyjs`` reads its 4.6 MB file at every call)."""
    import importlib.util

    from plotly.offline import get_plotlyjs

    text = get_plotlyjs()
    path = Path(importlib.util.find_spec("plotly").origin).parent / "package_data" / "plotly.min.js"
    header = _HEADER.search(text, 0, 1000)
    return PlotlyBundle(text, path, header["version"] if header else "", None)


def custom_plotlyjs(path: Path | None = None) -> PlotlyBundle | None:
    """The custom bundle (default: `CUSTOM_PLOTLYJS` under the project root) when it exists, its
    header lists its trace types, and it is plotly.py's plotly.js version; ``None`` otherwise."""
    if path is None:
        from analysis.config import PROJECT_ROOT

        path = PROJECT_ROOT / CUSTOM_PLOTLYJS
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    bundle = _read_custom(str(path), stat.st_mtime_ns, stat.st_size)
    return bundle if bundle is not None and bundle.version == full_plotlyjs().version else None


@functools.lru_cache(maxsize=4)
def _read_custom(path: str, mtime_ns: int, size: int) -> PlotlyBundle | None:
    """The bundle at ``path``, read again only when its time or size changes."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    header = _HEADER.search(text, 0, 1000)
    if header is None or header["traces"] is None:
        return None
    traces = frozenset(t.strip() for t in header["traces"].split(",") if t.strip())
    return PlotlyBundle(text, Path(path), header["version"], traces)


def place_plotlyjs(nb: Any, src: str | None = None) -> Any:
    """Remove plotly.js emitted by the kernel; put it once before the first chart (in place).

    ``src`` is a relative URL of a shared local copy (portfolio mode); ``None`` inlines it. The
    bundle is the custom one when it draws every figure of the page (`plotlyjs_for`).
    A page without charts gets no plotly.js at all.
    """
    import nbformat

    first = None
    trace_types: set[str] | None = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            html = _html(output)
            if html is not None and "<script" in html:
                stripped = _without_plotlyjs(html) if _has_plotlyjs(html) else html
                if stripped != html:
                    if not stripped.strip():
                        continue
                    output.data["text/html"] = stripped
                if "plotly-graph-div" in stripped:
                    if first is None:
                        first = (cell, len(kept))
                    found = figure_trace_types(stripped) if trace_types is not None else None
                    trace_types = None if found is None else trace_types | found
            kept.append(output)
        cell.outputs = kept
    if first is not None:
        cell, index = first
        script = nbformat.v4.new_output("display_data", data={"text/html": plotlyjs_script(src, trace_types)})
        cell.outputs.insert(index, script)
    return nb


def write_shared_plotlyjs(out_dir: Path) -> Path:
    """Portfolio mode: ``<out>/assets/plotly.min.js``, written when missing or different; every
    page of the portfolio loads it by a relative URL. It is the custom bundle when there is one,
    with plotly.py's beside it as `FULL_SHARED_NAME` for pages drawing other types."""
    custom = custom_plotlyjs()
    target = Path(out_dir) / "assets" / "plotly.min.js"
    _copy_when_different((custom or full_plotlyjs()).path, target)
    if custom is not None:
        _copy_when_different(full_plotlyjs().path, target.with_name(FULL_SHARED_NAME))
    return target


def _copy_when_different(source: Path, target: Path) -> None:
    from analysis.cache import digest_file

    if not target.is_file() or digest_file(target) != digest_file(source):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
