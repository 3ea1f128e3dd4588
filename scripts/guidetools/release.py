"""Cut a release: decide released/preview languages, refuse on errors, assemble verifiable artefacts.

The pipeline (``guide release``) is:

1. version, commit and date from git (:mod:`guidetools.version`); ``SOURCE_DATE_EPOCH`` defaults
   to the commit date, so two runs on one commit produce the same bytes;
2. per language, completion by words from the catalogues; a language at or above its registry
   threshold is *released*, below it a *preview*; the source language is always released;
3. ``guide check`` errors in a released language, or any Sphinx warning in any build, stop the
   release with the reasons listed;
4. per language a *part* (whole-guide PDF, zip of chapter PDFs, zip of the HTML site, part.json);
5. the parts are assembled into ``dist/<version>/`` with ``SHA256SUMS``, ``manifest.json`` and
   ``RELEASE_NOTES.md`` — in a temporary folder renamed into place, so a failure leaves no half
   release and keeps the previous one.

Steps 4 and 5 can run on different machines (the CI release workflow builds one part per runner,
then assembles): ``--part-only`` and ``--assemble``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from guidetools import GuideError
from guidetools.artifacts import atomic_directory, deterministic_zip, sha256_file, write_sha256sums
from guidetools.project import Project, write_text_atomic
from guidetools.version import SourceVersion, source_version

SLUG = "drug-policy-guide"
PART_FILE = "part.json"
PREVIEWS = "previews"


@dataclass
class LanguageDecision:
    lang: str
    name: str
    completion: float  # percent of words translated (100 for the source language)
    threshold: float
    status: str  # "released" or "preview"

    @property
    def released(self) -> bool:
        return self.status == "released"


@dataclass
class Part:
    """One language's share of a release, as produced by one build machine."""

    lang: str
    name: str
    status: str
    completion: float
    threshold: float
    check: dict[str, int]
    files: list[str] = field(default_factory=list)


@dataclass
class ReleaseResult:
    version: str
    directory: Path
    manifest: dict
    refused: list[str] = field(default_factory=list)


def decide_languages(project: Project, completion: dict[str, float]) -> list[LanguageDecision]:
    """Released or preview for each language, from completion by words and the registry thresholds."""
    registry = project.registry
    decisions = []
    for lang in registry.languages:
        percent = 100.0 if lang.code == registry.source else float(completion.get(lang.code, 0.0))
        released = lang.code == registry.source or percent >= lang.release_threshold
        decisions.append(
            LanguageDecision(
                lang.code, lang.name, round(percent, 1), lang.release_threshold, "released" if released else "preview"
            )
        )
    return decisions


def completion_by_words(project: Project) -> dict[str, float]:
    """Percent of source words translated per language (fuzzy counts as not translated)."""
    from guidetools.status import compute_status

    status = compute_status(project).to_json()
    return {code: data["percent"] for code, data in status["languages"].items()}


def file_entry(path: Path, folder: Path) -> dict:
    return {"name": path.relative_to(folder).as_posix(), "size": path.stat().st_size, "sha256": sha256_file(path)}


# Parts -------------------------------------------------------------------------------------------------


def make_part(project: Project, decision: LanguageDecision, version: SourceVersion, check: dict, out: Path) -> Part:
    """Package one built language into ``out/<lang>/``: PDF, chapter PDFs zip, HTML zip, part.json."""
    lang = decision.lang
    base = f"{SLUG}-{version.version}-{lang}"
    folder = out / lang
    folder.mkdir(parents=True, exist_ok=True)
    whole = project.build_dir / "pdf" / f"{SLUG}-{version.version}-{lang}.pdf"
    chapters = project.build_dir / "pdf" / lang
    site = project.html_dir(lang)
    for required in (whole, chapters, site):
        if not required.exists():
            raise GuideError(f"{required}: missing after the build of {lang}; cannot package the release")
    shutil.copyfile(whole, folder / f"{base}.pdf")
    deterministic_zip(chapters, folder / f"{base}-chapters.zip", version.timestamp, prefix=f"{base}-chapters/")
    deterministic_zip(site, folder / f"{base}-html.zip", version.timestamp, prefix=f"{base}-html/")
    part = Part(
        lang=lang,
        name=decision.name,
        status=decision.status,
        completion=decision.completion,
        threshold=decision.threshold,
        check=check,
        files=sorted(p.name for p in folder.iterdir() if p.name != PART_FILE),
    )
    write_text_atomic(folder / PART_FILE, json.dumps(asdict(part), indent=2, ensure_ascii=False) + "\n")
    return part


def read_parts(parts_dir: Path) -> list[tuple[Part, Path]]:
    parts = []
    for path in sorted(parts_dir.glob(f"*/{PART_FILE}")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            parts.append((Part(**data), path.parent))
        except (ValueError, TypeError) as exc:
            raise GuideError(f"{path}: not a release part ({exc})") from None
    if not parts:
        raise GuideError(f"{parts_dir}: no release parts (*/{PART_FILE}) found")
    return parts


# Assembly ----------------------------------------------------------------------------------------------


def assemble(
    project: Project,
    parts_dir: Path,
    out: Path,
    version: SourceVersion,
    notes: str,
) -> ReleaseResult:
    """Gather the parts into ``out/<version>/`` atomically, with SHA256SUMS and manifest.json."""
    parts = read_parts(parts_dir)
    order = {code: index for index, code in enumerate(project.registry.codes)}
    parts.sort(key=lambda item: order.get(item[0].lang, len(order)))
    final = out / version.version
    with atomic_directory(final) as staging:
        languages = {}
        files: list[Path] = []
        for part, folder in parts:
            target = staging if part.status == "released" else staging / PREVIEWS
            target.mkdir(exist_ok=True)
            entries = []
            for name in part.files:
                shutil.copyfile(folder / name, target / name)
                files.append(target / name)
                entries.append(file_entry(target / name, staging))
            languages[part.lang] = {
                "name": part.name,
                "status": part.status,
                "completion": part.completion,
                "threshold": part.threshold,
                "files": entries,
                "check": part.check,
            }
        manifest = {
            "name": SLUG,
            "version": version.version,
            "commit": version.commit,
            "build_date": version.iso_date,
            "source_date_epoch": version.timestamp,
            "languages": languages,
        }
        write_text_atomic(staging / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        write_text_atomic(staging / "RELEASE_NOTES.md", notes)
        write_sha256sums(staging, [*files, staging / "manifest.json", staging / "RELEASE_NOTES.md"])
    return ReleaseResult(version.version, final, manifest)


# Release notes -----------------------------------------------------------------------------------------


def _git(root: Path, *args: str) -> str | None:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def previous_tag(root: Path) -> str | None:
    """The release tag before HEAD's own (HEAD may itself be tagged)."""
    return _git(root, "describe", "--tags", "--abbrev=0", "HEAD^")


def completion_at(project: Project, revision: str) -> dict[str, float]:
    """Completion by words per language in the catalogues of an earlier revision."""
    with tempfile.TemporaryDirectory(prefix="guide-release-") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(project.root), "archive", revision, "guide", "locales"],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            return {}
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        try:
            return completion_by_words(Project(Path(tmp)))
        except GuideError:
            return {}


def changed_chapters(project: Project, since: str) -> list[str]:
    names = _git(project.root, "diff", "--name-only", f"{since}..HEAD", "--", "guide") or ""
    return sorted({Path(name).stem for name in names.splitlines() if name.endswith(".md")})


def release_notes(
    project: Project,
    version: SourceVersion,
    decisions: list[LanguageDecision],
    before: dict[str, float] | None,
    since: str | None,
    chapters: list[str],
) -> str:
    lines = [f"# Drug Policy Guide {version.version}", ""]
    if version.commit:
        lines += [f"Built from commit `{version.commit}` ({version.date:%Y-%m-%d}).", ""]
    released = [d for d in decisions if d.released]
    previews = [d for d in decisions if not d.released]
    lines += ["## Languages in this release", ""]
    lines += [
        "| Language | Status | Translated (words) | Since " + (since or "the start") + " |",
        "| --- | --- | ---: | ---: |",
    ]
    for decision in released + previews:
        if before is None or decision.lang not in before:
            delta = "new"
        else:
            delta = f"{decision.completion - before[decision.lang]:+.1f} points"
        status = "released" if decision.released else f"preview (needs {decision.threshold:g} %)"
        lines.append(f"| {decision.name} (`{decision.lang}`) | {status} | {decision.completion:.1f} % | {delta} |")
    lines.append("")
    if previews:
        lines += [
            "Previews are published under `previews/` for translators and reviewers; they are not part of this "
            "announcement until they reach their release threshold.",
            "",
        ]
    lines += ["## Chapters changed" + (f" since {since}" if since else ""), ""]
    lines += [f"- `{name}`" for name in chapters] or ["- none"]
    lines += ["", "Verify the files with `sha256sum -c SHA256SUMS`.", ""]
    return "\n".join(lines)


# The whole pipeline ------------------------------------------------------------------------------------

BuildEditions = Callable[[Project, list[str]], list]


def _default_build(project: Project, langs: list[str]) -> list:
    from guidetools.build import build_editions

    return build_editions(project, langs, formats=["pdf", "html"])


def release(
    project: Project,
    out: Path,
    *,
    langs: Sequence[str] | None = None,
    part_only: bool = False,
    allow_dirty: bool = False,
    build: BuildEditions = _default_build,
) -> ReleaseResult:
    """Build, check and package a release into ``out`` (see the module docstring)."""
    version = source_version(project.root)
    if version.dirty and not allow_dirty:
        raise GuideError("the working tree has uncommitted changes; commit them first (a release must match a commit)")
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(version.timestamp))
    selected = [lang.code for lang in project.registry.select(list(langs) if langs else None)]
    decisions = [d for d in decide_languages(project, completion_by_words(project)) if d.lang in selected]

    from guidetools.check import check_catalogues

    refused: list[str] = []
    report = check_catalogues(project, [d.lang for d in decisions if d.lang != project.registry.source])
    summaries = {}
    for decision in decisions:
        errors = [f for f in report.errors if f.lang == decision.lang]
        warnings = [f for f in report.warnings if f.lang == decision.lang]
        summaries[decision.lang] = {"errors": len(errors), "warnings": len(warnings)}
        if decision.released:
            refused += [f"{f.file}:{f.line}: {f.check}: {f.message}" for f in errors]
    if refused:
        raise ReleaseRefused(refused)

    results = build(project, [d.lang for d in decisions])
    problems = [f"{r.lang} ({r.builder}): {p}" for r in results for p in r.problems]
    if problems:
        raise ReleaseRefused(problems)

    with tempfile.TemporaryDirectory(prefix=".guide-parts-", dir=project.build_dir) as tmp:
        parts_dir = Path(tmp)
        for decision in decisions:
            make_part(project, decision, version, summaries[decision.lang], parts_dir)
        if part_only:
            target = out
            target.mkdir(parents=True, exist_ok=True)
            for folder in sorted(parts_dir.iterdir()):
                destination = target / folder.name
                if destination.exists():
                    shutil.rmtree(destination)
                shutil.copytree(folder, destination)
            return ReleaseResult(version.version, target, {})
        return assemble_release(project, parts_dir, out, version)


def assemble_release(
    project: Project, parts_dir: Path, out: Path, version: SourceVersion | None = None
) -> ReleaseResult:
    version = version or source_version(project.root)
    parts = read_parts(parts_dir)
    decisions = [LanguageDecision(p.lang, p.name, p.completion, p.threshold, p.status) for p, _ in parts]
    since = previous_tag(project.root)
    before = completion_at(project, since) if since else None
    chapters = changed_chapters(project, since) if since else sorted(p.stem for p in project.source_dir.glob("*.md"))
    notes = release_notes(project, version, decisions, before, since, chapters)
    return assemble(project, parts_dir, out, version, notes)


class ReleaseRefused(GuideError):
    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        shown = "; ".join(reasons[:5]) + (f"; … and {len(reasons) - 5} more" if len(reasons) > 5 else "")
        super().__init__(f"release refused ({len(reasons)} problem(s)): {shown}")
