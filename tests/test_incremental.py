"""Incremental builds: an edit re-reads only what it touches, in every language.

``guide build`` keeps one Sphinx environment per language and builder under ``_build/.sphinx/``.
What a rebuild re-read is visible in the doctree pickles it rewrote; what it recompiled, in the
``.mo`` files beside the catalogues.
"""

from __future__ import annotations

from pathlib import Path

from guidetools.build import build_html
from guidetools.project import Project

LANGS = ["en", "es", "ar"]


def doctree_times(project: Project) -> dict[tuple[str, str], int]:
    root = project.build_dir / ".sphinx" / "doctrees" / "html"
    return {(path.parent.name, path.stem): path.stat().st_mtime_ns for path in root.glob("*/*.doctree")}


def catalogue_times(project: Project) -> dict[str, int]:
    return {
        str(path.relative_to(project.locales_dir)): path.stat().st_mtime_ns
        for path in project.locales_dir.glob("*/LC_MESSAGES/*.mo")
    }


def changed(before: dict, after: dict) -> set:
    return {key for key, mtime in after.items() if before.get(key) != mtime}


def build(project: Project) -> None:
    results = build_html(project, LANGS, jobs=1)
    assert all(r.ok for r in results), [str(p) for r in results for p in r.problems]


def test_a_chapter_edit_rereads_only_that_chapter_in_every_language(basic_project: Project) -> None:
    build(basic_project)
    doctrees, catalogues = doctree_times(basic_project), catalogue_times(basic_project)
    assert {page for _, page in doctrees} == {"index", "chapter", "glossary"}
    assert catalogues, "the first build compiles the catalogues"

    chapter = basic_project.source_dir / "chapter.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("saves lives.", "saves many lives."))
    build(basic_project)

    assert changed(doctrees, doctree_times(basic_project)) == {(lang, "chapter") for lang in LANGS}
    assert changed(catalogues, catalogue_times(basic_project)) == set()
    # The edit reached every edition (the changed sentence is untranslated now: English fallback).
    for lang in LANGS:
        page = (basic_project.html_dir(lang) / "chapter.html").read_text(encoding="utf-8")
        assert "saves many lives." in page


def test_a_catalogue_edit_rereads_that_chapter_in_that_language_only(basic_project: Project) -> None:
    build(basic_project)
    doctrees, catalogues = doctree_times(basic_project), catalogue_times(basic_project)

    po = basic_project.catalog_dir("es") / "chapter.po"
    po.write_text(po.read_text(encoding="utf-8").replace("salva vidas", "salva muchas vidas"), encoding="utf-8")
    build(basic_project)

    assert changed(doctrees, doctree_times(basic_project)) == {("es", "chapter")}
    assert changed(catalogues, catalogue_times(basic_project)) == {str(Path("es", "LC_MESSAGES", "chapter.mo"))}
    assert "salva muchas vidas" in (basic_project.html_dir("es") / "chapter.html").read_text(encoding="utf-8")
