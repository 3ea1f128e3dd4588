"""`guide update`: real Sphinx extraction, merges that keep every translation, quiet re-runs."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from guidetools import GuideError
from guidetools.catalog import format_catalog, read_catalog
from guidetools.cli import main
from guidetools.project import Project
from guidetools.update import plural_forms, update_catalogs
from tests.conftest import REPO, copy_project
from tests.gettext_tools import msgcat, requires_msgcat


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A two-chapter guide in English and French; the French chapter is partly translated."""
    return copy_project("update", tmp_path)


def snapshot(*folders: Path) -> dict[Path, tuple[bytes, int]]:
    """Every file under ``folders`` with its bytes and modification time."""
    return {
        path: (path.read_bytes(), path.stat().st_mtime_ns)
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def translations(catalog_path: Path) -> set[str]:
    catalog = read_catalog(catalog_path)
    return {m.msgstr for m in catalog.messages if not m.is_header and m.msgstr}


def edit(project: Project, name: str, old: str, new: str) -> None:
    path = project.source_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_first_update_creates_the_missing_catalogues_with_correct_headers(project: Project) -> None:
    report = update_catalogs(project)
    folder = project.catalog_dir("fr")
    assert sorted(p.name for p in folder.iterdir()) == ["chapter.po", "index.po", "second.po", "ui.po"]
    second = read_catalog(folder / "second.po")
    assert second.get_metadata("Language") == "fr"
    assert second.get_metadata("Plural-Forms") == plural_forms("fr")
    assert "n == 0 || n == 1" in plural_forms("fr")  # CLDR's French rule, from Babel
    assert not second.header.fuzzy
    assert [m.msgid for m in second.entries] == ["Prisons", "Prisons concentrate health risks."]
    ui = read_catalog(folder / "ui.po")
    assert "Translation status" in {m.msgid for m in ui.entries}
    assert all(m.references and ":" not in m.references[0] for m in ui.entries)  # file only: no line churn
    created = {c.name: c for c in report.catalogs if c.created}
    assert set(created) == {"index", "second", "ui"}
    assert [c.msgid for c in created["second"].new] == ["Prisons", "Prisons concentrate health risks."]
    # The existing, partly translated catalogue had nothing to change.
    chapter = next(c for c in report.catalogs if c.name == "chapter")
    assert not chapter.written and not chapter.has_changes
    assert (project.build_dir / "gettext" / "chapter.pot").is_file()


def test_a_second_run_rewrites_nothing(project: Project) -> None:
    update_catalogs(project)
    before = snapshot(project.locales_dir, project.build_dir / "gettext")
    report = update_catalogs(project)
    assert report.written == [] and report.templates_written == []
    assert snapshot(project.locales_dir, project.build_dir / "gettext") == before


def test_inserting_a_paragraph_changes_only_that_entry(project: Project) -> None:
    update_catalogs(project)
    path = project.catalog_dir("fr") / "chapter.po"
    before = path.read_text(encoding="utf-8").splitlines(keepends=True)
    edit(project, "chapter.md", "Harm reduction saves lives.\n", "Harm reduction saves lives.\n\nA new paragraph.\n")
    update_catalogs(project)
    after = path.read_text(encoding="utf-8").splitlines(keepends=True)
    diff = [
        line for line in difflib.unified_diff(before, after, n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    changed = [line for line in diff if "POT-Creation-Date" not in line]
    assert changed == ['+msgid "A new paragraph."\n', '+msgstr ""\n', "+\n"]


def test_an_edited_paragraph_keeps_its_translation_as_fuzzy_with_the_old_source(project: Project) -> None:
    edit(project, "chapter.md", "Harm reduction saves lives.", "Harm reduction saves many lives.")
    report = update_catalogs(project)
    catalog = read_catalog(project.catalog_dir("fr") / "chapter.po")
    entry = next(m for m in catalog.entries if m.msgid == "Harm reduction saves many lives.")
    assert entry.fuzzy and entry.msgstr == "La réduction des risques sauve des vies."
    assert entry.previous_msgid == "Harm reduction saves lives."
    assert catalog.obsolete == []  # its translation moved to the edited entry, not to #~
    chapter = next(c for c in report.catalogs if c.lang == "fr" and c.name == "chapter")
    assert [(c.msgid, c.previous) for c in chapter.changed] == [(entry.msgid, "Harm reduction saves lives.")]
    assert chapter.removed == [] and chapter.new == []
    text = (project.catalog_dir("fr") / "chapter.po").read_text(encoding="utf-8")
    assert '#, fuzzy\n#| msgid "Harm reduction saves lives."\nmsgid "Harm reduction saves many lives."\n' in text


def test_a_fuzzy_entry_edited_again_keeps_the_source_its_translation_was_made_for(project: Project) -> None:
    edit(project, "chapter.md", "Harm reduction saves lives.", "Harm reduction saves many lives.")
    update_catalogs(project)
    edit(project, "chapter.md", "Harm reduction saves many lives.", "Harm reduction saves so many lives.")
    update_catalogs(project)
    entry = next(m for m in read_catalog(project.catalog_dir("fr") / "chapter.po").entries if "so many" in m.msgid)
    assert entry.fuzzy and entry.previous_msgid == "Harm reduction saves lives."


def test_a_removed_paragraph_is_kept_obsolete_until_pruned(project: Project) -> None:
    edit(project, "chapter.md", "This paragraph is about drug checking services at festivals.\n", "")
    report = update_catalogs(project)
    path = project.catalog_dir("fr") / "chapter.po"
    catalog = read_catalog(path)
    assert [(m.msgid, m.msgstr) for m in catalog.obsolete] == [
        (
            "This paragraph is about drug checking services at festivals.",
            "Ce paragraphe porte sur l'analyse des drogues dans les festivals.",
        )
    ]
    assert "#~ msgid" in path.read_text(encoding="utf-8")
    chapter = next(c for c in report.catalogs if c.lang == "fr" and c.name == "chapter")
    assert [c.msgid for c in chapter.removed] == ["This paragraph is about drug checking services at festivals."]
    # Kept across further updates, then dropped only on request.
    update_catalogs(project)
    assert len(read_catalog(path).obsolete) == 1
    report = update_catalogs(project, prune_obsolete=True)
    assert read_catalog(path).obsolete == []
    assert [c.msgid for c in next(c for c in report.catalogs if c.name == "chapter").pruned] == [
        "This paragraph is about drug checking services at festivals."
    ]


def test_a_paragraph_that_comes_back_gets_its_translation_back(project: Project) -> None:
    sentence = "This paragraph is about drug checking services at festivals.\n"
    edit(project, "chapter.md", sentence, "")
    update_catalogs(project)
    edit(project, "chapter.md", "Harm reduction saves lives.\n", "Harm reduction saves lives.\n\n" + sentence)
    report = update_catalogs(project)
    catalog = read_catalog(project.catalog_dir("fr") / "chapter.po")
    entry = next(m for m in catalog.entries if m.msgid == sentence.strip())
    assert entry.msgstr.startswith("Ce paragraphe") and not entry.fuzzy and catalog.obsolete == []
    assert [c.msgid for c in next(c for c in report.catalogs if c.name == "chapter").restored] == [sentence.strip()]


def test_a_paragraph_moved_to_another_chapter_takes_its_translation(project: Project) -> None:
    sentence = "Harm reduction saves lives.\n"
    edit(project, "chapter.md", sentence, "")
    edit(
        project, "second.md", "Prisons concentrate health risks.\n", "Prisons concentrate health risks.\n\n" + sentence
    )
    report = update_catalogs(project)
    second = read_catalog(project.catalog_dir("fr") / "second.po")
    moved = next(m for m in second.entries if m.msgid == sentence.strip())
    assert moved.msgstr == "La réduction des risques sauve des vies." and not moved.fuzzy
    update = next(c for c in report.catalogs if c.name == "second")
    assert [(c.msgid, c.source) for c in update.moved] == [(sentence.strip(), "chapter")]
    # The old chapter keeps its copy as obsolete: nothing disappears without a maintainer's prune.
    assert [m.msgid for m in read_catalog(project.catalog_dir("fr") / "chapter.po").obsolete] == [sentence.strip()]


def test_text_already_translated_in_another_chapter_is_filled_in(project: Project) -> None:
    (project.source_dir / "third.md").write_text("# Harm reduction\n\nA paragraph of its own.\n", encoding="utf-8")
    edit(project, "index.md", "second\n```", "second\nthird\n```")
    report = update_catalogs(project)
    third = read_catalog(project.catalog_dir("fr") / "third.po")
    assert [(m.msgid, m.msgstr, m.fuzzy) for m in third.entries] == [
        ("Harm reduction", "Réduction des risques", False),
        ("A paragraph of its own.", "", False),
    ]
    update = next(c for c in report.catalogs if c.name == "third")
    assert [(c.msgid, c.source) for c in update.reused] == [("Harm reduction", "chapter")]
    assert [c.msgid for c in update.new] == ["A paragraph of its own."]
    # The chapter it came from is untouched.
    assert next(c for c in report.catalogs if c.name == "chapter").written is False


def test_translator_comments_and_headers_survive(project: Project) -> None:
    update_catalogs(project)
    catalog = read_catalog(project.catalog_dir("fr") / "chapter.po")
    needle = next(m for m in catalog.entries if m.msgid.startswith("Needle"))
    assert needle.comments == ["Vérifié par l'équipe du glossaire."]
    assert catalog.get_metadata("Last-Translator") == "Camille <camille@example.org>"
    assert catalog.get_metadata("PO-Revision-Date") == "2026-11-20 09:30+0100"


def test_the_report_counts_entries_and_words_per_language_and_chapter(project: Project, capsys) -> None:
    edit(project, "chapter.md", "Harm reduction saves lives.", "Harm reduction saves many lives.")
    edit(project, "chapter.md", "This paragraph is about drug checking services at festivals.\n", "")
    assert main(["--root", str(project.root), "update"]) == 0
    out = capsys.readouterr().out
    assert "fr: locales/fr/LC_MESSAGES/chapter.po updated: 1 changed → fuzzy (5 words), 1 removed (9 words)" in out
    data = json.loads((project.build_dir / "reports" / "update.json").read_text(encoding="utf-8"))
    chapter = data["languages"]["fr"]["chapters"]["chapter"]
    assert chapter["changed"]["entries"] == 1 and chapter["changed"]["words"] == 5
    assert chapter["changed"]["messages"] == [
        {"msgid": "Harm reduction saves many lives.", "previous": "Harm reduction saves lives."}
    ]
    assert chapter["removed"] == {
        "entries": 1,
        "words": 9,
        "messages": [{"msgid": "This paragraph is about drug checking services at festivals."}],
    }
    chapters = data["languages"]["fr"]["chapters"]
    assert data["languages"]["fr"]["new"]["entries"] == sum(c["new"]["entries"] for c in chapters.values())
    assert chapters["second"]["created"] and chapters["second"]["new"]["words"] == 5


@pytest.mark.parametrize(
    ("broken", "where"),
    [
        ('msgid "Prisons"\nmsgstr "Prisons\n', "second.po:2:"),
        ('msgid ""\nmsgstr "Content-Type: text/plain; charset=ISO-8859-1\\n"\n', "second.po:1:"),
        ('msgid "Prisons"\nmsgstr "a"\n\nmsgid "Prisons"\nmsgstr "b"\n', "second.po:4:"),
    ],
)
def test_a_broken_catalogue_stops_the_update_before_anything_is_written(
    project: Project, capsys, broken: str, where: str
) -> None:
    (project.catalog_dir("fr") / "second.po").write_text(broken, encoding="utf-8")
    edit(project, "chapter.md", "Harm reduction saves lives.", "Harm reduction saves many lives.")
    before = snapshot(project.locales_dir)
    assert main(["--root", str(project.root), "update"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and where in err and "Traceback" not in err
    assert snapshot(project.locales_dir) == before
    assert not (project.build_dir / "gettext").exists()


def test_the_ui_catalogue_name_is_reserved(project: Project) -> None:
    (project.source_dir / "ui.md").write_text("# Interface\n\nText.\n", encoding="utf-8")
    edit(project, "index.md", "second\n```", "second\nui\n```")
    with pytest.raises(GuideError, match=r"guide/ui\.md: this chapter name is reserved"):
        update_catalogs(project)


@requires_msgcat
def test_written_catalogues_pass_msgcat_unchanged(project: Project) -> None:
    edit(project, "chapter.md", "Harm reduction saves lives.", "Harm reduction saves many lives.")
    update_catalogs(project)
    for path in sorted(project.catalog_dir("fr").glob("*.po")):
        text = path.read_text(encoding="utf-8")
        assert msgcat(text) == text, path


@pytest.mark.slow
def test_the_real_catalogues_lose_no_translation_and_settle(tmp_path: Path) -> None:
    root = tmp_path / "guide"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".git", "_build", ".nox", "dist", "__pycache__"))
    project = Project(root)
    languages = [lang.code for lang in project.registry.translations]
    before = {
        (lang, path.name): translations(path) for lang in languages for path in project.catalog_dir(lang).glob("*.po")
    }
    report = update_catalogs(project)
    for (lang, name), texts in before.items():
        assert texts <= translations(project.catalog_dir(lang) / name), (lang, name)
    settled = snapshot(project.locales_dir)
    assert update_catalogs(project).written == []
    assert snapshot(project.locales_dir) == settled
    for path in report.written:
        assert format_catalog(read_catalog(path)) == path.read_text(encoding="utf-8")
