"""The language registry: ``locales/languages.toml``, the single list of the guide's languages."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from guidetools import GuideError

REGISTRY_NAME = "languages.toml"
DIRECTIONS = ("ltr", "rtl")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    native_name: str
    direction: str
    script: str
    release_threshold: float

    @property
    def is_rtl(self) -> bool:
        return self.direction == "rtl"


@dataclass(frozen=True)
class Registry:
    path: Path
    source: str
    languages: tuple[Language, ...]

    @property
    def codes(self) -> list[str]:
        return [lang.code for lang in self.languages]

    @property
    def translations(self) -> list[Language]:
        """Every language except the source language."""
        return [lang for lang in self.languages if lang.code != self.source]

    def get(self, code: str) -> Language:
        for lang in self.languages:
            if lang.code == code:
                return lang
        known = ", ".join(self.codes)
        raise GuideError(f"unknown language {code!r} (known: {known}; add one with `guide add-language`)")

    def select(self, codes: list[str] | None) -> list[Language]:
        """The languages named by ``codes`` (all of them when empty), in registry order."""
        if not codes:
            return list(self.languages)
        wanted = {self.get(code).code for code in codes}
        return [lang for lang in self.languages if lang.code in wanted]


def load_registry(path: Path) -> Registry:
    """Read and validate the registry; every error names the file and the offending entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GuideError(f"{path}: language registry not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise GuideError(f"{path}: not valid TOML: {exc}") from None
    entries = data.get("language", [])
    languages = []
    seen = set()
    fields = Language.__dataclass_fields__
    for index, entry in enumerate(entries, start=1):
        missing = [name for name in fields if name not in entry]
        if missing:
            raise GuideError(f"{path}: language #{index} lacks {', '.join(missing)}")
        unknown = sorted(set(entry) - set(fields))
        if unknown:
            raise GuideError(f"{path}: language #{index} has unknown keys {', '.join(unknown)}")
        lang = Language(**{name: entry[name] for name in fields})
        if lang.direction not in DIRECTIONS:
            raise GuideError(f"{path}: {lang.code}: direction must be 'ltr' or 'rtl', not {lang.direction!r}")
        if lang.code in seen:
            raise GuideError(f"{path}: language {lang.code!r} is listed twice")
        seen.add(lang.code)
        languages.append(lang)
    source = data.get("source")
    if source not in seen:
        raise GuideError(f"{path}: source language {source!r} is not among the listed languages")
    return Registry(path=path, source=source, languages=tuple(languages))
