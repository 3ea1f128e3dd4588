"""Print editions: real Sphinx builds rendered by WeasyPrint, read back with pypdf.

The fixture ``tests/sourcedirs/print`` is a three-chapter guide in English, Russian (Cyrillic,
partly translated) and Arabic (right-to-left, partly translated) with footnotes (one called
twice), an external link, cross-references across chapters, a figure, a table, a glossary and a
key-recommendations box. It is rendered once per test module; tests that break something work on
their own copy.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from pathlib import Path

import pypdf
import pytest

from guidetools.build import build_editions, staging_dir
from guidetools.pdf import SLUG
from guidetools.pdf.fetcher import FetchRefused, SandboxedFetcher
from guidetools.pdf.fonts import FONT_CSS, is_drawn, read_font_faces
from guidetools.pdf.render import PdfResult, build_pdf, pdf_dir
from guidetools.project import Project
from tests.conftest import REPO, copy_project

EPOCH = 1767225600  # 2026-01-01T00:00:00Z
LANGS = ["en", "ru", "ar"]
CHAPTERS = ["first", "second", "glossary"]
FACES = read_font_faces(REPO / "_templates" / "print" / "fonts" / FONT_CSS)


def whole_guide(project: Project, lang: str) -> Path:
    return pdf_dir(project) / f"{SLUG}-unversioned-{lang}.pdf"


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Project, dict[str, PdfResult]]:
    """The fixture guide's print editions in every language, built once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        project = copy_project("print", tmp_path_factory.mktemp("printed"))
        results = build_pdf(project, LANGS, jobs=1)
    return project, {result.lang: result for result in results}


@pytest.fixture
def print_project(tmp_path: Path, monkeypatch) -> Project:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    return copy_project("print", tmp_path)


def read(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(path)


def text_of(reader: pypdf.PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def outline(reader: pypdf.PdfReader, items=None) -> list[tuple[str, list]]:
    """The bookmarks as (title, children) pairs."""
    items = reader.outline if items is None else items
    tree: list[tuple[str, list]] = []
    for item in items:
        if isinstance(item, list):
            title, _ = tree[-1]
            tree[-1] = (title, outline(reader, item))
        else:
            tree.append((item.title, []))
    return tree


def characters_by_font(reader: pypdf.PdfReader) -> dict[str, set[str]]:
    """The characters drawn with each font, by the font's family name in the PDF."""
    found: dict[str, set[str]] = {}

    def visit(text, cm, tm, font, size):
        if font is not None and text:
            family = str(font["/DescendantFonts"][0].get_object()["/FontDescriptor"]["/FontFamily"])
            found.setdefault(family, set()).update(text)

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return found


def uncovered(reader: pypdf.PdfReader) -> list[str]:
    """Characters drawn with a font that has no glyph for them (or with a font not bundled)."""
    problems = []
    for family, characters in characters_by_font(reader).items():
        faces = [face for face in FACES if face.family == family]
        if not faces:
            problems.append(f"{family} is not a bundled font")
        for c in sorted(characters):
            # Spaces are left out: pypdf inserts them between words in the font of the run.
            if is_drawn(c) and not c.isspace() and not any(face.covers(ord(c)) for face in faces):
                problems.append(f"{family} does not cover U+{ord(c):04X} {unicodedata.name(c, '?')}")
    return problems


def fonts(reader: pypdf.PdfReader) -> dict[str, pypdf.generic.DictionaryObject]:
    found = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            found[str(font["/BaseFont"])] = font
    return found


# Files, pages, outline --------------------------------------------------------------------------


def test_every_language_gets_a_whole_guide_and_one_pdf_per_chapter(printed) -> None:
    project, results = printed
    for lang in LANGS:
        result = results[lang]
        assert result.ok and result.published, [str(p) for p in result.problems]
        assert whole_guide(project, lang).is_file()
        for chapter in CHAPTERS:
            assert (pdf_dir(project) / lang / f"{chapter}.pdf").is_file()
        # Cover, colophon, contents, a blank verso, then three chapters opening on recto pages.
        assert 8 <= len(read(whole_guide(project, lang)).pages) <= 12
        for chapter in CHAPTERS:
            assert 1 <= len(read(pdf_dir(project) / lang / f"{chapter}.pdf").pages) <= 3
        # A copy for the web edition's download links.
        downloads = staging_dir(project, "html", lang) / "_downloads" / "pdf"
        assert (downloads / whole_guide(project, lang).name).read_bytes() == whole_guide(project, lang).read_bytes()
        assert sorted(p.name for p in (downloads / "chapters").iterdir()) == sorted(f"{c}.pdf" for c in CHAPTERS)


def test_bookmarks_are_the_chapter_tree(printed) -> None:
    project, _ = printed
    assert outline(read(whole_guide(project, "en"))) == [
        ("Harm reduction services", [("Naloxone", []), ("Services", [])]),
        ("Prisons and health", [("Health care in prisons", [])]),
        ("Glossary", []),
    ]
    assert outline(read(whole_guide(project, "ru")))[0] == ("Услуги снижения вреда", [("Налоксон", []), ("Услуги", [])])
    alone = read(pdf_dir(project) / "en" / "second.pdf")
    assert outline(alone) == [("Prisons and health", [("Health care in prisons", [])])]
    # A chapter on its own opens on its first page, under the line naming the guide and edition.
    assert alone.get_destination_page_number(alone.outline[0]) == 0
    first_page = " ".join(alone.pages[0].extract_text().split())
    assert first_page.startswith("Tiny Print Guide · Edition unversioned") and "Prisons and health" in first_page
    assert page_number_position(alone.pages[0])[0] == 1


def test_the_text_of_each_language_is_there_and_untranslated_text_is_the_source(printed) -> None:
    project, _ = printed
    en = text_of(read(whole_guide(project, "en")))
    ru = text_of(read(whole_guide(project, "ru")))
    ar = text_of(read(whole_guide(project, "ar")))
    assert "Naloxone reverses an opioid overdose" in en
    assert "Налоксон за несколько минут устраняет передозировку опиоидов" in ru
    # Arabic is extracted in visual order; look for words rather than a phrase.
    for word in ("النالوكسون", "الأفيونية", "الضرر"):
        assert word in ar
    # Not translated: printed in English, and the colophon says how much is translated.
    assert "People in prison keep their right to health" in ru
    assert re.search(r"Translation: \d+ % of the text is translated into русский", ru)
    assert "Translation:" not in en


def test_cover_and_colophon_carry_title_edition_date_and_licence(printed) -> None:
    project, _ = printed
    ru = read(whole_guide(project, "ru"))
    cover = " ".join(ru.pages[0].extract_text().split())
    assert "Маленькое руководство для печати" in cover
    assert "1 января 2026 г." in cover  # noqa: RUF001 (Babel, from SOURCE_DATE_EPOCH)
    assert "Русский" in cover
    colophon = " ".join(ru.pages[1].extract_text().split())
    assert "CC BY 4.0" in colophon and "creativecommons.org/licenses/by/4.0" in colophon.replace(" ", "")
    assert "not under version control" in colophon  # the fixture is not a git checkout
    contents = " ".join(ru.pages[2].extract_text().split())
    assert contents.startswith("Содержание")  # from the fixture's ui.po
    assert re.search(r"Услуги снижения вреда \.{5,} ?1", contents)


# Fonts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_only_bundled_fonts_are_embedded_and_they_cover_every_character(printed, lang) -> None:
    project, _ = printed
    families = {face.family for face in FACES}
    for path in [whole_guide(project, lang), *(pdf_dir(project) / lang / f"{c}.pdf" for c in CHAPTERS)]:
        reader = read(path)
        for name, font in fonts(reader).items():
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, f"{path.name}: {name} is not embedded"
            assert str(descriptor["/FontFamily"]) in families, f"{path.name}: {name} is not a bundled font"
            # WeasyPrint replaces a missing glyph by .notdef through a custom CMap; it must never need one.
            assert font["/Encoding"] == "/Identity-H", f"{path.name}: {name} has missing glyphs"
        assert not uncovered(reader), path.name


def test_a_character_no_bundled_font_covers_fails_the_build_before_rendering(print_project: Project) -> None:
    chapter = print_project.source_dir / "second.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA snowman ☃ is not in Noto Serif.\n", encoding="utf-8")
    [result] = build_pdf(print_project, ["en"], jobs=1)
    assert not result.ok and not result.published
    [problem] = result.problems
    assert "U+2603 SNOWMAN" in problem.message and "'second'" in problem.message
    # Located where an author can fix it.
    snowman_line = chapter.read_text(encoding="utf-8").splitlines().index("A snowman ☃ is not in Noto Serif.") + 1
    assert (problem.file, problem.line) == ("guide/second.md", snowman_line)
    assert not pdf_dir(print_project).exists()


# Metadata, tagging, links -------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "title"), [("en", "Tiny Print Guide"), ("ar", "دليل صغير للطباعة")])
def test_metadata_language_and_tags(printed, lang, title) -> None:
    project, _ = printed
    reader = read(whole_guide(project, lang))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == lang
    assert reader.metadata.title == title
    assert reader.metadata.author == "The Tiny Guide's authors"
    assert reader.metadata["/CreationDate"] == reader.metadata["/ModDate"] == "D:20260101000000Z"
    assert "Harm reduction services" in reader.metadata["/Keywords"] or lang == "ar"
    # Tagged for screen readers (PDF/UA-1): structure tree, marked content, title shown.
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    chapter = read(pdf_dir(project) / lang / "first.pdf")
    assert chapter.trailer["/Root"]["/Lang"] == lang
    assert chapter.metadata.title.endswith(title)


def page_number_position(page: pypdf.PageObject) -> tuple[int, float]:
    """The number printed in the page's bottom margin, and its horizontal position."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip().isdigit():
            found.append((cm[5] + tm[5] * cm[3], int(text.strip()), cm[4] + tm[4] * cm[0]))

    page.extract_text(visitor_text=visit)
    _, number, x = min(found)  # the lowest on the page
    return number, x


def internal_links(reader: pypdf.PdfReader) -> list[tuple[int, str]]:
    links = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation["/Subtype"] == "/Link" and "/Dest" in annotation:
                links.append((number, str(annotation["/Dest"])))
    return links


@pytest.mark.parametrize("lang", LANGS)
def test_every_internal_link_resolves(printed, lang) -> None:
    project, _ = printed
    for path in [whole_guide(project, lang), *(pdf_dir(project) / lang / f"{c}.pdf" for c in CHAPTERS)]:
        reader = read(path)
        destinations = reader.named_destinations
        for _, name in internal_links(reader):
            assert name in destinations, f"{path.name}: link to #{name} points nowhere"
    whole = read(whole_guide(project, lang))
    targets = {name for _, name in internal_links(whole)}
    # Contents, a cross-reference to another chapter, a glossary term.
    assert {"first", "second-prisons", "term-naloxone"} <= targets
    # On its own, a chapter cannot link to the others: those references are plain text.
    assert "second-prisons" not in {name for _, name in internal_links(read(pdf_dir(project) / lang / "first.pdf"))}


def test_cross_references_show_the_page_of_their_target(printed) -> None:
    project, _ = printed
    reader = read(whole_guide(project, "en"))
    first_body_page = reader.get_destination_page_number(reader.outline[0])
    target_page = reader.get_destination_page_number(reader.named_destinations["second-prisons"])
    printed_number = target_page - first_body_page + 1
    assert f"as the second chapter (see p. {printed_number}) explains" in text_of(reader)
    assert page_number_position(reader.pages[target_page])[0] == printed_number  # as printed on that page
    ru = text_of(read(whole_guide(project, "ru")))
    assert f"второй главе (см. с. {printed_number})" in ru  # noqa: RUF001


def test_external_links_stay_clickable_and_their_url_is_printed(printed) -> None:
    project, _ = printed
    reader = read(whole_guide(project, "en"))
    uris = {
        str(a.get_object()["/A"]["/URI"])
        for page in reader.pages
        for a in page.get("/Annots") or []
        if "/A" in a.get_object() and "/URI" in a.get_object()["/A"]
    }
    assert "https://www.who.int/" in uris
    assert "www.who.int" in text_of(reader)


def test_footnotes_are_at_the_bottom_of_the_page_that_calls_them(printed) -> None:
    project, _ = printed
    for lang in LANGS:
        reader = read(whole_guide(project, lang))
        pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
        # Both notes are called on the first page of their chapter.
        chapters = [item for item in reader.outline if not isinstance(item, list)]
        first, second = (reader.get_destination_page_number(item) for item in chapters[:2])
        assert "Community management of opioid overdose" in pages[first], lang
        assert "Nelson Mandela Rules" in pages[second], lang
        # The first note is called twice and printed once.
        assert sum(text.count("Community management of opioid overdose") for text in pages) == 1


def test_right_to_left_edition_mirrors_page_numbers(printed) -> None:
    """Chapters open on recto pages: the right-hand page in English, the left-hand one in Arabic."""
    project, _ = printed
    for lang, side in (("en", "right"), ("ar", "left")):
        reader = read(whole_guide(project, lang))
        page = reader.pages[reader.get_destination_page_number(reader.outline[0])]
        number, x = page_number_position(page)
        assert number == 1
        assert (x > float(page.mediabox.width) / 2) == (side == "right"), (lang, x)


# Reproducibility, atomicity, sandbox ---------------------------------------------------------------


def test_a_rebuild_gives_identical_bytes(printed, tmp_path: Path, monkeypatch) -> None:
    project, _ = printed
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    again = copy_project("print", tmp_path)
    [result] = build_pdf(again, ["ar"], jobs=1)
    assert result.ok
    for name in [whole_guide(project, "ar").name, *(f"ar/{c}.pdf" for c in CHAPTERS)]:
        assert (pdf_dir(again) / name).read_bytes() == (pdf_dir(project) / name).read_bytes(), name


def test_a_failed_render_keeps_the_previous_pdfs(print_project: Project) -> None:
    [first] = build_pdf(print_project, ["en"], jobs=1)
    assert first.ok
    before = {path: path.read_bytes() for path in pdf_dir(print_project).rglob("*.pdf")}
    chapter = print_project.source_dir / "first.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + "\n![remote](https://example.org/tracker.png)\n", encoding="utf-8"
    )
    [failed] = build_pdf(print_project, ["en"], jobs=1)
    assert not failed.ok and not failed.published
    assert any("https://example.org/tracker.png" in problem.message for problem in failed.problems)
    after = {path: path.read_bytes() for path in pdf_dir(print_project).rglob("*.pdf")}
    assert after == before
    assert not [p for p in pdf_dir(print_project).rglob("*") if p.name.endswith(".tmp")]


def test_the_fetcher_serves_only_the_build_tree_and_data_urls(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "_images").mkdir(parents=True)
    (tree / "_images" / "box.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("not for the PDF", encoding="utf-8")
    (tree / "_images" / "link.txt").symlink_to(outside)
    fetcher = SandboxedFetcher(tree)
    assert fetcher.fetch((tree / "_images" / "box.svg").as_uri()).read().startswith(b"<svg")
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in (
        "http://example.org/x.png",
        "https://example.org/x.png",
        outside.as_uri(),
        (tree / "_images" / "link.txt").as_uri(),  # a link inside the tree to a file outside it
        f"file://{tree}/../secret.txt",
        "ftp://example.org/x.png",
    ):
        with pytest.raises(FetchRefused, match="refused"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6


def test_a_file_outside_the_build_tree_fails_the_build(print_project: Project, tmp_path: Path) -> None:
    secret = tmp_path / "secret.svg"
    secret.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    # Raw HTML is inert in the guide's sources (myst_disable_syntax), so a file: URL can only come
    # through the print templates: here a stylesheet pointing outside the tree.
    css = print_project.templates_dir / "print" / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + f'\n.cover {{ background: url("{secret.as_uri()}"); }}\n')
    [result] = build_pdf(print_project, ["en"], jobs=1)
    assert not result.ok
    assert any(secret.as_uri() in problem.message for problem in result.problems)
    assert not pdf_dir(print_project).exists()


# The web edition links to the PDFs ------------------------------------------------------------------


def test_html_pages_link_to_the_pdfs_of_their_language(print_project: Project) -> None:
    results = build_editions(print_project, ["en"], jobs=1)
    assert [(r.lang, r.builder) for r in results] == [("en", "pdf"), ("en", "html")]
    assert all(r.ok for r in results), [str(p) for r in results for p in r.problems]
    site = print_project.html_dir("en")
    page = (site / "second.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(_downloads/pdf/[^"]+\.pdf)"', page)
    assert f"_downloads/pdf/{SLUG}-unversioned-en.pdf" in links
    assert "_downloads/pdf/chapters/second.pdf" in links
    for link in links:
        assert (site / link).is_file()
    assert "_downloads/pdf/chapters/second.pdf" not in (site / "first.html").read_text(encoding="utf-8")


def test_each_language_builds_its_pdfs_then_its_website_in_one_worker(print_project: Project) -> None:
    """Two languages on two cores: one worker per language, its HTML linking to its own new PDFs."""
    events: list[tuple[str, str, int]] = []
    results = build_editions(print_project, ["en", "ar"], jobs=2, progress=lambda *event: events.append(event))
    assert [(r.lang, r.builder) for r in results] == [("en", "pdf"), ("ar", "pdf"), ("en", "html"), ("ar", "html")]
    assert all(r.ok for r in results), [str(p) for r in results for p in r.problems]
    for lang in ("en", "ar"):
        site = print_project.html_dir(lang)
        links = re.findall(r'href="(_downloads/pdf/[^"]+\.pdf)"', (site / "second.html").read_text(encoding="utf-8"))
        assert f"_downloads/pdf/{SLUG}-unversioned-{lang}.pdf" in links
        assert (site / "_downloads/pdf/chapters/second.pdf").read_bytes() == (
            pdf_dir(print_project) / lang / "second.pdf"
        ).read_bytes()
        # Progress is reported per edition, the PDF's before the website's.
        phases = [phase for event_lang, phase, _ in events if event_lang == lang]
        editions = [phase.partition(": ")[0] for phase in phases]
        assert editions == sorted(editions, key=["pdf", "html"].index) and set(editions) == {"pdf", "html"}, phases


# The real guide ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_real_guide_prints_in_every_language(real_project: Project, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    root = tmp_path / "guide"
    shutil.copytree(real_project.root, root, ignore=shutil.ignore_patterns("_build", ".git", ".nox", "dist"))
    project = Project(root)
    langs = project.registry.codes
    results = build_pdf(project, langs, jobs=min(2, os.cpu_count() or 1))
    for result in results:
        assert result.ok, [str(p) for p in result.problems]
        whole = read(whole_guide(project, result.lang))
        assert len(whole.pages) >= 30
        assert whole.trailer["/Root"]["/Lang"] == result.lang
        tree = outline(whole)
        assert len(tree) == len(list((pdf_dir(project) / result.lang).glob("*.pdf")))
        assert sum(1 for _, sections in tree if sections) >= len(tree) // 2
        for name, font in fonts(whole).items():
            assert font["/Encoding"] == "/Identity-H", f"{result.lang}: {name} has missing glyphs"
        assert not uncovered(whole), result.lang
        destinations = whole.named_destinations
        assert all(name in destinations for _, name in internal_links(whole))
