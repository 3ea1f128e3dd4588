"""Fast reading of .po files for checks: one pass over the lines, no object per line.

``guide check`` reads every catalogue of every language on each run (a 200-page guide in five
languages is a thousand files), and the build's translation guard looks entry lines up while
Sphinx runs; polib and the strict reader in ``guidetools.catalog`` take 10 to 13 ms per chapter
catalogue, this reader well under one. It understands exactly the well-formed files gettext
tools write; for anything else it returns None, and callers ask ``catalog.parse_catalog`` for
the error message (or the messages, when the file was merely unusual).

``Entry.line`` is the first line of the entry (its first comment, else its msgid line): a
``# check: ignore=…`` comment and the msgstr are both in sight from there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr\[(\d+)\]|msgstr)[ \t]+")
_ESCAPE = re.compile(r"\\(?:([\\\"abfnrtv])|([0-7]{1,3})|x([0-9A-Fa-f]+))")
_SIMPLE_ESCAPES = {"\\": "\\", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


@dataclass(slots=True)
class Entry:
    msgid: str = ""
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    comment: str = ""  # translator comments ("# …"), one per line
    obsolete: bool = False
    line: int = 0

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is not None:
            return [self.msgstr_plural[index] for index in sorted(self.msgstr_plural)]
        return [self.msgstr]


class _Malformed(Exception):
    pass


def _string(text: str) -> str:
    """The value of a (stripped) quoted PO string, unescaped."""
    inner = text[1:-1]
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise _Malformed
    if '"' not in inner and "\\" not in inner:  # the common case, without a regex
        return inner
    match = _STRING.fullmatch(text)
    if not match:
        raise _Malformed
    return _unescape(match[1])


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        if match[1]:
            return _SIMPLE_ESCAPES[match[1]]
        return chr(int(match[2], 8) if match[2] else int(match[3], 16))

    unescaped = _ESCAPE.sub(replace, text)
    if "\\" in _ESCAPE.sub("", text):
        raise _Malformed  # an escape gettext does not know
    return unescaped


def read_entries(text: str) -> list[Entry] | None:
    """The entries of a well-formed .po text, header included; None when the text needs the strict reader."""
    try:
        return _read(text)
    except _Malformed:
        return None


def _read(text: str) -> list[Entry]:
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # the field the strings being read belong to
    parts: list[str] = []
    has_msgid = has_msgstr = False

    def flush() -> None:
        nonlocal target
        if target is not None and entry is not None:
            name, index = target
            value = "".join(parts)
            if name == "plural":
                entry.msgstr_plural[index] = value
            else:
                setattr(entry, name, value)
        target = None
        parts.clear()

    def start(number: int) -> Entry:
        nonlocal has_msgid, has_msgstr
        if entry is not None and not (has_msgid and has_msgstr):
            raise _Malformed  # the previous entry lacks its msgid or msgstr
        has_msgid = has_msgstr = False
        entries.append(Entry(line=number))
        return entries[-1]

    for number, raw in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        first = line[0]
        if first == '"':  # a continuation string: the most frequent line
            if target is None or len(line) < 2 or line[-1] != '"':
                raise _Malformed
            inner = line[1:-1]
            parts.append(inner if '"' not in inner and "\\" not in inner else _string(line))
            continue
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if not line or line.startswith("|"):  # "#~|": the previous msgid of an obsolete entry
                continue
            if line[0] == '"':
                if target is None:
                    raise _Malformed
                parts.append(_string(line))
                continue
        elif first == "#":
            flush()
            if entry is None or has_msgstr:
                entry = start(number)
            kind = line[1:2]
            if kind == ",":
                entry.flags += [flag.strip() for flag in line[2:].split(",") if flag.strip()]
            elif kind not in (".", ":", "|"):  # extracted comments, references, previous msgid
                entry.comment += line[1:].removeprefix(" ") + "\n"
            continue
        keyword = _KEYWORD.match(line)
        if not keyword:
            raise _Malformed
        flush()
        value = _string(line[keyword.end() :])
        name = keyword[1]
        if name in ("msgctxt", "msgid"):
            if entry is None or has_msgstr or has_msgid or (name == "msgctxt" and entry.msgctxt is not None):
                entry = start(number)
            has_msgid = has_msgid or name == "msgid"
        elif entry is None or not has_msgid or (has_msgstr and not name.startswith("msgstr[")):
            raise _Malformed  # msgstr or msgid_plural before any msgid, or a second msgstr
        entry.obsolete = entry.obsolete or obsolete
        if name.startswith("msgstr["):
            if int(keyword[2]) in entry.msgstr_plural:
                raise _Malformed
            target = ("plural", int(keyword[2]))
            entry.msgstr_plural[target[1]] = ""
            has_msgstr = True
        else:
            target = (name, 0)
            has_msgstr = has_msgstr or name == "msgstr"
        parts.append(value)
    flush()
    if entry is not None and not (has_msgid and has_msgstr):
        raise _Malformed
    return entries


def header_fields(entries: list[Entry]) -> dict[str, str]:
    """The header entry's "Name: value" fields."""
    header = next((entry for entry in entries if entry.is_header and not entry.obsolete), None)
    fields: dict[str, str] = {}
    if header is not None:
        for line in header.msgstr.split("\n"):
            name, colon, value = line.partition(":")
            if colon:
                fields[name.strip()] = value.strip()
    return fields
