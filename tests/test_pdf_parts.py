"""The whole guide laid out in parts and joined (pdf/parts.py) is the guide laid out in one piece.

The ``print`` fixture is built for real (``build_pdf``); its ``guide.html`` is then laid out in
one piece by WeasyPrint with the same page numbers, and both PDFs are read back with pypdf and
compared as a reader and a screen reader would meet them: pages drawn pixel for pixel (Poppler's
``pdftoppm``), text, bookmarks, where links and named destinations lead, and the structure tree
(PDF/UA tags) in reading order.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pypdf
import pytest

from guidetools.build import staging_dir
from guidetools.pdf import SLUG, parts
from guidetools.pdf.pagerefs import PageMap, with_page_numbers
from guidetools.pdf.render import BUILDER, GUIDE_MAP_KEY, PDF_VARIANT, _Renderer, build_pdf, pdf_dir, render_state_paths
from guidetools.project import Project
from tests.conftest import copy_project

EPOCH = "1767225600"


def one_piece(project: Project, lang: str) -> bytes:
    """``guide.html`` laid out as one document, with the numbers the build printed."""
    staged = staging_dir(project, BUILDER, lang)
    numbers = PageMap.load(render_state_paths(project, lang)[0]).documents[GUIDE_MAP_KEY]
    text = with_page_numbers((staged / "guide.html").read_text(encoding="utf-8"), numbers)
    renderer = _Renderer(staged, PDF_VARIANT, cache=None)
    try:
        return renderer.measured(renderer.render(text, staged / "guide.html"), write=True).data
    finally:
        renderer.close()


# A bracket in right-to-left text is drawn with its mirror glyph, and WeasyPrint maps each glyph
# back to the character it first drew in the file: so "(" may read back as ")" in one PDF and
# not in another, for the same drawing. Brackets are left out of the comparison.
_BRACKETS = str.maketrans("", "", "()[]")


def page_texts(reader: pypdf.PdfReader) -> list[str]:
    return [" ".join((page.extract_text() or "").translate(_BRACKETS).split()) for page in reader.pages]


def outline(reader: pypdf.PdfReader, items=None, depth: int = 0) -> list[tuple[int, str, int]]:
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += outline(reader, item, depth + 1)
        else:
            found.append((depth, item.title, reader.get_destination_page_number(item)))
    return found


def destinations(reader: pypdf.PdfReader) -> dict[str, int]:
    return {name: reader.get_destination_page_number(dest) for name, dest in reader.named_destinations.items()}


def links(reader: pypdf.PdfReader) -> list[tuple[int, str]]:
    """Each link annotation: its page, and where it leads (a page index, or its URI)."""
    named = destinations(reader)
    found = []
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annotation:
                found.append((index, f"page {named[str(annotation['/Dest'])]}"))
            else:
                found.append((index, str(annotation["/A"]["/URI"])))
    return found


def drawn_pages(data: bytes, folder: Path) -> list[bytes]:
    """Each page as Poppler draws it (greyscale, 40 dpi): what a reader sees, glyphs and positions."""
    (folder / "in.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(folder / "in.pdf"), str(folder / "page")], check=True)
    return [path.read_bytes() for path in sorted(folder.glob("page-*.pgm"))]


def structure(data: bytes) -> list[tuple[str, tuple[int, ...]]]:
    """The structure tree in reading order: each element's type and the pages of its marked content."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        # Which element each marked-content item belongs to, through the parent tree, page by page.
        parent_tree = pdf.Root.StructTreeRoot.ParentTree.Nums
        owners = {int(parent_tree[i]): parent_tree[i + 1] for i in range(0, len(parent_tree), 2)}
        for index, page in enumerate(pdf.pages):
            if "/StructParents" not in page.obj:  # an empty page before a chapter (its text is compared)
                continue
            for mcid, element in enumerate(owners[int(page.obj.StructParents)]):
                assert pages[element.Pg.objgen] == index, (index, mcid)  # the item's element is on its page
        found = []

        def walk(element) -> None:
            kids = element.get("/K")
            kids = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
            on = tuple(sorted({pages[element.Pg.objgen]} if "/Pg" in element else ()))
            found.append((str(element.S), on))
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    walk(kid)

        for top in pdf.Root.StructTreeRoot.K:
            walk(top)
        return found


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_joined_guide_is_the_guide_laid_out_in_one_piece(tmp_path: Path, monkeypatch, lang: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = copy_project("print", tmp_path)
    [result] = build_pdf(project, [lang], jobs=1)
    assert result.ok, result.problems
    joined_data = (pdf_dir(project) / f"{SLUG}-unversioned-{lang}.pdf").read_bytes()
    whole_data = one_piece(project, lang)
    joined, whole = pypdf.PdfReader(io.BytesIO(joined_data)), pypdf.PdfReader(io.BytesIO(whole_data))

    assert len(joined.pages) == len(whole.pages) >= 6
    assert page_texts(joined) == page_texts(whole)
    assert outline(joined) == outline(whole)
    assert destinations(joined) == destinations(whole)
    assert sorted(links(joined)) == sorted(links(whole))
    assert any(target.startswith("page") for _, target in links(joined))
    assert not any(parts.PART_LINK in target for _, target in links(joined))
    assert structure(joined_data) == structure(whole_data)
    for folder in ("joined", "whole"):
        (tmp_path / folder).mkdir()
    drawn = drawn_pages(joined_data, tmp_path / "joined")
    assert len(drawn) == len(joined.pages) and drawn == drawn_pages(whole_data, tmp_path / "whole")
    # Each face is subset once for the whole guide, not once per part (parts.merge_font_subsets).
    assert len(joined_data) <= 1.1 * len(whole_data), (len(joined_data), len(whole_data))
    assert joined.metadata.title == whole.metadata.title
    assert joined.trailer["/Root"]["/Lang"] == whole.trailer["/Root"]["/Lang"] == lang


def test_page_labels_are_the_printed_numbers(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = copy_project("print", tmp_path)
    [result] = build_pdf(project, ["en"], jobs=1)
    assert result.ok, result.problems
    reader = pypdf.PdfReader(pdf_dir(project) / f"{SLUG}-unversioned-en.pdf")
    labels = reader.page_labels
    first_chapter = reader.get_destination_page_number(reader.outline[0])
    assert labels[:3] == ["i", "ii", "iii"]
    assert labels[first_chapter : first_chapter + 2] == ["1", "2"]
    # "see p. N" names the label of the page its target is on.
    target = reader.get_destination_page_number(reader.named_destinations["second-prisons"])
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert f"as the second chapter (see p. {labels[target]}) explains" in text


def part(body: str, head: str = "") -> str:
    return f'<html lang="en"><head><title>Part</title><style>{head}</style></head><body>{body}</body></html>'


def render(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=text).render().write_pdf(pdf_variant=PDF_VARIANT)  # nothing to fetch


def test_links_between_parts_lead_to_their_anchor_in_the_joined_pdf() -> None:
    first_text = part('<h1 id="one">One</h1><p><a href="#two">To two</a> <a href="#one">To one</a></p>')
    second_text = part('<h1 id="two">Two</h1><p><a href="#one">Back to one</a></p>')
    first = parts.part_html(first_text, owned=parts.anchors_in(first_text), start=None, folios={})
    second = parts.part_html(second_text, owned=parts.anchors_in(second_text), start=None, folios={})
    assert f'href="{parts.PART_LINK}two"' in first and 'href="#one"' in first
    joined = pypdf.PdfReader(
        io.BytesIO(parts.join([parts.PartPdf(render(first), False), parts.PartPdf(render(second), True)]))
    )
    # The second part starts on a recto page: an empty page comes between.
    assert len(joined.pages) == 3 and not (joined.pages[1].extract_text() or "").strip()
    assert sorted(links(joined)) == [(0, "page 0"), (0, "page 2"), (2, "page 0")]
    assert [title for _, title, _ in outline(joined)] == ["One", "Two"]
    assert joined.page_labels == ["i", "ii", "1"]


def test_a_link_to_an_anchor_no_part_holds_is_an_error() -> None:
    text = part('<h1 id="one">One</h1><p><a href="#nowhere">Lost</a></p>')
    html = parts.part_html(text, owned=parts.anchors_in(text), start=None, folios={})
    with pytest.raises(parts.JoinError, match="#nowhere"):
        parts.join([parts.PartPdf(render(html), False), parts.PartPdf(render(part("<p>Two</p>")), True)])


def test_a_part_starts_at_the_page_number_it_is_given() -> None:
    css = "@page body:nth(1 of body) { counter-reset: page 1 } @page body { @bottom-right { content: counter(page) } } main { page: body }"
    text = parts.part_html(part("<main><p>Text</p></main>", css), owned=set(), start=41, folios={})
    reader = pypdf.PdfReader(io.BytesIO(render(text)))
    assert reader.pages[0].extract_text().split()[-1] == "41"


def test_chapter_parts_start_on_recto_pages() -> None:
    assert parts.body_starts([12, 13, 1, 2]) == [1, 13, 27, 29]
