"""``guide update``: bring every language's catalogues up to date with the sources, losing nothing.

1. Every existing catalogue of the selected languages is read and checked first: a broken file
   stops the run before anything is written.
2. Templates (.pot) are extracted with Sphinx's gettext builder, one per chapter, plus ``ui.pot``
   for the ``ui("…")`` strings of ``_templates/``. They are published in ``_build/gettext/``.
3. Each language's .po file is merged with its template (:func:`merge_catalog`):

   * an unchanged paragraph keeps its entry exactly as it was;
   * an edited paragraph keeps its old translation, marked fuzzy, with the old source text as
     ``#| msgid`` so the translator sees what changed;
   * a paragraph moved to another chapter takes its translation along, and a new entry whose text
     is already translated in another chapter (a repeated heading, say) gets that translation;
   * a removed paragraph's translation is kept as an obsolete ``#~`` entry until a maintainer runs
     ``guide update --prune-obsolete``.

   A non-empty msgstr is never dropped or altered, only marked fuzzy.
4. A catalogue is written (atomically, in msgcat's layout) only when its content changed; header
   fields that change on every extraction (POT-Creation-Date) do not count. Running the update
   twice therefore rewrites nothing.
5. The changes are returned per language and chapter (new, changed, removed; entries and words)
   and written to ``_build/reports/update.json``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from guidetools import GuideError
from guidetools.catalog import (
    Catalog,
    Message,
    count_words,
    format_header,
    iter_catalog_files,
    read_catalog,
    same_comparable_text,
    write_catalog,
)
from guidetools.languages import Language
from guidetools.project import Project, write_text_atomic
from guidetools.ui import UI_CATALOG, extract_ui_messages

# msgmerge's threshold: below this similarity an old translation is no help for a new paragraph.
FUZZY_THRESHOLD = 0.6
TEMPLATE_SUFFIXES = (".html", ".jinja", ".j2", ".txt", ".xml", ".svg", ".css")
DEFAULT_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"


def templates_dir(project: Project) -> Path:
    """Where the extracted templates (.pot) are published for translators' tools."""
    return project.build_dir / "gettext"


def report_path(project: Project) -> Path:
    return project.build_dir / "reports" / "update.json"


# --- reports ---------------------------------------------------------------------------------


@dataclass
class Change:
    """One entry that changed for translators."""

    msgid: str
    previous: str | None = None  # the old source text (changed entries)
    source: str | None = None  # the catalogue a moved or reused translation came from

    @property
    def words(self) -> int:
        return count_words(self.msgid)


@dataclass
class CatalogUpdate:
    """What ``guide update`` did to one language's catalogue of one chapter."""

    lang: str
    name: str  # the chapter's document name, or "ui"
    path: Path
    created: bool = False
    written: bool = False
    new: list[Change] = field(default_factory=list)  # to translate
    changed: list[Change] = field(default_factory=list)  # source edited: old translation kept, fuzzy
    moved: list[Change] = field(default_factory=list)  # translation moved from another chapter
    reused: list[Change] = field(default_factory=list)  # same text translated in another chapter
    restored: list[Change] = field(default_factory=list)  # an obsolete entry's source came back
    removed: list[Change] = field(default_factory=list)  # source gone (translations kept as #~)
    pruned: list[Change] = field(default_factory=list)  # obsolete entries dropped (--prune-obsolete)

    KINDS = ("new", "changed", "moved", "reused", "restored", "removed", "pruned")

    @property
    def has_changes(self) -> bool:
        return self.created or any(getattr(self, kind) for kind in self.KINDS)

    def to_json(self, root: Path) -> dict:
        result: dict = {"path": _relative(self.path, root), "created": self.created, "written": self.written}
        for kind in self.KINDS:
            changes = getattr(self, kind)
            result[kind] = {
                "entries": len(changes),
                "words": sum(change.words for change in changes),
                "messages": [
                    {key: value for key, value in vars(change).items() if value is not None} for change in changes
                ],
            }
        return result


@dataclass
class UpdateReport:
    templates: list[Path] = field(default_factory=list)  # published .pot files
    templates_written: list[Path] = field(default_factory=list)
    catalogs: list[CatalogUpdate] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)  # .po files whose chapter no longer exists
    warnings: list[str] = field(default_factory=list)  # Sphinx warnings met while extracting
    report_file: Path | None = None

    @property
    def written(self) -> list[Path]:
        return [c.path for c in self.catalogs if c.written]

    def languages(self) -> list[str]:
        return list(dict.fromkeys(c.lang for c in self.catalogs))

    def to_json(self, root: Path) -> dict:
        languages: dict[str, dict] = {}
        for lang in self.languages():
            updates = [c for c in self.catalogs if c.lang == lang]
            chapters = {c.name: c.to_json(root) for c in updates}
            totals = {
                kind: {
                    "entries": sum(chapter[kind]["entries"] for chapter in chapters.values()),
                    "words": sum(chapter[kind]["words"] for chapter in chapters.values()),
                }
                for kind in CatalogUpdate.KINDS
            }
            languages[lang] = {**totals, "written": sum(c.written for c in updates), "chapters": chapters}
        return {
            "languages": languages,
            "templates": {
                "folder": _relative(self.templates[0].parent, root) if self.templates else None,
                "written": [_relative(path, root) for path in self.templates_written],
            },
            "orphans": [_relative(path, root) for path in self.orphans],
            "warnings": self.warnings,
        }


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# --- merging ---------------------------------------------------------------------------------


def _similarity(a: str, b: str, at_least: float) -> float:
    """difflib's ratio, skipped (0.0) when cheap upper bounds show it cannot reach ``at_least``."""
    if 2.0 * min(len(a), len(b)) / ((len(a) + len(b)) or 1) < at_least:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < at_least or matcher.quick_ratio() < at_least:
        return 0.0
    return matcher.ratio()


def _carry_translation(target: Message, source: Message) -> None:
    """Give ``target`` the translation of ``source`` (both singular or both plural)."""
    if target.msgid_plural is not None:
        target.msgstr_plural = list(source.msgstr_plural)
    else:
        target.msgstr = source.msgstr
    target.comments = list(source.comments)


def _from_template(template: Message) -> Message:
    return Message(
        msgid=template.msgid,
        msgctxt=template.msgctxt,
        msgid_plural=template.msgid_plural,
        msgstr_plural=["", ""] if template.msgid_plural is not None else [],
        extracted=list(template.extracted),
        references=list(template.references),
        flags=[flag for flag in template.flags if flag != "fuzzy"],
    )


def _keep_existing(template: Message, old: Message) -> Message:
    """The old entry, with what the extractor says about the source (comments, references)."""
    kept = old.copy()
    kept.obsolete = False
    kept.extracted = list(template.extracted)
    kept.references = list(template.references)
    kept.msgid_plural = template.msgid_plural if template.msgid_plural is not None else kept.msgid_plural
    return kept


def _as_obsolete(old: Message) -> Message:
    gone = old.copy()
    gone.obsolete = True
    gone.extracted = []
    gone.references = []
    return gone


def merge_catalog(
    template: Catalog,
    old: Catalog | None,
    *,
    update: CatalogUpdate,
    language: Language,
    project_name: str = "Drug Policy Guide",
    prune_obsolete: bool = False,
    elsewhere: dict[str, tuple[Message, str, bool]] | None = None,
) -> Catalog:
    """The new catalogue for ``template``, keeping every translation of ``old``.

    ``elsewhere`` maps msgids to translated messages of the same language's other catalogues:
    (message, catalogue, moved), moved meaning that the source left that catalogue (see
    :func:`translation_memory`). ``update`` is filled in.
    """
    old = old or Catalog()
    old_by_key = old.index()
    template_keys = {m.key for m in template.entries}
    result: list[Message] = []
    needs_translation: list[Message] = []

    for entry in template.entries:
        previous = old_by_key.get(entry.key)
        if previous is None:
            merged = _from_template(entry)
            needs_translation.append(merged)
        else:
            merged = _keep_existing(entry, previous)
            if previous.obsolete and previous.translated:
                update.restored.append(Change(entry.msgid))
            elif not merged.translated:
                needs_translation.append(merged)
        result.append(merged)

    # Translations whose source is gone: candidates for the edited paragraphs.
    removed = [m for m in old.entries if m.key not in template_keys]
    candidates = [m for m in removed if m.translated] + [
        m for m in old.obsolete if m.translated and m.key not in template_keys
    ]
    used: set[tuple[str | None, str]] = set()
    new_keys = {m.key for m in template.entries} - set(old_by_key)
    for entry in needs_translation:
        # The same text translated in another chapter is the best help there is.
        found = (elsewhere or {}).get(entry.msgid)
        if found is not None and found[1] != update.name and entry.msgid_plural is None:
            source_message, source_name, moved = found
            _carry_translation(entry, source_message)
            entry.set_fuzzy(source_message.fuzzy)
            entry.previous_msgid = source_message.previous_msgid if source_message.fuzzy else None
            (update.moved if moved else update.reused).append(Change(entry.msgid, source=source_name))
            continue
        best, best_score = None, FUZZY_THRESHOLD
        for candidate in candidates:
            if (candidate.msgid_plural is None) != (entry.msgid_plural is None):
                continue  # a plural translation does not fit a singular message, nor the reverse
            score = _similarity(candidate.msgid, entry.msgid, best_score)
            if score > best_score or (best is None and score == best_score):
                best, best_score = candidate, score
        if best is not None:
            _carry_translation(entry, best)
            entry.set_fuzzy(True)
            entry.previous_msgctxt = best.previous_msgctxt if best.fuzzy and best.previous_msgid else best.msgctxt
            entry.previous_msgid = best.previous_msgid if best.fuzzy and best.previous_msgid else best.msgid
            used.add(best.key)
            update.changed.append(Change(entry.msgid, previous=entry.previous_msgid))
            continue
        if entry.key in new_keys:
            update.new.append(Change(entry.msgid))

    # A removed entry whose translation went to an edited paragraph counts as changed, not removed.
    update.removed += [Change(m.msgid) for m in removed if m.key not in used]

    # Obsolete entries: those already obsolete first (their place in the file does not move), then
    # the translations whose source was removed now. Untranslated removed entries hold nothing.
    obsolete = [m for m in old.obsolete if m.key not in template_keys and m.key not in used and m.translated]
    obsolete += [_as_obsolete(m) for m in removed if m.translated and m.key not in used]
    if prune_obsolete:
        update.pruned += [Change(m.msgid) for m in obsolete]
        obsolete = []

    header = _merged_header(template, old, language, project_name, update.name)
    return Catalog(messages=[header, *result, *obsolete], path=update.path)


def plural_forms(code: str) -> str:
    """The Plural-Forms header of a language, from Babel's copy of the CLDR data."""
    from babel import Locale, UnknownLocaleError
    from babel.messages.plurals import get_plural

    try:
        return get_plural(Locale.parse(code.replace("-", "_"))).plural_forms
    except (UnknownLocaleError, ValueError):
        return DEFAULT_PLURAL_FORMS


def _merged_header(template: Catalog, old: Catalog, language: Language, project_name: str, name: str) -> Message:
    old_header = old.header
    if old_header is not None:
        header = old_header.copy()
        merged = Catalog(messages=[header])
        created = template.get_metadata("POT-Creation-Date")
        if created:
            merged.set_metadata("POT-Creation-Date", created, after="Report-Msgid-Bugs-To")
    else:
        fields = [(key, value) for key, value in template.metadata() if key.lower() != "language"]
        header = Message(msgid="", msgstr=format_header(fields))
        what = "interface strings" if name == UI_CATALOG else f"chapter {name!r}"
        header.comments = [
            f"{language.name} translation of the {project_name}, {what}.",
            "This file is distributed under the same license as the guide.",
        ]
        merged = Catalog(messages=[header])
    if merged.get_metadata("Language") is None:
        merged.set_metadata("Language", language.code, after="Language-Team")
    if merged.get_metadata("Plural-Forms") is None:
        merged.set_metadata("Plural-Forms", plural_forms(language.code))
    return header


# --- extraction ------------------------------------------------------------------------------


def _now_for_header() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M+0000")


def ui_template(project: Project, header_from: Catalog | None) -> Catalog:
    """``ui.pot``: every ``ui("…")`` msgid of ``_templates/``, with the files that use it."""
    files = sorted(
        path
        for path in project.templates_dir.rglob("*")
        if path.is_file() and path.suffix in TEMPLATE_SUFFIXES and not path.name.startswith(".")
    )
    messages: dict[str, Message] = {}
    for msgid, filename, _line in extract_ui_messages(files):
        reference = _relative(Path(filename), project.root)
        message = messages.setdefault(msgid, Message(msgid=msgid))
        if reference not in message.references:
            message.references.append(reference)
    header_fields = header_from.metadata() if header_from is not None else []
    if not header_fields:
        header_fields = [
            ("Project-Id-Version", "Drug Policy Guide"),
            ("Report-Msgid-Bugs-To", ""),
            ("POT-Creation-Date", ""),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ]
    header = Message(msgid="", msgstr=format_header(header_fields), flags=["fuzzy"])
    header.comments = ["Interface strings of the Drug Policy Guide (banners, labels, downloads)."]
    catalog = Catalog(messages=[header, *messages.values()])
    catalog.set_metadata("POT-Creation-Date", _now_for_header())
    return catalog


def extract_templates(project: Project) -> tuple[dict[str, Catalog], UpdateReport]:
    """Run Sphinx's gettext builder and collect ``ui.pot``; publish the .pot files that changed.

    Returns the templates by catalogue name ("principles", "ui", "part/page" …).
    """
    from guidetools.build import run_sphinx

    report = UpdateReport()
    staging = project.build_dir / ".sphinx" / "gettext-output"
    if staging.exists():
        shutil.rmtree(staging)  # a fresh folder: a removed chapter leaves no stale template
    result = run_sphinx(project, project.registry.source, "gettext", outdir=staging)
    errors = [problem for problem in result.problems if problem.level != "WARNING"]
    if errors:
        raise GuideError(f"extracting the templates failed: {errors[0]}")
    report.warnings = [str(problem) for problem in result.problems]

    templates: dict[str, Catalog] = {}
    for path in iter_catalog_files(staging, ".pot"):
        name = path.relative_to(staging).with_suffix("").as_posix()
        templates[name] = read_catalog(path)
    if UI_CATALOG in templates:
        raise GuideError(f"guide/{UI_CATALOG}.md: this chapter name is reserved for the interface strings; rename it")
    templates[UI_CATALOG] = ui_template(project, next(iter(templates.values()), None))

    published = templates_dir(project)
    for name, catalog in templates.items():
        target = published / f"{name}.pot"
        report.templates.append(target)
        if target.exists():
            current = read_catalog(target)
            if same_comparable_text(current, catalog):
                templates[name] = current  # keep its creation date: nothing changed
                continue
        write_catalog(target, catalog)
        report.templates_written.append(target)
    for stale in iter_catalog_files(published, ".pot"):
        if stale not in report.templates:
            stale.unlink()
    shutil.rmtree(staging, ignore_errors=True)
    return templates, report


# --- the whole update ------------------------------------------------------------------------


def existing_catalogs(project: Project, languages: list[Language]) -> dict[str, dict[str, Catalog]]:
    """Every .po file of these languages, read and checked: {lang: {name: catalog}}."""
    catalogs: dict[str, dict[str, Catalog]] = {}
    for language in languages:
        folder = project.catalog_dir(language.code)
        catalogs[language.code] = {
            path.relative_to(folder).with_suffix("").as_posix(): read_catalog(path)
            for path in iter_catalog_files(folder)
        }
    return catalogs


def translation_memory(
    templates: dict[str, Catalog], catalogs: dict[str, Catalog]
) -> dict[str, tuple[Message, str, bool]]:
    """A language's translations by msgid: (message, catalogue, moved).

    Translations whose source left their catalogue come first (moved paragraphs), then reviewed
    (not fuzzy) translations of text that is still there (repeated headings, table labels).
    """
    pool: dict[str, tuple[Message, str, bool]] = {}
    for name, catalog in catalogs.items():
        template = templates.get(name)
        keys = {m.key for m in template.entries} if template else set()
        for message in [*catalog.entries, *catalog.obsolete]:
            if message.translated and message.key not in keys and message.msgid_plural is None:
                pool.setdefault(message.msgid, (message, name, True))
    for name, catalog in catalogs.items():
        for message in catalog.entries:
            if message.translated and not message.fuzzy and message.msgid_plural is None:
                pool.setdefault(message.msgid, (message, name, False))
    return pool


def update_catalogs(
    project: Project,
    langs: list[str] | None = None,
    *,
    prune_obsolete: bool = False,
    write_report: bool = True,
) -> UpdateReport:
    """Extract the templates and update the catalogues of ``langs`` (default: every translation)."""
    languages = [lang for lang in project.registry.select(langs) if lang.code != project.registry.source]
    old = existing_catalogs(project, languages)  # a broken catalogue stops us before any write
    templates, report = extract_templates(project)
    project_name = _project_name(templates)

    planned: list[tuple[CatalogUpdate, Catalog, Catalog | None]] = []
    for language in languages:
        folder = project.catalog_dir(language.code)
        current = old[language.code]
        elsewhere = translation_memory(templates, current)
        for name, template in templates.items():
            path = folder / f"{name}.po"
            previous = current.get(name)
            update = CatalogUpdate(language.code, name, path, created=previous is None)
            merged = merge_catalog(
                template,
                previous,
                update=update,
                language=language,
                project_name=project_name,
                prune_obsolete=prune_obsolete,
                elsewhere=elsewhere,
            )
            planned.append((update, merged, previous))
        report.orphans += [folder / f"{name}.po" for name in current if name not in templates]

    for update, merged, previous in planned:
        if previous is None or not same_comparable_text(previous, merged):
            update.written = write_catalog(update.path, merged)
        report.catalogs.append(update)

    if write_report:
        report.report_file = report_path(project)
        write_text_atomic(
            report.report_file, json.dumps(report.to_json(project.root), indent=2, ensure_ascii=False) + "\n"
        )
    return report


def _project_name(templates: dict[str, Catalog]) -> str:
    for catalog in templates.values():
        version = (catalog.get_metadata("Project-Id-Version") or "").strip()
        if version:
            return version
    return "Drug Policy Guide"


def format_report(report: UpdateReport, project: Project) -> list[str]:
    """Human-readable lines: one per changed catalogue, one summary per language."""
    lines = []
    for lang in report.languages():
        updates = [c for c in report.catalogs if c.lang == lang]
        for update in updates:
            if not update.has_changes:
                continue
            parts = []
            labels = {
                "new": "new",
                "changed": "changed → fuzzy",
                "moved": "moved in",
                "reused": "translated elsewhere",
                "restored": "restored",
                "removed": "removed",
                "pruned": "pruned",
            }
            for kind, label in labels.items():
                changes = getattr(update, kind)
                if changes:
                    parts.append(f"{len(changes)} {label} ({sum(c.words for c in changes)} words)")
            state = "created" if update.created else ("updated" if update.written else "unchanged")
            detail = ", ".join(parts) if parts else "no entry changed"
            lines.append(f"{lang}: {_relative(update.path, project.root)} {state}: {detail}")
        written = sum(u.written for u in updates)
        lines.append(f"{lang}: {written} of {len(updates)} catalogue(s) written")
    for orphan in report.orphans:
        lines.append(
            f"{_relative(orphan, project.root)}: its chapter is gone from guide/; kept as it is "
            "(delete it, or rename it if the chapter was renamed)"
        )
    if report.templates_written:
        lines.append(
            f"templates: {len(report.templates_written)} .pot file(s) written to {_relative(templates_dir(project), project.root)}/"
        )
    return lines
