"""Property: no sequence of source edits, updates, re-wraps and merges loses a translation.

The set of non-empty msgstr — active, fuzzy and obsolete alike — may only grow under the
toolchain's operations (translators may of course replace their own text). Most examples run
the merge functions on catalogues built in memory; a few run real Sphinx extractions.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidetools.catalog import Catalog, Message, format_catalog, parse_catalog
from guidetools.languages import Language
from guidetools.merge_po import merge_catalogs
from guidetools.update import CatalogUpdate, merge_catalog, update_catalogs
from tests.conftest import copy_project

FRENCH = Language("fr", "French", "Français", "ltr", "Latn", 90)
VOCABULARY = (
    "harm",
    "reduction",
    "saves",
    "lives",
    "naloxone",
    "prisons",
    "health",
    "policy",
    "drug",
    "services",
    "rights",
)

paragraph = st.lists(st.sampled_from(VOCABULARY), min_size=2, max_size=9).map(
    lambda words: " ".join(words).capitalize() + "."
)
translation = st.lists(
    st.sampled_from(["la", "réduction", "des", "risques", "sauve", "vies", "santé", "droits"]), min_size=1, max_size=6
).map(" ".join)

# Operations: ("edit" | "insert" | "delete", index, text), ("translate", index, text), ("review", index),
# ("update",), ("wrap",), ("branch", ours_ops, theirs_ops, ours_updates_source).
source_op = st.tuples(st.sampled_from(["edit", "insert", "delete"]), st.integers(0, 20), paragraph)
translator_op = st.one_of(
    st.tuples(st.just("translate"), st.integers(0, 20), translation),
    st.tuples(st.just("review"), st.integers(0, 20)),
)
operation = st.one_of(
    source_op,
    translator_op,
    st.just(("update",)),
    st.just(("wrap",)),
    st.tuples(
        st.just("branch"),
        st.lists(translator_op, max_size=4),
        st.lists(translator_op, max_size=4),
        st.booleans(),
        source_op,
    ),
)


def template(document: list[str]) -> Catalog:
    header = Message(
        msgid="", msgstr="Content-Type: text/plain; charset=UTF-8\nPOT-Creation-Date: 2026-11-28 00:00+0000\n"
    )
    return Catalog(messages=[header, *(Message(msgid=text) for text in dict.fromkeys(document))])


def update(document: list[str], catalog: Catalog | None) -> Catalog:
    return merge_catalog(
        template(document), catalog, update=CatalogUpdate("fr", "chapter", Path("chapter.po")), language=FRENCH
    )


def kept(catalog: Catalog) -> set[str]:
    """Every non-empty translation in the catalogue, whatever the state of its entry."""
    return {text for m in catalog.messages if not m.is_header for text in m.translations if text}


def apply_source(document: list[str], op: tuple) -> list[str]:
    kind, index, text = op
    document = list(document)
    if kind == "insert" or not document:
        document.insert(index % (len(document) + 1), text)
    elif kind == "edit":
        words = document[index % len(document)].rstrip(".").split()
        words[index % len(words)] = text.split()[0].lower()  # a small edit: one word changed
        document[index % len(document)] = " ".join(words) + "."
    else:
        del document[index % len(document)]
    return document


def apply_translator(catalog: Catalog, op: tuple) -> Catalog:
    catalog = Catalog(messages=[m.copy() for m in catalog.messages])
    entries = catalog.entries
    if entries:
        entry = entries[op[1] % len(entries)]
        if op[0] == "translate":
            entry.msgstr = op[2]
        elif entry.msgstr:
            entry.set_fuzzy(False)
            entry.previous_msgid = None
    return catalog


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paragraph, min_size=2, max_size=6, unique=True), st.lists(operation, max_size=25))
def test_no_sequence_of_edits_updates_wraps_and_merges_loses_a_translation(
    document: list[str], operations: list
) -> None:
    catalog = update(document, None)
    for op in operations:
        before = kept(catalog)
        if op[0] in ("edit", "insert", "delete"):
            document = apply_source(document, op)
            continue
        if op[0] in ("translate", "review"):
            catalog = apply_translator(catalog, op)
            continue
        if op[0] == "update":
            catalog = update(document, catalog)
            assert before <= kept(catalog)
        elif op[0] == "wrap":
            text = format_catalog(catalog)
            catalog = parse_catalog(text, "chapter.po")
            assert format_catalog(catalog) == text
            assert before <= kept(catalog)
        else:  # two branches: translators on both, maybe a source change and an update on ours
            _, ours_ops, theirs_ops, ours_updates, change = op
            ours, theirs = catalog, catalog
            for translator in ours_ops:
                ours = apply_translator(ours, translator)
            for translator in theirs_ops:
                theirs = apply_translator(theirs, translator)
            if ours_updates:
                document = apply_source(document, change)
                ours = update(document, ours)
            merged, _ = merge_catalogs(catalog, ours, theirs)
            texts = [text for m in merged.messages if not m.is_header for text in m.translations]
            # What either branch wrote survives, and so does what neither branch replaced; a conflict
            # keeps both versions inside one msgstr.
            must_survive = ((kept(ours) | kept(theirs)) - kept(catalog)) | (kept(ours) & kept(theirs))
            for text in must_survive:
                assert any(text == other or text in other for other in texts), text
            catalog = parse_catalog(format_catalog(merged), "chapter.po")


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.lists(source_op, min_size=1, max_size=4))
def test_real_extractions_keep_every_translation(tmp_path_factory, edits: list) -> None:
    project = copy_project("update", tmp_path_factory.mktemp("no-loss"))
    path = project.catalog_dir("fr") / "chapter.po"
    before = kept(parse_catalog(path.read_bytes(), path))
    chapter = project.source_dir / "chapter.md"
    heading, *paragraphs = chapter.read_text(encoding="utf-8").split("\n\n")
    for op in edits:
        paragraphs = apply_source(paragraphs, op)
    chapter.write_text("\n\n".join([heading, *paragraphs]) + "\n", encoding="utf-8")
    update_catalogs(project)
    after = kept(parse_catalog(path.read_bytes(), path))
    assert before <= after
    assert update_catalogs(project).written == []  # and a second run settles
