"""`guide new-chapter`: from the template, into the toctree, never over an existing file."""

from __future__ import annotations

import datetime as dt

import pytest

from guidetools import GuideError
from guidetools.build import build_html
from guidetools.chapters import add_to_toctree, new_chapter, slugify
from guidetools.cli import main
from guidetools.project import Project


def test_slugify_makes_ascii_file_names() -> None:
    assert slugify("Prisons & Health: a Guide!") == "prisons-health-a-guide"
    assert slugify("Réduction des risques") == "reduction-des-risques"
    with pytest.raises(GuideError, match="cannot make a file name"):
        slugify("السياسة")


def test_new_chapter_is_created_listed_and_builds(basic_project: Project) -> None:
    path = new_chapter(basic_project, "Prisons and health", today=dt.date(2026, 11, 28))
    assert path == basic_project.source_dir / "prisons-and-health.md"
    text = path.read_text(encoding="utf-8")
    assert "(prisons-and-health)=\n# Prisons and health\n" in text
    assert "last_reviewed: 2026-11" in text
    index = (basic_project.source_dir / "index.md").read_text(encoding="utf-8")
    assert "chapter\nprisons-and-health\nglossary\n" in index
    # The template's own content must build cleanly (labels, footnote, admonition).
    [result] = build_html(basic_project, ["en"], jobs=1)
    assert result.ok, [str(p) for p in result.problems]
    assert (basic_project.html_dir("en") / "prisons-and-health.html").is_file()


def test_new_chapter_refuses_to_overwrite(basic_project: Project, capsys) -> None:
    existing = basic_project.source_dir / "chapter.md"
    before = existing.read_text(encoding="utf-8")
    index_before = (basic_project.source_dir / "index.md").read_text(encoding="utf-8")
    assert main(["--root", str(basic_project.root), "new-chapter", "Chapter"]) == 1
    assert "guide/chapter.md already exists" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == before
    assert (basic_project.source_dir / "index.md").read_text(encoding="utf-8") == index_before


def test_toctree_insertion_is_idempotent_and_before_back_matter() -> None:
    index = "# T\n\n```{toctree}\n:maxdepth: 2\n\nabout\nglossary\nreferences\n```\n"
    once = add_to_toctree(index, "new")
    assert once == "# T\n\n```{toctree}\n:maxdepth: 2\n\nabout\nnew\nglossary\nreferences\n```\n"
    assert add_to_toctree(once, "new") == once
    with pytest.raises(GuideError, match="no toctree"):
        add_to_toctree("# T\n", "new")
