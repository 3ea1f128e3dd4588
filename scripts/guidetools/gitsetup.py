"""``guide setup-git``: register the .po merge driver and diff filter in the repository's config.

``.gitattributes`` (shipped with the repository) routes ``*.po`` files to a merge driver and a diff
filter named ``guide-po``; git only uses them once they are defined in ``.git/config``, which is
what this command does. Without it git falls back to its line-based merge and plain diff.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from guidetools import GuideError
from guidetools.project import Project, write_text_atomic

DRIVER = "guide-po"
ATTRIBUTES = (f"*.po merge={DRIVER} diff={DRIVER}", f"*.pot merge={DRIVER} diff={DRIVER}")
# The diff filter hides lines that change without a translator doing anything: source references
# and the template's creation date.
TEXTCONV = "sed -e '/^#:/d' -e '/^\"POT-Creation-Date: /d'"


def git_settings(python: str | None = None) -> list[tuple[str, str]]:
    """The config entries: this interpreter runs the driver, so it works outside nox's venv too."""
    interpreter = shlex.quote(python or sys.executable)
    return [
        (f"merge.{DRIVER}.name", "Drug Policy Guide: merge .po files entry by entry (guide merge-po)"),
        (f"merge.{DRIVER}.driver", f"{interpreter} -m guidetools.cli merge-po %O %A %B %P"),
        (f"diff.{DRIVER}.textconv", TEXTCONV),
    ]


def _git(root: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise GuideError("git is not installed (or not on PATH)") from None
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"git {args[0]} failed"
        raise GuideError(f"{root}: {message}")
    return result.stdout


def ensure_attributes(root: Path) -> list[str]:
    """Add the guide's lines to .gitattributes when they are missing; returns the lines added."""
    path = root / ".gitattributes"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {" ".join(line.split()) for line in text.splitlines()}
    missing = [line for line in ATTRIBUTES if line not in present]
    if missing:
        prefix = "" if not text or text.endswith("\n") else "\n"
        write_text_atomic(path, text + prefix + "\n".join(missing) + "\n")
    return missing


def setup_git(project: Project) -> list[str]:
    """Write the driver and filter into .git/config; returns what was set, one line each."""
    _git(project.root, "rev-parse", "--git-dir")  # a clear error outside a git repository
    lines = []
    for key, value in git_settings():
        _git(project.root, "config", "--local", key, value)
        lines.append(f"git config {key} = {value}")
    added = ensure_attributes(project.root)
    if added:
        lines.append(f".gitattributes: added {'; '.join(added)} (commit it)")
    else:
        lines.append(".gitattributes: *.po and *.pot already use the guide-po driver and diff filter")
    return lines
