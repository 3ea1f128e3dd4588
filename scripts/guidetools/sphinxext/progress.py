"""Count translation progress on passages readers see, not on file names or front matter.

Sphinx extracts two messages from an image: its alt text, and its URI (``.. image:: path``), the
latter only meaningful when ``gettext_additional_targets`` contains ``"image"``. Without that
setting the URI is never in a catalogue, so Sphinx marks every image of a fully translated page
"untranslated": the page then shows the "partly translated" banner and a fallback marker on a
figure whose caption and alt text are translated. This transform runs between Sphinx's ``Locale``
(priority 20) and ``TranslationProgressTotaliser`` (25) and takes images out of the count in that
case; their alt text and captions are counted through the figure's caption and the alt message.

Likewise the chapter front matter (``status``, ``last_reviewed``, ``owners``) becomes a docinfo
field list that Sphinx counts but removes from the page (it is metadata for authors, never
extracted for translators), so it would keep every chapter below 100 %.

Finally, Sphinx 9 never sets ``translated = True`` on a toctree whose caption it did translate
(``apply_translated_message`` is called, the flag is not), so the root page of a complete
translation would always read as partial; the flag is set here from the caption itself.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform


class CountOnlyReadersText(SphinxTransform):
    default_priority = 22

    def apply(self, **kwargs) -> None:
        # At this point the front matter is still the field list that opens the document;
        # docutils turns it into docinfo later (priority 340).
        for child in self.document.children:
            if isinstance(child, nodes.section):
                break
            if isinstance(child, (nodes.field_list, nodes.docinfo)):
                for node in child.findall(nodes.Element):
                    node.attributes.pop("translated", None)
        for toctree in self.document.findall(addnodes.toctree):
            if "translated" in toctree and "rawcaption" in toctree:
                toctree["translated"] = toctree.get("caption") != toctree["rawcaption"]
        if "image" in self.config.gettext_additional_targets:
            return
        for image in self.document.findall(nodes.image):
            image.attributes.pop("translated", None)
