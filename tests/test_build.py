"""HTML editions of a tiny real guide: per-language sites, switcher, direction, fallback marking."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

from guidetools.build import build_html, parse_warnings
from guidetools.project import Project


def html(project: Project, lang: str, page: str) -> str:
    return (project.html_dir(lang) / f"{page}.html").read_text(encoding="utf-8")


def html_tag(text: str) -> str:
    return re.search(r"<html[^>]*>", text).group(0)


def test_every_language_gets_its_own_site_with_lang_and_dir(basic_project: Project) -> None:
    results = build_html(basic_project, ["en", "es", "ar"], jobs=1)
    assert [r.lang for r in results] == ["en", "es", "ar"]
    assert all(r.ok and r.published for r in results), [str(p) for r in results for p in r.problems]
    assert 'lang="en"' in html_tag(html(basic_project, "en", "chapter"))
    assert 'dir="ltr"' in html_tag(html(basic_project, "en", "chapter"))
    assert 'lang="es"' in html_tag(html(basic_project, "es", "chapter"))
    ar_tag = html_tag(html(basic_project, "ar", "chapter"))
    assert 'lang="ar"' in ar_tag and 'dir="rtl"' in ar_tag
    # Search works per language: each site has its own index, stemmed with the language's stemmer
    # (Spanish Snowball turns "reducción" into "reduccion"; the English source words are absent).
    es_index = (basic_project.html_dir("es") / "searchindex.js").read_text(encoding="utf-8")
    assert '"reduccion":' in es_index and '"harm":' not in es_index
    assert '"harm":' in (basic_project.html_dir("en") / "searchindex.js").read_text(encoding="utf-8")


def test_switcher_leads_to_the_same_page_in_every_language(basic_project: Project) -> None:
    build_html(basic_project, ["en", "es", "ar"], jobs=1)
    for lang in ("en", "es", "ar"):
        page = html(basic_project, lang, "chapter")
        switcher = re.search(r'<nav class="guide-languages".*?</nav>', page, re.DOTALL).group(0)
        targets = re.findall(r'href="([^"]+)" hreflang="(\w+)"', switcher)
        assert [code for _, code in targets] == ["en", "es", "ar"]
        for href, code in targets:
            assert href == f"../{code}/chapter.html"
            assert (basic_project.html_dir(lang) / href).resolve().is_file()
        assert re.search(rf'hreflang="{lang}"[^>]*aria-current="page"', switcher)


def test_partial_translation_is_marked_and_bannered(basic_project: Project) -> None:
    build_html(basic_project, ["en", "es"], jobs=1)
    es = html(basic_project, "es", "chapter")
    assert '<p class="translated">La reducción de daños salva vidas.' in es
    assert '<p class="untranslated" lang="en">This second paragraph stays untranslated.' in es
    banner = re.search(r'<aside class="guide-translation-banner".*?</aside>', es, re.DOTALL)
    assert banner and re.search(r"This page is \d+ % translated", banner.group(0))
    assert "guide-translation-banner" not in html(basic_project, "en", "chapter")


def test_a_warning_fails_the_build_and_keeps_the_previous_edition(basic_project: Project) -> None:
    [first] = build_html(basic_project, ["en"], jobs=1)
    assert first.ok
    before = html(basic_project, "en", "index")
    index = basic_project.source_dir / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("glossary\n", "glossary\nmissing-chapter\n"))
    [broken] = build_html(basic_project, ["en"], jobs=1)
    assert not broken.ok and not broken.published
    [problem] = broken.problems
    assert problem.file == "guide/index.md"
    assert problem.line is not None
    assert "missing-chapter" in problem.message
    assert html(basic_project, "en", "index") == before


def test_parallel_build_matches_languages_and_reports_progress(basic_project: Project) -> None:
    events = []
    results = build_html(basic_project, ["en", "es"], jobs=2, progress=lambda *e: events.append(e))
    assert [r.lang for r in results] == ["en", "es"] and all(r.ok for r in results)
    assert {lang for lang, _, _ in events} == {"en", "es"}
    assert any(phase.startswith("writing") and percent == 100 for _, phase, percent in events)


def test_warning_stream_is_parsed_into_file_and_line(tmp_path: Path) -> None:
    root = tmp_path
    (root / "guide").mkdir()
    text = (
        f"{root}/guide/a.md:12: WARNING: undefined label: 'x' [ref.ref]\n"
        f"{root}/guide/b.md: ERROR: Unknown directive type\n"
        "WARNING: html_static_path entry 'y' does not exist\n"
    )
    problems = parse_warnings(text, root)
    assert [(p.file, p.line, p.level) for p in problems] == [
        ("guide/a.md", 12, "WARNING"),
        ("guide/b.md", None, "ERROR"),
        (None, None, "WARNING"),
    ]
    assert str(problems[0]) == "guide/a.md:12: warning: undefined label: 'x' [ref.ref]"


def test_a_complete_translation_has_no_banner_despite_figures_front_matter_and_toctree(
    basic_project: Project,
) -> None:
    """Sphinx counts image URIs, front-matter fields and toctree captions as untranslated; we don't."""
    build_html(basic_project, ["es"], jobs=1)
    index = html(basic_project, "es", "index")
    assert "guide-translation-banner" not in index
    assert "untranslated" not in index.split('<article role="main"')[1].split("</article>")[0]
    assert 'alt="Un punto verde."' in index
    assert "Contenido" in index


def test_a_fresh_build_leaves_unchanged_catalogues_untouched_and_rewrites_an_edited_one(basic_project: Project) -> None:
    """Both builders of a language use the same .mo files: one's fresh build must not make the other re-read."""
    from guidetools.build import run_sphinx

    assert run_sphinx(basic_project, "es", "html", fresh=True).ok
    compiled = sorted(basic_project.catalog_dir("es").glob("*.mo"))
    assert compiled
    before = {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in compiled}
    # The print builder's environment, read after the first build, is up to date...
    assert run_sphinx(basic_project, "es", "guideprint").ok
    # ...and stays so through a fresh website build, which recompiles every catalogue.
    assert run_sphinx(basic_project, "es", "html", fresh=True).ok
    assert {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in compiled} == before
    doctrees = basic_project.build_dir / ".sphinx" / "doctrees" / "guideprint" / "es"
    read_before = {path: path.stat().st_mtime_ns for path in doctrees.glob("*.doctree")}
    assert run_sphinx(basic_project, "es", "guideprint").ok
    assert {path: path.stat().st_mtime_ns for path in doctrees.glob("*.doctree")} == read_before

    # An edited translation is compiled again, atomically: no temporary file is left behind.
    po = basic_project.catalog_dir("es") / "index.po"
    po.write_text(po.read_text(encoding="utf-8").replace("guía diminuta.", "pequeña guía."), encoding="utf-8")
    assert run_sphinx(basic_project, "es", "html").ok
    mo = po.with_suffix(".mo")
    assert mo.read_bytes() != before[mo][1]
    assert not list(basic_project.catalog_dir("es").glob(".*.tmp"))


def test_a_catalogue_without_a_creation_date_is_not_rewritten_because_the_clock_moved(
    tmp_path: Path, monkeypatch
) -> None:
    import datetime

    import babel.messages.catalog
    from sphinx.util.i18n import CatalogInfo

    from guidetools.sphinxext.catalog_writes import _stock_write_mo, _WrittenTo, write_mo_if_changed

    header = '"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: es\\n"\n'
    (tmp_path / "page.po").write_text(f'msgid ""\nmsgstr ""\n{header}\nmsgid "Hello"\nmsgstr "Hola"\n', "utf-8")
    catalog = CatalogInfo(tmp_path, "page", "utf-8")
    write_mo_if_changed(catalog, "es")
    mo = tmp_path / "page.mo"
    first = (mo.stat().st_mtime_ns, mo.read_bytes())

    class Later(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime(2031, 5, 6, 7, 8, tzinfo=tz)

    monkeypatch.setattr(babel.messages.catalog.datetime, "datetime", Later)
    _stock_write_mo(_WrittenTo(catalog, tmp_path / "stock.mo"), "es")
    assert (tmp_path / "stock.mo").read_bytes() != first[1]  # Babel stamped its clock into the header
    write_mo_if_changed(catalog, "es")
    assert (mo.stat().st_mtime_ns, mo.read_bytes()) == first


def test_libraries_info_records_stay_unprinted_after_an_html_build(basic_project: Project) -> None:
    """furo's accessible-pygments sets the root logger to INFO while an HTML build loads the styles.

    A worker then built the next language's PDFs with every WeasyPrint and fontTools INFO record
    printed. Run in a fresh interpreter: pytest's own log handlers would hide it here.
    """
    script = textwrap.dedent(
        f"""
        import logging
        from pathlib import Path
        from guidetools.build import run_sphinx
        from guidetools.project import Project
        result = run_sphinx(Project(Path({str(basic_project.root)!r})), "en", "html")
        assert result.ok, result.problems
        logging.getLogger("weasyprint.progress").info("Step 5 - Creating layout - Page 2")
        logging.getLogger("fontTools.subset").warning("a warning is still shown")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "Creating layout" not in done.stderr
    assert "a warning is still shown" in done.stderr
