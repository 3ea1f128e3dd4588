"""Figure numbers and ``{numref}`` without unpickling pages Sphinx already holds or already read.

Sphinx reads whole pages back from their pickles for two jobs that only look at a few nodes:

* the standard domain resolves each ``{numref}`` by loading the whole doctree of the page that
  holds the target (``BuildEnvironment.get_doctree``: an unpickle every time) only to read the
  target node's type and caption. Profiled on the generated 20-chapter guide (100 numrefs): 100
  unpickles of ~45 ms, 4.7 s of the 17.8 s print build, and the same in every HTML build;
* ``TocTreeCollector.assign_figure_numbers`` walks every page after reading, to number figures
  and tables, unpickling each one, although the pages read in this build are still in memory
  (``env._write_doc_doctree_cache``, kept by Sphinx until they are written): 22 unpickles, 1.4 s
  of a 22 s profiled source-language build, and most of the fixed cost of an incremental one.

Both only *read* the pages. During either job, ``get_doctree`` is lent a version that returns the
page Sphinx holds in memory for writing (unchanged since it was pickled), or one unpickled earlier
in this build, and unpickles only the others; the doctrees it kept are dropped when the build
finishes. The print builder reads pages through it too, to assemble the whole guide (it copies
what it inlines). ``-D guide_doctree_memo=0`` switches it off (the benchmark's stock route does).
Upstream, the domain could look the node up in the doctree being resolved, or Sphinx could record
each label's node type when reading, and the collector could use the in-memory pages.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from contextlib import contextmanager

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector

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


def assign_figure_numbers_from_held_pages(self: TocTreeCollector, env: BuildEnvironment) -> list[str]:
    """``TocTreeCollector.assign_figure_numbers``, reading pages through ``reading_each_page_once``."""
    if not env.config.guide_doctree_memo:
        return _stock_assign_figure_numbers(self, env)
    with reading_each_page_once(env):
        return _stock_assign_figure_numbers(self, env)


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
        TocTreeCollector.assign_figure_numbers = assign_figure_numbers_from_held_pages
    app.connect("build-finished", _forget)
