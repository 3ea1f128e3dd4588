"""Layout: right-to-left languages are mirrored, and no page scrolls sideways on a phone or a laptop.

Full-page screenshots of the source language and of every right-to-left language, at both widths,
are saved under ``_build/test-artifacts/screenshots/`` for people to look at.
"""

from __future__ import annotations

import pytest

from . import facts
from .conftest import NARROW, REGISTRY, WIDE, Site, screenshot

RTL = [lang.code for lang in REGISTRY.languages if lang.direction == "rtl"]
SOURCE = REGISTRY.source

_BOX = """(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return {left: box.left, right: box.right, top: box.top, width: box.width};
}"""

# Where the text of an element starts and ends, against the edges of its content box: a line of
# right-aligned text ends at the content box's right edge, a left-aligned one starts at its left.
_TEXT_EDGES = """(element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  const lines = [...range.getClientRects()].filter((rect) => rect.width > 0);
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  const last = lines.reduce((a, b) => (b.bottom > a.bottom ? b : a));
  return {
    direction: style.direction,
    contentLeft: box.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth),
    contentRight: box.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth),
    lastLineLeft: Math.min(...lines.filter((r) => r.bottom === last.bottom).map((r) => r.left)),
    lastLineRight: Math.max(...lines.filter((r) => r.bottom === last.bottom).map((r) => r.right)),
  };
}"""


def _layout(page, site: Site, lang: str, chapter: str) -> dict:
    page.goto(site.url(lang, chapter))
    width = page.evaluate("window.innerWidth")
    links = page.locator(".sidebar-tree a.reference")
    paragraph = page.locator("article p:not(.untranslated)").first
    return {
        "width": width,
        "dir": page.evaluate("document.documentElement.dir"),
        "sidebar": page.evaluate(_BOX, ".sidebar-drawer"),
        "article": page.evaluate(_BOX, "article"),
        "links": [links.nth(i).evaluate(_TEXT_EDGES) for i in range(links.count())],
        "paragraph": paragraph.evaluate(_TEXT_EDGES),
        "heading": page.locator("article h1").evaluate(_TEXT_EDGES),
    }


@pytest.mark.parametrize("lang", RTL)
def test_right_to_left_pages_are_mirrored_and_right_aligned(page, site: Site, lang: str) -> None:
    chapter = facts.best_translated_chapter(site.project)
    ltr = _layout(page, site, SOURCE, chapter)
    rtl = _layout(page, site, lang, chapter)
    width = rtl["width"]

    assert ltr["dir"] == "ltr" and rtl["dir"] == "rtl"
    # Navigation on the left of the text in English, on the right in Arabic, in mirror positions.
    assert ltr["sidebar"]["right"] <= ltr["article"]["left"]
    assert rtl["sidebar"]["left"] >= rtl["article"]["right"]
    for part in ("sidebar", "article"):
        assert rtl[part]["left"] == pytest.approx(width - ltr[part]["right"], abs=2), part
        assert rtl[part]["width"] == pytest.approx(ltr[part]["width"], abs=2), part

    # Text is right-aligned: navigation entries, the title, the last line of a paragraph.
    for entry in rtl["links"]:
        assert entry["direction"] == "rtl"
        assert entry["lastLineRight"] == pytest.approx(entry["contentRight"], abs=2), entry
    for entry in ltr["links"]:
        assert entry["lastLineLeft"] == pytest.approx(entry["contentLeft"], abs=2), entry
    for part in ("heading", "paragraph"):
        assert rtl[part]["direction"] == "rtl", part
        assert rtl[part]["lastLineRight"] == pytest.approx(rtl[part]["contentRight"], abs=2), (part, rtl[part])
        assert ltr[part]["lastLineLeft"] == pytest.approx(ltr[part]["contentLeft"], abs=2), (part, ltr[part])


@pytest.mark.parametrize("lang", RTL)
def test_right_to_left_phone_header_is_mirrored(browser, site: Site, lang: str) -> None:
    chapter = facts.best_translated_chapter(site.project)
    context = browser.new_context(viewport=NARROW)
    try:
        tab = context.new_page()
        positions = {}
        for code in (SOURCE, lang):
            tab.goto(site.url(code, chapter))
            positions[code] = tab.evaluate(_BOX, ".mobile-header .header-left")
    finally:
        context.close()
    # The menu button: at the left edge in English, at the right edge in Arabic.
    assert positions[SOURCE]["left"] < NARROW["width"] / 2
    assert positions[lang]["left"] > NARROW["width"] / 2


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["375px", "1280px"])
@pytest.mark.parametrize("lang", REGISTRY.codes)
def test_no_page_scrolls_sideways(browser, site: Site, lang: str, viewport: dict) -> None:
    chapter = facts.best_translated_chapter(site.project)
    context = browser.new_context(viewport=viewport)
    try:
        tab = context.new_page()
        for name in ("index", chapter):
            tab.goto(site.url(lang, name))
            scroll_width, inner_width = tab.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert scroll_width <= inner_width, f"{lang}/{name}.html at {viewport['width']} px scrolls sideways"
            if lang == SOURCE or lang in RTL:
                screenshot(tab, f"{lang}-{name}-{viewport['width']}px")
    finally:
        context.close()
