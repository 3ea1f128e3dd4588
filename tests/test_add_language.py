"""`guide add-language`: registry entry from CLDR, comments kept, catalogues with correct headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidetools.catalog import read_catalog
from guidetools.cli import main
from guidetools.languages import load_registry
from guidetools.project import Project
from guidetools.update import plural_forms
from tests.conftest import copy_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_project("update", tmp_path)


def test_a_right_to_left_language_is_registered_and_gets_its_catalogues(project: Project, capsys) -> None:
    before = project.registry_path.read_text(encoding="utf-8")
    assert main(["--root", str(project.root), "add-language", "fa", "--threshold", "80"]) == 0
    out = capsys.readouterr().out
    assert "added fa (Persian, فارسی, rtl, Arab)" in out and "created 4 catalogue(s)" in out
    after = project.registry_path.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # comments and layout untouched: a block appended
    assert after.endswith(
        '[[language]]\ncode = "fa"\nname = "Persian"\nnative_name = "فارسی"\n'
        'direction = "rtl"\nscript = "Arab"\nrelease_threshold = 80\n'
    )
    registry = load_registry(project.registry_path)
    assert registry.codes == ["en", "fr", "fa"] and registry.get("fa").is_rtl
    folder = project.catalog_dir("fa")
    assert sorted(p.name for p in folder.iterdir()) == ["chapter.po", "index.po", "second.po", "ui.po"]
    chapter = read_catalog(folder / "chapter.po")
    assert chapter.get_metadata("Language") == "fa"
    assert chapter.get_metadata("Plural-Forms") == plural_forms("fa") == "nplurals=2; plural=(n > 1);"
    assert chapter.header.comments[0] == "Persian translation of the Tiny Guide, chapter 'chapter'."
    assert all(not m.msgstr for m in chapter.entries) and len(chapter.entries) == 5


def test_plural_forms_come_from_cldr() -> None:
    assert plural_forms("ar").startswith("nplurals=6;")
    assert plural_forms("ru").startswith("nplurals=3;")
    assert plural_forms("ja") == "nplurals=1; plural=0;"


def test_names_and_script_come_from_cldr_unless_given(project: Project, capsys) -> None:
    assert main(["--root", str(project.root), "add-language", "pt_BR", "--native-name", "Português do Brasil"]) == 0
    language = load_registry(project.registry_path).get("pt_BR")
    assert (language.name, language.native_name, language.direction, language.script) == (
        "Portuguese (Brazil)",
        "Português do Brasil",
        "ltr",
        "Latn",
    )
    assert language.release_threshold == 90


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("fr", "'fr' is already a language of the guide"),
        ("xx", "'xx': CLDR does not know this language"),
        ("French", "'French' is not a language code"),
    ],
)
def test_bad_codes_change_nothing(project: Project, capsys, code: str, message: str) -> None:
    before = project.registry_path.read_bytes()
    assert main(["--root", str(project.root), "add-language", code]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert project.registry_path.read_bytes() == before
    assert not (project.locales_dir / code).exists() or code == "fr"


def test_the_registry_is_restored_when_the_catalogues_cannot_be_made(project: Project, capsys) -> None:
    (project.source_dir / "chapter.md").write_text("```{nonexistent-directive}\n```\n:::{\n", encoding="utf-8")
    (project.source_dir / "conf.py").write_text("raise RuntimeError('broken conf.py')\n", encoding="utf-8")
    before = project.registry_path.read_bytes()
    assert main(["--root", str(project.root), "add-language", "de"]) == 1
    assert "extracting the templates failed" in capsys.readouterr().err
    assert project.registry_path.read_bytes() == before
    assert not (project.locales_dir / "de").exists()
