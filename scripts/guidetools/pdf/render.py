"""Render the print editions with WeasyPrint and publish them atomically.

One language = one process (WeasyPrint lays out on one core): Sphinx writes the print HTML
(``guideprint`` builder), the text is checked against the bundled fonts, WeasyPrint renders the
whole guide — in parts, joined by ``guidetools.pdf.parts`` — and each chapter, sharing one font
configuration and one parsed stylesheet per process (with cores to spare, in helper processes),
and the PDFs replace the previous ones only when every one of them rendered:

* ``_build/pdf/<slug>-<version>-<lang>.pdf`` — the whole guide;
* ``_build/pdf/<lang>/<chapter-slug>.pdf`` — each chapter;
* a copy of both in the HTML edition's staging tree (``_downloads/pdf/``), so the next HTML build
  links every page to the whole guide and to its chapter.

Any WeasyPrint warning, a character no bundled font covers, or a resource outside the build tree
fails the language, and its previous PDFs are kept.

Chapters are laid out as documents of their own rather than cut out of the whole guide's pages
(``Document.copy``). Cutting is cheaper — measured on the English edition, 1.4 s of CPU for all
chapters against 7.7 s (the whole guide takes 10.7 s) — but a cut chapter keeps the guide's page
numbers and its "see p. 23" points to pages the file does not contain; a chapter sent to a
ministry on its own must stand alone, numbered from 1, its references to other chapters plain text.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import logging
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from guidetools import collector
from guidetools.build import (
    Problem,
    ProgressCallback,
    _report_to,
    cores_per_language,
    per_language,
    run_sphinx,
    staging_dir,
)
from guidetools.pdf import SLUG, parts
from guidetools.pdf.builder import ASSETS, MANIFEST, EditionManifest
from guidetools.pdf.pagerefs import MAX_LAYOUTS, UNKNOWN, PageMap, anchor_folios, referenced_anchors, with_page_numbers
from guidetools.project import Project
from guidetools.version import SourceVersion, source_version

BUILDER = "guideprint"
# Tagged PDF (structure tree, /Lang, title shown) so that screen readers can use the editions.
# Measured on the real guide's English edition (82 pages): +10 % CPU time, +39 % size
# (0.75 MB instead of 0.54 MB), +13 MB peak memory over an untagged PDF. Worth it.
PDF_VARIANT = "pdf/ua-1"
DOWNLOADS = Path("_downloads") / "pdf"
RENDER_PHASE = "writing PDF"  # "writing…" puts the bar in its second half (cli._LanguageProgress)


@dataclass
class PdfResult:
    lang: str
    outdir: Path
    builder: str = "pdf"
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)  # file name -> page count
    layouts: dict[str, int] = field(default_factory=dict)  # file name -> WeasyPrint layouts (0: cached)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of this process: a measure that other loads on the machine don't inflate
    sphinx_seconds: float = 0.0
    render_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    published: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total_pages(self) -> int:
        return sum(self.pages.values())


def pdf_dir(project: Project) -> Path:
    return project.build_dir / "pdf"


def render_state_paths(project: Project, lang: str) -> tuple[Path, Path]:
    """Where a language's page numbers and rendered-PDF cache are kept between builds."""
    state = project.build_dir / ".sphinx"
    return state / "pagemap" / lang / "pages.json", state / "pdfcache" / lang


def whole_guide_name(version: str, lang: str) -> str:
    return f"{SLUG}-{version}-{lang}.pdf"


# WeasyPrint ------------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings():
    """Collect WeasyPrint's warnings and errors (it logs them; it does not raise)."""
    from weasyprint import LOGGER

    handler = _Collect()
    LOGGER.addHandler(handler)
    try:
        yield handler.messages
    finally:
        LOGGER.removeHandler(handler)


class _TextOf(HTMLParser):
    """All character data of an HTML file, including generated-text strings in its <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @classmethod
    def read(cls, path: Path) -> str:
        parser = cls()
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        return "".join(parser.parts)


def check_characters(project: Project, staged: Path, manifest: EditionManifest) -> list[Problem]:
    """Characters of the edition that no bundled font can print, located in the file they come from."""
    from guidetools.pdf.fonts import FONT_CSS, describe_character, read_font_faces, uncovered_characters

    faces = read_font_faces(staged / ASSETS / "fonts" / FONT_CSS)
    problems = []
    for chapter in manifest.chapters:
        text = _TextOf.read(staged / chapter.html)
        for character in uncovered_characters(text, faces):
            file, line = _first_occurrence(project, manifest.lang, chapter.docname, character)
            problems.append(
                Problem(
                    f"{describe_character(character)} ({manifest.lang}, chapter {chapter.docname!r}) has no glyph in "
                    f"the bundled fonts; use another character, or add a font that covers it to "
                    f"_templates/print/fonts/{FONT_CSS}",
                    file=file,
                    line=line,
                    level="ERROR",
                )
            )
    return problems


def _first_occurrence(project: Project, lang: str, docname: str, character: str) -> tuple[str | None, int | None]:
    """Where a character most likely came from: the chapter's translation, its source, or the templates."""
    candidates = [
        project.catalog_dir(lang) / f"{docname}.po",
        project.source_dir / f"{docname}.md",
        project.catalog_dir(lang) / "ui.po",
        *sorted((project.templates_dir / "print").glob("*.html")),
    ]
    for path in candidates:
        if path.is_file():
            for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if character in text:
                    return str(path.relative_to(project.root)), number
    return None, None


@dataclass
class Rendered:
    target: Path  # relative to _build/pdf
    data: bytes
    pages: int
    layouts: int = 0  # WeasyPrint layouts this build made of it: 0 when it came from the cache


@dataclass
class Laid:
    """One print HTML laid out with its page numbers fixed, and where its pages and anchors fell."""

    data: bytes  # the PDF; empty when it was laid out only to measure (see _GuideParts)
    pages: int
    folios: list[str]  # the number printed at the foot of each page (pagerefs.printed_folios)
    anchors: dict[str, int]  # every anchor of the document -> index of the first page holding it
    key: str = ""  # in the RenderCache
    layouts: int = 1  # 0: it came from the cache

    def folio_of(self, anchor: str) -> str | None:
        index = self.anchors.get(anchor)
        return None if index is None else self.folios[index]


class RenderCache:
    """Rendered PDFs of one language, keyed by everything that decides their bytes.

    The key hashes the print HTML as rendered (page numbers written in), every file under
    ``_print/`` and ``_images/`` (stylesheet, fonts, figures), the PDF variant and the versions of
    WeasyPrint and of this renderer: a chapter whose print HTML did not change is not laid out
    again. With each PDF it keeps where the pages and anchors fell, which the whole guide's page
    numbering needs. Kept in ``_build/.sphinx/pdfcache/<lang>/``; entries a build did not use
    are removed after it, so the folder holds one edition's worth.
    """

    VERSION = "2"  # bump when this module changes what it feeds WeasyPrint or keeps

    def __init__(self, folder: Path, staged: Path, variant: str | None) -> None:
        import pydyf
        import weasyprint

        self.folder = folder
        self.used: set[str] = set()
        digest = hashlib.sha256()
        for part in (self.VERSION, weasyprint.__version__, pydyf.__version__, str(variant)):
            digest.update(part.encode() + b"\0")
        for assets in (ASSETS, "_images"):
            for path in sorted((staged / assets).rglob("*")):
                if path.is_file():
                    digest.update(path.relative_to(staged).as_posix().encode() + b"\0")
                    digest.update(hashlib.sha256(path.read_bytes()).digest())
        self.assets = digest.digest()

    def key(self, html_text: str) -> str:
        return hashlib.sha256(self.assets + html_text.encode("utf-8")).hexdigest()

    def get(self, html_text: str) -> Laid | None:
        key = self.key(html_text)
        try:
            data = (self.folder / f"{key}.pdf").read_bytes()
            entry = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            pages, checksum = int(entry["pages"]), entry["sha256"]
            folios = [str(folio) for folio in entry["folios"]]
            anchors = {str(anchor): int(index) for anchor, index in entry["anchors"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if hashlib.sha256(data).hexdigest() != checksum or len(folios) != pages:
            return None  # damaged or half-written by something else: render it again
        self.used.add(key)
        return Laid(data, pages, folios, anchors, key, layouts=0)

    def put(self, html_text: str, laid: Laid) -> None:
        key = self.key(html_text)
        entry = {
            "pages": laid.pages,
            "sha256": hashlib.sha256(laid.data).hexdigest(),
            "folios": laid.folios,
            "anchors": laid.anchors,
        }
        _write_all_or_nothing(
            {
                self.folder / f"{key}.pdf": laid.data,
                self.folder / f"{key}.json": json.dumps(entry, ensure_ascii=False).encode(),
            }
        )
        self.used.add(key)

    def prune(self) -> None:
        """Remove the entries this build did not use."""
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.stem not in self.used and path.suffix in {".pdf", ".json"}:
                    path.unlink(missing_ok=True)


class _Renderer:
    """WeasyPrint set up once in a process: bundled fonts only, stylesheets parsed once, sandboxed fetching."""

    def __init__(self, staged: Path, variant: str | None, cache: RenderCache | None) -> None:
        from guidetools.pdf import page_references
        from guidetools.pdf.fetcher import SandboxedFetcher
        from guidetools.pdf.fonts import isolated_font_config

        page_references.install()  # tagging a long PDF: see the module's docstring
        self.staged = staged
        self.variant = variant
        self.cache = cache
        self.fetcher = SandboxedFetcher(staged)
        self._fonts = isolated_font_config()
        self.font_config = self._fonts.__enter__()
        self._stylesheets: list | None = None

    def close(self) -> None:
        self._fonts.__exit__(None, None, None)

    @property
    def stylesheets(self) -> list:
        # Parsed at first use, inside attempt(): an error in print.css is reported like any other.
        if self._stylesheets is None:
            from weasyprint import CSS

            from guidetools.pdf.fonts import FONT_CSS

            fonts, fetcher = self.font_config, self.fetcher
            self._stylesheets = [
                CSS(filename=self.staged / ASSETS / "fonts" / FONT_CSS, font_config=fonts, url_fetcher=fetcher),
                CSS(filename=self.staged / ASSETS / "print.css", font_config=fonts, url_fetcher=fetcher),
            ]
        return self._stylesheets

    def attempt(self, name: str, work: Callable[[], object]) -> tuple[object | None, list[Problem]]:
        """``work()``, with WeasyPrint's warnings, a refused resource or an error as problems of ``name``."""
        from weasyprint.urls import FatalURLFetchingError

        problems: list[Problem] = []
        result = None
        refused_before = len(self.fetcher.refused)
        with _weasyprint_warnings() as warnings:
            try:
                result = work()
            except (Exception, FatalURLFetchingError) as exc:
                # FatalURLFetchingError (a BaseException, so that WeasyPrint's own handlers let it
                # through) stops the rendering at the first refused or missing resource.
                cause = exc.__cause__ if exc.__cause__ is not None else exc
                problems.append(Problem(f"{name}: {cause}", level="ERROR"))
        for url in dict.fromkeys(self.fetcher.refused[refused_before:]):
            message = f"the print edition refers to {url}, outside the build tree; only files under {self.staged} and data: URLs may be used"
            if not any(url in problem.message for problem in problems):
                problems.append(Problem(message, level="ERROR"))
        problems += [Problem(message, file="<weasyprint>") for message in dict.fromkeys(warnings)]
        return (None if problems else result), problems

    def render(self, text: str, source: Path):
        from weasyprint import HTML

        return HTML(string=text, base_url=str(source), url_fetcher=self.fetcher).render(
            stylesheets=self.stylesheets, font_config=self.font_config
        )

    def measured(self, document, *, write: bool) -> Laid:
        from guidetools.pdf.pagerefs import printed_folios

        anchors: dict[str, int] = {}
        for index, page in enumerate(document.pages):
            for anchor in page.anchors:
                anchors.setdefault(anchor, index)
        data = document.write_pdf(pdf_variant=self.variant) if write else b""
        return Laid(data, len(document.pages), printed_folios(document), anchors)

    def lay_out(self, text: str, source: Path, *, write: bool = True) -> Laid:
        """``text`` laid out (and written, with ``write``), or its PDF from the cache."""
        if self.cache is not None and (hit := self.cache.get(text)) is not None:
            return hit
        laid = self.measured(self.render(text, source), write=write)
        if write and self.cache is not None:
            self.cache.put(text, laid)
            laid.key = self.cache.key(text)
        return laid

    def numbered(self, source: Path, candidates: list[dict[str, str]]) -> tuple[Laid, dict[str, str]]:
        """Lay out one print HTML until its page references print the pages their targets are on.

        ``candidates`` are guesses of those numbers, best first (the last build's, or derived from
        the whole guide); a guess that the cache already rendered costs no layout at all.
        Returns the PDF and the numbers it prints.
        """
        text = source.read_text(encoding="utf-8")
        anchors, guesses = _numbering_guesses(text, candidates)
        if self.cache is not None and (hit := _cached_numbered(self.cache, source, candidates, text)) is not None:
            return hit
        printed = guesses[-1] if len(guesses) > 1 and _is_unknown(guesses[0]) else guesses[0]
        document = None
        for layouts in range(1, MAX_LAYOUTS + 1):
            numbered = with_page_numbers(text, printed)
            if layouts > 1 and self.cache is not None and (hit := self.cache.get(numbered)) is not None:
                hit.layouts = layouts - 1
                return hit, printed
            document = self.render(numbered, source)
            found = anchor_folios(document, anchors)
            measured = {anchor: found.get(anchor, "?") for anchor in anchors}
            if measured == printed:
                break
            if layouts < MAX_LAYOUTS:
                printed = measured
                document = None  # free this layout before the next one (a long one takes ~2 MB a page)
                gc.collect()
        # After MAX_LAYOUTS the numbers printed are the last ones measured but one: a reference that
        # oscillates between two pages is off by one, as WeasyPrint's own target-counter() would leave it.
        laid = self.measured(document, write=True)
        laid.layouts = layouts
        if self.cache is not None:
            self.cache.put(numbered, laid)
            laid.key = self.cache.key(numbered)
        return laid, printed


def _numbering_guesses(text: str, candidates: list[dict[str, str]]) -> tuple[list[str], list[dict[str, str]]]:
    """The page references of ``text`` and, for each candidate, the numbers it would print."""
    anchors = referenced_anchors(text)
    return anchors, [{anchor: known.get(anchor, UNKNOWN) for anchor in anchors} for known in candidates or [{}]]


def _cached_numbered(
    cache: RenderCache, source: Path, candidates: list[dict[str, str]], text: str | None = None
) -> tuple[Laid, dict[str, str]] | None:
    """The PDF of ``source`` numbered with the first candidate the cache has rendered, if any."""
    text = source.read_text(encoding="utf-8") if text is None else text
    for printed in _numbering_guesses(text, candidates)[1]:
        if (hit := cache.get(with_page_numbers(text, printed))) is not None:
            return hit, printed
    return None


def _is_unknown(guess: dict[str, str]) -> bool:
    return any(value == UNKNOWN for value in guess.values())


def chapter_guess(guide_folios: dict[str, str], chapter_anchor: str) -> dict[str, str]:
    """Page numbers for a chapter printed alone, from where the whole guide put its anchors.

    A chapter alone is numbered from 1 and laid out like the guide's, but under an edition line
    and with other chapters' references as plain text, so a guess: the renderer checks it.
    """
    start = guide_folios.get(chapter_anchor, "")
    if not start.isdigit():
        return {}
    return {
        anchor: str(int(folio) - int(start) + 1)
        for anchor, folio in guide_folios.items()
        if folio.isdigit() and int(folio) >= int(start)
    }


GUIDE_MAP_KEY = "guide.html"  # the whole guide's entry in the page map (its print HTML's name)


# Work done in this process or in helper processes ------------------------------------------------

_helper: _Renderer | None = None  # the renderer of a helper process (_start_helper)


def _start_helper(staged: str, variant: str | None, cache_folder: str | None) -> None:
    global _helper
    collector.for_this_process()
    cache = RenderCache(Path(cache_folder), Path(staged), variant) if cache_folder else None
    _helper = _Renderer(Path(staged), variant, cache)


def _part_job(renderer: _Renderer, name: str, text: str, source: Path, write: bool):
    return renderer.attempt(name, lambda: renderer.lay_out(text, source, write=write))


def _chapter_job(renderer: _Renderer, name: str, source: Path, candidates: list[dict[str, str]]):
    return renderer.attempt(name, lambda: renderer.numbered(source, candidates))


def _in_helper(job: Callable, *args):
    assert _helper is not None, "helper process not started"
    return job(_helper, *args)


class _Workers:
    """Runs part and chapter jobs: from the cache in this process, else here or in helper processes.

    A job the cache answers costs no process and no WeasyPrint set-up: an unchanged or slightly
    changed edition starts neither. Helper processes (spawned, WeasyPrint set up once in each)
    are started at the first round with more than one layout to make and cores to spare.
    """

    def __init__(self, staged: Path, variant: str | None, cache: RenderCache | None, helpers: int) -> None:
        self.staged = staged
        self.variant = variant
        self.cache = cache
        self.helpers = helpers
        self.pool = None
        self.local: _Renderer | None = None

    def _cached(self, job: Callable, args: tuple):
        if self.cache is None:
            return None
        if job is _part_job:
            return self.cache.get(args[1])
        if job is _chapter_job:
            return _cached_numbered(self.cache, args[1], args[2])
        return None

    def run(self, jobs: list[tuple[Callable, tuple]], on_done: Callable[[], None] | None = None) -> list:
        """Each ``(job, args)``'s ``(result, problems)``, in order."""

        def done() -> None:
            if on_done:
                on_done()

        results: list = [None] * len(jobs)
        to_lay_out = []
        for index, (job, args) in enumerate(jobs):
            if (hit := self._cached(job, args)) is not None:
                results[index] = (hit, [])
                done()
            else:
                to_lay_out.append(index)
        if len(to_lay_out) > 1 and self.helpers > 1:
            self._run_in_helpers(jobs, to_lay_out, results, done)
        else:
            if to_lay_out and self.local is None:
                self.local = _Renderer(self.staged, self.variant, self.cache)
            for index in to_lay_out:
                job, args = jobs[index]
                results[index] = job(self.local, *args)
                done()
        if self.cache is not None:
            # The helpers' cache entries count as used, so that prune() keeps them.
            for result, _ in results:
                laid = result[0] if isinstance(result, tuple) else result
                if isinstance(laid, Laid) and laid.key:
                    self.cache.used.add(laid.key)
        return results

    def _run_in_helpers(self, jobs: list, indexes: list[int], results: list, done: Callable[[], None]) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                max_workers=self.helpers,
                mp_context=multiprocessing.get_context("spawn"),  # like the language workers: no state shared
                initializer=_start_helper,
                initargs=(str(self.staged), self.variant, str(self.cache.folder) if self.cache else None),
            )
        futures = {index: self.pool.submit(_in_helper, *jobs[index][:1], *jobs[index][1]) for index in indexes}
        for index, future in futures.items():
            try:
                results[index] = future.result()
            except BrokenProcessPool:
                # Killed (out of memory, a signal): say which document; the previous PDFs stay.
                message = f"{jobs[index][1][0]}: the helper process laying it out stopped abruptly (out of memory?)"
                results[index] = (None, [Problem(message, level="ERROR")])
            done()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
        if self.local is not None:
            self.local.close()


# The whole guide, in parts ------------------------------------------------------------------------


class _GuideParts:
    """The whole guide laid out in parts (front matter, then each chapter) and joined (pdf/parts.py).

    The parts' page numbers depend on each other: a part's first page follows the pages of the
    parts before it, and its references print pages of other parts. Each round lays out the
    parts whose first page or printed numbers changed, then measures again; numbers from the
    last build (``PageMap``) usually make one round enough, and a part that did not change
    comes from the cache. A part laid out with numbers bound to be wrong (a first build) is
    only measured, not written.
    """

    def __init__(self, staged: Path, manifest: EditionManifest, page_map: PageMap) -> None:
        self.staged = staged
        self.names = [manifest.front_html] + [chapter.part_html for chapter in manifest.chapters]
        self.texts = [(staged / name).read_text(encoding="utf-8") for name in self.names]
        self.owned = [parts.anchors_in(text) for text in self.texts]
        self.referenced = [referenced_anchors(text) for text in self.texts]
        self.folios = dict(page_map.documents.get(GUIDE_MAP_KEY, {}))
        known = {name: page_map.starts[name] for name in self.names[1:] if name in page_map.starts}
        self.starts_known = len(known) == len(self.names) - 1
        self.starts: dict[str, int] = {name: known.get(name, 1) for name in self.names[1:]}
        self.laid: dict[str, tuple[Laid, tuple]] = {}  # name -> (layout, what it was laid out with)
        self.rounds = 0  # rounds in which at least one part was laid out (not from the cache)

    def inputs(self, index: int) -> tuple[int | None, dict[str, str]]:
        name = self.names[index]
        start = self.starts[name] if index else None
        return start, {anchor: self.folios.get(anchor, UNKNOWN) for anchor in self.referenced[index]}

    def pending(self, *, final: bool = False) -> list[tuple[Callable, tuple]]:
        """Jobs laying out each part whose inputs changed since it was laid out.

        ``final``: write every part, including one measured only whose numbers were right.
        """
        jobs = []
        for index, name in enumerate(self.names):
            start, printed = self.inputs(index)
            write = final or not self._bound_to_be_wrong(index)
            done = self.laid.get(name)
            if done is not None and done[1] == (start, printed) and (done[0].data or not write):
                continue
            text = parts.part_html(self.texts[index], owned=self.owned[index], start=start, folios=printed)
            jobs.append((_part_job, (name, text, self.staged / name, write)))
        return jobs

    def _bound_to_be_wrong(self, index: int) -> bool:
        _, printed = self.inputs(index)
        if _is_unknown(printed):
            return True
        return index > 1 and not self.starts_known  # a placeholder first page: measured on this round

    def take(self, jobs: list[tuple[Callable, tuple]], results: list) -> list[Problem]:
        """Record the layouts of a round and measure the numbers again."""
        problems: list[Problem] = []
        for (_, (name, _, _, _)), (laid, found) in zip(jobs, results, strict=True):
            problems += found
            if laid is not None:
                index = self.names.index(name)
                self.laid[name] = (laid, self.inputs(index))
        if problems:
            return problems
        if any(laid.layouts for laid, _ in (result for result in results if result[0] is not None)):
            self.rounds += 1
        self._measure()
        return problems

    def _measure(self) -> None:
        if not all(name in self.laid for name in self.names):
            return
        counts = [self.laid[name][0].pages for name in self.names[1:]]
        self.starts = dict(zip(self.names[1:], parts.body_starts(counts), strict=True))
        self.starts_known = True
        folios: dict[str, str] = {}
        for index, name in enumerate(self.names):
            laid = self.laid[name][0]
            for anchor, page in laid.anchors.items():
                if index == 0:
                    folios.setdefault(anchor, laid.folios[page])  # the front matter: as printed
                else:
                    folios.setdefault(anchor, str(self.starts[name] + page))
        self.folios = folios

    def joined(self) -> tuple[bytes, int]:
        from guidetools.pdf.fonts import FONT_CSS, read_font_faces

        pdfs = [parts.PartPdf(self.laid[name][0].data, body=index > 0) for index, name in enumerate(self.names)]
        data = parts.join(pdfs, font_faces=read_font_faces(self.staged / ASSETS / "fonts" / FONT_CSS))
        return data, _page_count(data)


def _page_count(data: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def render_edition(
    staged: Path,
    manifest: EditionManifest,
    *,
    variant: str | None = PDF_VARIANT,
    progress: ProgressCallback | None = None,
    page_map: PageMap | None = None,
    cache: RenderCache | None = None,
    workers: int = 1,
) -> tuple[list[Rendered], list[Problem]]:
    """Render the whole guide and every chapter of one staged print edition to PDF bytes.

    ``page_map`` gives the page numbers of the last build (and receives this build's);
    ``cache`` gives the PDFs of documents whose print HTML did not change. With ``workers`` > 1
    the parts of the guide and the chapters are laid out by that many helper processes
    (WeasyPrint lays out on one core): for a build of fewer languages than cores.
    """
    page_map = page_map if page_map is not None else PageMap(Path(os.devnull))
    guide = _GuideParts(staged, manifest, page_map)
    # Progress counts layouts: each part about twice on a first build, each chapter once.
    planned = [2 * len(guide.names) + len(manifest.chapters)]
    done = [0]

    def report() -> None:
        if progress:
            progress(manifest.lang, RENDER_PHASE, min(99, round(100 * done[0] / max(planned[0], done[0] + 1))))

    def one_done() -> None:
        done[0] += 1
        report()

    report()
    workers_pool = _Workers(staged, variant, cache, helpers=workers)
    problems: list[Problem] = []

    def chapter_jobs(guide_folios: dict[str, str]) -> list[tuple[Callable, tuple]]:
        jobs = []
        for chapter in manifest.chapters:
            candidates = [page_map.documents.get(chapter.html, {})]
            if guide_folios:
                candidates.append(chapter_guess(guide_folios, chapter.anchor))
            jobs.append((_chapter_job, (chapter.html, staged / chapter.html, candidates)))
        return jobs

    # A chapter alone checks its own numbers; the guide's only give it a first guess. With the
    # last build's numbers, chapters are laid out alongside the guide's first round; on a first
    # build, after the guide, whose numbers then make most chapters' guesses right.
    chapters_early = bool(page_map.documents.get(GUIDE_MAP_KEY))
    chapter_results: list = []
    try:
        for round_number in range(MAX_LAYOUTS + 1):
            final = round_number == MAX_LAYOUTS  # write any part only measured so far
            jobs = guide.pending(final=final)
            extra = chapter_jobs(guide.folios) if chapters_early and round_number == 0 else []
            if not jobs and not extra:
                if final:
                    break
                continue  # to the final round: parts measured but not written, if any
            results = workers_pool.run(jobs + extra, one_done)
            chapter_results += results[len(jobs) :]
            problems += guide.take(jobs, results[: len(jobs)])
            if problems:
                return [], problems
        try:
            data, pages = guide.joined()
        except parts.JoinError as exc:
            return [], [Problem(f"{whole_guide_name(manifest.version, manifest.lang)}: {exc}", level="ERROR")]
        rendered = [Rendered(Path(whole_guide_name(manifest.version, manifest.lang)), data, pages, guide.rounds)]
        page_map.documents[GUIDE_MAP_KEY] = guide.folios
        page_map.starts = dict(guide.starts)
        if not chapters_early:
            planned[0] = done[0] + len(manifest.chapters)
            chapter_results = workers_pool.run(chapter_jobs(guide.folios), one_done)
    finally:
        workers_pool.close()
    for chapter, (result, found) in zip(manifest.chapters, chapter_results, strict=True):
        problems += found
        if result is not None:
            laid, printed = result
            page_map.documents[chapter.html] = printed
            rendered.append(Rendered(Path(manifest.lang) / f"{chapter.slug}.pdf", laid.data, laid.pages, laid.layouts))
    if problems:
        return [], problems
    if progress:
        progress(manifest.lang, RENDER_PHASE, 100)
    return rendered, problems


# Publishing ------------------------------------------------------------------------------------


def _write_all_or_nothing(files: dict[Path, bytes]) -> None:
    """Write every file through a temporary sibling; rename them all only once all are written."""
    temporaries: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            temporaries.append((Path(name), target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(name, 0o644)
        for temporary, target in temporaries:
            os.replace(temporary, target)
    finally:
        for temporary, _ in temporaries:
            temporary.unlink(missing_ok=True)


def _remove_stale(folder: Path, keep: set[Path], pattern: str) -> None:
    if folder.is_dir():
        for path in folder.glob(pattern):
            if path not in keep and path.is_file():
                path.unlink()


def publish_pdfs(project: Project, lang: str, rendered: list[Rendered], whole_name: str) -> list[Path]:
    """Install the language's PDFs in ``_build/pdf`` and in the HTML staging tree's downloads."""
    out = pdf_dir(project)
    files = {out / item.target: item.data for item in rendered}
    downloads = staging_dir(project, "html", lang) / DOWNLOADS
    for item in rendered:
        name = item.target.name
        files[downloads / name if name == whole_name else downloads / "chapters" / name] = item.data
    _write_all_or_nothing(files)
    # Earlier editions of this language (another version, a chapter since removed) go away.
    # The version may itself contain "-", so match the whole name pattern for this language only.
    _remove_stale(out, set(files), f"{SLUG}-*-{lang}.pdf")
    _remove_stale(out / lang, set(files), "*.pdf")
    _remove_stale(downloads, set(files), "*.pdf")
    _remove_stale(downloads / "chapters", set(files), "*.pdf")
    return [out / item.target for item in rendered]


# One language, many languages ------------------------------------------------------------------


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def version_overrides(version: SourceVersion) -> dict[str, object]:
    return {
        "guide_version": version.version,
        "guide_commit": version.commit or "",
        "guide_commit_dirty": version.dirty,
        "guide_timestamp": version.timestamp,
    }


def build_language_pdf(
    project: Project,
    lang: str,
    *,
    progress: ProgressCallback | None = None,
    fresh: bool = False,
    variant: str | None = PDF_VARIANT,
    workers: int = 1,
) -> PdfResult:
    """Build, check, render and publish the print editions of one language (``workers``: processes to render with)."""
    started = time.perf_counter()
    cpu_started = _cpu_seconds()
    result = PdfResult(lang, pdf_dir(project))
    version = source_version(project.root)
    sphinx = run_sphinx(project, lang, BUILDER, progress=progress, fresh=fresh, overrides=version_overrides(version))
    result.sphinx_seconds = sphinx.seconds
    result.problems += sphinx.problems
    if sphinx.ok:
        manifest = EditionManifest.read(sphinx.outdir / MANIFEST)
        result.problems += check_characters(project, sphinx.outdir, manifest)
        if result.ok:
            rendering = time.perf_counter()
            page_map_path, cache_dir = render_state_paths(project, lang)
            if fresh:
                shutil.rmtree(page_map_path.parent, ignore_errors=True)
                shutil.rmtree(cache_dir, ignore_errors=True)
            page_map = PageMap.load(page_map_path)
            cache = RenderCache(cache_dir, sphinx.outdir, variant)
            with collector.frozen_heap():
                rendered, problems = render_edition(
                    sphinx.outdir,
                    manifest,
                    variant=variant,
                    progress=progress,
                    page_map=page_map,
                    cache=cache,
                    workers=workers,
                )
            result.render_seconds = time.perf_counter() - rendering
            result.problems += problems
            if result.ok:
                result.files = publish_pdfs(project, lang, rendered, whole_guide_name(version.version, lang))
                result.pages = {item.target.as_posix(): item.pages for item in rendered}
                result.layouts = {item.target.as_posix(): item.layouts for item in rendered}
                result.published = True
                page_map.save()
                cache.prune()
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = _cpu_seconds() - cpu_started
    # The peak of this process: per language when languages run in worker processes.
    result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _pdf_in_worker(root: str, lang: str, fresh: bool, variant: str | None, workers: int, queue) -> PdfResult:
    return build_language_pdf(
        Project(Path(root)), lang, progress=_report_to(queue), fresh=fresh, variant=variant, workers=workers
    )


def build_pdf(
    project: Project,
    langs: list[str],
    *,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    fresh: bool = False,
    variant: str | None = PDF_VARIANT,
) -> list[PdfResult]:
    """The print editions of each language, one process per language; results in ``langs`` order.

    ``jobs`` processes at most (default: one per core). With fewer languages than that, each
    language renders its chapters in helper processes while it renders the whole guide.
    """
    language_jobs, workers = cores_per_language(langs, jobs)
    if language_jobs == 1:
        return [
            build_language_pdf(project, lang, progress=progress, fresh=fresh, variant=variant, workers=workers)
            for lang in langs
        ]
    return per_language(
        langs, _pdf_in_worker, (str(project.root), fresh, variant, workers), jobs=language_jobs, progress=progress
    )
