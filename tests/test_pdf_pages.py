"""Page numbers written in by the renderer, the rendered-PDF cache, and {numref} without re-reading.

Real builds of the ``print`` fixture (three chapters); PDFs read back with pypdf. How many times
WeasyPrint laid a document out is reported per file by the build (``PdfResult.layouts``; 0 means
the PDF came from the cache).
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from sphinx.environment import BuildEnvironment

from guidetools.build import run_sphinx
from guidetools.pdf import SLUG
from guidetools.pdf.pagerefs import UNKNOWN, PageMap, referenced_anchors, with_page_numbers
from guidetools.pdf.render import build_pdf, pdf_dir, render_state_paths
from guidetools.project import Project
from tests.conftest import copy_project

EPOCH = "1767225600"
GUIDE = f"{SLUG}-unversioned-en.pdf"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Project:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return copy_project("print", tmp_path)


def build_en(project: Project):
    [result] = build_pdf(project, ["en"], jobs=1)
    assert result.ok, result.problems
    return result


def text_of(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def printed_page_of(path: Path, anchor: str) -> int:
    """The number printed on the page holding ``anchor``: its position from the first chapter's page, plus one."""
    reader = pypdf.PdfReader(path)
    first_body_page = reader.get_destination_page_number(reader.outline[0])
    return reader.get_destination_page_number(reader.named_destinations[anchor]) - first_body_page + 1


def test_an_unchanged_rebuild_lays_nothing_out_and_gives_the_same_bytes(project: Project) -> None:
    first = build_en(project)
    # A first build measures the pages of the references, then prints them: at most two layouts.
    assert 1 <= first.layouts[GUIDE] <= 2
    before = {path: path.read_bytes() for path in pdf_dir(project).rglob("*.pdf")}
    again = build_en(project)
    assert set(again.layouts.values()) == {0}, again.layouts
    assert {path: path.read_bytes() for path in pdf_dir(project).rglob("*.pdf")} == before


def test_an_edited_chapter_is_laid_out_again_and_the_others_come_from_the_cache(project: Project) -> None:
    build_en(project)
    chapter = project.source_dir / "second.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA sentence added by an author.\n", encoding="utf-8")
    result = build_en(project)
    assert result.layouts[GUIDE] == 1  # the numbers of the last build were still right
    assert result.layouts["en/second.pdf"] == 1
    assert result.layouts["en/first.pdf"] == result.layouts["en/glossary.pdf"] == 0
    assert "A sentence added by an author." in text_of(pdf_dir(project) / "en" / "second.pdf")


def test_a_reference_follows_its_target_to_another_page(project: Project) -> None:
    build_en(project)
    guide = pdf_dir(project) / GUIDE
    before = printed_page_of(guide, "second-prisons")
    # Three more pages of text in the first chapter push the second one (and its section) later.
    chapter = project.source_dir / "first.md"
    filler = "\n".join(f"Paragraph {n} of a longer first chapter, written to fill the page. " * 6 for n in range(40))
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n" + filler + "\n", encoding="utf-8")
    result = build_en(project)
    after = printed_page_of(guide, "second-prisons")
    assert after > before
    assert f"as the second chapter (see p. {after}) explains" in text_of(guide)
    # The last build's numbers were wrong for this one: measured, then printed.
    assert result.layouts[GUIDE] == 2
    page_map = PageMap.load(render_state_paths(project, "en")[0])
    assert page_map.documents["guide.html"]["second-prisons"] == str(after)


def test_fresh_builds_forget_the_page_numbers_and_the_cache(project: Project) -> None:
    build_en(project)
    page_map_path, cache_dir = render_state_paths(project, "en")
    assert page_map_path.is_file() and any(cache_dir.glob("*.pdf"))
    [result] = build_pdf(project, ["en"], jobs=1, fresh=True)
    assert result.ok and result.layouts[GUIDE] >= 1 and all(n >= 1 for n in result.layouts.values())


def test_a_damaged_page_map_is_measured_again(project: Project) -> None:
    build_en(project)
    page_map_path, cache_dir = render_state_paths(project, "en")
    page_map_path.write_text("{not json", encoding="utf-8")
    for entry in cache_dir.glob("*.pdf"):
        entry.write_bytes(b"")  # and a damaged cache: an empty PDF is not served
    result = build_en(project)
    assert "as the second chapter (see p." in text_of(pdf_dir(project) / GUIDE)
    assert all(n >= 1 for n in result.layouts.values())
    assert PageMap.load(page_map_path).documents["guide.html"]


def test_page_numbers_are_written_into_page_references_only() -> None:
    html = (
        '<p><a class="reference internal xref-page" href="#target-one">one</a> '
        '<a class="reference internal" href="#glossary-term">term</a> '
        '<a class="toc-link" href="#chapter" data-page="7">chapter</a> '
        '<a class="reference external" href="https://example.org/">web</a></p>'
    )
    assert referenced_anchors(html) == ["target-one", "chapter"]
    numbered = with_page_numbers(html, {"target-one": "12"})
    assert 'href="#target-one" data-page="12">one</a>' in numbered
    assert f'href="#chapter" data-page="{UNKNOWN}">chapter</a>' in numbered  # the stale 7 is gone
    assert '<a class="reference internal" href="#glossary-term">term</a>' in numbered
    assert '<a class="reference external" href="https://example.org/">web</a>' in numbered


def print_fixture_with(folder: Path, chapter: str, addition: str) -> Project:
    """A copy of the ``print`` fixture with ``addition`` at the end of ``chapter``."""
    project = copy_project("print", folder)
    path = project.source_dir / f"{chapter}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + addition, encoding="utf-8")
    return project


# {numref} ------------------------------------------------------------------------------------------


def html_pages(outdir: Path) -> dict[Path, bytes]:
    return {
        path.relative_to(outdir): path.read_bytes()
        for path in sorted(outdir.rglob("*.html"))
        if "_static" not in path.parts
    }


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """The pages read back from their pickles (``BuildEnvironment.get_doctree``), in order."""
    read: list[str] = []
    read_from_pickle = BuildEnvironment.get_doctree

    def counting(env, docname):
        read.append(docname)
        return read_from_pickle(env, docname)

    monkeypatch.setattr(BuildEnvironment, "get_doctree", counting)
    return read


def test_numref_and_figure_numbers_read_each_page_once_and_write_the_same_html(tmp_path: Path, loads) -> None:
    outputs = {}
    for memo in (True, False):
        numrefs = "See {numref}`fig-box`, {numref}`fig-box` and {numref}`fig-box` again.\n"
        project = print_fixture_with(tmp_path / str(memo), "second", numrefs)
        loads.clear()
        result = run_sphinx(project, "en", "html", overrides={"guide_doctree_memo": memo})
        assert result.ok, result.problems
        outputs[memo] = html_pages(result.outdir)
        outputs[memo, "first loads"] = loads.count("first")
        outputs[memo, "loads"] = len(loads)
    assert outputs[True] == outputs[False]
    assert b"Fig. 1" in outputs[True][Path("second.html")]
    # Sphinx: the first chapter read back to number the figures, then once for each of the four
    # numrefs to its figure. Here: figures numbered from the pages in memory, one read for the numrefs.
    assert outputs[False, "first loads"] >= 5
    assert outputs[True, "first loads"] <= 1
    assert outputs[True, "loads"] < outputs[False, "loads"]


SECOND_CHAPTER_NUMBERED = """
:::{figure} figures/box.svg
:name: fig-second

The same box, in a prison.
:::

:::{table} Services inside and outside
:name: table-services

| Inside | Outside |
| --- | --- |
| Rare | Common |
:::

```{code-block} text
:caption: What a kit holds
:name: code-kit

naloxone, two syringes
```

See {numref}`fig-second`, {numref}`table-services` and {numref}`code-kit`.
"""

FIRST_CHAPTER_NEW_FIGURE = """:::{figure} figures/box.svg
:name: fig-new

A new box, before the first one.
:::

:::{table} Services and their cost
:name: table-cost

| Service | Cost |
| --- | --- |
| Naloxone | Low |
:::

:::{figure} figures/box.svg
:name: fig-box"""


@pytest.mark.parametrize(
    ("numbered", "expected_in_first", "expected_in_second"),
    [
        # Numbered across the guide: the second chapter's figure becomes the third, its table the second.
        (False, ["Fig. 1", "Fig. 2", "Table 1"], ["Fig. 3", "Table 2", "Listing 1"]),
        # Chapters numbered (``:numbered:``): figures are numbered per chapter, 1.1, 1.2 … 2.1.
        (True, ["Fig. 1.1", "Fig. 1.2", "Table 1.1"], ["Fig. 2.1", "Table 2.1", "Listing 2.1"]),
    ],
)
def test_figures_numbered_from_outlines_as_sphinx_numbers_them_after_an_edit(
    tmp_path: Path, loads, numbered: bool, expected_in_first: list[str], expected_in_second: list[str]
) -> None:
    """A figure added to the first chapter renumbers the guide's figures; unchanged pages are not read again."""
    outputs = {}
    for memo in (True, False):
        project = print_fixture_with(tmp_path / str(memo), "second", SECOND_CHAPTER_NUMBERED)
        if numbered:
            index = project.source_dir / "index.md"
            index.write_text(
                index.read_text(encoding="utf-8").replace("{toctree}\n", "{toctree}\n:numbered:\n"), encoding="utf-8"
            )
        cold = run_sphinx(project, "en", "html", overrides={"guide_doctree_memo": memo})
        assert cold.ok, cold.problems
        assert ("Fig. 2.1" if numbered else "Fig. 2") in (cold.outdir / "second.html").read_text(encoding="utf-8")
        first = project.source_dir / "first.md"
        first.write_text(
            first.read_text(encoding="utf-8").replace(
                ":::{figure} figures/box.svg\n:name: fig-box", FIRST_CHAPTER_NEW_FIGURE
            ),
            encoding="utf-8",
        )
        loads.clear()
        edited = run_sphinx(project, "en", "html", overrides={"guide_doctree_memo": memo})
        assert edited.ok, edited.problems
        outputs[memo] = html_pages(edited.outdir)
        outputs[memo, "loads"] = len(loads)
    assert outputs[True] == outputs[False]
    first, second = (outputs[True][Path(f"{name}.html")].decode() for name in ("first", "second"))
    assert all(number in first for number in expected_in_first)
    assert all(number in second for number in expected_in_second)
    if not numbered:
        assert "Fig. 2<" not in second and "Table 1<" not in second
    # Sphinx read the unchanged pages back to number the figures; the outlines did not need them.
    assert outputs[True, "loads"] < outputs[False, "loads"]


def test_chapters_lent_to_the_translator_give_the_same_print_html_as_copies(tmp_path: Path, monkeypatch) -> None:
    """The print builder renders each chapter's own node, once, instead of a copy for each rendering."""
    from docutils.utils import new_document

    from guidetools.pdf.builder import PrintBuilder

    def render_a_copy(builder, chapter, renamed):  # how the builder did it before
        document = new_document(chapter.docname, builder.docsettings)
        document.append(chapter.node.deepcopy())
        return builder._translate(document, chapter.docname, renamed)

    outputs = {}
    for lent in (True, False):
        # Sphinx's translator inserts the title of a warning into the node as it writes it.
        warning = ":::{warning}\nCheck the expiry date on every kit.\n:::\n"
        project = print_fixture_with(tmp_path / str(lent), "first", warning)
        if not lent:
            monkeypatch.setattr(PrintBuilder, "_render_chapter", render_a_copy)
        result = run_sphinx(project, "en", "guideprint")
        assert result.ok, result.problems
        outputs[lent] = {path.name: path.read_text(encoding="utf-8") for path in sorted(result.outdir.glob("*.html"))}
    assert outputs[True] == outputs[False]
    for name in ("guide.html", "guide--first.html", "chapter--first.html"):
        assert outputs[True][name].count('<p class="admonition-title">Warning</p>') == 1, name


def test_chapters_rendered_by_a_helper_process_are_the_same_bytes(tmp_path: Path, monkeypatch) -> None:
    """One language on two cores: the chapters go to a helper process while the guide renders."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    alone, helped = copy_project("print", tmp_path / "alone"), copy_project("print", tmp_path / "helped")
    [one] = build_pdf(alone, ["ar"], jobs=1)
    [two] = build_pdf(helped, ["ar"], jobs=2)
    assert one.ok and two.ok, two.problems
    assert list(one.pages) == list(two.pages)  # same files, in the same order
    for name in one.pages:
        assert (pdf_dir(helped) / name).read_bytes() == (pdf_dir(alone) / name).read_bytes(), name
    # The helper's cache entries count as used: a rebuild with a helper lays nothing out.
    [again] = build_pdf(helped, ["ar"], jobs=2)
    assert set(again.layouts.values()) == {0}, again.layouts


def test_remembered_page_references_write_the_same_tagged_pdf() -> None:
    """pydyf's page references, remembered per PDF (pdf/page_references.py): same bytes, built once."""
    import pydyf
    from weasyprint import HTML

    from guidetools.pdf import page_references

    sections = "".join(
        f'<section><h1 id="s{index}">Part {index}</h1><p>See <a href="#s{(index + 3) % 6}">part</a>.</p></section>'
        for index in range(6)
    )
    style = "<style>section { break-after: page }</style>"
    html = f'<html lang="en"><head><title>T</title>{style}</head><body>{sections}</body></html>'
    document = HTML(string=html).render()  # everything is in the string: nothing is fetched
    built = []  # one item each time pydyf's own property builds the tuple
    page_references.uninstall()
    stock_property = pydyf.PDF.page_references
    pydyf.PDF.page_references = property(lambda pdf: built.append(1) or stock_property.fget(pdf))
    try:
        stock = document.write_pdf(pdf_variant="pdf/ua-1")
        built_by_stock = len(built)
        page_references.install()  # wraps the counting property
        remembered = document.write_pdf(pdf_variant="pdf/ua-1")
    finally:
        page_references.uninstall()
        pydyf.PDF.page_references = stock_property
    assert remembered == stock
    assert built_by_stock > 12  # a tuple of every page for every tagged item
    assert len(built) - built_by_stock == 1  # the pages were all added before tagging began
    reader = pypdf.PdfReader(io.BytesIO(remembered))
    assert len(reader.pages) == 6 and "/StructTreeRoot" in reader.trailer["/Root"]
