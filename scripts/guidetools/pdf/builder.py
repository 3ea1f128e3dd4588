"""Sphinx builder ``guideprint``: the print HTML of one language, for WeasyPrint.

It reuses the single-page builder's assembly (every document inlined into the root document,
references resolved) and its HTML translator, but renders its own templates
(``_templates/print/edition.html`` and ``print.css``) instead of the web theme: the web theme's
deep flex layout takes WeasyPrint minutes, plain blocks take seconds.

Output, in the builder's output folder:

* ``guide.html`` — the whole guide: cover, colophon, contents, chapters;
* ``guide-front.html`` and ``guide--<slug>.html`` — the same guide in parts, its front matter and
  each chapter, which the renderer lays out one by one and joins (``guidetools.pdf.parts``);
* ``chapter--<slug>.html`` — each chapter alone, with links to other chapters made plain text;
* ``_print/`` — the stylesheet and the bundled fonts; ``_images/`` — the figures;
* ``edition.json`` — what the renderer needs to know: files, titles, metadata.
"""

from __future__ import annotations

import json
import math
import shutil
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from docutils.utils import new_document
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import progress_message

from guidetools.pdf import doctree as print_tree
from guidetools.pdf.completion import Completion, RecordSourceWords, TotalTranslatedWords, document_completion
from guidetools.sphinxext.numref_doctrees import reading_each_page_once

logger = logging.getLogger(__name__)

TEMPLATE = "print/edition.html"
ASSETS = "_print"
MANIFEST = "edition.json"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


FRONT_PART = "guide-front.html"  # one dash: no chapter part (guide--<slug>) can take its name


def guide_part_name(slug: str) -> str:
    """The print HTML of a chapter as a part of the whole guide (next to guide.html, for relative URLs)."""
    return f"guide--{slug}.html"


def chapter_slug(docname: str) -> str:
    """The file name (without .pdf) of a chapter's PDF; also used by the HTML download links."""
    return docname.replace("/", "-")


def css_string(text: object) -> Markup:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3C ")
    return Markup(f'"{escaped}"')


@pass_context
def isolate(context, value: object, direction: str = "auto") -> str:
    """In a right-to-left edition, ``value`` between Unicode bidi isolates; elsewhere unchanged.

    A version, commit or English name placed into an Arabic sentence is otherwise reordered with
    its neighbours ("unversioned · 28" swaps places with the date). WeasyPrint ignores ``<bdi>``,
    but Pango honours the isolate characters, which are invisible.
    """
    if context.get("direction") != "rtl":
        return str(value)
    opening = {"ltr": "\u2066", "rtl": "\u2067"}.get(direction, "\u2068")
    return f"{opening}{value}\u2069"


@dataclass(frozen=True)
class ChapterFile:
    docname: str
    slug: str
    title: str
    html: str  # relative to the output folder
    completion_percent: int | None
    anchor: str = ""  # the id of the chapter's title in the whole guide
    part_html: str = ""  # the chapter as a part of the whole guide (relative to the output folder)


@dataclass(frozen=True)
class EditionManifest:
    lang: str
    version: str
    guide_html: str  # relative to the output folder
    chapters: list[ChapterFile]
    completion_percent: int | None  # None for the source language
    front_html: str = ""  # the whole guide's front matter (cover, colophon, contents) as a part

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> EditionManifest:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["chapters"] = [ChapterFile(**chapter) for chapter in data["chapters"]]
        return cls(**data)


def _floor_percent(completion: Completion | None) -> int | None:
    # Floor, so an edition that is 99.6 % translated never claims 100 %.
    return None if completion is None else math.floor(completion.percent)


class PrintBuilder(SingleFileHTMLBuilder):
    """One print HTML for the guide and one per chapter (see the module docstring)."""

    name = "guideprint"
    epilog = __("The print HTML is in %(outdir)s.")
    search = False
    copysource = False
    add_permalinks = False  # no "¶" after headings on paper
    html_scaled_image_link = False  # a figure is not a link to its own file on paper

    def __init__(self, app: Sphinx, env) -> None:
        super().__init__(app, env)
        # The language, registry and ui() live on the application (guidetools.sphinxext); keep a
        # reference, as Builder.app is deprecated.
        self.sphinx_app = app

    def get_theme_config(self) -> tuple[str, dict]:
        # The web theme is never rendered here; "basic" keeps its extension from loading at all.
        return "basic", {}

    # Writing -----------------------------------------------------------------------------------

    def write_documents(self, _docnames) -> None:
        self.prepare_writing(self.env.all_docs.keys())
        with progress_message(__("assembling the print edition")), self._each_page_read_once():
            tree = self.assemble_doctree()
            self.imgpath = "_images"
            self.dlpath = "_downloads"
            self.post_process_images(tree)
            title, subtitle = print_tree.cover_text(tree)
            chapters = print_tree.top_level_chapters(tree)
            for chapter in chapters:
                print_tree.footnotes_to_floats(chapter.node)
            print_tree.fix_single_page_anchors(tree)
            renamed = print_tree.make_ids_unique(chapters, self._label_owners())
            for chapter in chapters:
                print_tree.print_link_urls(chapter.node)
                print_tree.number_repeated_footnotes(chapter.node)
                print_tree.mark_page_references(chapter.node)
        with self._each_page_read_once():
            completion = self._completion(chapters)
        with progress_message(__("writing the print HTML")):
            # Copied before any rendering: the translator adds nodes as it goes (admonition titles).
            alone_chapters = [print_tree.Chapter(chapter.docname, chapter.node.deepcopy()) for chapter in chapters]
            bodies = {chapter.docname: self._render_chapter(chapter, renamed) for chapter in chapters}
            context = self._edition_context(title, subtitle)
            template = self._template_environment().get_template(TEMPLATE)
            in_guide = [self._chapter_context(chapter, bodies[chapter.docname]) for chapter in chapters]
            guide = {
                **context,
                "kind": "guide",
                "document_title": title,
                "contents": in_guide,
                "completion": _floor_percent(self._total(completion)),
            }
            (self.outdir / "guide.html").write_text(template.render(**guide, front=True, chapters=in_guide), "utf-8")
            (self.outdir / FRONT_PART).write_text(template.render(**guide, front=True, chapters=[]), "utf-8")
            for part in in_guide:
                part_html = guide_part_name(part["slug"])
                (self.outdir / part_html).write_text(template.render(**guide, front=False, chapters=[part]), "utf-8")
            files = []
            for chapter, alone in zip(chapters, alone_chapters, strict=True):
                print_tree.unlink_outside(alone.node, alone.ids())
                slug = chapter_slug(chapter.docname)
                # Next to guide.html, so that the figures' relative URLs work the same.
                html = f"chapter--{slug}.html"
                percent = _floor_percent(completion.get(chapter.docname)) if completion else None
                alone_context = self._chapter_context(alone, self._render_chapter(alone, renamed))
                page = template.render(
                    **context,
                    kind="chapter",
                    document_title=f"{chapter.title} — {title}",
                    front=False,
                    chapters=[alone_context],
                    contents=[alone_context],
                    completion=percent,
                )
                (self.outdir / html).write_text(page, encoding="utf-8")
                files.append(
                    ChapterFile(
                        chapter.docname, slug, chapter.title, html, percent, chapter.anchor, guide_part_name(slug)
                    )
                )
        EditionManifest(
            lang=self.config.language,
            version=context["version"],
            guide_html="guide.html",
            chapters=files,
            completion_percent=_floor_percent(self._total(completion)),
            front_html=FRONT_PART,
        ).write(self.outdir / MANIFEST)

    def _each_page_read_once(self):
        """Pages Sphinx already unpickled in this build (to number figures) are not unpickled again.

        Safe here: the assembly copies every page it inlines, and the completion only reads a number.
        """
        return reading_each_page_once(self.env, held=False) if self.config.guide_doctree_memo else nullcontext()

    def _label_owners(self) -> dict[str, str]:
        std = self.env.domains.standard_domain
        owners = {labelid: docname for docname, labelid in std.anonlabels.values()}
        owners.update({labelid: docname for docname, labelid, _ in std.labels.values()})
        return owners

    def _render_chapter(self, chapter: print_tree.Chapter, renamed: dict[str, str]) -> Markup:
        """The chapter's HTML, written by Sphinx's HTML translator from a document of its own.

        The chapter's node is lent to that document for the walk, not copied: copying every chapter
        for each of its two renderings took a quarter of the print build. The walk changes the
        node (it adds admonition titles), so each node is rendered once and copies are made first.
        """
        document = new_document(chapter.docname, self.docsettings)
        node = chapter.node
        parent, owner = node.parent, node.document
        document.append(node)
        try:
            return self._translate(document, chapter.docname, renamed)
        finally:
            document.children.clear()
            node.parent, node.document = parent, owner

    def _translate(self, document, docname: str, renamed: dict[str, str]) -> Markup:
        # Figure and section numbers are stored per document under their original ids.
        self.current_docname = docname
        self.fignumbers = {
            figtype: {renamed.get(f"{key}@{docname}", key): number for key, number in numbers.items()}
            for figtype, numbers in self.env.toc_fignumbers.get(docname, {}).items()
        }
        self.secnumbers = self.env.toc_secnumbers.get(docname, {})
        visitor = self.create_translator(document, self)
        document.walkabout(visitor)
        return Markup("".join(visitor.fragment))

    def _chapter_context(self, chapter: print_tree.Chapter, body: Markup) -> dict:
        return {
            "docname": chapter.docname,
            "slug": chapter_slug(chapter.docname),
            "anchor": chapter.anchor,
            "title": chapter.title,
            "headings": chapter.headings(depth=2),
            "body": body,
        }

    # Context -----------------------------------------------------------------------------------

    def _completion(self, chapters: list[print_tree.Chapter]) -> dict[str, Completion] | None:
        """Translated words per chapter (its own document and those it includes); None for the source."""
        if self.sphinx_app.guide_language.code == self.sphinx_app.guide_registry.source:
            return None
        result = {}
        for chapter in chapters:
            docnames = [chapter.docname, *(n["docname"] for n in chapter.node.findall(addnodes.start_of_file))]
            found = [document_completion(self.env.get_doctree(name)) for name in dict.fromkeys(docnames)]
            result[chapter.docname] = sum((c for c in found if c is not None), Completion(0, 0))
        return result

    @staticmethod
    def _total(completion: dict[str, Completion] | None) -> Completion | None:
        if completion is None:
            return None
        return sum(completion.values(), Completion(0, 0))

    def _edition_context(self, title: str, subtitle: str) -> dict:
        from babel import Locale, UnknownLocaleError
        from babel.dates import format_date

        config = self.config
        language = self.sphinx_app.guide_language
        registry = self.sphinx_app.guide_registry
        timestamp = int(config.guide_timestamp or 0)
        date = datetime.fromtimestamp(timestamp, UTC)
        # Language names as the edition's language writes them in a sentence ("español", "anglais").
        try:
            locale = Locale.parse(language.code, sep="-")
            shown_date = format_date(date.date(), format="long", locale=locale)
            source_name = locale.languages.get(registry.source) or registry.get(registry.source).name
            own_name = locale.languages.get(language.code) or language.native_name
        except (ValueError, UnknownLocaleError):
            shown_date = date.date().isoformat()
            source_name = registry.get(registry.source).name
            own_name = language.native_name
        version = config.guide_version or config.release or config.version or "unversioned"
        return {
            "ui": self.sphinx_app.guide_ui,
            "lang": language.code,
            "direction": language.direction,
            "language": language,
            "is_source_language": language.code == registry.source,
            "source_code": registry.source,
            "source_language_name": source_name,
            "language_name": own_name,
            "guide_title": title,
            "subtitle": subtitle,
            "publisher": config.author,
            "version": version,
            "commit": config.guide_commit,
            "commit_dirty": bool(config.guide_commit_dirty),
            "date": shown_date,
            "iso_date": date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "licence_url": LICENCE_URL,
            "contribute_url": config.guide_contribute_url,
            "assets": ASSETS,
            "MARK": "\0",
            # Generated text of the edition's language, isolated so that it keeps its direction
            # next to source-language (left-to-right) passages of a right-to-left edition.
            "bidi_open": "\u2067" if language.is_rtl else "",
            "bidi_close": "\u2069" if language.is_rtl else "",
        }

    def _template_environment(self) -> Environment:
        environment = Environment(
            loader=FileSystemLoader(self._template_dirs()),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        environment.filters["css_string"] = css_string
        environment.filters["isolate"] = isolate
        return environment

    def _template_dirs(self) -> list[Path]:
        return [Path(self.confdir, folder).resolve() for folder in self.config.templates_path]

    # Assets ------------------------------------------------------------------------------------

    def finish(self) -> None:
        self.copy_image_files()
        self.copy_print_assets()

    @progress_message(__("copying the print stylesheet and fonts"))
    def copy_print_assets(self) -> None:
        for folder in self._template_dirs():
            source = folder / "print"
            if (source / "print.css").is_file():
                target = self.outdir / ASSETS
                if target.exists():
                    shutil.rmtree(target)
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.html", "*.txt"))
                return
        logger.warning(__("print stylesheet not found: no print/print.css in templates_path"))


def fingerprint_downloads(app: Sphinx, config) -> None:
    """Make the HTML builder rewrite every page when the set of PDFs it links to changes.

    Pages link to the PDFs found in ``<outdir>/_downloads/pdf`` (see ``html_context.downloads_for``),
    but Sphinx rewrites only pages whose source changed. The names of those PDFs go into an
    "html" setting, so a new or removed PDF changes the build's configuration hash and every
    page is written again (reading is not repeated; writing is cheap).
    """
    folder = Path(app.outdir) / "_downloads" / "pdf"
    names = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.pdf")) if folder.is_dir() else []
    config.guide_downloads_fingerprint = " ".join(names)


def setup(app: Sphinx) -> None:
    """Register the builder and its settings (called by ``guidetools.sphinxext.setup``)."""
    app.add_builder(PrintBuilder)
    app.add_transform(RecordSourceWords)
    app.add_transform(TotalTranslatedWords)
    # Set by `guide build --format pdf` from git (guidetools.version): the edition's date and
    # whether the tree had uncommitted changes. "env" would force re-reading; these only change output.
    app.add_config_value("guide_timestamp", 0, "html", types=(int,))
    app.add_config_value("guide_commit_dirty", False, "html", types=(bool,))
    # Where readers can contribute corrections and translations (printed in the colophon).
    app.add_config_value("guide_contribute_url", "", "html", types=(str,))
    app.add_config_value("guide_downloads_fingerprint", "", "html", types=(str,))
    app.connect("config-inited", fingerprint_downloads)
