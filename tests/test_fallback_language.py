"""Passages that fall back to the source language are tagged lang="en" on translated pages."""

from __future__ import annotations

import re

from guidetools.build import build_html
from guidetools.project import Project


def test_untranslated_passages_say_they_are_english(basic_project: Project) -> None:
    results = build_html(basic_project, ["en", "ar"], jobs=1)
    assert all(r.ok for r in results), [str(p) for r in results for p in r.problems]
    arabic = (basic_project.html_dir("ar") / "chapter.html").read_text(encoding="utf-8")
    # "First section" has no Arabic translation: its heading stays English and says so.
    heading = re.search(r"<h2[^>]*>First section", arabic).group(0)
    assert 'lang="en"' in heading and "untranslated" in heading
    # The translated paragraph is in the page's language: no lang of its own.
    paragraph = re.search(r"<p[^>]*>الحد من الضرر ينقذ الأرواح", arabic).group(0)
    assert "lang=" not in paragraph
    english = (basic_project.html_dir("en") / "chapter.html").read_text(encoding="utf-8")
    assert not re.search(r"<(p|h\d)[^>]*lang=", english)
