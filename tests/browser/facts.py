"""Facts about the real guide that the browser tests derive at run time instead of hard-coding.

Translators are finishing their catalogues while these tests are written and run: which chapter is
translated, which word only one translation uses, which section to jump to, all come from the
sources and catalogues of the copy being tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import polib

from guidetools.project import Project

# A labelled level-2 heading: "(harm-reduction-package)=" on the line before "## …".
_SECTION_LABEL = re.compile(r"^\((?P<label>[\w-]+)\)=\n##\s", re.MULTILINE)
_TOCTREE = re.compile(r"```\{toctree\}(?P<body>.*?)```", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_LETTERS = re.compile(r"[^\W\d_]+")
_ADDRESS = re.compile(r"\w+://\S+|\]\([^)]*\)")  # link targets are not words of the text
_FIGURE = re.compile(r"^:::\{figure\}", re.MULTILINE)


def chapters(project: Project) -> list[str]:
    """The pages of the root table of contents, in reading order (everything but the index)."""
    index = (project.source_dir / "index.md").read_text(encoding="utf-8")
    body = _TOCTREE.search(index)["body"]
    return [line.strip() for line in body.splitlines() if line.strip() and not line.strip().startswith(":")]


def catalogue(project: Project, lang: str, page: str) -> polib.POFile | None:
    path = project.catalog_dir(lang) / f"{page}.po"
    return polib.pofile(str(path)) if path.is_file() else None


def percent_translated(project: Project, lang: str, page: str) -> int:
    """How much of a page's catalogue is translated (100 for the source language)."""
    if lang == project.registry.source:
        return 100
    found = catalogue(project, lang, page)
    return found.percent_translated() if found is not None else 0


def best_translated_chapter(project: Project) -> str:
    """The chapter with sections that the least translated language has translated most of.

    Among equals, the one with most figures (so its images' alt text is tested too).
    """
    candidates = [page for page in chapters(project) if len(section_labels(project, page)) >= 3]
    languages = [lang.code for lang in project.registry.translations]

    def rank(page: str) -> tuple[int, int]:
        figures = len(_FIGURE.findall((project.source_dir / f"{page}.md").read_text(encoding="utf-8")))
        return min(percent_translated(project, code, page) for code in languages), figures

    return max(candidates, key=rank)


def section_labels(project: Project, page: str) -> list[str]:
    """Labels of the page's level-2 sections, in order: ids that are the same in every language."""
    return _SECTION_LABEL.findall((project.source_dir / f"{page}.md").read_text(encoding="utf-8"))


def page_words(html_file: Path) -> set[str]:
    """Every word a reader (or the search index) could find in a built page, lower-cased."""
    text = unescape(_TAG.sub(" ", html_file.read_text(encoding="utf-8")))
    return {word.lower() for word in _LETTERS.findall(text)}


@dataclass(frozen=True)
class Candidate:
    word: str
    page: str


def words_only_in_translation(project: Project, lang: str, *, min_length: int = 7) -> list[Candidate]:
    """Words of ``lang``'s translation of exactly one chapter that no page of the source edition uses.

    Longest first. For the source language itself: words of exactly one chapter of the source edition.
    """
    source = project.registry.source
    pages_of: dict[str, set[str]] = {}
    if lang == source:
        for page in chapters(project):
            for word in page_words(project.html_dir(source) / f"{page}.html"):
                pages_of.setdefault(word, set()).add(page)
    else:
        source_vocabulary: set[str] = set()
        for html_file in project.html_dir(source).glob("*.html"):
            source_vocabulary |= page_words(html_file)
        for page in chapters(project):
            for entry in catalogue(project, lang, page) or []:
                if entry.obsolete or not entry.translated():
                    continue
                for word in _LETTERS.findall(_ADDRESS.sub(" ", entry.msgstr)):
                    if word.lower() not in source_vocabulary:
                        pages_of.setdefault(word.lower(), set()).add(page)
    found = [
        Candidate(word, next(iter(pages)))
        for word, pages in pages_of.items()
        if len(pages) == 1 and len(word) >= min_length
    ]
    return sorted(found, key=lambda candidate: (-len(candidate.word), candidate.word))


def image_alt_texts(project: Project, lang: str, page: str) -> dict[str, str]:
    """For each figure's English alt text in the page's catalogue: its translation ('' if none yet)."""
    entries = catalogue(project, lang, page)
    if entries is None:
        return {}
    source = (project.source_dir / f"{page}.md").read_text(encoding="utf-8")
    alts = {" ".join(match.split()) for match in re.findall(r"^:alt:\s*(.+)$", source, re.MULTILINE)}
    return {
        " ".join(entry.msgid.split()): " ".join(entry.msgstr.split()) if entry.translated() else ""
        for entry in entries
        if " ".join(entry.msgid.split()) in alts
    }
