"""Shared fixtures: tiny real guide projects copied into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guidetools.project import Project

TESTS = Path(__file__).parent
REPO = TESTS.parent
SOURCEDIRS = TESTS / "sourcedirs"


def copy_project(case: str, destination: Path) -> Project:
    """Copy ``tests/sourcedirs/<case>`` and the repository's real templates into ``destination``."""
    root = destination / case
    shutil.copytree(SOURCEDIRS / case, root)
    shutil.copytree(REPO / "_templates", root / "_templates", dirs_exist_ok=True)
    return Project(root)


@pytest.fixture
def basic_project(tmp_path: Path) -> Project:
    """A three-page guide in en (source), es (partly translated) and ar (right-to-left, partly translated)."""
    return copy_project("basic", tmp_path)


@pytest.fixture(scope="session")
def real_project() -> Project:
    return Project(REPO)
