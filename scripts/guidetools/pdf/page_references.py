"""Tagged PDFs without a quadratic cost: remember pydyf's list of page references.

Why this exists
---------------
Every print edition is tagged (PDF/UA-1: readers of screen readers get headings, lists, tables
and link text in order). WeasyPrint 70 writes the structure tree in ``weasyprint.pdf.tags``, and
each marked-content item and link it tags asks ``pydyf.PDF.page_references[page_number]`` for
the reference of its page. ``page_references`` (pydyf 0.13) is a property that builds a new
tuple of *every* page's reference, one formatted and encoded string per page, on each call: so
the cost grows with pages times tagged items. For the generated 275-page guide that was 43,858 calls
and 12 million strings: 11.5 of 45 s profiled in ``write_pdf``, where a 13-page chapter spent
almost nothing on it.

What it does
------------
``install()`` replaces the property with one that computes the same tuple with pydyf's own code
and keeps it on the ``PDF`` object with the page numbers it was made from; while those numbers
(``pages["Kids"]``, which only grows as pages are added) are the same, the kept tuple is
returned. The bytes written are the same; ``tests/test_pdf_pages.py`` checks it.

The right place for the fix is pydyf (the upstream issue text is in
docs/upstream-myst-i18n-performance.md, with the other upstream reports).
"""

from __future__ import annotations

import pydyf

_original: property | None = None


def _remembered_page_references(self) -> tuple[bytes, ...]:
    numbers = tuple(self.pages["Kids"][::3])  # [number, 0, "R", number, 0, "R", …]
    kept = self.__dict__.get("_guide_page_references")
    if kept is None or kept[0] != numbers:
        kept = (numbers, _original.fget(self))
        self.__dict__["_guide_page_references"] = kept
    return kept[1]


def install() -> None:
    """Put the remembering property in place (idempotent)."""
    global _original
    if _original is None:
        _original = pydyf.PDF.page_references
        pydyf.PDF.page_references = property(_remembered_page_references, doc=_original.__doc__)


def uninstall() -> None:
    """Put pydyf's own property back (idempotent)."""
    global _original
    if _original is not None:
        pydyf.PDF.page_references = _original
        _original = None


def installed() -> bool:
    return _original is not None
