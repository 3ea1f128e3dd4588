"""ARIA fixes to Sphinx's HTML: every role="heading" has the aria-level ARIA requires."""

from __future__ import annotations

import re

from guidetools.build import build_html
from guidetools.project import Project


def test_every_role_heading_has_a_level(basic_project: Project) -> None:
    results = build_html(basic_project, ["en", "ar"], jobs=1)
    assert all(r.ok for r in results), [str(p) for r in results for p in r.problems]
    for lang in ("en", "ar"):
        html = (basic_project.html_dir(lang) / "index.html").read_text(encoding="utf-8")
        headings = re.findall(r"<[a-z]+ [^>]*role=\"heading\"[^>]*>", html)
        assert headings, "the sidebar's contents caption is a heading"
        assert all('aria-level="2"' in tag for tag in headings), headings
