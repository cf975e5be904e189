"""Offline by proof: every sample report opened in Debian's Chromium with the network blocked.

One build of every report of reports.yml (decks included) per session, reused by every test here;
each page must make no request outside the file system, log no console error, draw every chart
with no text cut at its edge, written over another, too small to read or crossed by a threshold
line, and show Vietnamese text. A screenshot of each is kept in test-artifacts/screenshots/ (ignored by
git). Hostile text (HTML, script, spreadsheet formulas in names, units, positions, titles and the
dataset's name) must show as text, run nothing, and be inert in the CSV files.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest
from rich.console import Console

from analysis import config, labels
from analysis.browser import CHARTS_DRAWN, CHROMIUM, is_deck_page, offline_page, open_report
from analysis.build import build, load_config, plan
from analysis.charts.theme import NOTE_FONT_SIZE
from analysis.plotlyjs import custom_plotlyjs
from analysis.prerender import is_prerendered

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]
if not CHROMIUM.exists():
    pytest.skip("needs /usr/bin/chromium (make browser)", allow_module_level=True)
if not (config.PROJECT_ROOT / "node_modules" / "reveal.js").is_dir():
    pytest.skip("needs the slide scripts (make assets)", allow_module_level=True)

SCREENSHOTS = config.PROJECT_ROOT / "test-artifacts" / "screenshots"
VIETNAMESE = re.compile(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐ]")
DRAWN = """() => Array.from(document.querySelectorAll('.plotly-graph-div'))
    .filter(gd => !gd.querySelector('.main-svg')).length"""
# Texts of a chart (ticks, values after bars, legend, notes) reaching past its figure: cut at the edge
OUTSIDE = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).flatMap(gd => {
  const box = gd.querySelector('.main-svg').getBoundingClientRect();
  return Array.from(gd.querySelectorAll('svg text')).filter(t => t.textContent.trim()).map(t => {
    const r = t.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1
                           || r.top < box.top - 1 || r.bottom > box.bottom + 1) ? t.textContent : null;
  }).filter(Boolean);
})"""

# Texts of a chart written over each other (a title over a legend, a label over a label): each
# text's box turned as it is drawn (rotated tick labels stay apart), overlapping by more than 2 px
CROWDED = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).flatMap((gd, chart) => {
  const boxes = Array.from(gd.querySelectorAll('svg text')).filter(t => t.textContent.trim()).map(t => {
    const b = t.getBBox(), m = t.getScreenCTM();
    if (!b.width || !b.height || !m) return null;
    const at = (x, y) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
    return {text: t.textContent, corners: [at(b.x, b.y), at(b.x + b.width, b.y),
                                           at(b.x + b.width, b.y + b.height), at(b.x, b.y + b.height)]};
  }).filter(Boolean);
  const apart = (p, q) => [p, q].some(({corners}) => [0, 1].some(k => {
    const [x0, y0] = corners[k], [x1, y1] = corners[k + 1], n = [y0 - y1, x1 - x0], len = Math.hypot(...n) || 1;
    const span = box => box.corners.map(([x, y]) => (x * n[0] + y * n[1]) / len);
    const a = span(p), b = span(q);
    return Math.min(Math.max(...a), Math.max(...b)) - Math.max(Math.min(...a), Math.min(...b)) <= 2;
  }));
  return boxes.flatMap((p, i) => boxes.slice(i + 1).filter(q => !apart(p, q))
    .map(q => `chart ${chart + 1}: "${p.text}" / "${q.text}"`));
})"""
# Texts drawn smaller than the smallest the house shows (plotly shrinks a value to fit its bar)
TINY = """(smallest) => Array.from(document.querySelectorAll('.plotly-graph-div')).flatMap((gd, chart) =>
  Array.from(gd.querySelectorAll('svg text')).filter(t => t.textContent.trim()).map(t => {
    const b = t.getBBox(), m = t.getScreenCTM();
    const size = m ? parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b) : 0;
    return b.width && size < smallest - 0.5 ? `chart ${chart + 1}: "${t.textContent}" ${size.toFixed(1)} px` : null;
  }).filter(Boolean))"""


# a bar's value crossed by a dashed threshold line (50 %, 2/3 …) running through its box
CROSSED = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).flatMap((gd, chart) => {
  const lines = Array.from(gd.querySelectorAll('.shapelayer path'))
    .filter(path => !['', 'none'].includes(path.style.strokeDasharray))
    .map(path => path.getBoundingClientRect());
  return Array.from(gd.querySelectorAll('text.bartext')).flatMap(text => {
    const box = text.getBoundingClientRect();
    const across = line => (line.width < 4 && line.left > box.left && line.right < box.right
                            && line.top < box.bottom && line.bottom > box.top)
      || (line.height < 4 && line.top > box.top && line.bottom < box.bottom
          && line.left < box.right && line.right > box.left);
    return lines.some(across) ? [`chart ${chart + 1}: "${text.textContent}"`] : [];
  });
})"""

# a value written on a bar or a treemap sector (or after a bar, on the white ground) whose colour
# contrasts less than ``least`` with what it is written on (WCAG 2 ratio)
FAINT = """(least) => Array.from(document.querySelectorAll('.plotly-graph-div')).flatMap((gd, chart) => {
  const rgb = value => {
    const found = /rgba?\\(([^)]+)\\)/.exec(value || '');
    if (!found) return null;
    const parts = found[1].split(',').map(Number);
    return {rgb: parts.slice(0, 3), alpha: parts.length > 3 ? parts[3] : 1};
  };
  const onto = (colour, alpha, ground) => colour.map((v, i) => v * alpha + ground[i] * (1 - alpha));
  const luminance = colour => {
    const [r, g, b] = colour.map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (light + 0.05) / (dark + 0.05);
  };
  const white = [255, 255, 255];
  return Array.from(gd.querySelectorAll('g.point, g.slice')).flatMap(group => {
    const shape = group.querySelector('path'), text = group.querySelector('text');
    if (!shape || !text || !text.textContent.trim()) return [];
    const look = getComputedStyle(shape), fill = rgb(look.fill), ink = rgb(getComputedStyle(text).fill);
    if (!fill || !ink) return [];
    const b = text.getBoundingClientRect(), s = shape.getBoundingClientRect();
    if (!b.width) return [];  // left out: too wide for its bar
    const x = (b.left + b.right) / 2, y = (b.top + b.bottom) / 2;
    const inside = x > s.left && x < s.right && y > s.top && y < s.bottom;
    const alpha = fill.alpha * parseFloat(look.fillOpacity || 1) * parseFloat(look.opacity || 1);
    const ground = inside ? onto(fill.rgb, alpha, white) : white;
    const contrast = ratio(onto(ink.rgb, ink.alpha, ground), ground);
    return contrast < least ? [`chart ${chart + 1}: "${text.textContent}" ${contrast.toFixed(2)}:1`] : [];
  });
})"""
LEGIBLE_CONTRAST = 4.5  # WCAG 2 AA, normal-size text


# report.css renders an output only near the screen (content-visibility): this renders them all
RENDER_ALL = ".jp-OutputArea-output { content-visibility: visible !important; }"
# the page's text as a reader selects and copies it (innerText leaves out what is not rendered)
PAGE_TEXT = """() => {
  const selection = getSelection();
  selection.selectAllChildren(document.body);
  const text = selection.toString();
  selection.removeAllRanges();
  return text;
}"""


def _pairs() -> list[tuple[str, str]]:
    try:
        jobs = plan(config.BUILD_CONFIG)[0]
    except Exception:  # noqa: BLE001 - no samples: the fixture skips
        return []
    return [(j.dataset_id, j.report) for j in jobs]


PAIRS = _pairs()


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every report of reports.yml, built once into a temporary folder."""
    if not PAIRS:
        pytest.skip("sample datasets absent: make sample")
    out = tmp_path_factory.mktemp("reports")
    result = build(config.BUILD_CONFIG, out=out, jobs=2, console=Console(record=True, width=200))
    assert result.ok, [(o.dataset_id, o.report, o.error, o.problems[:3]) for o in result.failed]
    return out


def _visit(browser, path: Path, shot: str) -> dict:
    """Open a page offline, show every slide of a deck; what went wrong, and what is shown."""
    blocked, errors, dialogs = [], [], []
    with offline_page(browser, blocked) as page:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        deck = open_report(page, path)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if deck:
            page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"))
        texts = [page.evaluate(PAGE_TEXT)]
        slides = page.evaluate("() => window.Reveal ? Reveal.getTotalSlides() : 1") if deck else 1
        for number in range(1, slides):
            page.evaluate("() => Reveal.next()")
            page.wait_for_function("() => Array.from(Reveal.getCurrentSlide().querySelectorAll("
                                   "'.plotly-graph-div')).every(gd => gd.dataset.qhShown)")
            texts.append(page.evaluate("() => Reveal.getCurrentSlide().innerText"))
            page.screenshot(path=str(SCREENSHOTS / f"{shot}-{number + 1}.png"))
        svg = page.evaluate("() => Array.from(document.querySelectorAll('svg text')).map(t => t.textContent)")
        seen = {
            "blocked": blocked, "errors": errors, "dialogs": dialogs, "deck": deck, "slides": slides,
            "charts": page.evaluate("() => document.querySelectorAll('.plotly-graph-div').length"),
            "undrawn": page.evaluate(DRAWN), "text": "\n".join(texts), "svg": "\n".join(svg),
            "cut": [] if deck else page.evaluate(OUTSIDE),
            "crowded": [] if deck else page.evaluate(CROWDED),
            "tiny": [] if deck else page.evaluate(TINY, NOTE_FONT_SIZE),
            "crossed": [] if deck else page.evaluate(CROSSED),
            "faint": [] if deck else page.evaluate(FAINT, LEGIBLE_CONTRAST),
            "marking": page.evaluate("() => (document.querySelector('.qh-slide-marking, .qh-marking-bar')"
                                     " || {}).textContent"),
            "metadata": page.evaluate("() => document.querySelectorAll('[data-qh-metadata]').length"),
        }
        if not deck:  # the whole page, once checked: a full-page capture shows only what is rendered
            page.add_style_tag(content=RENDER_ALL)
            page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)
        return seen


@pytest.mark.parametrize(("dataset_id", "report"), PAIRS, ids=[f"{d}/{r}" for d, r in PAIRS])
def test_every_report_works_offline(built, browser, dataset_id, report):
    seen = _visit(browser, built / dataset_id / f"{report}.html", f"{dataset_id}-{report}")
    assert seen["blocked"] == [], "a request left the file system"
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert seen["charts"] > 0 and seen["undrawn"] == 0, "every chart has drawn its SVG"
    assert seen["cut"] == [], "texts cut at the edge of their chart"
    assert seen["crowded"] == [], "texts written over each other"
    assert seen["tiny"] == [], f"texts smaller than {NOTE_FONT_SIZE} px"
    assert seen["crossed"] == [], "values crossed by a threshold line"
    assert seen["faint"] == [], f"values contrasting less than {LEGIBLE_CONTRAST}:1 with their bar"
    assert labels.text(f"report.names.{report}", "vi") in seen["text"]
    assert len(VIETNAMESE.findall(seen["text"])) > 20
    assert seen["marking"].strip() == load_config(config.BUILD_CONFIG)["marking"]["vi"]  # reports.yml's
    assert seen["metadata"] == 1
    if seen["deck"]:
        assert seen["slides"] >= 5


def test_the_index_works_offline(built, browser):
    seen = _visit(browser, built / "index.html", "index")
    assert seen["blocked"] == [] and seen["errors"] == []
    assert labels.text("report.index.title", "vi") in seen["text"]
    assert seen["text"].count(labels.text("report.index.open", "vi")) == len(PAIRS)


def test_every_page_draws_with_the_custom_plotlyjs(built, browser):
    bundle = custom_plotlyjs()
    if bundle is None:
        pytest.skip("no custom plotly.js bundle (make plotlyjs)")
    header = bundle.text[: bundle.text.index("*/")]  # "* plotly.js v4.1.1 (quyhoach custom bundle; ..."
    pages = {pair: (built / pair[0] / f"{pair[1]}.html").read_text(encoding="utf-8") for pair in PAIRS}
    for pair, page in pages.items():
        assert header in page, pair  # every chart type of every report is in the custom bundle
        assert not re.search(r"\* plotly\.js v[\d.]+\n", page), pair  # and plotly.py's full one is not there
    dataset_id, report = max(pages, key=lambda pair: pages[pair].count('class="plotly-graph-div"'))
    seen = _visit(browser, built / dataset_id / f"{report}.html", f"custom-plotlyjs-{dataset_id}-{report}")
    assert seen["errors"] == [] and seen["blocked"] == []
    assert seen["charts"] >= 10 and seen["undrawn"] == 0


def test_a_section_link_shows_its_heading_below_the_marking_bar_and_the_list_is_not_printed(built, browser):
    """The contents under the title (analysis.contents) list every section of a real page, in
    order; a link brings its section to the top of the screen, not under the fixed marking bar."""
    path = next(built.glob("*/introduction_votes.html"))
    with offline_page(browser) as page:
        open_report(page, path)
        sections = page.evaluate("() => Array.from(document.querySelectorAll('main h2'),"
                                 " h => h.textContent.trim())")
        links = page.evaluate("() => Array.from(document.querySelectorAll('nav.qh-contents a'),"
                              " a => [a.textContent, a.getAttribute('href')])")
        assert len(sections) >= 5 and [text for text, _ in links] == sections
        text, href = links[3]
        page.click(f"nav.qh-contents a[href='{href}']")
        page.wait_for_function("href => location.hash === href", arg=href)
        top, bar = page.evaluate("""href => [document.querySelector(href).getBoundingClientRect().top,
            document.querySelector('.qh-marking-bar').getBoundingClientRect().bottom]""", href)
        assert bar <= top <= bar + 60, (text, top, bar)  # scrolled to, and not hidden by the bar
        assert page.evaluate("() => window.scrollY") > 1000
        at_top = page.evaluate("() => document.elementFromPoint(innerWidth / 2, 4).className")
        assert at_top == "qh-marking-bar" and bar > 0  # still fixed on top of the screen
        page.emulate_media(media="print")
        assert page.evaluate("() => getComputedStyle(document.querySelector('nav.qh-contents')).display") == "none"


SCROLL_THROUGH = """async () => {
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
    window.scrollTo(0, y);
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  }
  window.scrollTo(0, 0);
}"""
# each chart as plotly.js drew it: every element with its attributes (in any order) and texts,
# the figure's and its traces' random uids (in clip-path and gradient ids) taken out
AS_DRAWN = """() => Array.from(document.querySelectorAll('.plotly-graph-div'), gd => {
  const describe = node => node.nodeType === Node.TEXT_NODE ? node.textContent : [node.tagName,
    ...Array.from(node.attributes, a => a.name + '=' + a.value).sort(), ...Array.from(node.childNodes, describe)];
  const uids = [gd._fullLayout._uid, ...gd._fullData.map(trace => trace.uid)];
  return uids.reduce((text, uid) => text.split(uid).join('uid'), JSON.stringify(describe(gd.querySelector('.svg-container'))));
})"""
PLACES = """() => Array.from(document.querySelectorAll('h1, h2, h3, p, table, .plotly-graph-div, .qh-footer'),
  e => { const box = e.getBoundingClientRect(); return [e.tagName, box.top + scrollY, box.left, box.width, box.height]; })"""


def test_outputs_off_screen_wait_to_be_rendered_and_change_nothing(built, browser, tmp_path):
    """report.css leaves an output off screen unrendered until it comes near (content-visibility):
    every chart must still be drawn exactly as on a page that renders everything at once, and,
    once scrolled through, every heading, paragraph, table and chart sit where they would."""
    pages = [path for path in (built / d / f"{r}.html" for d, r in PAIRS) if not is_deck_page(path)]
    page_path = max(pages, key=lambda path: path.read_text(encoding="utf-8").count('class="plotly-graph-div"'))
    rendering_all = tmp_path / page_path.name
    rendering_all.write_text(page_path.read_text(encoding="utf-8").replace("</head>", f"<style>{RENDER_ALL}</style></head>", 1),
                             encoding="utf-8")
    seen = {}
    for name, path in (("as built", page_path), ("rendering all", rendering_all)):
        with offline_page(browser) as page:
            open_report(page, path)
            modes = page.evaluate("() => Array.from(document.querySelectorAll('.jp-OutputArea-output'),"
                                  " o => getComputedStyle(o).contentVisibility)")
            drawn = page.evaluate(AS_DRAWN)
            page.evaluate(SCROLL_THROUGH)
            seen[name] = modes, drawn, page.evaluate(PLACES)
    modes, drawn, places = seen["as built"]
    assert modes[0] == "visible" and set(modes[1:]) == {"auto"}  # the title's output (marking bar) aside
    assert set(seen["rendering all"][0]) == {"visible"}
    assert len(drawn) >= 10 and drawn == seen["rendering all"][1]
    assert len(places) > len(drawn) and places == seen["rendering all"][2]


def _timer(page) -> tuple[str, float]:
    page.wait_for_selector(".qh-timing", timeout=120_000)
    return page.inner_text(".qh-timing"), float(page.get_attribute(".qh-timing", "data-ms"))


def _vi_ms(value: float) -> str:
    """As the page writes it: Math.round, then toLocaleString('vi-VN') (1.234)."""
    return f"{math.floor(value + 0.5):,}".replace(",", ".")


def test_a_page_opened_with_timing_shows_how_long_its_charts_took(built, browser):
    """`?timing` (assets/timing.js): the time until every chart was drawn, as the benchmark
    measures it; each reload in the tab is one more run, with their median; never printed."""
    page_path = next(built / d / f"{r}.html" for d, r in PAIRS if r == "introduction_votes")
    with offline_page(browser) as page:
        page.goto(page_path.resolve().as_uri())
        page.wait_for_function(CHARTS_DRAWN, timeout=120_000)
        assert page.query_selector(".qh-timing") is None  # nothing without ?timing

        page.goto(page_path.resolve().as_uri() + "?timing")
        first, first_ms = _timer(page)
        charts = page.evaluate("() => document.querySelectorAll('.plotly-graph-div').length")
        complete, now = page.evaluate("() => [performance.getEntriesByType('navigation')[0].domComplete,"
                                      " performance.now()]")
        assert charts >= 10 and page.evaluate(DRAWN) == 0
        assert complete <= first_ms <= now  # drawn after the document was complete, before now
        assert first.startswith(f"{charts} biểu đồ vẽ xong sau {_vi_ms(first_ms)} ms · lần mở thứ 1 ")

        page.reload()
        second, second_ms = _timer(page)
        assert f"lần mở thứ 2 trong thẻ này, trung vị {_vi_ms((first_ms + second_ms) / 2)} ms" in second
        cores = page.evaluate("() => navigator.hardwareConcurrency")
        assert second.endswith(f"máy có {cores} lõi CPU")

        page.emulate_media(media="print")
        assert not page.is_visible(".qh-timing")  # not on paper
        page.emulate_media(media="screen")
        page.click(".qh-timing")
        assert page.query_selector(".qh-timing") is None  # a click puts it away


# Hostile text ------------------------------------------------------------------------------------

NAMES = {
    "007": '<script>alert("tên")</script>Nguyễn Văn An',
    "008": "<img src=x onerror=alert(1)>Lò Thị Bình",
    "009": '=HYPERLINK("http://evil.example/x","Bấm vào đây")',
    "010": "+cmd|' /C calc'!A0",
    "011": "@SUM(1+1)*cmd|' /C calc'!A0",
    "012": "-2+3+cmd|' /C calc'!A0",
}
DATASET_NAME = 'Huyện <script>alert("ds")</script> =HYPERLINK("x")'
TITLE = "<img src=x onerror=alert(5)>Bí thư Huyện ủy"
HOSTILE_REPORTS = ("composition", "introduction_votes", "trust_votes", "planning_review", "briefing")


def write_hostile_dataset(folder: Path) -> Path:
    """A valid dataset whose every free text is an attack: names, units, positions, titles,
    the dataset's name and description, a removal reason."""
    folder.mkdir(parents=True)

    def table(name: str, header: list[str], rows: list[list]) -> None:
        with open(folder / f"{name}.csv", "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)

    births = ["1975-08-06", "1980-02-28", "1984-01-01", "1970-03-03", "1978-04-04", "1982-05-05"]
    table("people", ["person_id", "full_name", "gender", "birth_date", "ethnicity", "unit", "sector",
                     "position", "education", "political_theory", "party_join_date"],
          [[pid, name, "male" if i % 2 == 0 else "female", births[i], "Kinh" if i < 4 else "Thái",
            "<b onmouseover=alert(2)>Văn phòng</b>" if i < 3 else "=1+1", "party" if i < 3 else "government",
            "<iframe src=javascript:alert(4)></iframe>Phó Chủ tịch" if i % 2 else "+Trưởng ban",
            "bachelor", "advanced", "2000-01-01"] for i, (pid, name) in enumerate(NAMES.items())])
    table("titles", ["title_id", "title", "body", "term", "seats", "places", "managed_by"],
          [["BT", TITLE, "leadership", "2025-2030", 1, 3, "higher"],
           ["BCH", "@Ủy viên Ban Chấp hành", "bch", "2025-2030", 33, 50, "own"]])
    table("planning", ["person_id", "title_id", "status", "since", "removed_on", "removal_reason"],
          [[pid, "BT" if i < 2 else "BCH", "approved", "2022-01-10", "", ""] for i, pid in enumerate(NAMES)]
          + [["012", "BT", "removed", "2021-01-10", "2022-03-01", "<script>alert(6)</script>kỷ luật"]])
    table("conferences", ["conference_id", "step", "body", "date", "convened", "present", "ballots_issued",
                          "ballots_collected", "ballots_valid", "base"],
          [["HN1", 3, "key_cadres", "2022-05-20", 120, 115, 115, 115, 113, "convened"],
           ["HN2", 4, "bch", "2022-05-22", 33, 32, 32, 32, 32, ""]])
    table("ballots", ["conference_id", "title_id", "person_id", "votes"],
          [["HN1", "BT", "007", 80], ["HN1", "BT", "008", 50], ["HN1", "BCH", "009", 100],
           ["HN1", "BCH", "010", 45], ["HN1", "BCH", "011", 70], ["HN1", "BCH", "012", 90]])
    table("trust_votes", ["conference_id", "person_id", "full_name", "agree", "disagree"],
          [["HN2", pid, name, 30 - i, 2 + i] for i, (pid, name) in enumerate(NAMES.items())])
    (folder / "dataset.yml").write_text(
        "id: hostile-2022\n"
        f"name: '{DATASET_NAME}'\n"
        "level: district\nregime: qd50\nas_of: 2022-05-25\n"
        "terms:\n  - {label: 2025-2030, kind: party, start: 2025-06}\n"
        "tables: {people: people.csv, titles: titles.csv, planning: planning.csv, "
        "conferences: conferences.csv, ballots: ballots.csv, trust_votes: trust_votes.csv}\n"
        "description: '<img src=x onerror=alert(7)> @cmd'\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    dataset = write_hostile_dataset(root / "hostile-2022")
    # charts drawn into the pages too (--prerender): their pictures are read before any script runs
    result = build(datasets=[dataset], reports=list(HOSTILE_REPORTS), out=root / "out", jobs=2,
                   options={"prerender": True}, console=Console(record=True, width=200))
    assert result.ok, [(o.report, o.error, o.problems[:3]) for o in result.failed]
    return root / "out" / "hostile-2022"


@pytest.mark.parametrize("report", HOSTILE_REPORTS)
def test_hostile_text_is_shown_as_text_and_runs_nothing(hostile, browser, report):
    page = (hostile / f"{report}.html").read_text(encoding="utf-8")
    assert is_prerendered(page) == (report != "briefing")
    seen = _visit(browser, hostile / f"{report}.html", f"hostile-{report}")
    assert seen["dialogs"] == [], "a script from the data ran"
    assert seen["blocked"] == [] and seen["errors"] == [] and seen["undrawn"] == 0
    assert DATASET_NAME in seen["text"]  # the title block, literally
    if report in ("introduction_votes", "trust_votes", "planning_review"):
        for name in NAMES.values():
            assert name in seen["text"], name  # tables
    if report in ("introduction_votes", "trust_votes"):
        for name in NAMES.values():
            assert name in seen["svg"], name  # and charts
    if report in ("composition", "introduction_votes", "briefing"):
        assert TITLE in seen["svg"]


def test_hostile_text_is_inert_in_csv(hostile):
    for path in (hostile / "trust_votes" / "trust.csv", hostile / "introduction_votes" / "tally.csv"):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            names = [row["full_name"] for row in csv.DictReader(handle)]
        for pid in ("009", "010", "011", "012"):  # =, +, @, - first: made text for Excel
            assert "'" + NAMES[pid] in names, (path.name, NAMES[pid])
        assert NAMES["007"] in names  # HTML is text in a CSV: kept as written
        assert not any(n.startswith(("=", "+", "-", "@")) for n in names)


# window.print in the page, recorded in window.name (kept across the page's own navigations);
# a browser fires afterprint once its print dialog closes
PRINT_RECORDER = """window.print = function () {
  const gds = Array.from(document.querySelectorAll('.plotly-graph-div'));
  const seen = JSON.parse(window.name || '[]');
  seen.push({search: location.search, printView: document.documentElement.classList.contains('reveal-print'),
             pages: document.querySelectorAll('.reveal .pdf-page').length,
             charts: gds.length, drawnForPrint: gds.filter(gd => gd.dataset.qhShown && gd.querySelector('.main-svg')).length});
  window.name = JSON.stringify(seen);
  setTimeout(() => window.dispatchEvent(new Event('afterprint')), 0);
};"""
HINT_SHOWN = """() => [getComputedStyle(document.querySelector('.qh-print-hint')).display,
                     getComputedStyle(document.querySelector('.reveal')).display]"""


def test_ctrl_p_on_a_deck_prints_every_slide_then_returns_to_the_slide(built, browser):
    deck = built / "thuong-tin-2022" / "briefing.html"
    blocked, errors = [], []
    with offline_page(browser, blocked) as page:
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(PRINT_RECORDER)
        open_report(page, deck)
        page.evaluate("() => Reveal.slide(3)")
        page.keyboard.press("Control+p")
        page.wait_for_function("() => window.name && !location.search"
                               " && document.documentElement.classList.contains('qh-deck-ready')", timeout=60_000)
        printed = page.evaluate("() => JSON.parse(window.name)")
        slides = page.evaluate("() => Reveal.getTotalSlides()")
        # once, in reveal.js's print view laid out (a page per slide), every chart drawn for it
        assert printed == [{"search": "?print-pdf&qh-print", "printView": True, "pages": slides,
                            "charts": printed[0]["charts"], "drawnForPrint": printed[0]["charts"]}]
        assert printed[0]["charts"] >= 4 and slides >= 5
        assert page.evaluate("() => [Reveal.isPrintView(), Reveal.getIndices().h]") == [False, 3]
        # the browser menu's Print in the slide view: a page saying how to print, not a broken deck
        page.emulate_media(media="print")
        assert page.evaluate(HINT_SHOWN) == ["block", "none"]
        assert "Ctrl+P" in page.inner_text(".qh-print-hint")
        page.emulate_media(media="screen")
        assert page.evaluate(HINT_SHOWN)[0] == "none"
    assert blocked == [] and errors == []
