"""fast_i18n: translated HTML is byte-identical with and without the caches, and nothing leaks.

The fixture (tests/sourcedirs/i18n_markup) translates roles with and without explicit targets,
{numref} with a custom title, inline and reference links, autolinks, numbered and named footnotes,
emphasis, code, tables, admonitions, a definition list, a figure caption and alt text, glossary
terms and section titles — fully in Spanish, partly in French — and has the same message on the
same line of two pages.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils import base
from myst_parser.mdit_to_docutils.base import DocutilsRenderer
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.parsers import sphinx_
from sphinx.transforms import i18n

from guidetools.build import run_sphinx
from guidetools.project import Project
from guidetools.sphinxext import fast_i18n
from tests.conftest import copy_project

PAGES = ("index", "roles", "links", "glossary")


@pytest.fixture
def markup_project(tmp_path: Path) -> Project:
    return copy_project("i18n_markup", tmp_path)


def build(project: Project, lang: str, *, fast: bool, name: str) -> dict[str, bytes]:
    """Build ``lang`` from scratch into ``_build/<name>`` and return every output file's bytes."""
    outdir = project.build_dir / name
    fast_i18n.stats.clear()
    result = run_sphinx(project, lang, outdir=outdir, fresh=True, overrides={"guide_fast_i18n": fast})
    assert result.ok, [str(p) for p in result.problems]
    # .buildinfo holds a hash of the configuration, which includes the switch itself.
    return {
        str(path.relative_to(outdir)): path.read_bytes()
        for path in sorted(outdir.rglob("*"))
        if path.is_file() and path.name != ".buildinfo"
    }


def page(files: dict[str, bytes], name: str) -> str:
    return files[f"{name}.html"].decode("utf-8")


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_translated_html_is_byte_identical_with_and_without_the_cache(markup_project: Project, lang: str) -> None:
    stock = build(markup_project, lang, fast=False, name="stock")
    assert not fast_i18n.installed() and sum(fast_i18n.stats.values()) == 0
    assert base.make_document.__module__ == "myst_parser.mdit_to_docutils.base"  # MyST's own, not ours

    fast = build(markup_project, lang, fast=True, name="fast")
    assert fast_i18n.stats["parser reused"] > 10
    assert fast_i18n.stats["message parse reused"] > 10
    assert fast_i18n.stats["throw-away document skipped"] > 10
    assert fast_i18n.stats["plain message"] > 5  # built without a parse, and still byte-identical
    assert fast_i18n.stats["title target walk skipped"] > 0  # translated titles, page walked once
    assert fast_i18n.stats["reference update skipped"] > 10  # plain text on both sides

    assert sorted(fast) == sorted(stock)
    different = [name for name in stock if fast[name] != stock[name]]
    assert different == []
    # The comparison is about translated pages: the translations did reach the HTML.
    roles = page(fast, "roles")
    if lang == "es":
        assert "Véase la" in roles and "salud pública" in roles and "Naloxona" in roles
        assert 'href="https://example.org/note"' in roles
        assert "Lea la" in page(fast, "links")
    else:
        assert "Voir la" in roles and "santé publique" in roles
        assert "Close compulsory detention centres." in roles  # untranslated: falls back to English


def test_cache_does_not_leak_between_languages_or_pages(markup_project: Project) -> None:
    spanish = build(markup_project, "es", fast=True, name="es-fast")
    french_after_spanish = build(markup_project, "fr", fast=True, name="fr-fast")
    # Nothing the Spanish build parsed survives it: no parser holding its last document, no memo.
    assert fast_i18n._parsers == {} and fast_i18n._published == {}
    french_alone = build(markup_project, "fr", fast=False, name="fr-stock")
    assert french_after_spanish == french_alone
    assert "Esta frase es la misma" not in page(french_after_spanish, "links")
    # The same message on the same line of two pages is translated on each page, in its place.
    for name in ("roles", "links"):
        assert "Esta frase es la misma en dos páginas." in page(spanish, name)
        assert "Cette phrase est la même sur deux pages." in page(french_after_spanish, name)


def test_parser_is_reused_only_for_an_equal_configuration() -> None:
    fast_i18n.install()
    try:
        config = MdParserConfig(enable_extensions={"colon_fence"})
        first = sphinx_.create_md_parser(config, SphinxRenderer)
        first.options["document"] = object()  # what MystParser.parse leaves behind
        again = sphinx_.create_md_parser(copy.deepcopy(config), SphinxRenderer)
        assert again is first
        assert "document" not in again.options  # the previous parse's document is gone
        other = sphinx_.create_md_parser(MdParserConfig(enable_extensions={"deflist"}), SphinxRenderer)
        assert other is not first
        assert "deflist" in [rule for rule in other.block.ruler.get_active_rules()]
    finally:
        fast_i18n.uninstall()


def test_a_parse_inside_a_render_gets_its_own_parser() -> None:
    """A directive that parses MyST while the cached parser renders must not clobber its state."""
    fast_i18n.install()
    try:
        config = MdParserConfig()
        outer = sphinx_.create_md_parser(config, DocutilsRenderer)
        inner_parsers = []
        render_paragraph = outer.renderer.rules["render_paragraph"]

        def paragraph_that_parses_again(token):
            inner = sphinx_.create_md_parser(config, DocutilsRenderer)
            inner_parsers.append(inner)
            inner.render("Inner *text*.")
            render_paragraph(token)

        outer.renderer.rules["render_paragraph"] = paragraph_that_parses_again
        document = outer.render("Outer text.")
        assert inner_parsers and inner_parsers[0] is not outer
        assert document.astext() == "Outer text."  # the inner parse left the outer one alone
        outer.renderer.rules["render_paragraph"] = render_paragraph
        assert sphinx_.create_md_parser(config, DocutilsRenderer) is outer  # idle again: reused
    finally:
        fast_i18n.uninstall()


def test_each_document_gets_its_own_settings() -> None:
    fast_i18n.install()
    try:
        first = base.make_document("one.md")
        first.settings.record_dependencies.add("one.md")
        first.settings.strip_classes = ["changed"]
        second = base.make_document("two.md")
        assert second.settings.record_dependencies.list == []
        assert second.settings.strip_classes != ["changed"]
        assert second.settings is not first.settings
    finally:
        fast_i18n.uninstall()


def test_uninstall_restores_myst_and_sphinx() -> None:
    fast_i18n.uninstall()  # an earlier build in this process may have installed the patches
    originals = (base.make_document, sphinx_.create_md_parser, base.DocutilsRenderer.setup_render, i18n._publish_msgstr)
    updaters = {name: getattr(i18n._NodeUpdater, name) for name in fast_i18n._REFERENCE_UPDATES}
    matcher = i18n.NodeMatcher
    fast_i18n.install()
    fast_i18n.install()  # idempotent
    assert base.make_document is fast_i18n.cached_make_document
    assert i18n._publish_msgstr is fast_i18n.memo_publish_msgstr
    fast_i18n.uninstall()
    fast_i18n.uninstall()
    assert (
        base.make_document,
        sphinx_.create_md_parser,
        base.DocutilsRenderer.setup_render,
        i18n._publish_msgstr,
    ) == originals
    assert originals[0].__module__ == "myst_parser.mdit_to_docutils.base"
    assert i18n.NodeMatcher is matcher and matcher is not fast_i18n.IndexedNodeMatcher
    assert {name: getattr(i18n._NodeUpdater, name) for name in fast_i18n._REFERENCE_UPDATES} == updaters


# Sphinx's title mapping and reference updates -----------------------------------------------------

RST_WITH_TITLE_TARGETS = """
Harm reduction
==============

.. _naloxone: `Harm reduction`_
.. _services: Harm reduction_

Text with a `link <Harm reduction_>`_.

Other
=====

.. _elsewhere: Other_
"""


def _rst_document():
    """The page as Sphinx's i18n transform sees it: parsed, references not yet resolved."""
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    settings = get_default_settings(Parser)
    settings.report_level = 5
    document = new_document("page.rst", settings)
    Parser().parse(RST_WITH_TITLE_TARGETS, document)
    return document


def _found(matcher_class, document, name: str) -> list[str]:
    return [" ".join(target["names"]) for target in matcher_class(nodes.target, refname=name).findall(document)]


def test_indexed_title_targets_find_what_a_walk_finds() -> None:
    from sphinx.util.nodes import NodeMatcher

    fast_i18n.clear()
    document = _rst_document()
    for name in ("harm reduction", "other", "absent"):
        assert _found(fast_i18n.IndexedNodeMatcher, document, name) == _found(NodeMatcher, document, name)
    assert _found(NodeMatcher, document, "harm reduction")  # the fixture does have such targets
    # Sphinx renames a target when its title is translated: the index sees the new name.
    for target in fast_i18n.IndexedNodeMatcher(nodes.target, refname="harm reduction").findall(document):
        target["refname"] = "reducción de daños"
    assert _found(fast_i18n.IndexedNodeMatcher, document, "reducción de daños") == _found(
        NodeMatcher, document, "reducción de daños"
    )
    assert _found(fast_i18n.IndexedNodeMatcher, document, "harm reduction") == []
    # Any other search, or any other node than a whole page, is Sphinx's own walk.
    section = document.next_node(nodes.section)
    assert list(fast_i18n.IndexedNodeMatcher(nodes.target, refname=Any).findall(section)) == list(
        NodeMatcher(nodes.target, refname=Any).findall(section)
    )


def test_a_translation_bringing_a_title_target_turns_the_index_off() -> None:
    fast_i18n.clear()
    document = _rst_document()
    _found(fast_i18n.IndexedNodeMatcher, document, "other")  # indexed now
    added = nodes.target("", "", refname="other", names=["late"])
    document += nodes.paragraph("", "", added)  # as a translated paragraph bringing a target would
    assert fast_i18n._holds_refname_target(document.children[-1])
    fast_i18n._refname_index["usable"] = False  # what memo_publish_msgstr does on such a parse
    assert "late" in _found(fast_i18n.IndexedNodeMatcher, document, "other")
    fast_i18n.clear()
    assert fast_i18n._refname_index["usable"]


def test_reference_updates_are_skipped_only_for_text_on_both_sides() -> None:
    calls = []

    def update(self) -> None:
        calls.append(self)

    wrapped = fast_i18n._skipping_for_text(update)
    text = nodes.paragraph("", "", nodes.Text("plain"))
    marked = nodes.paragraph("", "", nodes.emphasis("", "marked"))

    class Updater:
        def __init__(self, node, patch) -> None:
            self.node, self.patch = node, patch

    for node, patch, called in ((text, text, False), (text, marked, True), (marked, text, True)):
        calls.clear()
        wrapped(Updater(node, patch))
        assert bool(calls) == called


# Plain messages ---------------------------------------------------------------------------------


def _described(node) -> tuple:
    return (
        type(node).__name__,
        node.rawsource,
        node.line,
        node.source,
        sorted(node.attributes.items()),
        [(type(child).__name__, str(child)) for child in node.children],
        type(node.parent).__name__,
    )


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_plain_messages_get_the_nodes_myst_makes(markup_project: Project, monkeypatch, lang: str) -> None:
    """During a real build, every message the fast path takes is also parsed by MyST, and compared."""
    fast_path = fast_i18n.plain_paragraph
    compared: list[tuple[str, bool]] = []

    def checking(source, source_path, source_line, **kwargs):
        fast = fast_path(source, source_path, source_line, **kwargs)
        parsed = fast_i18n._originals["_publish_msgstr"](source, source_path, source_line, **kwargs)
        compared.append((source, _described(fast) == _described(parsed)))
        return fast

    monkeypatch.setattr(fast_i18n, "plain_paragraph", checking)
    # A paragraph of two lines (one sentence per line, as the guide is written), translated.
    roles = markup_project.source_dir / "roles.md"
    roles.write_text(roles.read_text(encoding="utf-8") + "\nFirst plain line.\nSecond plain line.\n", encoding="utf-8")
    catalogue = markup_project.catalog_dir(lang) / "roles.po"
    # Sphinx joins the lines of the msgid; a translator may still break the msgstr into lines.
    entry = 'msgid "First plain line. Second plain line."\nmsgstr ""\n"Primera línea.\\n"\n"Segunda línea."\n'
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + "\n" + entry, encoding="utf-8")
    files = build(markup_project, lang, fast=True, name="checked")
    assert compared, "no plain message in the fixture"
    assert [source for source, same in compared if not same] == []
    assert "Primera línea.\nSegunda línea." in [source for source, _ in compared]
    assert "Primera línea.\nSegunda línea." in page(files, "roles")


@pytest.mark.parametrize(
    ("source", "plain"),
    [
        ("Harm reduction saves lives.", True),
        ("Two lines,\nsoftly broken.", True),
        ("Note: a colon inside a line, 50% and #3.", True),
        ("*Emphasis*", False),
        ("A {term}`role`", False),
        ("[link](https://example.org)", False),
        ("AT&amp;T", False),
        ("1. A numbered list", False),
        ("- A bullet", False),
        ("A line\n- then a bullet", False),
        ("Trailing spaces  \nmake a hard break", False),
        ("% a MyST comment", False),
        (": a definition", False),
        ("Two\n\nparagraphs", False),
        ("    indented code", False),
        ("", False),
    ],
)
def test_only_messages_without_markup_take_the_fast_path(source: str, plain: bool) -> None:
    assert fast_i18n.is_plain(source) is plain
