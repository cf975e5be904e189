"""A PDF of any built report, printed by the system Chromium (headless, offline).

``build --pdf`` writes ``<report>.pdf`` beside ``<report>.html``. Pages are A4 (decks: A4
landscape, one slide per page), sections start on a new page and charts are scaled to the page's
width, never cut; one much taller than a page keeps a legible size and is printed a page at a
time, cut between two rows (report.css, print.js). Every page has a header with the
confidentiality marking and a footer with the dataset, reference date, rule set, build time and
page number, all read from the report's own provenance footer
(`report.ReportContext.metadata_html`), so a PDF always says the same as its page.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from analysis.browser import chromium, offline_page, open_report, outside_event_loop
from analysis.errors import BuildError
from analysis.labels import text

MARGINS = {"top": "20mm", "bottom": "18mm", "left": "12mm", "right": "12mm"}
PRINTABLE_PX = (700, 960)  # A4 inside MARGINS, CSS px: charts are scaled down to fit
FONT = "font-family: 'Noto Sans', Arial, sans-serif;"
READ_METADATA = """() => {
  const meta = document.querySelector('[data-qh-metadata]');
  const marking = document.querySelector('.qh-confidential');
  const facts = meta ? Object.assign({}, meta.dataset) : {};
  if (!facts.marking && marking) { facts.marking = marking.textContent.trim(); }
  facts.title = document.title;
  return facts;
}"""
PREPARE = """([width, height]) => {
  document.documentElement.classList.add('qh-pdf');
  const marks = document.getElementById('qh-page-marks');  // the browser's own header: ours instead
  if (marks) { marks.remove(); }
  if (window.qhFitForPrint) { window.qhFitForPrint(width, height); }
}"""


def header_template(marking: str) -> str:
    """The header of every page: the confidentiality marking, centred, in red."""
    return (f'<div style="width:100%; text-align:center; font-size:9px; font-weight:bold; '
            f'color:#b00020; {FONT}">{html.escape(marking)}</div>')


def footer_template(facts: dict[str, str], language: str = "vi") -> str:
    """The footer of every page: dataset · reference date · rule set · build time, page x/y."""
    parts = []
    if facts.get("dataset"):
        parts.append(text("privacy.metadata.dataset", language, name=facts["dataset"]))
    if facts.get("asOf"):
        parts.append(text("common.as_of", language, date=facts["asOf"]))
    if facts.get("rules"):
        parts.append(f"{text('common.rule_set', language)}: {facts['rules']}")
    if facts.get("built"):
        parts.append(text("common.generated", language, time=facts["built"]))
    if not parts and facts.get("title"):
        parts.append(facts["title"])
    page = html.escape(text("privacy.pdf.page", language, page="\0page", pages="\0pages"))
    page = page.replace("\0pages", '<span class="totalPages"></span>').replace(
        "\0page", '<span class="pageNumber"></span>')
    return (f'<div style="width:100%; display:flex; justify-content:space-between; gap:12px; '
            f'margin:0 12mm; font-size:7.5px; color:#5f5f5f; {FONT}">'
            f'<span>{html.escape(" · ".join(parts))}</span><span style="white-space:nowrap">{page}</span></div>')


@outside_event_loop
def html_to_pdf(html_path: Path | str, pdf_path: Path | str | None = None, language: str = "vi",
                timeout_ms: int = 180_000) -> Path:
    """Print a built page to PDF (default: the same name with ``.pdf``); return its path.

    Raises :class:`BuildError` when Chromium is missing, or when the page asks for anything from
    the network (it must print exactly as it shows offline).
    """
    source = Path(html_path)
    target = Path(pdf_path) if pdf_path else source.with_suffix(".pdf")
    if not source.is_file():
        raise BuildError(f"Không có trang {source} / no page {source}")
    blocked: list[str] = []
    with chromium() as browser, offline_page(browser, blocked) as page:
        deck = open_report(page, source, print_view=True, timeout_ms=timeout_ms)
        facts: dict[str, Any] = page.evaluate(READ_METADATA)
        page.emulate_media(media="print")
        page.evaluate(PREPARE, list(PRINTABLE_PX))
        if blocked:
            raise BuildError(f"Trang cần tài nguyên từ mạng / the page requests the network: {blocked[:3]}")
        target.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(
            path=str(target), format="A4", landscape=deck, print_background=True,
            display_header_footer=True, margin=MARGINS,
            header_template=header_template(str(facts.get("marking") or "")),
            footer_template=footer_template({k: str(v) for k, v in facts.items()}, language),
        )
    return target
