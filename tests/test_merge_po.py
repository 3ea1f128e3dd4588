"""`guide merge-po`: entry-by-entry merges, through real `git merge` runs too."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from guidetools.catalog import Catalog, Message, format_catalog, format_header, parse_catalog, read_catalog
from guidetools.cli import main
from guidetools.gitsetup import setup_git
from guidetools.merge_po import CONFLICT_COMMENT, merge_catalogs
from guidetools.project import Project

HEADER_FIELDS = [
    ("Project-Id-Version", "Tiny Guide"),
    ("PO-Revision-Date", "2026-11-20 09:30+0100"),
    ("Last-Translator", "Camille <camille@example.org>"),
    ("Language", "fr"),
    ("Content-Type", "text/plain; charset=UTF-8"),
    ("Plural-Forms", "nplurals=2; plural=(n > 1);"),
]
SOURCES = [
    "Harm reduction saves lives.",
    "Needle and syringe programmes prevent HIV and hepatitis C among people who inject drugs and their partners.",
    "Naloxone reverses an opioid overdose within minutes.",
    "Drug checking services test substances at festivals and in the community.",
]


def catalog(translations: dict[str, str], fields: list[tuple[str, str]] | None = None, **extra: Message) -> Catalog:
    header = Message(msgid="", msgstr=format_header(fields or HEADER_FIELDS))
    messages = [Message(msgid=source, msgstr=translations.get(source, "")) for source in SOURCES]
    return Catalog(messages=[header, *messages, *extra.values()])


def entry(merged: Catalog, msgid: str) -> Message:
    return merged.index()[(None, msgid)]


def test_different_entries_edited_on_each_side_merge_cleanly() -> None:
    base = catalog({SOURCES[0]: "La réduction des risques sauve des vies."})
    ours = catalog({SOURCES[0]: "La réduction des risques sauve des vies.", SOURCES[1]: "Les programmes…"})
    theirs = catalog({SOURCES[0]: "La réduction des risques sauve la vie."})
    merged, result = merge_catalogs(base, ours, theirs)
    assert result.conflicts == []
    assert entry(merged, SOURCES[0]).msgstr == "La réduction des risques sauve la vie."
    assert entry(merged, SOURCES[1]).msgstr == "Les programmes…"


def test_the_same_entry_translated_differently_is_a_marked_fuzzy_conflict() -> None:
    base = catalog({})
    ours = catalog({SOURCES[2]: "La naloxone inverse une surdose."})
    theirs = catalog({SOURCES[2]: "La naloxone neutralise une overdose."})
    merged, result = merge_catalogs(base, ours, theirs)
    assert len(result.conflicts) == 1 and "Naloxone reverses" in result.conflicts[0]
    conflicted = entry(merged, SOURCES[2])
    assert conflicted.fuzzy and CONFLICT_COMMENT in conflicted.comments
    assert conflicted.msgstr == (
        "<<<<<<< ours\nLa naloxone inverse une surdose.\n=======\nLa naloxone neutralise une overdose.\n>>>>>>> theirs"
    )
    # Still a valid catalogue that every tool reads.
    assert parse_catalog(format_catalog(merged), "x.po").index()[(None, SOURCES[2])].msgstr == conflicted.msgstr


def test_same_text_with_a_review_on_one_side_takes_the_reviewed_version() -> None:
    base = catalog({SOURCES[0]: "Ancienne traduction."})
    entry(base, SOURCES[0]).set_fuzzy(True)
    ours = catalog({SOURCES[0]: "Nouvelle traduction."})
    theirs = catalog({SOURCES[0]: "Nouvelle traduction."})
    entry(theirs, SOURCES[0]).set_fuzzy(True)
    merged, result = merge_catalogs(base, ours, theirs)
    assert result.conflicts == [] and not entry(merged, SOURCES[0]).fuzzy


def test_an_entry_deleted_on_one_side_and_translated_on_the_other_is_kept() -> None:
    base = catalog({})
    ours = catalog({})
    ours.messages = [m for m in ours.messages if m.msgid != SOURCES[3]]  # e.g. `guide update` after a source edit
    theirs = catalog({SOURCES[3]: "Les services d'analyse des drogues…"})
    merged, result = merge_catalogs(base, ours, theirs)
    assert entry(merged, SOURCES[3]).msgstr == "Les services d'analyse des drogues…"
    assert result.kept_deleted and result.conflicts == []


def test_entries_added_on_one_side_keep_their_place() -> None:
    added = Message(msgid="A paragraph added by the other branch.", msgstr="Un paragraphe ajouté.")
    base, ours = catalog({}), catalog({})
    theirs = catalog({})
    theirs.messages.insert(2, added)  # after SOURCES[0]
    merged, _ = merge_catalogs(base, ours, theirs)
    assert [m.msgid for m in merged.entries][:2] == [SOURCES[0], added.msgid]


def test_translator_comments_from_both_sides_are_kept() -> None:
    base, ours, theirs = catalog({}), catalog({}), catalog({})
    entry(ours, SOURCES[0]).comments = ["checked by Camille"]
    entry(theirs, SOURCES[0]).comments = ["glossary: réduction des risques"]
    merged, result = merge_catalogs(base, ours, theirs)
    assert entry(merged, SOURCES[0]).comments == ["checked by Camille", "glossary: réduction des risques"]
    assert result.conflicts == []


def test_header_dates_and_last_translator_follow_the_latest_revision() -> None:
    later = dict(HEADER_FIELDS) | {
        "PO-Revision-Date": "2026-11-25 18:00+0100",
        "Last-Translator": "Ana <ana@example.org>",
    }
    other = dict(HEADER_FIELDS) | {
        "PO-Revision-Date": "2026-11-24 08:00+0000",
        "Last-Translator": "Bo <bo@example.org>",
    }
    merged, result = merge_catalogs(catalog({}), catalog({}, list(other.items())), catalog({}, list(later.items())))
    assert merged.get_metadata("PO-Revision-Date") == "2026-11-25 18:00+0100"
    assert merged.get_metadata("Last-Translator") == "Ana <ana@example.org>"
    assert result.conflicts == []


def test_a_header_field_changed_differently_is_reported_not_silently_picked() -> None:
    ours = dict(HEADER_FIELDS) | {"Plural-Forms": "nplurals=2; plural=(n != 1);"}
    theirs = dict(HEADER_FIELDS) | {"Plural-Forms": "nplurals=3; plural=(n == 0 || n == 1) ? 0 : 1;"}
    merged, result = merge_catalogs(catalog({}), catalog({}, list(ours.items())), catalog({}, list(theirs.items())))
    assert result.conflicts == [
        "header field Plural-Forms: ours 'nplurals=2; plural=(n != 1);', theirs 'nplurals=3; plural=(n == 0 || n == 1) ? 0 : 1;'"
    ]
    assert any("Plural-Forms differs" in comment for comment in merged.header.comments)


def test_the_driver_needs_no_guide_repository(tmp_path: Path, capsys, monkeypatch) -> None:
    paths = []
    for name, translations in (("base", {}), ("ours", {SOURCES[0]: "A"}), ("theirs", {SOURCES[1]: "B"})):
        path = tmp_path / f"{name}.po"
        path.write_text(format_catalog(catalog(translations)), encoding="utf-8")
        paths.append(str(path))
    monkeypatch.chdir(tmp_path)
    assert main(["merge-po", *paths, "locales/fr/LC_MESSAGES/chapter.po"]) == 0
    assert "chapter.po: merged entry by entry, no conflict" in capsys.readouterr().err
    merged = read_catalog(tmp_path / "ours.po")
    assert entry(merged, SOURCES[0]).msgstr == "A" and entry(merged, SOURCES[1]).msgstr == "B"


def test_a_broken_version_leaves_ours_untouched(tmp_path: Path, capsys) -> None:
    base, ours, theirs = (tmp_path / f"{name}.po" for name in ("base", "ours", "theirs"))
    for path in (base, ours):
        path.write_text(format_catalog(catalog({})), encoding="utf-8")
    theirs.write_text('msgid "a"\nmsgstr "b" c\n', encoding="utf-8")
    before = ours.read_bytes()
    assert main(["merge-po", str(base), str(ours), str(theirs)]) == 1
    assert "theirs.po:2: syntax error" in capsys.readouterr().err
    assert ours.read_bytes() == before


# --- through git ---------------------------------------------------------------------------

LONG_FRENCH = (
    "Les programmes d'échange d'aiguilles et de seringues préviennent le VIH et l'hépatite C chez les personnes "
    "qui s'injectent des drogues et chez leurs partenaires."
)


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=False)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with one French catalogue, the guide's .gitattributes and merge driver."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.org")
    lines = setup_git(Project(root))
    assert any("merge.guide-po.driver" in line for line in lines)
    path = root / "locales" / "fr" / "LC_MESSAGES" / "chapter.po"
    path.parent.mkdir(parents=True)
    base = catalog({SOURCES[0]: "La réduction des risques sauve des vies.", SOURCES[1]: LONG_FRENCH})
    path.write_text(format_catalog(base), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def commit_translation(repo: Path, branch: str, msgid: str, msgstr: str, rewrap: bool = False) -> None:
    exists = git(repo, "rev-parse", "--verify", "-q", branch, check=False).returncode == 0
    git(repo, "checkout", "-q", *([branch] if exists else ["-b", branch]))
    path = repo / "locales" / "fr" / "LC_MESSAGES" / "chapter.po"
    current = read_catalog(path)
    current.index()[(None, msgid)].msgstr = msgstr
    text = format_catalog(current)
    if rewrap:  # as another editor would: every string on one line
        text = text.replace('"\n"', "")
    path.write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", f"translate {msgid[:20]}")


@pytest.mark.parametrize("driver", [True, False], ids=["guide-po driver", "git's line merge"])
def test_git_merges_two_translators_cleanly_even_after_an_editor_rewrapped_the_file(repo: Path, driver: bool) -> None:
    if not driver:
        git(repo, "config", "--remove-section", "merge.guide-po")  # as in a clone without `guide setup-git`
    commit_translation(repo, "other", SOURCES[2], "La naloxone neutralise une overdose.", rewrap=True)
    corrected = LONG_FRENCH.replace("leurs partenaires", "leurs partenaires sexuels")
    commit_translation(repo, "main", SOURCES[1], corrected)
    result = git(repo, "merge", "--no-edit", "other", check=False)
    if not driver:  # the reason for the driver: the re-wrapped lines overlap the corrected translation
        assert result.returncode != 0 and "CONFLICT" in result.stdout
        return
    assert result.returncode == 0, result.stdout + result.stderr
    merged = read_catalog(repo / "locales" / "fr" / "LC_MESSAGES" / "chapter.po")
    assert entry(merged, SOURCES[1]).msgstr == corrected
    assert entry(merged, SOURCES[2]).msgstr == "La naloxone neutralise une overdose."
    assert entry(merged, SOURCES[0]).msgstr == "La réduction des risques sauve des vies."
    assert git(repo, "status", "--porcelain").stdout == ""


def test_git_reports_a_conflict_when_both_translate_one_entry_differently(repo: Path) -> None:
    commit_translation(repo, "other", SOURCES[2], "La naloxone neutralise une overdose.")
    commit_translation(repo, "main", SOURCES[2], "La naloxone inverse une surdose.")
    commit_translation(repo, "main", SOURCES[3], "Les services d'analyse des drogues…")
    result = git(repo, "merge", "--no-edit", "other", check=False)
    assert result.returncode != 0
    assert "CONFLICT" in result.stdout and "1 conflict(s)" in result.stdout + result.stderr
    assert git(repo, "diff", "--name-only", "--diff-filter=U").stdout.strip() == "locales/fr/LC_MESSAGES/chapter.po"
    merged = read_catalog(repo / "locales" / "fr" / "LC_MESSAGES" / "chapter.po")
    conflicted = entry(merged, SOURCES[2])
    assert conflicted.fuzzy and "La naloxone inverse une surdose." in conflicted.msgstr
    assert "La naloxone neutralise une overdose." in conflicted.msgstr
    assert entry(merged, SOURCES[3]).msgstr == "Les services d'analyse des drogues…"  # the rest merged


def test_git_diff_hides_location_lines(repo: Path) -> None:
    path = repo / "locales" / "fr" / "LC_MESSAGES" / "chapter.po"
    current = read_catalog(path)
    current.entries[0].references = ["_templates/page.html"]
    path.write_text(format_catalog(current), encoding="utf-8")
    assert "#:" not in git(repo, "diff").stdout
    assert "#: _templates/page.html" in git(repo, "diff", "--no-textconv").stdout
