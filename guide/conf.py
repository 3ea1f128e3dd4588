"""Sphinx configuration for the Drug Policy Guide (every language, every edition).

The language is chosen per build (``guide build --lang es`` passes ``-D language=es``); everything
that depends on it (text direction, switcher, banners, search) comes from locales/languages.toml
through the ``guidetools.sphinxext`` extension.
"""

project = "Drug Policy Guide"
author = "The Guide's contributing organisations"
copyright = "2026, the Guide's contributing organisations (CC BY 4.0)"
language = "en"

extensions = [
    "myst_parser",
    "guidetools.sphinxext",
]

# Sources -------------------------------------------------------------------------------------
root_doc = "index"
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "README.md"]
templates_path = ["../_templates"]
numfig = True  # "Figure 3" in captions and {numref} cross-references

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# Raw HTML in a source or a translation is shown as text, never passed to the page:
# a msgstr from a volunteer must not be able to inject markup or scripts.
myst_disable_syntax = ["html_inline", "html_block"]
# Only these schemes become links; "javascript:" and "data:" stay inert text.
myst_url_schemes = ["http", "https", "mailto"]

# Translation ---------------------------------------------------------------------------------
locale_dirs = ["../locales/"]
gettext_compact = False  # one catalogue per chapter: translators pick up a chapter at a time
gettext_location = False  # no "#:" lines: inserting a paragraph must not shift every entry
gettext_uuid = False
gettext_last_translator = "The Guide's translators"
gettext_language_team = "The Guide's translators"
translation_progress_classes = True  # marks untranslated (fallback) paragraphs for readers
figure_language_filename = "{root}.{language}{ext}"

# HTML edition --------------------------------------------------------------------------------
html_theme = "furo"
html_title = "Drug Policy Guide"
html_static_path = ["_static"]
html_css_files = ["guide.css"]
# guide.js: the switcher keeps the reader's #section; empty Sphinx interface translations fall back.
html_js_files = [("guide.js", {"defer": "defer"})]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_sidebars = {
    "**": [
        "sidebar/brand.html",
        "sidebar/languages.html",
        "sidebar/search.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "sidebar/downloads.html",
        "sidebar/scroll-end.html",
    ]
}
