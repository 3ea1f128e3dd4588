"""``guide wrap``: put .po files in msgcat's layout, or check that they are (the powrap job).

Editors wrap long strings differently (Poedit, Weblate, Babel, text editors), and every
difference shows up as noise in diffs and merges. Rewriting every catalogue in the layout of GNU
``msgcat`` — the layout ``guide update`` writes — ends those "diff battles". Every file is read
and checked before the first one is rewritten, so a broken file leaves all of them untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from guidetools import GuideError
from guidetools.catalog import format_catalog, iter_catalog_files, read_catalog
from guidetools.project import Project, write_text_atomic

SUFFIXES = (".po", ".pot")


@dataclass
class WrapResult:
    checked: int = 0
    changed: list[Path] = field(default_factory=list)  # not in msgcat's layout (rewritten unless checking)


def catalog_files(project: Project, paths: list[Path] | None) -> list[Path]:
    """The .po/.pot files named by ``paths`` (files or folders); default: every one under locales/."""
    files: list[Path] = []
    for path in paths or [project.locales_dir]:
        if path.is_dir():
            for suffix in SUFFIXES:
                files += iter_catalog_files(path, suffix)
        elif path.is_file() and path.suffix in SUFFIXES:
            files.append(path)
        elif path.exists():
            raise GuideError(f"{path}: not a .po or .pot file")
        else:
            raise GuideError(f"{path}: no such file or folder")
    return sorted(dict.fromkeys(files))


def wrap_catalogs(project: Project, paths: list[Path] | None = None, *, check: bool = False) -> WrapResult:
    """Rewrite (or with ``check``, only list) the catalogues that are not in msgcat's layout."""
    files = catalog_files(project, paths)
    rewritten = {path: format_catalog(read_catalog(path)) for path in files}  # all read before any write
    result = WrapResult(checked=len(files))
    for path, text in rewritten.items():
        if path.read_bytes() != text.encode("utf-8"):
            result.changed.append(path)
            if not check:
                write_text_atomic(path, text)
    return result
