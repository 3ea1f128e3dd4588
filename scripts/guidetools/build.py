"""Build the HTML editions: one Sphinx build per language, in parallel, published atomically.

Each language is built by Sphinx into a private, persistent staging tree (``_build/.sphinx/``) so
incremental rebuilds reuse the environment; only a build with zero warnings is copied into
``_build/html/<lang>/``, replacing the previous edition in one rename. A failed build therefore
never leaves a half-written or warning-laden site where readers (or a release) would pick it up.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import importlib
import io
import logging
import multiprocessing
import os
import re
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from guidetools import GuideError
from guidetools.collector import fewer_collections
from guidetools.project import Project
from guidetools.status import compute_status, counts_cache_path

# "path/file.md:12: WARNING: message [type]" — the line number and the path are optional.
_WARNING_RE = re.compile(
    r"^(?P<location>.*?)(?::(?P<line>\d+))?:?\s*(?P<level>WARNING|ERROR|CRITICAL|SEVERE): (?P<message>.*)$"
)
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # colours and "erase line" (Sphinx under CI=true)
_PROGRESS_RE = re.compile(r"^(?P<phase>[a-z][a-z ]+?)\.\.\. \[\s*(?P<percent>\d+)%\]")

ProgressCallback = Callable[[str, str, int], None]


@dataclass(frozen=True)
class Problem:
    """One Sphinx warning or error, located in a project file where Sphinx knows it."""

    message: str
    file: str | None = None
    line: int | None = None
    level: str = "WARNING"

    def __str__(self) -> str:
        where = self.file or "<sphinx>"
        if self.line:
            where += f":{self.line}"
        return f"{where}: {self.level.lower()}: {self.message}"


@dataclass
class BuildResult:
    lang: str
    builder: str
    outdir: Path
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    published: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_warnings(text: str, root: Path) -> list[Problem]:
    """Turn Sphinx's warning stream into problems with project-relative paths."""
    problems: list[Problem] = []
    for raw in _ANSI_RE.sub("", text).splitlines():
        match = _WARNING_RE.match(raw)
        if not match:
            if problems and raw.strip():  # continuation of a multi-line warning
                last = problems[-1]
                problems[-1] = Problem(f"{last.message} {raw.strip()}", last.file, last.line, last.level)
            continue
        location = match["location"].strip() or None
        if location:
            location = _relative(location, root)
        line = int(match["line"]) if match["line"] else None
        problems.append(Problem(match["message"].strip(), location, line, match["level"]))
    return problems


def _relative(location: str, root: Path) -> str:
    # Sphinx may append ":docstring of …" or "<translated>" markers; keep them but shorten the path.
    try:
        return str(Path(location).resolve().relative_to(root))
    except (ValueError, OSError):
        return location


class _ProgressStream(io.TextIOBase):
    """A Sphinx status stream that forwards "phase... [ 42%]" lines to a callback."""

    def __init__(self, lang: str, callback: ProgressCallback | None) -> None:
        self.lang = lang
        self.callback = callback
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.callback is None:
            return len(text)
        self._pending += _ANSI_RE.sub("", text)
        *lines, self._pending = re.split(r"[\r\n]", self._pending)
        for line in lines:
            match = _PROGRESS_RE.match(line.strip())
            if match:
                self.callback(self.lang, match["phase"], int(match["percent"]))
        return len(text)


def staging_dir(project: Project, builder: str, lang: str) -> Path:
    return project.build_dir / ".sphinx" / builder / lang


def keep_root_logger_at_warning() -> None:
    """Give the root logger a handler at WARNING (stderr, as Python's last resort) if it has none.

    furo depends on accessible-pygments, which calls ``logging.basicConfig(level=INFO)`` when
    Pygments loads its styles during an HTML build. A later build in the same process (a worker
    builds a language's website, then the next language's PDFs) then printed every WeasyPrint and
    fontTools INFO record: 933 lines in ``nox -s build``. With a root handler in place that
    ``basicConfig`` does nothing; warnings are still printed.
    """
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
        root.addHandler(handler)


@functools.cache
def import_sphinx_before_any_language() -> None:
    """Import Sphinx's built-in extensions once per process, while no language is loaded.

    Sphinx translates a label defined in a module or class (``_('Python Module Index')``) when the
    module is imported: it stays translatable if no catalogue is loaded yet, and is translated
    into the language being built otherwise, for the life of the process. Sphinx imports its
    domains and builders during a process's first build, so a worker that built English and then
    Spanish wrote the English label into the Spanish site's ``objects.inv``, and a site's bytes
    depended on which language its worker happened to build first. Called with no catalogue
    loaded; Sphinx imports these modules in every build anyway.
    """
    from sphinx.application import builtin_extensions

    for name in builtin_extensions:
        importlib.import_module(name)


def run_sphinx(
    project: Project,
    lang: str,
    builder: str = "html",
    *,
    outdir: Path | None = None,
    progress: ProgressCallback | None = None,
    fresh: bool = False,
    overrides: dict[str, object] | None = None,
) -> BuildResult:
    """Run one Sphinx build in this process and collect its warnings (``-W --keep-going``)."""
    from sphinx import locale as sphinx_locale
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    keep_root_logger_at_warning()
    outdir = outdir or staging_dir(project, builder, lang)
    doctrees = project.build_dir / ".sphinx" / "doctrees" / builder / lang
    warnings = io.StringIO()
    started = time.perf_counter()
    result = BuildResult(lang, builder, outdir)
    confoverrides = {"language": lang, **(overrides or {})}
    # Sphinx keeps every catalogue it loaded in a process-wide dict and *merges* a later language's
    # catalogue behind the first one as a fallback: without this, a worker that built Spanish and
    # then Arabic published Spanish text (and Spanish Sphinx labels) on the Arabic site.
    sphinx_locale.translators.clear()
    import_sphinx_before_any_language()
    # Python's gettext caches every .mo it opened by path, for the life of the process: a second
    # build in the same process (tests, a live preview) kept the translations of the first even
    # after the .po changed and Sphinx recompiled the .mo.
    gettext._translations.clear()
    try:
        with fewer_collections(), patch_docutils(project.source_dir), docutils_namespace():
            app = Sphinx(
                srcdir=project.source_dir,
                confdir=project.source_dir,
                outdir=outdir,
                doctreedir=doctrees,
                buildername=builder,
                confoverrides=confoverrides,
                status=_ProgressStream(lang, progress),
                warning=warnings,
                freshenv=fresh,
                keep_going=True,
                parallel=0,
            )
            app.build(force_all=fresh)
    except SphinxError as exc:
        result.problems.append(Problem(f"{exc.category}: {exc}", level="ERROR"))
    except Exception as exc:  # a crash inside an extension or a parser: report, don't trace
        result.problems.append(Problem(f"{type(exc).__name__}: {exc}", level="ERROR"))
    result.problems[:0] = parse_warnings(warnings.getvalue(), project.root)
    result.seconds = time.perf_counter() - started
    return result


def publish(staged: Path, published: Path) -> None:
    """Replace ``published`` with a copy of ``staged`` in one rename (the old tree is kept until then)."""
    published.parent.mkdir(parents=True, exist_ok=True)
    incoming = published.with_name(f".{published.name}.incoming")
    outgoing = published.with_name(f".{published.name}.outgoing")
    for leftover in (incoming, outgoing):
        if leftover.exists():
            shutil.rmtree(leftover)
    shutil.copytree(staged, incoming, ignore=shutil.ignore_patterns(".buildinfo*", ".doctrees"))
    if published.exists():
        os.rename(published, outgoing)
    os.rename(incoming, published)
    if outgoing.exists():
        shutil.rmtree(outgoing)


def build_language(
    project: Project,
    lang: str,
    *,
    progress: ProgressCallback | None = None,
    fresh: bool = False,
) -> BuildResult:
    """Build one language's HTML edition; publish it to ``_build/html/<lang>/`` if it is clean."""
    result = run_sphinx(project, lang, "html", progress=progress, fresh=fresh)
    if result.ok:
        publish(result.outdir, project.html_dir(lang))
        result.published = True
    result.outdir = project.html_dir(lang)
    return result


def _report_to(queue) -> ProgressCallback:
    def report(lang: str, phase: str, percent: int) -> None:
        queue.put((lang, phase, percent))

    return report


def _html_in_worker(root: str, lang: str, fresh: bool, queue) -> BuildResult:
    return build_language(Project(Path(root)), lang, progress=_report_to(queue), fresh=fresh)


def per_language(
    langs: list[str],
    worker: Callable,
    args: tuple,
    *,
    jobs: int,
    progress: ProgressCallback | None,
) -> list:
    """Run ``worker(*args[:1], lang, *args[1:], queue)`` for each language in spawned processes.

    Progress events the workers put on the queue are passed to ``progress`` as they arrive;
    results come back in the order of ``langs``. Spawned, not forked: forking a process whose
    progress display runs a thread can deadlock, and WeasyPrint's and fontconfig's state must
    not be shared between languages.
    """
    context = multiprocessing.get_context("spawn")
    results: dict[str, object] = {}
    with context.Manager() as manager:
        queue = manager.Queue()
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {pool.submit(worker, args[0], lang, *args[1:], queue): lang for lang in langs}
            pending = set(futures)
            while pending:
                _drain(queue, progress)
                done = {future for future in pending if future.done()}
                for future in done:
                    results[futures[future]] = future.result()
                pending -= done
                if pending:
                    time.sleep(0.05)
        _drain(queue, progress)
    return [results[lang] for lang in langs]


def cores_per_language(langs: list[str], jobs: int | None) -> tuple[int, int]:
    """How many languages to build at once with ``jobs`` cores (default: all), and cores for each."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    at_once = max(1, min(jobs, len(langs)))
    return at_once, max(1, jobs // at_once)


def _count_catalogues_once(project: Project) -> None:
    """Every site's status page shows every language: count the catalogues once, here, so that the
    workers find the counts cached instead of each reading all of them at the same time."""
    with contextlib.suppress(GuideError):  # a bad catalogue: each build reports it with its page
        compute_status(project)


def build_html(
    project: Project,
    langs: list[str],
    *,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    fresh: bool = False,
) -> list[BuildResult]:
    """Build the HTML edition of each language, several at once when there are cores for it.

    Returns the results in the order of ``langs``.
    """
    at_once, _ = cores_per_language(langs, jobs)
    if fresh:
        counts_cache_path(project).unlink(missing_ok=True)
    if at_once == 1:
        return [build_language(project, lang, progress=progress, fresh=fresh) for lang in langs]
    _count_catalogues_once(project)
    return per_language(langs, _html_in_worker, (str(project.root), fresh), jobs=at_once, progress=progress)


def _drain(queue, progress: ProgressCallback | None) -> None:
    while not queue.empty():
        event = queue.get()
        if progress:
            progress(*event)


# Print editions come first: the HTML pages link to the PDFs that exist when they are written.
EDITION_ORDER = ("pdf", "html")


def for_format(progress: ProgressCallback | None, fmt: str) -> ProgressCallback | None:
    """``progress`` with each phase named after its edition ("pdf: writing PDF")."""
    if progress is None:
        return None

    def report(lang: str, phase: str, percent: int) -> None:
        progress(lang, f"{fmt}: {phase}", percent)

    return report


def _editions_in_worker(root: str, lang: str, fresh: bool, workers: int, queue) -> tuple:
    from guidetools.pdf.render import build_language_pdf

    project, report = Project(Path(root)), _report_to(queue)
    pdf = build_language_pdf(project, lang, progress=for_format(report, "pdf"), fresh=fresh, workers=workers)
    return pdf, build_language(project, lang, progress=for_format(report, "html"), fresh=fresh)


def build_editions(
    project: Project,
    langs: list[str],
    *,
    formats: list[str] | tuple[str, ...] = EDITION_ORDER,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    fresh: bool = False,
) -> list:
    """Build the requested formats of each language, PDF before HTML; results: PDF ones, then HTML ones.

    With both formats and several languages on several cores, each language's PDF and then its
    HTML are built by one worker process: a language's website waits for its own PDFs only, not
    for every language's, and the workers are started once instead of once per format (measured
    on the generated guide, en + es on two cores after one edit: 2 s of 22 s).
    """
    from guidetools.pdf.render import build_pdf

    wanted = [fmt for fmt in EDITION_ORDER if fmt in formats]
    at_once, workers = cores_per_language(langs, jobs)
    if len(wanted) < 2 or at_once < 2:
        builders = {"pdf": build_pdf, "html": build_html}
        results: list = []
        for fmt in wanted:
            results += builders[fmt](project, langs, jobs=jobs, progress=for_format(progress, fmt), fresh=fresh)
        return results
    if fresh:
        counts_cache_path(project).unlink(missing_ok=True)
    _count_catalogues_once(project)
    both = per_language(
        langs, _editions_in_worker, (str(project.root), fresh, workers), jobs=at_once, progress=progress
    )
    return [pdf for pdf, _ in both] + [html for _, html in both]
