"""Gettext catalogues (.po/.pot): strict reading, and writing in exactly the layout of ``msgcat``.

Translators' files come from Poedit, Weblate, text editors and other tools, so reading is strict
and explains itself: a syntax error, a charset other than UTF-8 or a message defined twice is a
``GuideError`` naming the file and the line, raised before anything is written.

Writing produces what GNU ``msgcat`` (gettext 0.21) would print for the same messages — the same
order of comments, the same normalised flags, the same line wrapping (see
:mod:`guidetools.linebreak`) — so ``msgcat file.po`` leaves a file written here unchanged and
editors that re-wrap like gettext create no diff noise. Files are written atomically and only
when their text changes.

The parser is our own rather than polib's because polib drops ``#~|`` lines and rejects some
comment forms that gettext accepts; :meth:`Catalog.to_polib` hands the same messages to code that
wants polib objects.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from guidetools import GuideError
from guidetools.linebreak import PROHIBITED, UNDEFINED, fit_lines
from guidetools.project import write_text_atomic

PAGE_WIDTH = 79  # gettext's default: lines of at most 79 columns
_NO_WRAP_WIDTH = 1 << 30

# gettext 0.21's format languages, in the order msgcat prints their flags.
FORMAT_LANGUAGES = (
    "c",
    "objc",
    "python",
    "python-brace",
    "java",
    "java-printf",
    "csharp",
    "javascript",
    "scheme",
    "lisp",
    "elisp",
    "librep",
    "ruby",
    "sh",
    "awk",
    "lua",
    "object-pascal",
    "smalltalk",
    "qt",
    "qt-plural",
    "kde",
    "kde-kuit",
    "boost",
    "tcl",
    "perl",
    "perl-brace",
    "php",
    "gcc-internal",
    "gfc-internal",
    "ycp",
)
_FORMAT_FLAG_RE = re.compile(r"(?P<kind>no-|possible-|impossible-)?(?P<lang>.+)-format")
_RANGE_FLAG_RE = re.compile(r"range:\s*(?P<low>\d+)\s*\.\.\s*(?P<high>\d+)")

# Header fields that change on every extraction: ignored when deciding whether a file changed.
VOLATILE_HEADER_FIELDS = ("POT-Creation-Date",)


@dataclass
class Message:
    """One entry of a catalogue; the header is the message whose msgid is empty."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # translator comments ("# ")
    extracted: list[str] = field(default_factory=list)  # "#." comments from the extractor
    references: list[str] = field(default_factory=list)  # "#:" source references
    flags: list[str] = field(default_factory=list)  # "#," flags, e.g. "fuzzy"
    previous_msgctxt: str | None = None  # "#|": the source text the translation was made for
    previous_msgid: str | None = None
    previous_msgid_plural: str | None = None
    obsolete: bool = False  # "#~": no longer in the sources; kept for its translation
    line: int = 0  # line of the msgid in the file it was read from

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def set_fuzzy(self, fuzzy: bool) -> None:
        if fuzzy and not self.fuzzy:
            self.flags = ["fuzzy", *self.flags]
        elif not fuzzy:
            self.flags = [flag for flag in self.flags if flag != "fuzzy"]

    @property
    def translations(self) -> list[str]:
        """The msgstr (or every plural msgstr)."""
        return list(self.msgstr_plural) if self.msgid_plural is not None else [self.msgstr]

    @property
    def translated(self) -> bool:
        """Has a non-empty translation (fuzzy or not)."""
        return any(self.translations)

    @property
    def state(self) -> str:
        """ "translated", "fuzzy" or "untranslated", as a translator sees the entry."""
        if not self.translated:
            return "untranslated"
        return "fuzzy" if self.fuzzy else "translated"

    def copy(self) -> Message:
        return replace(
            self,
            msgstr_plural=list(self.msgstr_plural),
            comments=list(self.comments),
            extracted=list(self.extracted),
            references=list(self.references),
            flags=list(self.flags),
        )


@dataclass
class Catalog:
    """The messages of one .po/.pot file, header first (when there is one), in file order."""

    messages: list[Message] = field(default_factory=list)
    path: Path | None = None

    @property
    def header(self) -> Message | None:
        return next((m for m in self.messages if m.is_header and not m.obsolete), None)

    @property
    def entries(self) -> list[Message]:
        """Messages that are in the sources: neither the header nor obsolete."""
        return [m for m in self.messages if not m.is_header and not m.obsolete]

    @property
    def obsolete(self) -> list[Message]:
        return [m for m in self.messages if m.obsolete]

    def index(self) -> dict[tuple[str | None, str], Message]:
        return {m.key: m for m in self.messages if not m.is_header}

    def metadata(self) -> list[tuple[str, str]]:
        """The header's fields, in order."""
        header = self.header
        return parse_header(header.msgstr) if header else []

    def get_metadata(self, name: str) -> str | None:
        return next((value for key, value in self.metadata() if key.lower() == name.lower()), None)

    def set_metadata(self, name: str, value: str, *, after: str | None = None) -> None:
        """Set a header field, or add it (after the field ``after``, else at the end).

        The other lines of the header are left exactly as they are.
        """
        header = self.header
        if header is None:
            header = Message(msgid="")
            self.messages.insert(0, header)
        lines = header.msgstr.split("\n")
        trailing = lines[-1] == ""
        if trailing:
            lines.pop()

        def field_name(line: str) -> str:
            return line.partition(":")[0].strip().lower()

        new_line = f"{name}: {value}"
        for index, line in enumerate(lines):
            if field_name(line) == name.lower():
                lines[index] = new_line
                break
        else:
            position = next(
                (i + 1 for i, line in enumerate(lines) if after and field_name(line) == after.lower()), None
            )
            lines.insert(len(lines) if position is None else position, new_line)
        header.msgstr = "\n".join(lines) + ("\n" if trailing else "")

    def to_polib(self):
        """The same messages as a ``polib.POFile`` (for code written against polib)."""
        import polib

        result = polib.POFile(wrapwidth=PAGE_WIDTH)
        result.metadata = dict(self.metadata())
        header = self.header
        if header is not None:
            result.header = "\n".join(header.comments)
            result.metadata_is_fuzzy = header.fuzzy
        for m in self.messages:
            if m.is_header and not m.obsolete:
                continue
            entry = polib.POEntry(
                msgid=m.msgid,
                msgstr=m.msgstr,
                msgctxt=m.msgctxt,
                msgid_plural=m.msgid_plural or "",
                msgstr_plural=dict(enumerate(m.msgstr_plural)),
                tcomment="\n".join(m.comments),
                comment="\n".join(m.extracted),
                occurrences=[tuple(ref.rsplit(":", 1)) if ":" in ref else (ref, "") for ref in m.references],
                flags=list(m.flags),
                previous_msgctxt=m.previous_msgctxt,
                previous_msgid=m.previous_msgid,
                previous_msgid_plural=m.previous_msgid_plural,
                obsolete=m.obsolete,
                linenum=m.line,
            )
            result.append(entry)
        return result


def parse_header(text: str) -> list[tuple[str, str]]:
    """The fields of a header msgstr; values keep their exact text (only the space after ":" goes)."""
    fields = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        fields.append((name.strip(), value.lstrip() if sep else ""))
    return fields


def format_header(fields: Iterable[tuple[str, str]]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in fields)


# --- reading ---------------------------------------------------------------------------------

_KEYWORD_RE = re.compile(r"(?P<keyword>msgctxt|msgid_plural|msgid|msgstr(?:\[(?P<index>\d+)\])?)(?=[\s\"])")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"'}
_CHARSET_RE = re.compile(r"charset=(?P<charset>[^\s;]+)", re.IGNORECASE)


class _Syntax(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_SIMPLE_LITERAL_RE = re.compile(r'"((?:[^"\\]|\\[nt\\"rabfv])*)"')
_SIMPLE_ESCAPE_RE = re.compile(r'\\([nt\\"rabfv])')


def _unquote(text: str, line: int) -> str:
    """The value of one or more C-style string literals ("..." "...") making up ``text``."""
    text = text.strip()
    # Nearly every line gettext tools write is one literal with at most the simple escapes: take it
    # with one regular expression instead of a character at a time (this loop was most of the time
    # a build spent on its translation-status page).
    simple = _SIMPLE_LITERAL_RE.fullmatch(text)
    if simple is not None:
        inner = simple[1]
        return _SIMPLE_ESCAPE_RE.sub(lambda match: _ESCAPES[match[1]], inner) if "\\" in inner else inner
    return _unquote_slowly(text, line)


def _unquote_slowly(text: str, line: int) -> str:
    parts = []
    position = 0
    if not text.startswith('"'):
        raise _Syntax(line, 'expected a string in double quotes ("...")')
    while position < len(text):
        if text[position] != '"':
            raise _Syntax(line, f"unexpected text after the closing quote: {text[position:]!r}")
        position += 1
        chunk = []
        while True:
            if position >= len(text):
                raise _Syntax(
                    line, "string not closed (a double quote is missing, or a quote inside it lacks its backslash)"
                )
            char = text[position]
            if char == '"':
                position += 1
                break
            if char == "\\":
                position += 1
                if position >= len(text):
                    raise _Syntax(line, "string ends with a lone backslash")
                code = text[position]
                if code in _ESCAPES:
                    chunk.append(_ESCAPES[code])
                    position += 1
                elif code in "01234567":
                    digits = re.match(r"[0-7]{1,3}", text[position:]).group(0)
                    chunk.append(chr(int(digits, 8)))
                    position += len(digits)
                elif code == "x" and re.match(r"x[0-9A-Fa-f]", text[position:]):
                    digits = re.match(r"x([0-9A-Fa-f]+)", text[position:]).group(1)
                    chunk.append(chr(int(digits, 16)))
                    position += 1 + len(digits)
                else:
                    raise _Syntax(line, f"invalid escape sequence \\{code} (write \\\\ for a backslash)")
            else:
                chunk.append(char)
                position += 1
        parts.append("".join(chunk))
        while position < len(text) and text[position] in " \t":
            position += 1
    return "".join(parts)


class _Parser:
    """A line-oriented reader of the PO format, as GNU gettext accepts it."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.pending = Message(msgid="")  # comments and previous-msgid lines gathered so far
        self.has_pending = False
        self.current: Message | None = None  # the message whose strings are being read
        self.field: str | None = None  # which string a continuation line extends
        self.plural_index = 0
        self.started: dict[str, bool] = {}

    def _finish(self) -> None:
        if self.current is not None:
            message = self.current
            if not self.started.get("msgstr"):
                raise _Syntax(message.line, f"msgid {_short(message.msgid)} has no msgstr")
            if message.msgid_plural is not None and not self.started.get("msgstr_plural"):
                raise _Syntax(message.line, "msgid_plural needs msgstr[0], msgstr[1], … rather than msgstr")
            self.messages.append(message)
        self.current = None
        self.field = None
        self.started = {}

    def _begin_comment(self) -> None:
        if self.current is not None and self.started.get("msgstr"):
            self._finish()
        if self.current is not None:
            raise _Syntax(self.current.line, f"msgid {_short(self.current.msgid)} has no msgstr")
        self.has_pending = True

    def feed(self, number: int, raw: str) -> None:
        line = raw.strip()
        if not line:
            return
        if line.startswith("#~"):
            rest = line[2:]
            if rest.startswith("|"):
                self._begin_comment()
                self._previous(number, rest[1:].strip(), obsolete=True)
            elif rest.strip():
                self._strings(number, rest.strip(), obsolete=True)
            return
        if line.startswith("#"):
            self._begin_comment()
            self._comment(number, line)
            return
        self._strings(number, line, obsolete=False)

    def _comment(self, number: int, line: int | str) -> None:
        kind = line[1:2]
        pending = self.pending
        if kind == "|":
            self._previous(number, line[2:].strip(), obsolete=False)
            return
        self.field = None
        if kind == ",":
            for flag in line[2:].split(","):
                flag = " ".join(flag.split())
                if flag:
                    pending.flags.append(flag)
        elif kind == ":":
            pending.references.extend(line[2:].split())
        elif kind == ".":
            pending.extracted.append(_strip_one_space(line[2:]))
        else:
            pending.comments.append(_strip_one_space(line[1:]))

    def _previous(self, number: int, text: str, obsolete: bool) -> None:
        match = _KEYWORD_RE.match(text)
        pending = self.pending
        if match and match["keyword"] in ("msgctxt", "msgid", "msgid_plural"):
            name = {"msgctxt": "previous_msgctxt", "msgid": "previous_msgid", "msgid_plural": "previous_msgid_plural"}
            self.field = name[match["keyword"]]
            setattr(pending, self.field, _unquote(text[match.end() :], number))
        elif text.startswith('"') and self.field and self.field.startswith("previous_"):
            setattr(pending, self.field, getattr(pending, self.field) + _unquote(text, number))
        else:
            raise _Syntax(number, "a #| line must hold msgctxt, msgid or msgid_plural and a string")

    def _strings(self, number: int, line: str, obsolete: bool) -> None:
        match = _KEYWORD_RE.match(line)
        if match is None:
            if line.startswith('"'):
                if self.current is None or self.field is None or self.field.startswith("previous_"):
                    raise _Syntax(number, "a continuation string must follow msgid, msgstr or another string")
                if self.current.obsolete != obsolete:
                    raise _Syntax(number, "an obsolete (#~) entry mixes with a normal one")
                self._append(_unquote(line, number))
                return
            word = line.split()[0]
            raise _Syntax(number, f"unexpected {word!r}: expected msgid, msgstr, a string or a comment")
        keyword = match["keyword"]
        value = _unquote(line[match.end() :], number)
        if keyword in ("msgctxt", "msgid"):
            if self.current is not None and (
                self.started.get("msgstr") or keyword == "msgctxt" or self.started.get("msgid")
            ):
                if not self.started.get("msgstr"):
                    raise _Syntax(self.current.line, f"msgid {_short(self.current.msgid)} has no msgstr")
                self._finish()
            if self.current is None:
                self.current = self.pending
                self.current.obsolete = obsolete
                self.pending = Message(msgid="")
                self.has_pending = False
            elif self.current.obsolete != obsolete:
                raise _Syntax(number, "an obsolete (#~) entry mixes with a normal one")
            if keyword == "msgctxt":
                if self.started.get("msgctxt"):
                    raise _Syntax(number, "msgctxt given twice")
                self.current.msgctxt = value
            else:
                self.current.msgid = value
                self.current.line = number
            self.started[keyword] = True
            self.field = keyword
            return
        message = self.current
        if message is None or not self.started.get("msgid"):
            raise _Syntax(number, f"{keyword} without a msgid before it")
        if message.obsolete != obsolete:
            raise _Syntax(number, "an obsolete (#~) entry mixes with a normal one")
        if keyword == "msgid_plural":
            if self.started.get("msgstr") or self.started.get("msgid_plural"):
                raise _Syntax(number, "msgid_plural must come once, right after msgid")
            message.msgid_plural = value
            self.started["msgid_plural"] = True
            self.field = "msgid_plural"
            return
        if match["index"] is None:
            if self.started.get("msgstr"):
                raise _Syntax(number, f"a second msgstr for msgid {_short(message.msgid)}")
            if message.msgid_plural is not None:
                raise _Syntax(number, "msgid_plural needs msgstr[0], msgstr[1], … rather than msgstr")
            message.msgstr = value
            self.started["msgstr"] = True
            self.field = "msgstr"
            return
        index = int(match["index"])
        if message.msgid_plural is None:
            raise _Syntax(number, f"msgstr[{index}] without a msgid_plural")
        if index != len(message.msgstr_plural):
            raise _Syntax(number, f"msgstr[{index}] out of order (expected msgstr[{len(message.msgstr_plural)}])")
        message.msgstr_plural.append(value)
        self.started["msgstr"] = self.started["msgstr_plural"] = True
        self.field = "msgstr_plural"

    def _append(self, value: str) -> None:
        message = self.current
        if self.field == "msgstr_plural":
            message.msgstr_plural[-1] += value
        else:
            setattr(message, self.field, (getattr(message, self.field) or "") + value)

    def close(self, last_line: int) -> list[Message]:
        if self.current is not None:
            self._finish()
        if self.has_pending and (self.pending.previous_msgid is not None):
            raise _Syntax(last_line, "the file ends with #| lines that belong to no entry")
        return self.messages


def _strip_one_space(text: str) -> str:
    return text[1:] if text.startswith(" ") else text


def _short(text: str, limit: int = 50) -> str:
    text = text.replace("\n", "\\n")
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def parse_catalog(data: bytes | str, path: Path | str = "<catalogue>") -> Catalog:
    """Parse PO text; every problem is a ``GuideError`` "path:line: what; what to do"."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise GuideError(
                f"{path}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x}); the guide's catalogues are UTF-8: "
                f"save the file as UTF-8, or convert it with `msgconv --to-code=UTF-8`"
            ) from None
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    parser = _Parser()
    lines = text.split("\n")
    try:
        for number, raw in enumerate(lines, start=1):
            parser.feed(number, raw)
        messages = parser.close(len(lines))
    except _Syntax as exc:
        raise GuideError(f"{path}:{exc.line}: syntax error: {exc.message}") from None
    catalog = Catalog(messages=messages, path=Path(path) if not isinstance(path, Path) else path)
    _check_charset(catalog, text, path)
    _check_duplicates(catalog, path)
    return catalog


def _check_charset(catalog: Catalog, text: str, path: Path | str) -> None:
    header = catalog.header
    content_type = catalog.get_metadata("Content-Type") if header else None
    match = _CHARSET_RE.search(content_type or "")
    charset = match["charset"] if match else None
    if charset is None or charset.upper() == "CHARSET":
        if text.isascii():
            return
        line = header.line if header else 1
        raise GuideError(
            f"{path}:{line}: the header declares no charset but the file has non-ASCII text; "
            f'add "Content-Type: text/plain; charset=UTF-8\\n" to the header'
        )
    if charset.replace("_", "-").upper() not in ("UTF-8", "UTF8"):
        raise GuideError(
            f"{path}:{header.line}: the header declares charset={charset}; the guide's catalogues are UTF-8: "
            f"convert the file with `msgconv --to-code=UTF-8` (or save it as UTF-8 and fix the header)"
        )


def _check_duplicates(catalog: Catalog, path: Path | str) -> None:
    seen: dict[tuple[str | None, str], Message] = {}
    for message in catalog.messages:
        if message.is_header and not message.obsolete:
            if ("header", "") in seen:
                raise GuideError(f'{path}:{message.line}: a second header entry (msgid ""); merge the two headers')
            seen[("header", "")] = message
            continue
        first = seen.get(message.key)
        if first is not None:
            context = f" (msgctxt {_short(message.msgctxt)})" if message.msgctxt is not None else ""
            raise GuideError(
                f"{path}:{message.line}: duplicate msgid {_short(message.msgid)}{context}, first defined at line "
                f"{first.line}; keep one entry (merge their translations by hand)"
            )
        seen[message.key] = message


def read_catalog(path: Path) -> Catalog:
    """Read and check one .po/.pot file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise GuideError(f"{path}: catalogue not found") from None
    except OSError as exc:
        raise GuideError(f"{path}: cannot read the catalogue: {exc.strerror}") from None
    return parse_catalog(data, path)


def read_catalogs(paths: Iterable[Path]) -> dict[Path, Catalog]:
    """Read several catalogues; the first bad one raises before the caller writes anything."""
    return {path: read_catalog(path) for path in paths}


# --- writing ---------------------------------------------------------------------------------


_ESCAPE_TABLE = str.maketrans(
    {
        "\a": "\\a",
        "\b": "\\b",
        "\f": "\\f",
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\v": "\\v",
        "\\": "\\\\",
        '"': '\\"',
    }
)
_ESCAPE_SEQUENCE = re.compile(r"\\.")  # in escaped text every backslash starts one


def _escape(portion: str) -> tuple[str, list[int] | None]:
    """Escape a string as msgcat does, with the overrides that forbid breaks inside escape sequences.

    The overrides are None when there is nothing to forbid (no escape sequence).
    """
    escaped = portion.translate(_ESCAPE_TABLE)
    if len(escaped) == len(portion):
        return escaped, None
    overrides = [UNDEFINED] * len(escaped)
    for sequence in _ESCAPE_SEQUENCE.finditer(escaped):
        overrides[sequence.start() + 1] = PROHIBITED
    if portion.endswith("\n"):
        overrides[-2] = PROHIBITED  # never break just before the final "\n"
    return escaped, overrides


# Memoised: one update formats each msgid once per language and template, and a catalogue whose
# messages changed twice (as it was, and merged) to see whether its text changed; line breaking
# is the costly part (27 of 36 profiled seconds of an update of the generated 20-chapter guide,
# before this cache and same_comparable_text).
# Bounded so that a long-lived process (the live preview) does not keep every string it formatted.
@lru_cache(maxsize=1 << 15)
def _wrap(prefix: str, name: str, value: str, wrap: bool) -> tuple[str, ...]:
    """The lines of ``name "value"`` with gettext's layout (INDENT-F/INDENT-S of write-po.c)."""
    portions = re.findall(r"[^\n]*\n|[^\n]+$", value) or [""]
    indent_after_break = len(prefix) + 1  # the opening quote of continuation lines
    width = (PAGE_WIDTH if wrap else _NO_WRAP_WIDTH) - 1 - indent_after_break
    lines: list[str] = []
    first = True
    for number, portion in enumerate(portions):
        escaped, overrides = _escape(portion)
        more = number < len(portions) - 1
        start = len(name) + 1 if first else 0
        breaks = fit_lines(escaped, width, start, overrides)
        if first and escaped and (more or start > width or breaks):
            lines.append(f'{prefix}{name} ""')
            first = False
            breaks = fit_lines(escaped, width, 0, overrides)
        head = f"{prefix}{name} " if first else prefix
        first = False
        bounds = [0, *breaks, len(escaped)]
        pieces = [escaped[a:b] for a, b in itertools.pairwise(bounds)]
        lines.append(f'{head}"{pieces[0]}"')
        lines.extend(f'{prefix}"{piece}"' for piece in pieces[1:])
    return tuple(lines)


def normalised_flags(message: Message) -> list[str]:
    """The flags msgcat keeps, in msgcat's order: fuzzy, format flags, range, no-wrap."""
    formats: dict[str, str] = {}
    range_flag = None
    wrap = True
    for flag in message.flags:
        if flag == "wrap":
            wrap = True
        elif flag == "no-wrap":
            wrap = False
        elif _RANGE_FLAG_RE.fullmatch(flag):
            match = _RANGE_FLAG_RE.fullmatch(flag)
            range_flag = f"range: {int(match['low'])}..{int(match['high'])}"
        else:
            match = _FORMAT_FLAG_RE.fullmatch(flag)
            if match and match["lang"] in FORMAT_LANGUAGES:
                kind = match["kind"]
                if kind == "impossible-":
                    formats.pop(match["lang"], None)
                else:
                    formats[match["lang"]] = "no-" if kind == "no-" else ""
    result = []
    fuzzy = message.fuzzy and (message.obsolete or bool(message.translations[0] if message.translations else ""))
    if fuzzy:
        result.append("fuzzy")
    result += [f"{formats[lang]}{lang}-format" for lang in FORMAT_LANGUAGES if lang in formats]
    if range_flag and not message.obsolete:
        result.append(range_flag)
    if not wrap:
        result.append("no-wrap")
    return result


def _references(references: list[str]) -> list[str]:
    if not references:
        return []
    lines = []
    line = "#:"
    column = 2
    for reference in dict.fromkeys(references):  # gettext keeps each file:line once
        length = len(reference) + 1
        if column > 2 and column + length > PAGE_WIDTH:
            lines.append(line)
            line, column = "#:", 2
        line += " " + reference
        column += length
    lines.append(line)
    return lines


def format_message(message: Message) -> list[str]:
    obsolete = message.obsolete
    lines = []
    for comment in message.comments:
        lines += [f"# {part}" if part else "#" for part in comment.split("\n")]
    lines += [f"#. {text}" if text else "#." for text in message.extracted]
    lines += _references(message.references)
    flags = normalised_flags(message)
    if flags:
        lines.append("#, " + ", ".join(flags))
    wrap = "no-wrap" not in flags
    previous_prefix = "#~| " if obsolete else "#| "
    for name in ("msgctxt", "msgid", "msgid_plural"):
        value = getattr(message, f"previous_{name}")
        if value is not None:
            lines += _wrap(previous_prefix, name, value, wrap)
    prefix = "#~ " if obsolete else ""
    if message.msgctxt is not None:
        lines += _wrap(prefix, "msgctxt", message.msgctxt, wrap)
    lines += _wrap(prefix, "msgid", message.msgid, wrap)
    if message.msgid_plural is not None:
        lines += _wrap(prefix, "msgid_plural", message.msgid_plural, wrap)
        for index, text in enumerate(message.msgstr_plural or [""]):
            lines += _wrap(prefix, f"msgstr[{index}]", text, wrap)
    else:
        lines += _wrap(prefix, "msgstr", message.msgstr, wrap)
    return lines


def format_catalog(catalog: Catalog) -> str:
    """The catalogue as msgcat prints it: active entries, then obsolete ones with a translation."""
    blocks = [format_message(m) for m in catalog.messages if not m.obsolete]
    blocks += [format_message(m) for m in catalog.messages if m.obsolete and m.translated and m.translations[0]]
    return "\n".join("\n".join(block) + "\n" for block in blocks)


def comparable_text(catalog: Catalog) -> str:
    """The formatted catalogue without header fields that change on every extraction."""
    return "\n".join(_without_volatile_fields(format_catalog(catalog).split("\n")))


def _without_volatile_fields(lines: Iterable[str]) -> list[str]:
    volatile = tuple(f'"{name}: ' for name in VOLATILE_HEADER_FIELDS)
    return [line for line in lines if not line.startswith(volatile)]


def _printed_fields(message: Message) -> tuple:
    """Everything of a message that :func:`format_message` prints (not the line it was read from)."""
    return (
        message.msgid,
        message.msgstr,
        message.msgctxt,
        message.msgid_plural,
        message.msgstr_plural,
        message.comments,
        message.extracted,
        message.references,
        message.flags,
        message.previous_msgctxt,
        message.previous_msgid,
        message.previous_msgid_plural,
        message.obsolete,
    )


def same_comparable_text(first: Catalog, second: Catalog) -> bool:
    """``comparable_text(first) == comparable_text(second)``, without formatting when it can.

    Catalogues whose messages are the same, in the same order, print the same text; only the
    header is formatted then, for its volatile fields. Formatting (line breaking) is most of an
    update's work, and most catalogues of an update are unchanged.
    """
    if len(first.messages) == len(second.messages) and all(
        _same_printed(one, other) for one, other in zip(first.messages, second.messages, strict=True)
    ):
        return True
    return comparable_text(first) == comparable_text(second)


def _same_printed(one: Message, other: Message) -> bool:
    if one.is_header and other.is_header and not (one.obsolete or other.obsolete):
        return _without_volatile_fields(format_message(one)) == _without_volatile_fields(format_message(other))
    return _printed_fields(one) == _printed_fields(other)


def write_catalog(path: Path, catalog: Catalog) -> bool:
    """Write ``catalog`` to ``path`` (atomically) unless the file already holds that text.

    Returns whether the file was written.
    """
    text = format_catalog(catalog)
    try:
        if path.read_bytes() == text.encode("utf-8"):
            return False
    except FileNotFoundError:
        pass
    write_text_atomic(path, text)
    return True


# --- words -----------------------------------------------------------------------------------

_ROLE_RE = re.compile(r"\{[a-zA-Z][\w:.-]*\}(?=`)")  # {term}, {ref}, {numref} … before their `text`
_LINK_TARGET_RE = re.compile(r"\]\([^)\s]*\)")  # [text](https://…) -> [text]
_ROLE_TARGET_RE = re.compile(r"\s*<[^<>`\s]+>(?=`)")  # {ref}`text <label>` -> {ref}`text`
_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")  # l'etat and drug-free count as one word


def count_words(text: str) -> int:
    """Words a translator has to translate: markup (roles, link targets, labels) does not count."""
    text = _ROLE_RE.sub("", text)
    text = _LINK_TARGET_RE.sub("]", text)
    text = _ROLE_TARGET_RE.sub("", text)
    return len(_WORD_RE.findall(text))


def iter_catalog_files(folder: Path, suffix: str = ".po") -> Iterator[Path]:
    """Catalogue files under ``folder``, sorted, skipping editor backups and hidden files."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob(f"*{suffix}")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
            yield path
