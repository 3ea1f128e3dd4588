"""Languages built one after another in the same process never share translations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sphinx.util.inventory import InventoryFile

from guidetools.build import build_html
from guidetools.project import Project
from tests.conftest import copy_project


def test_a_language_built_after_another_in_one_process_gets_only_its_own_catalogues(basic_project: Project) -> None:
    # jobs=1: Spanish, then Arabic, in this very process (a build worker does the same with its share).
    results = build_html(basic_project, ["es", "ar"], jobs=1)
    assert all(r.ok for r in results), [str(p) for r in results for p in r.problems]
    arabic = (basic_project.html_dir("ar") / "chapter.html").read_text(encoding="utf-8")
    assert "الحد من الضرر ينقذ الأرواح." in arabic
    # The Spanish catalogue's messages (including the one Arabic lacks) must not leak in.
    assert "La reducción de daños salva vidas." not in arabic
    assert "Primera sección" not in arabic


def _build_in_a_fresh_process(project: Project, langs: list[str]) -> None:
    """``build_html(jobs=1)`` in a new interpreter, as a build worker starts: nothing of Sphinx imported yet."""
    script = (
        "import sys; from pathlib import Path; from guidetools.build import build_html; "
        "from guidetools.project import Project; "
        "results = build_html(Project(Path(sys.argv[1])), sys.argv[2:], jobs=1); "
        "sys.exit(0 if all(r.ok for r in results) else [str(p) for r in results for p in r.problems])"
    )
    subprocess.run([sys.executable, "-c", script, str(project.root), *langs], check=True)


def _inventory_labels(site: Path) -> dict[str, str]:
    """The std:label entries of a site's objects.inv (what intersphinx shows): name → display name."""
    inventory = InventoryFile.loads((site / "objects.inv").read_bytes(), uri="")
    return {name: item.display_name for name, item in inventory.data["std:label"].items()}


def test_sphinx_labels_are_in_each_language_whichever_was_built_first(tmp_path: Path) -> None:
    """Sphinx's own labels (module index, search page) follow the language built, not the process's first.

    Sphinx translates a label defined in a module (``_('Python Module Index')``) when the module is
    imported, and a build imports most of Sphinx: a worker that built English first wrote the
    English label into the Spanish site's objects.inv, so the site's bytes depended on scheduling.
    """
    after_english, alone = copy_project("basic", tmp_path / "after"), copy_project("basic", tmp_path / "alone")
    _build_in_a_fresh_process(after_english, ["en", "es"])
    _build_in_a_fresh_process(alone, ["es"])
    assert _inventory_labels(after_english.html_dir("es"))["py-modindex"] == "Índice de Módulos Python"
    assert _inventory_labels(after_english.html_dir("en"))["py-modindex"] == "Python Module Index"
    spanish = {
        site: {path.relative_to(site): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}
        for site in (after_english.html_dir("es"), alone.html_dir("es"))
    }
    first, second = spanish.values()
    assert first == second
