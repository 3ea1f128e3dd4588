"""The whole guide laid out in parts and joined into one tagged PDF.

Why this exists
---------------
WeasyPrint keeps every laid-out page of a document in memory until it writes the PDF, and lays
the whole document out again for any change. Measured on the generated 20-chapter guide
(275 pages, one process): laid out as one document, 37 s of layout, 18 s of writing and a
634 MB peak; laid out as 22 parts (front matter, then each chapter) one after the other, the
same CPU time and a 141 MB peak. Parts can also be laid out by several processes at once, and a
chapter edited is one part laid out again, not the whole guide. Joining the 22 PDFs takes 0.7 s.

How the parts make one guide
----------------------------
The print builder writes the guide's front matter and each of its chapters as HTML of their own
(``guide-front.html``, ``guide--<slug>.html``), the same markup as in ``guide.html``. Before
layout, ``part_html`` gives each part:

* its first page number: ``counter-reset: page N`` on its first chapter page, where N follows
  the pages of the parts before it (``body_starts``);
* the page numbers of its references ("see p. 23", the contents), as for any document
  (``pagerefs``);
* its links to anchors in *other* parts, as ``x-guide-part:<anchor>`` URIs: WeasyPrint drops a
  link to an anchor it cannot see (with an error), but keeps any URI.

``join`` then makes one PDF with pikepdf (qpdf):

* pages in order, with an empty page before a part that would start on a verso page, as
  ``break-before: recto`` does within one layout (the empty page counts in the numbering);
* the structure trees (PDF/UA tags) merged: the parts' top-level elements under the first part's
  ``Document`` element, their parent-tree keys (``/StructParents``, ``/StructParent``) moved past
  the keys already used, so that every marked-content item still finds its element;
* the named destinations of all parts in one sorted name tree, the bookmarks in one outline, and
  each ``x-guide-part:`` link turned back into a link to its named destination, as WeasyPrint
  writes links within a document;
* page labels as printed: lower-roman in the front matter, arabic from 1 with the first chapter.

The document's metadata (title, language, XMP) is the first part's, which is the guide's.
``tests/test_pdf_parts.py`` checks the joined guide against the same guide laid out in one
piece: the same pages, text, bookmarks, link targets and tags.
"""

from __future__ import annotations

import html
import io
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote

from guidetools.pdf.pagerefs import with_page_numbers

PART_LINK = "x-guide-part:"
_ID = re.compile(r'\sid="([^"]+)"')
# An internal link's start tag up to its href value (the HTML is our builder's: double quotes).
_INTERNAL_HREF = re.compile(r'(<a\s[^>]*?\bhref=")#([^"]+)"')
_HEAD_END = "</head>"


class JoinError(ValueError):
    """The parts cannot be joined into one guide (a link to no anchor, a PDF not as expected)."""


def anchors_in(text: str) -> set[str]:
    """The ids of an HTML document: the anchors its part will hold in the joined guide."""
    return {html.unescape(value) for value in _ID.findall(text)}


def part_html(text: str, *, owned: set[str], start: int | None, folios: dict[str, str]) -> str:
    """A part's print HTML as laid out: first page number, page numbers written in, links to other parts.

    ``start`` is the number of the part's first chapter page (``None`` for the front matter,
    which is numbered from its cover); ``owned`` are the anchors of this part.
    """
    numbered = with_page_numbers(text, folios)

    def relink(match: re.Match) -> str:
        anchor = html.unescape(match[2])
        if anchor in owned:
            return match[0]
        return f'{match[1]}{PART_LINK}{html.escape(quote(anchor, safe=""), quote=True)}"'

    linked = _INTERNAL_HREF.sub(relink, numbered)
    if start is None:
        return linked
    # Author CSS after the edition's own: it overrides print.css's "counter-reset: page 1".
    style = (
        "<style>@page body:nth(1 of body), body-rtl:nth(1 of body-rtl) "
        f"{{ counter-reset: page {int(start)}; }}</style>\n"
    )
    head, found, rest = linked.partition(_HEAD_END)
    if not found:
        raise JoinError("a part of the print edition has no </head>: it was not written by the guideprint builder")
    return head + style + found + rest


def body_starts(page_counts: Iterable[int]) -> list[int]:
    """The first page number of each chapter part, given the page counts of the chapter parts in order.

    Every chapter begins on a recto page: after a part with an odd number of pages comes an
    empty page, which is numbered too.
    """
    starts, number = [], 1
    for pages in page_counts:
        starts.append(number)
        number += pages + pages % 2
    return starts


@dataclass(frozen=True)
class PartPdf:
    data: bytes
    body: bool  # numbered in arabic from the first chapter (False: the front matter, in roman)


def join(parts: list[PartPdf], *, font_faces: list | None = None) -> bytes:
    """One PDF of the parts, in order (see the module docstring); reproducible bytes.

    ``font_faces`` (``fonts.read_font_faces``): the bundled fonts, from which each face is
    subset once for the whole PDF (``merge_font_subsets``); without them each part keeps its own.
    """
    import pikepdf

    if not parts:
        raise JoinError("no parts to join")
    out = pikepdf.open(io.BytesIO(parts[0].data))
    tags = _Tags.of(out)
    dests = _named_destinations(out, out)
    labels = _PageLabels()
    labels.add(0, body=parts[0].body)
    for part in parts[1:]:
        source = pikepdf.open(io.BytesIO(part.data))
        if len(out.pages) % 2:
            # The part's first page must be a recto one: index 0, 2, 4… of the file.
            out.add_blank_page(page_size=_page_size(out.pages[-1]))
        labels.add(len(out.pages), body=part.body)
        offset = tags.next_key
        if tags.tagged:
            _shift_parent_tree_keys(source, offset)
        with warnings.catch_warnings():
            # pikepdf warns that pages.append() leaves named destinations behind: this module
            # carries them itself (_named_destinations), including those no link in the part uses.
            warnings.filterwarnings("ignore", category=UserWarning, message=".*named destinations.*")
            for page in source.pages:
                out.pages.append(page)
        # Copied after the pages: qpdf maps each foreign object once, so the structure
        # elements, destinations and bookmarks copied now point to the pages just appended.
        if tags.tagged:
            tags.take(out, source)
        for name, entry in _named_destinations(out, source).items():
            dests.setdefault(name, entry)  # ids are unique in the guide; the first would win anyway
        _append_outline(out, source)
    tags.finish(out)
    _relink_parts(out, dests)
    if font_faces:
        merge_font_subsets(out, font_faces)
    if dests:
        out.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=_name_tree(dests)))
    if len(labels.nums) > 2 or parts[0].body is False:
        out.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(labels.nums))
    buffer = io.BytesIO()
    # deterministic_id: the file identifier is a hash of the content, not of the time.
    out.save(
        buffer,
        deterministic_id=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
    )
    return buffer.getvalue()


def _page_size(page) -> tuple[float, float]:
    box = [float(value) for value in page.obj.MediaBox]
    return box[2] - box[0], box[3] - box[1]


class _PageLabels:
    """Page labels as printed: roman for the front matter, arabic from 1 at the first chapter."""

    def __init__(self) -> None:
        self.nums: list = []
        self.body_started = False

    def add(self, index: int, *, body: bool) -> None:
        import pikepdf

        if body and not self.body_started:
            self.nums += [index, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)]
            self.body_started = True
        elif not body and not self.nums:
            self.nums += [index, pikepdf.Dictionary(S=pikepdf.Name.r)]


@dataclass
class _Tags:
    """The joined document's structure tree: its ``Document`` element and parent tree."""

    tagged: bool
    document: object = None
    nums: list | None = None
    next_key: int = 0

    @classmethod
    def of(cls, pdf) -> _Tags:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return cls(tagged=False)
        nums = list(_parent_tree_nums(root))
        keys = [int(key) for key in nums[0::2]]
        return cls(tagged=True, document=_top_element(root), nums=nums, next_key=max(keys, default=-1) + 1)

    def take(self, out, source) -> None:
        """Move the source's tagged content under this document's ``Document`` element."""
        import pikepdf

        root = source.Root.get("/StructTreeRoot")
        if root is None:
            raise JoinError("a part of the guide is not tagged although the first one is")
        copied = out.copy_foreign(root)
        for kid in list(_top_element(copied).K):
            if isinstance(kid, pikepdf.Dictionary):  # an element (an integer would be content: not at the top)
                kid.P = self.document
            self.document.K.append(kid)
        nums = list(_parent_tree_nums(copied))
        self.nums += nums
        keys = [int(key) for key in nums[0::2]]
        self.next_key = max([self.next_key - 1, *keys]) + 1

    def finish(self, out) -> None:
        import pikepdf

        if not self.tagged:
            return
        root = out.Root.StructTreeRoot
        root.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(self.nums)))
        root.ParentTreeNextKey = self.next_key


def _top_element(struct_tree_root):
    """The structure tree's single top-level element (WeasyPrint's ``Document``)."""
    import pikepdf

    kids = struct_tree_root.get("/K")
    if isinstance(kids, pikepdf.Array):
        if len(kids) != 1:
            raise JoinError(f"a part's structure tree has {len(kids)} top-level elements, not one Document")
        kids = kids[0]
    if not isinstance(kids, pikepdf.Dictionary) or "/K" not in kids:
        raise JoinError("a part's structure tree has no Document element")
    if not isinstance(kids.K, pikepdf.Array):
        kids.K = pikepdf.Array([kids.K])
    return kids


def _parent_tree_nums(struct_tree_root):
    tree = struct_tree_root.get("/ParentTree")
    if tree is None:
        return []
    if "/Nums" not in tree:
        raise JoinError("a part's parent tree is not a flat number tree (WeasyPrint writes one)")
    return tree.Nums


def _shift_parent_tree_keys(source, offset: int) -> None:
    """Move a part's parent-tree keys, on its pages, its annotations and in the tree, past ``offset``."""
    for page in source.pages:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    nums = _parent_tree_nums(source.Root.StructTreeRoot)
    for index in range(0, len(nums), 2):
        nums[index] = int(nums[index]) + offset


def _named_destinations(out, source) -> dict[str, tuple[object, object]]:
    """The source's named destinations, as objects of ``out`` (its pages already appended to ``out``)."""
    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    if out is not source:
        names = out.copy_foreign(source.make_indirect(names))
    tree = names.Dests
    if "/Names" not in tree:
        raise JoinError("a part's named destinations are not a flat name tree (WeasyPrint writes one)")
    flat = list(tree.Names)
    # Keyed by the name as text, whatever its encoding in the file; the name object is kept.
    found: dict[str, tuple[object, object]] = {}
    for name, destination in zip(flat[0::2], flat[1::2], strict=True):
        found.setdefault(str(name), (name, destination))
    return found


def _name_tree(dests: dict[str, tuple[object, object]]):
    import pikepdf

    flat = []
    for name, destination in sorted(dests.values(), key=lambda item: bytes(item[0])):  # keys in byte order
        flat += [name, destination]
    return pikepdf.Array(flat)


def _append_outline(out, source) -> None:
    """Add the source's bookmarks after the joined document's (their pages are already appended)."""
    import pikepdf

    outline = source.Root.get("/Outlines")
    if outline is None or "/First" not in outline:
        return
    copied = out.copy_foreign(outline)
    if "/Outlines" not in out.Root:
        out.Root.Outlines = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines, Count=0))
    joined = out.Root.Outlines
    item = copied.First
    while True:
        item.Parent = joined
        if "/Next" not in item:
            break
        item = item.Next
    if "/First" in joined:
        joined.Last.Next = copied.First
        copied.First.Prev = joined.Last
    else:
        joined.First = copied.First
    joined.Last = copied.Last
    joined.Count = int(joined.get("/Count", 0)) + int(copied.get("/Count", 0))


def _relink_parts(out, dests: dict[str, tuple[object, object]]) -> None:
    """Turn each ``x-guide-part:`` link into a link to its named destination, as WeasyPrint writes them."""
    import pikepdf

    missing = []
    for page in out.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            if action is None or action.get("/S") != pikepdf.Name.URI:
                continue
            uri = bytes(action.URI).decode("utf-8", "replace")
            if not uri.startswith(PART_LINK):
                continue
            anchor = unquote(uri[len(PART_LINK) :])
            if anchor not in dests:
                missing.append(anchor)
                continue
            del annotation.A
            annotation.Dest = pikepdf.String(anchor)
            annotation.Contents = pikepdf.String(anchor)
    if missing:
        listed = ", ".join(f"#{anchor}" for anchor in dict.fromkeys(missing))
        raise JoinError(f"the guide links to anchors no part of it holds: {listed}")


# Fonts ----------------------------------------------------------------------------------------

_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
# Tables WeasyPrint leaves out of its subsets (weasyprint/pdf/fonts.py): not needed to draw.
_DROPPED_TABLES = ["BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG "]


def merge_font_subsets(out, faces: list) -> int:
    """One subset of each bundled face for the whole joined PDF, instead of one per part.

    Each part embeds its own subset of every face it uses. The pages draw with ``/Identity-H``:
    their character codes are glyph numbers of the *original* font file. (The subsets cannot be
    merged with one another: WeasyPrint's second subsetting pass renumbers the glyphs a composite
    glyph is made of when they lie beyond the last glyph the part drew.) So each face is subset
    again from its bundled file (``faces``: ``fonts.FontFace`` of ``fonts.css``) with the glyphs
    of all parts, keeping their numbers, with the parts' widths (``/W``) and ``ToUnicode`` maps
    merged, and every page is given that font. A face not found among ``faces``, or not drawn
    with ``/Identity-H`` from TrueType outlines, is left as it is. Returns the fonts merged away.
    """
    groups: dict[str, list] = {}
    for page in out.pages:
        for font in page.obj.get("/Resources", {}).get("/Font", {}).values():
            key = _face_key(font)
            if key is not None and all(font.objgen != other.objgen for other in groups.get(key, [])):
                groups.setdefault(key, []).append(font)
    replaced: dict[tuple[int, int], object] = {}
    for name, fonts in groups.items():
        face = _bundled_face(name, faces)
        if len(fonts) > 1 and face is not None:
            merged = _merge_group(out, fonts, face.path)
            replaced.update({font.objgen: merged for font in fonts if font.objgen != merged.objgen})
    for page in out.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font")
        for key in list(fonts.keys()) if fonts is not None else []:
            if (target := replaced.get(fonts[key].objgen)) is not None:
                fonts[key] = target
    return len(replaced)


def _face_key(font) -> str | None:
    import pikepdf

    if font.get("/Subtype") != pikepdf.Name.Type0 or font.get("/Encoding") != pikepdf.Name("/Identity-H"):
        return None
    descendant = font.DescendantFonts[0]
    descriptor = descendant.get("/FontDescriptor")
    if (
        descendant.get("/Subtype") != pikepdf.Name.CIDFontType2
        or descendant.get("/CIDToGIDMap") != pikepdf.Name.Identity
        or descriptor is None
        or "/FontFile2" not in descriptor
        or "/CIDSet" in descriptor
        or "/ToUnicode" not in font
    ):
        return None
    return _SUBSET_TAG.sub("", str(font.BaseFont)[1:])


def _bundled_face(name: str, faces: list):
    """The ``@font-face`` a PDF font name (``Guide-Sans-Arabic-Bold``: family, then style words) comes from."""
    for face in sorted(faces, key=lambda face: -len(face.family)):
        family = face.family.replace(" ", "-")
        if name != family and not name.startswith(family + "-"):
            continue
        words = set(name[len(family) :].strip("-").split("-")) - {""}
        weight = "700" if "Bold" in words else "400"
        style = "italic" if words & {"Italic", "Oblique"} else "normal"
        if words <= {"Bold", "Italic", "Oblique"} and (face.weight, face.style) == (weight, style):
            return face
    return None


def _merge_group(out, fonts, font_file):
    """Subset ``font_file`` for the glyphs of all ``fonts`` into the first of them, and return it."""
    import pikepdf
    from fontTools import subset
    from fontTools.ttLib import TTFont

    widths: dict[int, object] = {}
    unicode: dict[int, bytes] = {}
    for font in fonts:  # in the order of the pages that use them
        # WeasyPrint records a glyph's width each time it draws it (rounded at that font size):
        # the last one drawn wins, in one document as here.
        widths.update(_widths(font.DescendantFonts[0].W))
        for gid, text in _bfchars(font.ToUnicode.read_bytes()).items():
            unicode.setdefault(gid, text)
    options = subset.Options(
        retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True, hinting=False, desubroutinize=True
    )
    # recalcTimestamp=False: the file's modification date stays the bundled font's (reproducible bytes).
    original = TTFont(font_file, recalcTimestamp=False)
    # Deleted here rather than listed in options.drop_tables: the subsetter decompiles GDEF, GSUB
    # and GPOS in full before it drops listed tables (0.3 of 0.43 s for Noto Sans); same bytes.
    for tag in _DROPPED_TABLES:
        if tag in original:
            del original[tag]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(widths))
    subsetter.subset(original)
    data = io.BytesIO()
    original.save(data)
    merged = fonts[0]
    descendant = merged.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    # Written uncompressed here: join() saves with compress_streams, which deflates it.
    descriptor.FontFile2 = out.make_stream(data.getvalue(), Length1=len(data.getvalue()))
    boxes = [[float(value) for value in font.DescendantFonts[0].FontDescriptor.FontBBox] for font in fonts]
    low = [min(box[axis] for box in boxes) for axis in (0, 1)]
    high = [max(box[axis] for box in boxes) for axis in (2, 3)]
    descriptor.FontBBox = pikepdf.Array([*low, *high])
    descendant.W = _width_array(widths)
    merged.ToUnicode = out.make_stream(_to_unicode(unicode))
    return merged


def _widths(array) -> dict[int, object]:
    """A ``/W`` array (``c [w1 w2 …]`` and ``c_first c_last w`` items) as glyph number -> width."""
    import pikepdf

    found: dict[int, object] = {}
    items = list(array)
    index = 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            for offset, width in enumerate(items[index + 1]):
                found[first + offset] = width
            index += 2
        else:
            for cid in range(first, int(items[index + 1]) + 1):
                found[cid] = items[index + 2]
            index += 3
    return found


def _width_array(widths: dict[int, object]):
    import pikepdf

    flat: list = []
    for cid in sorted(widths):
        if cid - 1 not in widths:
            flat += [cid, []]
        flat[-1].append(widths[cid])
    return pikepdf.Array([pikepdf.Array(item) if isinstance(item, list) else item for item in flat])


def _bfchars(cmap: bytes) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in _BFCHAR.findall(block):
            found.setdefault(int(code, 16), text)
    return found


def _to_unicode(unicode: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap of ``bfchar`` entries, as WeasyPrint writes it."""
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    codes = sorted(unicode)
    for start in range(0, len(codes), 100):
        batch = codes[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{code:04x}> <".encode() + unicode[code] + b">" for code in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
