"""Passages shown in the source language on a translated page say so: ``lang="en"``.

When a message has no translation yet, Sphinx keeps the English text and marks the node
``translated=False`` (which ``translation_progress_classes`` turns into the ``untranslated`` class).
Screen readers still read that English with the page's voice (an Arabic voice reading English), and
browsers hyphenate and shape it as the page's language. Docutils' HTML writers turn a class
``language-<code>`` into a ``lang`` attribute, so tagging those nodes is enough; the print edition's
HTML gets the same attribute, and with it English hyphenation.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx


def mark_fallback_passages(app: Sphinx, doctree: nodes.document) -> None:
    source = app.guide_registry.source
    if app.guide_language.code == source:
        return
    for node in doctree.findall(nodes.Element):
        if node.get("translated") is False:
            node["classes"].append(f"language-{source}")


def setup(app: Sphinx) -> None:
    """Called from the package's ``setup()``."""
    # doctree-read comes after every transform, Sphinx's i18n ones included.
    app.connect("doctree-read", mark_fallback_passages)
