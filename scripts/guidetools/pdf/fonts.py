"""The print edition's fonts: only those bundled in ``_templates/print/fonts/``, never the system's.

``fonts.css`` there declares every face (``@font-face`` with ``unicode-range`` where a face must
serve one script only). This module reads the same file to answer two questions:

* which characters can the edition print? — each face covers its cmap, limited to its declared
  range (WeasyPrint gives fontconfig the range as the face's charset, so a character inside the
  range but missing from the font would print as an empty box rather than fall back);
* which fonts may WeasyPrint see? — ``isolated_font_config()`` builds WeasyPrint's font
  configuration from a fontconfig file that lists no font folder, so system fonts are invisible:
  a PDF never depends on what the building machine has installed, and a missing glyph is a
  missing glyph (caught before rendering by ``uncovered_characters``) instead of a silent
  substitution from whatever font happens to be there.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tinycss2

FONT_CSS = "fonts.css"
# Characters that are not drawn with a glyph: controls, format marks (soft hyphen, bidi marks,
# joiners), line and paragraph separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


@dataclass(frozen=True)
class FontFace:
    family: str
    path: Path
    weight: str = "400"
    style: str = "normal"
    ranges: tuple[tuple[int, int], ...] | None = None  # None: the whole font

    def covers(self, codepoint: int) -> bool:
        if self.ranges is not None and not any(start <= codepoint <= end for start, end in self.ranges):
            return False
        return codepoint in _cmap(self.path, self.path.stat().st_mtime)


@lru_cache(maxsize=64)
def _cmap(path: Path, mtime: float) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _parse_range(token: str) -> tuple[int, int]:
    token = token.strip().upper().removeprefix("U+")
    if "-" in token:
        start, end = token.split("-", 1)
        return int(start, 16), int(end, 16)
    if "?" in token:
        return int(token.replace("?", "0"), 16), int(token.replace("?", "F"), 16)
    return int(token, 16), int(token, 16)


def read_font_faces(css_path: Path) -> list[FontFace]:
    """The ``@font-face`` rules of ``fonts.css``, with their files resolved next to it."""
    rules = tinycss2.parse_stylesheet(css_path.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True)
    faces = []
    for rule in rules:
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face":
            continue
        descriptors = {}
        for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
            if declaration.type == "declaration":
                descriptors[declaration.lower_name] = declaration.value
        family = "".join(
            token.value for token in descriptors.get("font-family", []) if token.type in ("string", "ident")
        )
        source = next(
            (
                token.value if token.type == "url" else token.arguments[0].value
                for token in descriptors.get("src", [])
                if token.type == "url" or (token.type == "function" and token.lower_name == "url")
            ),
            None,
        )
        if not family or not source:
            continue
        ranges = None
        if "unicode-range" in descriptors:
            text = tinycss2.serialize(descriptors["unicode-range"])
            ranges = tuple(_parse_range(part) for part in text.split(",") if part.strip())
        faces.append(
            FontFace(
                family=family,
                path=(css_path.parent / source).resolve(),
                weight=tinycss2.serialize(descriptors.get("font-weight", [])).strip() or "400",
                style=tinycss2.serialize(descriptors.get("font-style", [])).strip() or "normal",
                ranges=ranges,
            )
        )
    return faces


def is_drawn(character: str) -> bool:
    return unicodedata.category(character) not in _INVISIBLE_CATEGORIES


def uncovered_characters(text: Iterable[str], faces: list[FontFace]) -> list[str]:
    """The drawn characters of ``text`` that no bundled face can print, in code point order."""
    missing = set()
    for character in set(text):
        if is_drawn(character) and not any(face.covers(ord(character)) for face in faces):
            missing.add(character)
    return sorted(missing)


def describe_character(character: str) -> str:
    return f"U+{ord(character):04X} {unicodedata.name(character, 'unnamed character')} ({character!r})"


_EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- No <dir>, no <include>: WeasyPrint sees only the @font-face fonts of the print edition. -->
<fontconfig></fontconfig>
"""


@contextmanager
def isolated_font_config() -> Iterator[object]:
    """A WeasyPrint ``FontConfiguration`` that knows no system font at all.

    fontconfig reads ``FONTCONFIG_FILE`` when WeasyPrint creates the configuration, so the
    variable is set only for that moment and restored at once.
    """
    from weasyprint.text.fonts import FontConfiguration

    with tempfile.TemporaryDirectory(prefix="guide-fontconfig-") as folder:
        config_file = Path(folder) / "fonts.conf"
        config_file.write_text(_EMPTY_FONTCONFIG, encoding="utf-8")
        previous = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(config_file)
        try:
            font_config = FontConfiguration()
        finally:
            if previous is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = previous
        yield font_config
