"""Accessibility: axe-core finds nothing serious on the index and a chapter of every language, and every
image has alt text in the page's language.

axe-core comes from the npm registry (tests/browser/package-lock.json) and is injected into the page
as served; rules are not switched off: a violation is fixed in the templates or the CSS.
"""

from __future__ import annotations

import re

import pytest

from . import facts
from .conftest import REGISTRY, Site

_RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.slice(0, 5).map((node) => `${node.target.join(" ")}: ${node.failureSummary}`),
  }));
}"""
_FIGURE = re.compile(r"^:::\{figure\}", re.MULTILINE)


@pytest.mark.parametrize("lang", REGISTRY.codes)
def test_axe_finds_no_serious_violation(page, site: Site, axe_source: str, lang: str) -> None:
    report = []
    for name in ("index", facts.best_translated_chapter(site.project)):
        page.goto(site.url(lang, name))
        page.add_script_tag(content=axe_source)
        for violation in page.evaluate(_RUN_AXE):
            if violation["impact"] in ("serious", "critical"):
                nodes = "\n      ".join(violation["nodes"])
                report.append(
                    f"{lang}/{name}.html: {violation['id']} ({violation['impact']}): {violation['help']}\n      {nodes}"
                )
    assert not report, "\n" + "\n".join(report)


def _pages_with_figures(site: Site) -> list[str]:
    return [
        name
        for name in facts.chapters(site.project)
        if _FIGURE.search((site.project.source_dir / f"{name}.md").read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize("lang", REGISTRY.codes)
def test_every_image_has_alt_text_in_the_pages_language(page, site: Site, lang: str) -> None:
    pages = _pages_with_figures(site)
    assert pages, "the guide has no figure: nothing to check"
    for name in pages:
        page.goto(site.url(lang, name), wait_until="domcontentloaded")
        alts = [
            " ".join(alt.split())
            for alt in page.locator("article img").evaluate_all("(imgs) => imgs.map((img) => img.alt)")
        ]
        assert alts and all(alts), f"{lang}/{name}: an image without alt text: {alts}"
        if lang == REGISTRY.source:
            continue
        translations = facts.image_alt_texts(site.project, lang, name)
        assert translations, f"{lang}/{name}: the catalogue has no entry for the figures' alt text"
        for english, translated in translations.items():
            if translated:
                assert translated in alts, f"{lang}/{name}: alt text not translated on the page: {english!r}"
                assert english not in alts
            else:
                # Not translated yet: the English alt text stays, on a page that says it is partly English.
                assert english in alts
                assert page.locator(".guide-translation-banner").count() == 1, f"{lang}/{name}: English alt text"
