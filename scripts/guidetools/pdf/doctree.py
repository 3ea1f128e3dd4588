"""Adapting the assembled doctree of the guide for paper.

The web edition's markup is wrong for print in a few precise ways, all fixed here on the doctree
(before HTML is written) rather than by patching HTML strings:

* footnotes: Sphinx writes them as endnotes (a list at the end of each document); in print they
  belong at the bottom of the page, which WeasyPrint does for an inline element with
  ``float: footnote`` placed at the call site — so each note's content is moved to its call;
* links: a reader of paper cannot click, so the URL of each external link is printed (as a
  footnote in running text, in parentheses inside a footnote);
* cross-references to a section or figure get class ``xref-page``; the print CSS adds
  "(see p. N)" with ``target-counter``;
* ids: the single-page assembly keeps each document's own ids, so two chapters can both have an
  ``id1`` or a "further-reading" section; colliding ids are made unique per chapter, and the
  ``#document-x#label`` double anchors of Sphinx's single-page builder are reduced to ``#label``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from docutils import nodes
from sphinx import addnodes

EXTERNAL_SCHEMES = ("http://", "https://", "mailto:")
# The inline classes Sphinx gives the text of a reference; these kinds get a page number in print.
PAGE_REFERENCE_KINDS = frozenset({"std-ref", "std-numref", "std-doc"})


@dataclass
class Heading:
    """A section of a chapter, for the table of contents and the PDF bookmarks."""

    id: str
    title: str
    children: list[Heading] = field(default_factory=list)


@dataclass
class Chapter:
    """One top-level document of the guide, as inlined by the single-page assembly."""

    docname: str
    node: addnodes.start_of_file

    @property
    def section(self) -> nodes.section | None:
        return next(iter(self.node.findall(nodes.section)), None)

    @property
    def title(self) -> str:
        section = self.section
        return section[0].astext() if section is not None and section.children else self.docname

    @property
    def anchor(self) -> str:
        section = self.section
        return section["ids"][0] if section is not None and section["ids"] else f"document-{self.docname}"

    def headings(self, depth: int = 2) -> list[Heading]:
        """The sections below the chapter title, ``depth`` levels deep."""
        section = self.section
        return _headings(section, depth) if section is not None else []

    def ids(self) -> set[str]:
        found = {f"document-{self.docname}"}
        for element in self.node.findall(nodes.Element):
            found.update(element.get("ids", ()))
        return found


def _headings(section: nodes.Element, depth: int) -> list[Heading]:
    if depth <= 0:
        return []
    found = []
    for child in section.children:
        if isinstance(child, nodes.section) and child["ids"] and child.children:
            found.append(Heading(child["ids"][0], child[0].astext(), _headings(child, depth - 1)))
    return found


def cover_text(tree: nodes.document) -> tuple[str, str]:
    """The guide's title and subtitle: the root document's title and its first paragraph."""
    section = next(iter(tree.findall(nodes.section)), None)
    if section is None or not section.children:
        return "", ""
    subtitle = next((child.astext() for child in section.children if isinstance(child, nodes.paragraph)), "")
    return section[0].astext(), " ".join(subtitle.split())


def top_level_chapters(tree: nodes.document) -> list[Chapter]:
    """The documents inlined from the root document's toctrees, in reading order."""
    chapters = []
    for node in tree.findall(addnodes.start_of_file):
        if not any(isinstance(parent, addnodes.start_of_file) for parent in _ancestors(node)):
            chapters.append(Chapter(node["docname"], node))
    return chapters


def _ancestors(node: nodes.Node) -> Iterable[nodes.Node]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


# Footnotes -------------------------------------------------------------------------------------


def footnotes_to_floats(root: nodes.Element) -> int:
    """Move each footnote's text to its first call, as ``<span class="footnote">``; return how many.

    Later calls of the same note become a link with class ``footnote-again`` to the note, numbered
    by ``number_repeated_footnotes`` once every note of the chapter is in place, so a note is
    printed once.
    """
    notes: dict[str, nodes.footnote] = {}
    for note in root.findall(nodes.footnote):
        for note_id in note["ids"]:
            notes[note_id] = note
    placed: set[str] = set()
    for call in list(root.findall(nodes.footnote_reference)):
        note = notes.get(call.get("refid", ""))
        if note is None:
            continue
        key = note["ids"][0]
        if key in placed:
            call.replace_self(nodes.reference("", "", refid=key, internal=True, classes=["footnote-again"]))
            continue
        floated = nodes.inline(classes=["footnote"], ids=[key])
        for block in note.children:
            if isinstance(block, nodes.label):
                continue
            # Keep the translation marking of the note's text (it sets the direction in RTL editions).
            if "untranslated" in block.get("classes", ()) and "untranslated" not in floated["classes"]:
                floated["classes"].append("untranslated")
            if floated.children:
                floated += nodes.Text(" ")
            if isinstance(block, nodes.paragraph):
                floated.extend(child.deepcopy() for child in block.children)
            else:  # lists or quotes inside a note are rare; keep their words, drop their layout
                floated += nodes.Text(" ".join(block.astext().split()))
        call.replace_self(floated)
        placed.add(key)
    for note in {id(note): note for note in notes.values()}.values():
        note.parent.remove(note)
    # MyST separates the endnotes from the text with a rule; without notes it has nothing to separate.
    for rule in list(root.findall(nodes.transition)):
        if "footnotes" in rule["classes"]:
            rule.parent.remove(rule)
    return len(placed)


def number_repeated_footnotes(chapter: nodes.Element) -> None:
    """Give each ``footnote-again`` call the number its note will have on paper.

    WeasyPrint numbers ``float: footnote`` elements in document order, from the reset at the
    start of each chapter; ``target-counter()`` cannot read that counter, so it is counted here,
    after every note (including printed URLs) is in place.
    """
    numbers: dict[str, int] = {}
    for node in chapter.findall(nodes.inline):
        if "footnote" in node["classes"]:
            number = len(numbers) + 1
            numbers[node["ids"][0] if node["ids"] else f"#{number}"] = number
    for call in chapter.findall(nodes.reference):
        if "footnote-again" in call["classes"] and call.get("refid") in numbers:
            call.children = []
            call += nodes.Text(str(numbers[call["refid"]]))


# Links -----------------------------------------------------------------------------------------


def shown_url(uri: str) -> str:
    """The URL as printed: without the scheme and a lone trailing slash."""
    shown = re.sub(r"^(https?://|mailto:)", "", uri)
    return shown[:-1] if shown.endswith("/") and shown.count("/") == 1 else shown


def print_link_urls(root: nodes.Element) -> None:
    """Print the URL of every external link: as a footnote in running text, in parentheses in a note."""
    for link in list(root.findall(nodes.reference)):
        uri = link.get("refuri", "")
        if not uri.startswith(EXTERNAL_SCHEMES):
            continue
        shown = shown_url(uri)
        if " ".join(link.astext().split()) in (uri, shown):
            link["classes"].append("url")  # the text is the URL already
            continue
        url = nodes.inline(shown, shown, classes=["url"])
        position = link.parent.index(link) + 1
        if any(isinstance(a, nodes.inline) and "footnote" in a["classes"] for a in _ancestors(link)):
            link.parent[position:position] = [nodes.Text(" ("), url, nodes.Text(")")]
        else:
            link.parent.insert(position, nodes.inline("", "", url, classes=["footnote", "footnote-url"]))


def _internal_target(link: nodes.Element) -> str | None:
    if "refid" in link:
        return link["refid"]
    uri = link.get("refuri", "")
    return uri[1:] if uri.startswith("#") else None


def fix_single_page_anchors(root: nodes.Element) -> None:
    """``#document-principles#principles-framework`` → ``#principles-framework``.

    Sphinx's single-page builder joins the document anchor and the label; a URL with two
    fragments points nowhere, so keep the last one.
    """
    for link in root.findall(nodes.reference):
        uri = link.get("refuri", "")
        if uri.startswith("#") and uri.count("#") > 1:
            link["refuri"] = "#" + uri.rsplit("#", 1)[1]


def mark_page_references(root: nodes.Element) -> None:
    """Class ``xref-page`` on cross-references to sections, documents and figures (not glossary terms)."""
    for link in root.findall(nodes.reference):
        if _internal_target(link) is None:
            continue
        kinds = {cls for child in link.children if isinstance(child, nodes.Element) for cls in child["classes"]}
        if kinds & PAGE_REFERENCE_KINDS:
            link["classes"].append("xref-page")


def unlink_outside(root: nodes.Element, ids: set[str]) -> int:
    """Turn internal links whose target is not in ``ids`` into plain text (for a chapter on its own)."""
    unlinked = 0
    for link in list(root.findall(nodes.reference)):
        target = _internal_target(link)
        if target is not None and target not in ids:
            link.replace_self(link.children)
            unlinked += 1
    return unlinked


# Ids -------------------------------------------------------------------------------------------


def make_ids_unique(chapters: list[Chapter], keep: dict[str, str]) -> dict[str, str]:
    """Rename ids that several chapters use, inside each chapter; return {old@docname: new}.

    ``keep`` maps ids that other documents link to (Sphinx labels) to the document that owns
    them: those keep their name there, so cross-document references stay valid.
    """
    owners: dict[str, list[int]] = defaultdict(list)
    for index, chapter in enumerate(chapters):
        for element in chapter.node.findall(nodes.Element):
            for element_id in element.get("ids", ()):
                owners[element_id].append(index)
    renamed: dict[str, str] = {}
    for index, chapter in enumerate(chapters):
        local: dict[str, str] = {}
        for element_id, where in owners.items():
            if len(where) > 1 and index in where and keep.get(element_id) != chapter.docname:
                local[element_id] = f"{chapter.docname.replace('/', '-')}--{element_id}"
        if not local:
            continue
        for element in chapter.node.findall(nodes.Element):
            if element.get("ids"):
                element["ids"] = [local.get(i, i) for i in element["ids"]]
            if element.get("backrefs"):
                element["backrefs"] = [local.get(i, i) for i in element["backrefs"]]
            if element.get("refid") in local:
                element["refid"] = local[element["refid"]]
            uri = element.get("refuri", "") if isinstance(element, nodes.reference) else ""
            # A "#x" link means this chapter's x, unless x is another document's label.
            if uri.startswith("#") and uri[1:] in local and keep.get(uri[1:], chapter.docname) == chapter.docname:
                element["refuri"] = "#" + local[uri[1:]]
        renamed.update({f"{old}@{chapter.docname}": new for old, new in local.items()})
    return renamed
