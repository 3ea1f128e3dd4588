"""The ``guide`` command: a thin argparse layer over operations that return data.

Every sub-command maps arguments to one function in an operations module, then prints what it
returned. Problems the user can fix are raised as ``GuideError`` and printed as one line.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

from guidetools import GuideError
from guidetools.project import Project

EPILOG = """\
examples:
  guide build                      build the PDF and HTML editions of every language
  guide build --format pdf -l ar   build only the Arabic PDFs (whole guide and chapters)
  guide build --lang es --lang fr  build only Spanish and French
  guide check --lang es            check the Spanish translations (markup, links, glossary)
  guide new-chapter "Prisons and health"
  guide update                     bring every translation's catalogues up to date with the sources
  guide status --lang fr           what is translated, fuzzy or left to do, and what to do next

Run `guide COMMAND --help` for the options of one command.
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _command(subparsers, name: str, summary: str, example: str, handler: Callable) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        help=summary,
        description=summary,
        epilog="example:\n" + textwrap.indent(example, "  "),
        formatter_class=_Formatter,
    )
    parser.set_defaults(handler=handler)
    # Also accepted after the command (`guide build --quiet`), as CI scripts tend to write it.
    parser.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def _add_lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        "-l",
        action="append",
        metavar="CODE",
        help="language code from locales/languages.toml; repeat for several (default: all)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guide",
        description="Write, translate, build and release the multilingual Drug Policy Guide.",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--root", type=Path, help="the guide repository (default: found from the current folder)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only problems and the final summary (for CI)")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = _command(
        subparsers,
        "build",
        "Build the guide's editions into _build/ (a Sphinx warning fails the build).",
        "guide build --lang es --format html",
        cmd_build,
    )
    _add_lang_option(build)
    build.add_argument(
        "--format",
        "-f",
        action="append",
        choices=["html", "pdf"],
        help="edition format; repeat for several (default: pdf and html; the PDFs are built first "
        "so that every web page links to them)",
    )
    build.add_argument("--jobs", "-j", type=int, help="languages built at once (default: number of cores)")
    build.add_argument("--fresh", action="store_true", help="ignore cached Sphinx environments and rebuild everything")

    release = _command(
        subparsers,
        "release",
        "Build, check and package a release into dist/<version>/ (checksums, manifest, release notes).",
        "guide release --out dist\n"
        "guide release --lang es --part-only --out parts   # one language, on one CI runner\n"
        "guide release --assemble parts --out dist          # gather the parts",
        cmd_release,
    )
    _add_lang_option(release)
    release.add_argument("--out", type=Path, default=Path("dist"), help="where dist/<version>/ goes (default: dist)")
    release.add_argument("--part-only", action="store_true", help="build and package the languages, don't assemble")
    release.add_argument("--assemble", type=Path, metavar="PARTS", help="assemble parts built earlier into a release")
    release.add_argument("--allow-dirty", action="store_true", help="release uncommitted changes (not reproducible)")

    languages = _command(
        subparsers,
        "languages",
        "List the guide's languages from locales/languages.toml (for people, scripts and CI matrices).",
        "guide languages --format github-matrix",
        cmd_languages,
    )
    languages.add_argument("--format", choices=["table", "json", "github-matrix"], default="table")

    check = _command(
        subparsers,
        "check",
        "Check translations: MyST markup, links, structure, HTML, glossary (exit 1 on any error).",
        "guide check --lang es --format github",
        cmd_check,
    )
    _add_lang_option(check)
    check.add_argument("--format", choices=["text", "json", "github"], default="text", help="output (default: text)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help=".po files or folders (default: all)")

    update = _command(
        subparsers,
        "update",
        "Update every language's catalogues from the sources; nothing translated is ever lost.",
        "guide update                     # all languages; report in _build/reports/update.json\n"
        "guide update --lang fr --prune-obsolete",
        cmd_update,
    )
    _add_lang_option(update)
    update.add_argument(
        "--prune-obsolete", action="store_true", help="drop obsolete (#~) entries: translations of removed text"
    )

    status = _command(
        subparsers,
        "status",
        "Show translation progress per language and chapter, and what to do next.",
        "guide status --lang es\nguide status --format json > status.json",
        cmd_status,
    )
    _add_lang_option(status)
    status.add_argument("--format", choices=["table", "json"], default="table", help="output (default: table)")

    wrap = _command(
        subparsers,
        "wrap",
        "Rewrite .po files in msgcat's layout (--check: only list files that need it, exit 1 if any).",
        "guide wrap --check\nguide wrap locales/fr/LC_MESSAGES/principles.po",
        cmd_wrap,
    )
    wrap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not in msgcat's layout")
    wrap.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help=".po/.pot files or folders (default: locales/)"
    )

    merge_po = _command(
        subparsers,
        "merge-po",
        "Git merge driver for .po files: merge entry by entry; a real conflict is marked and exits 1.",
        "guide merge-po %O %A %B %P      # registered by `guide setup-git`",
        cmd_merge_po,
    )
    merge_po.add_argument("base", type=Path, help="the common ancestor's version (%%O)")
    merge_po.add_argument("ours", type=Path, help="our version; receives the result (%%A)")
    merge_po.add_argument("theirs", type=Path, help="their version (%%B)")
    merge_po.add_argument("name", nargs="?", help="the file's path in the repository, for messages (%%P)")
    merge_po.set_defaults(needs_project=False)

    _command(
        subparsers,
        "setup-git",
        "Register the .po merge driver and diff filter in .git/config (see .gitattributes).",
        "guide setup-git",
        cmd_setup_git,
    )

    add_language = _command(
        subparsers,
        "add-language",
        "Add a language to locales/languages.toml and create its catalogues (headers from CLDR).",
        "guide add-language de\nguide add-language pt_BR --threshold 80",
        cmd_add_language,
    )
    add_language.add_argument("code", help="language code: ISO 639 with an optional region (de, pt_BR, zh_Hans)")
    add_language.add_argument("--threshold", type=float, default=90.0, help="release threshold in %% (default: 90)")
    add_language.add_argument("--name", help="English name (default: from CLDR)")
    add_language.add_argument("--native-name", help="the language's name for itself (default: from CLDR)")

    chapter = _command(
        subparsers,
        "new-chapter",
        "Create guide/<slug>.md from _templates/chapter.md and add it to the table of contents.",
        'guide new-chapter "Prisons and health"',
        cmd_new_chapter,
    )
    chapter.add_argument("title", help="the chapter's title, in the source language")
    return parser


def cmd_build(args: argparse.Namespace, project: Project, console: Console) -> int:
    from guidetools.build import EDITION_ORDER, build_editions

    langs = [lang.code for lang in project.registry.select(args.lang)]
    formats = [fmt for fmt in EDITION_ORDER if fmt in (args.format or EDITION_ORDER)]
    with _LanguageProgress(console, langs, formats, quiet=args.quiet) as progress:
        results = build_editions(
            project, langs, formats=formats, jobs=args.jobs, progress=progress.update, fresh=args.fresh
        )
    failed = 0
    for result in results:
        for problem in result.problems:
            console.print(
                f"[red]{problem}[/]" if console.is_terminal else str(problem),
                markup=console.is_terminal,
                highlight=False,
            )
        if result.ok:
            if not args.quiet:
                pages = getattr(result, "pages", None)  # print editions report their files and pages
                detail = f"{len(pages)} PDFs, {sum(pages.values())} pages, " if pages else ""
                console.print(
                    f"{result.lang}: {result.builder} → {_shown(result.outdir, project)} ({detail}{result.seconds:.1f} s)"
                )
        else:
            failed += 1
            console.print(
                f"{result.lang}: {result.builder} build failed with {len(result.problems)} problem(s); "
                f"the previous edition in {_shown(result.outdir, project)} was kept",
                highlight=False,
            )
    return 1 if failed else 0


def cmd_release(args: argparse.Namespace, project: Project, console: Console) -> int:
    from guidetools import release

    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    try:
        if args.assemble:
            result = release.assemble_release(project, args.assemble, out)
        else:
            result = release.release(
                project, out, langs=args.lang, part_only=args.part_only, allow_dirty=args.allow_dirty
            )
    except release.ReleaseRefused as refused:
        print(f"guide: release refused, {len(refused.reasons)} problem(s):", file=sys.stderr)
        for reason in refused.reasons:
            print(f"  {reason}", file=sys.stderr)
        return 1
    if args.part_only:
        console.print(f"release parts for {result.version} written to {_shown(result.directory, project)}")
        return 0
    for code, data in result.manifest["languages"].items():
        console.print(f"{code}: {data['status']} ({data['completion']:.1f} % of words translated)")
    console.print(f"release {result.version} → {_shown(result.directory, project)} (verify: sha256sum -c SHA256SUMS)")
    return 0


def cmd_languages(args: argparse.Namespace, project: Project, console: Console) -> int:
    import json

    registry = project.registry
    rows = [
        {
            "code": lang.code,
            "name": lang.name,
            "native_name": lang.native_name,
            "direction": lang.direction,
            "script": lang.script,
            "release_threshold": lang.release_threshold,
            "source": lang.code == registry.source,
        }
        for lang in registry.languages
    ]
    if args.format == "json":
        print(json.dumps({"source": registry.source, "languages": rows}, ensure_ascii=False, indent=2))
    elif args.format == "github-matrix":
        # One line for $GITHUB_OUTPUT: a job matrix with one entry per language.
        print("matrix=" + json.dumps({"lang": registry.codes}, separators=(",", ":")))
    else:
        for row in rows:
            marker = " (source)" if row["source"] else ""
            print(
                f"{row['code']:<6} {row['name']:<12} {row['native_name']:<12} {row['direction']}  "
                f"{row['script']}  release at {row['release_threshold']:g} %{marker}"
            )
    return 0


def cmd_check(args: argparse.Namespace, project: Project, console: Console) -> int:
    from guidetools.check import check_catalogues, format_report

    report = check_catalogues(project, args.lang, args.paths)
    output, summary = format_report(report, args.format)
    if output:
        print(output)
    if not args.quiet or not report.ok:
        print(summary, file=sys.stderr if args.format == "json" else sys.stdout)
    return 0 if report.ok else 1


def cmd_new_chapter(args: argparse.Namespace, project: Project, console: Console) -> int:
    from guidetools.chapters import new_chapter

    path = new_chapter(project, args.title)
    console.print(f"created {_shown(path, project)} and added it to guide/index.md", highlight=False)
    console.print("next: write the chapter, preview it with `nox -s live`, then run `guide update`", highlight=False)
    return 0


def cmd_update(args: argparse.Namespace, project: Project, console: Console) -> int:
    from guidetools.update import format_report, update_catalogs

    report = update_catalogs(project, args.lang, prune_obsolete=args.prune_obsolete)
    for warning in report.warnings:
        console.print(f"warning: {warning}", highlight=False, markup=False)
    for line in format_report(report, project):
        console.print(line, highlight=False, markup=False)
    console.print(f"report: {_shown(report.report_file, project)}", highlight=False)
    return 0


def cmd_status(args: argparse.Namespace, project: Project, console: Console) -> int:
    from guidetools.status import compute_status, format_table

    report = compute_status(project, args.lang)
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for line in format_table(report):
            console.print(line, highlight=False, markup=False)
    return 0


def cmd_wrap(args: argparse.Namespace, project: Project, console: Console) -> int:
    from guidetools.wrap import wrap_catalogs

    result = wrap_catalogs(project, args.paths, check=args.check)
    for path in result.changed:
        verb = "not in msgcat's layout" if args.check else "rewrapped"
        console.print(f"{_shown(path, project)}: {verb}", highlight=False, markup=False)
    if args.check and result.changed:
        console.print(f"{len(result.changed)} of {result.checked} file(s) need `guide wrap`", highlight=False)
        return 1
    if not args.quiet:
        console.print(f"{result.checked} file(s) checked, {len(result.changed)} rewrapped", highlight=False)
    return 0


def cmd_merge_po(args: argparse.Namespace, project: Project | None, console: Console) -> int:
    from guidetools.merge_po import merge_files

    result = merge_files(args.base, args.ours, args.theirs, name=args.name)
    for line in result.messages():
        print(f"guide merge-po: {line}", file=sys.stderr)
    return 1 if result.conflicts else 0


def cmd_setup_git(args: argparse.Namespace, project: Project, console: Console) -> int:
    from guidetools.gitsetup import setup_git

    for line in setup_git(project):
        console.print(line, highlight=False, markup=False)
    return 0


def cmd_add_language(args: argparse.Namespace, project: Project, console: Console) -> int:
    from guidetools.newlanguage import add_language

    result = add_language(project, args.code, threshold=args.threshold, name=args.name, native_name=args.native_name)
    language = result.language
    console.print(
        f"added {language.code} ({language.name}, {language.native_name}, {language.direction}, {language.script}) "
        f"to {_shown(project.registry_path, project)}",
        highlight=False,
        markup=False,
    )
    console.print(
        f"created {len(result.catalogs)} catalogue(s) in {_shown(project.catalog_dir(language.code), project)} "
        f"(Plural-Forms: {result.plural_forms})",
        highlight=False,
        markup=False,
    )
    return 0


def _shown(path: Path, project: Project) -> str:
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)


class _LanguageProgress:
    """One progress row per language, fed by the status of each build ("pdf: writing PDF", "html: reading sources")."""

    def __init__(self, console: Console, langs: list[str], formats: list[str], quiet: bool) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.enabled = not quiet and console.is_terminal
        self.progress = Progress(
            TextColumn("{task.fields[lang]:>4}"),
            BarColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            disable=not self.enabled,
        )
        self.formats = formats
        self.total = 200 * len(formats)
        self.tasks = {lang: self.progress.add_task("waiting", total=self.total, lang=lang) for lang in langs}

    def update(self, lang: str, phase: str, percent: int) -> None:
        # Each edition has two phases with a percentage: reading sources (first half of its share of
        # the bar) and writing output (second half).
        fmt, _, step = phase.partition(": ")
        offset = 200 * self.formats.index(fmt) if fmt in self.formats else 0
        offset += 100 if step.startswith("writing") else 0
        self.progress.update(self.tasks[lang], completed=offset + percent, description=phase)

    def __enter__(self) -> _LanguageProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        for task in self.tasks.values():
            self.progress.update(task, completed=self.total, description="done")
        self.progress.__exit__(*exc)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(stderr=False, highlight=False, soft_wrap=True)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        # The merge driver works on any three files git hands it: no guide repository needed.
        project = Project.find(args.root) if getattr(args, "needs_project", True) else None
        return args.handler(args, project, console)
    except GuideError as exc:
        print(f"guide: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("guide: interrupted; published editions were left as they were", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
