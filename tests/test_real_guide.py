"""The real guide: every language builds without a warning, and each site is what readers expect."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import polib
import pytest

from guidetools.build import build_html
from guidetools.project import Project

from .conftest import REPO

CATALOGUES = REPO / "locales"


@pytest.fixture(scope="module")
def built_guide(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the repository (sources, catalogues, templates), built in every language."""
    root = tmp_path_factory.mktemp("guide") / "repo"
    shutil.copytree(
        REPO, root, ignore=shutil.ignore_patterns("_build", ".git", ".nox", "dist", "*.mo", "__pycache__", "tests")
    )
    project = Project(root)
    results = build_html(project, project.registry.codes)
    problems = [str(problem) for result in results for problem in result.problems]
    assert problems == []
    return project


def page(project: Project, lang: str, name: str) -> str:
    return (project.html_dir(lang) / f"{name}.html").read_text(encoding="utf-8")


def chapters(project: Project) -> list[str]:
    return sorted(path.stem for path in project.source_dir.glob("*.md"))


@pytest.mark.slow
def test_every_language_has_every_page_with_lang_and_dir(built_guide: Project) -> None:
    for lang in built_guide.registry.languages:
        for name in chapters(built_guide):
            tag = re.search(r"<html[^>]*>", page(built_guide, lang.code, name)).group(0)
            assert f'lang="{lang.code}"' in tag and f'dir="{lang.direction}"' in tag, (lang.code, name, tag)


@pytest.mark.slow
def test_switcher_targets_exist_from_every_page(built_guide: Project) -> None:
    codes = built_guide.registry.codes
    for lang in codes:
        for name in chapters(built_guide):
            links = re.findall(r'href="([^"]+)" hreflang="([\w-]+)"', page(built_guide, lang, name))
            assert [code for _, code in links] == codes
            for href, _ in links:
                assert (built_guide.html_dir(lang) / href).resolve().is_file(), (lang, name, href)


@pytest.mark.slow
def test_translated_text_reaches_each_site(built_guide: Project) -> None:
    """The title of each chapter's translation appears in its page; fully translated pages have no banner."""
    for lang in built_guide.registry.translations:
        translated_titles = 0
        for name in chapters(built_guide):
            catalogue = polib.pofile(str(built_guide.catalog_dir(lang.code) / f"{name}.po"))
            first = catalogue[0]  # the chapter title comes first in each catalogue
            if first.translated():
                translated_titles += 1
                # Sphinx's smart quotes turn ' into a right single quotation mark on the page.
                shown = page(built_guide, lang.code, name).replace("\u2019", "'")
                assert html.escape(first.msgstr, quote=False).replace("\u2019", "'") in shown
        assert translated_titles >= 2, lang.code


@pytest.mark.slow
def test_partial_languages_mark_untranslated_passages(built_guide: Project) -> None:
    for lang in ("ru", "ar"):
        html = page(built_guide, lang, "development")
        assert "guide-translation-banner" in html
        assert 'class="untranslated"' in html
    for lang in ("es", "fr"):
        for name in chapters(built_guide):
            html = page(built_guide, lang, name)
            assert "guide-translation-banner" not in html, (lang, name)
            assert not re.search(r'<p class="untranslated"', html), (lang, name)


# Entries whose translation may equal the source: names, codes, numbers, URLs.
# A cell holding only a role such as {ref}`principles` is markup: Sphinx inserts the translated title.
_SAME_ALLOWED = re.compile(r"^[\W\d_]*$|^https?://|^[A-Z0-9 ()./-]+$|^`[^`]+`$|^(\{\w+\}`[^`]+`\s*)+$")


# Words spelled the same in the translation, checked by a human: not copies of the English.
_SAME_WORD = {
    "fr": {
        "Licence",
        "Services",
        "Justice",
        "Prisons",
        "Intervention",
        "Naloxone",
        "naloxone",
        "Question",
        "Message",
        "Badge",
        "Catalogue",
    },
    "es": set(),
}


def _copied(catalogue: polib.POFile, lang: str) -> list[str]:
    return [
        e.msgid
        for e in catalogue
        if e.msgstr == e.msgid and not _SAME_ALLOWED.match(e.msgid) and e.msgid not in _SAME_WORD.get(lang, ())
    ]


def test_spanish_and_french_are_complete_and_never_copy_english() -> None:
    for lang in ("es", "fr"):
        for path in sorted((CATALOGUES / lang / "LC_MESSAGES").glob("*.po")):
            catalogue = polib.pofile(str(path))
            untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
            fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
            assert not untranslated and not fuzzy, (str(path), untranslated[:3], fuzzy[:3])
            assert not _copied(catalogue, lang), str(path)


def test_partial_languages_never_copy_english_into_msgstr() -> None:
    for lang in ("ru", "ar"):
        for path in sorted((CATALOGUES / lang / "LC_MESSAGES").glob("*.po")):
            catalogue = polib.pofile(str(path))
            assert not _copied(catalogue, lang), str(path)


def _words(catalogue: polib.POFile) -> tuple[int, int]:
    total = sum(len(entry.msgid.split()) for entry in catalogue if not entry.obsolete)
    done = sum(len(entry.msgid.split()) for entry in catalogue.translated_entries())
    return done, total


def test_russian_covers_half_and_arabic_the_front_matter_and_a_chapter() -> None:
    ru = [polib.pofile(str(p)) for p in sorted((CATALOGUES / "ru" / "LC_MESSAGES").glob("*.po"))]
    entries = sum(len([e for e in c if not e.obsolete]) for c in ru)
    translated = sum(len(c.translated_entries()) for c in ru)
    assert translated >= entries / 2
    for name in ("index", "about"):
        for lang in ("ru", "ar"):
            assert polib.pofile(str(CATALOGUES / lang / "LC_MESSAGES" / f"{name}.po")).percent_translated() == 100
    whole_ru = [c for c in ru if c.percent_translated() == 100 and Path(c.fpath).stem not in ("index", "about")]
    assert len(whole_ru) >= 2
    ar = [polib.pofile(str(p)) for p in sorted((CATALOGUES / "ar" / "LC_MESSAGES").glob("*.po"))]
    assert any(c.percent_translated() == 100 and Path(c.fpath).stem not in ("index", "about") for c in ar)
