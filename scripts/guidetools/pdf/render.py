"""Render the print editions with WeasyPrint and publish them atomically.

One language = one process (WeasyPrint lays out on one core): Sphinx writes the print HTML
(``guideprint`` builder), the text is checked against the bundled fonts, WeasyPrint renders the
whole guide and each chapter in-process, sharing one font configuration and one parsed
stylesheet, and the PDFs replace the previous ones only when every one of them rendered:

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

from guidetools.build import Problem, ProgressCallback, _report_to, per_language, run_sphinx, staging_dir
from guidetools.pdf import SLUG
from guidetools.pdf.builder import ASSETS, MANIFEST, ChapterFile, EditionManifest
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


class RenderCache:
    """Rendered PDFs of one language, keyed by everything that decides their bytes.

    The key hashes the print HTML as rendered (page numbers written in), every file under
    ``_print/`` and ``_images/`` (stylesheet, fonts, figures), the PDF variant and the versions of
    WeasyPrint and of this renderer: a chapter whose print HTML did not change is not laid out
    again. Kept in ``_build/.sphinx/pdfcache/<lang>/``; entries a build did not use are removed
    after it, so the folder holds one edition's worth.
    """

    VERSION = "1"  # bump when this module changes what it feeds WeasyPrint

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

    def get(self, html_text: str) -> tuple[bytes, int] | None:
        key = self.key(html_text)
        try:
            data = (self.folder / f"{key}.pdf").read_bytes()
            entry = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            pages, checksum = int(entry["pages"]), entry["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if hashlib.sha256(data).hexdigest() != checksum:
            return None  # damaged or half-written by something else: render it again
        self.used.add(key)
        return data, pages

    def put(self, html_text: str, data: bytes, pages: int) -> None:
        key = self.key(html_text)
        _write_all_or_nothing(
            {
                self.folder / f"{key}.pdf": data,
                self.folder / f"{key}.json": json.dumps(
                    {"pages": pages, "sha256": hashlib.sha256(data).hexdigest()}
                ).encode(),
            }
        )
        self.used.add(key)

    def prune(self) -> None:
        """Remove the entries this build did not use."""
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.stem not in self.used and path.suffix in {".pdf", ".json"}:
                    path.unlink(missing_ok=True)


def _render_numbered(
    source: Path, candidates: list[dict[str, str]], *, render, cache: RenderCache | None, variant: str | None
):
    """Lay out one print HTML until its page references print the pages their targets are on.

    ``candidates`` are guesses of those numbers, best first (the last build's, or derived from
    the whole guide); a guess that the cache already rendered costs no layout at all.
    Returns ``(pdf bytes, pages, folios, layouts)``; ``folios`` are the numbers printed.
    """
    text = source.read_text(encoding="utf-8")
    anchors = referenced_anchors(text)
    guesses = [{anchor: known.get(anchor, UNKNOWN) for anchor in anchors} for known in candidates or [{}]]
    if cache is not None:
        for printed in guesses:
            numbered = with_page_numbers(text, printed)
            if (hit := cache.get(numbered)) is not None:
                return (*hit, printed, 0)
    printed = guesses[-1] if len(guesses) > 1 and _is_unknown(guesses[0]) else guesses[0]
    document = None
    for layouts in range(1, MAX_LAYOUTS + 1):
        numbered = with_page_numbers(text, printed)
        if layouts > 1 and cache is not None and (hit := cache.get(numbered)) is not None:
            return (*hit, printed, layouts - 1)
        document = render(numbered)
        found = anchor_folios(document, anchors)
        measured = {anchor: found.get(anchor, "?") for anchor in anchors}
        if measured == printed:
            break
        if layouts < MAX_LAYOUTS:
            printed = measured
            document = None  # free this layout before the next one (a long guide's takes ~2 MB a page)
            gc.collect()
    # After MAX_LAYOUTS the numbers printed are the last ones measured but one: a reference that
    # oscillates between two pages is off by one, as WeasyPrint's own target-counter() would leave it.
    data = document.write_pdf(pdf_variant=variant)
    pages = len(document.pages)
    if cache is not None:
        cache.put(numbered, data, pages)
    return data, pages, printed, layouts


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


def _render_documents(
    staged: Path,
    documents: list[tuple[Path, Path, ChapterFile | None]],
    *,
    variant: str | None,
    page_map: PageMap,
    cache: RenderCache | None,
    on_rendered: Callable[[int], None] | None = None,
) -> tuple[list[Rendered], list[Problem]]:
    """Render ``(target, print HTML, chapter or None for the whole guide)`` items, in order, in this process.

    ``page_map`` gives the last build's page numbers and receives this build's; a chapter's
    numbers may also be guessed from the whole guide's (this build's when it was rendered
    first, else the last build's).
    """
    from weasyprint import CSS, HTML
    from weasyprint.urls import FatalURLFetchingError

    from guidetools.pdf import page_references
    from guidetools.pdf.fetcher import SandboxedFetcher
    from guidetools.pdf.fonts import FONT_CSS, isolated_font_config

    page_references.install()  # tagging a long PDF: see the module's docstring

    fetcher = SandboxedFetcher(staged)
    rendered: list[Rendered] = []
    problems: list[Problem] = []
    source = staged
    with _weasyprint_warnings() as warnings, isolated_font_config() as font_config:
        try:
            stylesheets = [
                CSS(filename=staged / ASSETS / "fonts" / FONT_CSS, font_config=font_config, url_fetcher=fetcher),
                CSS(filename=staged / ASSETS / "print.css", font_config=font_config, url_fetcher=fetcher),
            ]
            for index, (target, source, chapter) in enumerate(documents):

                def render(text: str, source: Path = source):
                    return HTML(string=text, base_url=str(source), url_fetcher=fetcher).render(
                        stylesheets=stylesheets, font_config=font_config
                    )

                # The map is per document: a chapter alone is numbered from 1, in the guide it is not.
                candidates = [page_map.documents.get(source.name, {})]
                guide_folios = page_map.documents.get(GUIDE_MAP_KEY, {})
                if chapter is not None and guide_folios:
                    candidates.append(chapter_guess(guide_folios, chapter.anchor))
                data, pages, folios, layouts = _render_numbered(
                    source, candidates, render=render, cache=cache, variant=variant
                )
                page_map.documents[source.name] = folios
                rendered.append(Rendered(target, data, pages, layouts))
                if on_rendered:
                    on_rendered(index)
        except (Exception, FatalURLFetchingError) as exc:
            # FatalURLFetchingError (a BaseException, so that WeasyPrint's own handlers let it
            # through) stops the rendering at the first refused or missing resource.
            cause = exc.__cause__ if exc.__cause__ is not None else exc
            problems.append(Problem(f"{source.name}: {cause}", level="ERROR"))
    for url in dict.fromkeys(fetcher.refused):
        message = f"the print edition refers to {url}, outside the build tree; only files under {staged} and data: URLs may be used"
        if not any(url in problem.message for problem in problems):
            problems.append(Problem(message, level="ERROR"))
    problems += [Problem(message, file="<weasyprint>") for message in dict.fromkeys(warnings)]
    return rendered, problems


def _render_in_helper(
    staged: str,
    documents: list[tuple[Path, Path, ChapterFile | None]],
    variant: str | None,
    cache_folder: str | None,
    known: dict[str, dict[str, str]],
) -> tuple[list[Rendered], dict[str, dict[str, str]], list[Problem], set[str]]:
    """``_render_documents`` in a helper process: its PDFs, page numbers, problems and cache entries."""
    page_map = PageMap(Path(os.devnull), dict(known))
    cache = RenderCache(Path(cache_folder), Path(staged), variant) if cache_folder else None
    rendered, problems = _render_documents(Path(staged), documents, variant=variant, page_map=page_map, cache=cache)
    numbers = {
        source.name: page_map.documents[source.name] for _, source, _ in documents if source.name in page_map.documents
    }
    return rendered, numbers, problems, cache.used if cache else set()


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
    the chapters are rendered by ``workers - 1`` helper processes while this one renders the
    whole guide (WeasyPrint lays out on one core): for a build of fewer languages than cores.
    """
    page_map = page_map if page_map is not None else PageMap(Path(os.devnull))
    documents: list[tuple[Path, Path, ChapterFile | None]] = [
        (Path(whole_guide_name(manifest.version, manifest.lang)), staged / manifest.guide_html, None)
    ]
    documents += [(Path(manifest.lang) / f"{c.slug}.pdf", staged / c.html, c) for c in manifest.chapters]
    # The whole guide takes about as long as all chapters together: weigh it so for progress.
    weights = [len(manifest.chapters) or 1] + [1] * len(manifest.chapters)

    def report(done: list[int]) -> None:
        if progress:
            progress(manifest.lang, RENDER_PHASE, round(100 * sum(weights[i] for i in done) / sum(weights)))

    done: list[int] = []

    def rendered_one(index: int) -> None:
        done.append(index)
        report(done)

    report(done)
    helpers = min(workers - 1, len(documents) - 1)
    if helpers < 1:
        rendered, problems = _render_documents(
            staged,
            documents,
            variant=variant,
            page_map=page_map,
            cache=cache,
            on_rendered=rendered_one,
        )
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        chapters = documents[1:]
        shares = [chapters[i::helpers] for i in range(helpers)]
        context = multiprocessing.get_context("spawn")  # like the language workers: no state shared
        with ProcessPoolExecutor(max_workers=helpers, mp_context=context) as pool:
            futures = [
                pool.submit(
                    _render_in_helper,
                    str(staged),
                    share,
                    variant,
                    str(cache.folder) if cache else None,
                    dict(page_map.documents),
                )
                for share in shares
            ]
            rendered, problems = _render_documents(
                staged,
                documents[:1],
                variant=variant,
                page_map=page_map,
                cache=cache,
                on_rendered=rendered_one,
            )
            for share, future in zip(shares, futures, strict=True):
                helper_rendered, numbers, helper_problems, used = future.result()
                rendered += helper_rendered
                problems += helper_problems
                page_map.documents.update(numbers)
                if cache is not None:
                    cache.used |= used
                done += [documents.index(item) for item in share[: len(helper_rendered)]]
                report(done)
        order = {target: index for index, (target, _, _) in enumerate(documents)}
        rendered.sort(key=lambda item: order[item.target])
    if progress and not problems:
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
    jobs = max(1, jobs or os.cpu_count() or 1)
    language_jobs = min(jobs, len(langs)) or 1
    workers = max(1, jobs // language_jobs)
    if language_jobs == 1:
        return [
            build_language_pdf(project, lang, progress=progress, fresh=fresh, variant=variant, workers=workers)
            for lang in langs
        ]
    return per_language(
        langs, _pdf_in_worker, (str(project.root), fresh, variant, workers), jobs=language_jobs, progress=progress
    )
