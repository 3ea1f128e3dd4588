"""`guide status` and `guide wrap`: progress by words, hints, and msgcat's layout on demand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guidetools.catalog import format_catalog, read_catalog
from guidetools.cli import main
from guidetools.project import Project
from guidetools.status import compute_status, format_table
from guidetools.update import update_catalogs
from tests.conftest import copy_project

FIELDS = {"percent", "translated", "fuzzy", "untranslated", "total", "words_translated", "words_total"}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_project("update", tmp_path)


def test_counts_are_entries_and_source_words(project: Project) -> None:
    chapter = compute_status(project).languages[0].chapters["chapter"]
    # 5 entries; "Naloxone reverses an opioid overdose within minutes." (7 words) is untranslated.
    assert (chapter.translated, chapter.fuzzy, chapter.untranslated) == (4, 0, 1)
    assert (chapter.words_translated, chapter.words_total) == (29, 36)
    assert chapter.percent == 80.5  # 29/36 = 80.55…, rounded down: 100.0 only when complete


def test_json_has_the_documented_shape(project: Project, capsys) -> None:
    update_catalogs(project)
    assert main(["--root", str(project.root), "status", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["languages"] and list(data["languages"]) == ["fr"]
    french = data["languages"]["fr"]
    assert set(french) == FIELDS | {"chapters"}
    assert set(french["chapters"]) == {"chapter", "index", "second", "ui"}
    assert all(set(chapter) == FIELDS for chapter in french["chapters"].values())
    assert french["total"] == sum(c["total"] for c in french["chapters"].values())
    assert french["words_translated"] == 29 and french["translated"] == 4


def test_fuzzy_entries_are_not_counted_as_translated(project: Project) -> None:
    path = project.source_dir / "chapter.md"
    path.write_text(path.read_text(encoding="utf-8").replace("saves lives", "saves many lives"), encoding="utf-8")
    update_catalogs(project)
    chapter = compute_status(project).languages[0].chapters["chapter"]
    assert (chapter.translated, chapter.fuzzy, chapter.untranslated) == (3, 1, 1)
    assert chapter.words_fuzzy == 5


def test_hints_put_reviews_first_then_the_threshold_then_the_cheapest_chapters(project: Project) -> None:
    path = project.source_dir / "chapter.md"
    path.write_text(path.read_text(encoding="utf-8").replace("saves lives", "saves many lives"), encoding="utf-8")
    update_catalogs(project)
    hints = [hint.text for hint in compute_status(project).hints]
    assert hints[0].startswith("fr: review 1 fuzzy entry in chapter.po (5 words)")
    assert hints[1].startswith("fr: ") and "release threshold (90 %)" in hints[1]
    finish = [hint for hint in hints if "to finish" in hint]
    assert finish == sorted(finish, key=lambda text: int(text.split("translate ")[1].split()[0]))
    assert finish[0] == "fr: translate 5 words (2 entries) to finish second.po (now 0 %)"


def test_a_chapter_without_catalogue_is_counted_from_its_template_and_hinted(project: Project) -> None:
    update_catalogs(project)
    (project.catalog_dir("fr") / "second.po").unlink()
    status = compute_status(project).languages[0]
    assert status.missing == ["second"] and status.chapters["second"].untranslated == 2
    assert "fr: second.po is missing: run `guide update` to create it" in [
        h.text for h in compute_status(project).hints
    ]


def test_the_table_shows_languages_chapters_and_next_steps(project: Project, capsys) -> None:
    assert main(["--root", str(project.root), "status"]) == 0
    out = capsys.readouterr().out
    assert "fr French (Français): 80.5 % of 36 words translated" in out
    assert "below release threshold 90 %" in out and "next steps:" in out
    assert format_table(compute_status(project))[0] in out


def test_a_broken_catalogue_is_one_error_line(project: Project, capsys) -> None:
    (project.catalog_dir("fr") / "chapter.po").write_text('msgid "a"\nmsgstr "b" c\n', encoding="utf-8")
    assert main(["--root", str(project.root), "status"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "chapter.po:2: syntax error" in err


# --- guide wrap ------------------------------------------------------------------------------

BABEL_WRAPPED = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: fr\\n"

msgid ""
"Drug policy touches health, justice, development and security at the same"
" time."
msgstr "La politique des drogues touche la santé, la justice et la sécurité."
"""


def test_wrap_check_lists_files_and_rewrites_nothing(project: Project, capsys) -> None:
    path = project.catalog_dir("fr") / "other.po"
    path.write_text(BABEL_WRAPPED, encoding="utf-8")
    before = path.read_bytes()
    assert main(["--root", str(project.root), "wrap", "--check"]) == 1
    assert "locales/fr/LC_MESSAGES/other.po: not in msgcat's layout" in capsys.readouterr().out
    assert path.read_bytes() == before


def test_wrap_rewrites_in_msgcat_layout_and_then_check_passes(project: Project, capsys) -> None:
    path = project.catalog_dir("fr") / "other.po"
    path.write_text(BABEL_WRAPPED, encoding="utf-8")
    assert main(["--root", str(project.root), "wrap", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    assert text == format_catalog(read_catalog(path))
    assert 'msgid ""\n"Drug policy touches health, justice, development and security at the same "\n"time."\n' in text
    assert main(["--root", str(project.root), "wrap", "--check"]) == 0


def test_wrap_stops_on_a_broken_file_before_rewriting_any(project: Project, capsys) -> None:
    good = project.catalog_dir("fr") / "a-good.po"
    good.write_text(BABEL_WRAPPED, encoding="utf-8")
    (project.catalog_dir("fr") / "z-broken.po").write_text(BABEL_WRAPPED + 'msgid "x"\n', encoding="utf-8")
    assert main(["--root", str(project.root), "wrap"]) == 1
    assert "z-broken.po:10: syntax error: msgid 'x' has no msgstr" in capsys.readouterr().err
    assert good.read_text(encoding="utf-8") == BABEL_WRAPPED


def test_counts_are_cached_by_content_and_never_served_stale(project: Project) -> None:
    from guidetools import GuideError
    from guidetools.status import counts_cache_path

    first = compute_status(project).to_json()
    cache = counts_cache_path(project)
    assert cache.is_file() and len(json.loads(cache.read_text(encoding="utf-8"))["catalogs"]) >= 1
    assert compute_status(project).to_json() == first == compute_status(project, cached=False).to_json()
    # Translating the untranslated entry changes the bytes, so the counts are taken again.
    path = project.catalog_dir("fr") / "chapter.po"
    catalog = read_catalog(path)
    untranslated = next(message for message in catalog.entries if message.state == "untranslated")
    untranslated.msgstr = "La naloxone inverse une surdose d'opioïdes en quelques minutes."
    path.write_text(format_catalog(catalog), encoding="utf-8")
    chapter = compute_status(project).languages[0].chapters["chapter"]
    assert (chapter.translated, chapter.untranslated, chapter.percent) == (5, 0, 100.0)
    # A damaged file is reported, cache or not, and its old counts are not used.
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgid "unclosed\n', encoding="utf-8")
    with pytest.raises(GuideError, match=r"chapter\.po"):
        compute_status(project)
    # A damaged cache is only a slower run.
    cache.write_text("{not json", encoding="utf-8")
    path.write_text(format_catalog(catalog), encoding="utf-8")
    assert compute_status(project).languages[0].chapters["chapter"].percent == 100.0
