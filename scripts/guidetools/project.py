"""Where things live in a guide repository, found from any directory inside it."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from guidetools import GuideError
from guidetools.languages import REGISTRY_NAME, Registry, load_registry


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def source_dir(self) -> Path:
        return self.root / "guide"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def templates_dir(self) -> Path:
        return self.root / "_templates"

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @property
    def registry_path(self) -> Path:
        return self.locales_dir / REGISTRY_NAME

    @cached_property
    def registry(self) -> Registry:
        return load_registry(self.registry_path)

    def html_dir(self, lang: str) -> Path:
        return self.build_dir / "html" / lang

    def doctree_dir(self, lang: str) -> Path:
        return self.build_dir / "doctrees" / lang

    def catalog_dir(self, lang: str) -> Path:
        return self.locales_dir / lang / "LC_MESSAGES"

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The project containing ``start`` (default: $GUIDE_ROOT, else the working directory)."""
        here = Path(start or os.environ.get("GUIDE_ROOT") or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / "guide" / "conf.py").is_file() and (candidate / "locales" / REGISTRY_NAME).is_file():
                return cls(candidate)
        raise GuideError(
            f"{here}: not inside a guide repository (no guide/conf.py and locales/{REGISTRY_NAME} here or above)"
        )


@contextmanager
def atomic_write(path: Path, mode: str = "w", encoding: str | None = "utf-8"):
    """Write ``path`` through a temporary file in the same folder, renamed into place on success.

    A crash or an exception half-way leaves the previous file untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, mode, encoding=encoding if "b" not in mode else None) as handle:
            yield handle
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_write(path) as handle:
        handle.write(text)
