"""Translation checks: every translated message of every catalogue, compared with its source.

``check_catalogues()`` reads each catalogue once, parses msgid and msgstr with the guide's own MyST
configuration (see ``mystscan``) and returns ``Finding`` records; ``guide check`` prints them.
Errors block CI and releases; warnings are advice.

Errors
  catalogue      the file is not valid UTF-8, cannot be parsed, has a Language header that is not
                 its folder's language, has no Plural-Forms, or defines a message twice
  structure      the msgstr is a different kind of block than the msgid (a paragraph turned into a
                 heading, a list, two paragraphs…): Sphinx would silently keep the English text
  url            link or image targets differ (order does not matter, nor http -> https of the same
                 address; localized equivalents: see check.toml below)
  html           a tag the msgid lacks; never <script>/<iframe>/<style>…, on*= attributes, or
                 javascript:/vbscript:/data: addresses (these cannot be silenced)
  role           MyST roles or their targets differ ({ref}, {doc}, {term}, {numref}…; the display
                 text of ``{ref}`text <target>``` may be translated, the target may not)
  footnote       footnote references [^x] differ
  substitution   substitutions {{ x }} differ
  label          labels (``(label)=``, ``{#id}``) differ
  code           inline code differs
  math           math differs
  placeholder    interface strings (ui.po): the {name} placeholders differ or are malformed
Warnings
  fuzzy          a fuzzy entry: not used by the build until a reviewer clears the flag
  numbers        a number of the msgid is missing from the msgstr
  whitespace     leading or trailing whitespace differs
  punctuation    the final punctuation differs
  doubled-word   a word is repeated ("de de")
  glossary       a term of the glossary is in the msgid but none of its translations is in the msgstr
  do-not-translate   a name that must stay as written is missing from the msgstr
  ignore         a silencing comment names an unknown check

Silencing: a translator comment on the entry, ``# check: ignore=url,glossary — reason``, silences
those checks for that entry; the report counts what was silenced.

Per-language files (both optional), next to the language's LC_MESSAGES folder:

``locales/<lang>/glossary.toml`` — terminology (the format is described at the top of each file)::

    [required]
    "harm reduction" = ["reducción de daños", "reducción de riesgos y daños"]
    [do_not_translate]
    terms = ["BMJ", "Lancet"]

  English terms match whole words in any case, with an optional plural "s"; a term in capitals
  (WHO) matches only in capitals. A translation matches anywhere in the msgstr, ignoring case;
  ``*`` stands for any word ending (``снижени* вреда``); Arabic text is compared without
  diacritics and with one form of alef, and a translation starting with the article ال also
  matches after لل.

``locales/<lang>/check.toml`` — localized equivalents of the guide's links::

    [localized_urls]   # same page in the language's section of a site: the rest must not change
    "https://www.who.int/" = ["https://www.who.int/es/"]
    [localized_sites]  # another page of the language's site: the rest may change
    "https://en.wikipedia.org/wiki/" = ["https://es.wikipedia.org/wiki/"]
"""

# This module compares text in many scripts: Arabic letters, Cyrillic "е", typographic quotes are meant.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import itertools
import multiprocessing
import operator
import os
import re
import string
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from guidetools import GuideError
from guidetools.mystscan import LITERAL_ROLES, MystScanner, Scan
from guidetools.pofast import Entry, header_fields, read_entries
from guidetools.project import Project

Severity = Literal["error", "warning"]

ERROR_CHECKS = (
    "catalogue",
    "structure",
    "url",
    "html",
    "role",
    "footnote",
    "substitution",
    "label",
    "code",
    "math",
    "placeholder",
)
WARNING_CHECKS = (
    "fuzzy",
    "numbers",
    "whitespace",
    "punctuation",
    "doubled-word",
    "glossary",
    "do-not-translate",
    "ignore",
)
CHECKS = ERROR_CHECKS + WARNING_CHECKS
INTERFACE_CATALOGUES = frozenset({"ui"})  # str.format() strings for templates, not MyST

GLOSSARY_FILE = "glossary.toml"
CHECK_FILE = "check.toml"
SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto"})
DANGEROUS_TAGS = frozenset(
    {"script", "iframe", "frame", "frameset", "style", "object", "embed", "base", "meta", "link", "form", "svg"}
)

_IGNORE_COMMENT = re.compile(r"check:\s*ignore\s*=\s*(?P<ids>[A-Za-z-]+(?:\s*,\s*[A-Za-z-]+)*)")
_NOQA = re.compile(r"(?<!\\)#\s*noqa\s*$", re.DOTALL)  # Sphinx strips it from msgstr before use
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):")
_SCRIPT_URL = re.compile(r"\b(?:java|vb)script\s*:|\bdata\s*:\s*[a-z]+/[a-z0-9.+-]+\s*[;,]", re.IGNORECASE)
_TAG_NAME = re.compile(r"^<\s*(?P<close>/?)\s*(?P<name>[A-Za-z][A-Za-z0-9:-]*|!--)")
_EVENT_ATTRIBUTE = re.compile(r"[\s/\"']on[a-z]+\s*=", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_DOUBLING_ALLOWED = {"fr": {"nous", "vous"}}  # "nous nous demandons" is correct French
_CLOSERS = " \t\n)]}\"'”’»›*_`>"
_FINAL_PUNCTUATION = {
    ".": ".",
    "。": ".",
    "۔": ".",
    "…": "…",
    "?": "?",
    "؟": "?",
    "!": "!",
    ":": ":",
    ";": ";",
    "؛": ";",
}
_ARABIC_CHAR = re.compile("[\u0600-\u06ff]")
_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_QUOTES_AND_SPACES = (("’", "'"), ("‘", "'"), ("ʼ", "'"), ("\u00a0", " "), ("\u202f", " "), ("\u2009", " "))


@dataclass(frozen=True)
class Finding:
    file: str  # relative to the project root when inside it
    line: int
    lang: str
    check: str
    severity: Severity
    message: str
    fragment: str = ""
    hint: str = ""
    silenceable: bool = True  # script-capable markup cannot be waved through by a comment

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "lang": self.lang,
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "fragment": self.fragment,
            "hint": self.hint,
        }


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    silenced: Counter[str] = field(default_factory=Counter)  # check id -> findings silenced
    catalogues: int = 0
    translated: int = 0  # entries with a msgstr that were checked
    fuzzy: int = 0
    untranslated: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def merge(self, other: CheckReport) -> None:
        self.findings += other.findings
        self.silenced.update(other.silenced)
        self.catalogues += other.catalogues
        self.translated += other.translated
        self.fuzzy += other.fuzzy
        self.untranslated += other.untranslated


# Language rules: glossary.toml and check.toml -----------------------------------------------------


def normalise(text: str, lang: str) -> str:
    """Text as the glossary compares it: case-folded, one kind of apostrophe and space, Arabic letters unified."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    for char, replacement in _QUOTES_AND_SPACES:
        if char in text:
            text = text.replace(char, replacement)
    text = text.casefold()
    if lang == "ru":
        text = text.replace("ё", "е")
    if lang == "ar" or _ARABIC_CHAR.search(text):
        text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTERS)
    return " ".join(text.split())


def _translation_pattern(term: str, lang: str) -> re.Pattern[str]:
    words = normalise(term, lang).split(" ")
    parts = [re.escape(word).replace(r"\*", r"\w*") for word in words]
    pattern = r"\s+".join(parts)
    if words and words[0].startswith("ال") and len(words[0]) > 2:
        # the article after the preposition li- is written لل: "للحد" is "li-" + "الحد"
        pattern = "(?:ال|لل)" + pattern[len("ال") :]
    return re.compile(pattern)


def _source_pattern(term: str) -> re.Pattern[str]:
    words = term.split()
    pattern = r"\s+".join(re.escape(word).replace(r"\*", r"\w*") for word in words)
    if not term.endswith("*"):
        pattern += "(?:s|es)?"
    flags = 0 if term.isupper() else re.IGNORECASE
    return re.compile(rf"(?<!\w){pattern}(?!\w)", flags)


@dataclass(frozen=True)
class GlossaryTerm:
    source: str
    translations: tuple[str, ...]
    source_pattern: re.Pattern[str]
    patterns: tuple[re.Pattern[str], ...]


@dataclass
class LanguageRules:
    lang: str
    glossary_path: Path | None = None
    terms: list[GlossaryTerm] = field(default_factory=list)
    keep: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)  # do-not-translate
    same_page: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    any_page: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    @cached_property
    def _first_words(self) -> list[tuple[str, bool]]:
        """Per term, its first word in lower case and whether that word is a stem ("program*")."""
        firsts = []
        for source in [term.source for term in self.terms] + [name for name, _ in self.keep]:
            word = source.split()[0].lower() if source.split() else ""
            firsts.append((word.split("*")[0], "*" in word))
        return firsts

    def terms_in(self, text: str) -> tuple[dict[int, str], set[int]]:
        """Glossary terms (index -> text as found) and do-not-translate names (indexes) in ``text``."""
        required: dict[int, str] = {}
        keep: set[int] = set()
        if not self.terms and not self.keep:
            return required, keep
        lowered = text.lower()
        firsts = self._first_words
        for index, term in enumerate(self.terms):
            first = firsts[index][0]
            if first in lowered:  # most terms are ruled out by this one substring test
                found = _find_term(term.source_pattern, first, text, lowered)
                if found:
                    required[index] = found
        for index, (_, pattern) in enumerate(self.keep):
            first = firsts[len(self.terms) + index][0]
            if first in lowered and _find_term(pattern, first, text, lowered):
                keep.add(index)
        return required, keep

    def url_equivalent(self, source: str, translated: str) -> bool:
        if source.startswith("http://") and translated == "https://" + source.removeprefix("http://"):
            return True  # the same address, upgraded to HTTPS
        for prefix, localized in self.same_page:
            if source.startswith(prefix):
                rest = source[len(prefix) :]
                if any(translated == candidate + rest for candidate in localized):
                    return True
        for prefix, localized in self.any_page:
            if source.startswith(prefix) and any(translated.startswith(candidate) for candidate in localized):
                return True
        return False


def _find_term(pattern: re.Pattern[str], first: str, text: str, lowered: str) -> str | None:
    """The first match of a term's pattern, tried only where its first word occurs (a fast C search)."""
    if len(lowered) != len(text):  # lower() changed lengths ("İ"): positions would not line up
        found = pattern.search(text)
        return found.group(0) if found else None
    position = lowered.find(first)
    while position != -1:
        found = pattern.match(text, position)  # its (?<!\w) still sees the character before
        if found:
            return found.group(0)
        position = lowered.find(first, position + 1)
    return None


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise GuideError(f"{path}: not UTF-8 ({exc.reason}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        number = line[1] if line else len(path.read_text(encoding="utf-8").splitlines())  # "at end of document"
        where = f"{path}:{number}"
        raise GuideError(f"{where}: invalid TOML: {exc}; fix the syntax") from None


def _string_list(value: object, path: Path, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise GuideError(f'{path}: "{key}" must be a list of non-empty strings, e.g. ["…", "…"]')
    return tuple(value)


def load_language_rules(project: Project, lang: str, normalize_link=lambda url: url) -> LanguageRules:
    """The glossary and link allowlist of one language (empty rules when the files do not exist)."""
    rules = LanguageRules(lang)
    folder = project.locales_dir / lang
    glossary = folder / GLOSSARY_FILE
    if glossary.is_file():
        data = _read_toml(glossary)
        rules.glossary_path = glossary
        unknown = set(data) - {"required", "do_not_translate"}
        if unknown:
            raise GuideError(
                f"{glossary}: unknown table(s) {', '.join(sorted(unknown))}; expected [required] and [do_not_translate]"
            )
        for source, translations in data.get("required", {}).items():
            translations = _string_list(translations, glossary, source)
            rules.terms.append(
                GlossaryTerm(
                    source,
                    translations,
                    _source_pattern(source),
                    tuple(_translation_pattern(item, lang) for item in translations),
                )
            )
        keep = data.get("do_not_translate", {}).get("terms")
        for term in _string_list(keep, glossary, "terms") if keep is not None else ():
            rules.keep.append((term, re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")))
    settings = folder / CHECK_FILE
    if settings.is_file():
        data = _read_toml(settings)
        unknown = set(data) - {"localized_urls", "localized_sites"}
        if unknown:
            raise GuideError(
                f"{settings}: unknown table(s) {', '.join(sorted(unknown))}; expected [localized_urls] and [localized_sites]"
            )
        for table, target in (("localized_urls", rules.same_page), ("localized_sites", rules.any_page)):
            for prefix, localized in data.get(table, {}).items():
                values = _string_list(localized, settings, prefix)
                target.append((normalize_link(prefix), tuple(normalize_link(value) for value in values)))
    return rules


# Catalogue files ----------------------------------------------------------------------------------


@dataclass
class _Catalogue:
    path: Path
    shown: str
    lang: str
    report: CheckReport

    def find(
        self, line: int, check: str, message: str, fragment: str = "", hint: str = "", *, silenceable: bool = True
    ) -> Finding:
        severity: Severity = "error" if check in ERROR_CHECKS else "warning"
        finding = Finding(self.shown, line, self.lang, check, severity, message, _short(fragment), hint, silenceable)
        self.report.findings.append(finding)
        return finding


def _short(fragment: str, limit: int = 160) -> str:
    fragment = " ".join(fragment.split())
    return fragment if len(fragment) <= limit else fragment[: limit - 1] + "…"


def _read_catalogue(catalogue: _Catalogue) -> list[Entry] | None:
    data = catalogue.path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        catalogue.find(
            line,
            "catalogue",
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            data.splitlines()[line - 1].decode("utf-8", "replace") if data.splitlines() else "",
            "save the file as UTF-8 (and set charset=UTF-8 in the Content-Type header)",
        )
        return None
    entries = read_entries(text)
    if entries is None:  # not the usual layout: the strict reader explains, or copes
        from guidetools.catalog import parse_catalog

        try:
            messages = parse_catalog(text, catalogue.shown).messages
        except GuideError as exc:
            where = re.match(r"^.*?:(\d+): (.*)$", str(exc), re.DOTALL)
            number, message = (int(where[1]), where[2]) if where else (1, str(exc))
            lines = text.splitlines()
            problem, _, fix = message.partition("; ")
            catalogue.find(
                number,
                "catalogue",
                f"cannot be read: {problem}",
                lines[number - 1] if 0 < number <= len(lines) else "",
                fix or "fix the quoting of this line (every line of msgid/msgstr is a double-quoted string)",
            )
            return None
        entries = [
            Entry(
                msgid=message.msgid,
                msgstr=message.msgstr,
                msgctxt=message.msgctxt,
                msgid_plural=message.msgid_plural,
                msgstr_plural=dict(enumerate(message.msgstr_plural)),
                flags=list(message.flags),
                comment="".join(comment + "\n" for comment in message.comments),
                obsolete=message.obsolete,
                line=message.line,
            )
            for message in messages
        ]
    _check_header(catalogue, entries, text)
    return entries


def _header_line(text: str, name: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(f'"{name}:'):
            return number
    return 1


def _check_header(catalogue: _Catalogue, entries: list[Entry], text: str) -> None:
    metadata = header_fields(entries)
    language = metadata.get("Language", "").strip()
    if not language:
        catalogue.find(
            1, "catalogue", "no Language header", "", f'add "Language: {catalogue.lang}\\n" to the header entry'
        )
    elif language.replace("-", "_").lower() != catalogue.lang.replace("-", "_").lower():
        catalogue.find(
            _header_line(text, "Language"),
            "catalogue",
            f"Language header says {language!r} but the catalogue is in the {catalogue.lang!r} folder",
            f"Language: {language}",
            f"set the header to {catalogue.lang!r}, or move the file to locales/{language}/LC_MESSAGES/",
        )
    plural = metadata.get("Plural-Forms", "").strip()
    if not plural or "INTEGER" in plural or "EXPRESSION" in plural:
        catalogue.find(
            _header_line(text, "Plural-Forms"),
            "catalogue",
            "no Plural-Forms header" if not plural else "Plural-Forms header is still the template placeholder",
            plural,
            "run `guide update` (it writes the language's plural rule) or copy it from another catalogue of this language",
        )
    content_type = metadata.get("Content-Type", "")
    charset = re.search(r"charset=([\w-]+)", content_type)
    if charset and charset[1].lower().replace("-", "") != "utf8":
        catalogue.find(
            _header_line(text, "Content-Type"),
            "catalogue",
            f"Content-Type declares charset {charset[1]}; the guide's catalogues are UTF-8",
            content_type,
            'set "Content-Type: text/plain; charset=UTF-8\\n"',
        )
    seen: dict[tuple[str | None, str], int] = {}
    for entry in entries:
        if entry.obsolete:
            continue
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            catalogue.find(
                entry.line,
                "catalogue",
                f"this msgid is already defined at line {seen[key]}",
                entry.msgid,
                "delete one of the two entries (merge their translations first)",
            )
        else:
            seen[key] = entry.line


# Entry checks -------------------------------------------------------------------------------------


def _silenced_checks(entry: Entry) -> set[str]:
    ids: set[str] = set()
    if "check:" not in entry.comment:
        return ids
    for match in _IGNORE_COMMENT.finditer(entry.comment):
        ids.update(part.strip().lower() for part in match["ids"].split(","))
    return ids


def _multiset_diff(source: Iterable, translation: Iterable) -> tuple[list, list]:
    """(missing from the translation, extra in the translation), each in a stable order."""
    source, translation = list(source), list(translation)
    if source == translation or (len(source) == len(translation) and sorted(source) == sorted(translation)):
        return [], []  # the common case, without counting
    wanted, got = Counter(source), Counter(translation)
    return list((wanted - got).elements()), list((got - wanted).elements())


def _listing(items: Sequence[str]) -> str:
    return ", ".join(f"'{item}'" for item in items)


class EntryChecker:
    """Checks one translated entry against its source; one instance per catalogue run."""

    def __init__(self, scanner: MystScanner, rules: LanguageRules, catalogue: _Catalogue, interface: bool) -> None:
        self.scanner = scanner
        self.rules = rules
        self.catalogue = catalogue
        self.interface = interface

    def check(self, entry: Entry) -> None:
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural is not None:
            pairs = [
                (entry.msgid if index == 0 else entry.msgid_plural, form)
                for index, form in enumerate(entry.translations)
            ]
        silenced = _silenced_checks(entry)
        unknown = silenced - set(CHECKS)
        before = len(self.catalogue.report.findings)
        for source, translation in pairs:
            if "noqa" in translation:
                translation = _NOQA.sub("", translation)
            if not translation.strip() or translation == source:
                continue
            if self.interface:
                self._check_interface(entry.line, source, translation)
            else:
                self._check_myst(entry.line, source, translation)
        if silenced:
            kept = []
            new = self.catalogue.report.findings[before:]
            # a check with a finding that cannot be silenced is not silenced at all for this entry
            silenced -= {finding.check for finding in new if not finding.silenceable}
            for finding in new:
                if finding.check in silenced:
                    self.catalogue.report.silenced[finding.check] += 1
                else:
                    kept.append(finding)
            self.catalogue.report.findings[before:] = kept
        if unknown:
            self.catalogue.find(
                entry.line,
                "ignore",
                f"the silencing comment names unknown check(s): {', '.join(sorted(unknown))}",
                entry.comment,
                f"use check ids from: {', '.join(CHECKS)}",
            )

    # MyST messages (chapters) -------------------------------------------------------------------

    def _check_myst(self, line: int, source: str, translation: str) -> None:
        src = self.scanner.scan(source)
        out = self.scanner.scan(translation)
        find = self.catalogue.find
        if src.blocks != out.blocks:
            find(
                line,
                "structure",
                f"the translation is read as {_blocks(out.blocks)} but the source is {_blocks(src.blocks)}; "
                "the build would silently keep the English text",
                translation.strip().splitlines()[0] if translation.strip() else translation,
                _structure_hint(src, out),
            )
        self._check_html(line, src, out)
        self._check_links(line, src.links, out.links, "link")
        self._check_links(line, src.images, out.images, "image")
        # literal roles ({math}, {code}) are compared with the math and the code below
        src_roles = [role for role in src.roles if role.name not in LITERAL_ROLES]
        out_roles = [role for role in out.roles if role.name not in LITERAL_ROLES]
        missing, extra = _multiset_diff((role.key for role in src_roles), (role.key for role in out_roles))
        if missing or extra:
            shown = {role.key: role.source for role in (*src_roles, *out_roles)}
            parts = []
            if missing:
                parts.append(f"missing {_listing([shown[key] for key in missing])}")
            if extra:
                parts.append(f"not in the source {_listing([shown[key] for key in extra])}")
            find(
                line,
                "role",
                "roles or their targets differ: " + "; ".join(parts),
                shown[(missing or extra)[0]],
                "keep each role and its target; translate only the display text: {ref}`translated text <target>`",
            )
        for check, src_items, out_items, what, hint in (
            ("footnote", src.footnotes, out.footnotes, "footnote references", "keep every [^label] exactly"),
            ("substitution", src.substitutions, out.substitutions, "substitutions", "keep every {{ name }} exactly"),
            ("label", src.labels, out.labels, "labels", "keep every label exactly"),
            ("code", src.code, out.code, "inline code", "copy `code` unchanged"),
            ("math", src.math, out.math, "math", "copy math unchanged"),
        ):
            missing, extra = _multiset_diff(src_items, out_items)
            if missing or extra:
                parts = []
                if missing:
                    parts.append(f"missing {_listing(missing)}")
                if extra:
                    parts.append(f"not in the source {_listing(extra)}")
                find(line, check, f"{what} differ: " + "; ".join(parts), (missing or extra)[0], hint)
        self._check_text(line, source, translation, src.text, out.text)

    def _check_links(self, line: int, source: Sequence[str], translation: Sequence[str], kind: str) -> None:
        find = self.catalogue.find
        for url in translation:
            scheme = _SCHEME.match(url)
            if scheme and scheme["scheme"].lower() not in SAFE_URL_SCHEMES and url not in source:
                find(
                    line,
                    "html",
                    f"{kind} with a {scheme['scheme']}: address, which the guide never publishes",
                    url,
                    _UNSAFE_HINT,
                    silenceable=False,
                )
        missing, extra = _multiset_diff(set(source), set(translation))
        for url in list(extra):
            equivalent = next((old for old in missing if self.rules.url_equivalent(old, url)), None)
            if equivalent is not None:
                missing.remove(equivalent)
                extra.remove(url)
        if not missing and not extra:
            return
        if len(missing) == 1 and len(extra) == 1:
            message = f"{kind} target changed from {missing[0]} to {extra[0]}"
        else:
            parts = []
            if missing:
                parts.append(f"missing {_listing(missing)}")
            if extra:
                parts.append(f"not in the source {_listing(extra)}")
            message = f"{kind} targets differ: " + "; ".join(parts)
        allowlist = self.rules.glossary_path.with_name(CHECK_FILE) if self.rules.glossary_path else None
        hint = "copy the target from the msgid exactly (the link text may be translated)"
        if kind == "link" and extra:
            hint += (
                f"; a localized page of the same site can be allowed in {_shown_path(allowlist)}"
                if allowlist
                else "; a localized page can be allowed in locales/<lang>/check.toml"
            )
        find(line, "url", message, (extra or missing)[0], hint)

    def _check_html(self, line: int, src: Scan, out: Scan) -> None:
        find = self.catalogue.find
        source_tags = Counter(_tag_key(tag) for tag in src.html)
        reported: set[str] = set()
        for tag in out.html:
            key = _tag_key(tag)
            name = key[1]
            if name in DANGEROUS_TAGS or _EVENT_ATTRIBUTE.search(tag):
                if source_tags[key] > 0 and tag in src.html:
                    source_tags[key] -= 1
                    continue
                if name in reported:  # one finding for <script>…</script>
                    continue
                reported.add(name)
                find(
                    line,
                    "html",
                    f"<{name}> tag or event attribute: markup that could run code in the reader's browser",
                    tag,
                    _UNSAFE_HINT,
                    silenceable=False,
                )
            elif source_tags[key] > 0:
                source_tags[key] -= 1
            else:
                find(
                    line,
                    "html",
                    f"HTML tag <{key[0]}{name}> is not in the source",
                    tag,
                    "remove the tag; use MyST markup (*emphasis*, **strong**, [link](url)) as the source does",
                )
        lowered = out.markup_text.lower()
        if "script" not in lowered and "data" not in lowered:
            return  # no javascript:, vbscript: or data: address possible
        source_script = Counter(m.group(0).lower().replace(" ", "") for m in _SCRIPT_URL.finditer(src.markup_text))
        for match in _SCRIPT_URL.finditer(out.markup_text):
            key = match.group(0).lower().replace(" ", "")
            if source_script[key] > 0:
                source_script[key] -= 1
                continue
            find(
                line,
                "html",
                "script-capable address (javascript:, vbscript:, data:) in the translation",
                out.markup_text[match.start() : match.end() + 40],
                _UNSAFE_HINT,
                silenceable=False,
            )

    # Interface strings (ui.po) --------------------------------------------------------------------

    def _check_interface(self, line: int, source: str, translation: str) -> None:
        find = self.catalogue.find
        wanted = _placeholders(source)
        got = _placeholders(translation)
        if got is None:
            find(
                line,
                "placeholder",
                "malformed {placeholder} (an unmatched brace?)",
                translation,
                "write placeholders exactly as in the msgid, e.g. {percent}; a literal brace is written {{ or }}",
            )
        elif wanted is not None and Counter(wanted) != Counter(got):
            missing, extra = _multiset_diff(wanted, got)
            find(
                line,
                "placeholder",
                "placeholders differ: "
                + "; ".join(
                    part
                    for part in (
                        f"missing {_listing(['{' + name + '}' for name in missing])}" if missing else "",
                        f"not in the source {_listing(['{' + name + '}' for name in extra])}" if extra else "",
                    )
                    if part
                ),
                translation,
                "keep every {name} of the msgid; the page fills them in",
            )
        tags_in_source = Counter(_tag_key(tag) for tag in _interface_tags(source))
        for tag in _interface_tags(translation):
            key = _tag_key(tag)
            if tags_in_source[key] > 0:
                tags_in_source[key] -= 1
                continue
            find(
                line,
                "html",
                f"HTML tag <{key[0]}{key[1]}> in an interface string",
                tag,
                "remove the tag: interface strings are plain text",
                silenceable=False,
            )
        for match in _SCRIPT_URL.finditer(translation):
            if match.group(0) not in source:
                find(
                    line,
                    "html",
                    "script-capable address in an interface string",
                    match.group(0),
                    _UNSAFE_HINT,
                    silenceable=False,
                )
        self._check_text(line, source, translation, source, translation)

    # Warnings on the readable text --------------------------------------------------------------

    def _check_text(self, line: int, source: str, translation: str, src_text: str, out_text: str) -> None:
        find = self.catalogue.find
        lang = self.catalogue.lang
        source_numbers = _numbers(src_text)
        missing = _multiset_diff(source_numbers, _numbers(out_text))[0] if source_numbers else []
        if missing:
            find(
                line,
                "numbers",
                f"number(s) of the source missing from the translation: {', '.join(missing)}",
                missing[0],
                "check that no figure, year or quantity was dropped or changed",
            )
        leading = (
            source[: len(source) - len(source.lstrip())],
            translation[: len(translation) - len(translation.lstrip())],
        )
        trailing = (source[len(source.rstrip()) :], translation[len(translation.rstrip()) :])
        for where, (a, b) in (("leading", leading), ("trailing", trailing)):
            if a != b:
                find(
                    line,
                    "whitespace",
                    f"{where} whitespace differs: source {a!r}, translation {b!r}",
                    translation,
                    f"make the {where} whitespace the same as the msgid's",
                )
        end_source, end_translation = _final_punctuation(source), _final_punctuation(translation)
        if end_source != end_translation:
            find(
                line,
                "punctuation",
                f"the source ends with {end_source or 'no punctuation'!r}, the translation with "
                f"{end_translation or 'no punctuation'!r}",
                translation.rstrip()[-40:],
                "end the translation as the source ends, unless the language's rules differ",
            )
        allowed = _DOUBLING_ALLOWED.get(lang, set())
        doubled = [word for word in _doubled_words(out_text) if word.casefold() not in allowed]
        if doubled:
            source_doubles = {word.casefold() for word in _doubled_words(src_text)}
            doubled = [word for word in doubled if word.casefold() not in source_doubles]
        if doubled:
            find(
                line, "doubled-word", f"the word {doubled[0]!r} is repeated", f"{doubled[0]} {doubled[0]}", "delete one"
            )
        required, keep = self.rules.terms_in(src_text)
        if required or keep:
            self._check_glossary(line, required, keep, out_text)

    def _check_glossary(self, line: int, required: dict[int, str], keep: set[int], out_text: str) -> None:
        normalised = normalise(out_text, self.catalogue.lang)
        shown = _shown_path(self.rules.glossary_path)
        for index, found in sorted(required.items()):
            term = self.rules.terms[index]
            if not any(pattern.search(normalised) for pattern in term.patterns):
                self.catalogue.find(
                    line,
                    "glossary",
                    f"{found!r} should be translated as {_listing(term.translations[:3])}"
                    + (" (or another form listed in the glossary)" if len(term.translations) > 3 else ""),
                    found,
                    f"use the glossary's term ({shown}), or add `# check: ignore=glossary — reason` above the entry",
                )
        for index in sorted(keep):
            name, pattern = self.rules.keep[index]
            if not pattern.search(out_text):
                self.catalogue.find(
                    line,
                    "do-not-translate",
                    f"{name!r} must stay as written",
                    name,
                    f"keep {name!r} untranslated ({shown})",
                )


_UNSAFE_HINT = "remove it: the build drops such markup from translations, and this check cannot be silenced"


def _blocks(blocks: tuple[str, ...]) -> str:
    if not blocks:
        return "nothing (no text)"
    if len(blocks) == 1:
        return f"a {blocks[0]}"
    return f"{len(blocks)} blocks ({', '.join(blocks)})"


def _structure_hint(src: Scan, out: Scan) -> str:
    if len(out.blocks) > len(src.blocks):
        return "keep the translation in one block: remove empty lines, or put the extra text in its own message"
    kind = out.blocks[0] if out.blocks else ""
    if kind == "heading":
        return "a line starting with '#' (or underlined with = or -) becomes a heading; remove it or write \\#"
    if kind in ("numbered list", "bullet list"):
        return "a line starting with '-', '*', '+' or '1.' becomes a list; escape it: \\- or 1\\."
    if kind == "block quote":
        return "a line starting with '>' becomes a quote; escape it: \\>"
    if kind == "indented code block":
        return "remove the indentation at the start of the translation"
    return "write the translation as the same kind of block as the msgid"


def _tag_key(tag: str) -> tuple[str, str]:
    match = _TAG_NAME.match(tag)
    if not match:
        return ("", tag[:20].lower())
    return (match["close"], match["name"].lower())


_INTERFACE_TAG = re.compile(r"<(?:!--|/?[A-Za-z][A-Za-z0-9:-]*(?=[\s/>])[^<>]*>?)")


def _interface_tags(text: str) -> list[str]:
    return _INTERFACE_TAG.findall(text)


def _placeholders(text: str) -> list[str] | None:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return None


@lru_cache(maxsize=100_000)
def _numbers(text: str) -> tuple[str, ...]:
    # Digit runs, whatever the script or separators: "1,000", "1 000" and "١٠٠٠" give the same runs.
    return tuple(str(int(run)) if run.isdecimal() else run for run in _DIGITS.findall(text))


_LEADING_MARKS = "([{«‹“‘\"'¿¡*_"
_TRAILING_MARKS = ")]}»›”’\"'.,;:!?…*_"


@lru_cache(maxsize=100_000)
def _doubled_words(text: str) -> tuple[str, ...]:
    """Words written twice in a row with only a space between them ("de de"), in order."""
    tokens = text.split(" ")
    cores = [token.strip(_LEADING_MARKS + _TRAILING_MARKS).casefold() for token in tokens]
    if not any(map(operator.eq, cores, itertools.islice(cores, 1, None))):
        return ()  # no two neighbours alike: the common case, decided without a Python loop
    doubled = []
    for first, second in itertools.pairwise(tokens):
        if first != first.rstrip(_TRAILING_MARKS) or second != second.lstrip(_LEADING_MARKS):
            continue  # punctuation between them: "de, de" or "de (de"
        word = first.lstrip(_LEADING_MARKS)
        if len(word) >= 2 and word.isalpha() and word.casefold() == second.rstrip(_TRAILING_MARKS).casefold():
            doubled.append(word)
    return tuple(doubled)


def _final_punctuation(text: str) -> str:
    stripped = text.rstrip(_CLOSERS)
    return _FINAL_PUNCTUATION.get(stripped[-1:], "") if stripped else ""


def _shown_path(path: Path | None) -> str:
    if path is None:
        return "the glossary"
    parts = path.parts
    return "/".join(parts[-3:]) if len(parts) >= 3 else str(path)


# The operation ------------------------------------------------------------------------------------


@dataclass
class _Target:
    path: Path
    lang: str


class Checker:
    """Checks catalogues of one project; reuses its parser and language rules across files."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._rules: dict[str, LanguageRules] = {}

    @cached_property
    def scanner(self) -> MystScanner:
        return MystScanner.for_conf(self.project.source_dir / "conf.py")

    def rules(self, lang: str) -> LanguageRules:
        if lang not in self._rules:
            self._rules[lang] = load_language_rules(self.project, lang, self.scanner.parser.normalizeLink)
        return self._rules[lang]

    def check_file(self, path: Path, lang: str) -> CheckReport:
        report = CheckReport(catalogues=1)
        catalogue = _Catalogue(path, _shown(path, self.project.root), lang, report)
        entries = _read_catalogue(catalogue)
        if entries is None:
            return report
        checker = EntryChecker(self.scanner, self.rules(lang), catalogue, interface=path.stem in INTERFACE_CATALOGUES)
        for entry in entries:
            if entry.obsolete or entry.is_header:
                continue
            translated = any(form.strip() for form in entry.translations)
            if not translated:
                report.untranslated += 1
            elif entry.fuzzy:
                report.fuzzy += 1
                if "fuzzy" in _silenced_checks(entry):
                    report.silenced["fuzzy"] += 1
                else:
                    catalogue.find(
                        entry.line,
                        "fuzzy",
                        "fuzzy translation: the build shows the English text until it is reviewed",
                        entry.msgid,
                        "review the msgstr against the current msgid, then remove the 'fuzzy' flag",
                    )
            else:
                report.translated += 1
                checker.check(entry)
        return report


def check_message(
    scanner: MystScanner,
    msgid: str,
    msgstr: str,
    *,
    lang: str = "xx",
    rules: LanguageRules | None = None,
    interface: bool = False,
    comment: str = "",
) -> CheckReport:
    """Check one message outside any catalogue (for tools and tests); findings are located at line 1."""
    report = CheckReport(translated=1)
    catalogue = _Catalogue(Path("<message>"), "<message>", lang, report)
    entry = Entry(msgid=msgid, msgstr=msgstr, comment=comment, line=1)
    EntryChecker(scanner, rules or LanguageRules(lang), catalogue, interface).check(entry)
    return report


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def catalogue_targets(
    project: Project, langs: Sequence[str] | None = None, paths: Sequence[Path] = ()
) -> list[_Target]:
    """The catalogues to check: every .po of the selected languages, or the given files/folders."""
    registry = project.registry
    codes = [lang.code for lang in registry.select(list(langs) if langs else None) if lang.code != registry.source]
    if not paths:
        return [_Target(path, code) for code in codes for path in sorted(project.catalog_dir(code).glob("*.po"))]
    targets: list[_Target] = []
    for given in paths:
        if not given.exists():
            raise GuideError(f"{given}: no such file or folder")
        files = sorted(given.rglob("*.po")) if given.is_dir() else [given]
        for path in files:
            lang = _language_of(path, project)
            if lang is None:
                raise GuideError(
                    f"{path}: cannot tell the language of this catalogue; put it under locales/<lang>/LC_MESSAGES/"
                )
            if langs and lang not in langs:
                continue
            targets.append(_Target(path, lang))
    return targets


def _language_of(path: Path, project: Project) -> str | None:
    resolved = path.resolve()
    if resolved.parent.name == "LC_MESSAGES":
        return resolved.parent.parent.name
    try:
        entries = read_entries(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        entries = None
    return header_fields(entries).get("Language") or None if entries else None


PARALLEL_FROM = 64  # catalogues; below this, starting workers costs more than it saves


def check_catalogues(
    project: Project, langs: Sequence[str] | None = None, paths: Sequence[Path] = (), *, jobs: int | None = None
) -> CheckReport:
    """Check the catalogues of the selected languages (default: every translation language).

    Large runs are shared among ``jobs`` forked workers (default: one per core); each worker checks
    whole chapters in every language, so each msgid is parsed once per worker.
    """
    targets = catalogue_targets(project, langs, paths)
    checker = Checker(project)
    checker.scanner  # noqa: B018 — read conf.py and glossaries before forking: errors surface here, once
    for lang in sorted({target.lang for target in targets}):
        checker.rules(lang)
    jobs = min(jobs or os.cpu_count() or 1, len(targets))
    report = CheckReport()
    if jobs > 1 and len(targets) >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        by_chapter: dict[str, list[_Target]] = {}
        for target in targets:
            by_chapter.setdefault(target.path.name, []).append(target)
        shares: list[list[_Target]] = [[] for _ in range(jobs)]
        for index, chapter in enumerate(sorted(by_chapter.values(), key=len, reverse=True)):
            shares[index % jobs] += chapter
        global _forked_checker
        _forked_checker = checker  # inherited by the forked workers, parser and rules included
        try:
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                for part in pool.map(_check_share, shares):
                    report.merge(part)
        finally:
            _forked_checker = None
    else:
        for target in targets:
            report.merge(checker.check_file(target.path, target.lang))
    report.findings.sort(key=lambda f: (f.file, f.line, CHECKS.index(f.check) if f.check in CHECKS else 99))
    return report


_forked_checker: Checker | None = None


def _check_share(targets: list[_Target]) -> CheckReport:
    report = CheckReport()
    for target in targets:
        report.merge(_forked_checker.check_file(target.path, target.lang))
    return report


# Reports ------------------------------------------------------------------------------------------


def summary_line(report: CheckReport) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    line = (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} in "
        f"{report.catalogues} catalogue{'s' * (report.catalogues != 1)} "
        f"({report.translated} translated entries checked, {report.fuzzy} fuzzy, {report.untranslated} untranslated)"
    )
    if report.silenced:
        silenced = ", ".join(f"{check} {count}" for check, count in sorted(report.silenced.items()))
        line += f"; silenced by translator comments: {silenced}"
    return line


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_report(report: CheckReport, output: str = "text") -> tuple[str, str]:
    """(the findings in the requested format, a one-line summary)."""
    import json

    if output == "json":
        return json.dumps([finding.as_dict() for finding in report.findings], ensure_ascii=False, indent=2), (
            summary_line(report)
        )
    lines = []
    for finding in report.findings:
        if output == "github":
            command = "error" if finding.severity == "error" else "warning"
            body = finding.message
            if finding.fragment:
                body += f"\n{finding.fragment}"
            if finding.hint:
                body += f"\nFix: {finding.hint}"
            lines.append(
                f"::{command} file={_github_escape(finding.file, True)},line={finding.line},"
                f"title={_github_escape(f'guide check [{finding.check}]', True)}::{_github_escape(body)}"
            )
        else:
            lines.append(f"{finding.file}:{finding.line}: {finding.severity} [{finding.check}] {finding.message}")
            if finding.fragment:
                lines.append(f"    in: {finding.fragment}")
            if finding.hint:
                lines.append(f"    fix: {finding.hint}")
    return "\n".join(lines), summary_line(report)
