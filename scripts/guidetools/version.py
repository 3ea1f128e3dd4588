"""Which sources an edition was built from: version, commit and a reproducible date.

Every edition (PDF cover and colophon, HTML footer, release archives) stamps the same three facts,
so a reader can tell exactly which text they hold and a rebuild gives the same bytes:

* ``version`` — ``git describe --tags --always`` (``v1.2``, ``v1.2-3-gabc1234`` or ``abc1234``);
* ``commit`` — the full hash of ``HEAD``;
* ``timestamp`` — ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), else the
  commit date; never the clock, so two builds of one commit agree.

Outside a git checkout (a source archive, a copy of the tree) the version is ``unversioned``, the
commit unknown, and the date falls back to the newest modification time of the guide's sources,
which is stable for a given copy.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from guidetools import GuideError

UNVERSIONED = "unversioned"
# The files whose content makes up an edition (used only for the no-git fallback date).
_SOURCE_FOLDERS = ("guide", "locales", "_templates")


@dataclass(frozen=True)
class SourceVersion:
    version: str
    commit: str | None
    timestamp: int
    dirty: bool = False

    @property
    def short_commit(self) -> str | None:
        return self.commit[:12] if self.commit else None

    @property
    def date(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, UTC)

    @property
    def iso_date(self) -> str:
        """``2026-11-28T09:30:00Z``: the form WeasyPrint's ``dcterms`` metadata and XMP expect."""
        return self.date.strftime("%Y-%m-%dT%H:%M:%SZ")


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},  # read-only: never touch the index
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip()


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as an integer, or None when unset; a malformed value is an error."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise GuideError(f"SOURCE_DATE_EPOCH={raw!r}: not an integer number of seconds since 1970") from None
    if value < 0:
        raise GuideError(f"SOURCE_DATE_EPOCH={raw!r}: must not be negative")
    return value


def _newest_source_mtime(root: Path) -> int:
    newest = 0
    for folder in _SOURCE_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if path.is_file():
                newest = max(newest, int(path.stat().st_mtime))
    return newest


def source_version(root: Path) -> SourceVersion:
    """The version, commit and date of the sources in ``root`` (see the module docstring)."""
    epoch = source_date_epoch()
    toplevel = _git(root, "rev-parse", "--show-toplevel")
    # A copy of the tree inside another repository (a test fixture) must not take that repository's commit.
    inside_own_repository = toplevel is not None and Path(toplevel).resolve() == root.resolve()
    commit = _git(root, "rev-parse", "--verify", "HEAD") if inside_own_repository else None
    if commit is None:
        return SourceVersion(UNVERSIONED, None, epoch if epoch is not None else _newest_source_mtime(root))
    version = _git(root, "describe", "--tags", "--always") or commit[:7]
    if epoch is None:
        committed = _git(root, "log", "-1", "--format=%ct", "HEAD")
        epoch = int(committed) if committed and committed.isdigit() else _newest_source_mtime(root)
    dirty = bool(_git(root, "status", "--porcelain", "--untracked-files=no"))
    return SourceVersion(version, commit, epoch, dirty)
