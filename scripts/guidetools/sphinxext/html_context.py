"""Language-aware page context for the HTML edition (switcher, direction, banner, downloads)."""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from jinja2.ext import Extension
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.errors import ConfigError

from guidetools import GuideError
from guidetools.languages import REGISTRY_NAME
from guidetools.languages import load_registry as read_registry
from guidetools.ui import make_ui, ui_translations

_HTML_TAG_WITHOUT_DIR = re.compile(r"<html\b(?![^>]*\bdir=)")


def load_registry(app: Sphinx, config: Config) -> None:
    root = Path(app.confdir).resolve().parent
    path = Path(config.guide_registry) if config.guide_registry else root / "locales" / REGISTRY_NAME
    try:
        registry = read_registry(path)
        language = registry.get(config.language or registry.source)
    except GuideError as exc:
        raise ConfigError(str(exc)) from None
    app.guide_registry = registry
    app.guide_language = language
    app.guide_ui = make_ui(ui_translations(root / "locales", language.code))


class _HtmlDirection(Extension):
    """Adds ``dir="…"`` to the theme's ``<html>`` tag, which furo's base.html does not offer as a block.

    Rewriting the template source at load time keeps the theme itself untouched (no forked copy of
    base.html to maintain) and works for every page, including search and genindex.
    """

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _HTML_TAG_WITHOUT_DIR.sub('<html dir="{{ guide_text_direction }}"', source, count=1)


def add_direction_to_templates(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is not None:
        environment.add_extension(_HtmlDirection)


def _progress_store(env: BuildEnvironment) -> dict[str, tuple[int, int]]:
    if not hasattr(env, "guide_translation_progress"):
        env.guide_translation_progress = {}
    return env.guide_translation_progress


def record_translation_progress(app: Sphinx, doctree: nodes.document) -> None:
    progress = doctree.get("translation_progress") or {}
    _progress_store(app.env)[app.env.docname] = (progress.get("translated", 0), progress.get("total", 0))


def purge_translation_progress(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _progress_store(env).pop(docname, None)


def merge_translation_progress(app: Sphinx, env: BuildEnvironment, docnames, other: BuildEnvironment) -> None:
    theirs = _progress_store(other)
    _progress_store(env).update({name: theirs[name] for name in docnames if name in theirs})


def page_completion(app: Sphinx, pagename: str) -> float | None:
    """Percent of this page's translatable blocks that are translated; None for the source language."""
    if app.guide_language.code == app.guide_registry.source:
        return None
    translated, total = _progress_store(app.env).get(pagename, (0, 0))
    if not total:
        return None
    return 100.0 * translated / total


def language_links(app: Sphinx, pagename: str) -> list[dict]:
    """The same page in every language; sites are siblings: _build/html/<lang>/<page>.html."""
    up = "../" * (pagename.count("/") + 1)
    suffix = app.builder.out_suffix if hasattr(app.builder, "out_suffix") else ".html"
    return [
        {
            "code": lang.code,
            "name": lang.name,
            "native_name": lang.native_name,
            "direction": lang.direction,
            "url": f"{up}{lang.code}/{pagename}{suffix}",
            "current": lang.code == app.guide_language.code,
        }
        for lang in app.guide_registry.languages
    ]


def add_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    language = app.guide_language
    completion = page_completion(app, pagename)
    context.update(
        guide_text_direction=language.direction,
        guide_language=language,
        guide_languages=language_links(app, pagename),
        guide_completion=None if completion is None else round(completion),
        guide_partial=completion is not None and completion < 100.0,
        guide_version=app.config.guide_version or app.config.release or "",
        guide_downloads=downloads_for(app, pagename),
        ui=app.guide_ui,
    )


def downloads_for(app: Sphinx, pagename: str) -> list[dict]:
    """Links to the print editions of this language, when they have been built.

    Filled in by the PDF edition (``guidetools.pdf.render.publish_pdfs``): it places the PDFs under
    ``<outdir>/_downloads/pdf/`` before the HTML build, which copies them into the published site.
    """
    from guidetools.pdf.builder import chapter_slug

    folder = Path(app.outdir) / "_downloads" / "pdf"
    if not folder.is_dir():
        return []
    up = "../" * pagename.count("/")
    links = []
    whole = sorted(folder.glob("*.pdf"))
    for path in whole:
        links.append({"kind": "guide", "href": f"{up}_downloads/pdf/{path.name}", "name": path.name})
    chapter = folder / "chapters" / f"{chapter_slug(pagename)}.pdf"
    if chapter.is_file():
        links.append({"kind": "chapter", "href": f"{up}_downloads/pdf/chapters/{chapter.name}", "name": chapter.name})
    return links
