"""Download links: the whole guide and the current chapter as PDF, in the page's language, that really exist."""

from __future__ import annotations

import io
from urllib.parse import urljoin

import pytest
from pypdf import PdfReader

from . import facts
from .conftest import REGISTRY, Site


def _pdf_editions_built(site: Site) -> bool:
    return any((site.html_root / code / "_downloads" / "pdf").is_dir() for code in REGISTRY.codes)


@pytest.mark.parametrize("lang", REGISTRY.codes)
def test_download_links_lead_to_this_languages_pdfs(page, site: Site, lang: str) -> None:
    if not _pdf_editions_built(site):
        pytest.skip("the built site has no PDF downloads: this `guide build` does not make the PDF edition yet")
    chapter = facts.best_translated_chapter(site.project)
    page.goto(site.url(lang, chapter))

    links = {}
    for kind in ("guide", "chapter"):
        link = page.locator(f"nav.guide-downloads a.guide-download-{kind}")
        assert link.count() == 1, f"{lang}/{chapter}: no download link for the {kind} PDF"
        assert link.is_visible()
        links[kind] = urljoin(page.url, link.get_attribute("href"))
    sidebar = page.locator(".guide-downloads-sidebar a")
    assert sorted(urljoin(page.url, sidebar.nth(i).get_attribute("href")) for i in range(sidebar.count())) == sorted(
        links.values()
    )

    assert links["chapter"].endswith(f"/{lang}/_downloads/pdf/chapters/{chapter}.pdf")
    assert f"/{lang}/_downloads/pdf/" in links["guide"]
    for kind, url in links.items():
        file = site.html_root / site.path(url).lstrip("/")
        assert file.is_file(), f"{kind}: {url} is not in the built output"
        response = page.request.get(url)
        assert response.status == 200, url
        assert response.headers["content-type"] == "application/pdf", url
        body = response.body()
        assert body == file.read_bytes()
        reader = PdfReader(io.BytesIO(body))
        assert len(reader.pages) >= 1
        assert reader.trailer["/Root"].get("/Lang") == lang, f"{kind} PDF is not marked as {lang}"
