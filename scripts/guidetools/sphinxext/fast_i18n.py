"""Faster translated builds: take MyST's and Sphinx's per-message overhead out of the i18n transform.

Why this exists
---------------
Sphinx's i18n transform (``sphinx.transforms.i18n.Locale.apply`` → ``_publish_msgstr``, Sphinx
9.0.4) parses every translated message on its own with the source parser, one little document
per message. With MyST (5.2.0) each of those parses pays fixed costs unrelated to the message:

1. ``DocutilsRenderer.setup_render`` runs ``options.get("document", make_document())``: the
   default argument is evaluated although Sphinx always passes the document, and
   ``make_document`` calls ``docutils.frontend.get_default_settings(RSTParser)``, which builds an
   optparse ``OptionParser`` holding every docutils setting, only to throw it away;
2. ``MystParser.parse`` calls ``create_md_parser`` for a new ``MarkdownIt`` with all its plugins
   and a new renderer, which inspects all its own methods;
3. Sphinx's first (title-mapping) phase parses *every* translated message but keeps the result
   only for section titles and glossary terms; the second phase parses the same message again;
4. nodes moved from a message's document into the page (the ``pending_xref`` of every translated
   ``{term}``, ``{ref}`` …) keep pointing at that document, whose settings hold the build
   environment, so every pickled translated doctree carries copies of it (45 in one chapter:
   247 KB instead of 168 KB, four times slower to load, and the HTML builder loads doctrees
   ~120 times per build for figure numbers and references).

Two more costs are Sphinx's own, per translated node (``_NodeUpdater``, same file):

5. ``update_title_mapping`` walks the *whole page* for every translated section title, looking
   for ``target`` nodes that refer to the title by name (only reStructuredText makes those);
   on the generated guide that was 222 walks, ~2 s of a 35 s profiled French build;
6. five ``update_*`` methods walk the original node and its translation for footnote, citation
   and cross references, even when both are plain text (most of a guide's paragraphs).

On the generated 20-chapter guide (6,544 messages, 13,029 parses) 1 and 2 were 41 s and 19 s of a
107 s profiled Spanish build, and the translated build took 4.7 times the source build (CPU
time); with this module, 1.45 times, with byte-identical HTML (docs/performance.md).

What it does
------------
1. ``setup_render`` is wrapped so that, while it runs with a ``document`` in its options,
   ``make_document`` returns ``None`` instead of the document ``dict.get`` would discard. Any
   other ``make_document`` call gets its parser class's default settings from a cache filled once
   per process (defaults: no configuration file nor command line is read), each document its own
   copy, so changing one document's settings changes nobody else's.
2. The ``create_md_parser`` that ``MystParser.parse`` calls returns one parser per renderer class
   and MyST configuration, compared *by value* with a snapshot taken when the parser was made.
   Before every reuse its options are reset to a fresh parser's (dropping the previous parse's
   ``document``) and the renderer's lazily loaded inventories are forgotten. A parse that starts
   while the cached parser is rendering (a directive parsing MyST from inside a render) gets a
   fresh parser, exactly as without the cache.
3. ``memo_publish_msgstr`` remembers, for the page being read, each parse by its exact input
   (message, page, line) and answers a repeated request with a deep copy of the first result;
   the memo is emptied when the page has been read.
4. ``adopt_translated_nodes`` points every node of a page at the page's document when the page
   has been read, before Sphinx pickles it; nothing else about the nodes changes.

5. Sphinx's i18n module gets a ``NodeMatcher`` whose search for ``target`` nodes by ``refname``
   over a whole document walks the page once and then looks only at the targets that had a
   ``refname`` then (their current names are still matched, so renames are seen). A translation
   can only bring in such a target through reStructuredText; if any parsed message holds one,
   the index is given up for the rest of the process and every search walks as before.
6. The five ``update_*`` reference methods return at once when the node and its translation
   hold nothing but text: each would have found no reference in either, and done nothing.

MyST and Sphinx look these functions up in their module namespaces at call time, so replacing
them there is enough. The replacements are installed on ``config-inited`` when
``guide_fast_i18n`` is true (the default) and removed when it is false, restoring the originals:
the benchmark's "stock" route and the byte-identical-HTML test use that switch. The parser cache
is emptied when a build finishes, so no document outlives its build through it.

The right places for these fixes are MyST-Parser and Sphinx: see
docs/upstream-myst-i18n-performance.md.
"""

from __future__ import annotations

import copy
import re
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Any

from docutils import nodes
from docutils.utils import new_document
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.nodes import NodeMatcher

_IMMUTABLE = (str, int, float, bool, bytes, type(None), frozenset)


@dataclass
class _CachedParser:
    snapshot: Any  # a deep copy of the MyST configuration the parser was made for
    md: Any  # the markdown_it.MarkdownIt instance
    options: dict[str, Any]  # its options as create_md_parser left them
    rendering: bool = False


_default_settings: dict[type, Any] = {}
_parsers: dict[type, _CachedParser] = {}
# How often each shortcut was taken in this process (read by the tests and the benchmark).
stats: Counter[str] = Counter()
_published: dict[tuple[str, str, int], tuple[Any, Any, nodes.Element]] = {}
_originals: dict[str, Any] = {}


def _fresh_settings_copy(frozen):
    """A copy of docutils settings that shares no mutable value (lists, DependencyList) with ``frozen``."""
    settings = copy.copy(frozen)
    for name, value in vars(frozen).items():
        if not isinstance(value, _IMMUTABLE):
            setattr(settings, name, copy.deepcopy(value))
    return settings


_document_given = False  # True while setup_render runs with options["document"] set


def setup_render_without_throwaway_document(self, options, env) -> None:
    """Wraps ``DocutilsRenderer.setup_render``: no default document when the caller gave one."""
    global _document_given
    _document_given = "document" in options
    try:
        _originals["setup_render"](self, options, env)
    finally:
        _document_given = False


def cached_make_document(source_path="notset", parser_cls=None):
    """Drop-in for ``myst_parser.mdit_to_docutils.base.make_document`` with cached default settings."""
    if _document_given:
        stats["throw-away document skipped"] += 1
        return None  # the default of options.get("document", make_document()): never used
    if parser_cls is None:
        from docutils.parsers.rst import Parser as parser_cls
    frozen = _default_settings.get(parser_cls)
    if frozen is None:
        from docutils.frontend import get_default_settings

        frozen = _default_settings[parser_cls] = get_default_settings(parser_cls)
    return new_document(source_path, settings=_fresh_settings_copy(frozen))


def cached_create_md_parser(config, renderer):
    """Drop-in for ``create_md_parser`` as used by ``MystParser.parse``: reuse one parser per config."""
    entry = _parsers.get(renderer)
    if entry is not None and not entry.rendering and entry.snapshot == config:
        entry.md.set({**entry.options, "myst_config": config})
        entry.md.renderer._inventories = None
        stats["parser reused"] += 1
        return entry.md
    md = _originals["create_md_parser"](config, renderer)
    if entry is not None and entry.rendering:
        return md  # a parse inside a parse: leave the busy parser alone
    entry = _CachedParser(copy.deepcopy(config), md, dict(md.options))
    _guard_rendering(entry)
    _parsers[renderer] = entry
    return md


def memo_publish_msgstr(source, source_path, source_line, *, config, env, registry, settings):
    """Drop-in for ``sphinx.transforms.i18n._publish_msgstr``: parse each message of a page once."""
    key = (source, source_path, source_line)
    remembered = _published.get(key)
    if remembered is not None and remembered[0] is env and remembered[1] is settings:
        stats["message parse reused"] += 1
        return remembered[2].deepcopy()
    publish = plain_paragraph if plain_parse_allowed(config) and is_plain(source) else _originals["_publish_msgstr"]
    stats["plain message" if publish is plain_paragraph else "message parsed"] += 1
    node = publish(source, source_path, source_line, config=config, env=env, registry=registry, settings=settings)
    if publish is not plain_paragraph and _holds_refname_target(node):
        _refname_index["usable"] = False
    if not isinstance(node, nodes.document):  # an empty message; rare, not worth remembering
        _published[key] = (env, settings, node.deepcopy())
    return node


# Plain messages ------------------------------------------------------------------------------------

# Characters that can start MyST or CommonMark inline syntax: emphasis, code, links, images,
# roles, substitutions, footnotes, raw HTML, autolinks, escapes, entities, math, strikethrough.
_INLINE_SYNTAX = re.compile(r"[*_`\[\]{}<>\\&$~^|\t\r\x00]")
# Line starts that open a block (list, quote, heading, fence, thematic break, table, comment,
# target, definition, colon fence, setext underline) or an indented code block.
_BLOCK_START = re.compile(r"(?:[-+*>#=%:(|]|\d{1,9}[.)]|\s)")
# MyST extensions under which a message without the characters above is still one plain
# paragraph; "linkify" (bare URLs), "replacements" and "smartquotes" (typography) change its text.
_PLAIN_SAFE_EXTENSIONS = frozenset(
    {
        "amsmath",
        "attrs_block",
        "attrs_inline",
        "colon_fence",
        "deflist",
        "dollarmath",
        "fieldlist",
        "html_admonition",
        "html_image",
        "strikethrough",
        "substitution",
        "tasklist",
    }
)


def is_plain(source: str) -> bool:
    """Whether MyST would parse ``source`` into one paragraph of plain text, one Text per line."""
    if not source or _INLINE_SYNTAX.search(source):
        return False
    return all(line and not line[-1].isspace() and not _BLOCK_START.match(line) for line in source.split("\n"))


def plain_parse_allowed(config) -> bool:
    """The fast path is for the guide's MyST set-up and any that adds no text-changing extension."""
    return set(getattr(config, "myst_enable_extensions", ()) or ()) <= _PLAIN_SAFE_EXTENSIONS


def plain_paragraph(source, source_path, source_line, *, config, env, registry, settings) -> nodes.paragraph:
    """What ``_publish_msgstr`` returns for a plain message, built without parsing it.

    The same nodes MyST makes: a paragraph (raw source, line 1 and source as MyST sets them) in
    its own little document, one Text per line with a "\\n" Text between lines.
    """
    document = new_document(f"{source_path}:{source_line}:<translated>", settings)
    paragraph = nodes.paragraph(source)
    paragraph.line = 1
    paragraph.source = document["source"]
    for index, line in enumerate(source.split("\n")):
        if index:
            paragraph += nodes.Text("\n")
        paragraph += nodes.Text(line)
    document += paragraph
    return paragraph


# Sphinx's title mapping, indexed ------------------------------------------------------------

# The targets with a refname of each page, found by one walk (see 5. in the module docstring).
_refname_targets: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_refname_index = {"usable": True}


def _holds_refname_target(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Element) and any("refname" in target for target in node.findall(nodes.target))


class IndexedNodeMatcher(NodeMatcher):
    """Sphinx's ``NodeMatcher``; a whole-page search for targets by refname uses the page's index."""

    def findall(self, node: nodes.Node):
        if (
            _refname_index["usable"]
            and isinstance(node, nodes.document)
            and self.classes == (nodes.target,)
            and set(self.attrs) == {"refname"}
        ):
            targets = _refname_targets.get(node)
            if targets is None:
                targets = _refname_targets[node] = [
                    target for target in node.findall(nodes.target) if "refname" in target
                ]
                stats["page walked for title targets"] += 1
            else:
                stats["title target walk skipped"] += 1
            return (target for target in targets if self.match(target))
        return super().findall(node)


# Sphinx's reference updates, skipped for text ---------------------------------------------------

_REFERENCE_UPDATES = (
    "update_autofootnote_references",
    "update_refnamed_references",
    "update_refnamed_footnote_references",
    "update_citation_references",
    "update_pending_xrefs",
)


def _only_text(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Element) and all(isinstance(child, nodes.Text) for child in node.children)


def _skipping_for_text(method):
    def update(self) -> None:
        if _only_text(self.node) and _only_text(self.patch):
            stats["reference update skipped"] += 1
            return None
        return method(self)

    update.__wrapped__ = method
    return update


def _guard_rendering(entry: _CachedParser) -> None:
    render = entry.md.renderer.render

    def render_marking_busy(tokens, options, env):
        entry.rendering = True
        try:
            return render(tokens, options, env)
        finally:
            entry.rendering = False

    entry.md.renderer.render = render_marking_busy


def install() -> None:
    """Replace MyST's functions by the caching ones (idempotent)."""
    from myst_parser.mdit_to_docutils import base
    from myst_parser.parsers import sphinx_
    from sphinx.transforms import i18n

    if _originals:
        return
    _originals["_publish_msgstr"] = i18n._publish_msgstr
    i18n._publish_msgstr = memo_publish_msgstr
    _originals["make_document"] = base.make_document
    _originals["create_md_parser"] = sphinx_.create_md_parser
    _originals["setup_render"] = base.DocutilsRenderer.setup_render
    base.make_document = cached_make_document
    sphinx_.create_md_parser = cached_create_md_parser
    base.DocutilsRenderer.setup_render = setup_render_without_throwaway_document
    _originals["NodeMatcher"] = i18n.NodeMatcher
    i18n.NodeMatcher = IndexedNodeMatcher
    for name in _REFERENCE_UPDATES:
        method = getattr(i18n._NodeUpdater, name)
        _originals[name] = method
        setattr(i18n._NodeUpdater, name, _skipping_for_text(method))


def uninstall() -> None:
    """Put MyST's own functions back and empty the caches (idempotent)."""
    from myst_parser.mdit_to_docutils import base
    from myst_parser.parsers import sphinx_
    from sphinx.transforms import i18n

    if _originals:
        i18n._publish_msgstr = _originals.pop("_publish_msgstr")
        base.make_document = _originals.pop("make_document")
        sphinx_.create_md_parser = _originals.pop("create_md_parser")
        base.DocutilsRenderer.setup_render = _originals.pop("setup_render")
        i18n.NodeMatcher = _originals.pop("NodeMatcher")
        for name in _REFERENCE_UPDATES:
            setattr(i18n._NodeUpdater, name, _originals.pop(name))
    clear()
    _default_settings.clear()


def clear(*_args) -> None:
    """Forget the cached parsers: they hold the last parsed document and this build's configuration.

    The cached default settings stay: they are the same for every build in the process.
    """
    _parsers.clear()
    _published.clear()
    _refname_targets.clear()
    _refname_index["usable"] = True


def adopt_translated_nodes(app: Sphinx, doctree) -> None:
    """Point every node of a page at the page's document (see the module docstring)."""
    _published.clear()
    if not app.config.guide_fast_i18n:
        return
    for node in doctree.findall():
        if node.document is not doctree:
            node.document = doctree


def installed() -> bool:
    return bool(_originals)


def on_config_inited(app: Sphinx, config: Config) -> None:
    if config.guide_fast_i18n:
        install()
    else:
        uninstall()


def setup(app: Sphinx) -> None:
    """Called from the package's ``setup()``."""
    app.add_config_value("guide_fast_i18n", True, "", types=(bool,))
    app.connect("config-inited", on_config_inited)
    app.connect("build-finished", clear)
    # Late, after other doctree-read handlers, just before Sphinx pickles the page.
    app.connect("doctree-read", adopt_translated_nodes, priority=900)
