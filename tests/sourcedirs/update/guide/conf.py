project = "Tiny Guide"
language = "en"
extensions = ["myst_parser", "guidetools.sphinxext"]
templates_path = ["../_templates"]
locale_dirs = ["../locales/"]
gettext_compact = False
gettext_location = False
translation_progress_classes = True
myst_enable_extensions = ["colon_fence"]
myst_disable_syntax = ["html_inline", "html_block"]
html_theme = "furo"
html_sidebars = {
    "**": ["sidebar/brand.html", "sidebar/languages.html", "sidebar/search.html", "sidebar/navigation.html"]
}
