"""PyStemmer makes the search index faster to build and changes none of its stems.

Sphinx's search index stems every word with ``snowballstemmer``, which uses PyStemmer's C
implementation of the same Snowball algorithms when it is installed (a dependency of this
project for that reason: the French build's indexing went from ~1.7 s to ~0.1 s). Here the
words of the real guide, in every language Sphinx has a stemmer for, are stemmed by both.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import snowballstemmer
from sphinx.search import languages as search_languages

from guidetools.catalog import iter_catalog_files, read_catalog
from guidetools.project import Project

WORD = re.compile(r"\w+")


def sphinx_stemmer_name(lang: str) -> str | None:
    """The Snowball algorithm Sphinx's search index uses for ``lang`` (None: Sphinx has none)."""
    language = search_languages.get(lang)
    if language is None:
        return None
    if isinstance(language, str):  # "sphinx.search.fr.SearchFrench": imported on demand
        module, _, name = language.rpartition(".")
        language = getattr(importlib.import_module(module), name)
    source = importlib.import_module(language.__module__).__file__
    found = re.search(r"snowballstemmer\.stemmer\('(\w+)'\)", Path(source).read_text(encoding="utf-8"))
    return found[1] if found else None


def guide_words(project: Project, lang: str) -> set[str]:
    words: set[str] = set()
    if lang == project.registry.source:
        for path in project.source_dir.rglob("*.md"):
            words |= set(WORD.findall(path.read_text(encoding="utf-8").lower()))
    else:
        for path in iter_catalog_files(project.catalog_dir(lang)):
            for message in read_catalog(path).entries:
                words |= set(WORD.findall(message.msgstr.lower()))
    return words


def test_snowballstemmer_uses_the_c_stemmers() -> None:
    assert snowballstemmer.stemmer.__module__ == "Stemmer"


# Sphinx's search index does not stem every language (Arabic, for one): those are not compared.
STEMMED = [lang.code for lang in Project.find().registry.languages if sphinx_stemmer_name(lang.code)]


def test_the_guide_has_stemmed_languages() -> None:
    assert {"en", "es", "fr", "ru"} <= set(STEMMED)


@pytest.mark.parametrize("lang", STEMMED)
def test_c_stemmers_give_the_pure_python_stems(lang: str) -> None:
    project = Project.find()
    algorithm = sphinx_stemmer_name(lang)
    pure_python = getattr(
        importlib.import_module(f"snowballstemmer.{algorithm}_stemmer"), f"{algorithm.capitalize()}Stemmer"
    )()
    words = sorted(guide_words(project, lang))
    assert len(words) > 300  # the guide's own vocabulary in that language
    c_stemmer = snowballstemmer.stemmer(algorithm)
    assert c_stemmer.stemWords(words) == pure_python.stemWords(words)
