"""Partly translated pages: the completion banner is shown, and the English passages are marked and readable.

Which pages are partly translated comes from the catalogues being tested: a page whose catalogue has
an untranslated (or fuzzy) entry shows the banner, a page whose catalogue is complete does not.
"""

from __future__ import annotations

import pytest

from . import facts
from .conftest import REGISTRY, Site

# What a reader sees of each passage marked as English: the marker, the border, the language, the
# direction it reads in, and whether it is on screen at all.
_MARKED = """() => [...document.querySelectorAll("article .untranslated")].map((element) => {
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    tag: element.tagName.toLowerCase(),
    text: element.textContent.trim().slice(0, 60),
    lang: element.lang,
    direction: style.direction,
    border: style.borderInlineStartStyle,
    marker: getComputedStyle(element, "::before").content,
    admonition_title: element.classList.contains("admonition-title"),
    visible: box.width > 0 && box.height > 0 && style.visibility === "visible" && style.opacity !== "0",
  };
})"""


def _missing_text(site: Site, lang: str, page: str) -> list[str]:
    """Messages of the page (not figure alt texts, which are not counted) that have no translation."""
    entries = facts.catalogue(site.project, lang, page)
    if entries is None:
        return ["(no catalogue)"]
    alts = facts.image_alt_texts(site.project, lang, page)
    return [
        entry.msgid
        for entry in entries
        if not entry.obsolete and not entry.translated() and " ".join(entry.msgid.split()) not in alts
    ]


@pytest.mark.parametrize("lang", [language.code for language in REGISTRY.translations])
def test_banner_and_marks_exactly_on_partly_translated_pages(page, site: Site, lang: str) -> None:
    source = REGISTRY.source
    rtl = REGISTRY.get(lang).direction == "rtl"
    for name in ["index", *facts.chapters(site.project)]:
        missing = _missing_text(site, lang, name)
        page.goto(site.url(lang, name), wait_until="domcontentloaded")
        banner = page.locator(".guide-translation-banner")
        if not missing:
            assert banner.count() == 0, f"{lang}/{name}: complete catalogue, yet the page has a banner"
            assert page.locator("article .untranslated").count() == 0, f"{lang}/{name}: complete, yet marked"
            continue

        assert banner.is_visible(), f"{lang}/{name}: {len(missing)} messages untranslated, no banner"
        box = banner.bounding_box()
        assert box["y"] < page.viewport_size["height"] / 2, "the banner is not at the top of the page"
        assert "%" in banner.inner_text()

        marked = page.evaluate(_MARKED)
        assert marked, f"{lang}/{name}: {len(missing)} messages untranslated, none marked ({missing[:2]})"
        for passage in marked:
            where = f"{lang}/{name} <{passage['tag']}> {passage['text']!r}"
            assert passage["visible"], where
            assert passage["lang"] == source, where
            assert passage["border"] == "dashed", where
            if passage["tag"] == "p" and not passage["admonition_title"]:  # there ::before is the theme's icon
                assert passage["marker"] == '"EN"', where
            if rtl:
                assert passage["direction"] == "ltr", where
