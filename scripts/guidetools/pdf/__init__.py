"""The print editions: one PDF for the whole guide and one per chapter, in every language.

The pipeline, one process per language:

1. ``builder.PrintBuilder`` (Sphinx builder ``guideprint``) assembles the translated doctree of the
   whole guide, adapts it for paper (``doctree``: footnotes at the page bottom, URLs of links
   printed, cross-references with page numbers, unique ids) and renders ``_templates/print/``
   into one print HTML for the guide and one per chapter — plain blocks, no web theme;
2. ``render`` lays them out with WeasyPrint, in-process, with the fonts bundled in
   ``_templates/print/fonts/`` only (``fonts``) and a fetcher that reads nothing outside the build
   tree (``fetcher``), then publishes the PDFs atomically under ``_build/pdf/``.
"""

from __future__ import annotations

SLUG = "drug-policy-guide"
