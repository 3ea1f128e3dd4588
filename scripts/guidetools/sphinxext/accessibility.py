"""HTML the way assistive technology needs it, where Sphinx's writer falls short.

Sphinx (9.0) writes a table of contents caption as ``<p class="caption" role="heading">`` with no
``aria-level``; ARIA requires the level on every ``role="heading"`` (axe-core reports it as a critical
violation, and screen readers announce the caption as a heading of unknown level). The captions are
written by the translator whenever a toctree is rendered (the sidebar on every page, the contents
list of the index), so the translator is the one place to add it. Level 2: the page's own title is
the only level-1 heading.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator

TOCTREE_CAPTION_LEVEL = "2"


class GuideHTMLTranslator(HTML5Translator):
    def visit_title(self, node: nodes.title) -> None:
        start = len(self.body)
        super().visit_title(node)
        if isinstance(node.parent, addnodes.compact_paragraph) and node.parent.get("toctree"):
            tag = self.body[start]
            if 'role="heading"' in tag and "aria-level" not in tag:
                self.body[start] = tag.replace(
                    'role="heading"', f'role="heading" aria-level="{TOCTREE_CAPTION_LEVEL}"', 1
                )


def setup(app: Sphinx) -> None:
    """Called from the package's ``setup()``."""
    app.set_translator("html", GuideHTMLTranslator, override=True)
