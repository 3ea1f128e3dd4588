"""The translation dashboard and badges built into every language's HTML edition."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from guidetools.build import run_sphinx
from guidetools.project import Project
from guidetools.sphinxext.dashboard import badge_svg
from guidetools.status import compute_status
from guidetools.update import update_catalogs
from tests.conftest import copy_project


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Project, dict[str, Path]]:
    project = copy_project("update", tmp_path_factory.mktemp("dashboard"))
    update_catalogs(project)
    outdirs = {}
    for lang in ("fr", "en"):
        result = run_sphinx(project, lang, "html", outdir=project.build_dir / "site" / lang)
        assert result.problems == [], result.problems
        outdirs[lang] = result.outdir
    return project, outdirs


def test_every_edition_has_the_dashboard_with_a_bar_per_language_and_chapter(built) -> None:
    _, outdirs = built
    for outdir in outdirs.values():
        page = (outdir / "status" / "index.html").read_text(encoding="utf-8")
        assert "<h1>Translation status</h1>" in page
        assert 'href="#lang-fr" lang="fr" dir="ltr">Français</a>' in page
        # French: 29 of 36 words of chapter.po; index, second and ui untranslated.
        assert re.search(
            r'aria-label="80\.5 % translated, 0\.0 % fuzzy">\s*<span class="guide-progress-translated" style="width: 80\.5%"',
            page,
        )
        assert 'style="inset-inline-start: 90%"' in page  # the release threshold
        assert "<td>2026-11-20</td>" in page  # PO-Revision-Date of chapter.po
        for name in ("chapter", "index", "second", "ui"):
            assert f">{name}.po</a>" in page


def test_every_page_links_to_the_dashboard_in_its_footer(built) -> None:
    _, outdirs = built
    chapter = (outdirs["fr"] / "chapter.html").read_text(encoding="utf-8")
    assert '<a class="guide-status-link" href="status/index.html">' in chapter
    dashboard = (outdirs["fr"] / "status" / "index.html").read_text(encoding="utf-8")
    assert "guide-status-link" not in dashboard  # no link to itself
    english = (outdirs["en"] / "index.html").read_text(encoding="utf-8")
    assert '<a class="guide-status-link" href="status/index.html">Translation status</a>' in english


def test_catalogue_links_point_to_copies_in_the_site(built) -> None:
    _, outdirs = built
    french = (outdirs["fr"] / "status" / "index.html").read_text(encoding="utf-8")
    assert 'href="catalogs/chapter.po"' in french
    assert (outdirs["fr"] / "status" / "catalogs" / "chapter.po").read_text(encoding="utf-8").startswith("# French")
    english = (outdirs["en"] / "status" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../fr/status/catalogs/chapter.po"' in english  # the sibling French site


def test_badges_are_valid_svg_with_the_percentage(built) -> None:
    project, outdirs = built
    badge = outdirs["en"] / "_static" / "badges" / "fr.svg"
    root = ET.fromstring(badge.read_text(encoding="utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    percent = compute_status(project, ["fr"]).languages[0].percent
    assert 0 < percent < 45 and root.get("aria-label") == f"fr translated: {percent:g} %"
    assert "#b91c1c" in badge.read_text(encoding="utf-8")  # far below the 90 % threshold: red
    assert 'fill="#15803d"' in badge_svg("es translated", "100 %", "#15803d")


def test_the_dashboard_adds_no_text_to_translate_except_interface_strings(built) -> None:
    project, _ = built
    report = update_catalogs(project, write_report=False)
    assert "status" not in {update.name for update in report.catalogs}
    ui = {c.msgid for c in next(u for u in report.catalogs if u.name == "ui").new}
    assert ui == set()  # the dashboard's strings were already extracted into ui.po by the first update
    assert not list((project.build_dir / "gettext").glob("status*"))


def test_the_dashboard_page_is_translated_with_ui_po(tmp_path: Path) -> None:
    project = copy_project("update", tmp_path)
    update_catalogs(project)
    ui_po = project.catalog_dir("fr") / "ui.po"
    text = ui_po.read_text(encoding="utf-8")
    ui_po.write_text(
        text.replace(
            'msgid "Translation status"\nmsgstr ""', 'msgid "Translation status"\nmsgstr "État des traductions"'
        ),
        encoding="utf-8",
    )
    result = run_sphinx(project, "fr", "html", outdir=tmp_path / "site")
    assert result.problems == []
    assert "<h1>État des traductions</h1>" in (result.outdir / "status" / "index.html").read_text(encoding="utf-8")
