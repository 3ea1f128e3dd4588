"""Interface strings (banners, download labels, cover lines) translated in ``ui.po``.

Templates of both the HTML and the print edition call ``ui("Text with {name}", name=value)``.
The msgids are extracted from the templates by ``guide update`` into ``locales/<lang>/LC_MESSAGES/ui.po``,
next to the chapter catalogues, so translators handle them with the same tools.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import polib

UI_CATALOG = "ui"
# ui("..."), ui('...') in templates and Python code.
UI_CALL_RE = re.compile(r"""\bui\(\s*(?P<q>["'])(?P<msgid>(?:(?!(?P=q)).)+)(?P=q)""", re.DOTALL)


@lru_cache(maxsize=32)
def _load(path: Path, mtime: float) -> dict[str, str]:
    catalog = polib.pofile(str(path))
    return {entry.msgid: entry.msgstr for entry in catalog if entry.msgstr and not entry.fuzzy and not entry.obsolete}


def ui_translations(locales_dir: Path, lang: str) -> dict[str, str]:
    path = locales_dir / lang / "LC_MESSAGES" / f"{UI_CATALOG}.po"
    if not path.is_file():
        return {}
    return _load(path, path.stat().st_mtime)


def make_ui(translations: dict[str, str]) -> Callable[..., str]:
    """A ``ui(msgid, **values)`` function: translate, then fill ``{name}`` placeholders."""

    def ui(msgid: str, **values: object) -> str:
        text = translations.get(msgid) or msgid
        try:
            return text.format(**values) if values else text
        except (KeyError, IndexError, ValueError):
            # A translation with a broken placeholder must not break the page: use the source.
            return msgid.format(**values)

    return ui


def extract_ui_messages(paths: list[Path]) -> list[tuple[str, str, int]]:
    """(msgid, file, line) for every ``ui("…")`` call in the given files, in file order."""
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for match in UI_CALL_RE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((match["msgid"], str(path), line))
    return found
