"""``nox -s bench``: the toolchain against the stock tools, on a generated guide, side by side.

A synthetic guide (``guidetools.synthetic``: by default 20 chapters of 10 sections, ~63 k words,
~6,500 messages, pseudo-translated into the registry's first 4 translations) is generated into a
temporary folder. Then, in one run and interleaved (stock, guide, stock, guide …) so that a busy
machine slows both routes alike, each build runs in its own process and is timed (wall clock, CPU
time of the process and its children, peak resident memory of the largest process, from
``os.wait4``):

* per language, cold: plain ``sphinx-build -b html`` (the guide's own conf.py, with the toolchain's
  speed-ups switched off: ``-D guide_fast_i18n=0 -D guide_doctree_memo=0``) against ``guide build --format html --lang L``;
* per language, cold, when installed: ``sphinx-build -b simplepdf`` (sphinx-simplepdf, the
  ``bench`` dependency group) against ``guide build --format pdf --lang L`` when ``guide build``
  offers the ``pdf`` format (detected from its ``--format`` choices at run time);
* every edition of every language at once, cold: ``guide build`` (all formats it has);
* one chapter edited, then every edition rebuilt: stock incremental ``sphinx-build`` per language
  against ``guide build``; how many pages each language re-read and how many ``.mo`` catalogues
  were recompiled is read from file modification times;
* the translators' preview, per translation: one msgstr of one chapter changes, then the
  language's site is rebuilt, as ``nox -s live`` does on every save (sphinx-autobuild runs
  ``python -m sphinx build`` with the guide's conf.py): stock incremental ``sphinx-build`` against
  the same command with the toolchain's speed-ups on;
* the translators' step, every catalogue brought up to date with the sources, first without any
  earlier extraction, then after one more chapter edit: Sphinx's gettext builder followed by
  ``sphinx-intl update`` against ``guide update``.

It prints the measurements and the issue's ratios as tables, and writes everything as JSON
(default ``_build/bench/bench.json`` of the repository it was started from). A quick run:
``nox -s bench -- --chapters 4 --repeat 1 --no-pdf``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from guidetools import live
from guidetools.catalog import read_catalog, write_catalog
from guidetools.project import Project, write_text_atomic
from guidetools.synthetic import GuideSize, SyntheticGuide, generate

GOALS = {
    "translated_vs_source_html": ("translated HTML build / source HTML build", 1.5, "max"),
    "cold_all_editions_vs_stock": ("cold build of all editions / stock route", 0.2, "max"),
    "pdf_pages_per_second_vs_simplepdf": ("PDF pages per second / sphinx-simplepdf", 2.0, "min"),
    "peak_memory_mb_per_language": ("peak memory of one language's build (MB)", 400, "max"),
    "incremental_one_chapter_all_editions_s": ("one chapter edited → all editions rebuilt (s)", 10.0, "max"),
    # Not one of issue 9's goals: the project's rule that every step beats the stock tools.
    "catalogue_update_vs_stock": ("guide update / gettext builder + sphinx-intl", 1.0, "max"),
    "translation_preview_vs_stock": ("msgstr edited → live preview rebuilt / stock", 1.0, "max"),
}


@dataclass
class Run:
    """One timed build process."""

    case: str  # e.g. "html", "pdf", "all editions", "incremental"
    route: str  # "stock" or "guide"
    lang: str  # a language code, or "all"
    repeat: int
    wall_s: float
    cpu_s: float
    peak_mb: float
    ok: bool
    pages: int | None = None  # PDF pages produced (whole-guide files)
    detail: dict = field(default_factory=dict)
    output_tail: str = ""


TIME = Path("/usr/bin/time")  # GNU time: reports the peak of the command's own processes


def measured(command: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, float, float, int, str]:
    """Run ``command``; return wall seconds, CPU seconds, peak RSS in MB, exit code and output.

    CPU time and peak memory cover the process and the children it waited for (Sphinx's and the
    toolchain's worker processes); the peak is that of the largest one. GNU time measures them
    when it is installed: a child started from this (large) Python process would otherwise
    report this process's own size as its peak, because Linux keeps the high-water mark across
    ``exec``. Without it, ``os.wait4`` measures, and small peaks are overstated that way.
    """
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "time"
        timed = [str(TIME), "-f", "%U %S %M", "-o", str(report), *command] if TIME.exists() else command
        with open(Path(scratch) / "output", "w+b") as output:
            started = time.perf_counter()
            process = subprocess.Popen(timed, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            output.seek(0)
            text = output.read().decode("utf-8", "replace")
        cpu, peak_kb = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
        if TIME.exists():
            # The last line; GNU time puts "Command exited with non-zero status N" before it.
            user, system, peak = report.read_text().split("\n")[-2].split()
            cpu, peak_kb = float(user) + float(system), int(peak)
    return wall, cpu, peak_kb / 1024, process.returncode, text


def commit_sources(root: Path) -> None:
    """Make the generated guide a git checkout of one commit, as an author's or CI's copy is.

    The editions stamp the commit and its date (``guidetools.version``); outside git the date is
    the newest source file's, which every edit moves, so every PDF would change with every edit.
    """
    (root / ".gitignore").write_text("_build/\n*.mo\n", encoding="utf-8")
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
    for command in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-q", "-m", "generated guide"]):
        subprocess.run(["git", *command], cwd=root, env=env, check=True, capture_output=True)


class Bench:
    def __init__(self, guide: SyntheticGuide, args: argparse.Namespace) -> None:
        self.guide = guide
        self.root = guide.project.root
        # The stock route gets its own copy: the two routes must not share compiled catalogues
        # (a newer .mo makes Sphinx re-read every page of that language).
        self.stock = Project(self.root.with_name("stock"))
        shutil.copytree(self.root, self.stock.root)
        commit_sources(self.root)
        self.args = args
        self.runs: list[Run] = []
        self.env = dict(os.environ)
        # sphinx-simplepdf runs the ``weasyprint`` command: the one installed next to this Python.
        self.env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), self.env.get("PATH", "")])
        self.env.pop("SPHINXOPTS", None)
        self.stock_pdf = _simplepdf_installed()
        self.guide_formats = guide_build_formats()
        self.step = 0

    # -- commands ---------------------------------------------------------------------------------

    def guide_command(self, *arguments: str) -> list[str]:
        command = [sys.executable, "-m", "guidetools.cli", "--root", str(self.root), "--quiet", "build", *arguments]
        if "--lang" not in arguments:  # only the languages the synthetic guide was translated into
            command += [option for lang in self.guide.languages for option in ("--lang", lang)]
        return command

    def stock_command(self, builder: str, lang: str) -> list[str]:
        command = [sys.executable, "-m", "sphinx", "-q", "-b", builder, "-D", f"language={lang}"]
        command += [
            "-D",
            "guide_fast_i18n=0",
            "-D",
            "guide_doctree_memo=0",
            "-d",
            str(self.stock_dir("doctrees", builder, lang)),
        ]
        if builder == "simplepdf":
            command += ["-D", "extensions=" + ",".join([*_conf_extensions(self.stock), "sphinx_simplepdf"])]
        return [*command, str(self.stock.source_dir), str(self.stock_dir("out", builder, lang))]

    def live_command(self, lang: str) -> list[str]:
        """What sphinx-autobuild runs on every save under ``nox -s live -- --lang L`` (``guidetools.live``)."""
        return [sys.executable, "-m", "sphinx", "build", *live.sphinx_arguments(self.guide.project, lang)]

    def translations(self) -> list[str]:
        return [lang for lang in self.guide.languages if lang != self.guide.project.registry.source]

    def stock_update_command(self) -> list[str]:
        """sphinx-build -b gettext, then sphinx-intl update of every translation (one shell)."""
        source = self.guide.project.registry.source
        templates = self.stock_dir("out", "gettext", source)
        extract = self.stock_command("gettext", source)
        update = [sys.executable, "-m", "sphinx_intl", "update", "-p", str(templates)]
        update += [
            "-d",
            str(self.stock.locales_dir),
            *(option for lang in self.translations() for option in ("-l", lang)),
        ]
        return ["sh", "-c", f"{shlex.join(extract)} && {shlex.join(update)} >/dev/null"]

    def guide_update_command(self) -> list[str]:
        command = [sys.executable, "-m", "guidetools.cli", "--root", str(self.root), "--quiet", "update"]
        return command + [option for lang in self.translations() for option in ("--lang", lang)]

    def stock_dir(self, kind: str, builder: str, lang: str) -> Path:
        return self.stock.build_dir / kind / builder / lang

    # -- clean states -----------------------------------------------------------------------------

    def forget_catalogues(self, project: Project, lang: str | None = None) -> None:
        """Delete compiled catalogues so that a cold build compiles them, as on a fresh checkout."""
        pattern = f"{lang}/LC_MESSAGES/*.mo" if lang else "*/LC_MESSAGES/*.mo"
        for mo in project.locales_dir.glob(pattern):
            mo.unlink()

    def forget_guide_builds(self, lang: str | None = None) -> None:
        build = self.guide.project.build_dir
        if lang is None:
            for name in ("html", "pdf", ".sphinx"):
                shutil.rmtree(build / name, ignore_errors=True)
            return
        for path in [
            *build.glob(f".sphinx/*/{lang}"),
            *build.glob(f".sphinx/doctrees/*/{lang}"),
            build / "html" / lang,
        ]:
            shutil.rmtree(path, ignore_errors=True)
        for path in [*build.glob(f"pdf/*-{lang}.pdf"), build / "pdf" / lang]:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)

    def forget_stock(self, builder: str, lang: str) -> None:
        shutil.rmtree(self.stock_dir("doctrees", builder, lang), ignore_errors=True)
        shutil.rmtree(self.stock_dir("out", builder, lang), ignore_errors=True)

    # -- one measurement --------------------------------------------------------------------------

    def run(self, case: str, route: str, lang: str, repeat: int, command: list[str]) -> Run:
        self.step += 1
        print(f"[{self.step}] {route:5} {case:16} {lang:4} …", end="", file=sys.stderr, flush=True)
        wall, cpu, peak, code, output = measured(command, cwd=self.root, env=self.env)
        run = Run(case, route, lang, repeat, round(wall, 2), round(cpu, 2), round(peak, 1), code == 0)
        if code != 0:
            run.output_tail = output[-2000:]
        print(f" {wall:6.1f} s wall, {cpu:6.1f} s CPU, {peak:5.0f} MB{'' if run.ok else '  FAILED'}", file=sys.stderr)
        self.runs.append(run)
        return run

    # -- the sequence -----------------------------------------------------------------------------

    def run_all(self) -> None:
        langs = self.guide.languages
        guide_pdf = "pdf" in self.guide_formats
        stock, guide = self.stock, self.guide.project
        for repeat in range(1, self.args.repeat + 1):
            # Per language, cold, PDF (first: the stock HTML builds below must be each language's
            # last stock build, so that the incremental rebuild starts from their environment).
            if not self.args.no_pdf:
                for lang in langs:
                    if self.stock_pdf:
                        self.forget_stock("simplepdf", lang)
                        self.forget_catalogues(stock, lang)
                        run = self.run("pdf", "stock", lang, repeat, self.stock_command("simplepdf", lang))
                        run.pages = _count_pages(self.stock_dir("out", "simplepdf", lang).glob("*.pdf"))
                    if guide_pdf:
                        self.forget_guide_builds(lang)
                        self.forget_catalogues(guide, lang)
                        command = self.guide_command("--format", "pdf", "--lang", lang, "--fresh")
                        run = self.run("pdf", "guide", lang, repeat, command)
                        run.pages = _count_pages((guide.build_dir / "pdf").glob(f"*-{lang}.pdf"))
                        run.detail["chapter_pages"] = _count_pages((guide.build_dir / "pdf" / lang).glob("*.pdf"))
            # Per language, cold, HTML: stock then guide, --html-repeat times (a single HTML build
            # on this kind of machine moves by ±20 %, and the translated/source ratio divides two).
            for _ in range(self.args.html_repeat):
                for lang in langs:
                    self.forget_stock("html", lang)
                    self.forget_catalogues(stock, lang)
                    self.run("html", "stock", lang, repeat, self.stock_command("html", lang))
                    self.forget_guide_builds(lang)
                    self.forget_catalogues(guide, lang)
                    command = self.guide_command("--format", "html", "--lang", lang, "--fresh")
                    self.run("html", "guide", lang, repeat, command)
            # Every edition of every language, cold, as `guide build` does it.
            formats = [f for f in ("pdf", "html") if f in self.guide_formats and (f == "html" or not self.args.no_pdf)]
            self.forget_guide_builds()
            self.forget_catalogues(guide)
            format_args = [a for f in formats for a in ("--format", f)]
            all_run = self.run("all editions", "guide", "all", repeat, self.guide_command(*format_args, "--fresh"))
            all_run.detail["formats"] = formats
            # One chapter edited: every edition rebuilt, stock (per language, warm) then guide (warm).
            marks = self.mark_outputs()
            for project in (stock, guide):
                edit_chapter(project, self.guide.chapters[1], repeat)
            for lang in langs:
                self.run("incremental", "stock", lang, repeat, self.stock_command("html", lang))
            run = self.run("incremental", "guide", "all", repeat, self.guide_command(*format_args))
            run.detail = {"formats": formats, **self.changed_since(marks)}
            # The author's next edit, previewed again: the first edit after a commit changed every
            # PDF's colophon ("uncommitted changes"); from now on an edit changes its chapter only.
            marks = self.mark_outputs()
            for project in (stock, guide):
                edit_chapter(project, self.guide.chapters[1], repeat, label=f"{repeat}, then once more")
            for lang in langs:
                self.run("next edit", "stock", lang, repeat, self.stock_command("html", lang))
            run = self.run("next edit", "guide", "all", repeat, self.guide_command(*format_args))
            run.detail = {"formats": formats, **self.changed_since(marks)}
            self.run_translation_previews(repeat)
            self.run_catalogue_updates(repeat)

    def run_translation_previews(self, repeat: int) -> None:
        """The translators' preview: one msgstr saved, the language's site rebuilt.

        The stock route's site of each language is current (the edits above rebuilt it); the
        live preview's is built first, from nothing ("preview start": what ``nox -s live`` does
        when it starts), then the same msgstr changes in both copies.
        """
        chapter = self.guide.chapters[3 % len(self.guide.chapters)]
        for lang in self.translations():
            outdir = live.live_dir(self.guide.project, lang)
            shutil.rmtree(outdir, ignore_errors=True)
            self.run("preview start", "guide", lang, repeat, self.live_command(lang))
            label = f"revised in preview {repeat}"
            for project in (self.stock, self.guide.project):
                edit_translation(project, lang, chapter, label)
            for route, command, site in (
                ("stock", self.stock_command("html", lang), self.stock_dir("out", "html", lang)),
                ("guide", self.live_command(lang), outdir),
            ):
                run = self.run("translation edit", route, lang, repeat, command)
                # A rebuild that did not put the new translation on the page did not do the job.
                page = site / f"{chapter}.html"
                run.detail["edit_published"] = page.is_file() and label in page.read_text(encoding="utf-8")
                if run.ok and not run.detail["edit_published"]:
                    run.ok, run.output_tail = False, f"the edited translation ({label}) is not on {page}"

    def run_catalogue_updates(self, repeat: int) -> None:
        """The translators' step: every catalogue brought up to date with the sources.

        Stock: Sphinx's gettext builder, then ``sphinx-intl update``; guide: ``guide update``.
        First on a checkout that never extracted (the sources already differ from the
        catalogues: the chapter edited above), then after one more edit of a chapter.
        """
        build = self.guide.project.build_dir
        shutil.rmtree(build / "gettext", ignore_errors=True)
        shutil.rmtree(build / ".sphinx" / "doctrees" / "gettext", ignore_errors=True)
        self.forget_stock("gettext", self.guide.project.registry.source)
        self.run("catalogues", "stock", "all", repeat, self.stock_update_command())
        self.run("catalogues", "guide", "all", repeat, self.guide_update_command())
        for project in (self.stock, self.guide.project):
            edit_chapter(
                project,
                self.guide.chapters[2 % len(self.guide.chapters)],
                repeat,
                label=f"{repeat}, for the translators",
            )
        self.run("catalogues, edit", "stock", "all", repeat, self.stock_update_command())
        self.run("catalogues, edit", "guide", "all", repeat, self.guide_update_command())

    def mark_outputs(self) -> dict[str, float]:
        """Modification times of every doctree and compiled catalogue, to see what a rebuild redid."""
        paths = [*self.guide.project.build_dir.glob(".sphinx/doctrees/*/*/*.doctree")]
        paths += list(self.guide.project.locales_dir.glob("*/LC_MESSAGES/*.mo"))
        return {str(path): path.stat().st_mtime_ns for path in paths}

    def changed_since(self, marks: dict[str, float]) -> dict:
        reread: dict[str, int] = {}
        recompiled = 0
        for name, mtime in marks.items():
            path = Path(name)
            if path.exists() and path.stat().st_mtime_ns != mtime:
                if path.suffix == ".mo":
                    recompiled += 1
                else:
                    key = f"{path.parent.parent.name}/{path.parent.name}"  # builder/lang
                    reread[key] = reread.get(key, 0) + 1
        return {"pages_reread": reread, "catalogues_recompiled": recompiled, "catalogues": _count_mo(marks)}


def _count_mo(marks: dict[str, float]) -> int:
    return sum(1 for name in marks if name.endswith(".mo"))


def edit_chapter(project: Project, chapter: str, repeat: int, *, label: str | None = None) -> None:
    """An author's edit: one sentence of one chapter changes."""
    path = project.source_dir / f"{chapter}.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line and line[0].isalpha() and line.endswith("."):
            lines[index] = line[:-1] + f", as revised in edit {label or repeat}."
            break
    write_text_atomic(path, "\n".join(lines) + "\n")


def edit_translation(project: Project, lang: str, chapter: str, label: str) -> None:
    """A translator's save: the first translated entry of a chapter's catalogue gets longer.

    Never a fuzzy entry: Sphinx leaves its msgstr out, so editing it would change nothing.
    """
    path = project.catalog_dir(lang) / f"{chapter}.po"
    catalog = read_catalog(path)
    for message in catalog.messages:
        if message.state == "translated" and not (message.is_header or message.obsolete or message.msgid_plural):
            message.msgstr += f" ({label})"
            write_catalog(path, catalog)
            return
    raise ValueError(f"{path}: no translated entry to edit")


def _count_pages(paths) -> int:
    from pypdf import PdfReader

    return sum(len(PdfReader(path).pages) for path in paths)


def _simplepdf_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("sphinx_simplepdf") is not None


def guide_build_formats() -> list[str]:
    """The formats ``guide build --format`` accepts in this checkout (the PDF edition may not exist yet)."""
    from guidetools.cli import build_parser

    parser = build_parser()
    for action in parser._subparsers._group_actions:  # argparse keeps sub-commands here
        build = action.choices.get("build")
        if build is None:
            continue
        for option in build._actions:
            if "--format" in option.option_strings:
                return list(option.choices or [])
    return []


def _conf_extensions(project: Project) -> list[str]:
    from sphinx.config import Config
    from sphinx.util.tags import Tags

    return list(Config.read(project.source_dir, overrides={}, tags=Tags()).extensions)


# -- results ------------------------------------------------------------------------------------


def _median(runs: list[Run], attribute: str) -> float | None:
    values = [getattr(r, attribute) for r in runs if r.ok]
    return round(statistics.median(values), 2) if values else None


def summarise(runs: list[Run], languages: list[str], source: str) -> dict:
    """Medians per (case, route, language) and the issue's ratios, from wall-clock and CPU times."""
    groups: dict[tuple[str, str, str], list[Run]] = {}
    for run in runs:
        groups.setdefault((run.case, run.route, run.lang), []).append(run)
    rows = []
    for (case, route, lang), members in groups.items():
        chapter_pages = [r.detail["chapter_pages"] for r in members if "chapter_pages" in r.detail]
        rows.append(
            {
                "case": case,
                "route": route,
                "lang": lang,
                "runs": len(members),
                "failed": sum(not r.ok for r in members),
                "wall_s": _median(members, "wall_s"),
                "cpu_s": _median(members, "cpu_s"),
                "peak_mb": max((r.peak_mb for r in members), default=None),
                "pages": _median([r for r in members if r.pages is not None], "pages"),
                "chapter_pages": statistics.median(chapter_pages) if chapter_pages else None,
            }
        )

    def get(case: str, route: str, lang: str, attribute: str) -> float | None:
        for row in rows:
            if (row["case"], row["route"], row["lang"]) == (case, route, lang) and not row["failed"]:
                return row[attribute]
        return None

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    translations = [lang for lang in languages if lang != source]
    ratios: dict[str, dict] = {}
    for measure in ("wall_s", "cpu_s"):
        per_lang = {
            lang: ratio(get("html", "guide", lang, measure), get("html", "guide", source, measure))
            for lang in translations
        }
        stock_per_lang = {
            lang: ratio(get("html", "stock", lang, measure), get("html", "stock", source, measure))
            for lang in translations
        }
        values = [v for v in per_lang.values() if v is not None]
        ratios.setdefault("translated_vs_source_html", {})[measure] = {
            "value": max(values) if values else None,
            "guide_per_language": per_lang,
            "stock_per_language": stock_per_lang,
        }
    # Cold, every edition: the stock route is every language's stock builds one after another.
    all_formats = next((r.detail.get("formats", []) for r in runs if r.case == "all editions"), [])
    for measure in ("wall_s", "cpu_s"):
        stock_total = 0.0
        complete = True
        for lang in languages:
            for case in ["html", *(["pdf"] if "pdf" in all_formats else [])]:
                value = get(case, "stock", lang, measure)
                complete &= value is not None
                stock_total += value or 0.0
        guide_all = get("all editions", "guide", "all", measure)
        ratios.setdefault("cold_all_editions_vs_stock", {})[measure] = {
            "value": ratio(guide_all, stock_total) if complete else None,
            "guide_s": guide_all,
            "stock_s": round(stock_total, 2) if complete else None,
            "formats": all_formats,
        }
    # PDF pages per second (whole-guide pages; the guide also renders every chapter in that time).
    for measure in ("wall_s", "cpu_s"):
        speeds = {}
        for lang in languages:
            pair = []
            for route in ("guide", "stock"):
                pages, seconds = get("pdf", route, lang, "pages"), get("pdf", route, lang, measure)
                pair.append(pages / seconds if pages and seconds else None)
            # Counting the chapter PDFs too: pages of PDF the route wrote per second.
            chapter_pages, seconds = get("pdf", "guide", lang, "chapter_pages"), get("pdf", "guide", lang, measure)
            whole_pages = get("pdf", "guide", lang, "pages")
            all_pages = (whole_pages + chapter_pages) / seconds if whole_pages and chapter_pages and seconds else None
            speeds[lang] = {
                "guide_pages_per_s": _round(pair[0]),
                "stock_pages_per_s": _round(pair[1]),
                "ratio": ratio(pair[0], pair[1]),
                "guide_all_pages_per_s": _round(all_pages),
                "ratio_all_pages": ratio(all_pages, pair[1]),
            }
        known = [s["ratio"] for s in speeds.values() if s["ratio"] is not None]
        ratios.setdefault("pdf_pages_per_second_vs_simplepdf", {})[measure] = {
            "value": min(known) if known else None,
            "per_language": speeds,
        }
    # Peak memory of one language's build (the guide's single-language builds, any format).
    peaks = {}
    for lang in languages:
        values = [get(case, "guide", lang, "peak_mb") for case in ("html", "pdf")]
        values = [v for v in values if v is not None]
        peaks[lang] = max(values) if values else None
    stock_peaks = {
        lang: max(
            [v for v in (get(c, "stock", lang, "peak_mb") for c in ("html", "pdf")) if v is not None], default=None
        )
        for lang in languages
    }
    known = [v for v in peaks.values() if v is not None]
    ratios["peak_memory_mb_per_language"] = {
        "peak_mb": {"value": max(known) if known else None, "guide": peaks, "stock": stock_peaks}
    }
    # Incremental.
    for measure in ("wall_s", "cpu_s"):
        stock_total = [get("incremental", "stock", lang, measure) for lang in languages]
        ratios.setdefault("incremental_one_chapter_all_editions_s", {})[measure] = {
            "value": get("incremental", "guide", "all", measure),
            "stock_html_only_s": round(sum(stock_total), 2) if None not in stock_total else None,
        }
    # The next edit (not a goal of its own: the same goal, once every colophon already says
    # "uncommitted changes").
    for measure in ("wall_s", "cpu_s"):
        stock_total = [get("next edit", "stock", lang, measure) for lang in languages]
        ratios.setdefault("incremental_next_edit_all_editions_s", {})[measure] = {
            "value": get("next edit", "guide", "all", measure),
            "stock_html_only_s": round(sum(stock_total), 2) if None not in stock_total else None,
        }
    # The translators' step (the larger ratio of the two cases).
    for measure in ("wall_s", "cpu_s"):
        cases = {
            case: ratio(get(case, "guide", "all", measure), get(case, "stock", "all", measure))
            for case in ("catalogues", "catalogues, edit")
        }
        known = [value for value in cases.values() if value is not None]
        ratios.setdefault("catalogue_update_vs_stock", {})[measure] = {
            "value": max(known) if known else None,
            "per_case": cases,
        }
    # The translators' preview after a save (the larger ratio of the languages).
    for measure in ("wall_s", "cpu_s"):
        per_lang = {
            lang: ratio(
                get("translation edit", "guide", lang, measure), get("translation edit", "stock", lang, measure)
            )
            for lang in translations
        }
        known = [value for value in per_lang.values() if value is not None]
        ratios.setdefault("translation_preview_vs_stock", {})[measure] = {
            "value": max(known) if known else None,
            "per_language": per_lang,
        }
    return {"rows": rows, "ratios": ratios}


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def verdicts(ratios: dict) -> list[dict]:
    out = []
    for key, (label, goal, kind) in GOALS.items():
        entry = ratios.get(key, {})
        measure = "peak_mb" if key == "peak_memory_mb_per_language" else "wall_s"
        value = entry.get(measure, {}).get("value")
        cpu = entry.get("cpu_s", {}).get("value")
        if value is None:
            status = "not measured"
        else:
            met = value <= goal if kind == "max" else value >= goal
            status = "met" if met else "NOT met"
        out.append(
            {
                "goal": key,
                "label": label,
                "target": f"{'≤' if kind == 'max' else '≥'} {goal}",
                "value": value,
                "cpu_value": cpu,
                "status": status,
            }
        )
    return out


def print_tables(summary: dict, checks: list[dict], file=sys.stdout) -> None:
    print("\nmeasurements (median of the repeats; peak = largest process)", file=file)
    print(
        f"{'case':16} {'route':6} {'lang':5} {'runs':>4} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'pages':>6}",
        file=file,
    )
    for row in summary["rows"]:
        failed = f"  ({row['failed']} failed)" if row["failed"] else ""
        print(
            f"{row['case']:16} {row['route']:6} {row['lang']:5} {row['runs']:>4} {_cell(row['wall_s'])} "
            f"{_cell(row['cpu_s'])} {_cell(row['peak_mb'])} {_cell(row['pages'], 6)}{failed}",
            file=file,
        )
    print("\ngoals (from wall-clock times; CPU-time value alongside)", file=file)
    print(f"{'goal':48} {'target':>8} {'value':>8} {'CPU':>8}  status", file=file)
    for check in checks:
        print(
            f"{check['label']:48} {check['target']:>8} {_cell(check['value'])} {_cell(check['cpu_value'])}  {check['status']}",
            file=file,
        )


def _cell(value, width: int = 8) -> str:
    if value is None:
        return f"{'—':>{width}}"
    return f"{value:>{width}.2f}" if isinstance(value, float) else f"{value:>{width}}"


def machine() -> dict:
    info = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        info["memory_gb"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (OSError, ValueError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    for package in ("sphinx", "myst-parser", "docutils", "weasyprint", "sphinx-simplepdf", "furo"):
        try:
            info[package] = version(package)
        except PackageNotFoundError:
            info[package] = None
    return info


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nox -s bench --", description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapters", type=int, default=20, help="chapters of the generated guide (default: 20)")
    parser.add_argument("--sections", type=int, default=10, help="sections per chapter (default: 10)")
    parser.add_argument("--languages", type=int, default=4, help="pseudo-translated languages (default: 4)")
    parser.add_argument(
        "--repeat", type=int, default=2, help="repetitions of the whole interleaved sequence (default: 2)"
    )
    parser.add_argument(
        "--html-repeat",
        type=int,
        default=3,
        help="cold HTML builds of each language and route in each repetition, for their median (default: 3)",
    )
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF builds (stock and guide)")
    parser.add_argument(
        "--output", type=Path, help="the JSON report (default: _build/bench/bench.json of this repository)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated guide and its builds (the path is printed)"
    )
    args = parser.parse_args(argv)
    if args.chapters < 2 or min(args.sections, args.repeat, args.html_repeat, args.languages) < 1:
        parser.error("--chapters must be at least 2, --sections, --repeat, --html-repeat and --languages at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    here = Project.find()
    output = args.output or here.build_dir / "bench" / "bench.json"
    workdir = Path(tempfile.mkdtemp(prefix="guide-bench-"))
    try:
        started = time.perf_counter()
        guide = generate(here, workdir / "guide", GuideSize(args.chapters, args.sections), languages=args.languages)
        print(
            f"generated {len(guide.chapters)} chapters, {guide.words} words, {guide.messages} messages, "
            f"languages {', '.join(guide.languages)} in {time.perf_counter() - started:.0f} s: {guide.project.root}",
            file=sys.stderr,
        )
        bench = Bench(guide, args)
        info = machine()
        bench.run_all()
        info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        summary = summarise(bench.runs, guide.languages, guide.project.registry.source)
        checks = verdicts(summary["ratios"])
        print_tables(summary, checks)
        report = {
            "machine": info,
            "guide": {
                "chapters": args.chapters,
                "sections": args.sections,
                "words": guide.words,
                "messages": guide.messages,
                "languages": guide.languages,
            },
            "detected": {"guide_build_formats": bench.guide_formats, "sphinx_simplepdf": bench.stock_pdf},
            "goals": checks,
            **summary,
            "runs": [asdict(run) for run in bench.runs],
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(output, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"\nJSON report: {output}", file=sys.stderr)
        failed = [run for run in bench.runs if not run.ok]
        for run in failed:
            print(f"failed: {run.route} {run.case} {run.lang}:\n{run.output_tail}", file=sys.stderr)
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
