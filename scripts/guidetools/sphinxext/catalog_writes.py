"""Compiled catalogues (``.mo``) written only when their bytes change, and never half-written.

Why this exists
---------------
Each language has two Sphinx environments, one for the website (``html``) and one for the print
edition (``guideprint``), and both use the same ``.mo`` files. Sphinx records every ``.mo`` as a
dependency of every translated page, and re-reads a page when one of its dependencies is newer
than the page's last reading. A fresh build (``--fresh``: ``force_all``) recompiles *all*
catalogues, writing them again with the same bytes: a fresh HTML build after the print build
made every ``.mo`` newer than the print environment's pages, so the next print build re-read all
of them. Measured in ``nox -s bench`` (one chapter edited after a cold build of every edition):
the Spanish print edition re-read 22 pages instead of 1.

What it does
------------
``CatalogInfo.write_mo`` is wrapped: the catalogue is compiled in memory (by Sphinx's own method,
into a temporary file next to the target), and the ``.mo`` is replaced — atomically, by rename —
only if its bytes differ — apart from the header's dates, which Babel fills from the clock when the
``.po`` has none. An unchanged catalogue keeps its modification time, so no environment sees a
change that is not there. Sphinx's warnings for an unreadable ``.po`` are unchanged.
``tests/test_build.py`` checks that a fresh build leaves identical catalogues untouched and that
an edited catalogue is written again.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util.i18n import CatalogInfo

_stock_write_mo = CatalogInfo.write_mo


class _WrittenTo(CatalogInfo):
    """A catalogue whose ``.mo`` goes to another file: Sphinx's own ``write_mo`` compiles it there."""

    __slots__ = ("_mo_path",)

    def __init__(self, catalog: CatalogInfo, mo_path: Path) -> None:
        super().__init__(catalog.base_dir, catalog.domain, catalog.charset)
        self._mo_path = mo_path

    @property
    def mo_path(self):  # the base class's property, pointed elsewhere
        return self._mo_path


# Babel writes the time of compilation into a .mo whose .po has no POT-Creation-Date (a catalogue
# made by hand, or by a script): such a header date is no change of the translation.
_HEADER_DATES = re.compile(rb"(?:POT-Creation-Date|PO-Revision-Date): [^\n]*\n")


def _without_dates(data: bytes) -> bytes:
    return _HEADER_DATES.sub(b"", data)


def write_mo_if_changed(self: CatalogInfo, locale: str, use_fuzzy: bool = False) -> None:
    target = Path(self.mo_path)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        _stock_write_mo(_WrittenTo(self, temporary), locale, use_fuzzy)
        data = temporary.read_bytes()
        if not data:
            return  # Sphinx warned (an unreadable .po): the previous .mo stays as it was
        if target.is_file() and _without_dates(target.read_bytes()) == _without_dates(data):
            return
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def install() -> None:
    CatalogInfo.write_mo = write_mo_if_changed


def uninstall() -> None:
    CatalogInfo.write_mo = _stock_write_mo


def setup(app: Sphinx) -> None:
    """Install the wrapper (called by ``guidetools.sphinxext.setup``); it applies to every build in the process."""
    install()
