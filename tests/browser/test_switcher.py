"""The language switcher: from a section deep in a chapter to the same section in every other language."""

from __future__ import annotations

import pytest

from . import facts
from .conftest import REGISTRY, Site

# The section's heading is in view: between the top of the window and its bottom.
_HEADING_IN_VIEW = """(id) => {
  const heading = document.getElementById(id).querySelector("h1, h2, h3");
  const box = heading.getBoundingClientRect();
  return box.bottom > 0 && box.top < window.innerHeight;
}"""


@pytest.mark.parametrize("lang", REGISTRY.codes)
def test_switcher_keeps_the_reader_on_the_same_section(page, site: Site, lang: str) -> None:
    chapter = facts.best_translated_chapter(site.project)
    section = facts.section_labels(site.project, chapter)[2]  # deep in the chapter, not at its top
    page.goto(site.url(lang, chapter, section))
    assert page.evaluate("document.querySelector(':target')?.id") == section
    page.wait_for_function(_HEADING_IN_VIEW, arg=section, timeout=5_000)

    switcher = page.locator("nav.guide-languages")
    current = switcher.locator('a[aria-current="page"]')
    assert current.count() == 1
    assert current.get_attribute("hreflang") == lang
    assert switcher.locator("li.current a").get_attribute("hreflang") == lang  # visibly marked too

    for other in (code for code in REGISTRY.codes if code != lang):
        page.goto(site.url(lang, chapter, section))
        switcher.locator(f'a[hreflang="{other}"]').click()
        page.wait_for_url(f"**/{other}/{chapter}.html#{section}")
        assert site.path(page.url) == f"/{other}/{chapter}.html"
        assert page.evaluate("document.documentElement.lang") == other
        assert page.evaluate("document.querySelector(':target')?.id") == section, (lang, other)
        # The browser scrolls to the fragment once the layout has settled, not at the load event.
        page.wait_for_function(_HEADING_IN_VIEW, arg=section, timeout=5_000)
        marked = page.locator('nav.guide-languages a[aria-current="page"]')
        assert marked.count() == 1 and marked.get_attribute("hreflang") == other


def test_switcher_follows_the_section_the_reader_jumped_to(page, site: Site) -> None:
    """A reader who opened a chapter and then used its table of contents keeps that section too."""
    lang, other = REGISTRY.codes[-1], REGISTRY.codes[0]
    chapter = facts.best_translated_chapter(site.project)
    section = facts.section_labels(site.project, chapter)[-1]
    page.goto(site.url(lang, chapter))
    page.evaluate("(id) => { location.hash = id; }", section)  # what following a "#section" link does
    page.locator(f'nav.guide-languages a[hreflang="{other}"]').click()
    page.wait_for_url(f"**/{other}/{chapter}.html#{section}")
    assert page.evaluate("document.querySelector(':target')?.id") == section
