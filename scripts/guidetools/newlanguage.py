"""``guide add-language CODE``: register a language and create its catalogues.

The language's names, text direction and script come from CLDR (through Babel), so nobody has to
look up that Persian is written right to left in Arabic script. The registry entry is appended
as a block of text — the comments and layout of ``locales/languages.toml`` stay as they are —
and the catalogues are created by the same merge ``guide update`` uses, with ``Language`` and
``Plural-Forms`` headers from CLDR's plural rules.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from guidetools import GuideError
from guidetools.languages import Language
from guidetools.project import Project, write_text_atomic
from guidetools.update import plural_forms, update_catalogs

_CODE_RE = re.compile(r"[a-z]{2,3}(?:[_-](?:[A-Z][a-z]{3}|[A-Z]{2}|\d{3}))*")


@dataclass
class AddedLanguage:
    language: Language
    plural_forms: str
    catalogs: list[Path] = field(default_factory=list)


def describe_language(
    code: str, *, threshold: float = 90.0, name: str | None = None, native_name: str | None = None
) -> Language:
    """A registry entry for ``code`` from CLDR: English and native names, direction, script."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    if not _CODE_RE.fullmatch(code):
        raise GuideError(
            f"{code!r} is not a language code: use ISO 639 with an optional script or region, e.g. de, pt_BR, zh_Hans"
        )
    try:
        locale = Locale.parse(code, sep="-" if "-" in code else "_")
    except (UnknownLocaleError, ValueError):
        raise GuideError(
            f"{code!r}: CLDR does not know this language; check the code (e.g. de, pt_BR, zh_Hans)"
        ) from None
    if not 0 <= threshold <= 100:
        raise GuideError(f"release threshold {threshold:g} is not a percentage between 0 and 100")
    native = native_name or locale.get_display_name(locale) or code
    likely = get_global("likely_subtags").get(locale.language, "")
    script = locale.script or next((part for part in likely.split("_") if len(part) == 4), "Latn")
    return Language(
        code=code,
        name=name or locale.get_display_name("en") or code,
        native_name=native[:1].upper() + native[1:],
        direction="rtl" if locale.character_order == "right-to-left" else "ltr",
        script=script,
        release_threshold=int(threshold) if float(threshold).is_integer() else threshold,
    )


def registry_block(language: Language) -> str:
    """The TOML lines of one ``[[language]]`` entry (JSON strings are valid TOML basic strings)."""

    def value(item: object) -> str:
        return json.dumps(item, ensure_ascii=False)

    return (
        "[[language]]\n"
        f"code = {value(language.code)}\n"
        f"name = {value(language.name)}\n"
        f"native_name = {value(language.native_name)}\n"
        f"direction = {value(language.direction)}\n"
        f"script = {value(language.script)}\n"
        f"release_threshold = {value(language.release_threshold)}\n"
    )


def add_language(
    project: Project,
    code: str,
    *,
    threshold: float = 90.0,
    name: str | None = None,
    native_name: str | None = None,
) -> AddedLanguage:
    """Append ``code`` to the registry and create its catalogues; on failure the registry is restored."""
    registry = project.registry
    if code in registry.codes:
        raise GuideError(f"{registry.path}: {code!r} is already a language of the guide")
    language = describe_language(code, threshold=threshold, name=name, native_name=native_name)
    original = registry.path.read_text(encoding="utf-8")
    text = original.rstrip("\n") + "\n\n" + registry_block(language)
    if not any(entry.get("code") == code for entry in tomllib.loads(text).get("language", [])):
        raise GuideError(f"{registry.path}: the new entry for {code!r} did not read back; nothing was changed")
    write_text_atomic(registry.path, text)
    try:
        fresh = Project(project.root)  # re-reads the registry
        fresh.registry.get(code)
        report = update_catalogs(fresh, [code], write_report=False)
    except BaseException:
        write_text_atomic(registry.path, original)
        raise
    return AddedLanguage(
        language=language,
        plural_forms=plural_forms(code),
        catalogs=[update.path for update in report.catalogs if update.written],
    )
