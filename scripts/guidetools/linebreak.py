"""Line breaking as GNU gettext's tools do it, so the .po files we write are the ones msgcat writes.

``msgcat``, ``msgmerge`` and Poedit wrap long strings at the line-break opportunities of Unicode
Standard Annex #14, as computed by GNU libunistring (1.0 for gettext 0.21): a break may go after a
space or a hyphen, but never before a closing bracket or inside ``3,5``. This module implements the
same rules on Python strings: :func:`break_opportunities` finds the opportunities and
:func:`fit_lines` chooses the ones that keep lines within a width, greedily, like
``ulc_width_linebreaks``. The class of each character comes from :mod:`guidetools.linebreak_table`.

The pair rules are written out from UAX #14 (rules LB11 to LB31) rather than kept as a table, so
each decision can be traced to a rule, with libunistring 1.0's two departures from the annex (LB16
only after CL, no LB29); ``tests/test_linebreak.py`` checks the result against libunistring itself
and ``tests/test_catalog.py`` against ``msgcat``.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from functools import cache, lru_cache

from guidetools.linebreak_table import RUNS

# Break decision before a character (libunistring's UC_BREAK_* values, kept symbolic here).
PROHIBITED = 0
POSSIBLE = 1
MANDATORY = 2
UNDEFINED = 3  # an override that leaves the computed decision alone

# Pair decisions: break directly, only when spaces separate the two, or never.
_DIRECT, _INDIRECT, _NEVER = "D", "I", "P"

_RUN_STARTS: list[int] = []
_RUN_CLASSES: list[str] = []
for _line in RUNS.splitlines():
    _start, _class = _line.split()
    _RUN_STARTS.append(int(_start, 16))
    _RUN_CLASSES.append(_class)

_EAST_ASIAN_WIDE = ("F", "W", "H")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")


@lru_cache(maxsize=4096)
def line_break_class(char: str) -> str:
    """The resolved UAX #14 class of one character; OP and CP split by East Asian width (LB30)."""
    cls = _RUN_CLASSES[bisect.bisect_right(_RUN_STARTS, ord(char)) - 1]
    if cls in ("OP", "CP") and unicodedata.east_asian_width(char) in _EAST_ASIAN_WIDE:
        return cls + "_EA"
    return cls


_ALPHABETIC = ("AL", "HL")
_NUMERIC_PREFIX_SUFFIX = {
    # LB25 (the pair form libunistring implements): keep numbers with their signs and brackets.
    ("CL", "PO"),
    ("CP", "PO"),
    ("CP_EA", "PO"),
    ("CL", "PR"),
    ("CP", "PR"),
    ("CP_EA", "PR"),
    ("NU", "PO"),
    ("NU", "PR"),
    ("PO", "OP"),
    ("PO", "OP_EA"),
    ("PO", "NU"),
    ("PR", "OP"),
    ("PR", "OP_EA"),
    ("PR", "NU"),
    ("HY", "NU"),
    ("IS", "NU"),
    ("NU", "NU"),
    ("SY", "NU"),
}
_HANGUL_SYLLABLE = ("JL", "JV", "JT", "H2", "H3")


@cache
def pair_decision(before: str, after: str) -> str:
    """Whether a line may break between a character of class ``before`` and one of class ``after``.

    ``_DIRECT``: yes; ``_INDIRECT``: only if spaces separate them (then after the last space);
    ``_NEVER``: no, not even after spaces.
    """
    # Rules that hold across spaces (LB11, LB13 to LB17): no break at all.
    if (
        after in ("WJ", "CL", "CP", "CP_EA", "EX", "IS", "SY")  # LB11, LB13
        or before in ("OP", "OP_EA")  # LB14
        or (before == "QU" and after in ("OP", "OP_EA"))  # LB15
        or (before == "CL" and after == "NS")  # LB16 (libunistring 1.0: not after CP)
        or (before == "B2" and after == "B2")  # LB17
    ):
        return _NEVER
    # Rules for adjacent characters only; with spaces between, LB18 breaks after the spaces.
    if _no_direct_break(before, after):
        return _INDIRECT
    return _DIRECT  # LB31


def _no_direct_break(before: str, after: str) -> bool:
    return (
        before == "WJ"  # LB11
        or before == "GL"  # LB12
        or (after == "GL" and before not in ("BA", "HY"))  # LB12a
        or before == "QU"  # LB19
        or after == "QU"
        or after in ("BA", "HY", "NS")  # LB21
        or before == "BB"
        or (before == "SY" and after == "HL")  # LB21b
        or after == "IN"  # LB22
        or (before in _ALPHABETIC and after == "NU")  # LB23
        or (before == "NU" and after in _ALPHABETIC)
        or (before == "PR" and after in ("ID", "EB", "EM"))  # LB23a
        or (before in ("ID", "EB", "EM") and after == "PO")
        or (before in ("PR", "PO") and after in _ALPHABETIC)  # LB24
        or (before in _ALPHABETIC and after in ("PR", "PO"))
        or (before, after) in _NUMERIC_PREFIX_SUFFIX  # LB25
        or (before == "JL" and after in ("JL", "JV", "H2", "H3"))  # LB26
        or (before in ("JV", "H2") and after in ("JV", "JT"))
        or (before in ("JT", "H3") and after == "JT")
        or (before in _HANGUL_SYLLABLE and after == "PO")  # LB27
        or (before == "PR" and after in _HANGUL_SYLLABLE)
        or (before in _ALPHABETIC and after in _ALPHABETIC)  # LB28
        or (before in (*_ALPHABETIC, "NU") and after == "OP")  # LB30, not East Asian brackets
        or (before == "CP" and after in (*_ALPHABETIC, "NU"))
        or (before == "EB" and after == "EM")  # LB30b
        # LB29 (IS x AL, as in "e.g.Word") is not applied: libunistring 1.0 breaks after the dot.
    )


# Classes that are not decided by the pair rules: line ends, spaces, zero-width space, combining
# marks and joiners.
_SPECIAL = frozenset({"BK", "LF", "CR", "SP", "ZW", "CM", "ZWJ"})
# Characters' classes and the pair decisions, as met: break_opportunities looks them up for every
# character of every string a catalogue holds, and a dictionary lookup costs less than a call to
# the cached functions that fill them. Both stay small: one entry per character or pair met.
_CLASS_OF: dict[str, str] = {}
_DECISION_OF: dict[tuple[str, str, bool], int] = {}


@cache
def _alphabetic_run():
    """A regular expression matching a run of AL characters (letters of most scripts).

    Between two AL characters a line never breaks (LB28), and after such a run the state of the
    analysis is that of its first character: break_opportunities skips a word's other letters.
    """
    ranges = []
    for index, (start, cls) in enumerate(zip(_RUN_STARTS, _RUN_CLASSES, strict=True)):
        if cls == "AL":
            end = _RUN_STARTS[index + 1] - 1 if index + 1 < len(_RUN_STARTS) else 0x10FFFF
            ranges.append(f"\\U{start:08X}-\\U{end:08X}")
    return re.compile(f"[{''.join(ranges)}]+").match


def _pair_break(before: str, after: str, spaces_between: bool) -> int:
    pair = pair_decision(before, after)
    return POSSIBLE if pair == _DIRECT or (pair == _INDIRECT and spaces_between) else PROHIBITED


def break_opportunities(text: str) -> list[int]:
    """For each character of ``text``: may a line break just before it? (LB4 to LB31)."""
    result = [PROHIBITED] * len(text)
    class_of, decision_of = _CLASS_OF, _DECISION_OF
    previous = "BK"  # class of the previous character
    last = "BK"  # class of the last character that is not a space
    seen_space = False  # spaces since ``last``
    regional_indicators = 0  # consecutive RI characters just before this point
    alphabetic_run = _alphabetic_run()
    resume = 0  # characters before this index are the rest of a word: no break, nothing changes
    for index, char in enumerate(text):
        if index < resume:
            continue
        cls = class_of.get(char)
        if cls is None:
            cls = class_of[char] = line_break_class(char)
        if cls not in _SPECIAL:
            if last == "BK":
                decision = PROHIBITED  # never at the start of a line
            elif last == "ZW":
                decision = POSSIBLE  # LB8
            elif previous == "ZWJ":
                decision = PROHIBITED  # LB8a
            elif last == "RI" and cls == "RI":  # LB30a: flags are pairs of RIs
                decision = POSSIBLE if seen_space or regional_indicators % 2 == 0 else PROHIBITED
            elif previous == "HL_BA":
                decision = PROHIBITED  # LB21a: Hebrew letter + hyphen stays with what follows
            else:
                decision = decision_of.get((last, cls, seen_space), -1)
                if decision < 0:
                    decision = decision_of[last, cls, seen_space] = _pair_break(last, cls, seen_space)
            result[index] = decision
            last, seen_space = cls, False
            previous = "HL_BA" if previous == "HL" and cls in ("HY", "BA") else cls
            regional_indicators = regional_indicators + 1 if cls == "RI" else 0
            if cls == "AL" and (run := alphabetic_run(text, index + 1)):
                resume = run.end()
            continue
        if cls in ("BK", "LF", "CR"):
            result[index] = MANDATORY  # LB4 to LB6: the break goes after the newline
            last, seen_space = "BK", False
        elif cls == "SP":
            seen_space = True  # LB7: never just before a space
        elif cls == "ZW":
            last, seen_space = "ZW", False
        elif cls in ("CM", "ZWJ"):
            # LB9/LB10: a combining mark belongs to what precedes it, unless that is a space
            # or the start of a line: then it stands alone, as a letter.
            if last == "BK":
                last, seen_space = "AL", False
            elif last == "ZW" or seen_space:
                result[index] = POSSIBLE
                last, seen_space = "AL", False
        previous = cls
        regional_indicators = 0
    return result


# Vowel signs that libunistring 1.0 counts as one column although they are non-spacing marks.
_SPACING_MARKS = frozenset({0x0CBF, 0x0CC6, 0x11A07, 0x11A08, 0x11C3F})
_WIDE_BLOCKS = (
    (0x2E80, 0x303E),
    (0x3040, 0xA4CF),
    (0xF900, 0xFAFF),
    (0xFE10, 0xFE1F),
    (0xFE30, 0xFE6F),
    (0xFF00, 0xFF60),
    (0x1F200, 0x1F2FF),
    (0x20000, 0x3FFFF),
)


@lru_cache(maxsize=4096)
def column_width(char: str) -> int:
    """Columns a character takes in a terminal, as libunistring's ``uc_width`` counts them."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code < 0xA0:
        return 0  # control characters are not counted
    category = unicodedata.category(char)
    if category == "Cn":  # unassigned: wide inside the blocks reserved for wide characters
        return 2 if any(low <= code <= high for low, high in _WIDE_BLOCKS) else 1
    if code in _SPACING_MARKS:
        return 1
    if (
        category in ("Mn", "Me", "Cf")
        or unicodedata.bidirectional(char) == "NSM"
        or 0x1160 <= code <= 0x11FF  # conjoining Hangul vowels and final consonants
        or 0xD7B0 <= code <= 0xD7FF
        or unicodedata.name(char, "").startswith("ZERO WIDTH ")
    ):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 1


def fit_lines(text: str, width: int, start_column: int = 0, overrides: list[int] | None = None) -> list[int]:
    """Indices of ``text`` before which a line break goes, so that lines stay within ``width``.

    Greedy, like libunistring's ``ulc_width_linebreaks``: a break is taken at the last
    opportunity before the text that no longer fits. ``overrides`` (one per character; UNDEFINED
    keeps the computed decision) forbids or forces opportunities, e.g. inside escape sequences.
    """
    # A break is only ever taken where the text overflows: text that fits whatever its characters'
    # widths (at most 2 columns each, 1 for ASCII) needs no line-breaking analysis at all.
    if start_column + (len(text) if text.isascii() else 2 * len(text)) <= width:
        return []
    decisions = break_opportunities(text)
    if overrides is not None:
        decisions = [
            decision if forced == UNDEFINED else forced for decision, forced in zip(decisions, overrides, strict=True)
        ]
    # Columns before each index: one per character for printable ASCII, else counted.
    columns = None if _PRINTABLE_ASCII.fullmatch(text) else [0, *itertools.accumulate(map(column_width, text))]
    breaks: list[int] = []
    last_opportunity: int | None = None
    column = start_column  # column where the current piece starts
    piece_start = 0  # index where the text since the last opportunity starts
    # Only the opportunities (possible or mandatory breaks) can change anything.
    for index in itertools.compress(range(len(text)), decisions):
        piece = index - piece_start if columns is None else columns[index] - columns[piece_start]
        if last_opportunity is not None and column + piece > width:
            breaks.append(last_opportunity)
            column = 0
        if decisions[index] == MANDATORY:  # the newline itself takes no column
            last_opportunity, column, piece_start = None, 0, index + 1
        else:
            last_opportunity, column, piece_start = index, column + piece, index
    piece = len(text) - piece_start if columns is None else columns[-1] - columns[piece_start]
    if last_opportunity is not None and column + piece > width:
        breaks.append(last_opportunity)
    return breaks
