"""The translation dashboard: ``status/index.html`` and an SVG badge per language, in every site.

Each language's HTML edition gets a page (``<lang>/status/``) showing every translation's
progress — a bar per language and per chapter (translated, fuzzy, left), the release threshold,
the day each catalogue last changed and a link to it — and ``_static/badges/<lang>.svg``, a
badge coordinators can put in a README. The page is not a document: it is added with Sphinx's
``html-collect-pages`` event, so it adds nothing to translate except its interface strings
(``ui.po``) and does not count in any chapter's completion.

The numbers come from the catalogues in ``locales/`` (:mod:`guidetools.status`); the catalogues of
the language being built are copied into ``status/catalogs/`` so the links work in the
published site, unless ``guide_catalog_url`` points to them elsewhere (a repository or a
translation platform): ``https://example.org/{lang}/{catalog}.po``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from html import escape
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from guidetools import GuideError
from guidetools.project import Project, write_text_atomic
from guidetools.status import LanguageStatus, StatusReport, compute_status

logger = logging.getLogger(__name__)

PAGE = "status/index"
TEMPLATE = "guide-status.html"
HTML_BUILDERS = ("html", "dirhtml")


def _project(app: Sphinx) -> Project:
    return Project(Path(app.confdir).resolve().parent)


def _status(app: Sphinx) -> StatusReport | None:
    if not hasattr(app, "guide_status"):
        try:
            app.guide_status = compute_status(_project(app), with_dates=True)
        except GuideError as exc:
            logger.warning("translation dashboard: %s", exc, type="guide", subtype="dashboard")
            app.guide_status = None
    return app.guide_status


def colour(percent: float, threshold: float) -> str:
    """Green when releasable, amber past half the threshold, red below."""
    if percent >= threshold:
        return "#15803d"
    if percent >= threshold / 2:
        return "#b45309"
    return "#b91c1c"


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _bar(counts, threshold: float | None) -> dict:
    return {
        "percent": counts.percent,
        "translated": counts.percent,  # rounded down like the percentage shown next to it
        "fuzzy": _share(counts.words_fuzzy, counts.words_total),
        "words_translated": counts.words_translated,
        "words_fuzzy": counts.words_fuzzy,
        "words_total": counts.words_total,
        "threshold": threshold,
    }


def dashboard_context(app: Sphinx, report: StatusReport) -> dict:
    """What the page template shows: one row per language, each with one row per chapter."""
    current = app.guide_language.code
    url = app.config.guide_catalog_url
    languages = []
    for status in report.languages:
        language = status.language
        chapters = []
        for name, chapter in sorted(status.chapters.items()):
            if chapter.path is None:
                href = None  # no catalogue yet: `guide update` creates it
            elif url:
                href = url.format(lang=language.code, catalog=name)
            elif language.code == current:
                href = f"catalogs/{name}.po"
            else:
                href = f"../../{language.code}/status/catalogs/{name}.po"
            chapters.append({"name": name, "href": href, "updated": chapter.updated, **_bar(chapter, None)})
        languages.append(
            {
                "code": language.code,
                "name": language.name,
                "native_name": language.native_name,
                "direction": language.direction,
                "releasable": status.releasable,
                "updated": status.updated,
                "badge": f"../_static/badges/{language.code}.svg",
                "chapters": chapters,
                **_bar(status, language.release_threshold),
            }
        )
    return {"guide_status_languages": languages}


def collect_pages(app: Sphinx) -> Iterator[tuple[str, dict, str]]:
    if app.builder.name not in HTML_BUILDERS:
        return
    report = _status(app)
    if report is None:
        return
    context = dashboard_context(app, report)
    ui = app.guide_ui
    body = app.builder.templates.render(TEMPLATE, {**context, "ui": ui, "e": escape})
    yield PAGE, {"title": ui("Translation status"), "body": body, "display_toc": False}, "page.html"


def badge_svg(label: str, value: str, fill: str) -> str:
    """A flat two-part badge; widths estimated from character counts (Verdana 11px ~ 6.5px/char)."""
    left = int(len(label) * 6.5 + 12)
    right = int(len(value) * 7 + 12)
    width = left + right
    text = escape(f"{label}: {value}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{text}">'
        f"<title>{text}</title>"
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{fill}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2:.1f}" y="14">{escape(label)}</text>'
        f'<text x="{left + right / 2:.1f}" y="14">{escape(value)}</text>'
        "</g></svg>\n"
    )


def language_badge(status: LanguageStatus) -> str:
    language = status.language
    return badge_svg(
        f"{language.code} translated",
        f"{status.percent:g} %",
        colour(status.percent, language.release_threshold),
    )


def write_outputs(app: Sphinx, exception: Exception | None) -> None:
    """Badges of every language and this language's catalogues, next to the page."""
    if exception is not None or app.builder.name not in HTML_BUILDERS:
        return
    report = _status(app)
    if report is None:
        return
    outdir = Path(app.outdir)
    for status in report.languages:
        write_text_atomic(outdir / "_static" / "badges" / f"{status.language.code}.svg", language_badge(status))
        if status.language.code != app.guide_language.code:
            continue
        for name, chapter in status.chapters.items():
            if chapter.path is not None:
                target = outdir / "status" / "catalogs" / f"{name}.po"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(chapter.path, target)


def add_link(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """``guide_status_url``: the dashboard, relative to the page (for the footer link)."""
    if app.builder.name in HTML_BUILDERS:
        context["guide_status_url"] = app.builder.get_relative_uri(pagename, PAGE)


def setup(app: Sphinx) -> None:
    app.add_config_value("guide_catalog_url", "", "html", types=(str,))
    app.connect("html-collect-pages", collect_pages)
    app.connect("html-page-context", add_link)
    app.connect("build-finished", write_outputs)
