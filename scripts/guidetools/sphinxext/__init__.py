"""The guide's Sphinx extension: everything the toolchain wires into Sphinx, in one place.

* text direction (``<html dir>``) and the language switcher, from locales/languages.toml;
* per-page translation completion, for the "partly translated" banner;
* interface strings (``ui()``) for the templates, translated in ``ui.po``;
* download links for the print editions;
* the print edition's builder (``guideprint``, see ``guidetools.pdf``);
* translation safety (``translation_guard``: msgstr markup neutralised, unused msgstr reported);
* fast translated builds (``fast_i18n``: caches MyST's per-message set-up).
* the translation dashboard (``dashboard``: ``status/index.html``, SVG badges);
* ``lang`` on passages that fall back to the source language (``fallback_language``);
* ARIA fixes to Sphinx's HTML writer (``accessibility``);
* ``{numref}`` without one unpickle per reference (``numref_doctrees``).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from guidetools.pdf import builder as print_builder
from guidetools.sphinxext import (
    accessibility,
    catalog_writes,
    dashboard,
    fallback_language,
    fast_i18n,
    html_context,
    numref_doctrees,
    progress,
    translation_guard,
)


def setup(app: Sphinx) -> dict:
    app.add_config_value("guide_registry", "", "env", types=(str,))
    app.add_config_value("guide_version", "", "html", types=(str,))
    app.add_config_value("guide_commit", "", "html", types=(str,))
    app.add_config_value("guide_downloads_dir", "", "html", types=(str,))

    app.add_transform(progress.CountOnlyReadersText)  # only text readers see counts
    app.connect("config-inited", html_context.load_registry)
    app.connect("builder-inited", html_context.add_direction_to_templates)
    app.connect("doctree-read", html_context.record_translation_progress)
    app.connect("env-purge-doc", html_context.purge_translation_progress)
    app.connect("env-merge-info", html_context.merge_translation_progress)
    app.connect("html-page-context", html_context.add_page_context)
    fast_i18n.setup(app)  # translated builds without MyST's per-message set-up cost
    translation_guard.setup(app)  # no markup, foreign link or lost text from a msgstr reaches readers
    print_builder.setup(app)  # the print edition (PDF), builder "guideprint"
    dashboard.setup(app)  # status/index.html and a badge per language in every HTML edition
    fallback_language.setup(app)  # untranslated passages carry lang="en" (screen readers, hyphenation)
    accessibility.setup(app)  # HTML translator: aria-level on table of contents captions
    numref_doctrees.setup(app)  # each page unpickled once per build for {numref}, not once per reference
    catalog_writes.setup(app)  # a .mo is replaced only when its bytes change: the other builder's pages stay read

    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}


def project_root(app: Sphinx) -> Path:
    """The repository root: the parent of the folder holding conf.py."""
    return Path(app.confdir).resolve().parent
