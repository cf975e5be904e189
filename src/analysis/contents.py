"""A report page's contents: its sections listed under the title, each a link to its heading.

A long report (introduction ballots: 21 charts in eight sections) is presented by going straight
to the section the meeting is discussing. The list is made when the page is rendered, from the
section headings the notebook showed (``ReportContext.heading``: ``<h2>``), so notebooks need
nothing. Every section heading gets an ``id`` from its text ("Kết quả từng chức danh" becomes
``#ket-qua-tung-chuc-danh``), so a section's address can also be sent or bookmarked. Shown on
screen, not printed (report.css).
"""

from __future__ import annotations

import html
import re

from analysis.labels import text
from analysis.schema import fold

MIN_SECTIONS = 3  # a page of one or two sections needs no list
CONTENTS_CLASS = "qh-contents"
_SECTION = re.compile(r"<h2(?P<attrs>(?:\s[^>]*)?)>(?P<inner>.*?)</h2>", re.S | re.I)
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"(<script\b.*?</script>)", re.S | re.I)  # chart data may hold "<h2>" as text
_PLACE = "\0qh-contents\0"  # where the list goes: before the first section


def slug(heading: str) -> str:
    """The address of a heading: Vietnamese letters without their marks, words joined by ``-``
    (``"Đối chiếu với quy định"`` -> ``"doi-chieu-voi-quy-dinh"``); ``"muc"`` when nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", fold(heading)).strip("-") or "muc"


def _heading_text(inner: str) -> str:
    """The text of a heading's inner HTML, without tags, entities resolved, spaces collapsed."""
    return " ".join(html.unescape(_TAG.sub("", inner)).split())


def add_contents(page: str, language: str = "vi") -> str:
    """``page`` with an ``id`` on every section heading and, when it has at least `MIN_SECTIONS`,
    the list of its sections just before the first one (after the title). Scripts are left as
    they are."""
    sections: list[tuple[str, str]] = []
    pieces = _SCRIPT.split(page)  # odd pieces are scripts
    taken = {m.group(1) or m.group(2) for piece in pieces[::2] for m in _ID.finditer(piece)}

    def name(match: re.Match) -> str:
        attrs, inner = match.group("attrs") or "", match.group("inner")
        label = _heading_text(inner)
        own = _ID.search(attrs)
        if own:
            anchor = own.group(1) or own.group(2)
        else:
            base = anchor = slug(label)
            number = 2
            while anchor in taken:
                anchor, number = f"{base}-{number}", number + 1
            taken.add(anchor)
            attrs = f' id="{anchor}"{attrs}'
        sections.append((anchor, label))
        return f"{_PLACE if len(sections) == 1 else ''}<h2{attrs}>{inner}</h2>"

    pieces[::2] = [_SECTION.sub(name, piece) for piece in pieces[::2]]
    page = "".join(pieces)
    if len(sections) < MIN_SECTIONS:
        return page.replace(_PLACE, "", 1)
    title = html.escape(text("report.contents", language))
    items = "".join(f'<li><a href="#{html.escape(anchor)}">{html.escape(label)}</a></li>'
                    for anchor, label in sections)
    nav = (f'<nav class="{CONTENTS_CLASS}" aria-label="{title}">'
           f'<p class="qh-contents-title">{title}</p><ol>{items}</ol></nav>')
    return page.replace(_PLACE, nav, 1)
