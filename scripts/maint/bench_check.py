"""Benchmark ``guide check`` on a 200-page guide in five languages (a benchmark, not a test).

The corpus is made from the guide's real catalogues, so the text, markup and translations are
real: each chapter catalogue is copied until there are PAGES pages, every message made unique
(a page number is appended to msgid and msgstr, so no cache can help), untranslated entries take
the French translation, and a fifth language is a copy of the Spanish one under another code.

    /work/venv/bin/python scripts/maint/bench_check.py [PAGES [JOBS]]   (JOBS=1: one process)
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import polib

from guidetools.check import Checker, CheckReport, check_catalogues
from guidetools.project import Project

REPO = Path(__file__).resolve().parents[2]
LANGUAGES = {"es": "es", "fr": "fr", "ru": "ru", "ar": "ar", "pt": "es"}  # code -> catalogues to copy


def make_corpus(root: Path, pages: int) -> tuple[Project, list[tuple[Path, str]], int]:
    shutil.copytree(REPO / "guide", root / "guide", ignore=shutil.ignore_patterns("_build"))
    (root / "locales").mkdir()
    shutil.copy(REPO / "locales" / "languages.toml", root / "locales" / "languages.toml")
    real = Project(REPO)
    chapters = sorted(path.stem for path in real.catalog_dir("fr").glob("*.po") if path.stem != "ui")
    french = {stem: polib.pofile(str(real.catalog_dir("fr") / f"{stem}.po")) for stem in chapters}
    files: list[tuple[Path, str]] = []
    messages = 0
    for lang, copied in LANGUAGES.items():
        folder = root / "locales" / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        for name in ("glossary.toml", "check.toml"):
            if (REPO / "locales" / copied / name).is_file():
                shutil.copy(REPO / "locales" / copied / name, root / "locales" / lang / name)
        sources = {stem: polib.pofile(str(real.catalog_dir(copied) / f"{stem}.po")) for stem in chapters}
        for page in range(pages):
            stem = chapters[page % len(chapters)]
            fallback = {entry.msgid: entry.msgstr for entry in french[stem]}
            po = polib.POFile()
            po.metadata = {**sources[stem].metadata, "Language": lang}
            for entry in sources[stem]:
                msgstr = entry.msgstr or fallback.get(entry.msgid, "")
                po.append(polib.POEntry(msgid=f"{entry.msgid} {page}", msgstr=f"{msgstr} {page}" if msgstr else ""))
            path = folder / f"page-{page:03d}.po"
            po.save(str(path))
            files.append((path, lang))
            messages += len(po)
    return Project(root), files, messages


def _cpu() -> float:
    """CPU seconds of this process and its finished workers."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(pages: int = 200, jobs: int | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project, files, messages = make_corpus(Path(tmp), pages)
        started, cpu = time.perf_counter(), _cpu()
        if jobs == 1:  # the operation itself, in this process only
            checker, report = Checker(project), CheckReport()
            for path, lang in files:
                report.merge(checker.check_file(path, lang))
        else:
            report = check_catalogues(project, paths=[project.locales_dir], jobs=jobs)
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu
        print(
            f"jobs={jobs or 'auto'}: {pages} pages x {len(LANGUAGES)} languages: {len(files)} catalogues, {messages} entries, "
            f"{report.translated} checked in {seconds:.2f} s ({cpu:.2f} s CPU) "
            f"({len(report.errors)} errors, {len(report.warnings)} warnings)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200, int(sys.argv[2]) if len(sys.argv) > 2 else None)
