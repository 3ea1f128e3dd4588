"""``guide status``: how far each translation is, per language and chapter, and what to do next.

Counts come from the .po files: an entry is *translated* (non-empty msgstr, not fuzzy), *fuzzy*
(its source changed since it was translated, or a suggestion) or *untranslated*. Progress is
measured in words of the source text, because a heading and a long paragraph are not the same
amount of work; fuzzy entries do not count as translated (readers see the source text for them).
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
from dataclasses import dataclass, field, fields
from pathlib import Path

from guidetools import GuideError
from guidetools.catalog import Catalog, count_words, iter_catalog_files, parse_catalog
from guidetools.languages import Language
from guidetools.project import Project, write_text_atomic

PLACEHOLDER_DATE = "YEAR-MO-DA HO:MI+ZONE"


@dataclass
class Counts:
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    words_translated: int = 0
    words_fuzzy: int = 0
    words_untranslated: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def words_total(self) -> int:
        return self.words_translated + self.words_fuzzy + self.words_untranslated

    @property
    def percent(self) -> float:
        """Percent of the source words translated, rounded down to 0.1 (100.0 only when complete)."""
        if not self.words_total:
            return 100.0 if not self.untranslated and not self.fuzzy else 0.0
        return math.floor(1000.0 * self.words_translated / self.words_total) / 10.0

    def add(self, other: Counts) -> None:
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def count(self, catalog: Catalog) -> None:
        for message in catalog.entries:
            words = count_words(message.msgid)
            state = message.state
            setattr(self, state, getattr(self, state) + 1)
            setattr(self, f"words_{state}", getattr(self, f"words_{state}") + words)

    def to_json(self) -> dict:
        return {
            "percent": self.percent,
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "total": self.total,
            "words_translated": self.words_translated,
            "words_total": self.words_total,
        }


COUNT_FIELDS = tuple(counted.name for counted in fields(Counts))


@dataclass
class ChapterStatus(Counts):
    name: str = ""
    path: Path | None = None
    revised: str | None = None  # PO-Revision-Date, when a translator's tool set it
    committed: str | None = None  # date of the last commit that changed the file (with_dates)

    @property
    def updated(self) -> str | None:
        """The day the catalogue last changed, as far as its header and git tell (YYYY-MM-DD)."""
        days = [value[:10] for value in (self.revised, self.committed) if value]
        return max(days) if days else None


@dataclass
class LanguageStatus(Counts):
    language: Language | None = None
    chapters: dict[str, ChapterStatus] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # chapters of the guide without a catalogue

    @property
    def updated(self) -> str | None:
        days = [chapter.updated for chapter in self.chapters.values() if chapter.updated]
        return max(days) if days else None

    @property
    def releasable(self) -> bool:
        return self.percent >= self.language.release_threshold

    def to_json(self) -> dict:
        return {**super().to_json(), "chapters": {name: chapter.to_json() for name, chapter in self.chapters.items()}}


@dataclass
class Hint:
    """One suggestion for translators, with what it costs."""

    lang: str
    text: str
    priority: int  # 0: blocked or half-done work first, then the release threshold, then chapters
    words: int


@dataclass
class StatusReport:
    languages: list[LanguageStatus] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"languages": {status.language.code: status.to_json() for status in self.languages}}


def expected_catalogs(project: Project) -> set[str]:
    """The catalogues every language should have: one per source document (and the published templates)."""
    names = set()
    for path in project.source_dir.rglob("*.md"):
        relative = path.relative_to(project.source_dir)
        if any(part.startswith(("_", ".")) for part in relative.parts) or relative.name == "README.md":
            continue
        names.add(relative.with_suffix("").as_posix())
    templates = project.build_dir / "gettext"
    names.update(
        path.relative_to(templates).with_suffix("").as_posix() for path in iter_catalog_files(templates, ".pot")
    )
    return names


def commit_dates(project: Project) -> dict[Path, str]:
    """The date of the last commit that changed each catalogue (empty outside a git checkout)."""
    try:
        result = subprocess.run(
            ["git", "-C", str(project.root), "log", "--format=@%cs", "--name-only", "--", "locales"],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        return {}
    if result.returncode != 0:
        return {}
    dates: dict[Path, str] = {}
    day = None
    for line in result.stdout.splitlines():
        if line.startswith("@"):
            day = line[1:]
        elif line.strip() and day:
            dates.setdefault(project.root / line.strip(), day)  # newest commits come first
    return dates


# Bump when counting changes: cached counts made by other rules must not be served.
COUNTS_VERSION = 1


class CountsCache:
    """The counts of each catalogue ever counted, by the SHA-256 of its bytes.

    Every HTML build shows every language's progress on its status page, so each of the five
    language builds read all the catalogues of all the languages (88 files, 1 to 1.5 s per build
    on the generated guide) although usually none or one of them changed. Keyed by content, not
    by modification time, so a stale count cannot be served. A file that does not parse is never
    stored, so it is reported every time.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, dict] = {}
        self.used: set[str] = set()
        self.changed = False
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}  # a damaged cache is only a slower build
            if isinstance(data, dict) and data.get("version") == COUNTS_VERSION:
                self.entries = data.get("catalogs", {})

    def counts(self, path: Path) -> tuple[Counts, str | None]:
        """The counts and PO-Revision-Date of the catalogue at ``path``."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise GuideError(f"{path}: cannot read the catalogue: {exc.strerror}") from None
        key = hashlib.sha256(data).hexdigest()
        self.used.add(key)
        cached = self.entries.get(key)
        if cached is None:
            catalog = parse_catalog(data, path)
            counts = Counts()
            counts.count(catalog)
            cached = {name: getattr(counts, name) for name in COUNT_FIELDS}
            cached["revised"] = catalog.get_metadata("PO-Revision-Date")
            self.entries[key] = cached
            self.changed = True
        counts = Counts(**{name: cached[name] for name in COUNT_FIELDS})
        return counts, cached["revised"]

    def save(self, *, forget_unused: bool) -> None:
        """Write the cache if it changed; ``forget_unused`` (after counting every language) drops old contents."""
        forgotten = set(self.entries) - self.used if forget_unused else set()
        if self.path is None or not (self.changed or forgotten):
            return
        kept = {key: value for key, value in self.entries.items() if key not in forgotten}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.path, json.dumps({"version": COUNTS_VERSION, "catalogs": kept}, sort_keys=True))


def counts_cache_path(project: Project) -> Path:
    return project.build_dir / ".sphinx" / "status" / "counts.json"


def language_status(
    project: Project,
    language: Language,
    expected: set[str],
    dates: dict[Path, str] | None = None,
    cache: CountsCache | None = None,
) -> LanguageStatus:
    folder = project.catalog_dir(language.code)
    status = LanguageStatus(language=language)
    cache = cache or CountsCache(None)
    for path in iter_catalog_files(folder):
        counts, revised = cache.counts(path)
        name = path.relative_to(folder).with_suffix("").as_posix()
        chapter = ChapterStatus(
            name=name,
            path=path,
            revised=revised if revised and revised != PLACEHOLDER_DATE else None,
            committed=(dates or {}).get(path),
        )
        chapter.add(counts)
        status.chapters[name] = chapter
        status.add(chapter)
    status.missing = sorted(expected - set(status.chapters))
    # A chapter without a catalogue yet is all to translate: count it from its template if there is one.
    for name in status.missing:
        template = project.build_dir / "gettext" / f"{name}.pot"
        if template.is_file():
            chapter = ChapterStatus(name=name)
            counts, _revised = cache.counts(template)
            chapter.add(counts)
            status.chapters[name] = chapter
            status.add(chapter)
    return status


def hints_for(status: LanguageStatus) -> list[Hint]:
    code = status.language.code
    hints = [
        Hint(code, f"{code}: {name}.po is missing: run `guide update` to create it", 0, 0) for name in status.missing
    ]
    for chapter in status.chapters.values():
        if chapter.fuzzy:
            hints.append(
                Hint(
                    code,
                    f"{code}: review {chapter.fuzzy} fuzzy entr{'y' if chapter.fuzzy == 1 else 'ies'} in {chapter.name}.po "
                    f"({chapter.words_fuzzy} words): the source changed, the old translation is there to adapt",
                    0,
                    chapter.words_fuzzy,
                )
            )
    threshold = status.language.release_threshold
    if not status.releasable and status.words_total:
        needed = math.ceil(threshold / 100.0 * status.words_total) - status.words_translated
        hints.append(
            Hint(
                code,
                f"{code}: {needed} more words translated reach the release threshold ({threshold:g} %); "
                f"now {status.percent:g} %",
                1,
                needed,
            )
        )
    for chapter in status.chapters.values():
        if chapter.untranslated and chapter.name not in status.missing:
            hints.append(
                Hint(
                    code,
                    f"{code}: translate {chapter.words_untranslated} words ({chapter.untranslated} "
                    f"entr{'y' if chapter.untranslated == 1 else 'ies'}) to finish {chapter.name}.po "
                    f"(now {chapter.percent:g} %)",
                    2,
                    chapter.words_untranslated,
                )
            )
    return hints


def compute_status(
    project: Project, langs: list[str] | None = None, *, with_dates: bool = False, cached: bool = True
) -> StatusReport:
    """Progress of every translation (or of ``langs``), with sorted hints: cheapest useful work first.

    ``with_dates`` also asks git when each catalogue last changed (for the dashboard). ``cached``
    reuses the counts of catalogues whose bytes were counted before (see ``CountsCache``).
    """
    cache = CountsCache(counts_cache_path(project) if cached else None)
    expected = expected_catalogs(project)
    dates = commit_dates(project) if with_dates else None
    report = StatusReport()
    languages = [lang for lang in project.registry.select(langs) if lang.code != project.registry.source]
    order = {lang.code: index for index, lang in enumerate(languages)}
    for language in languages:
        status = language_status(project, language, expected, dates, cache)
        report.languages.append(status)
        report.hints += hints_for(status)
    cache.save(forget_unused=langs is None)  # a run for some languages keeps the others' counts
    report.hints.sort(key=lambda hint: (order[hint.lang], hint.priority, hint.words, hint.text))
    return report


def format_table(report: StatusReport) -> list[str]:
    """The status as aligned text: a line per language, a line per chapter, then the hints."""
    lines = []
    width = max([len(name) for status in report.languages for name in status.chapters] + [8])
    for status in report.languages:
        language = status.language
        mark = "release ok" if status.releasable else f"below release threshold {language.release_threshold:g} %"
        lines.append(
            f"{language.code} {language.name} ({language.native_name}): {status.percent:g} % of "
            f"{status.words_total} words translated; {status.translated} translated, {status.fuzzy} fuzzy, "
            f"{status.untranslated} untranslated entries; {mark}"
        )
        lines.append(
            f"  {'chapter':<{width}}  {'translated':>10}  {'fuzzy':>5}  {'untransl.':>9}  {'words':>11}  {'%':>5}"
        )
        for name, chapter in sorted(status.chapters.items()):
            words = f"{chapter.words_translated}/{chapter.words_total}"
            lines.append(
                f"  {name:<{width}}  {chapter.translated:>10}  {chapter.fuzzy:>5}  {chapter.untranslated:>9}  "
                f"{words:>11}  {chapter.percent:>5.1f}"
            )
    if report.hints:
        lines.append("next steps:")
        lines += [f"  {hint.text}" for hint in report.hints]
    return lines
