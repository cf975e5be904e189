"""A report page's contents (analysis.contents): section ids and the list of links under the title.

How a link lands in a real page (below the marking bar) and that the list is not printed:
test_browser.py.
"""

from __future__ import annotations

import re

import pytest

from analysis.contents import CONTENTS_CLASS, MIN_SECTIONS, add_contents, slug

TITLE = '<header class="qh-title"><h1>Kết quả</h1><p class="qh-meta">t</p></header>'


def _page(*headings: str, title: bool = True, between: str = "<p>…</p>") -> str:
    body = "".join(f"<h2>{h}</h2>{between}" for h in headings)
    return f"<main>{TITLE if title else ''}{body}</main>"


def _links(page: str) -> list[tuple[str, str]]:
    nav = re.search(rf'<nav class="{CONTENTS_CLASS}".*?</nav>', page, re.S)
    return re.findall(r'<a href="#([^"]*)">(.*?)</a>', nav.group(0)) if nav else []


@pytest.mark.parametrize(("heading", "expected"), [
    ("Kết quả từng chức danh", "ket-qua-tung-chuc-danh"),
    ("Đối chiếu với quy định", "doi-chieu-voi-quy-dinh"),
    ("Kiểm phiếu: số triệu tập, có mặt, phiếu phát ra", "kiem-phieu-so-trieu-tap-co-mat-phieu-phat-ra"),
    ("Ba độ tuổi (2025–2030)", "ba-do-tuoi-2025-2030"),
    ("Overview & checks", "overview-checks"),
    ("—", "muc"),
])
def test_a_heading_address_is_its_words_without_marks(heading, expected):
    assert slug(heading) == expected


def test_sections_are_listed_in_order_after_the_title_and_each_heading_gets_its_address():
    page = add_contents(_page("Tổng quan", "Độ tuổi", "Cán bộ nữ"), "vi")
    assert _links(page) == [("tong-quan", "Tổng quan"), ("do-tuoi", "Độ tuổi"), ("can-bo-nu", "Cán bộ nữ")]
    for anchor in ("tong-quan", "do-tuoi", "can-bo-nu"):
        assert page.count(f'<h2 id="{anchor}">') == 1
    # after the title block, just before the first section
    assert page.index("</header>") < page.index(f'<nav class="{CONTENTS_CLASS}"') < page.index("<h2")
    assert 'aria-label="Nội dung"' in page and '<p class="qh-contents-title">Nội dung</p>' in page


def test_the_list_is_titled_in_the_page_language():
    page = add_contents(_page("Overview", "Ages", "Women"), "en")
    assert '<p class="qh-contents-title">Contents</p>' in page and 'aria-label="Contents"' in page


def test_a_short_page_gets_addresses_but_no_list():
    headings = ["Tổng quan", "Độ tuổi", "Cán bộ nữ"][:MIN_SECTIONS - 1]
    page = add_contents(_page(*headings), "vi")
    assert CONTENTS_CLASS not in page and "\0" not in page
    assert '<h2 id="tong-quan">' in page


def test_same_headings_get_distinct_addresses_and_an_existing_id_is_kept():
    page = add_contents(_page("Kết quả", "Kết quả", "Kết quả") + '<h2 class="x" id="rieng">Riêng</h2>', "vi")
    assert [a for a, _ in _links(page)] == ["ket-qua", "ket-qua-2", "ket-qua-3", "rieng"]
    assert '<h2 class="x" id="rieng">Riêng</h2>' in page and 'id="id="' not in page
    # an id used elsewhere on the page is not given to a heading
    page = add_contents('<div id="tong-quan"></div>' + _page("Tổng quan", "A", "B"), "vi")
    assert _links(page)[0] == ("tong-quan-2", "Tổng quan")


def test_link_texts_are_the_headings_text_escaped_once():
    page = add_contents(_page("Nam &amp; nữ", "<em>Độ</em> tuổi", "&lt;script&gt;x"), "vi")
    assert _links(page) == [("nam-nu", "Nam &amp; nữ"), ("do-tuoi", "Độ tuổi"), ("script-x", "&lt;script&gt;x")]
    assert "<script>" not in page


def test_headings_inside_scripts_are_left_alone():
    # chart data may carry a name such as "<h2>x<\/h2>" as text: not a section, not changed
    script = '<script>Plotly.newPlot("c", [{"name": "<h2>Giả</h2>"}]);</script>'
    page = add_contents(_page("A", "B", "C", between=script), "vi")
    assert [label for _, label in _links(page)] == ["A", "B", "C"]
    assert page.count(script) == 3


def test_without_a_title_block_the_list_still_comes_before_the_first_section():
    page = add_contents(_page("A", "B", "C", title=False), "vi")
    assert page.startswith(f'<main><nav class="{CONTENTS_CLASS}"')
    assert [a for a, _ in _links(page)] == ["a", "b", "c"]
