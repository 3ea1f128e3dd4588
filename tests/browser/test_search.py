"""Search: Sphinx's JavaScript search, with each language's own stemmer, finds words of the translation."""

from __future__ import annotations

import pytest

from . import facts
from .conftest import REGISTRY, Site

# Of the candidate words, those whose stem (by the site's own JavaScript stemmer) the search index
# lists for exactly one page, that page being the candidate's: the search then has one right answer.
_UNAMBIGUOUS = """(candidates) => {
  const stemmer = new Stemmer();
  const index = Search._index;
  const pages = (entry) => (entry === undefined ? [] : [].concat(entry));
  return candidates.filter(([word, page]) => {
    const stem = stemmer.stemWord(word.toLowerCase());
    const inText = pages(index.terms[stem]);
    const inTitles = pages(index.titleterms[stem]);
    const docs = new Set([...inText, ...inTitles].map((i) => index.docnames[i]));
    return docs.size === 1 && docs.has(page);
  }).map(([word]) => word);
}"""


@pytest.mark.parametrize("lang", REGISTRY.codes)
def test_search_finds_a_word_only_this_translation_uses(page, site: Site, lang: str) -> None:
    candidates = facts.words_only_in_translation(site.project, lang)
    assert candidates, f"{lang}: no word of a translated chapter is absent from the English edition"
    page_of = {candidate.word: candidate.page for candidate in candidates}

    page.goto(site.url(lang, "search"))
    page.wait_for_function("() => typeof Search !== 'undefined' && Search._index !== null")
    assert page.evaluate("DOCUMENTATION_OPTIONS.LANGUAGE") == lang
    usable = page.evaluate(_UNAMBIGUOUS, [[c.word, c.page] for c in candidates])
    assert usable, f"{lang}: none of {len(candidates)} words of the translation is in the search index"
    word = usable[0]
    expected = page_of[word]

    # Search the way a reader does: the search box of a chapter page.
    chapter = facts.chapters(site.project)[0]
    page.goto(site.url(lang, chapter))
    page.locator("form.sidebar-search-container input[name=q]").fill(word)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{lang}/search.html?q=*")
    results = page.locator("#search-results ul.search li > a")
    page.wait_for_function("() => document.querySelector('#search-results .search-summary')?.textContent.trim()")
    assert results.count() == 1, f"{lang}: {word!r} should find {expected} only"
    assert results.first.get_attribute("href").split("?")[0].split("#")[0] == f"{expected}.html"

    results.first.click()
    page.wait_for_url(f"**/{lang}/{expected}.html*")
    assert site.path(page.url) == f"/{lang}/{expected}.html"
    assert page.evaluate("document.documentElement.lang") == lang
    assert word in page.locator("article").inner_text().lower()
    # Sphinx highlights the searched word on the page it opens.
    highlighted = page.locator("article span.highlighted")
    assert highlighted.count() >= 1
    assert word in highlighted.first.inner_text().lower()
