project = "Tiny Print Guide"
author = "The Tiny Guide's authors"
language = "en"
extensions = ["myst_parser", "guidetools.sphinxext"]
templates_path = ["../_templates"]
locale_dirs = ["../locales/"]
gettext_compact = False
gettext_location = False
translation_progress_classes = True
numfig = True
myst_enable_extensions = ["colon_fence"]
myst_disable_syntax = ["html_inline", "html_block"]
myst_url_schemes = ["http", "https", "mailto"]
html_theme = "furo"
html_sidebars = {
    "**": ["sidebar/brand.html", "sidebar/languages.html", "sidebar/navigation.html", "sidebar/downloads.html"]
}
