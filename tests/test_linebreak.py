"""Line breaking checked against GNU libunistring, the library that decides msgcat's wrapping."""

from __future__ import annotations

import ctypes
import ctypes.util

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guidetools import linebreak


def _libunistring_1_0():
    """libunistring 1.0 (gettext 0.21's), loaded with ctypes, or None when not installed."""
    for name in ("libunistring.so.2", ctypes.util.find_library("unistring")):
        if not name:
            continue
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        version = ctypes.c_int.in_dll(library, "_libunistring_version").value
        return library if version >> 8 == 0x0100 else None
    return None


LIBUNISTRING = _libunistring_1_0()
needs_libunistring = pytest.mark.skipif(LIBUNISTRING is None, reason="libunistring 1.0 (Debian 12's) not installed")
_LIBRARY_DECISION = {1: linebreak.PROHIBITED, 2: linebreak.POSSIBLE, 3: linebreak.MANDATORY}


def library_opportunities(text: str) -> list[int]:
    data = text.encode("utf-8")
    out = ctypes.create_string_buffer(len(data))
    LIBUNISTRING.u8_possible_linebreaks(data, ctypes.c_size_t(len(data)), b"UTF-8", out)
    decisions, offset = [], 0
    for char in text:
        decisions.append(_LIBRARY_DECISION[out.raw[offset]])
        offset += len(char.encode("utf-8"))
    return decisions


def library_fit(text: str, width: int, start: int) -> list[int]:
    data = text.encode("utf-8")
    out = ctypes.create_string_buffer(len(data))
    LIBUNISTRING.u8_width_linebreaks(data, ctypes.c_size_t(len(data)), width, start, 0, None, b"UTF-8", out)
    breaks, offset = [], 0
    for index, char in enumerate(text):
        if out.raw[offset] == 2:
            breaks.append(index)
        offset += len(char.encode("utf-8"))
    return breaks


# Text of the kind translators write, plus any assigned character now and then.
PROSE = st.sampled_from(
    list(" abcXYZ019.,;:!?-–—'\"«»“”’()[]{}/\\|*_`#%$€+=<>@&^~\u00a0\u202f\u0301\u200b\u200d\u2060")  # noqa: RUF001
    + list("абвгд ابت ٣،؟ 中文 한국 😀👍🏽 ﬁ")
)
ANY_CHARACTER = st.characters(exclude_categories=("Cs", "Co", "Cn"), min_codepoint=0x20)
TEXT = st.lists(st.one_of(PROSE, PROSE, ANY_CHARACTER), min_size=1, max_size=40).map("".join)


@needs_libunistring
@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_break_opportunities_are_libunistrings(text: str) -> None:
    assert linebreak.break_opportunities(text) == library_opportunities(text)


@needs_libunistring
@settings(max_examples=200, deadline=None)
@given(TEXT, st.integers(min_value=3, max_value=30), st.integers(min_value=0, max_value=8))
def test_lines_fit_like_libunistring(text: str, width: int, start: int) -> None:
    text = f"{text} {text} {text}"
    assert linebreak.fit_lines(text, width, start) == library_fit(text, width, start)


@needs_libunistring
@settings(max_examples=60, deadline=None)
@given(TEXT, st.integers(min_value=0, max_value=8))
def test_text_that_nearly_fits_breaks_like_libunistring(text: str, start: int) -> None:
    # fit_lines skips the analysis of text that fits whatever its characters' widths: every width
    # around the text's own length, wide characters and a start column included, must still agree.
    for width in range(max(1, len(text) - 3), 2 * len(text) + start + 2):
        assert linebreak.fit_lines(text, width, start) == library_fit(text, width, start)


@needs_libunistring
def test_column_widths_are_libunistrings_for_every_assigned_character() -> None:
    import unicodedata

    LIBUNISTRING.uc_width.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    wrong = []
    for code in range(0xA0, 0x110000):
        char = chr(code)
        if unicodedata.category(char) in ("Cs", "Co", "Cn"):
            continue
        if linebreak.column_width(char) != LIBUNISTRING.uc_width(code, b"UTF-8"):
            wrong.append(f"U+{code:04X}")
    assert wrong == []


def test_the_rules_that_shape_po_files() -> None:
    def breaks(text: str) -> str:
        decisions = linebreak.break_opportunities(text)
        return "".join(
            ("|" if decision == linebreak.POSSIBLE else "") + char
            for char, decision in zip(text, decisions, strict=True)
        )

    assert breaks("harm reduction saves") == "harm |reduction |saves"
    assert breaks("drug-free (see it).") == "drug-|free |(see |it)."  # no break before ")" or "."
    assert breaks("3,5% of 1.000") == "3,5% |of |1.000"  # numbers stay with their signs
    assert breaks("a — b") == "a |— |b"
    assert breaks("www.who.int/news") == "www.|who.|int/|news"  # libunistring 1.0 breaks after dots and slashes
    assert breaks("«\u00a0bonjour\u00a0»") == "«\u00a0bonjour\u00a0»"  # no-break spaces glue
