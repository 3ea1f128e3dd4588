"""Builds run Python's garbage collector less often, and give the caller its own settings back."""

from __future__ import annotations

import gc
from typing import NamedTuple

import pytest

from guidetools import collector
from guidetools.build import build_html
from guidetools.pdf.render import build_language_pdf
from guidetools.project import Project

CPYTHON_DEFAULTS = (700, 10, 10)


class Collection(NamedTuple):
    thresholds: tuple[int, int, int]
    frozen: int  # objects out of the collector's sight (gc.freeze)


@pytest.fixture
def collections():
    """The collector's settings at the start of every collection while the test runs."""
    seen: list[Collection] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(Collection(gc.get_threshold(), gc.get_freeze_count()))

    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)


def _fresh_translated_builds(project: Project) -> None:
    results = build_html(project, ["es", "ar"], jobs=1, fresh=True)
    assert all(r.ok for r in results), [str(p) for r in results for p in r.problems]


def test_builds_collect_less_often_then_gives_the_caller_its_thresholds_back(
    basic_project: Project, collections: list[Collection], monkeypatch: pytest.MonkeyPatch
) -> None:
    callers = (1234, 5, 6)  # what a program importing the toolchain (a live preview) might have chosen
    previous = gc.get_threshold()
    gc.set_threshold(*callers)
    try:
        with monkeypatch.context() as patched:
            patched.setattr(collector, "BUILD_THRESHOLDS", CPYTHON_DEFAULTS)
            _fresh_translated_builds(basic_project)
        with_defaults = [c.thresholds for c in collections].count(CPYTHON_DEFAULTS)
        _fresh_translated_builds(basic_project)
        with_build_thresholds = [c.thresholds for c in collections].count(collector.BUILD_THRESHOLDS)
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*previous)
    # 16 to 41 collections for one language alone, depending on what earlier tests left imported.
    assert with_defaults >= 15, "Sphinx builds make enough objects for CPython's collector to run often"
    assert with_build_thresholds * 10 < with_defaults, (with_build_thresholds, with_defaults)
    assert after == callers


def test_pdf_layout_collects_only_what_it_made_and_thaws_the_rest_afterwards(
    basic_project: Project, collections: list[Collection]
) -> None:
    result = build_language_pdf(basic_project, "en", workers=1)
    assert result.ok, [str(p) for p in result.problems]
    # The layout in this process ran with Sphinx, WeasyPrint and the fonts frozen...
    assert max(c.frozen for c in collections) > 10_000
    # ...and leaves nothing frozen behind: the caller's objects are collectable again.
    assert gc.get_freeze_count() == 0
