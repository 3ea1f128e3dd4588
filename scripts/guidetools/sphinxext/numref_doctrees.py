"""Figure numbers and ``{numref}`` without unpickling pages Sphinx already holds or already read.

Sphinx reads whole pages back from their pickles for two jobs that only look at a few nodes:

* the standard domain resolves each ``{numref}`` by loading the whole doctree of the page that
  holds the target (``BuildEnvironment.get_doctree``: an unpickle every time) only to read the
  target node's type and caption. Profiled on the generated 20-chapter guide (100 numrefs): 100
  unpickles of ~45 ms, 4.7 s of the 17.8 s print build, and the same in every HTML build;
* ``TocTreeCollector.assign_figure_numbers`` walks every page after reading, to number figures
  and tables, unpickling each one: 22 unpickles, 1.4 s of a 22 s profiled source-language build,
  and after one chapter was edited 1.65 s of a 7.2 s profiled incremental build.

For the first, ``get_doctree`` is lent a version that returns the page Sphinx holds in memory for
writing (unchanged since it was pickled), or one unpickled earlier in this build, and unpickles
only the others; the doctrees it kept are dropped when the build finishes. The print builder
reads pages through it too, to assemble the whole guide (it copies what it inlines). For the
second, each page's *outline* (its sections, toctrees and numbered nodes) is kept in the
environment, so figures are numbered from the outlines and only the pages read in this build are
walked. ``-D guide_doctree_memo=0`` switches both off (the benchmark's stock route does).
Upstream, the domain could look the node up in the doctree being resolved, or Sphinx could record
each label's node type when reading, and the collector could keep what it walks.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from contextlib import contextmanager

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.util import url_re

# One memo per environment (a new Sphinx application, e.g. the next build of a live preview or a
# test, has a new environment and starts empty).
_LOADED: weakref.WeakKeyDictionary[BuildEnvironment, dict[str, nodes.document]] = weakref.WeakKeyDictionary()
_stock_assign_figure_numbers: Callable | None = None


@contextmanager
def reading_each_page_once(env: BuildEnvironment, *, held: bool = True):
    """While inside, ``env.get_doctree`` returns pages for reading only, each unpickled at most once.

    ``held=False``: never the pages Sphinx holds for writing, which it stripped of their reporter
    when it pickled them; only pages as ``get_doctree`` returns them (the print builder copies and
    resolves them).
    """
    if "get_doctree" in vars(env):  # already inside (the print builder's assembly resolves numrefs)
        yield
        return
    loaded = _LOADED.setdefault(env, {})
    read_from_pickle = env.get_doctree

    def get_doctree(docname: str) -> nodes.document:
        in_memory = env._write_doc_doctree_cache.get(docname) if held else None
        if in_memory is not None:
            return in_memory
        if docname not in loaded:
            loaded[docname] = read_from_pickle(docname)
        return loaded[docname]

    # An instance attribute shadows the method for this call only; it is removed before the
    # environment is pickled.
    env.get_doctree = get_doctree
    try:
        yield
    finally:
        del env.get_doctree


class StandardDomainReadingEachPageOnce(StandardDomain):
    def _resolve_numref_xref(self, env: BuildEnvironment, *args, **kwargs):
        if not env.config.guide_doctree_memo:  # off for the benchmark's stock route
            return super()._resolve_numref_xref(env, *args, **kwargs)
        with reading_each_page_once(env):
            return super()._resolve_numref_xref(env, *args, **kwargs)


# Figure numbering -----------------------------------------------------------------------------
#
# A page's outline: the nodes of its doctree that figure numbering looks at, in document order and
# nested as its sections are, as tuples:
#   ("section", first id, outline of the section's content)
#   ("toctree", the documents it lists)
#   ("enumerable", figure type, first id)  -- a figure, table, captioned code block, equation …
# It depends on the page alone (section numbers and counters are applied when it is replayed), so
# it is kept in the environment with the page and dropped when the page is read again.

_OUTLINES = "guide_figure_outlines"  # the environment's attribute: {docname: outline}


def figure_type(env: BuildEnvironment, node: nodes.Element) -> str | None:
    """The type a domain numbers ``node`` as (Sphinx's rule: the standard domain needs a caption)."""
    for domain in env.domains.sorted():
        figtype = domain.get_enumerable_node_type(node)
        if isinstance(domain, StandardDomain) and not domain.get_numfig_title(node):
            continue
        if figtype:
            return figtype
    return None


def figure_outline(env: BuildEnvironment, element: nodes.Element) -> tuple:
    """The outline of ``element``'s children (see above), walked as Sphinx's collector walks them."""
    outline = []
    for child in element.children:
        if isinstance(child, nodes.section):
            outline.append(("section", child["ids"][0], figure_outline(env, child)))
        elif isinstance(child, addnodes.toctree):
            outline.append(("toctree", tuple(docname for _title, docname in child["entries"])))
        elif isinstance(child, nodes.Element):
            figtype = figure_type(env, child)
            if figtype and child["ids"]:
                outline.append(("enumerable", figtype, child["ids"][0]))
            outline.extend(figure_outline(env, child))
    return tuple(outline)


def assign_figure_numbers_from_outlines(self: TocTreeCollector, env: BuildEnvironment) -> list[str]:
    """``TocTreeCollector.assign_figure_numbers`` from the pages' outlines, not their doctrees.

    Sphinx numbers figures after every build's reading by walking every page of the guide,
    unpickling each one that was not read in this build: after one chapter of the generated
    guide was edited, 21 of its 22 pages, about 0.9 s of CPU per language and builder (an HTML
    build of five languages after the edit: 14.1 to 15.3 s of CPU before, 9.4 to 11.1 s after).
    Only the pages read in this build (or missing an outline) are walked here; the numbering rules are
    Sphinx's: per figure type, per section number cut to ``numfig_secnum_depth``, documents in
    the order of the toctrees, each once. It returns the pages whose numbers changed, as Sphinx's does.
    """
    if not env.config.guide_doctree_memo:
        return _stock_assign_figure_numbers(self, env)
    outlines: dict[str, tuple] = env.__dict__.setdefault(_OUTLINES, {})
    skipped = frozenset(env.domains.standard_domain._virtual_doc_names)  # genindex, search …
    depth = env.config.numfig_secnum_depth
    previous, env.toc_fignumbers = env.toc_fignumbers, {}
    counters: dict[str, dict[tuple[int, ...], int]] = {}
    walked: set[str] = set()

    def outline_of(docname: str) -> tuple:
        if docname not in outlines:
            with reading_each_page_once(env):
                outlines[docname] = figure_outline(env, env.get_doctree(docname))
        return outlines[docname]

    def number(docname: str, outline: tuple, secnum: tuple[int, ...]) -> None:
        secnumbers = env.toc_secnumbers.get(docname, {})
        for entry in outline:
            if entry[0] == "section":
                _kind, anchor, content = entry
                own = secnumbers.get(f"#{anchor}") if f"#{anchor}" in secnumbers else secnumbers.get("")
                number(docname, content, own or secnum)
            elif entry[0] == "toctree":
                for subdoc in entry[1]:
                    if not (url_re.match(subdoc) or subdoc == "self" or subdoc in skipped):
                        walk(subdoc, secnum)
            else:
                _kind, figtype, figure_id = entry
                key = secnum[:depth]
                counter = counters.setdefault(figtype, {})
                counter[key] = counter.get(key, 0) + 1
                numbers = env.toc_fignumbers.setdefault(docname, {}).setdefault(figtype, {})
                numbers[figure_id] = (*key, counter[key])

    def walk(docname: str, secnum: tuple[int, ...]) -> None:
        if docname not in walked:
            walked.add(docname)
            number(docname, outline_of(docname), secnum)

    if not env.config.numfig:
        return []
    walk(env.config.root_doc, ())
    return [docname for docname, numbers in env.toc_fignumbers.items() if numbers != previous.get(docname)]


def _forget_outline(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    env.__dict__.get(_OUTLINES, {}).pop(docname, None)


def _forget(app: Sphinx, exception: BaseException | None) -> None:
    _LOADED.pop(app.env, None)


def setup(app: Sphinx) -> None:
    global _stock_assign_figure_numbers
    app.add_config_value("guide_doctree_memo", True, "", types=(bool,))
    app.add_domain(StandardDomainReadingEachPageOnce, override=True)
    if _stock_assign_figure_numbers is None:
        # Sphinx registers its collector instance itself; the method is looked up on the class, and
        # the replacement defers to Sphinx's own when the switch is off, for any build in the process.
        _stock_assign_figure_numbers = TocTreeCollector.assign_figure_numbers
        TocTreeCollector.assign_figure_numbers = assign_figure_numbers_from_outlines
    app.connect("env-purge-doc", _forget_outline)  # a page read again is outlined again
    app.connect("build-finished", _forget)
