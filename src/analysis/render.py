"""HTML for an executed report notebook and for the index of reports, both self-contained.

Rendering is in-process with nbconvert's :class:`~nbconvert.HTMLExporter` and our template
(`assets/report.html.j2` on top of nbconvert's lab body): no code, no prompts, no stderr or warning
streams, and no external resource at all — :func:`check_offline` refuses a page that would fetch
a script, stylesheet, image or frame from anywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from analysis.config import ASSETS_DIR
from analysis.contents import add_contents
from analysis.errors import BuildError
from analysis.labels import Labels
from analysis.safe_writes import write_text_atomic

REMOVE_TAGS = {"remove", "remove_cell", "parameters", "injected-parameters"}
_RESOURCE_ATTRS = {
    "script": ("src",), "link": ("href",), "img": ("src", "srcset"), "iframe": ("src",),
    "source": ("src", "srcset"), "embed": ("src",), "object": ("data",), "audio": ("src",),
    "video": ("src", "poster"), "track": ("src",), "input": ("src",),
}


class ReportCleaner:
    """Drop what a reader must not see: stderr/warnings, errors, parameter cells, empty cells.

    A plain callable (nbconvert accepts one): importing this module must not import nbconvert,
    so that a build whose reports are all unchanged stays fast.
    """

    enabled = True

    def __call__(self, nb, resources):
        return self.preprocess(nb, resources)

    def preprocess(self, nb, resources):
        kept = []
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & REMOVE_TAGS:
                continue
            if cell.cell_type == "code":
                cell.outputs = [
                    o for o in cell.get("outputs", [])
                    if not (o.get("output_type") == "stream" and o.get("name") != "stdout")
                    and o.get("output_type") != "error"
                ]
                if not cell.outputs:
                    continue
            kept.append(cell)
        nb.cells = kept
        return nb, resources


def without_soup(base: type) -> type:
    """nbconvert's ``HTMLExporter`` (or a subclass) without its last step, a BeautifulSoup pass
    over the whole page that adds alt texts and a focus order for notebook readers.

    The pass re-parses every page (a third of rendering a report) and does nothing for ours: no
    inputs are shown and charts are not images. The rest is ``HTMLExporter.from_notebook_node``.
    """
    from nbconvert.exporters.html import Highlight2HTML, WidgetsDataTypeFilter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class Unsouped(base):
        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                     resources=resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    Unsouped.__name__ = f"Unsouped{base.__name__}"
    return Unsouped


def page_exporter(base: type, template_name: str, template_file: str, language: str, **options: Any):
    """An nbconvert exporter (``base``, without its soup pass) of our ``template_file`` on top of
    nbconvert's ``template_name``: outputs only, no code, no prompts. Pages and slides use it."""
    return without_soup(base)(
        template_name=template_name,
        extra_template_paths=[str(ASSETS_DIR)],
        template_file=template_file,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,  # hidden anyway; they spell the heading as &#…; entities
        language_code=language,
        **options,
    )


@functools.lru_cache(maxsize=None)
def _exporter(language: str):
    """One exporter per language and process: building one loads and compiles the templates."""
    from nbconvert import HTMLExporter

    exporter = page_exporter(HTMLExporter, "lab", "report.html.j2", language)
    exporter.register_preprocessor(ReportCleaner(), enabled=True)
    return exporter


METADATA_MARK = "data-qh-metadata"  # the provenance footer of `report.ReportContext.metadata_html`
_MARKING = re.compile(r'data-marking="([^"]*)"')


def _html_of(output: Any) -> str:
    data = output.get("data", {}) if output.get("output_type") in ("display_data", "execute_result") else {}
    value = data.get("text/html", "")
    return "".join(value) if isinstance(value, list) else value


def move_metadata_to_end(nb: Any) -> Any:
    """Move the provenance footer (shown by ``start_report`` at the top) into a last cell of its
    own: the end of a page, the last slide. In place; returns ``nb``."""
    import nbformat

    moved = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            (moved if METADATA_MARK in _html_of(output) else kept).append(output)
        cell.outputs = kept
    if moved:
        last = nbformat.v4.new_code_cell("", outputs=moved)
        last.metadata["slideshow"] = {"slide_type": "slide"}
        nb.cells.append(last)
    return nb


def marking_of(nb: Any) -> str:
    """The confidentiality marking the notebook's provenance footer carries ("" when none)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            found = _MARKING.search(_html_of(output)) if METADATA_MARK in _html_of(output) else None
            if found:
                return html.unescape(found.group(1))
    return ""


def css_string(value: str) -> str:
    """``value`` as a CSS string literal that cannot end the string or the ``<style>`` element."""
    return '"' + "".join(f"\\{ord(c):x} " if c in '\\"<>&' or ord(c) < 32 else c for c in value) + '"'


def page_marks_css(marking: str) -> str:
    """``@page`` rules printing ``marking`` on top of every page and the page number at the
    bottom, for a report printed from the browser (`pdf.py` draws its own header and footer)."""
    if not marking:
        return ""
    return ("@page { @top-center { content: " + css_string(marking) + "; color: #b00020; "
            "font: bold 9pt 'Noto Sans', Arial, sans-serif; } "
            "@bottom-right { content: counter(page) \" / \" counter(pages); color: #5f5f5f; "
            "font: 8pt 'Noto Sans', Arial, sans-serif; } }")


def prepare_notebook(nb: Any) -> Any:
    """A copy of an executed notebook (node, dict or path) ready to render: footer last, cleaned."""
    import copy

    import nbformat

    if isinstance(nb, (str, Path)):
        nb = nbformat.read(str(nb), as_version=4)
    elif not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.from_dict(nb)
    else:
        nb = copy.deepcopy(nb)
    nb, _ = ReportCleaner().preprocess(move_metadata_to_end(nb), {})
    return nb


def render_html(nb: Any, title: str, language: str = "vi", footer: str = "", marking: str | None = None) -> str:
    """The report page for an executed notebook (a NotebookNode, a dict or a path).

    A notebook marked as a deck (`slides.is_deck`) becomes reveal.js slides. ``marking`` (default:
    the one the report shows) is repeated at the top of every screen, printed page and slide.
    """
    from analysis import slides

    nb = prepare_notebook(nb)
    marking = marking_of(nb) if marking is None else marking
    bundles = _set_aside_plotlyjs(nb)
    if slides.is_deck(nb):
        page = slides.render_slides(nb, title, language, footer=footer, marking=marking)
    else:
        resources = {"report_title": title, "report_footer": footer, "report_marking": marking,
                     "page_marks_css": page_marks_css(marking),
                     "print_js": (ASSETS_DIR / "print.js").read_text(encoding="utf-8"),
                     "timing_js": (ASSETS_DIR / "timing.js").read_text(encoding="utf-8"),
                     "timing_texts": timing_texts(language),
                     "metadata": {"name": title}}
        page, _ = _exporter(language).from_notebook_node(nb, resources=resources)
        page = add_contents(page, language)
    check_offline(page)
    for bundle in bundles:
        page = page.replace(PLOTLYJS_TOKEN, bundle, 1)
    return page


PLOTLYJS_TOKEN = "<!-- quyhoach: plotly.js -->"


def timing_texts(language: str) -> str:
    """The texts `assets/timing.js` shows (JSON), with their ``{placeholders}`` left for it to fill."""
    labels = Labels(language)
    return json.dumps({key: labels(f"report.timing.{key}") for key in ("drawn", "live", "runs", "cores")},
                      ensure_ascii=False)


def _set_aside_plotlyjs(nb: Any) -> list[str]:
    """Put a token in place of every output holding the plotly.js bundle (in place); the outputs.

    Templates and the offline check need not read 4.6 MB of a script we ship ourselves.
    """
    from analysis.plotlyjs import PLOTLYJS_MARK

    bundles = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            markup = _html_of(output)
            if len(markup) > 100_000 and PLOTLYJS_MARK.search(markup, 0, 1000):
                output.data["text/html"] = PLOTLYJS_TOKEN
                bundles.append(markup)
    return bundles


class _ResourceFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = _RESOURCE_ATTRS.get(tag, ())
        for name, value in attrs:
            if value is None:
                continue
            if name in names and _is_external(value):
                self.external.append(f"<{tag} {name}={value!r}>")
            if name == "style" and "url(" in value and _css_has_external(value):
                self.external.append(f"<{tag} style={value!r}>")

    def handle_data(self, data: str) -> None:
        if self.lasttag == "style" and _css_has_external(data):
            self.external.append("<style> with an external url() or @import")


def _is_external(value: str) -> bool:
    for part in value.split(","):  # srcset lists
        v = part.strip().lower()
        if v.startswith(("http:", "https:", "//", "ftp:", "file:")):
            return True
    return False


def _css_has_external(css: str) -> bool:
    import re

    lowered = css.lower()
    if re.search(r"@import\s", lowered):
        return True
    return bool(re.search(r"url\(\s*['\"]?\s*(https?:|//|file:)", lowered))


def external_resources(page: str) -> list[str]:
    """Every place where ``page`` would fetch something from outside itself."""
    finder = _ResourceFinder()
    finder.feed(page)
    finder.close()
    return finder.external


def check_offline(page: str) -> None:
    """Raise :class:`BuildError` when ``page`` needs anything from the network."""
    found = external_resources(page)
    if found:
        shown = "; ".join(found[:5])
        raise BuildError(
            f"Báo cáo cần tài nguyên bên ngoài (không mở được khi không có mạng) / the page needs "
            f"external resources (would not work offline): {shown}"
        )


def render_index(rows: list[dict], language: str = "vi", generated: str = "", marking: str = "") -> str:
    """The index page: one row per report (see `build.write_index` for the row keys)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ASSETS_DIR)),
        autoescape=True,
        trim_blocks=False,
    )
    css = (ASSETS_DIR / "report.css").read_text(encoding="utf-8")
    page = env.get_template("index.html.j2").render(
        rows=rows, L=Labels(language), language=language, css=css, generated=generated,
        n_ok=sum(1 for r in rows if r["ok"]), n_failed=sum(1 for r in rows if not r["ok"]),
        marking=marking or Labels(language)("report.confidential"), page_marks=page_marks_css(marking),
    )
    check_offline(page)
    return page


MANIFEST = "index.json"


def _relative(path: str | None, out_dir: Path) -> str | None:
    if not path:
        return None
    try:
        return Path(path).resolve().relative_to(out_dir.resolve()).as_posix()
    except ValueError:
        return Path(path).resolve().as_uri()


def _when(iso: str, language: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.strftime("%d/%m/%Y %H:%M" if language == "vi" else "%Y-%m-%d %H:%M")


def write_index(out_dir: Path, outcomes: list[dict], language: str = "vi", marking: str = "") -> Path:
    """Write ``index.html`` (and ``index.json``) listing every report in ``out_dir``.

    ``outcomes`` are :class:`analysis.build.Outcome` as dicts.
    Reports built earlier into the same folder stay listed while their HTML (or failed notebook)
    is still there; this build's outcomes replace theirs.
    """
    from analysis.labels import format_date, report_title

    manifest = out_dir / MANIFEST
    entries: dict[tuple[str, str], dict] = {}
    if manifest.is_file():
        try:
            for item in json.loads(manifest.read_text(encoding="utf-8")):
                if Path(item.get("html") or item.get("failed_notebook") or "/nonexistent").exists():
                    entries[(item["dataset_id"], item["report"])] = item
        except (ValueError, KeyError, TypeError):
            entries = {}
    for outcome in outcomes:
        entries[(outcome["dataset_id"], outcome["report"])] = dict(outcome)
    items = sorted(entries.values(), key=lambda e: (e["dataset_name"], e["dataset_id"], e["report"]))
    write_text_atomic(manifest, json.dumps(items, ensure_ascii=False, indent=2) + "\n")

    rows = []
    for item in items:
        as_of = item.get("as_of") or ""
        rows.append({
            **item,
            "report_title": report_title(item["report"], language),
            "as_of": format_date(dt.date.fromisoformat(as_of), language) if as_of else "—",
            "finished": _when(item.get("finished") or "", language),
            "duration": f"{item.get('seconds', 0):.0f} s",
            "href": _relative(item.get("html"), out_dir),
            "tables_href": _relative(item.get("tables"), out_dir),
            "failed_href": _relative(item.get("failed_notebook"), out_dir),
            "error": "\n".join([item.get("error") or "", *item.get("problems", [])]).strip(),
        })
    now = dt.datetime.now().strftime("%d/%m/%Y %H:%M" if language == "vi" else "%Y-%m-%d %H:%M")
    index = out_dir / "index.html"
    write_text_atomic(index, render_index(rows, language, generated=now, marking=marking))
    return index


def print_summary(outcomes: list, console, language: str = "vi", out_dir: Path | None = None) -> None:
    """A table of the build's outcomes (`build.Outcome`, one line each) on a rich console, then
    every failure's error and problems."""
    from rich.markup import escape
    from rich.table import Table

    from analysis.labels import text

    def shown(o) -> str:
        if not o.ok:
            return o.error
        try:
            return Path(o.html).relative_to(out_dir).as_posix() if out_dir else o.html
        except ValueError:
            return o.html or ""

    def status(o) -> str:
        cached = f" ({text('build.cached', language)})" if getattr(o, "cached", False) else ""
        return text(f"report.status.{o.status}", language) + cached

    rows = [(o.dataset_id, o.report, status(o), f"{o.seconds:.0f}", shown(o)) for o in outcomes]
    table = Table(title=text("report.summary.title", language))
    used = 0
    for i, key in enumerate(("dataset", "report", "status", "seconds")):
        header = text(f"report.summary.{key}", language)
        width = max([len(header)] + [len(r[i]) for r in rows])
        table.add_column(header, no_wrap=True, min_width=width)
        used += width + 3  # padding and border
    # one line per report; a failure's whole error and problems follow the table
    room = max(console.width - used - 4, 8)
    table.add_column(text("report.summary.result", language), no_wrap=True)
    for o, (dataset, report, status, seconds, result) in zip(outcomes, rows):
        colour = "green" if o.ok else "red"
        result = result if len(result) <= room else result[: room - 1] + "…"
        table.add_row(escape(dataset), escape(report), f"[{colour}]{escape(status)}[/]", seconds, escape(result))
    console.print(table)
    for o in outcomes:
        if o.ok:
            continue
        console.print(f"\n[bold red]✗ {escape(o.dataset_id)} / {escape(o.report)}[/]: {escape(o.error)}",
                      highlight=False, soft_wrap=True)
        for line in o.problems:
            console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
        if o.failed_notebook:
            console.print(f"  → {o.failed_notebook}", highlight=False, markup=False, soft_wrap=True)
    failed = sum(1 for o in outcomes if not o.ok)
    console.print(text("report.summary.counts", language, ok=len(outcomes) - failed, failed=failed))
    hits = sum(1 for o in outcomes if getattr(o, "cached", False))
    if hits:
        console.print(text("build.cache_hits", language, count=hits))
