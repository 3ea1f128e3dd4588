"""How much of an edition is translated, in words of the source text (for the colophon).

Sphinx itself decides, message by message, whether a passage is printed translated or falls back
to the source (and then marks it ``untranslated``); it counts that per document in *nodes*, so a
heading weighs as much as a long paragraph. Two transforms turn that into *words*:

* ``RecordSourceWords`` runs just before Sphinx's ``Locale`` transform and notes on each
  translatable node the number of words of its source message;
* ``TotalTranslatedWords`` runs after ``Locale`` (and after the guide's own corrections of the
  ``translated`` flags) and sums those words into ``document["guide_word_progress"]``.

The figure therefore matches exactly what the reader sees marked in the edition, whatever state
the catalogues are in (an entry missing from an old catalogue is simply untranslated).
Words are counted as ``guidetools.catalog.count_words`` counts them for release thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util.nodes import extract_messages

from guidetools.catalog import count_words

SOURCE_WORDS = "guide_source_words"
WORD_PROGRESS = "guide_word_progress"


@dataclass(frozen=True)
class Completion:
    translated_words: int
    total_words: int

    @property
    def percent(self) -> float:
        return 100.0 * self.translated_words / self.total_words if self.total_words else 100.0

    def __add__(self, other: Completion) -> Completion:
        return Completion(self.translated_words + other.translated_words, self.total_words + other.total_words)


class RecordSourceWords(SphinxTransform):
    default_priority = 19  # Locale is 20: the nodes still hold the source text

    def apply(self, **kwargs) -> None:
        if not self.config.language or not self.config.locale_dirs:
            return
        front_matter = set()
        for child in self.document.children:
            if isinstance(child, nodes.section):
                break
            if isinstance(child, (nodes.field_list, nodes.docinfo)):  # metadata for authors, never printed
                front_matter.update(id(node) for node in child.findall(nodes.Element))
        for node, message in extract_messages(self.document):
            # An image's messages are its URI and alt text, which Sphinx never flags as translated.
            if isinstance(node, nodes.image) or id(node) in front_matter:
                continue
            node[SOURCE_WORDS] = node.get(SOURCE_WORDS, 0) + count_words(message)


class TotalTranslatedWords(SphinxTransform):
    """Sum the source words of the document, and of its passages Sphinx printed translated.

    A document without a catalogue has no ``translated`` flag at all: all its words are untranslated.
    """

    default_priority = 26  # after Locale (20), the guide's flag corrections (22) and Sphinx's totaliser (25)

    def apply(self, **kwargs) -> None:
        translated = total = 0
        for node in self.document.findall(nodes.Element):
            words = node.get(SOURCE_WORDS, 0)
            total += words
            if node.get("translated"):
                translated += words
        self.document[WORD_PROGRESS] = (translated, total)


def document_completion(doctree: nodes.document) -> Completion | None:
    """The completion recorded on a read document; None when nothing was translatable."""
    translated, total = doctree.get(WORD_PROGRESS, (0, 0))
    return Completion(translated, total) if total else None
