"""Edition version, commit and date, from real git repositories made for the test."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from guidetools import GuideError
from guidetools.version import UNVERSIONED, source_version

COMMIT_DATE = 1764547200  # 2025-12-01T00:00:00Z


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
        "GIT_AUTHOR_DATE": f"@{COMMIT_DATE} +0000",
        "GIT_COMMITTER_DATE": f"@{COMMIT_DATE} +0000",
    }
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True, env=env)
    return done.stdout.strip()


@pytest.fixture
def repository(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = tmp_path / "guide-repo"
    (root / "guide").mkdir(parents=True)
    (root / "guide" / "index.md").write_text("# Guide\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    return root


def test_a_commit_without_tags_is_its_short_hash_and_date(repository: Path) -> None:
    version = source_version(repository)
    head = git(repository, "rev-parse", "HEAD")
    assert version.commit == head
    assert version.version == head[:7]
    assert version.timestamp == COMMIT_DATE
    assert version.iso_date == "2025-12-01T00:00:00Z"
    assert not version.dirty


def test_tags_name_the_version_and_later_commits_count_from_them(repository: Path) -> None:
    git(repository, "tag", "-a", "v1.0", "-m", "first edition")
    assert source_version(repository).version == "v1.0"
    (repository / "guide" / "index.md").write_text("# Guide\n\nMore.\n", encoding="utf-8")
    assert source_version(repository).dirty
    git(repository, "commit", "-q", "-am", "more")
    version = source_version(repository)
    assert version.version.startswith("v1.0-1-g") and not version.dirty


def test_source_date_epoch_wins_over_the_commit_date(repository: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert source_version(repository).timestamp == 1767225600
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(GuideError, match="SOURCE_DATE_EPOCH='yesterday'"):
        source_version(repository)


def test_outside_git_the_version_is_unversioned_and_the_date_is_the_newest_source(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = tmp_path / "copy"
    (root / "guide").mkdir(parents=True)
    page = root / "guide" / "index.md"
    page.write_text("# Guide\n", encoding="utf-8")
    os.utime(page, (1700000000, 1700000000))
    version = source_version(root)
    assert (version.version, version.commit, version.timestamp) == (UNVERSIONED, None, 1700000000)


def test_a_folder_inside_another_repository_does_not_take_its_commit(repository: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    nested = repository / "tests" / "sourcedirs" / "case"
    (nested / "guide").mkdir(parents=True)
    (nested / "guide" / "index.md").write_text("# Case\n", encoding="utf-8")
    assert source_version(nested).commit is None
