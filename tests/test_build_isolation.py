"""Languages built one after another in the same process never share translations."""

from __future__ import annotations

from guidetools.build import build_html
from guidetools.project import Project


def test_a_language_built_after_another_in_one_process_gets_only_its_own_catalogues(basic_project: Project) -> None:
    # jobs=1: Spanish, then Arabic, in this very process (a build worker does the same with its share).
    results = build_html(basic_project, ["es", "ar"], jobs=1)
    assert all(r.ok for r in results), [str(p) for r in results for p in r.problems]
    arabic = (basic_project.html_dir("ar") / "chapter.html").read_text(encoding="utf-8")
    assert "الحد من الضرر ينقذ الأرواح." in arabic
    # The Spanish catalogue's messages (including the one Arabic lacks) must not leak in.
    assert "La reducción de daños salva vidas." not in arabic
    assert "Primera sección" not in arabic
