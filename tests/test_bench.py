"""The benchmark's own arithmetic and edits: what `nox -s bench` reports must be what it measured."""

from __future__ import annotations

import re

import polib
import pytest

from guidetools.bench import Run, edit_translation, summarise, verdicts
from guidetools.project import Project

CATALOGUE = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#, fuzzy
msgid "Harm reduction saves lives."
msgstr "La reducción de daños salva vidas."

msgid "Access to medicines"
msgstr ""

msgid "Drug courts"
msgstr "Tribunales de drogas"

msgid "Alternatives to prison"
msgstr "Alternativas a la prisión"
"""


def _run(case: str, route: str, lang: str, wall: float) -> Run:
    return Run(case=case, route=route, lang=lang, repeat=1, wall_s=wall, cpu_s=wall, peak_mb=100.0, ok=True)


def _verdict(runs: list[Run], goal: str) -> dict:
    summary = summarise(runs, ["en", "es", "fr"], "en")
    return next(check for check in verdicts(summary["ratios"]) if check["goal"] == goal)


def test_translation_edit_changes_the_first_translated_entry_only(tmp_path):
    path = tmp_path / "locales" / "es" / "LC_MESSAGES" / "topic-04.po"
    path.parent.mkdir(parents=True)
    path.write_text(CATALOGUE, encoding="utf-8")

    edit_translation(Project(tmp_path), "es", "topic-04", "revised 1")

    entries = {entry.msgid: entry.msgstr for entry in polib.pofile(str(path))}
    assert entries == {
        # Sphinx does not use a fuzzy entry, so editing it would not change the site.
        "Harm reduction saves lives.": "La reducción de daños salva vidas.",
        "Access to medicines": "",
        "Drug courts": "Tribunales de drogas (revised 1)",
        "Alternatives to prison": "Alternativas a la prisión",
    }


def test_translation_edit_names_a_catalogue_with_nothing_to_edit(tmp_path):
    path = tmp_path / "locales" / "es" / "LC_MESSAGES" / "topic-04.po"
    path.parent.mkdir(parents=True)
    path.write_text(CATALOGUE.split("#, fuzzy")[0], encoding="utf-8")

    with pytest.raises(ValueError, match=re.escape("topic-04.po: no translated entry")):
        edit_translation(Project(tmp_path), "es", "topic-04", "revised 1")


def test_preview_ratio_is_the_slowest_language_against_its_stock_rebuild():
    runs = [
        _run("translation edit", "stock", "es", 6.0),
        _run("translation edit", "guide", "es", 2.0),
        _run("translation edit", "stock", "fr", 4.0),
        _run("translation edit", "guide", "fr", 3.0),
    ]

    check = _verdict(runs, "translation_preview_vs_stock")

    assert (check["value"], check["status"]) == (0.75, "met")


def test_preview_slower_than_stock_is_reported_as_not_met():
    runs = [_run("translation edit", "stock", "es", 2.0), _run("translation edit", "guide", "es", 3.0)]

    check = _verdict(runs, "translation_preview_vs_stock")

    assert (check["value"], check["status"]) == (1.5, "NOT met")


def test_a_failed_preview_build_is_not_measured():
    runs = [_run("translation edit", "stock", "es", 6.0), _run("translation edit", "guide", "es", 1.0)]
    runs[1].ok = False

    assert _verdict(runs, "translation_preview_vs_stock")["status"] == "not measured"
