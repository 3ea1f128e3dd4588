"""Page numbers of cross-references ("see p. 23", the contents' page numbers), resolved here.

Why not CSS ``target-counter()``: WeasyPrint resolves it by laying the document out again, and
again, until the numbers stop changing, and it re-lays out every page that holds such a
reference in each round, whether its number changed or not (it compares *all* page-based
counters of the target, including ``pages``, which it updates between rounds). Measured on the
generated 20-chapter guide (279 pages, a cross-reference on most pages): 1,213 pages laid out for
279, 4.3 rounds' worth, 119 s of CPU; with the numbers written in as text, 279 pages in one round.

So each reference carries its number as text (``data-page``, printed by the print CSS with
``attr(data-page)``), and the renderer checks it against where WeasyPrint actually put the
target: numbers known from the previous build (``PageMap``) are usually right, and the
document is laid out once; otherwise it is laid out again with the numbers just measured, until
they agree (a reference whose number grows from "9" to "10" can push a line to the next page).

The number printed is the target page's folio as the reader sees it at the foot of that page.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

# An <a> start tag with class xref-page (cross-reference, doctree.mark_page_references) or
# toc-link (the contents, edition.html) and an internal href. The HTML is our own builder's
# output: attributes double-quoted, class before href (docutils' and the template's order),
# but the pattern does not depend on the order.
_LINK = re.compile(r"<a\s(?P<attributes>[^>]*?)>")
_CLASS = re.compile(r'\bclass="(?P<value>[^"]*)"')
_HREF = re.compile(r'\bhref="#(?P<anchor>[^"]+)"')
_DATA_PAGE = re.compile(r'\sdata-page="[^"]*"')
PAGE_REFERENCE_CLASSES = frozenset({"xref-page", "toc-link"})
# How many layouts to try before accepting the numbers as they are. Two is the usual need for a
# first build (one to measure, one to print); a third only if a number's width moved a target.
MAX_LAYOUTS = 4
# Printed for a target whose page is not known yet (first layout of a first build): three
# digits, the width of most page numbers of a long guide, so the second layout rarely differs.
UNKNOWN = "000"


def _page_reference(attributes: str) -> str | None:
    """The anchor an <a> tag's attributes point to, if it is a page reference."""
    css_class = _CLASS.search(attributes)
    if css_class is None or not PAGE_REFERENCE_CLASSES & set(css_class["value"].split()):
        return None
    href = _HREF.search(attributes)
    return html.unescape(href["anchor"]) if href else None


def referenced_anchors(text: str) -> list[str]:
    """The anchors the page references of an HTML document point to, in order, without repeats."""
    found = (_page_reference(match["attributes"]) for match in _LINK.finditer(text))
    return list(dict.fromkeys(anchor for anchor in found if anchor is not None))


def with_page_numbers(text: str, folios: dict[str, str]) -> str:
    """``text`` with ``data-page="N"`` on every page reference (``UNKNOWN`` where not known)."""

    def number(match: re.Match) -> str:
        attributes = match["attributes"]
        anchor = _page_reference(attributes)
        if anchor is None:
            return match[0]
        attributes = _DATA_PAGE.sub("", attributes)
        folio = html.escape(folios.get(anchor, UNKNOWN), quote=True)
        return f'<a {attributes} data-page="{folio}">'

    return _LINK.sub(number, text)


def printed_folios(document) -> list[str]:
    """The page number printed at the foot of each page of a laid-out WeasyPrint document.

    Read from the page's bottom margin boxes, so it is what the reader sees — arabic in the
    chapters, roman in the front matter — whatever counter resets the print CSS does. A page
    without a folio (the cover, a blank page) gets its position in the file, which no reference
    should point to.
    """
    from weasyprint.formatting_structure import boxes

    folios = []
    for index, page in enumerate(document.pages):
        text = ""
        # Page._page_box is WeasyPrint's laid-out page; its margin boxes are its direct children.
        for margin in page._page_box.children:
            if isinstance(margin, boxes.MarginBox) and margin.at_keyword.startswith("@bottom"):
                text += "".join(box.text for box in margin.descendants() if isinstance(box, boxes.TextBox))
        folios.append(text.strip() or str(index + 1))
    return folios


def anchor_folios(document, anchors: list[str]) -> dict[str, str]:
    """The printed page number of the first page holding each of ``anchors``."""
    wanted = set(anchors)
    found: dict[str, str] = {}
    for page, folio in zip(document.pages, printed_folios(document), strict=True):
        for anchor in wanted.intersection(page.anchors):
            found.setdefault(anchor, folio)
    return found


@dataclass
class PageMap:
    """The page number of every referenced anchor, per document, from the last build of a language.

    Kept in ``_build/.sphinx/pagemap/<lang>.json``: a build that changes little finds its
    numbers there, and lays each document out once.
    """

    path: Path
    documents: dict[str, dict[str, str]] = field(default_factory=dict)
    # The first page number of each chapter part of the whole guide (pdf/parts.py), by file name.
    starts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> PageMap:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)  # none yet, or unreadable: every number is measured again
        documents = data.get("documents") if isinstance(data, dict) else None
        if not isinstance(documents, dict):
            return cls(path)
        starts = data.get("starts")
        return cls(
            path,
            {str(k): dict(v) for k, v in documents.items() if isinstance(v, dict)},
            {str(k): v for k, v in starts.items() if isinstance(v, int)} if isinstance(starts, dict) else {},
        )

    def save(self) -> None:
        from guidetools.project import atomic_write

        with atomic_write(self.path) as handle:
            data = {"documents": self.documents, "starts": self.starts}
            json.dump(data, handle, ensure_ascii=False, sort_keys=True, indent=0)
